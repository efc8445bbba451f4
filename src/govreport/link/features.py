"""The learned figure → indicator linker: candidates, features, a scikit-learn scorer, and the policies.

For each COUNT/MEASURE the candidates are the INDICATOR spans (lexicon matches, the rules' own choice) inside
its window (its sentence and the last clause of the sentence before it), plus other boundaries of those
phrases (start moved left or right, end moved right), since annotated phrases often start elsewhere than the
lexicon's. Each (figure, candidate) pair becomes numeric features (distance, direction, punctuation and
figures between, 其中/分别 context, shares, unit compatibility, boundary moves, the rules' own choice) and
four character n-gram bags (the phrase, the words around the figure, the words between, the phrase's
edge). A classifier scores every pair; per figure the best candidate wins when its probability reaches
``link_threshold``. The chosen phrase gets its canonical id from the rules (same span), its lexicon id, or
the phrase mapper (restricted to the report form's ids). ``combined_linker`` chooses per figure between
the rules and the model. All settings live in configs/learned_link.yml.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ..config import load_config
from ..eval.scorer import prf
from ..indicators import indicator_units
from ..types import Span
from .phrase_map import PHRASE_MAP_FILE, PhraseMapper, merge_settings, span_canonical_id, spec_phrase_pairs

CONFIG_FILE = "learned_link.yml"
MODEL_FILE = "linker.joblib"
META_FILE = "meta.json"
POLICIES = ("rules", "learned", "combined")

# Numeric features of one (figure, candidate) pair, in the order of the feature matrix columns.
NUMERIC_FEATURES = [
    "before", "gap", "log_gap", "gap_le_2", "same_sentence", "same_clause", "in_heading", "in_prev_sentence",
    "figures_between", "candidates_between", "nearest_before", "nearest_after",
    "punct_comma", "punct_enum_comma", "punct_semicolon", "punct_colon", "punct_period", "punct_newline",
    "enumeration_between", "enumeration_in_sentence", "share_figure", "figure_measure", "figure_percent",
    "unit_compatible", "unit_incompatible", "candidate_mapped", "candidate_length", "variant", "trimmed", "extended",
    "rules_choice", "rules_base", "rules_linked",
]
TEXT_BAGS = ("phrase", "context", "between", "edge")


class LinkerMissingWarning(UserWarning):
    """No trained linker at the given path; linking falls back to the rules."""


def linker_config() -> dict[str, Any]:
    """configs/learned_link.yml."""
    return load_config(CONFIG_FILE)


# ---------------------------------------------------------------------------------------------------------
# Examples: one text with its figures, candidate indicators, the rules' choice and (for training) the gold


SpanKey = tuple[int, int]


@dataclass
class LinkExample:
    """A text to link: figures, indicator spans, the rules' links and, when known, the gold links."""

    text: str
    figures: list[Span]
    indicators: list[Span]
    rules: dict[SpanKey, Any] = field(default_factory=dict)  # figure (start, end) → the rules' Link
    gold: dict[SpanKey, SpanKey] = field(default_factory=dict)  # figure (start, end) → indicator (start, end)
    spans: list[Span] = field(default_factory=list)  # every non-indicator span (what the rules read)
    meta: dict[str, Any] = field(default_factory=dict)


def task_spans(task: dict[str, Any]) -> list[Span]:
    """The spans of a Prodigy task as ``Span`` records; figures get value and unit parsed from their text."""
    text = task["text"]
    figure_labels = linker_config()["figure_labels"]
    spans = []
    for s in task.get("spans") or []:
        span = Span(s["label"], s["start"], s["end"], text[s["start"]:s["end"]], value=s.get("value"),
                    unit=s.get("unit"), approx=s.get("approx"), kb_id=span_canonical_id(s))
        if span.label in figure_labels and span.unit is None:
            _fill_value(span)
        spans.append(span)
    return spans


def _fill_value(span: Span) -> None:
    """Value, unit and approximation of a figure span from its text (left empty when it does not parse)."""
    from ..values import parse_figure

    try:
        parsed = parse_figure(span.text)
    except ValueError:
        return
    span.value, span.unit, span.approx = parsed["value"], parsed["unit"], parsed["approx"]
    span.multiplier, span.range = parsed["multiplier"], parsed["range"]


def example_from_task(task: dict[str, Any], gold_indicators: bool = True) -> LinkExample:
    """A ``LinkExample`` of a Prodigy rel.manual task: gold figures, gold INDICATOR spans (unless
    ``gold_indicators`` is False) plus lexicon matches that overlap none of them, the rules' links over
    those, and the gold ``measures`` relations."""
    cfg = linker_config()
    text = task["text"]
    spans = task_spans(task)
    figures = [s for s in spans if s.label in cfg["figure_labels"]]
    indicators = [s for s in spans if s.label == cfg["indicator_label"]] if gold_indicators else []
    from .rules import find_indicator_spans

    lexicon = find_indicator_spans(text)
    ids = {(s.start, s.end): s.kb_id for s in lexicon if s.kb_id}
    for s in indicators:  # an annotated phrase the lexicon also finds takes its id
        s.kb_id = s.kb_id or ids.get((s.start, s.end))
    indicators += [s for s in lexicon if not _overlaps_any(s, indicators)]
    indicators.sort(key=lambda s: (s.start, s.end))
    gold = {(r["head_span"]["start"], r["head_span"]["end"]): (r["child_span"]["start"], r["child_span"]["end"])
            for r in task.get("relations") or [] if r.get("label") == cfg["relation_label"]}
    others = [s for s in spans if s.label != cfg["indicator_label"]]
    example = LinkExample(text, figures, indicators, gold=gold, spans=others, meta=dict(task.get("meta") or {}))
    example.rules = rules_links_by_figure(example)
    return example


