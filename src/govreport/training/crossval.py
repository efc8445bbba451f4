"""Policies chosen by cross-validation over train+dev: k folds of documents, mean and spread over folds.

One small dev split (five documents) decides badly between close policies, so `govreport cv` trains a span
model and a linker on k-1 folds of train+dev documents, scores every span policy per label
(spans/hybrid.py) and every linking policy (link/policy.py) on the held-out fold, and chooses each policy on
the mean over folds, by the same rules as training (configs/model.yml policy_order and policy_min_gain;
configs/learned_link.yml selection). By default (configs/train.yml ``cv.folds_by: organ``) the reports of one
organ share a fold, so a held-out report never has sibling years of its organ in training, as a report of an
unseen organ has not; ``document`` deals documents at random instead. A report and its twin
(configs/splits.yml ``twins``) always share a fold. The test split is never read. The choices can be written
into a trained model folder (``apply_choices``).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import srsly

from ..config import load_config
from ..eval.scorer import prf
from ..link import indicator_model as im
from ..link.features import example_from_task, linker_config, task_spans
from ..link.id_judge import fit_judge
from ..link.model import build_linker
from ..link.phrase_map import annotation_phrase_pairs
from ..link.policy import combined_linker, filled_links, with_edges
from ..link.rules import find_indicator_spans, link_figures_to_indicators
from ..link.scoring import _score_links, link_tuples
from ..spans.hybrid import POLICY_FILE, measure_policies
from ..spans.model import load_model
from .links import gold_tasks, own_paragraph_tasks
from .spans import gold_document_examples, train
from .spans import settings as train_settings

CV_FILE = "cv.json"


def cv_settings() -> dict[str, Any]:
    """configs/train.yml ``cv``."""
    return load_config("train.yml")["cv"]


def document_folds(doc_ids: Iterable[str], k: int, seed: int, twins: dict[str, str] | None = None,
                   organs: dict[str, str | None] | None = None, weights: dict[str, int] | None = None
                   ) -> list[list[str]]:
    """``k`` folds of document ids (never an empty one), twins together.

    Without ``organs``: random by document, groups dealt round-robin in a ``seed``-ed random order. With
    ``organs`` (document → reporting organ): the documents of one organ share a fold (scikit-learn's GroupKFold,
    which puts the heaviest organ first into the lightest fold, by ``weights``: document → scored units, 1 if
    absent); a document whose organ is unknown (None or missing) is a group of its own."""
    twins = twins if twins is not None else (load_config("splits.yml").get("twins") or {})
    groups = document_groups(doc_ids, twins, organs)
    keys = sorted(set(groups.values()))
    if organs is None:
        random.Random(seed).shuffle(keys)
        folds: list[list[str]] = [[] for _ in range(min(k, len(keys)))]
        for i, key in enumerate(keys):
            folds[i % len(folds)] += [d for d, g in groups.items() if g == key]
        return [sorted(f) for f in folds]
    from sklearn.model_selection import GroupKFold

    docs = sorted(groups)
    # one sample per scored unit, so that GroupKFold balances the folds by what they are scored on
    samples = [d for d in docs for _ in range(max(1, (weights or {}).get(d, 1)))]
    split = GroupKFold(n_splits=min(k, len(keys))).split(samples, groups=[groups[d] for d in samples])
    return sorted((sorted({samples[i] for i in held}) for _, held in split), key=lambda f: f[0])


def document_groups(doc_ids: Iterable[str], twins: dict[str, str], organs: dict[str, str | None] | None = None
                    ) -> dict[str, str]:
    """The fold group of each document: its organ (that of the report it is a twin of) when ``organs`` is given
    and knows it, else the report itself (a twin: the report it is a twin of)."""
    out = {}
    for doc_id in sorted(set(doc_ids)):
        head = twins.get(doc_id, doc_id)
        organ = (organs or {}).get(head) or (organs or {}).get(doc_id)
        out[doc_id] = f"organ:{organ}" if organ else f"doc:{head}"
    return out


def spread(values: Sequence[float]) -> dict[str, float]:
    """Mean, standard deviation (0 for one value), min and max of per-fold scores."""
    values = list(values)
    return {"mean": round(statistics.fmean(values), 4), "std": round(statistics.stdev(values), 4) if len(values) > 1
            else 0.0, "min": round(min(values), 4), "max": round(max(values), 4), "folds": [round(v, 4) for v in values]}


def beats(option: Sequence[float], kept: Sequence[float], min_gain: float, paired: bool | None = None) -> bool:
    """Whether per-fold scores ``option`` beat ``kept``: a mean gain of ``min_gain``, or (``paired``, default
    configs/train.yml cv.paired_every_fold) a higher score in every fold."""
    paired = cv_settings()["paired_every_fold"] if paired is None else paired
    gains = [a - b for a, b in zip(option, kept, strict=True)]
    return bool(gains) and (statistics.fmean(gains) >= min_gain - 1e-9 or (paired and min(gains) > 0))


def choose_in_order(folds: dict[str, Sequence[float]], order: Sequence[str], min_gain: float,
                    paired: bool | None = None) -> str:
    """The first option of ``order``, replaced by a later one whose per-fold scores beat it (``beats``)."""
    best = order[0]
    for option in order[1:]:
        if option in folds and beats(folds[option], folds[best], min_gain, paired):
            best = option
    return best

# ---------------------------------------------------------------- links


def _scores(tasks: Sequence[dict[str, Any]], links: Sequence[list[Any]]) -> dict[str, Any]:
    """Phrase and canonical-id P/R/F1 of the link scoring (link/scoring.py), plus ``ids``: canonical ids over every
    figure, as `make evaluate` scores them (an id on a figure the gold leaves without one is an error)."""

    scores = _score_links(tasks, links)
    label = linker_config()["relation_label"]
    gold, pred = set(), set()
    for n, (task, predicted) in enumerate(zip(tasks, links)):
        gold |= {(n, *t) for t in link_tuples(r for r in task.get("relations", []) if r.get("label") == label)[1]}
        pred |= {(n, *t) for t in link_tuples(predicted)[1]}
    return {**scores, "ids": prf(gold, pred)}


def link_cv(tasks_by_doc: dict[str, list[dict[str, Any]]], folds: list[list[str]]) -> dict[str, Any]:
    """Per fold: a linker (and its edge ranker) trained on the other folds; rules, learned, combined (ids from the
    rules or the learned linker), the rules' links filled by the learned ids under each gate and threshold, and
    edges, scored on the held-out fold with the lexicon's candidates, as extract links."""

    cfg = linker_config()
    threshold = cfg["combined"]["override_threshold"]
    grid = cfg["id_judge"]["threshold_grid"]
    fills = _fill_options()
    per_fold: list[dict[str, Any]] = []
    for held in folds:
        train = [t for d, ts in tasks_by_doc.items() if d not in held for t in ts]
        test = [t for d in held for t in tasks_by_doc.get(d, [])]
        train_examples = [example_from_task(t, gold_indicators=cfg["train_candidates"] == "gold") for t in train]
        linker = build_linker(train_examples, annotation_phrase_pairs(train))
        # the judge learns from the lexicon's candidates, as it will judge them
        judge = fit_judge(train, [example_from_task(t, gold_indicators=False) for t in train], linker)
        linker.judge = judge  # the fill's judge gate reads it there, as extract does
        examples = [example_from_task(t, gold_indicators=False) for t in test]
        rules = [list(ex.rules.values()) for ex in examples]
        learned = [linker.link_example(ex) for ex in examples]
        combined_rules_ids = [combined_linker(r, lk, "combined", threshold, "rules") for r, lk in zip(rules, learned)]
        fold = {
            "documents": held,
            "rules": _scores(test, rules),
            "learned": _scores(test, learned),
            "combined": _scores(test, _with_edges(linker, "combined", examples, combined_rules_ids)),
            **{name: _scores(test, _filled(linker, gate, test, rules, learned, t))
               for name, (gate, t) in fills.items()},
            "combined_learned_ids": _scores(test, _with_edges(linker, "combined", examples, [
                combined_linker(r, lk, "combined", threshold, "learned") for r, lk in zip(rules, learned)])),
            "edges": _scores(test, _with_edges(linker, "edges", examples, rules)),
        }
        for t in grid:
            fold[f"combined_judged@{t}"] = _scores(test, _with_edges(linker, "combined", examples, [
                judge.judge(c, lk, task["text"], task["meta"].get("form"), task["meta"].get("organ"), t)
                for c, lk, task in zip(combined_rules_ids, learned, test)]))
        per_fold.append(fold)
    judged = [f"combined_judged@{t}" for t in grid]
    summary = {policy: {metric: spread([f[policy][metric]["f"] for f in per_fold])
                        for metric in ("phrase", "canonical", "ids")}
               for policy in ("rules", "learned", "combined", *fills, "combined_learned_ids", "edges",
                              *judged)}
    return {"per_fold": per_fold, "summary": summary, **choose_links(summary)}


