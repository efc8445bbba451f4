"""The learning curve: span model and learned linker trained on 25/50/75/100% of the gold training documents.

Each fraction trains into its own folder under the output (never into models/) as `make train` does: the linker
also on the own development paragraphs (configs/train.yml ``own_paragraphs``), and the policies of
configs/cv.json applied. It is scored on the held-out split with the evaluation's own scorer
(``evaluation.evaluate_split``) and on the blind own paragraph sets, beside the rules alone. Settings and the
reasons for them: configs/learning_curve.yml. The result is cached with a fingerprint of the gold, the own
paragraphs and the training configs.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from pathlib import Path
from typing import Any

import srsly

from ..annotate import convert_annotations, gold_files
from ..config import CONFIG_DIR, PROJECT_ROOT, load_config
from ..eval.sentences import SENTENCES_DIR, load_paragraph_sets, score_paragraphs
from ..eval.suite import _model_only, evaluate_split, span_systems, system_extractor
from ..link.model import load_linker
from ..link.policy import policy_linker
from ..notices import warn
from ..segment import tokenizer_overrides
from ..spans.hybrid import HybridFinder, load_policy
from ..spans.model import load_model
from .crossval import apply_choices
from .links import gold_tasks, own_training_tasks, train_linker
from .spans import (
    gold_table_areas,
    prepare_data,
    select_policy_on_dev,
    spacy_config_path,
    train_ner,
    train_segmenter_for,
)
from .spans import settings as train_settings

CURVE_FILE = "curve.json"
CONFIG_FILES = ("learning_curve.yml", "train.yml", "model.yml", "learned_link.yml", "link.yml", "phrase_bounds.yml",
                "splits.yml", "evaluate.yml", "cv.json")
RULES_CONFIG_FILES = ("indicators.yml", "records.yml", "tables.yml", "metadata.yml", "normalize.yml", "ingest.yml",
                      "view.yml")


def settings() -> dict[str, Any]:
    """configs/learning_curve.yml."""
    return load_config("learning_curve.yml")


def fingerprint() -> str:
    """sha1 over the gold files, the own paragraph sets and the configs that shape the curve: a cached curve is
    stale when it differs."""

    digest = hashlib.sha1()
    paths = gold_files(PROJECT_ROOT / train_settings()["annotations_dir"])
    paths += [CONFIG_DIR / name for name in CONFIG_FILES]
    paths += sorted(SENTENCES_DIR.glob("*.json"))
    # what the rules alone read too (their row, and the rules inside every hybrid run)
    paths += [CONFIG_DIR / name for name in RULES_CONFIG_FILES] + sorted((CONFIG_DIR / "patterns").glob("*"))
    paths.append(spacy_config_path(train_settings()["segmenter"]))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def examples_by_document(work_dir: Path) -> dict[str, dict[str, list]]:
    """split → doc id → NER examples (text, spans, table areas) of the gold, as `make train` builds them."""
    import spacy
    from spacy.tokens import DocBin


    annotations = PROJECT_ROOT / train_settings()["annotations_dir"]
    meta_key = load_config("annotate.yml")["docbin"]["meta_key"]
    tables = gold_table_areas(annotations)
    nlp = spacy.blank("zh")
    out: dict[str, dict[str, list]] = {}
    for split, path in convert_annotations(annotations, work_dir / "gold").items():
        for doc in DocBin(store_user_data=True).from_disk(path).get_docs(nlp.vocab):
            meta = doc.user_data.get(meta_key) or {}
            areas = tables.get((meta.get("doc"), meta.get("paragraph")), [])
            out.setdefault(split, {}).setdefault(meta.get("doc"), []).append(
                (doc.text, [(e.start_char, e.end_char, e.label_) for e in doc.ents], areas))
    return out


def subsets(doc_ids: list[str], fractions: list[float], seed: int) -> list[tuple[float, list[str]]]:
    """Nested subsets: the ids shuffled once, then the first round(f·n) (at least one) for each fraction."""
    order = sorted(doc_ids)
    random.Random(seed).shuffle(order)
    return [(f, order[:max(1, round(f * len(order)))]) for f in fractions]


def train_fraction(run_dir: Path, examples: dict[str, list], train_tasks: list, dev_tasks: list,
                   segmenter_dir: Path | None, own_tasks: list, choices: dict[str, Any]) -> dict[str, Any]:
    """Span model and linker trained on one subset into ``run_dir``/ner and ``run_dir``/linker, the linker also on
    ``own_tasks``, then the cross-validated ``choices`` (configs/cv.json) applied, as `make train` does."""

    segmenter = train_settings()["segmenter"]
    started = time.perf_counter()
    run_dir.mkdir(parents=True, exist_ok=True)
    stats = prepare_data(run_dir, examples)
    overrides = {**tokenizer_overrides(segmenter, segmenter_dir), **(settings()["ner_overrides"] or {})}
    best = train_ner(spacy_config_path(segmenter), run_dir / "train.spacy", run_dir / "dev.spacy",
                     run_dir / "output", overrides)
    model_dir = run_dir / "ner"
    if model_dir.exists():
        shutil.rmtree(model_dir)
    shutil.copytree(best, model_dir)
    shutil.rmtree(run_dir / "output")
    select_policy_on_dev(model_dir, run_dir)
    ner_seconds = time.perf_counter() - started
    train_linker(train_tasks + own_tasks, run_dir / "linker", dev_tasks,
                 {"source": "gold", "own_paragraphs": len(own_tasks)})
    if len(apply_choices(choices, run_dir)) < 2:  # it skips a model folder it does not find
        raise ValueError(f"configs/cv.json's choices found no span model or linker under {run_dir}")
    chosen = load_linker(run_dir / "linker").chosen
    return {"units": stats["train"]["units"], "spans": stats["train"]["spans"],
            "ner_seconds": round(ner_seconds, 1), "seconds": round(time.perf_counter() - started, 1),
            "link_policy": chosen.get("policy"), "ids_from": chosen.get("ids_from")}


def score_fraction(run_dir: Path, split: str, own_sets: dict[str, list]) -> dict[str, Any]:
    """Spans (model alone and hybrid), links, ids and records of one run, on ``split``; phrases and ids on each
    of ``own_sets`` (name → paragraphs)."""

    hybrid = HybridFinder(load_model(run_dir / "ner"), load_policy(run_dir / "ner"))
    return _scores(split, {"model": _model_only(hybrid.nlp), "hybrid": hybrid}, "hybrid",
                   "chosen", policy_linker(load_linker(run_dir / "linker")), own_sets)


def score_rules(split: str, own_sets: dict[str, list]) -> dict[str, Any]:
    """The same scores of the rules alone (rules spans and links), which no amount of training data changes."""

    return _scores(split, {"rules": span_systems(None)["rules"]}, "rules", "rules", policy_linker(None, "rules"),
                   own_sets)


def _scores(split: str, systems: dict[str, Any], best: str, policy: str, linker: Any,
            own_sets: dict[str, list]) -> dict[str, Any]:
    """Every system's spans on ``split``; the links and records of ``best`` with ``linker`` (named ``policy``)
    there and on each own set."""
    result = evaluate_split(split, systems, {policy: linker})
    pipeline = system_extractor(systems[best], linker).pipeline
    return {"spans": {name: scores["exact_all"] for name, scores in result["spans"].items()},
            "links": result["links"][f"{best}+{policy}"], "records": result["records"][f"{best}+{policy}"],
            "own": {name: score_paragraphs(rows, {policy: pipeline})["systems"][policy]
                    for name, rows in own_sets.items()}}


def learning_curve(out_dir: str | Path) -> dict[str, Any]:
    """Train and score every fraction; writes ``out_dir``/curve.json and returns it."""

    cfg = settings()
    out_dir = Path(out_dir)
    work = out_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    by_doc = examples_by_document(work)
    tasks = gold_tasks()
    train_docs = sorted(by_doc.get("train", {}))
    dev_examples = [e for doc in sorted(by_doc.get("dev", {})) for e in by_doc["dev"][doc]]
    segmenter_dir = None
    own_tasks = own_training_tasks()
    own_sets = _own_sets(cfg["own_sets"])
    choices = srsly.read_json(CONFIG_DIR / "cv.json")

    if train_settings()["segmenter"] == "pkuseg":
        if not cfg["shared_segmenter"]:
            raise ValueError("shared_segmenter: false is not supported; the segmenter is trained once")
        segmenter_dir = _segmenter(work, [e for doc in train_docs for e in by_doc["train"][doc]])
    points = []
    for fraction, docs in subsets(train_docs, cfg["fractions"], cfg["seed"]):
        run = work / f"{round(fraction * 100)}"
        chosen = set(docs)
        examples = {"train": [e for doc in docs for e in by_doc["train"][doc]], "dev": dev_examples}
        train_tasks = [t for t in tasks["train"] if t["meta"]["doc"] in chosen]
        point = {"fraction": fraction, "documents": len(docs), "doc_ids": docs, "paragraphs": len(examples["train"]),
                 "links": sum(len(t.get("relations") or []) for t in train_tasks)}
        point["training"] = train_fraction(run, examples, train_tasks, tasks["dev"], segmenter_dir, own_tasks,
                                           choices)
        point["scores"] = score_fraction(run, cfg["split"], own_sets)
        points.append(point)
    curve = {"fingerprint": fingerprint(), "split": cfg["split"], "train_documents": len(train_docs),
             "own_paragraphs": len(own_tasks), "own_sets": sorted(own_sets),
             "rules": score_rules(cfg["split"], own_sets), "points": points,
             "seconds": round(time.perf_counter() - started, 1)}
    srsly.write_json(out_dir / CURVE_FILE, curve)
    return curve


def _own_sets(names: list[str]) -> dict[str, list]:
    """The blind own paragraph sets the curve is scored on: never one the linker trains on."""
    trained = set(train_settings()["own_paragraphs"] or ())
    if trained & set(names):
        raise ValueError(f"configs/learning_curve.yml own_sets {sorted(trained & set(names))} also train the linker "
                         "(configs/train.yml own_paragraphs): they would not measure it")
    sets = load_paragraph_sets()
    for name in names:
        if name not in sets:
            warn(f"learning curve: no own paragraph set {name!r} in {SENTENCES_DIR}")
    return {name: sets[name] for name in names if name in sets}


def _segmenter(work: Path, examples: list) -> Path:
    """The pkuseg segmenter of all training text, reused from an earlier run on the same text and configs."""

    stamp = work / "pkuseg" / "fingerprint.txt"
    # only the raw training text and the segmenter's configs shape it (not the own paragraphs or cv.json)
    digest = hashlib.sha1(spacy_config_path(train_settings()["segmenter"]).read_bytes())
    digest.update((CONFIG_DIR / "train.yml").read_bytes())
    for text, _, _ in examples:
        digest.update(text.encode())
    current = digest.hexdigest()
    if stamp.exists() and stamp.read_text(encoding="utf-8") == current:
        return stamp.parent
    seg_dir = train_segmenter_for(work, examples)
    stamp.write_text(current, encoding="utf-8")
    return seg_dir


def load_curve(path: str | Path) -> dict[str, Any] | None:
    """The cached curve with ``stale`` set when the gold, the own paragraphs or the configs changed since; None
    when absent."""
    path = Path(path)
    if not path.exists():
        return None
    curve = srsly.read_json(path)
    curve["stale"] = curve.get("fingerprint") != fingerprint()
    return curve


def curve_markdown(curve: dict[str, Any] | None, path: Path) -> list[str]:
    """The learning-curve section of report.md."""
    lines = ["## Learning curve (training documents → scores)", ""]
    if curve is None:
        return lines + [f"Not computed: run `make learning-curve` (writes {path}).", ""]
    own_sets = curve.get("own_sets", [])
    lines.append(f"Span model and learned linker retrained on part of the {curve['train_documents']} gold training "
                 f"documents (the linker also on the {curve.get('own_paragraphs', 0)} own development paragraphs), "
                 f"with the policies of configs/cv.json applied as `make train` does; scored on {curve['split']} "
                 f"(exact F1; links: hybrid spans and the chosen linking policy) and, ids F1, on the blind own sets "
                 f"({', '.join(own_sets) or 'none'}). The first row is the rules alone. {curve['seconds']:.0f} s to "
                 "compute.")
    if curve.get("stale"):
        lines.append("**Stale**: the gold, the own paragraphs or the training configs changed since; rerun "
                     "`make learning-curve`.")
    header = ("| train docs | paragraphs | links | model spans F1 | hybrid spans F1 | link policy | ids from | links F1 "
              "| ids F1 | records F1 |" + "".join(f" ids F1 {name} |" for name in own_sets))
    lines += ["", header, "|" + "---|" * (10 + len(own_sets))]
    rules = curve.get("rules")
    if rules:
        lines.append(f"| rules alone | | | | {rules['spans']['rules']['f']:.3f} | rules | rules | "
                     + _score_cells(rules, own_sets))
    for p in curve["points"]:
        s, t = p["scores"], p.get("training", {})
        lines.append(f"| {p['documents']} ({p['fraction']:.0%}) | {p['paragraphs']} | {p['links']} | "
                     f"{s['spans']['model']['f']:.3f} | {s['spans']['hybrid']['f']:.3f} | "
                     f"{t.get('link_policy') or '?'} | {t.get('ids_from') or '?'} | " + _score_cells(s, own_sets))
    return lines + [""]


def _score_cells(scores: dict[str, Any], own_sets: list[str]) -> str:
    own = scores.get("own", {})
    cells = [f"{scores['links']['indicator_phrase']['f']:.3f}", f"{scores['links']['canonical_id']['f']:.3f}",
             f"{scores['records']['f']:.3f}"]
    cells += [f"{own[name]['canonical_id']['f']:.3f}" if name in own else "–" for name in own_sets]
    return " | ".join(cells) + " |"
