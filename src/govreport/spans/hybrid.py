"""Model and rules together: which spans of each label to keep.

The policy is per label (configs/model.yml ``policy``), one of:

- ``rules``: rules spans only;
- ``model``: model spans only;
- ``rules_first``: rules spans, then model spans that overlap no rules span of any label (the model fills
  the gaps the patterns leave);
- ``model_first``: model spans, then rules spans that overlap no kept model span;
- ``both``: only the spans both find with the same boundaries (precision over recall).

Across labels, a span taken from the model never overlaps a kept rules span of another label: the rules'
patterns decide between, say, a DATE 2016年 and a COUNT 2016件. `govreport train` measures every policy
per label on the dev split and stores the best in ``<model>/hybrid.json``, which overrides the default.
Model spans get their value, unit and approximation from the rules span with the same boundaries and label,
or from govreport.values when no rules span matches (figures it cannot read are dropped, see fill_values).
"""

from __future__ import annotations

import warnings
from bisect import bisect_left
from collections.abc import Callable, Iterable
from itertools import accumulate
from pathlib import Path

from ..config import load_config
from ..notices import GovreportWarning
from ..types import Span

POLICIES = ("rules", "model", "rules_first", "model_first", "both")
POLICY_FILE = "hybrid.json"

SpanFinder = Callable[[str, "int | None"], list[Span]]


class ModelFallbackWarning(GovreportWarning):
    """The span model could not be used; extraction continues with the rules only."""


def default_policy() -> dict[str, str]:
    """The per-label policy of configs/model.yml."""
    return dict(load_config("model.yml")["policy"])


def load_policy(model_dir: str | Path | None) -> dict[str, str]:
    """The policy measured for a model (``hybrid.json`` in its folder) over the configured default."""
    policy = default_policy()
    path = Path(model_dir) / POLICY_FILE if model_dir else None
    if path and path.exists():
        import srsly  # imported here: srsly pulls in numpy, which running the rules alone never needs

        policy.update(srsly.read_json(path)["policy"])
    unknown = {p for p in policy.values() if p not in POLICIES}
    if unknown:
        raise ValueError(f"unknown hybrid policy {sorted(unknown)} (in {path or 'configs/model.yml'}): use {POLICIES}")
    return policy


def combine_spans(model_spans: list[Span], rules_spans: list[Span], policy: dict[str, str]) -> list[Span]:
    """Spans kept from both sources under a per-label policy, sorted by position."""
    labels = {s.label for s in model_spans} | {s.label for s in rules_spans}
    all_rules = _Intervals(rules_spans)
    by_label = {label: _combine_label(label, model_spans, rules_spans, all_rules, policy.get(label, "rules"))
                for label in labels}
    kept = []
    for label, spans in by_label.items():
        others = _Intervals([s for lab, kept_spans in by_label.items() if lab != label
                             for s in kept_spans if s.method != "model"])
        kept += [s for s in spans if s.method != "model" or not others.overlaps(s)]
    return sorted(kept, key=lambda s: (s.start, s.end, s.label))


def _combine_label(label: str, model_spans: list[Span], rules_spans: list[Span], all_rules: _Intervals,
                   policy: str) -> list[Span]:
    """Spans of one label under one policy (see the module docstring)."""
    model = [s for s in model_spans if s.label == label]
    rules = [s for s in rules_spans if s.label == label]
    if policy == "rules":
        return rules
    if policy == "model":
        return model
    if policy == "rules_first":
        return rules + [s for s in model if not all_rules.overlaps(s)]
    if policy == "model_first":
        kept_model = _Intervals(model)
        return model + [s for s in rules if not kept_model.overlaps(s)]
    if policy == "both":
        model_keys = {s.key() for s in model}
        return [s for s in rules if s.key() in model_keys]
    raise ValueError(f"unknown hybrid policy {policy!r}: use one of {POLICIES}")


class _Intervals:
    """Spans sorted by start with the running maximum of their ends: overlap queries in O(log n)."""

    def __init__(self, spans: Iterable[Span]):
        ordered = sorted((s.start, s.end) for s in spans)
        self.starts = [a for a, _ in ordered]
        self.max_ends = list(accumulate((b for _, b in ordered), max))

    def overlaps(self, span: Span) -> bool:
        i = bisect_left(self.starts, span.end) - 1  # the spans starting before ``span`` ends
        return i >= 0 and self.max_ends[i] > span.start

    def overlaps_any(self, areas: Iterable[tuple[int, int]]) -> bool:
        return any(self.overlaps(Span("", a, b, "")) for a, b in areas)


def fill_values(model_spans: list[Span], rules_spans: list[Span], report_year: int | None = None) -> list[Span]:
    """Model spans with their values: copied from the rules span with the same boundaries and label, else
    parsed by govreport.values. A figure or date the grammar cannot read is dropped when configs/model.yml
    ``drop_unparsed`` says so (the model's boundaries are then most likely wrong)."""
    drop = load_config("model.yml")["drop_unparsed"]
    by_key = {s.key(): s for s in rules_spans}
    kept = []
    for span in model_spans:
        twin = by_key.get(span.key())
        if twin is not None:
            span.value, span.unit, span.multiplier = twin.value, twin.unit, twin.multiplier
            span.approx, span.range, span.iso, span.uncertain = twin.approx, twin.range, twin.iso, twin.uncertain
        elif not parse_value(span, report_year) and drop:
            continue
        kept.append(span)
    return kept


