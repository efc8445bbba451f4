"""The learned linker's examples, candidates and features.

For each COUNT/MEASURE the candidates are the INDICATOR spans (lexicon matches, the rules' own choice) inside
its window (its sentence and the last clause of the sentence before it), plus other boundaries of those
phrases (start moved left or right, end moved right), since annotated phrases often start elsewhere than the
lexicon's. Each (figure, candidate) pair becomes numeric features (distance, direction, punctuation and
figures between, 其中/分别 context, shares, unit compatibility, boundary moves, the rules' own choice) and
four character n-gram bags (the phrase, the words around the figure, the words between, the phrase's
edge). The model (``model``) scores every pair; ``policy`` combines it with the rules. All settings live in
configs/learned_link.yml.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..config import load_config
from ..types import Span
from .phrase_map import PhraseMapper, span_canonical_id

CONFIG_FILE = "learned_link.yml"

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
    # the figures to find candidates for (None: all); the others get none, and every figure still counts in the
    # features of those scored (figures between), so a scored figure's links are those of a full run
    only: frozenset[SpanKey] | None = None


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
                                       example.meta.get("form"), example.meta.get("organ"))
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
        if example.only is not None and (fig.start, fig.end) not in example.only:
            out.append([])
            continue
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


@cache
def form_indicator_ids(form: str | None) -> frozenset[str] | None:
    """Ids of the spec that a report of ``form`` can state in its tables (None: any, when the form is unknown or
    none)."""
    from ..indicators import load_indicators

    if not form or form == "none":
        return None
    return frozenset(i.id for i in load_indicators().values() if form in i.forms)


@cache
def mappable_ids(form: str | None) -> frozenset[str] | None:
    """Ids a phrase of a report of ``form`` may be mapped to: its form's (form_indicator_ids), and the concepts of
    the pre-2019 form that a later form dropped (a 2024 report's website count is still active.via.website:
    guidelines 2.4), except those the later form names otherwise (configs/link.yml ``form_ids``) or splits without a
    total (``split_in_form``)."""
    from ..indicators import load_indicators

    own = form_indicator_ids(form)
    concepts = linker_config()["concept_form"]
    if own is None or form == concepts:
        return own
    split = (load_config("link.yml").get("split_in_form") or {}).get(form) or ()
    renamed = set(_form_ids(form)) | set(split)
    return own | frozenset(i.id for i in load_indicators().values() if concepts in i.forms and i.id not in renamed)


def _form_ids(form: str | None) -> dict[str, str]:
    """Canonical id → id of the same concept in a report form (configs/link.yml ``form_ids``)."""
    return ((load_config("link.yml").get("form_ids") or {}).get(form or "") or {}) if form else {}


def _span_key(span: Span | None) -> SpanKey | None:
    return (span.start, span.end) if span is not None else None


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _overlaps_any(span: Span, others: Iterable[Span]) -> bool:
    return any(_overlaps(span, o) for o in others)