def rules_links_by_figure(example: LinkExample) -> dict[SpanKey, Any]:
    """The relation rules' links over the example's spans, keyed by figure offsets."""
    from .rules import link_figures_to_indicators

    links = link_figures_to_indicators(example.text, example.spans or example.figures, example.indicators,
                                       example.meta.get("form"))
    return {(link.figure.start, link.figure.end): link for link in links}


# ---------------------------------------------------------------------------------------------------------
# Candidate generation


@dataclass
class Candidate:
    """One (figure, indicator) pair with its numeric features and n-gram bag texts."""

    figure: Span
    indicator: Span
    numeric: list[float]
    phrase: str
    context: str
    between: str
    edge: str  # how the phrase's boundary was found: the lexicon's (=) or trimmed (-x) / extended (+x) from it


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class TextIndex:
    """Sentence, clause and line boundaries of a text, for window look-ups by bisection."""

    def __init__(self, text: str, window_cfg: dict[str, Any]):
        self.text = text
        self.sentence_ends = [m.start() for m in _compiled(window_cfg["sentence_ends"]).finditer(text)]
        self.clause_ends = [m.start() for m in _compiled(window_cfg["clause_ends"]).finditer(text)]
        self.cfg = window_cfg

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) of the sentence holding text[start:end] (delimiters excluded)."""
        i = bisect_left(self.sentence_ends, start)
        j = bisect_left(self.sentence_ends, end)
        s = self.sentence_ends[i - 1] + 1 if i > 0 else 0
        e = self.sentence_ends[j] if j < len(self.sentence_ends) else len(self.text)
        return s, e

    def window(self, start: int, end: int) -> tuple[int, int, int, int | None]:
        """(window start, window end, sentence start, heading start or None) of a figure at [start, end)."""
        s, e = self.sentence(start, end)
        ws, taken = s, 0
        while taken <= self.cfg["extra_sentences_back"] and not self.paragraph_start(ws):
            ws = self.sentence(ws - 1, ws - 1)[0]
            taken += 1
        if taken:
            # of the earliest sentence taken in, only its last clause
            first_end = self.sentence(ws, ws)[1]
            lo, hi = bisect_left(self.clause_ends, ws), bisect_left(self.clause_ends, first_end)
            if hi > lo:
                ws = self.clause_ends[hi - 1] + 1
        heading = self._heading_above(ws) if self.paragraph_start(ws) else None
        if heading is not None:
            ws = heading
        limit = self.cfg["max_chars"]
        return max(ws, start - limit), min(e, end + limit), s, heading

    def paragraph_start(self, pos: int) -> bool:
        """Whether ``pos`` opens a line."""
        return pos == 0 or self.text[pos - 1] == "\n"

    def _heading_above(self, line_start: int) -> int | None:
        """Start of the non-blank line above ``line_start`` when it is short enough to be a heading."""
        if self.cfg["max_heading_chars"] <= 0:
            return None
        pos = line_start - 1
        while pos > 0:
            prev = self.text.rfind("\n", 0, pos)
            line = self.text[prev + 1:pos]
            if line.strip():
                return prev + 1 if len(line.strip()) <= self.cfg["max_heading_chars"] else None
            pos = prev
        return None


def generate_candidates(example: LinkExample, cfg: dict[str, Any] | None = None,
                        mapper: PhraseMapper | None = None,
                        units: dict[str, str] | None = None) -> list[list[Candidate]]:
    """Per figure of the example, its candidates (indicator spans in its window) with features."""
    cfg = cfg or linker_config()
    ctx = _Context(example.text, TextIndex(example.text, cfg["window"]), sorted(f.start for f in example.figures),
                   _map_indicators(example.indicators, mapper), units or {}, cfg, _patterns(cfg))
    starts = [s.start for s in example.indicators]
    out = []
    for fig in example.figures:
        ws, we, sent_start, heading = ctx.index.window(fig.start, fig.end)
        lo, hi = bisect_left(starts, ws), bisect_left(starts, we)
        inside = [ind for ind in example.indicators[lo:hi] if ind.end <= we and not _overlaps(ind, fig)]
        rules_ind = getattr(example.rules.get((fig.start, fig.end)), "indicator", None)
        if rules_ind is not None and not any(_span_key(i) == _span_key(rules_ind) for i in inside):
            inside.append(rules_ind)  # the rules may look further than the window: keep their choice
            inside.sort(key=lambda s: (s.start, s.end))
        place = _place(ctx, fig, inside, sent_start, heading, _span_key(rules_ind))
        cands = [_candidate(ctx, place, ind, ind, "=") for ind in inside]
        if cfg["variants"]["enabled"]:
            cands += [_candidate(ctx, place, var, base, edge) for var, base, edge in _variants(ctx, place, ws, we)]
        out.append(cands)
    return out


def _variants(ctx: _Context, place: _Place, ws: int, we: int) -> list[tuple[Span, Span, str]]:
    """Other boundaries of each candidate phrase: its start moved right (trimmed) or left (extended, up to a
    clause end or a digit), its end moved right; as (variant span, the span it came from, edge text)."""
    vcfg, text, fig = ctx.cfg["variants"], ctx.text, place.figure
    stop = ctx.patterns["variant_stop"]
    seen = {(b.start, b.end) for b in place.inside}
    out = []

    def add(start: int, end: int, base: Span, edge: str) -> None:
        if (start, end) not in seen and not (start < fig.end and fig.start < end):
            seen.add((start, end))
            kb_id = base.kb_id if start <= base.start and base.end <= end else None
            out.append((Span(base.label, start, end, text[start:end], kb_id=kb_id), base, edge))

    for base in _variant_bases(place, vcfg["bases"]):
        s, e = base.start, base.end
        for k in range(1, vcfg["max_trim"] + 1):
            if e - s - k < vcfg["min_chars"]:
                break
            add(s + k, e, base, "-" + text[s:s + k])
        for k in range(1, vcfg["max_extend"] + 1):
            if s - k < ws or stop.match(text, s - k):
                break
            add(s - k, e, base, "+" + text[s - k:s])
        for k in range(1, vcfg["max_extend_right"] + 1):
            if e + k > we or stop.match(text, e + k - 1):
                break
            add(s, e + k, base, "+" + text[e:e + k] + "$")
    return out


@dataclass
class _Context:
    """What every candidate of one text reads: the text, its boundaries, figures, ids, units and patterns."""

    text: str
    index: TextIndex
    fig_starts: list[int]
    ids: dict[SpanKey, str | None]
    units: dict[str, str]
    cfg: dict[str, Any]
    patterns: dict[str, Any]
    clause_at: list[int] = field(default_factory=list)  # positions of clause ends
    punctuation_at: list[list[int]] = field(default_factory=list)  # positions of each punctuation class

    def __post_init__(self) -> None:
        self.clause_at = [m.start() for m in self.patterns["clause"].finditer(self.text)]
        self.punctuation_at = [[m.start() for m in p.finditer(self.text)] for p in self.patterns["punctuation"]]


@dataclass
class _Place:
    """One figure with its candidates, sentence start, heading start and the rules' choice."""

    figure: Span
    inside: list[Span]
    sentence_start: int
    heading: int | None
    rules_key: SpanKey | None
    context: str = ""  # the words around the figure (its n-gram bag)
    enumeration_before: bool = False  # 其中/分别/从…看 between the sentence start and the figure
    share: bool = False  # 占/比例为 right before the figure
    positions: dict[SpanKey, tuple[int, bool, bool]] = field(default_factory=dict)  # per candidate phrase


