"""Rule-based spans: COUNT, MEASURE, DATE and ORG from the patterns in configs/patterns/, no model needed.

How a text is read:
1. Exclusions (configs/patterns/exclusions.yml) are masked: titles in 《》, document numbers (〔2016〕8号 with the
   issuer code before the bracket), phone numbers, postcodes, URLs, e-mail addresses, list markers (一、 （二） 1.),
   ordinals and article references (第十三条, 第二十条第（一）项), times of day, page furniture and idioms (一条龙).
   Nothing inside a masked stretch becomes a span.
2. One scanner whose alternatives are tried in this order at each position: DATE (intervals, month and year
   ranges, points, relative words), figure ranges, Arabic figures, Chinese-numeral figures, ORG (lexicon, then
   level + body + suffix), bare table numbers. Matches never overlap. For speed the scanner is only tried where
   one of its alternatives can start (see govreport.anchored); tests check that this changes no result.
3. Each match gets its value: figures through values.parse_figure, dates through values.parse_date, organs are
   extended leftwards over a place name from configs/patterns/places.tsv (咸宁 + 市人民政府办公室).

Decisions:
- A figure needs a unit (条, 人次, 亿元, %) or a multiplier (40万); a Chinese numeral always needs a unit.
  COUNT or MEASURE follows the unit (figures.yml). A multiplier without a unit (40万, 点击量达130万) is a MEASURE
  (money) when a money word (资金, 经费, 金额 ...) is near, else a COUNT with unit 万.
- Table cells: a bare number (no unit, no multiplier) is a figure only when it fills a whole cell, that is when it
  is delimited on both sides by a line break, a space, a tab, a pipe or the text's ends (one-cell-per-line tables,
  pipe tables, flattened "条 512 3870" rows). It is a COUNT with unit None: the tables module gives cells their
  meaning and unit from the row and column labels.
- A number without unit or multiplier in running text is a COUNT only right after a count's label and before
  its clause's end (粉丝数5000，): figures.yml ``labelled_number``. Read like a table cell's (bare_span).
- A range (2至3个) has value None and range (2, 3).

The spaCy component ``govreport_rules`` runs the same rules inside a pipeline (see make_rules_component).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..anchored import Alternation, guarded_source
from ..config import CONFIG_DIR, load_config
from ..types import Span
from ..values import (
    alternation,
    checked_number,
    date_pattern,
    figure_config,
    figure_label,
    figure_patterns,
    parse_date,
    parse_figure,
    plain,
)

MASK = "\x00"  # replaces excluded characters: it belongs to no pattern and delimits table cells
LABELS = ("COUNT", "MEASURE", "DATE", "ORG")


# ---------------------------------------------------------------- exclusions


@lru_cache(maxsize=1)
def exclusion_config() -> dict[str, Any]:
    """configs/patterns/exclusions.yml."""
    return load_config("patterns/exclusions.yml")


@lru_cache(maxsize=2)
def exclusion_scanner(anchored: bool = True) -> Alternation:
    """Every exclusion as a named part (title, doc_number, phone_area, ..., idiom)."""
    cfg = exclusion_config()
    parts = list(cfg["patterns"].items()) + [("idiom", alternation(cfg["idioms"]))]
    return Alternation(parts, re.MULTILINE, anchored)


def _issuer_start(text: str, start: int) -> int:
    """Start of the issuer code (桃政办函, 鄂办发) written before a document number's bracket at ``start``."""
    cfg = exclusion_config()["doc_number_issuer"]
    stops = cfg["stop_chars"]
    i = start
    while i > 0 and start - i < cfg["max_chars"] and "\u4e00" <= text[i - 1] <= "\u9fff" and text[i - 1] not in stops:
        i -= 1
    return i


def exclusions(text: str, anchored: bool = True) -> list[tuple[int, int, str]]:
    """The excluded stretches of ``text`` as (start, end, kind), sorted and not overlapping."""
    found: list[tuple[int, int, str]] = []
    for m in exclusion_scanner(anchored).finditer(text):
        start, end = m.span()
        if start == end:
            continue
        kind = m.lastgroup or "exclusion"
        if kind == "doc_number":
            start = _issuer_start(text, start)
            if found and found[-1][1] > start:
                start = found[-1][1]
        found.append((start, end, kind))
    return found