def choose_links(summary: dict[str, Any]) -> dict[str, Any]:
    """The links' policy cv chooses from its per-fold ``summary`` (configs/learned_link.yml ``selection``): phrases
    first, then where the ids come from, then whether the id judge's ids under the combined policy beat those."""
    cfg = linker_config()
    metric, min_gain = cfg["selection"]["metric"], cfg["selection"]["min_gain"]
    order = cfg["selection"]["order"]
    chosen = choose_in_order({p: summary[p][metric]["folds"] for p in order}, order, min_gain)
    fills = _fill_options()
    # where ids come from, whatever the phrases' policy, tried from the fewest ids to the most (configs/learned_link.yml
    # combined.fill.min_support_grid): the rules, the rules filled by the learned links under each gate, the learned
    ids_options = ["rules", *fills, "combined_learned_ids"]
    ids_choice = choose_in_order({p: summary[p]["ids"]["folds"] for p in ids_options}, ids_options, min_gain)
    ids_from = {"rules": "rules", "combined_learned_ids": "learned"}.get(ids_choice, "fill")
    fill_gate, fill_min_support = fills[ids_choice] if ids_from == "fill" else (None, None)
    # the id judge decides the combined policy's ids only when it beats the rules' ids (at the configured threshold)
    judged = f"combined_judged@{cfg['id_judge']['threshold']}"
    id_judge = judged in summary and beats(summary[judged]["ids"]["folds"], summary["rules"]["ids"]["folds"], min_gain)
    # the same phrases, better ids: better than the ids the rules' policy gets from ids_from, not than the bare rules'
    # (a judge below the filled ids would otherwise replace them)
    if (id_judge and chosen == "rules" and summary["combined"]["phrase"]["mean"] >= summary["rules"]["phrase"]["mean"]
            and beats(summary[judged]["ids"]["folds"], summary[ids_choice]["ids"]["folds"], min_gain)):
        chosen = "combined"
    return {"metric": metric,
            "chosen": {"policy": chosen, "override_threshold": cfg["combined"]["override_threshold"],
                       "ids_from": ids_from, "id_judge": id_judge,
                       **({"fill_gate": fill_gate, "fill_min_support": fill_min_support} if fill_gate else {})}}