def _variant_bases(place: _Place, which: str) -> list[Span]:
    """The candidate phrases whose boundaries are varied: all, or (``nearest``) the rules' choice and the
    nearest phrase on each side of the figure."""
    if which == "all":
        return place.inside
    fig = place.figure
    before = [b for b in place.inside if b.end <= fig.start]
    after = [b for b in place.inside if b.start >= fig.end]
    chosen = {place.rules_key} | {(b.start, b.end) for b in before[-1:] + after[:1]}
    return [b for b in place.inside if (b.start, b.end) in chosen]


def _place(ctx: _Context, fig: Span, inside: list[Span], sent_start: int, heading: int | None,
           rules_key: SpanKey | None) -> _Place:
    """A figure's candidates and what all of them share: its context, enumeration and share words."""
    fcfg, pat, text = ctx.cfg["features"], ctx.patterns, ctx.text
    left = text[max(0, fig.start - fcfg["figure_context_left"]):fig.start]
    right = text[fig.end:fig.end + fcfg["figure_context_right"]]
    return _Place(fig, inside, sent_start, heading, rules_key, f"{left}□{right}",
                  bool(pat["enumeration"].search(text, sent_start, fig.start)),
                  bool(pat["share"].search(text, max(0, fig.start - fcfg["share_chars"]), fig.start)))


def _patterns(cfg: dict[str, Any]) -> dict[str, Any]:
    """The feature patterns of a config, compiled once."""
    f = cfg["features"]
    return {"enumeration": _compiled(f["enumeration"]), "share": _compiled(f["share"]),
            "punctuation": [_compiled(p) for p in f["punctuation"].values()],
            "clause": _compiled(cfg["window"]["clause_ends"]), "variant_stop": _compiled(cfg["variants"]["stop"])}