def mask(text: str, stretches: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with every character of the stretches replaced by MASK (same length, offsets unchanged)."""
    out, pos = [], 0
    for start, end, _ in stretches:
        out.append(text[pos:start])
        out.append(MASK * (end - start))
        pos = end
    out.append(text[pos:])
    return "".join(out)


# ---------------------------------------------------------------- organs


@lru_cache(maxsize=1)
def org_config() -> dict[str, Any]:
    """configs/patterns/orgs.yml."""
    return load_config("patterns/orgs.yml")


@lru_cache(maxsize=1)
def places() -> tuple[frozenset[str], frozenset[str]]:
    """Full names (咸宁市) and short names (咸宁) of administrative divisions, from places.tsv."""
    full, short = set(), set()
    with open(CONFIG_DIR / "patterns" / "places.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, _, abbrev = line.rstrip("\n").partition("\t")
            full.add(name)
            if abbrev:
                short.add(abbrev)
    return frozenset(full), frozenset(short)


def _suffix_alternation(words: list[str], not_before: dict[str, str], not_after: dict[str, list[str]]) -> str:
    """Suffixes longest first, each with its negative lookbehinds and lookahead."""
    alts = []
    for word in sorted(words, key=len, reverse=True):
        behind = "".join(f"(?<!{re.escape(w)})" for w in not_after.get(word, []))
        nb = not_before.get(word)
        alts.append(behind + re.escape(word) + (f"(?!{nb})" if nb else ""))
    return "|".join(alts)


def org_pattern() -> str:
    """The scanner's regex of an organ: lexicon entry or level, then units of body + suffix."""
    c = org_config()
    nb, na = c["suffix_not_before"], c["suffix_not_after"]
    body = c["body"]
    # the word lists are tried at every character of a body: each behind a look at its first characters (see
    # govreport.anchored.guarded_source), which about halves the time of matching organs
    char = f"(?!{guarded_source(alternation(body['not_words']))})(?![{re.escape(body['not_chars'])}])[\u4e00-\u9fff]"
    body_unit = f"(?:{guarded_source(alternation(body['words']))}|{char})"
    suffix = guarded_source(_suffix_alternation(c["suffixes"], nb, na))
    chain_suffix = guarded_source(_suffix_alternation(c["chain_suffixes"], nb, na))
    # a joiner (与) may sit inside the first unit's body only (区环境与国土资源局; 市政府与市委 stays two organs,
    # the first unit being shortest)
    joiner = f"[{re.escape(body.get('first_joiners', ''))}](?=[\u4e00-\u9fff])" if body.get("first_joiners") else None
    first_unit = f"(?:{body_unit}|{joiner})" if joiner else body_unit
    first = f"{first_unit}{{0,{body['max_chars']}}}?(?:{suffix})"
    chain = f"(?:{chain_suffix}|{body_unit}{{1,{body['chain_max_chars']}}}?(?:{suffix}))"
    level = f"(?:{alternation(c['levels'])})(?!{c['level_not_before']})"
    lexicon = f"(?:{alternation(c['lexicon'])})(?!{c['lexicon_not_before']})"
    return f"{lexicon}(?:{chain})*|{level}{first}(?:{chain})*"


def extend_over_place(text: str, start: int, floor: int) -> int:
    """Start of the place names written right before ``start`` (湖北省咸宁 + 市...), not before ``floor``."""
    full, short = places()
    cfg = org_config()
    longest = cfg["place_max_chars"]
    level_end = _level_end(text, start)
    short_ok = text[start:level_end] in cfg["short_name_levels"]
    # the first name ends with the organ's own level: 咸宁 + 市 is the full name 咸宁市, 平潭 + 综合实验区 a short one
    for k in range(min(longest, start - floor), 1, -1):
        if text[start - k:level_end] in full or (short_ok and text[start - k:start] in short):
            start -= k
            break
    else:
        return start
    # then whole names before it: 湖北省 + 咸宁市
    while True:
        for k in range(min(longest, start - floor), 1, -1):
            if text[start - k:start] in full:
                start -= k
                break
        else:
            return start


def _level_end(text: str, start: int) -> int:
    """End of the administrative level word at ``start`` (市, 自治县, 综合实验区)."""
    m = _level_regex().match(text, start)
    return m.end() if m else start


def org_start(text: str, start: int, floor: int) -> int | None:
    """Start of an organ whose level word is at ``start``, or None when the level is no organ's (全市, 社区)."""
    extended = extend_over_place(text, start, floor)
    if extended < start:
        return extended
    if start > 0 and text[start - 1] in org_config()["level_not_after"]:
        return None
    return start


def not_an_organ_here(text: str, start: int, end: int) -> bool:
    """Whether the organ name at [start, end) only modifies the noun after it (市政府门户网站, 国务院令) or sits
    in an address (地址：…管委会办公室): configs/patterns/orgs.yml ``modifies_before`` and ``not_after``."""
    before, after = _org_context()
    window = org_config()["not_after_chars"]
    return bool(before.match(text, end) or after.search(text[max(0, start - window):start]))


@lru_cache(maxsize=1)
def _org_context() -> tuple[re.Pattern[str], re.Pattern[str]]:
    cfg = org_config()
    return re.compile(cfg["modifies_before"]), re.compile(cfg["not_after"] + "$")


# ---------------------------------------------------------------- scanner


@lru_cache(maxsize=2)
def scanner(anchored: bool = True) -> Alternation:
    """The patterns of all labels in priority order; the part that matched says which (DATE, FIG*, ORG, BARE)."""
    figs = figure_patterns()
    cell = figure_config()["table_cell"]
    labelled = figure_config()["labelled_number"]
    delim = f"{cell['delimiters']}{MASK}"
    parts = [
        ("DATE", date_pattern()),
        ("FIG_RANGE", figs["range"]),
        ("FIG", figs["arabic"]),
        ("FIG_CN", figs["chinese"]),
        ("ORG", org_pattern()),
        ("BARE", f"(?<![^{delim}]){cell['number']}(?![^{delim}])"),
        ("LABELLED", f"(?<={labelled['label_end']}){cell['number']}(?={labelled['clause_end']})"),
    ]
    return Alternation(parts, 0, anchored, one_regex=True)  # seven long parts: one compilation (see Alternation)


@lru_cache(maxsize=1)
def _money_words() -> re.Pattern[str]:
    return re.compile(alternation(figure_config()["bare_multiplier"]["measure_words"]))


def _bare_multiplier_label(text: str, start: int, end: int) -> str:
    """MEASURE when a money word is near a figure written with a multiplier only (40万建设经费), else COUNT."""
    cfg = figure_config()["bare_multiplier"]
    window = text[max(0, start - cfg["window_before"]):end + cfg["window_after"]]
    return "MEASURE" if _money_words().search(window) else "COUNT"


def figure_span(text: str, start: int, end: int) -> Span:
    """A COUNT or MEASURE span with its parsed value."""
    surface = text[start:end]
    label, parsed = _figure_reading(surface)
    if label is None:
        label = _bare_multiplier_label(text, start, end)
    return Span(label, start, end, surface, **parsed)


@lru_cache(maxsize=1 << 14)  # the same figures (1件, 100%) come back in every report: read each one once
def _figure_reading(surface: str) -> tuple[str | None, dict[str, Any]]:
    """The label a figure's unit gives it (None for a multiplier alone, whose label depends on the words near
    it) and its parsed fields (shared between calls: only read)."""
    parsed = parse_figure(surface)
    unit = parsed["unit"]
    return (None if unit in figure_config()["multipliers"] else figure_label(unit)), parsed


def bare_span(text: str, start: int, end: int) -> Span:
    """A bare number (a table cell, or a count's label's number in running text): COUNT without unit (uncertain,
    without value, when absurdly large)."""
    surface = text[start:end]
    value = _bare_value(surface)
    return Span("COUNT", start, end, surface, value=value, uncertain=value is None)


@lru_cache(maxsize=1 << 14)  # table cells repeat (0, 1, 2 ...): read each number once
def _bare_value(surface: str) -> int | float | None:
    value = checked_number(surface)
    return None if value is None else plain(value)


def date_span(text: str, start: int, end: int, report_year: int | None) -> Span:
    """A DATE span with its ISO value."""
    surface = text[start:end]
    return Span("DATE", start, end, surface, iso=parse_date(surface, report_year))


def find_spans(text: str, report_year: int | None = None, anchored: bool = True) -> list[Span]:
    """Non-overlapping COUNT, MEASURE, DATE and ORG spans of ``text``, sorted by start (method "rules").

    ``anchored=False`` scans with the plain alternation: slower, same result (kept to test that).
    """
    masked = mask(text, exclusions(text, anchored))
    spans: list[Span] = []
    last_end = 0
    for m in scanner(anchored).finditer(masked):
        kind = m.lastgroup
        start, end = m.span()
        if kind == "DATE":
            spans.append(date_span(text, start, end, report_year))
        elif kind.startswith("FIG"):
            spans.append(figure_span(text, start, end))
        elif kind in ("BARE", "LABELLED"):
            spans.append(bare_span(text, start, end))
        elif kind == "ORG":
            org = org_start(masked, start, last_end) if _starts_with_level(masked, start) else start
            if org is None or not_an_organ_here(masked, org, end):
                continue
            spans.append(Span("ORG", org, end, text[org:end]))
        last_end = end
    return spans


@lru_cache(maxsize=1)
def _level_regex() -> re.Pattern[str]:
    return re.compile(alternation(org_config()["levels"]))


@lru_cache(maxsize=1)
def _lexicon_regex() -> re.Pattern[str]:
    return re.compile(alternation(org_config()["lexicon"]))


def _starts_with_level(text: str, start: int) -> bool:
    """Whether an organ match starts with an administrative level (and not with a lexicon entry)."""
    return _level_regex().match(text, start) is not None and _lexicon_regex().match(text, start) is None


# ---------------------------------------------------------------- spaCy component
# Built on first use, so that the rules alone never import spaCy (about half a second of each extract's start-up):
# spaCy reaches the factory through the entry point govreport.spans.rules:make_rules_component, whose attribute
# look-up lands in the module's __getattr__ below, which registers it.

VALUE_FIELDS = ("value", "unit", "multiplier", "approx", "range", "iso")


@dataclass
class RulesComponent:
    """spaCy pipe that writes the rule spans into doc.spans[spans_key] and, optionally, doc.ents.

    Span boundaries are character offsets; with a word-level tokenizer (pkuseg) a span that cuts a token is widened
    to whole tokens (char_span alignment_mode="expand"); when two widened spans then overlap, doc.ents keeps the
    longer one (spacy.util.filter_spans) while doc.spans keeps both. Values sit on the spans' extensions
    (span._.value, unit, multiplier, approx, range, iso). The report year comes from doc.user_data["report_year"],
    else from the component's config. doc.ents is replaced when set_ents is true.
    """

    spans_key: str = "rules"
    set_ents: bool = True
    report_year: int | None = None

    def __call__(self, doc):
        from spacy.util import filter_spans

        year = doc.user_data.get("report_year", self.report_year)
        found = []
        for s in find_spans(doc.text, year):
            span = doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
            if span is None:
                continue
            underscore = span._
            for name in VALUE_FIELDS:
                value = getattr(s, name)
                if value is not None:  # None is every extension's default: skip the write
                    setattr(underscore, name, value)
            found.append(span)
        doc.spans[self.spans_key] = found
        if self.set_ents:
            doc.ents = filter_spans(found)
        return doc


@lru_cache(maxsize=1)
def _rules_factory():
    """The ``govreport_rules`` factory, registered with spaCy (and the span extensions set) on the first call."""
    from spacy.language import Language
    from spacy.tokens import Span as SpacySpan

    for name in VALUE_FIELDS:
        if not SpacySpan.has_extension(name):
            SpacySpan.set_extension(name, default=None)

    @Language.factory(
        "govreport_rules",
        default_config={"spans_key": "rules", "set_ents": True, "report_year": None},
    )
    def make_rules_component(nlp, name: str, spans_key: str, set_ents: bool, report_year: int | None):
        """Factory of the ``govreport_rules`` component: the rules of find_spans as a pipe."""
        return RulesComponent(spans_key=spans_key, set_ents=set_ents, report_year=report_year)

    return make_rules_component


def __getattr__(name: str) -> Any:
    if name == "make_rules_component":
        return _rules_factory()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
