"""Linking scored against gold tasks: (figure, phrase) and (figure, canonical id) tuples, P/R/F1 per policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..eval.scorer import prf
from .features import example_from_task, linker_config
from .model import LearnedLinker
from .phrase_map import span_canonical_id
from .policy import combined_linker, with_edges


def link_tuples(links: Iterable[Any]) -> tuple[set[tuple], set[tuple]]:
    """(figure → indicator phrase, figure → canonical id) tuples of Link objects or relation dicts."""
    phrases, ids = set(), set()
    for lk in links:
        if isinstance(lk, dict):
            fig, ind, ind_id = lk["head_span"], lk["child_span"], span_canonical_id(lk) or \
                span_canonical_id(lk["child_span"])
            fig_key, ind_key = (fig["start"], fig["end"]), (ind["start"], ind["end"])
        else:
            if lk.indicator is None and not lk.canonical_id:
                continue
            fig_key = (lk.figure.start, lk.figure.end)
            ind_key = (lk.indicator.start, lk.indicator.end) if lk.indicator is not None else None
            ind_id = lk.canonical_id
        if ind_key is not None:
            phrases.add((*fig_key, *ind_key))
        if ind_id:
            ids.add((*fig_key, ind_id))
    return phrases, ids


def evaluate_linking(gold_tasks: Iterable[dict[str, Any]], predict_fn: Callable[[dict[str, Any]], Iterable[Any]]
                     ) -> dict[str, dict[str, float]]:
    """P/R/F1 of figure → indicator phrase and figure → canonical id links against the gold relations.

    ``predict_fn(task)`` returns the predicted links of a task (``Link`` objects or relation dicts).
    Canonical ids are scored only for figures whose gold link carries an id.
    """
    label = linker_config()["relation_label"]
    gold_p, gold_i, pred_p, pred_i = set(), set(), set(), set()
    for n, task in enumerate(gold_tasks):
        gp, gi = link_tuples(r for r in task.get("relations", []) if r.get("label") == label)
        pp, pi = link_tuples(predict_fn(task))
        with_id = {t[:2] for t in gi}
        gold_p |= {(n, *t) for t in gp}
        gold_i |= {(n, *t) for t in gi}
        pred_p |= {(n, *t) for t in pp}
        pred_i |= {(n, *t) for t in pi if t[:2] in with_id}
    return {"phrase": prf(gold_p, pred_p), "canonical": prf(gold_i, pred_i)}


def compare_policies(tasks: Sequence[dict[str, Any]], linker: LearnedLinker | None, gold_indicators: bool = True,
                     override_thresholds: Sequence[float] | None = None) -> dict[str, Any]:
    """``evaluate_linking`` of the rules, learned, combined and edges policies on the same tasks; the combined
    policy at every override threshold given (default: ``combined.override_grid``, i.e. tuning on dev),
    reported at the best one."""
    cfg = linker.cfg if linker is not None else linker_config()
    grid = list(override_thresholds) if override_thresholds is not None else cfg["combined"]["override_grid"]
    examples = [example_from_task(t, gold_indicators=gold_indicators) for t in tasks]
    rules = [list(ex.rules.values()) for ex in examples]
    learned = [linker.link_example(ex) for ex in examples] if linker is not None else rules
    results: dict[str, Any] = {"rules": _score_links(tasks, rules), "learned": _score_links(tasks, learned),
                               "edges": _score_links(tasks, [_edges(linker, "edges", ex, r)
                                                             for ex, r in zip(examples, rules)])}
    by_threshold = {t: _score_links(tasks, [_edges(linker, "combined", ex, combined_linker(r, lk, "combined", t))
                                            for ex, r, lk in zip(examples, rules, learned)])
                    for t in grid}
    metric = cfg["selection"]["metric"]
    # ties go to the higher threshold: fewer overrides of the rules for the same score
    best = max(by_threshold, key=lambda t: (by_threshold[t][metric]["f"], t))
    results["combined"] = {**by_threshold[best], "override_threshold": best}
    return results


def evaluation_report(test_tasks: Sequence[dict[str, Any]], linker: LearnedLinker | None) -> dict[str, Any]:
    """Linking P/R/F1 of every policy on held-out tasks (the combined policy at the threshold chosen on dev),
    with the gold INDICATOR spans as candidates and with the lexicon's only, and the phrase → id accuracy."""
    from .phrase_map import annotation_phrase_pairs, evaluate_phrase_map, load_phrase_mapper

    test_tasks = list(test_tasks)
    cfg = linker.cfg if linker is not None else linker_config()
    chosen = linker.chosen if linker is not None else {}
    threshold = [chosen.get("override_threshold", cfg["combined"]["override_threshold"])]
    pairs = annotation_phrase_pairs(test_tasks)
    mapper = linker.mapper if linker is not None and linker.mapper is not None else load_phrase_mapper()
    return {
        "tasks": len(test_tasks),
        "policy": chosen.get("policy") or cfg["policy"],
        "gold_indicators": compare_policies(test_tasks, linker, True, threshold),
        "lexicon_indicators": compare_policies(test_tasks, linker, False, threshold),
        "phrase_map": evaluate_phrase_map(mapper, pairs) if pairs else None,
    }


def _edges(linker: LearnedLinker | None, policy: str, example: Any, links: list[Any]) -> list[Any]:
    """``policy.with_edges`` of one example's links."""
    return with_edges(linker, policy, example.text, links, example.spans, example.indicators)


def _score_links(tasks: Sequence[dict[str, Any]], links: Sequence[list[Any]]) -> dict[str, Any]:
    """``evaluate_linking`` of links already predicted for each task, in task order."""
    predicted = iter(links)
    return evaluate_linking(tasks, lambda task: next(predicted))