def _map_indicators(indicators: Sequence[Span], mapper: PhraseMapper | None) -> dict[SpanKey, str | None]:
    """Canonical id of every indicator span: its lexicon id, else the phrase mapper's (None below threshold)."""
    ids = {(s.start, s.end): s.kb_id for s in indicators if s.kb_id and "{" not in s.kb_id}
    rest = [s for s in indicators if (s.start, s.end) not in ids]
    if mapper is not None and rest:
        ids.update({(s.start, s.end): m.id for s, m in zip(rest, mapper.map_many([s.text for s in rest]))})
    return ids


def _candidate(ctx: _Context, place: _Place, ind: Span, base: Span, edge: str) -> Candidate:
    """Features of one (figure, indicator) pair; ``base`` is the candidate phrase ``ind`` is a variant of (or
    ``ind`` itself), which places it among the other candidates."""
    fcfg, pat, text, fig = ctx.cfg["features"], ctx.patterns, ctx.text, place.figure
    before = ind.end <= fig.start
    lo, hi = (ind.end, fig.start) if before else (fig.end, ind.start)
    between = text[lo:hi] if hi > lo else ""
    gap = len(between)
    cap = fcfg["count_cap"]
    candidates_between, nearest_before, nearest_after = _position(place, base)
    ind_id = ctx.ids.get((ind.start, ind.end), ind.kb_id)
    compatible = _unit_compatible(fig.unit, ctx.units.get(ind_id) if ind_id else None, ctx.cfg)
    sent_start, heading = place.sentence_start, place.heading
    numeric = [
        float(before), gap / fcfg["distance_scale"], math.log1p(gap), float(gap <= fcfg["adjacent_chars"]),
        float(ind.start >= sent_start), float(_count(ctx.clause_at, lo, hi) == 0),
        float(heading is not None and heading <= ind.start and ind.end <= sent_start
              and "\n" in text[ind.end:sent_start]),
        float(ind.end <= sent_start), min(_count(ctx.fig_starts, lo, hi), cap) / cap,
        min(candidates_between, cap) / cap, float(nearest_before), float(nearest_after),
        *(min(_count(at, lo, hi), cap) for at in ctx.punctuation_at),
        float(bool(pat["enumeration"].search(between))), float(place.enumeration_before),
        float(place.share), float(fig.label == "MEASURE"), float((fig.unit or "") in fcfg["percent_units"]),
        float(compatible is True), float(compatible is False), float(ind_id is not None),
        len(ind.text) / 10, float(ind is not base), max(0, ind.start - base.start) / 10,
        (max(0, base.start - ind.start) + max(0, ind.end - base.end)) / 10,
        float(place.rules_key == (ind.start, ind.end)), float(place.rules_key == (base.start, base.end)),
        float(place.rules_key is not None),
    ]
    n_between = fcfg["between_chars"]
    between_bag = (between[-n_between:] if before else between[:n_between]) if n_between else ""
    edge_bag = f"{edge}|{text[max(0, ind.start - 2):ind.start]}^{text[ind.start:ind.start + 2]}"
    return Candidate(fig, ind, numeric, ind.text, place.context, ("<" if before else ">") + between_bag, edge_bag)


def _count(positions: list[int], lo: int, hi: int) -> int:
    """How many of the sorted ``positions`` lie in [lo, hi)."""
    return bisect_left(positions, hi) - bisect_left(positions, lo) if hi > lo else 0


def _position(place: _Place, base: Span) -> tuple[int, bool, bool]:
    """(other candidates between, nearest before the figure, nearest after it) of a candidate phrase."""
    key = (base.start, base.end)
    if key not in place.positions:
        fig = place.figure
        before = base.end <= fig.start
        lo, hi = (base.end, fig.start) if before else (fig.end, base.start)
        between = sum(1 for o in place.inside if o is not base and o.start >= lo and o.end <= hi)
        nearest_before = before and not any(o.end <= fig.start and o.start > base.start for o in place.inside)
        nearest_after = not before and not any(fig.end <= o.start < base.start for o in place.inside)
        place.positions[key] = (between, nearest_before, nearest_after)
    return place.positions[key]


def _unit_compatible(figure_unit: str | None, indicator_unit: str | None, cfg: dict[str, Any]) -> bool | None:
    """Whether a figure's written unit can measure an indicator of the given unit (None: unknown)."""
    if not figure_unit or not indicator_unit:
        return None
    from ..records import split_unit

    a, b = split_unit(figure_unit)[0], split_unit(indicator_unit)[0]
    if a == b:
        return True
    return any(a in group and b in group for group in cfg["features"]["unit_groups"])


# ---------------------------------------------------------------------------------------------------------
# The model


