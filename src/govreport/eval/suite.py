"""make evaluate: spans, links and records of the pipeline against the gold annotations, per split.

Gold comes from annotations/gold (joined with the text at run time) and, for records, also from the
tables' expected files in tests/expected. Only the paragraphs the annotators accepted are scored, and
table areas inside them are left out, so a system is never charged for text nobody annotated.
Items are tuples (label, doc, start, end) with document-level offsets; ``end`` is exclusive.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..annotate.convert import gold_files, load_splits
from ..annotate.standoff import find_document, load_tasks
from ..config import PROJECT_ROOT, load_config
from ..extract.reports import Extractor
from ..ingest import read_document
from ..link import indicator_model as im
from ..link.model import load_linker
from ..link.policy import policy_linker
from ..link.rules import find_indicator_spans
from ..notices import warn
from ..pipeline import Pipeline
from ..records import is_partial_scope
from ..spans.hybrid import RulesFinder, fill_values, load_span_finder
from ..spans.model import ModelLoadError, load_model, predict_spans
from ..spans.rules import find_spans
from ..tables.expected import expand, table_calibration
from ..values import parse_figure
from .scorer import overlap_prf, precision_recall_f1, prf, span_error_kinds, span_scores
from .sentences import load_paragraph_sets, score_paragraphs

EXPECTED_DIR = PROJECT_ROOT / "tests" / "expected"


@dataclass
class GoldDocument:
    """The gold of one document: scored areas, spans, relations and ids."""

    doc: str
    areas: list[tuple[int, int]] = field(default_factory=list)  # accepted paragraphs
    holes: list[tuple[int, int]] = field(default_factory=list)  # flattened tables inside them
    spans: set[tuple] = field(default_factory=set)  # (label, doc, start, end)
    links: set[tuple] = field(default_factory=set)  # (doc, fig_start, fig_end, ind_start, ind_end)
    id_links: set[tuple] = field(default_factory=set)  # (doc, fig_start, fig_end, indicator id)
    figures: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # figure → relation extras

    def scored(self, start: int, end: int) -> bool:
        """Whether a span at [start, end) lies in an accepted paragraph and outside its tables."""
        inside = any(a <= start and end <= b for a, b in self.areas)
        return inside and not any(a < end and start < b for a, b in self.holes)


def gold_documents(split: str, annotations: Path | None = None) -> dict[str, GoldDocument]:
    """Gold of every annotated document of ``split`` (configs/splits.yml)."""

    splits = load_splits()
    files = [p for p in gold_files(annotations) if splits.get(p.stem) == split]
    tasks, problems = load_tasks(files, join=True)
    for problem in problems:
        warn(str(problem))
    docs: dict[str, GoldDocument] = {}
    for task in tasks:
        if task.get("answer", "accept") != "accept":
            continue
        doc_id, offset = task["meta"]["doc"], task["meta"]["offset"]
        gold = docs.setdefault(doc_id, GoldDocument(doc_id))
        gold.areas.append((offset, offset + len(task["text"])))
        gold.holes += [(offset + t["start"], offset + t["end"]) for t in task.get("tables") or []]
        for span in task.get("spans") or []:
            gold.spans.add((span["label"], doc_id, offset + span["start"], offset + span["end"]))
        for rel in task.get("relations") or []:
            head, child = rel["head_span"], rel["child_span"]
            fig = (offset + head["start"], offset + head["end"])
            gold.links.add((doc_id, *fig, offset + child["start"], offset + child["end"]))
            gold.figures[fig] = {"scope": rel.get("scope"), "indicator": rel.get("indicator"),
                                 "text": task["text"][head["start"]:head["end"]]}
            if rel.get("indicator"):
                gold.id_links.add((doc_id, *fig, rel["indicator"]))
    return docs


@dataclass
class Prediction:
    """What one system predicted for one document, restricted to the gold's scored areas."""

    spans: set[tuple] = field(default_factory=set)
    links: set[tuple] = field(default_factory=set)
    id_links: set[tuple] = field(default_factory=set)
    records: list[dict[str, Any]] = field(default_factory=list)


def system_extractor(find_spans: Callable, link: Callable, find_indicators: Callable | None = None) -> Any:
    """An Extractor whose pipeline finds spans, INDICATOR phrases and links as one system does, keeping its
    spans for scoring."""

    return Extractor(pipeline=Pipeline(find_spans, link, find_indicators), with_tasks=False, keep_spans=True)