def _fill_options() -> dict[str, tuple[str, float]]:
    """The cv's name of each fill option (rules_filled_ids:<gate>@<min_support>) → its gate and min_support, in the
    order of configs/learned_link.yml combined.fill.min_support_grid."""
    grid = linker_config()["combined"]["fill"]["min_support_grid"]
    return {f"rules_filled_ids:{gate}@{t}": (gate, t) for gate, ts in grid.items() for t in ts}


def _filled(linker: Any, gate: str, tasks: Sequence[dict[str, Any]], rules: Sequence[list[Any]],
            learned: Sequence[list[Any]], min_support: float) -> list[list[Any]]:
    """``policy.filled_links`` of every task's links under ``gate`` at ``min_support``."""
    return [filled_links(linker, gate, min_support, r, lk, task["text"], task["meta"].get("form"),
                         task["meta"].get("organ")) for task, r, lk in zip(tasks, rules, learned)]


def _with_edges(linker: Any, policy: str, examples: Sequence[Any], links: Sequence[list[Any]]) -> list[list[Any]]:
    """``policy.with_edges`` of every example's links."""
    return [with_edges(linker, policy, ex.text, lk, ex.spans, ex.indicators) for ex, lk in zip(examples, links)]


# ---------------------------------------------------------------- spans