class LearnedLinker:
    """Vectorisers, scaler and classifier over (figure, candidate) pairs, plus the phrase mapper."""

    def __init__(self, cfg: dict[str, Any] | None = None, mapper: PhraseMapper | None = None,
                 units: dict[str, str] | None = None):
        self.cfg = cfg or linker_config()
        self.mapper = mapper
        self.units = units if units is not None else {}
        self.vectorizers: dict[str, Any] = {}
        self.scaler = None
        self.model = None
        self.feature_names: list[str] = []
        self.numeric_mask = np.ones(len(NUMERIC_FEATURES), dtype=bool)
        self.n_train: dict[str, int] = {}
        self.chosen: dict[str, Any] = {}  # the policy measured on gold dev at training time
        self.meta: dict[str, Any] = {}  # meta.json once saved or loaded

    # -- features
    def candidates(self, example: LinkExample) -> list[list[Candidate]]:
        """Per figure, its candidates with features."""
        return generate_candidates(example, self.cfg, self.mapper, self.units)

    def _fit_vectorizers(self, cands: Sequence[Candidate]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import MaxAbsScaler

        tf = self.cfg["tfidf"]
        dense = self.cfg["model"]["kind"] == "hist_gradient_boosting"
        max_features = self.cfg["model"]["hist_gradient_boosting"]["dense_max_features"] if dense \
            else tf["max_features"]
        for bag in TEXT_BAGS:
            vec = TfidfVectorizer(analyzer=tf["analyzer"], ngram_range=tuple(tf["ngram_range"]), min_df=tf["min_df"],
                                  max_features=max_features, sublinear_tf=tf["sublinear_tf"], lowercase=False)
            vec.fit([getattr(c, bag) for c in cands])
            self.vectorizers[bag] = vec
        self.scaler = MaxAbsScaler().fit(np.array([c.numeric for c in cands]))
        self.feature_names = [f for f, keep in zip(NUMERIC_FEATURES, self.numeric_mask) if keep] + [
            f"{bag}:{g}" for bag in TEXT_BAGS for g in self.vectorizers[bag].get_feature_names_out()]

    def blocks(self, cands: Sequence[Candidate]) -> list[Any]:
        """The feature blocks of candidates: scaled numeric columns (dense), then one sparse block per bag."""
        numeric = self.scaler.transform(np.array([c.numeric for c in cands]).reshape(len(cands), -1))
        return [numeric[:, self.numeric_mask]] + [self._bag(bag, [getattr(c, bag) for c in cands])
                                                  for bag in TEXT_BAGS]

    def _bag(self, bag: str, texts: list[str]) -> Any:
        """TF-IDF rows of one bag; each distinct text is vectorised once (a figure's context is the same for
        all its candidates, and phrases repeat)."""
        unique, inverse = np.unique(np.array(texts, dtype=object).astype(str), return_inverse=True)
        return self.vectorizers[bag].transform(unique.tolist())[inverse.ravel()]

    def assemble(self, blocks: Sequence[Any]) -> Any:
        """One feature matrix from the blocks (sparse; dense for gradient boosting)."""
        import scipy.sparse as sp

        X = sp.hstack([sp.csr_matrix(blocks[0])] + list(blocks[1:]), format="csr")
        return X.toarray() if self.cfg["model"]["kind"] == "hist_gradient_boosting" else X

    def matrix(self, cands: Sequence[Candidate]) -> Any:
        """The feature matrix of candidates."""
        return self.assemble(self.blocks(cands))

    # -- training
    def fit(self, examples: Sequence[LinkExample]) -> LearnedLinker:
        """Fit on examples with gold links: each candidate is positive when it is the figure's gold indicator."""
        cands, labels = [], []
        n_figures = n_linked = n_reachable = 0
        for example in examples:
            for fig, fig_cands in zip(example.figures, self.candidates(example)):
                gold = example.gold.get((fig.start, fig.end))
                n_figures += 1
                n_linked += gold is not None
                n_reachable += any((c.indicator.start, c.indicator.end) == gold for c in fig_cands)
                for c in fig_cands:
                    cands.append(c)
                    labels.append(int((c.indicator.start, c.indicator.end) == gold))
        if not cands or len(set(labels)) < 2:
            raise ValueError(f"training needs positive and negative candidates; got {len(cands)} candidates, "
                             f"{sum(labels)} positive, from {len(examples)} examples")
        self.numeric_mask = np.array([self.cfg["use_rules_feature"] or not f.startswith("rules_")
                                      for f in NUMERIC_FEATURES])
        self._fit_vectorizers(cands)
        self.model = _make_model(self.cfg)
        self.model.fit(self.matrix(cands), np.array(labels))
        self.n_train = {"examples": len(examples), "figures": n_figures, "gold_links": n_linked,
                        "reachable_links": n_reachable, "candidates": len(cands), "positives": int(sum(labels))}
        return self

    # -- prediction
    # predict, set_annotations and scoring are kept apart, as spaCy's trainable components: predict gives the
    # model's probabilities and changes nothing; set_annotations turns them into links; scoring against gold
    # is compare_policies / evaluate_linking's
    def predict(self, example: LinkExample) -> list[list[tuple[Candidate, float]]]:
        """Per figure, its candidates with the model's probability, best first."""
        per_figure = self.candidates(example)
        flat = [c for cands in per_figure for c in cands]
        probs = self.model.predict_proba(self.matrix(flat))[:, 1] if flat else np.zeros(0)
        out, n = [], 0
        for cands in per_figure:
            scored = sorted(zip(cands, probs[n:n + len(cands)].tolist()), key=lambda x: -x[1])
            out.append(scored)
            n += len(cands)
        return out

    def link_example(self, example: LinkExample) -> list[Any]:
        """One ``Link`` per figure: its best candidate above ``link_threshold``, else no indicator."""
        return self.set_annotations(example, self.predict(example))

    def set_annotations(self, example: LinkExample, scores: list[list[tuple[Candidate, float]]]) -> list[Any]:
        """The links ``predict``'s ``scores`` give the example's figures."""
        threshold = self.cfg["link_threshold"]
        links = []
        for fig, scored in zip(example.figures, scores):
            rules_link = example.rules.get((fig.start, fig.end))
            best = scored[0] if scored and scored[0][1] >= threshold else None
            links.append(self._link(fig, best, rules_link, example.meta.get("form")))
        return links

    def link(self, text: str, spans: Sequence[Span], indicator_spans: Sequence[Span],
             rules_links: Sequence[Any] | None = None, form: str | None = None) -> list[Any]:
        """Learned links of a text's figures (same call shape as ``link.link_figures_to_indicators``)."""
        figures = [s for s in spans if s.label in self.cfg["figure_labels"]]
        example = LinkExample(text, figures, sorted(indicator_spans, key=lambda s: (s.start, s.end)),
                              spans=list(spans), meta={"form": form})
        if rules_links is None:
            example.rules = rules_links_by_figure(example)
        else:
            example.rules = {(lk.figure.start, lk.figure.end): lk for lk in rules_links}
        return self.link_example(example)

    def _link(self, fig: Span, best: tuple[Candidate, float] | None, rules_link: Any, form: str | None = None) -> Any:
        """A ``Link`` for a figure from its best candidate (scope and, for the same span, id from the rules;
        no id for a part of the body, as the rules)."""
        from .rules import Link, body_id

        relation = self.cfg["relation_label"]
        scope = getattr(rules_link, "scope", None)
        if best is None:
            return Link(fig, None, None, scope, relation, "learned", 0.0)
        cand, prob = best
        rules_ind = getattr(rules_link, "indicator", None)
        canonical = rules_link.canonical_id if _span_key(rules_ind) == _span_key(cand.indicator) else None
        if canonical is None:
            canonical = self.canonical_id(cand.indicator, fig, form)
        return Link(fig, cand.indicator, body_id(canonical, scope), scope, relation, "learned", round(prob, 4))

    def canonical_id(self, indicator: Span, fig: Span, form: str | None = None) -> str | None:
        """The id of an indicator phrase: its lexicon id, else the phrase mapper's; dropped when the unit
        cannot measure it; then the id of the same concept in the report's form."""
        canonical = indicator.kb_id
        if canonical is None and self.mapper is not None:
            canonical = self.mapper.map(indicator.text, allowed=form_indicator_ids(form)).id
        if canonical is None or "{" in canonical:
            return None
        if _unit_compatible(fig.unit, self.units.get(canonical), self.cfg) is False:
            return None
        return _form_ids(form).get(canonical, canonical)

    # -- persistence
    def to_disk(self, path: str | Path, extra_meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """Save model (joblib), phrase mapper and meta.json into folder ``path``; returns the meta."""
        import joblib
        import sklearn

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        joblib.dump({"vectorizers": self.vectorizers, "scaler": self.scaler, "model": self.model,
                     "feature_names": self.feature_names, "numeric_mask": self.numeric_mask,
                     "units": self.units}, path / MODEL_FILE)
        if self.mapper is not None:
            self.mapper.to_disk(path / PHRASE_MAP_FILE)
        meta = {"sklearn_version": sklearn.__version__, "config": self.cfg, "training_size": self.n_train,
                "numeric_features": [f for f, k in zip(NUMERIC_FEATURES, self.numeric_mask) if k]}
        meta.update(extra_meta or {})
        (path / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return meta

    @classmethod
    def from_disk(cls, path: str | Path) -> LearnedLinker:
        """A linker saved by ``to_disk`` (its own config, not today's configs/, scores the candidates)."""
        import joblib

        path = Path(path)
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        data = joblib.load(path / MODEL_FILE)
        mapper = PhraseMapper.from_disk(path / PHRASE_MAP_FILE) if (path / PHRASE_MAP_FILE).exists() else None
        # settings added since the linker was saved take today's value; the saved ones win
        linker = cls(merge_settings(linker_config(), meta["config"]), mapper, data["units"])
        for name in ("vectorizers", "scaler", "model", "feature_names", "numeric_mask"):
            setattr(linker, name, data[name])
        linker.n_train = meta.get("training_size", {})
        linker.chosen = meta.get("policy") or {}
        linker.meta = meta
        _check_sklearn_version(meta, path)
        return linker


def _make_model(cfg: dict[str, Any]):
    """The configured classifier."""
    kind = cfg["model"]["kind"]
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression

        p = cfg["model"]["logistic"]
        return LogisticRegression(C=p["C"], class_weight=p["class_weight"], max_iter=p["max_iter"],
                                  random_state=cfg["seed"])
    if kind == "hist_gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        p = cfg["model"]["hist_gradient_boosting"]
        return HistGradientBoostingClassifier(max_iter=p["max_iter"], learning_rate=p["learning_rate"],
                                              max_leaf_nodes=p["max_leaf_nodes"], random_state=cfg["seed"])
    raise ValueError(f"unknown model kind {kind!r} in configs/{CONFIG_FILE}: use logistic or hist_gradient_boosting")


def _check_sklearn_version(meta: dict[str, Any], path: Path) -> None:
    """Warn when the model was saved by another scikit-learn version (pickles may then misbehave)."""
    import sklearn

    saved = meta.get("sklearn_version")
    if saved and saved != sklearn.__version__:
        warnings.warn(f"{path}: linker saved with scikit-learn {saved}, running {sklearn.__version__}",
                      stacklevel=3)


# ---------------------------------------------------------------------------------------------------------
# Train, load, evaluate, combine


def build_linker(examples: Sequence[LinkExample], extra_pairs: Sequence[tuple[str, str]] = (),
                 cfg: dict[str, Any] | None = None) -> LearnedLinker:
    """Fit the phrase mapper (spec + ``extra_pairs``) and then the linker on examples with gold links."""
    cfg = cfg or linker_config()
    mapper = PhraseMapper(cfg["phrase_map"]).fit(spec_phrase_pairs() + list(extra_pairs))
    return LearnedLinker(cfg, mapper, dict(indicator_units())).fit(examples)


def train_linker(train_tasks: Iterable[dict[str, Any]], out_dir: str | Path,
                 dev_tasks: Iterable[dict[str, Any]] | None = None,
                 extra_meta: dict[str, Any] | None = None) -> LearnedLinker:
    """Fit the linker and phrase mapper on annotated tasks and save them into ``out_dir`` (e.g. models/linker);
    with ``dev_tasks`` the rules, learned and combined policies are measured on them and kept in meta.json."""
    from .phrase_map import annotation_phrase_pairs

    train_tasks = list(train_tasks)
    pairs = annotation_phrase_pairs(train_tasks)
    from_gold = linker_config()["train_candidates"] == "gold"
    linker = build_linker([example_from_task(t, gold_indicators=from_gold) for t in train_tasks], pairs)
    extra: dict[str, Any] = {"annotation_pairs": len(pairs), **(extra_meta or {})}
    if dev_tasks:
        dev_tasks = list(dev_tasks)
        # as extract will link: candidates from the lexicon and the rules, not from the gold spans
        extra["dev"] = compare_policies(dev_tasks, linker, gold_indicators=False)
        extra["dev_gold_indicators"] = compare_policies(dev_tasks, linker, gold_indicators=True)
        extra["importance"] = feature_importance(linker, [example_from_task(t, gold_indicators=False)
                                                          for t in dev_tasks])
        # on silver the dev links are the rules' own output: no measurement can prefer another policy there
        if extra.get("source", "gold") == "gold":
            linker.chosen = extra["policy"] = choose_policy(extra["dev"], linker.cfg)
    linker.meta = linker.to_disk(out_dir, extra)
    return linker


def load_linker(model_dir: str | Path | None) -> LearnedLinker | None:
    """The linker saved in ``model_dir``, or None with a warning naming the path when it is missing."""
    if model_dir is None:
        return None
    path = Path(model_dir)
    if not (path / MODEL_FILE).exists() or not (path / META_FILE).exists():
        warnings.warn(f"no trained linker at {path} ({MODEL_FILE} and {META_FILE} expected); "
                      f"figures are linked by the rules", LinkerMissingWarning, stacklevel=2)
        return None
    return LearnedLinker.from_disk(path)


def combined_linker(rules_links: Sequence[Any], learned_links: Sequence[Any], policy: str,
                    override_threshold: float | None = None, ids_from: str | None = None) -> list[Any]:
    """Per figure, the rules' link, the learned link, or (``combined``) the learned link where it is confident.

    combined: the learned link replaces a rules link to another indicator only when its probability reaches
    ``override_threshold``; a figure the rules leave unlinked takes the learned link (already above the link
    threshold); otherwise the rules' link stays (taking the learned link's id when it has none). With
    ``ids_from="rules"`` (configs/learned_link.yml) every combined link keeps the id the rules gave its figure.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown linking policy {policy!r}: use one of {POLICIES}")
    if policy == "rules":
        return list(rules_links)
    learned = {(lk.figure.start, lk.figure.end): lk for lk in learned_links}
    if policy == "learned":
        return [learned.get((r.figure.start, r.figure.end), r) for r in rules_links] + \
            _unmatched(learned, rules_links)
    if override_threshold is None:
        override_threshold = linker_config()["combined"]["override_threshold"]
    out = []
    ids_from_rules = (ids_from or linker_config()["combined"].get("ids_from", "learned")) == "rules"
    for rule in rules_links:
        lk = learned.get((rule.figure.start, rule.figure.end))
        chosen = _choose(rule, lk, override_threshold)
        if ids_from_rules and chosen.canonical_id != rule.canonical_id:
            chosen = replace(chosen, canonical_id=rule.canonical_id)
        out.append(chosen)
    return out + _unmatched(learned, rules_links)


def _choose(rule: Any, learned: Any, override_threshold: float) -> Any:
    """The combined policy for one figure."""
    if learned is None or learned.indicator is None:
        return rule
    if rule.indicator is None:
        return learned
    if (rule.indicator.start, rule.indicator.end) == (learned.indicator.start, learned.indicator.end):
        # the same phrase: the rules' link, with the mapper's id where the rules found none
        return rule if rule.canonical_id or not learned.canonical_id else replace(rule, canonical_id=learned.canonical_id)
    return learned if learned.confidence >= override_threshold else rule


def _unmatched(learned: dict[SpanKey, Any], rules_links: Sequence[Any]) -> list[Any]:
    """Learned links of figures the rules returned nothing for."""
    seen = {(r.figure.start, r.figure.end) for r in rules_links}
    return [lk for key, lk in learned.items() if key not in seen]


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
    """``evaluate_linking`` of the rules, learned and combined policies on the same tasks; the combined
    policy at every override threshold given (default: ``combined.override_grid``, i.e. tuning on dev),
    reported at the best one."""
    cfg = linker.cfg if linker is not None else linker_config()
    grid = list(override_thresholds) if override_thresholds is not None else cfg["combined"]["override_grid"]
    examples = [example_from_task(t, gold_indicators=gold_indicators) for t in tasks]
    rules = [list(ex.rules.values()) for ex in examples]
    learned = [linker.link_example(ex) for ex in examples] if linker is not None else rules
    results: dict[str, Any] = {"rules": _score_links(tasks, rules), "learned": _score_links(tasks, learned)}
    by_threshold = {t: _score_links(tasks, [combined_linker(r, lk, "combined", t) for r, lk in zip(rules, learned)])
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


def _score_links(tasks: Sequence[dict[str, Any]], links: Sequence[list[Any]]) -> dict[str, Any]:
    """``evaluate_linking`` of links already predicted for each task, in task order."""
    predicted = iter(links)
    return evaluate_linking(tasks, lambda task: next(predicted))


def choose_policy(results: dict[str, Any], cfg: dict[str, Any] | None = None) -> dict[str, Any]:
    """The policy ``extract`` should use by the dev results: another policy replaces the rules only when it
    beats them by ``selection.min_gain`` on ``selection.metric`` F1."""
    cfg = cfg or linker_config()
    metric, min_gain = cfg["selection"]["metric"], cfg["selection"]["min_gain"]
    best = "rules"
    for policy in ("combined", "learned"):
        if results[policy][metric]["f"] >= results[best][metric]["f"] + min_gain:
            best = policy
    threshold = results["combined"].get("override_threshold", cfg["combined"]["override_threshold"])
    return {"policy": best, "override_threshold": threshold, "metric": metric,
            "f": {p: round(results[p][metric]["f"], 4) for p in POLICIES}}


def policy_linker(linker: LearnedLinker | None, policy: str | None = None) -> Callable[..., list[Any]]:
    """A ``link(text, spans, indicator_spans, form)`` function for ``extract``: the rules, then the policy
    (given, else the one measured on gold dev when the linker was trained, else configs/learned_link.yml)."""
    from .rules import link_figures_to_indicators

    chosen = linker.chosen if linker is not None else {}
    policy = policy or chosen.get("policy") or linker_config()["policy"]
    if policy not in POLICIES:
        raise ValueError(f"unknown linking policy {policy!r}: use one of {POLICIES}")
    threshold = chosen.get("override_threshold", linker.cfg["combined"]["override_threshold"]) if linker else None

    def link(text: str, spans: Sequence[Span], indicator_spans: Sequence[Span], form: str | None = None) -> list[Any]:
        rules = link_figures_to_indicators(text, list(spans), list(indicator_spans), form)
        if linker is None or policy == "rules":
            return rules
        learned = linker.link(text, spans, indicator_spans, rules, form)
        return combined_linker(rules, learned, policy, threshold)

    return link


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


@cache
def form_indicator_ids(form: str | None) -> frozenset[str] | None:
    """Ids of the spec that a report of ``form`` can state (None: any, when the form is unknown or none)."""
    from ..indicators import load_indicators

    if not form or form == "none":
        return None
    return frozenset(i.id for i in load_indicators().values() if form in i.forms)


def _form_ids(form: str | None) -> dict[str, str]:
    """Canonical id → id of the same concept in a report form (configs/link.yml ``form_ids``)."""
    return ((load_config("link.yml").get("form_ids") or {}).get(form or "") or {}) if form else {}


def _span_key(span: Span | None) -> SpanKey | None:
    return (span.start, span.end) if span is not None else None


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _overlaps_any(span: Span, others: Iterable[Span]) -> bool:
    return any(_overlaps(span, o) for o in others)
