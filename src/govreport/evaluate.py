"""Scorers over sets of tuples (as spacy/scorer.py): precision, recall and F1, overall and per label.

An item is any hashable tuple whose first element is its label, e.g. (label, start, end) or
(label, doc, paragraph, start, end); two items match only when every element is equal (exact match).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any


def prf(gold: set, pred: set) -> dict[str, Any]:
    """Precision, recall, F1 and the counts of ``pred`` against ``gold`` (0.0 where a ratio is undefined)."""
    tp = len(gold & pred)
    fp = len(pred) - tp
    fn = len(gold) - tp
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
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