def span_cv(examples_by_doc: dict[str, list[tuple]], folds: list[list[str]], work_dir: Path) -> dict[str, Any]:
    """Per fold: a span model trained on the other folds (configs/train.yml ``cv``); every hybrid policy
    per label scored on the held-out fold."""

    cfg, model_cfg = cv_settings(), load_config("model.yml")
    per_fold = []
    for i, held in enumerate(folds):
        train_docs = sorted(d for d in examples_by_doc if d not in held)
        train_ex = [ex for d in train_docs for ex in examples_by_doc[d]]
        spacy_dev = [ex for d in train_docs[::cfg["spacy_dev_every"]] for ex in examples_by_doc[d]]
        fold_dir = work_dir / f"fold{i}"
        train(fold_dir, examples={"train": train_ex, "dev": spacy_dev},
              overrides={"training.max_epochs": cfg["max_epochs"]}, work_dir=fold_dir / "work")
        nlp = load_model(fold_dir / train_settings()["model_name"])
        held_ex = [ex for d in held for ex in examples_by_doc.get(d, [])]
        per_fold.append({"documents": held, **measure_policies(nlp, held_ex)})
    labels = sorted({label for f in per_fold for label in f["scores"]})
    summary = {label: {policy: spread([f["scores"][label][policy]["f"] for f in per_fold if label in f["scores"]])
                       for policy in model_cfg["policy_order"]} for label in labels}
    chosen = {label: choose_in_order({p: s["folds"] for p, s in summary[label].items()}, model_cfg["policy_order"],
                                     model_cfg["policy_min_gain"]) for label in labels}
    return {"per_fold": [{k: v for k, v in f.items() if k != "policy"} for f in per_fold], "summary": summary,
            "chosen": chosen}


# ---------------------------------------------------------------- the run


def train_dev_tasks() -> dict[str, list[dict[str, Any]]]:
    """The gold tasks of the train and dev splits, by document (the test split's tasks are left out)."""
    tasks = gold_tasks()
    tasks_by_doc: dict[str, list[dict[str, Any]]] = {}
    for split in ("train", "dev"):
        for task in tasks.get(split, []):
            tasks_by_doc.setdefault(task["meta"]["doc"], []).append(task)
    return tasks_by_doc


def deal_own_paragraphs(folds: Sequence[Sequence[str]], own: Sequence[str]) -> list[list[str]]:
    """The folds with the own paragraphs dealt to them in turn (each paragraph is held out once and trains the
    others' linkers, as a gold document does)."""
    out = [list(f) for f in folds]
    for i, doc in enumerate(own):
        out[i % len(out)].append(doc)
    return out


def cv_folds(tasks_by_doc: dict[str, list[dict[str, Any]]], folds: int | None = None, folds_by: str | None = None
             ) -> dict[str, Any]:
    """The folds of `govreport cv` (configs/train.yml ``cv``): by organ, the reporting organ the pipeline reads
    (``meta.organ`` of the tasks, metadata.py), balanced by gold relations; or at random by document. With the
    organs of each fold and the documents whose organ is unknown (each a group of its own)."""
    cfg = cv_settings()
    folds_by = folds_by or cfg["folds_by"]
    if folds_by not in ("organ", "document"):
        raise ValueError(f"cv folds_by must be 'organ' or 'document', not {folds_by!r}")
    organs = {d: ts[0]["meta"].get("organ") for d, ts in tasks_by_doc.items()}
    relations = {d: sum(len(t.get("relations") or ()) for t in ts) for d, ts in tasks_by_doc.items()}
    fold_ids = document_folds(tasks_by_doc, folds or cfg["folds"], cfg["seed"],
                              organs=organs if folds_by == "organ" else None, weights=relations)
    return {"folds": fold_ids, "documents": sum(map(len, fold_ids)), "folds_by": folds_by,
            "fold_organs": [sorted({organs[d] or f"unknown ({d})" for d in f}) for f in fold_ids],
            "unknown_organ": sorted(d for d, o in organs.items() if not o)}


