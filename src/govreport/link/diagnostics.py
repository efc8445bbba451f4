"""What the learned linker learned: permutation importance of its feature blocks, and the figures where it and
the rules disagree (who was right).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .features import NUMERIC_FEATURES, TEXT_BAGS, LinkExample, SpanKey, _span_key
from .model import LearnedLinker

# ---------------------------------------------------------------------------------------------------------
# What the model learned


def feature_importance(linker: LearnedLinker, examples: Sequence[LinkExample], n_repeats: int | None = None
                       ) -> dict[str, Any]:
    """Permutation importance (drop in figure-level link accuracy) of each numeric feature and n-gram bag,
    and the largest logistic coefficients."""
    cfg = linker.cfg
    n_repeats = n_repeats or cfg["importance"]["n_repeats"]
    rng = np.random.default_rng(cfg["seed"])
    groups, gold = [], []
    flat = []
    for example in examples:
        for fig, cands in zip(example.figures, linker.candidates(example)):
            g = example.gold.get((fig.start, fig.end))
            groups.append((len(flat), len(flat) + len(cands)))
            gold.append(next((k for k, c in enumerate(cands) if (c.indicator.start, c.indicator.end) == g), None))
            flat.extend(cands)
    blocks = linker.blocks(flat)
    base = _figure_accuracy(linker, linker.assemble(blocks), groups, gold)
    names = [f for f, keep in zip(NUMERIC_FEATURES, linker.numeric_mask) if keep]
    importance = {}
    for name, permuted in _permutations(blocks, names):
        drops = [base - _figure_accuracy(linker, linker.assemble(permuted(rng.permutation(len(flat)))), groups, gold)
                 for _ in range(n_repeats)]
        importance[name] = float(np.mean(drops))
    result = {"baseline_accuracy": base, "n_figures": len(groups),
              "permutation": dict(sorted(importance.items(), key=lambda kv: -kv[1]))}
    if hasattr(linker.model, "coef_"):
        coef = linker.model.coef_[0]
        order = np.argsort(-np.abs(coef))
        result["coefficients"] = [(linker.feature_names[i], round(float(coef[i]), 3)) for i in order[:40]]
    return result


def _permutations(blocks: list[Any], numeric_names: list[str]) -> Iterable[tuple[str, Callable[[Any], list[Any]]]]:
    """(name, function of a row permutation → blocks with that feature or bag shuffled across candidates)."""
    for j, name in enumerate(numeric_names):
        def numeric(perm, j=j):
            shuffled = blocks[0].copy()
            shuffled[:, j] = blocks[0][perm, j]
            return [shuffled] + blocks[1:]
        yield name, numeric
    for k, bag in enumerate(TEXT_BAGS, start=1):
        def bag_rows(perm, k=k):
            return blocks[:k] + [blocks[k][perm]] + blocks[k + 1:]
        yield f"{bag} (n-grams)", bag_rows


def _figure_accuracy(linker: LearnedLinker, X: Any, groups: list[tuple[int, int]], gold: list[int | None]) -> float:
    """Share of figures whose decision (best candidate above threshold, or none) matches the gold."""
    probs = linker.model.predict_proba(X)[:, 1] if X.shape[0] else np.zeros(0)
    threshold = linker.cfg["link_threshold"]
    right = 0
    for (a, b), g in zip(groups, gold):
        if b > a and probs[a:b].max() >= threshold:
            right += int(np.argmax(probs[a:b])) == g
        else:
            right += g is None
    return right / max(len(groups), 1)


def disagreements(linker: LearnedLinker, examples: Sequence[LinkExample], limit: int = 50) -> list[dict[str, Any]]:
    """Figures where the learned link differs from the rules' link, with both choices and the gold when known."""
    rows = []
    for example in examples:
        for learned in linker.link_example(example):
            key = (learned.figure.start, learned.figure.end)
            rule = example.rules.get(key)
            r_ind = getattr(rule, "indicator", None)
            l_ind = learned.indicator
            if _span_key(r_ind) == _span_key(l_ind):
                continue
            gold = example.gold.get(key)
            rows.append({"doc": example.meta.get("doc"), "figure": learned.figure.text, "start": key[0],
                         "rules": r_ind.text if r_ind else None, "learned": l_ind.text if l_ind else None,
                         "confidence": learned.confidence,
                         "winner": _winner(_span_key(r_ind), _span_key(l_ind), gold) if example.gold else None})
            if len(rows) >= limit:
                return rows
    return rows


def _winner(rules: SpanKey | None, learned: SpanKey | None, gold: SpanKey | None) -> str:
    """Which choice the gold agrees with: rules, learned or neither."""
    return "rules" if rules == gold else "learned" if learned == gold else "neither"