def parse_value(span: Span, report_year: int | None = None) -> bool:
    """Set a span's value fields from its text; False when a figure or date does not parse."""
    from ..values import parse_date, parse_figure

    if span.label in ("COUNT", "MEASURE"):
        try:
            fields = parse_figure(span.text)
        except ValueError:
            return False
        span.value, span.unit, span.multiplier = fields["value"], fields["unit"], fields["multiplier"]
        span.approx, span.range, span.uncertain = fields["approx"], fields["range"], fields["uncertain"]
    elif span.label == "DATE":
        span.iso = parse_date(span.text, report_year)
        return span.iso is not None
    return True


def hybrid_spans(text: str, report_year: int | None, nlp, policy: dict[str, str],
                 exclude: Iterable[tuple[int, int]] = ()) -> list[Span]:
    """Spans of one document from the model and the rules combined under ``policy``.

    The model skips ``exclude`` (table areas: the table stage reads those, and the annotations that
    teach the model leave them out); the rules still see the whole text.
    """
    from .model import predict_spans
    from .rules import find_spans

    rules_spans = find_spans(text, report_year)
    # the model runs only where the labels it is trusted with (policy other than "rules") can be
    trusted = frozenset(label for label, p in policy.items() if p != "rules")
    model_spans = fill_values(predict_spans(nlp, text, exclude, trusted), rules_spans, report_year)
    return combine_spans(model_spans, rules_spans, policy)


def span_f1(gold: list[set], pred: list[set]) -> dict[str, float]:
    """Exact-match precision, recall and F1 over per-document sets of (start, end, label)."""
    from ..eval.scorer import precision_recall_f1

    tp = sum(len(g & p) for g, p in zip(gold, pred))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    precision, recall, f1 = precision_recall_f1(tp, n_pred, tp, n_gold)
    return {"p": round(precision, 4), "r": round(recall, 4), "f": round(f1, 4), "n_gold": n_gold}


def measure_policies(nlp, examples: list[tuple[str, list[tuple[int, int, str]], list[tuple[int, int]]]]) -> dict:
    """F1 of every policy per label on gold examples, and the policy chosen for each label.

    A policy replaces the one before it in ``policy_order`` only when it gains at least ``policy_min_gain``.
    """
    from .model import predict_spans
    from .rules import find_spans

    cfg = load_config("model.yml")
    gold, rules, model = [], [], []
    for text, spans, exclude in examples:
        gold.append({(s, e, label) for s, e, label in spans})
        # table areas are not annotated: neither side is scored there
        rules.append([s for s in find_spans(text, None) if not _Intervals([s]).overlaps_any(exclude)])
        model.append(predict_spans(nlp, text, exclude))
    labels = sorted({label for g in gold for _, _, label in g})
    scores: dict[str, dict[str, dict]] = {}
    chosen: dict[str, str] = {}
    for label in labels:
        gold_l = [{k for k in g if k[2] == label} for g in gold]
        scores[label] = {}
        for policy in cfg["policy_order"]:
            pred = [{(s.start, s.end, s.label) for s in combine_spans(m, r, {label: policy}) if s.label == label}
                    for m, r in zip(model, rules)]
            scores[label][policy] = span_f1(gold_l, pred)
        best = cfg["policy_order"][0]
        for policy in cfg["policy_order"][1:]:
            if scores[label][policy]["f"] >= scores[label][best]["f"] + cfg["policy_min_gain"]:
                best = policy
        chosen[label] = best
    return {"policy": chosen, "scores": scores, "n_examples": len(examples)}


def load_span_finder(model: str | Path | None) -> SpanFinder:
    """``find_spans(text, report_year, exclude=())``: hybrid with the model in ``model``, rules alone without.

    ``exclude`` lists areas the model skips (tables). A missing or unloadable model warns, naming what is
    missing, and the finder falls back to the rules.
    """
    from .model import ModelLoadError, load_model

    if model is None:
        return RulesFinder()
    try:
        policy = load_policy(model)
        if all(p == "rules" for p in policy.values()):
            return RulesFinder()  # measured: the rules alone are best for every label, the model is not run
        nlp = load_model(model)
    except (ModelLoadError, ValueError, OSError) as err:
        warnings.warn(f"{err}; extracting with the rules only", ModelFallbackWarning, stacklevel=2)
        return RulesFinder()
    return HybridFinder(nlp, policy)


class RulesFinder:
    """The rules alone, with the hybrid finder's signature."""

    uses_model = False

    def __call__(self, text: str, report_year: int | None = None,
                 exclude: Iterable[tuple[int, int]] = ()) -> list[Span]:
        from .rules import find_spans

        return find_spans(text, report_year)


class HybridFinder:
    """The loaded pipeline and its policy; call it like the rules' find_spans."""

    uses_model = True

    def __init__(self, nlp, policy: dict[str, str]):
        self.nlp = nlp
        self.policy = policy

    def __call__(self, text: str, report_year: int | None = None,
                 exclude: Iterable[tuple[int, int]] = ()) -> list[Span]:
        return hybrid_spans(text, report_year, self.nlp, self.policy, exclude)