def run_cv(out_dir: str | Path, folds: int | None = None, spans: bool = True, links: bool = True,
           indicators: bool = True, folds_by: str | None = None) -> dict[str, Any]:
    """Cross-validate over the gold train+dev documents; writes ``out_dir/cv.json`` and returns it. ``folds_by``:
    ``organ`` or ``document`` (default configs/train.yml ``cv.folds_by``)."""

    out_dir = Path(out_dir)
    work = out_dir / "cv_work"
    tasks_by_doc = train_dev_tasks()
    report: dict[str, Any] = cv_folds(tasks_by_doc, folds, folds_by)
    fold_ids = report["folds"]
    if links:
        own = own_paragraph_tasks()
        link_folds = deal_own_paragraphs(fold_ids, list(own))
        report["own_paragraphs"] = {"sets": train_settings()["own_paragraphs"], "paragraphs": len(own),
                                    "per_fold": [len(f) - len(g) for f, g in zip(link_folds, fold_ids)]}
        report["links"] = link_cv({**tasks_by_doc, **own}, link_folds)
    if indicators:
        report["indicators"] = indicator_cv(tasks_by_doc, fold_ids, work)
    if spans:
        examples = gold_document_examples(work)
        by_doc: dict[str, list[tuple]] = {}
        for split in ("train", "dev"):
            for doc_id, ex in examples.get(split, []):
                by_doc.setdefault(doc_id, []).append(ex)
        report["spans"] = span_cv(by_doc, fold_ids, work)
    out_dir.mkdir(parents=True, exist_ok=True)
    srsly.write_json(out_dir / CV_FILE, report)
    return report


def apply_choices(report: dict[str, Any], model_dir: str | Path) -> list[str]:
    """Write the cross-validated choices into a trained model folder (``DIR/ner/hybrid.json``,
    ``DIR/linker/meta.json``); returns what was written."""
    import json


    model_dir = Path(model_dir)
    written = []
    hybrid = model_dir / train_settings()["model_name"] / POLICY_FILE
    if "spans" in report and hybrid.exists():
        data = srsly.read_json(hybrid)
        data.update({"policy": report["spans"]["chosen"], "chosen_by": "cv", "cv": report["spans"]["summary"]})
        srsly.write_json(hybrid, data)
        written.append(str(hybrid))
    meta_path = model_dir / linker_config()["model_name"] / "meta.json"
    if "links" in report and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        chosen = report["links"]["chosen"]
        meta["policy"] = {"policy": chosen["policy"], "override_threshold": chosen["override_threshold"],
                          "id_judge": chosen.get("id_judge", False), "ids_from": chosen.get("ids_from", "rules"),
                          **({"fill_gate": chosen["fill_gate"], "fill_min_support": round(chosen["fill_min_support"], 6)}
                             if "fill_gate" in chosen else {}),
                          "metric": report["links"]["metric"], "chosen_by": "cv",
                          "f": {p: s[report["links"]["metric"]]["mean"] for p, s in report["links"]["summary"].items()}}
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(str(meta_path))
    return written + apply_indicator_choice(report, model_dir)


# ---------------------------------------------------------------- INDICATOR phrases


def _policy_links(task: dict[str, Any], indicators: list[Any], linker: Any = None) -> dict[str, list[Any]]:
    """Links of a task's gold figures over the given INDICATOR phrases: the relation rules' (``rules``) and,
    with a trained linker, the ``combined`` policy's (learned links where confident, as extract links)."""

    others = [s for s in task_spans(task) if s.label != "INDICATOR"]
    form, organ = (task.get("meta") or {}).get("form"), (task.get("meta") or {}).get("organ")
    rules = link_figures_to_indicators(task["text"], others, indicators, form, organ)
    out = {"rules": rules}
    if linker is not None:
        learned = linker.link(task["text"], others, indicators, rules, form, organ)
        threshold = linker_config()["combined"]["override_threshold"]
        out["combined"] = with_edges(linker, "combined", task["text"],
                                     combined_linker(rules, learned, "combined", threshold, "rules"), others, indicators)
    return out


