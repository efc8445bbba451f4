"""Scorers over sets of tuples (as spacy/scorer.py): precision, recall and F1, overall and per label.

An item is any hashable tuple whose first element is its label, e.g. (label, start, end) or
(label, doc, paragraph, start, end); two items match only when every element is equal (exact match).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any


def precision_recall_f1(pred_hits: int, n_pred: int, gold_hits: int, n_gold: int) -> tuple[float, float, float]:
    """The package's one P/R/F1: precision pred_hits/n_pred, recall gold_hits/n_gold, their harmonic mean
    (0.0 where a ratio is undefined). Exact matching has pred_hits == gold_hits; overlap matching not."""
    p = pred_hits / n_pred if n_pred else 0.0
    r = gold_hits / n_gold if n_gold else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def prf(gold: set, pred: set) -> dict[str, Any]:
    """Precision, recall, F1 and the counts of ``pred`` against ``gold`` (0.0 where a ratio is undefined)."""
    tp = len(gold & pred)
    fp = len(pred) - tp
    fn = len(gold) - tp
    p, r, f = precision_recall_f1(tp, tp + fp, tp, tp + fn)
    return {"p": p, "r": r, "f": f, "tp": tp, "fp": fp, "fn": fn}


def by_label(items: Iterable[tuple[Hashable, ...]]) -> dict[Hashable, set]:
    """Items grouped by their first element."""
    groups: dict[Hashable, set] = {}
    for item in items:
        groups.setdefault(item[0], set()).add(item)
    return groups


def span_scores(gold_spans: Iterable[tuple], pred_spans: Iterable[tuple]) -> dict[Hashable, dict[str, Any]]:
    """prf per label (the first element of each tuple), for every label seen in gold or pred."""
    gold, pred = by_label(gold_spans), by_label(pred_spans)
    return {label: prf(gold.get(label, set()), pred.get(label, set()))
            for label in sorted(set(gold) | set(pred), key=str)}


def overlap_prf(gold: Iterable[tuple], pred: Iterable[tuple]) -> dict[str, Any]:
    """Partial-overlap P/R/F1 of (label, doc, start, end) items: a hit shares the label, doc and a character."""
    gold_index = _index_by_key(gold)
    pred_index = _index_by_key(pred)
    pred_hits = sum(1 for item in set(pred) if _overlaps_any(item, gold_index))
    gold_hits = sum(1 for item in set(gold) if _overlaps_any(item, pred_index))
    p, r, f = precision_recall_f1(pred_hits, len(set(pred)), gold_hits, len(set(gold)))
    return {"p": p, "r": r, "f": f, "pred_hits": pred_hits, "gold_hits": gold_hits}


def _index_by_key(items: Iterable[tuple]) -> dict[tuple, list[tuple[int, int]]]:
    index: dict[tuple, list[tuple[int, int]]] = {}
    for item in items:
        index.setdefault(tuple(item[:-2]), []).append((item[-2], item[-1]))
    return index


def _overlaps_any(item: tuple, index: dict[tuple, list[tuple[int, int]]]) -> bool:
    start, end = item[-2], item[-1]
    return any(s < end and start < e for s, e in index.get(tuple(item[:-2]), ()))


def span_error_kinds(gold: Iterable[tuple], pred: Iterable[tuple]) -> list[tuple[str, tuple | None, tuple | None]]:
    """Each error of (label, doc, start, end) spans as (kind, gold item, predicted item).

    Kinds: ``LABEL missed``, ``LABEL spurious``, ``LABEL boundary`` (same label, overlapping, other
    offsets) and ``GOLD→PRED label`` (overlapping, other label).
    """
    gold, pred = set(gold), set(pred)
    errors: list[tuple[str, tuple | None, tuple | None]] = []
    by_doc_pred: dict[Hashable, list[tuple]] = {}
    for item in pred - gold:
        by_doc_pred.setdefault(item[1], []).append(item)
    explained: set[tuple] = set()
    for g in sorted(gold - pred, key=str):
        near = [p for p in by_doc_pred.get(g[1], []) if p[2] < g[3] and g[2] < p[3]]
        same = [p for p in near if p[0] == g[0]]
        if same:
            errors.append((f"{g[0]} boundary", g, same[0]))
            explained.update(same)
        elif near:
            errors.append((f"{g[0]}→{near[0][0]} label", g, near[0]))
            explained.update(near)
        else:
            errors.append((f"{g[0]} missed", g, None))
    for p in sorted((pred - gold) - explained, key=str):
        errors.append((f"{p[0]} spurious", None, p))
    return errors