def predict_document(doc: Any, gold: GoldDocument, extractor: Any) -> Prediction:
    """Spans, links and records of one system (its extractor) on one document."""
    result = extractor.extract(doc)
    pred = Prediction(records=result.records)
    labels = set(load_config("evaluate.yml")["span_labels"])
    for span in result.spans:
        if span.label in labels and gold.scored(span.start, span.end):
            pred.spans.add((span.label, gold.doc, span.start, span.end))
    for m in result.mentions:
        if m["source"] != "text" or not gold.scored(m["start"], m["end"]):
            continue
        if m["indicator_start"] is not None:
            pred.links.add((gold.doc, m["start"], m["end"], m["indicator_start"], m["indicator_end"]))
        if m["indicator"]:
            pred.id_links.add((gold.doc, m["start"], m["end"], m["indicator"]))
    return pred


def gold_records(split_docs: dict[str, GoldDocument]) -> dict[tuple[str, str], set]:
    """Acceptable values per (doc, indicator): the expected table value, else the whole-body text values."""

    records: dict[tuple[str, str], set] = defaultdict(set)
    for doc_id, gold in split_docs.items():
        for fig in gold.figures.values():
            if not fig["indicator"] or is_partial_scope(fig["scope"]):
                continue
            try:
                value = parse_figure(fig["text"])["value"]
            except ValueError:
                continue
            if value is not None:
                records[(doc_id, fig["indicator"])].add(value)
        expected = EXPECTED_DIR / f"{doc_id}.expected.json"
        if expected.exists():
            for (indicator, measure), value in expand(json.loads(expected.read_text(encoding="utf-8")))[
                    "values"].items():
                if measure == "value" and value is not None:
                    records[(doc_id, indicator)] = {value}
    return records