def indicator_cv(tasks_by_doc: dict[str, list[dict[str, Any]]], folds: list[list[str]], work_dir: Path
                 ) -> dict[str, Any]:
    """Per fold: an INDICATOR model (link/indicator_model.py) trained on the other folds; every combination
    policy scored on the held-out fold: phrase F1 of the spans, and the links and ids of the relation rules over
    them (gold figures). The policy is chosen on the mean link phrase F1 (configs/indicator_model.yml)."""

    cfg = im.settings()
    gold_candidates = linker_config()["train_candidates"] == "gold"
    per_fold = []
    for i, held in enumerate(folds):
        train_tasks = [t for d, ts in tasks_by_doc.items() if d not in held for t in ts]
        train = im.examples_from_tasks(train_tasks)
        test_tasks = [t for d in held for t in tasks_by_doc.get(d, [])]
        linker = build_linker([example_from_task(t, gold_indicators=gold_candidates) for t in train_tasks],
                              annotation_phrase_pairs(train_tasks))
        fold_dir = work_dir / f"indicator_fold{i}"
        im.train_indicator_model(fold_dir, train, work_dir=fold_dir / "work",
                                 overrides={"training.max_epochs": cfg["cv_max_epochs"]})
        nlp = im.load_indicator_model(fold_dir / cfg["model_name"])
        examples = im.examples_from_tasks(test_tasks)
        lexicon = [find_indicator_spans(t["text"]) for t in test_tasks]
        model = [im.set_annotations(t["text"], im.predict(nlp, t["text"])) for t in test_tasks]
        # the links over the lexicon's phrases, linked once: every policy that gives a task the same phrases (rules,
        # and union or fill where the model adds none) and fill's first pass reuse them
        lexicon_links = [_policy_links(t, lx, linker) for t, lx in zip(test_tasks, lexicon)]
        fold: dict[str, Any] = {"documents": held}
        for policy in cfg["policy_order"]:
            found = [im.combine(lx, md, policy) for lx, md in zip(lexicon, model)]
            links = [same if f == lx else _policy_links(t, f, linker)
                     for t, f, lx, same in zip(test_tasks, found, lexicon, lexicon_links)]
            if policy == im.FILL:  # the union's links only for the figures the lexicon's phrases left unlinked
                links = [{k: im.fill_unlinked(first[k], lk[k]) for k in lk} for first, lk in zip(lexicon_links, links)]
            fold[policy] = {"spans": im.score(examples, found)}
            for linking in links[0] if links else ():
                fold[policy][linking] = _scores(test_tasks, [lk[linking] for lk in links])
        per_fold.append(fold)
        shutil_rmtree(fold_dir)
    summary = {policy: {"spans": spread([f[policy]["spans"]["f"] for f in per_fold]),
                        **{f"{linking}.{metric}": spread([f[policy][linking][metric]["f"] for f in per_fold])
                           for linking in ("rules", "combined") if linking in per_fold[0][policy]
                           for metric in ("phrase", "canonical", "ids")}}
               for policy in cfg["policy_order"]}
    metric = cfg["selection_metric"]
    chosen = choose_in_order({p: summary[p][metric]["folds"] for p in cfg["policy_order"]}, cfg["policy_order"],
                             cfg["policy_min_gain"])
    return {"per_fold": per_fold, "summary": summary, "metric": metric, "chosen": {"policy": chosen}}


def shutil_rmtree(path: Path) -> None:
    """A fold's model folder, once scored (k copies would only fill the disk)."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def apply_indicator_choice(report: dict[str, Any], model_dir: str | Path) -> list[str]:
    """Write the cross-validated INDICATOR policy beside a trained INDICATOR model (``DIR/indicator``)."""

    target = Path(model_dir) / im.settings()["model_name"]
    if "indicators" not in report or not (target / "meta.json").exists():
        return []
    path = target / im.POLICY_FILE
    cv_choice = report["indicators"]["chosen"]["policy"]
    from_cv = im.settings()["policy_from_cv"]
    srsly.write_json(path, {"policy": cv_choice if from_cv else im.settings()["default_policy"],
                            "chosen_by": "cv" if from_cv else "configs/indicator_model.yml default_policy",
                            "cv_choice": cv_choice, "metric": report["indicators"]["metric"],
                            "cv": report["indicators"]["summary"]})
    return [str(path)]