def record_scores(gold: dict[tuple[str, str], set], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision over predicted records of documents with gold, recall over gold (doc, indicator) keys.

    A predicted record counts as correct when its value is among the acceptable values (in the
    indicator's unit; text values are compared after the same unit conversion as the records).
    """
    docs = {doc for doc, _ in gold}
    preds = [r for r in predicted if r["doc"] in docs and r["value"] is not None]
    correct = {(r["doc"], r["indicator"]) for r in preds
               if any(_same(r["value"], v) for v in gold.get((r["doc"], r["indicator"]), ()))}
    p, r, f = precision_recall_f1(len(correct), len(preds), len(correct), len(gold))
    return {"p": p, "r": r, "f": f, "correct": len(correct),
            "predicted": len(preds), "gold": len(gold)}


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def span_systems(model_dir: Path | None) -> dict[str, Callable]:
    """The span finders to compare: rules always; the model alone whenever a model loads (even when its
    measured policy keeps the rules for every label, so the report shows what it would do), and the hybrid
    when its policy uses the model."""

    systems: dict[str, Callable] = {"rules": RulesFinder()}
    if model_dir is not None and Path(model_dir).exists():
        hybrid = load_span_finder(model_dir)
        if getattr(hybrid, "uses_model", False):
            systems["hybrid"] = hybrid
            systems["model"] = _model_only(hybrid.nlp)
        else:
            try:
                systems["model"] = _model_only(load_model(model_dir))
            except (ModelLoadError, OSError, ValueError) as err:
                warn(f"{err}; the model alone is not scored")
    return systems


def _model_only(nlp) -> Callable:

    def find(text: str, report_year: int | None = None, exclude=()) -> list:
        return fill_values(predict_spans(nlp, text, exclude), find_spans(text, report_year), report_year)

    return find


def evaluate_split(split: str, systems: dict[str, Callable], linkers: dict[str, Callable],
                   indicator_finders: dict[str, Callable] | None = None) -> dict[str, Any]:
    """Span, link and record scores of every system on one split; with ``indicator_finders`` (name → INDICATOR
    phrase finder, the lexicon first), also their phrase scores and the best system's links and records with each."""

    cfg = load_config("evaluate.yml")
    golds = gold_documents(split)
    paths = {doc_id: find_document(doc_id) for doc_id in golds}
    # each document is read once and scored by every system and policy
    docs = {doc_id: read_document(path) for doc_id, path in paths.items() if path is not None}
    result: dict[str, Any] = {"documents": sorted(golds), "spans": {}, "links": {}, "records": {}, "errors": {}}
    all_gold_spans = set().union(*(g.spans for g in golds.values())) if golds else set()
    gold_spans = {s for s in all_gold_spans if s[0] in cfg["span_labels"]}
    gold_links = set().union(*(g.links for g in golds.values())) if golds else set()
    gold_ids = set().union(*(g.id_links for g in golds.values())) if golds else set()
    gold_recs = gold_records(golds)
    best = "hybrid" if "hybrid" in systems else "rules"
    for name, finder in systems.items():
        link_policies = list(linkers)
        for policy in (link_policies if name == best else [None]):
            extractor = system_extractor(finder, linkers[policy or link_policies[0]])
            preds = [predict_document(docs[d], golds[d], extractor) for d in golds if d in docs]
            spans = set().union(*(p.spans for p in preds)) if preds else set()
            key = name if policy is None else f"{name}+{policy}"
            if policy is None or policy == link_policies[0]:
                result["spans"][name] = {"exact": span_scores(gold_spans, spans),
                                         "exact_all": prf(gold_spans, spans),
                                         "overlap": overlap_prf(gold_spans, spans)}
            links = set().union(*(p.links for p in preds)) if preds else set()
            ids = set().union(*(p.id_links for p in preds)) if preds else set()
            result["links"][key] = {"indicator_phrase": prf(gold_links, links), "canonical_id": prf(gold_ids, ids)}
            records = [r for p in preds for r in p.records]
            result["records"][key] = record_scores(gold_recs, records)
            if name == best and (policy is None or policy == link_policies[0]):
                result["errors"] = top_errors(gold_spans, spans, gold_links, links,
                                              {d: doc.text for d, doc in docs.items()},
                                              cfg["n_error_kinds"], error_examples(split), cfg["context"])
    if indicator_finders:
        # with the rules' links and with the linking policy extract uses (the last of ``linkers``)
        for policy in dict.fromkeys([next(iter(linkers)), list(linkers)[-1]]):
            _score_indicator_finders(result, indicator_finders, docs, golds, systems[best], linkers[policy],
                                     f"{best}+{policy}", gold_links, gold_ids, gold_recs,
                                     {s for s in all_gold_spans if s[0] == "INDICATOR"})
    return result


def _score_indicator_finders(result: dict[str, Any], finders: dict[str, Callable], docs: dict, golds: dict,
                             find_spans: Callable, link: Callable, base_key: str, gold_links: set, gold_ids: set,
                             gold_recs: dict, gold_phrases: set) -> None:
    """INDICATOR phrase P/R/F1 of each finder, and links and records of the best system with each finder
    other than the lexicon (keys ``<system>+<policy>+indicators:<finder>``)."""
    result["indicator_phrases"] = {}
    for name, finder in finders.items():
        phrases = {("INDICATOR", d, s.start, s.end) for d in golds if d in docs
                   for s in finder(docs[d].text) if golds[d].scored(s.start, s.end)}
        result["indicator_phrases"][name] = prf(gold_phrases, phrases)
        if name == next(iter(finders)):
            continue
        extractor = system_extractor(find_spans, link, finder)
        preds = [predict_document(docs[d], golds[d], extractor) for d in golds if d in docs]
        links = set().union(*(p.links for p in preds)) if preds else set()
        ids = set().union(*(p.id_links for p in preds)) if preds else set()
        key = f"{base_key}+indicators:{name}"
        result["links"][key] = {"indicator_phrase": prf(gold_links, links), "canonical_id": prf(gold_ids, ids)}
        result["records"][key] = record_scores(gold_recs, [r for p in preds for r in p.records])


def indicator_finders(model_dir: Path | None) -> dict[str, Callable]:
    """The lexicon alone, and the trained INDICATOR model (beside the span model: DIR/../indicator) under its
    stored policy and alone, whatever the policy, so the report shows what it would do."""

    finders: dict[str, Callable] = {"lexicon": find_indicator_spans}
    folder = Path(model_dir).parent / im.settings()["model_name"] if model_dir is not None else None
    if folder is None or not (folder / "meta.json").exists():
        return finders
    nlp = im.load_indicator_model(folder)
    policy = im.load_policy(folder)
    for name in dict.fromkeys([policy, "model"]):
        if name != "rules":
            finders[name] = im.IndicatorFinder(nlp, name)
    return finders


def error_examples(split: str) -> int:
    """How many examples of each error kind the report of ``split`` shows: none outside configs/evaluate.yml
    ``error_examples_splits`` (kinds and counts only: a test error read is a rule drawn from test)."""
    cfg = load_config("evaluate.yml")
    return cfg["n_examples"] if split in cfg["error_examples_splits"] else 0


def top_errors(gold_spans: set, pred_spans: set, gold_links: set, pred_links: set, texts: dict[str, str],
               n_kinds: int, n_examples: int, context: int) -> list[dict[str, Any]]:
    """The most frequent span and link error kinds, each with a few examples in the documents' ``texts``."""
    errors = span_error_kinds(gold_spans, pred_spans)
    gold_by_fig = {(d, a, b): (c, e) for d, a, b, c, e in gold_links}
    pred_by_fig = {(d, a, b): (c, e) for d, a, b, c, e in pred_links}
    for fig, ind in sorted(gold_by_fig.items()):  # examples in document order, whatever the hash seed
        if fig not in pred_by_fig:
            errors.append(("link missed", ("LINK", fig[0], fig[1], fig[2]), None))
        elif pred_by_fig[fig] != ind:
            errors.append(("link to another phrase", ("LINK", fig[0], *ind), ("LINK", fig[0], *pred_by_fig[fig])))
    counts = Counter(kind for kind, _, _ in errors)
    out = []
    for kind, n in counts.most_common(n_kinds):
        examples = []
        for _, g, p in [e for e in errors if e[0] == kind][:n_examples]:
            item = g or p
            doc_id = item[1]
            text = texts.get(doc_id, "")
            examples.append({"doc": doc_id, "gold": _shown(text, g), "pred": _shown(text, p),
                             "context": text[max(0, item[2] - context):item[3] + context].replace("\n", "⏎")})
        out.append({"kind": kind, "count": n, "examples": examples})
    return out


def _shown(text: str, item: tuple | None) -> str | None:
    return None if item is None else text[item[2]:item[3]]


def run_evaluation(out_dir: Path, model_dir: Path | None = None, curve_path: Path | None = None) -> dict[str, Any]:
    """Every split of configs/evaluate.yml; writes report.json and report.md into ``out_dir``.

    ``curve_path``: the cached learning curve (`make learning-curve`), reported when given and present.
    """

    cfg = load_config("evaluate.yml")
    systems = span_systems(model_dir)
    linker = load_linker(Path(model_dir).parent / "linker") if model_dir is not None else None
    linkers = {"rules": policy_linker(None, "rules")}
    if linker is not None:
        linkers.update({policy: policy_linker(linker, policy) for policy in ("learned", "combined", "edges")})
        # what extract runs: the measured policy with its ids (ids_from: fill adds learned ids to the rules' own
        # links, so "rules" alone is not it); last, because INDICATOR finders are scored with it
        linkers["chosen"] = policy_linker(linker)
    finders = indicator_finders(model_dir)
    report = {"systems": list(systems), "link_policies": list(linkers), "indicator_finders": list(finders),
              "splits": {split: evaluate_split(split, systems, linkers, finders) for split in cfg["splits"]}}
    paragraph_sets = load_paragraph_sets()
    if paragraph_sets:  # annotations/own: each system with the rules' links, the best one with every linking policy
        best = "hybrid" if "hybrid" in systems else "rules"
        pipelines = {f"{name}+{policy}": system_extractor(finder, linkers[policy]).pipeline
                     for name, finder in systems.items()
                     for policy in (linkers if name == best else list(linkers)[:1])}
        report["own_sentences"] = {name: score_paragraphs(rows, pipelines) for name, rows in paragraph_sets.items()}
    report["table_calibration"] = table_calibration(**cfg["table_calibration"])
    if curve_path is not None:

        from ..training.learning_curve import load_curve  # lazy: the curve is measured with this module

        report["learning_curve"] = load_curve(curve_path)
        report["learning_curve_path"] = str(curve_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "report.md").write_text(markdown_report(report), encoding="utf-8")
    return report


def markdown_report(report: dict[str, Any]) -> str:
    """The evaluation tables as markdown."""
    lines = ["# Evaluation against gold annotations", ""]
    for split, res in report["splits"].items():
        lines += [f"## {split} ({len(res['documents'])} documents)", "", "### Spans (exact; overlap in the last row)",
                  "", "| system | label | P | R | F1 | tp | fp | fn |", "|---|---|---|---|---|---|---|---|"]
        for system, scores in res["spans"].items():
            for label, s in scores["exact"].items():
                lines.append(f"| {system} | {label} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['tp']} | "
                             f"{s['fp']} | {s['fn']} |")
            a, o = scores["exact_all"], scores["overlap"]
            lines.append(f"| {system} | all (exact) | {a['p']:.3f} | {a['r']:.3f} | {a['f']:.3f} | {a['tp']} | "
                         f"{a['fp']} | {a['fn']} |")
            lines.append(f"| {system} | all (overlap) | {o['p']:.3f} | {o['r']:.3f} | {o['f']:.3f} | | | |")
        if res.get("indicator_phrases"):
            lines += ["", "### INDICATOR phrases (exact; lexicon alone beside the trained model)", "",
                      ("Every phrase each finder proposes, linked or not (the lexicon proposes every phrase it "
                       "knows; the linker also reads phrases from context): the phrases that count are those of "
                       "the links, rows `+indicators:` below."), "",
                      "| finder | P | R | F1 | tp | fp | fn |", "|---|---|---|---|---|---|---|"]
            for finder, s in res["indicator_phrases"].items():
                lines.append(f"| {finder} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['tp']} | {s['fp']} | "
                             f"{s['fn']} |")
        lines += ["", "### Links (figure → indicator)", "", "| system | target | P | R | F1 | tp | fp | fn |",
                  "|---|---|---|---|---|---|---|---|"]
        for system, scores in res["links"].items():
            for target, s in scores.items():
                lines.append(f"| {system} | {target} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['tp']} | "
                             f"{s['fp']} | {s['fn']} |")
        lines += ["", "### Records", "", "| system | P | R | F1 | correct | predicted | gold |",
                  "|---|---|---|---|---|---|---|"]
        for system, s in res["records"].items():
            lines.append(f"| {system} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['correct']} | "
                         f"{s['predicted']} | {s['gold']} |")
        lines += ["", "### Most frequent errors", "", "| kind | count | examples (gold / predicted) |", "|---|---|---|"]
        for err in res["errors"]:
            shown = "; ".join(f"{e['doc'][:12]}: {e['gold']} / {e['pred']}" for e in err["examples"]) or "(not shown)"
            lines.append(f"| {err['kind']} | {err['count']} | {shown} |")
        lines.append("")
    for name, own in (report.get("own_sentences") or {}).items():
        lines += [(f"## Own paragraphs: {name} (annotations/own/{name}.json: {own['paragraphs']} paragraphs, "
                   f"{own['figures']} figures)"), "",
                  "| system | target | P | R | F1 | tp | fp | fn |", "|---|---|---|---|---|---|---|---|"]
        for system, scores in own["systems"].items():
            for target, s in scores.items():
                lines.append(f"| {system} | {target} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['tp']} | "
                             f"{s['fp']} | {s['fn']} |")
        lines.append("")
    if "table_calibration" in report:
        lines += _calibration_lines(report["table_calibration"])
    if "learning_curve" in report:
        from ..training.learning_curve import curve_markdown  # lazy: see above

        lines += curve_markdown(report["learning_curve"], Path(report["learning_curve_path"]))
    return "\n".join(lines)


def _calibration_lines(cal: dict[str, Any]) -> list[str]:
    """Accuracy of table cells per confidence band, on real reports and on generated renderings."""
    lines = ["## Table cell confidence: calibration", "",
             ("Share of cells whose value is right, per confidence band: reports with an expected file (real) "
              "and generated renderings of random value sets in every shape (generated)."), "",
             "| band | real cells | real accuracy | generated cells | generated accuracy |", "|---|---|---|---|---|"]
    for real, gen in zip(cal["real"], cal["generated"], strict=True):
        show = lambda b: "-" if b["accuracy"] is None else f"{b['accuracy']:.3f}"
        lines.append(f"| {real['band']} | {real['cells']} | {show(real)} | {gen['cells']} | {show(gen)} |")
    return [*lines, ""]
