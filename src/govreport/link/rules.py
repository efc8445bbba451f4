"""Figure → indicator relations by rules: lexicon phrases, adjacency, enumerations, shares and scopes.

Every rule reads a compact view of the document text (blanks removed, wrapped PDF lines joined) so that a
phrase broken by a line end still matches; offsets go back to the document text at the end. Patterns,
lexicon, windows and confidences live in configs/link.yml.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from typing import Any

from ..anchored import Alternation, guarded, reads_before_start
from ..config import load_config
from ..indicators import indicator_units, load_indicators
from ..normalize import OffsetMap, map_offset_by_keys, substitute
from ..records import is_partial_scope
from ..types import Span
from .phrase_bounds import (
    after_noun_bracket,
    figure_predicate,
    load_bounds,
    noun_coordination,
    predicate_after,
    refine_phrase,
    skip_words,
    strip_leading,
    title_start,
)

CONFIG = "link.yml"


@dataclass
class Link:
    """A figure tied (or not) to the indicator phrase it measures."""

    figure: Span
    indicator: Span | None
    canonical_id: str | None
    scope: str | None
    relation: str = "measures"
    rule: str = "none"  # the rule that fired: lexicon_before, noun_after, share, enumeration, ... or none
    confidence: float = 0.0
    # why an id the phrase named was not given (share, not_in_spec, narrower, coordinated, partial_scope,
    # other_work, outside_remit): extract counts these in the document's ``dropped``
    withheld: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------------------------------------
# configuration


@dataclass
class _Entry:
    """One lexicon entry: the id (or id template) its phrases name and how the id is resolved."""

    id: str | None
    generic: bool = False
    families: tuple[str, ...] = ()
    ids_by_unit: dict[str, str] = field(default_factory=dict)
    refine_to: re.Pattern[str] | None = None
    context: re.Pattern[str] | None = None  # the id holds only when the figure's sentence before it says this
    whole: bool = False  # names the phrase only as all of it, never as the head of a longer one (X和规范性文件)


@dataclass
class _Rules:
    """configs/link.yml with every pattern compiled once."""

    cfg: dict[str, Any]
    entries: list[_Entry]
    lexicon: re.Pattern[str]
    lexicon_scan: Alternation  # the same phrases, matched only where one can start (see govreport.anchored)
    view_runs: re.Pattern[str]
    sentence_final: re.Pattern[str]
    item_start: re.Pattern[str]
    clause: re.Pattern[str]
    sentence: re.Pattern[str]
    paragraph: re.Pattern[str]
    enumeration_end: re.Pattern[str]
    filler_between: re.Pattern[str]
    filler_after: re.Pattern[str]
    clause_gap: re.Pattern[str]
    conjunction_end: re.Pattern[str]
    share_before: re.Pattern[str]
    change_before: re.Pattern[str]
    sibling_part_separator: re.Pattern[str]
    verb_in_field_name: re.Pattern[str]
    split_in_form: dict[str, frozenset[str]]
    enumeration: re.Pattern[str]
    respectively: re.Pattern[str]
    respectively_split: re.Pattern[str]
    respectively_list: re.Pattern[str]
    strip_prefix: re.Pattern[str]
    strip_suffix: re.Pattern[str]
    phrase_tail: re.Pattern[str]
    bracket_variant: re.Pattern[str]
    verbs: re.Pattern[str]
    verbs_only: re.Pattern[str]
    reject: re.Pattern[str]
    reject_end: re.Pattern[str]
    noun_stop: re.Pattern[str]
    noun_end: re.Pattern[str]
    relative_modifier: re.Pattern[str]
    adjective_modifier: re.Pattern[str]
    noun: re.Pattern[str]
    after_number: re.Pattern[str]
    service_number: re.Pattern[str]
    list_frame: re.Pattern[str]
    scopes: list[tuple[re.Pattern[str], str]]
    scope_any: re.Pattern[str]
    place_subject: re.Pattern[str]
    scope_modifier: re.Pattern[str]
    not_place: re.Pattern[str]
    families: dict[str, re.Pattern[str]]
    unit_class: dict[str, str]
    classifiers: frozenset[str]
    share_units: frozenset[str]
    id_units: dict[str, str]
    part_noun: re.Pattern[str]
    cumulative: re.Pattern[str]
    restated: re.Pattern[str]  # between a figure and its count over the years (，历年累计)
    clause_gap_whole: re.Pattern[str]
    form_row_ambiguous: re.Pattern[str]
    verb_before: re.Pattern[str]  # an action verb (``verbs``) ending where the search ends
    verb_before_figure: re.Pattern[str]  # the same, with what may stand between it and its figure (制发的48件)
    channel_kinds: dict[str, re.Pattern[str]]  # id → channel words, of ``channel_ids.kinds``
    channel_published: re.Pattern[str]  # a phrase ending in what a channel published, said generally
    channel_counted: re.Pattern[str]  # a channel and its count word, no verb (官方微信信息数)
    channel_verb: re.Pattern[str]
    channel_name: re.Pattern[str]  # a name in quotes
    channel_account: re.Pattern[str]  # an account's name in quotes right before its channel
    channel_replaces: re.Pattern[str]
    channel_others: re.Pattern[str]  # other channels: with them a count is over several
    channel_several_total: re.Pattern[str]  # a channel that makes a count over several the total
    channel_clause_stop: re.Pattern[str]
    channel_place_clause: re.Pattern[str]  # a clause that only says where (在某某平台，)
    context_carry: re.Pattern[str]  # a sentence opening that goes on from the sentence before (``context_carry``)
    noun_not_start: re.Pattern[str]  # words that open no counted noun after a figure (``noun_not_start``)
    channel_joiner: re.Pattern[str]  # joins items of what was published (the phrase after its channels)
    reason_rows: _ReasonRows
    with_carried_over: re.Pattern[str]  # a breakdown after a count of requests that holds the carried-over ones
    with_carried_over_ids: frozenset[str]


@dataclass(frozen=True)
class _ReasonRows:
    """configs/link.yml ``reason_rows`` compiled: the result table's rows that a reason in prose names."""

    stop: re.Pattern[str]
    sections: dict[str, re.Pattern[str]]
    reasons: list[tuple[str, re.Pattern[str]]]
    reason_phrase: re.Pattern[str]
    replaces: re.Pattern[str]
    reason_after: re.Pattern[str]
    clause_end: re.Pattern[str]
    context: re.Pattern[str]
    context_chars: int

    @classmethod
    def compile(cls, cfg: dict[str, Any]) -> _ReasonRows:
        reason = "|".join(f"(?:{w})" for w in cfg["reasons"].values())
        return cls(re.compile(cfg["stop"]), {k: re.compile(w) for k, w in cfg["sections"].items()},
                   [(k, re.compile(w)) for k, w in cfg["reasons"].items()],
                   re.compile(cfg["reason_phrase"].replace("{reason}", reason)), re.compile(cfg["replaces"]),
                   re.compile(cfg["reason_after"]), re.compile(cfg["clause_end"]), re.compile(cfg["context"]),
                   int(cfg["context_chars"]))


@lru_cache(maxsize=1)
def load_rules() -> _Rules:
    """Compile configs/link.yml (cached: patterns are compiled once per process)."""
    cfg = load_config(CONFIG)
    p = cfg["phrase_char"]

    def comp(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern.replace("{P}", p))

    def phrase(pattern: str) -> str:
        """A lexicon phrase with its named parts ({ROW}, ``lexicon_parts``) and {P} written out."""
        for name, part in cfg["lexicon_parts"].items():
            pattern = pattern.replace("{" + name + "}", part)
        return pattern.replace("{P}", p)

    entries, parts = [], []
    for i, item in enumerate(cfg["lexicon"]):
        refine = re.compile(item["refine_to"]) if item.get("refine_to") else None
        entries.append(_Entry(item.get("id"), bool(item.get("generic")), tuple(item.get("families", ())),
                              dict(item.get("ids_by_unit", {}) or {}), refine,
                              re.compile(item["context"]) if item.get("context") else None, bool(item.get("whole"))))
        parts.append((f"e{i}", "|".join("(?:" + phrase(x) + ")" for x in item["phrases"])))
    lexicon_source = "|".join(f"(?P<{name}>{pattern})" for name, pattern in parts)
    lexicon = guarded(lexicon_source)  # a hundred alternatives: about 5x faster behind the look
    if lexicon.groups != len(entries):
        raise ValueError(f"{CONFIG}: lexicon phrases must not contain capturing groups")
    if reads_before_start(lexicon_source):
        # phrases are looked up on their own (_entry_of, _head_entry), so what precedes them must not matter
        raise ValueError(f"{CONFIG}: lexicon phrases must not look behind them (lookbehind, ^, \\b)")
    # no digit-run skip: that shortcut rests on the span rules' lookbehinds, which lexicon phrases lack
    lexicon_scan = Alternation(parts, skip_digit_runs=False)
    view = cfg["view"]
    # blanks between ASCII letters or digits (kept as one blank: "hk"), other blanks (dropped: "h"); told apart by
    # the regex, not by a look at the characters around each of a report's blanks
    blank = "[ \\t\\u00a0\\u3000]"
    runs = guarded(f"(?P<page>{view['page_number_line']})|(?P<nl>{blank}*\\n\\s*)"
                   f"|(?P<hk>(?<=[A-Za-z0-9]){blank}+(?=[A-Za-z0-9]))|(?P<h>{blank}+)")
    scopes = [(re.compile(s["pattern"]), s["scope"]) for s in cfg["scopes"]]
    unit_class = {u: name for name, units in cfg["unit_classes"].items() for u in units}
    id_units = indicator_units()
    return _Rules(
        cfg=cfg,
        entries=entries,
        lexicon=lexicon,
        lexicon_scan=lexicon_scan,
        view_runs=runs,
        sentence_final=re.compile(view["sentence_final"] + "$"),
        item_start=re.compile(view["item_start"]),
        clause=re.compile(cfg["boundaries"]["clause"]),
        sentence=re.compile(cfg["boundaries"]["sentence"]),
        paragraph=re.compile(cfg["boundaries"]["paragraph"]),
        enumeration_end=re.compile(f"[{re.escape(cfg['enumeration_sentence_ends'])}]"),
        context_carry=re.compile(cfg["context_carry"]),
        noun_not_start=re.compile(cfg["noun_not_start"]),
        filler_between=comp(cfg["filler_between"]),
        filler_after=comp(cfg["filler_after"]),
        clause_gap=comp(cfg["clause_gap"]),
        conjunction_end=comp(cfg["conjunction_end"]),
        share_before=comp(cfg["share_before"]),
        change_before=comp(f"(?:{cfg['change']['before']})$"),
        sibling_part_separator=comp(cfg["sibling_part_separator"]),
        verb_in_field_name=comp(cfg["verb_in_field_name"]),
        split_in_form={form: frozenset(ids) for form, ids in cfg["split_in_form"].items()},
        enumeration=comp(cfg["enumeration_markers"]),
        respectively=comp(cfg["respectively_marker"]),
        respectively_split=comp(cfg["respectively_item_split"]),
        respectively_list=comp(cfg["respectively_figure_list"]),
        strip_prefix=comp("(?:" + cfg["strip_prefix"].replace("\n", "").replace(" ", "") + ")"),
        strip_suffix=comp(cfg["strip_suffix"]),
        phrase_tail=comp(f"(?:{p}|[“”])+$"),
        bracket_variant=comp(f"{cfg['bracket_variant']}$"),
        verbs=comp(cfg["verbs"]),
        verbs_only=comp(f"(?:{cfg['verbs']}|{cfg['verb_fillers']})+"),
        reject=comp(cfg["reject_phrase"]),
        reject_end=comp(cfg["reject_end"]),
        noun_stop=comp(cfg["noun_stop"]),
        noun_end=comp(cfg["noun_end"]),
        relative_modifier=comp(cfg["relative_modifier"]),
        adjective_modifier=comp(cfg["adjective_modifier"]),
        noun=comp(f"[A-Za-z]*{p}+"),
        after_number=comp(cfg["after_number"]),
        service_number=comp(cfg["service_number"]),
        list_frame=comp(cfg["list_frame"]),
        scopes=scopes,
        scope_any=re.compile("|".join(f"(?:{s['pattern']})" for s in cfg["scopes"])),
        place_subject=re.compile(cfg["body"]["place"]),
        scope_modifier=re.compile(cfg["scope_modifier"]),
        not_place=re.compile(cfg["body"]["not_place"]),
        families={name: re.compile(kw) for name, kw in cfg["family_keywords"].items()},
        unit_class=unit_class,
        classifiers=frozenset(cfg["classifier_units"]),
        share_units=frozenset(cfg["share_units"]),
        id_units=id_units,
        part_noun=comp(cfg["part_noun"]),
        cumulative=comp(cfg["cumulative"]),
        restated=comp(cfg["restated"]),
        clause_gap_whole=comp(cfg["clause_gap_whole"]),
        form_row_ambiguous=comp(cfg["form_row_ambiguous"]),
        verb_before=comp(f"(?:{cfg['verbs']})(?:了)?$"),
        verb_before_figure=comp(f"(?:{cfg['verbs']})(?:{cfg['verb_figure_fillers']})?$"),
        **_channel_patterns(cfg["channel_ids"]),
        reason_rows=_ReasonRows.compile(cfg["reason_rows"]),
        with_carried_over=comp(cfg["with_carried_over"]["after"]),
        with_carried_over_ids=frozenset(cfg["with_carried_over"]["ids"]),
    )


def _channel_patterns(ch: dict[str, Any]) -> dict[str, Any]:
    """The compiled patterns of configs/link.yml ``channel_ids`` (see _channel_id)."""
    channels = "|".join(f"(?:{w})" for w in ch["kinds"].values())
    return {
        "channel_kinds": {cid: re.compile(words) for cid, words in ch["kinds"].items()},
        # what was published, right after the verb, the channel's name or at the phrase's start; or nothing after
        # the verb right after the channel (其中网站公布194条，微信公众号公布4条: the items of what was published)
        "channel_published": re.compile(f"(?:^|(?:{ch['verbs']})(?:了|的)?|(?:{channels})[”\"》]?)(?:{ch['published']})$"
                                        f"|(?:{channels})[”\"》]?(?:{ch['verbs']})(?:了)?(?:{ch['count_words']})?$"
                                        f"|^(?:{ch['verbs']})(?:{ch['count_words']})$"),
        # the channel's count named without a verb (官方微信信息数30条: the pre-2019 form's rows)
        "channel_counted": re.compile(f"(?:{channels})[”\"》]?(?:{ch['counted']})$"),
        "channel_verb": re.compile(ch["verbs"]),
        # an account's name followed by its channel: the channel words inside the name are no channel
        "channel_name": re.compile(ch["account_name"]),
        "channel_account": re.compile(f"{ch['account_name']}(?=(?:{channels}))"),
        "channel_replaces": re.compile(ch["replaces"]),
        "channel_others": re.compile(ch["others"]),
        "channel_several_total": re.compile(ch["several_total"]),
        "channel_clause_stop": re.compile(ch["clause_stop"]),
        "channel_place_clause": re.compile(ch["place_clause"]),
        "channel_joiner": re.compile(ch["joiner"]),
    }


# --------------------------------------------------------------------------------------------------------
# compact view


@dataclass
class View:
    """The text without layout blanks, with maps both ways (view offset ↔ text offset)."""

    text: str
    to_text: OffsetMap
    to_view: OffsetMap

    def __post_init__(self):
        # each map's breakpoint offsets apart, so that offsets are bisected among ints, not (offset, offset) pairs:
        # every span and phrase of a report is mapped
        self._text_keys = [v for v, _ in self.to_text]
        self._view_keys = [t for t, _ in self.to_view]

    def text_start(self, v: int) -> int:
        return map_offset_by_keys(self._text_keys, self.to_text, v)

    def text_end(self, v: int) -> int:
        return map_offset_by_keys(self._text_keys, self.to_text, v - 1) + 1 if v > 0 else 0

    def view_start(self, t: int) -> int:
        return map_offset_by_keys(self._view_keys, self.to_view, t)

    def view_end(self, t: int) -> int:
        return map_offset_by_keys(self._view_keys, self.to_view, t - 1) + 1 if t > 0 else 0


# ASCII letters and digits: a blank between two of them is kept (a set: looked up for every blank of a text)
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


@lru_cache(maxsize=4)
def compact_view(text: str) -> View:
    """Blanks removed (one kept between ASCII letters/digits), soft line wraps joined, page numbers dropped."""
    rules = load_rules()
    min_line = rules.cfg["view"]["soft_break_min_line"]
    # called for every blank run of a report: names bound once
    alnum, sentence_final, item_start = _ALNUM, rules.sentence_final.search, rules.item_start.match

    def repl(m: re.Match[str]) -> str:
        kind = m.lastgroup
        if kind == "h":
            return ""
        if kind == "hk":
            return " "  # substitute() keeps a match replaced by itself as it is
        s, (a, b) = m.string, m.span()
        after = s[b:b + 1]
        glue = " " if after in alnum and s[a - 1:a] in alnum else ""
        if kind == "nl" and m.group(0).count("\n") > 1:
            return "\n"
        line = s[s.rfind("\n", 0, a) + 1:a]
        soft = len(line) >= min_line and not sentence_final(line) and after != "" and not item_start(s, b)
        return glue if soft else "\n"

    view, to_text = substitute(text, rules.view_runs, repl)
    to_view = sorted((t, v) for v, t in to_text)
    return View(view, to_text, to_view)


# --------------------------------------------------------------------------------------------------------
# indicator phrases


@dataclass
class _Cand:
    """An indicator phrase in view offsets."""

    start: int
    end: int
    entry: _Entry | None
    kb_id: str | None = None
    span: Span | None = None


def _lexicon_candidates(view: str) -> list[_Cand]:
    """Every lexicon phrase of the view, leftmost-first and non-overlapping."""
    rules = load_rules()
    entries = rules.entries
    reach = 2 * rules.cfg["windows"]["max_phrase"]
    # a phrase found inside a title starts at its opening (通过《某州政报》公开: 政报公开 is the lexicon's)
    return [_Cand(title_start(view, max(0, m.start() - reach), m.start()) if "》" in m.group() else m.start(), m.end(),
                  entries[int(m.lastgroup[1:])]) for m in rules.lexicon_scan.finditer(view)]


@lru_cache(maxsize=1 << 14)  # the same phrases come back in every report
def _entry_of(phrase: str) -> _Entry | None:
    """The lexicon entry of a phrase that is exactly one lexicon phrase, else None."""
    rules = load_rules()
    m = rules.lexicon.fullmatch(phrase)
    return rules.entries[int(m.lastgroup[1:])] if m else None


def _family_by_keyword(view: str, pos: int, families: tuple[str, ...], window: int) -> str | None:
    """The family whose keyword occurs last before ``pos`` (within ``window`` characters), else None: no family is
    guessed (不同意公开…其中…其他情形2件 is neither a review's nor a lawsuit's)."""
    rules = load_rules()
    lo = max(0, pos - window)
    def last(candidates) -> str | None:
        best, best_pos = None, -1
        for fam in candidates:
            for m in rules.families[fam].finditer(view, lo, pos):
                if m.start() > best_pos:
                    best, best_pos = fam, m.start()
        return best

    best = last(f for f in families if not any(f.startswith(g + ".") for g in families))
    # a branch of it named in the window too (未经复议直接起诉的行政诉讼5件，判决维持3件: the direct suits')
    return (last(f for f in families if best and f.startswith(best + ".")) or best) if best else None


def _keyword_lead(view: str, phrase_start: int, entry: _Entry) -> int:
    """Where a family keyword ending right at the phrase's start begins (行政复议 of 行政复议结果维持), else the
    phrase's start."""
    rules = load_rules()
    lo = max(0, phrase_start - rules.cfg["windows"]["family_lead"])
    leads = [m.start() for fam in entry.families for m in rules.families[fam].finditer(view, lo, phrase_start)
             if m.end() == phrase_start]
    return min(leads, default=phrase_start)


def _static_id(entry: _Entry | None, view: str, pos: int) -> str | None:
    """The id of an entry without figure context (family from the nearest keyword, default unit)."""
    if entry is None or entry.id is None:
        return None
    if entry.families:
        family = _family_by_keyword(view, pos, entry.families, load_rules().cfg["windows"]["enumeration"])
        return entry.id.format(family=family) if family else None
    return entry.id


def find_indicator_spans(text: str) -> list[Span]:
    """INDICATOR spans of the lexicon in ``text``, each with its canonical id (kb_id) when it has one."""
    view = compact_view(text)
    label = load_rules().cfg["labels"]["indicator"]
    spans = []
    for c in _lexicon_candidates(view.text):
        start, end = view.text_start(c.start), view.text_end(c.end)
        spans.append(Span(label, start, end, text[start:end], kb_id=_static_id(c.entry, view.text, c.start)))
    return spans


# --------------------------------------------------------------------------------------------------------
# linking


@dataclass
class _Fig:
    """A figure in view offsets with the link found for it."""

    span: Span
    start: int
    end: int
    link: Link | None = None
    cand: _Cand | None = None  # the indicator phrase of the link, in view offsets
    entry: _Entry | None = None
    parent: _Fig | None = None  # the figure an enumeration marker before this one refers back to
    # what the figure stands for up its chain of parents (see _chain_root), remembered once found
    root: _Fig | None = field(default=None, repr=False, compare=False)
    id_root: _Fig | None = field(default=None, repr=False, compare=False)
    # the figure counts a narrower thing than its phrase's category (_counts_narrower): its id is withheld at the
    # end, after the enumeration items under it took their family from it
    narrower: bool = False
    # the phrase coordinates other items with its lexicon head (_coordinates_others): the id is withheld likewise
    coordinated: bool = False
    # the figure of a relative clause counts a part of the noun after it, of another family than its phrase's id
    # (_part_of_other_family): no id, not even a learned one
    part_of_other: bool = False
    # a share listed after 分别占 takes the figure of the same place in the list before it (_respective_shares)
    share_of: _Fig | None = field(default=None, repr=False, compare=False)
    # the rest of the counted noun after the units this figure counts (45个部门职权事项3013项: 职权事项), what the
    # next figure counts (_units_before_next_figure)
    rest: tuple[int, int] | None = None


class _Boundaries:
    """Clause, sentence and paragraph boundary positions of the view, and those of the sentence ends an
    enumeration marker does not reach over (configs/link.yml ``enumeration_sentence_ends``)."""

    def __init__(self, view: str, rules: _Rules):
        self.view = view
        self.clause = [m.start() for m in rules.clause.finditer(view)]
        self.sentence = [m.start() for m in rules.sentence.finditer(view)]
        self.para = [m.start() for m in rules.paragraph.finditer(view)]
        self.enumeration_end = [m.start() for m in rules.enumeration_end.finditer(view)]

    def subject_start(self, ss: int, cs: int) -> int:
        """Where the subject of a clause starting at ``cs`` (in a sentence starting at ``ss``) starts: before the
        opening bracket when the clause starts right after a closing one, which is then inside the subject
        (县（市、区）858件, 乡镇（街道）12个), else at ``cs``."""
        if cs <= ss or self.view[cs - 1] not in ")）":
            return cs
        opening = max(self.view.rfind("(", ss, cs - 1), self.view.rfind("（", ss, cs - 1))
        return self.before(self.clause, opening) if opening >= ss else cs

    @staticmethod
    def before(points: list[int], pos: int) -> int:
        """Start of the unit containing ``pos`` (just after the last boundary before it)."""
        i = bisect_left(points, pos) - 1
        return points[i] + 1 if i >= 0 else 0

    @staticmethod
    def after(points: list[int], pos: int, default: int) -> int:
        """Position of the first boundary at or after ``pos``."""
        i = bisect_left(points, pos)
        return points[i] if i < len(points) else default


def _unit_class(unit: str | None) -> str | None:
    return load_rules().unit_class.get(unit) if unit else None


def _resolve_id(entry: _Entry | None, kb_id: str | None, fig: _Fig, parent: _Fig | None, view: str,
                heading_id=None, phrase_start: int | None = None) -> str | None:
    """Canonical id of an indicator phrase for this figure: family, unit and enumeration parent applied.

    ``heading_id(pattern)`` gives the id of the last phrase before the figure in its paragraph whose id
    matches ``pattern`` (for generic phrases that restate a heading).
    """
    rules = load_rules()
    if entry is None:
        return kb_id
    if entry.id is None:
        return None
    uclass = _unit_class(fig.span.unit)
    if uclass in entry.ids_by_unit:
        return entry.ids_by_unit[uclass]
    parent_id = parent.link.canonical_id if parent and parent.link else None
    if entry.families:
        # a family keyword inside the phrase names its family before the parent does (公开行政许可决定 after 行政处罚…),
        # and so does one written right before it (其中行政复议结果维持5件 after 行政诉讼案件3件: unseen real reports)
        fam = (_family_by_keyword(view, fig.start, entry.families, fig.start - _keyword_lead(view, phrase_start, entry))
               if phrase_start is not None else None)
        if fam is not None:  # and a branch of it named before (…直接起诉，法院判决驳回原告诉讼请求2件)
            fam = _family_by_keyword(view, fig.start, tuple(f for f in entry.families if f == fam or f.startswith(fam + ".")),
                                     rules.cfg["windows"]["enumeration"]) or fam
        family = None if fam or not parent_id else max(
            (f for f in entry.families if parent_id == f or parent_id.startswith(f + ".")), key=len, default=None)
        if family is not None:
            # the parent's own branch where the spec has the id there (litigation.direct.total → litigation.direct.upheld)
            fam = parent_id.rsplit(".", 1)[0]
            if entry.id.format(family=fam) not in load_indicators():
                fam = family
        if fam is None:
            fam = _family_by_keyword(view, fig.start, entry.families, rules.cfg["windows"]["enumeration"])
        return entry.id.format(family=fam) if fam else None
    if parent_id:
        if entry.refine_to is not None and entry.refine_to.search(parent_id):
            return parent_id
        if entry.generic and entry.refine_to is None and parent_id.split(".")[0] == entry.id.split(".")[0]:
            return parent_id
    if entry.generic and entry.refine_to is not None and heading_id is not None:
        return heading_id(entry.refine_to) or entry.id
    return entry.id


def admissible_id(canonical_id: str | None, unit: str | None, form: str | None) -> tuple[str | None, str | None]:
    """The id a figure may carry, and why none when the phrase named one: ``not_in_spec`` (an id the spec lacks:
    {family}.pending of litigation, which the spec splits by the suit's kind; or one the report's form splits with no
    total, configs/link.yml ``split_in_form``) or ``share`` (a share of a count).

    The table form limits what the table parser reads, not what the narrative may report: a v2021 report
    that says how many items its website published still measures active.via.website (``form_ids`` has
    already mapped concepts the form names differently). The indicator phrase keeps its id either way;
    only the figure → id link is withheld, because a record built from it would put a share under the id.
    """
    if canonical_id is None:
        return None, None
    indicator = load_indicators().get(canonical_id)
    rules = load_rules()
    if indicator is None or canonical_id in rules.split_in_form.get(form or "", ()):
        return None, "not_in_spec"
    if rules.unit_class.get(unit or "") == "share" and rules.unit_class.get(indicator.unit or "") != "share":
        return None, "share"  # 占82.84%: its value is no value of the id
    return canonical_id, None


def body_id(canonical_id: str | None, scope: str | None, organ: str | None = None) -> str | None:
    """The id a figure of ``scope`` may carry: none when the scope is a part of the reporting body (part_of_body).

    Every id of configs/indicators.yml is a statistic of the whole body (guidelines 2.4): 其中市本级…157693条
    is not the city's active.total.
    """
    return None if canonical_id is None or part_of_body(scope, organ) else canonical_id


def part_of_body(scope: str | None, organ: str | None = None) -> bool:
    """Whether a figure of ``scope`` counts only part of the reporting body: the one reading the linker's ids
    (body_id), the merge of records and the count of withheld ids share.

    Scopes the qualifiers of configs/link.yml name (市本级, 各乡镇, 市直单位; whole ones are configs/records.yml
    ``whole_scopes``) are parts, and so is an office inside the body (``part_organ``); so is an organ or place in
    subject position that is not the reporting ``organ`` (市教育局 in a city government's report, a county of the
    city), when the organ is known. Without it an organ subject is no part: it is often the reporting organ itself.
    """
    if not scope or not is_partial_scope(scope):
        return False
    rules = load_rules()
    if rules.cfg.get("part_organ") and re.search(rules.cfg["part_organ"], scope):
        return True  # an office inside the body (县政务公开办…主动公开信息数为47条): its own count
    if rules.scope_any.fullmatch(scope):
        return True
    return bool(organ) and not stands_for_body(scope, organ)


def remit_id(canonical_id: str | None, organ: str | None) -> str | None:
    """The id, or none when it is outside the remit of the reporting organ's kind (configs/link.yml ``remit``): a
    tax bureau's 减免 are tax reliefs, not waived disclosure fees (fees.waived)."""
    if canonical_id is None or not organ:
        return canonical_id
    for kind in load_rules().cfg.get("remit", ()):
        if re.search(kind["organ"], organ) and re.search(kind["outside"], canonical_id):
            return None
    return canonical_id


def work_id(canonical_id: str | None, sentence: Callable[[], str]) -> str | None:
    """The id of a figure, or none when its sentence (``sentence()``, read only for the ids it concerns) is about
    other work than the id's (configs/link.yml ``other_work``): 共受理申请N件 in a sentence about an approval hall
    counts approval applications, not disclosure requests (guidelines 2.4: figures about other work get no id)."""
    if canonical_id is None:
        return None
    rules = load_rules()
    for family in rules.cfg.get("other_work", ()):
        if canonical_id.split(".")[0] not in family["families"]:
            continue
        text = sentence()
        if re.search(family["keywords"], text) and not re.search(family["unless"], text):
            return None
    return canonical_id


def stands_for_body(name: str, organ: str) -> bool:
    """Whether an organ or place named in subject position is the reporting ``organ`` itself: its own name or place
    (临沧市人民政府, 临沧市), its government or general office at its level (市政府, 区管委会, 市政府办公室), or a
    short form of its name (市科委 for 上海市科学技术委员会). Another organ (市教育局), another level (省政府
    in a city's report) or another place (沧源自治县 in the city's report) is not. Patterns: configs/link.yml ``body``.
    """
    cfg = load_rules().cfg["body"]
    if name in organ or organ in name:
        return True
    place = re.match(cfg["place"], name)
    if place and place.group(0) not in organ:
        return False  # another place's organ or the place itself
    rest = name[place.end():] if place else name
    level = rest[:1] if rest[:1] in cfg["levels"] else None
    own = re.search(cfg["organ_level"], organ)
    if level and own and level != own.group(1):
        return False  # another level: 省政府 in a city's report
    core = rest[1:] if level else rest
    if re.fullmatch(cfg["government"], core):
        return True
    it = iter(organ)
    return bool(core) and all(ch in it for ch in core)  # the organ's name shortened: 科委 in 科学技术委员会


def _fits_unit(canonical_id: str | None, unit: str | None) -> bool:
    """Whether a figure's unit is of the same class as the canonical indicator's unit."""
    if canonical_id is None or unit is None:
        return True
    rules = load_rules()
    fig_class = rules.unit_class.get(unit)
    ind_class = rules.unit_class.get(rules.id_units.get(canonical_id) or "")
    if fig_class == "share":
        return True  # a share measures the same indicator
    also = (*rules.cfg.get("unit_class_fits", {}).get(ind_class, ()),
            *rules.cfg.get("family_unit_fits", {}).get(canonical_id.split(".")[0], ()))
    return fig_class is None or ind_class is None or fig_class == ind_class or fig_class in also


def _scope_name(found: str) -> str:
    """A matched scope qualifier normalised by configs/link.yml (各县(市、区) → 县市区)."""
    for pattern, template in load_rules().scopes:
        if pattern.fullmatch(found):
            return template.replace("{m}", found).replace("{first}", found[0])
    return found


def _subject_scope(view: str, lo: int, hi: int, org_at: dict[int, str], organ: str | None = None) -> str | None:
    """The scope in subject position of the clause view[lo:hi]: a scope qualifier, an ORG span, or (when the
    reporting ``organ`` is known) a place that is not the organ's own (沧源自治县收到行政诉讼案件2件 in a city's
    report: guidelines 2.4, a place inside the body that no normalised scope names)."""
    rules = load_rules()
    m = rules.strip_prefix.match(view, lo, hi)
    pos = m.end() if m else lo
    m = rules.scope_any.match(view, pos, hi)
    if m and m.end() > pos:
        if rules.scope_modifier.match(view, m.end(), hi):
            return None  # 县直部门和乡镇的分管领导…约300人: the scope words describe the counted people, not the body
        return _scope_name(m.group(0))
    org = org_at.get(pos)
    joint = pos + len(org or "")
    if org and view[joint:joint + 1] in rules.cfg["organ_joiners"] and joint + 1 in org_at:
        # 市政府办、市政务公开办主动公开信息数为47条: the coordinated organs together are the subject
        org = org + view[joint] + org_at[joint + 1]
    if org is None and organ:
        place = rules.place_subject.match(view, pos, hi)
        if place and _named_place(place.group(0), org_at) and not stands_for_body(place.group(0), organ):
            return place.group(0)
    return org


def _named_place(name: str, org_at: dict[int, str]) -> bool:
    """Whether ``name`` is a place the text names as a jurisdiction: an autonomous county, prefecture or banner
    (自治县, unambiguous), or the place at the start of one of the text's ORG spans (沧源自治县人民政府, 镇康县政府)."""
    rules = load_rules()
    if rules.not_place.search(name):
        return False
    if re.search(rules.cfg["body"]["named_place"], name):
        return True
    return any(org.startswith(name) and org != name for org in org_at.values())


def _scope(bounds: _Boundaries, ss: int, cs: int, fs: int, subject: Callable[[int, int], str | None],
           scoped_clause: Callable[[int, int], int]) -> str | None:
    """The figure's scope: subject of its own clause, else of the nearest earlier clause of its sentence that starts
    within ``windows.scope`` characters before the figure.

    ``subject(lo, hi)`` is _subject_scope of view[lo:hi] (remembered, so that the figures of a sentence read each
    earlier clause once); ``scoped_clause(k, floor)`` is the last whole clause at or before clause k (the one after
    boundary k) that has a subject scope and starts at or after ``floor``, or -1.
    """
    scope = subject(cs, fs)
    if scope is not None:
        return scope
    clause = bounds.clause
    floor = max(ss, fs - load_rules().cfg["windows"]["scope"])
    k = bisect_left(clause, cs) - 1
    end = cs
    if k >= 0 and clause[k] >= floor:
        scope = subject(clause[k] + 1, end)  # the rest of the figure's clause before ``cs``
        if scope is not None:
            return scope
        j = scoped_clause(k - 1, floor)
        if j >= 0:
            return subject(clause[j] + 1, clause[j + 1])
        end = clause[bisect_left(clause, floor)]  # the first clause of the window ends there
    return subject(ss, end) if floor == ss < end else None


def _left_phrase(view: str, cs: int, fs: int) -> tuple[int, int] | None:
    """The phrase naming what is counted, read from the clause before a figure (view offsets), or None."""
    rules = load_rules()
    win = rules.cfg["windows"]
    variant = rules.bracket_variant.search(view, max(0, cs - 5), cs)
    if variant and (head := rules.phrase_tail.search(view, max(0, variant.start() - win["left"]), variant.start())):
        cs = head.start()  # the clause "starts" at a bracket that is a variant inside the phrase: 到人(户)资金
    lo = max(cs, fs - win["left"])
    seg = view[lo:fs]
    if rules.conjunction_end.search(seg):
        return None
    end = len(seg)
    m = rules.strip_suffix.search(seg)
    if m:
        end = m.start()
    share = rules.share_before.search(seg)
    if share and share.start() >= 2 and "占" in share.group():
        # 网络申请占申请总数的65.1%: the whole after 占 is the share's base, the subject before it what is measured
        end = share.start()
    if end and seg[end - 1] == "》":
        # a title counted by issues or copies: 编印《咸宁市人民政府公报》5期 (a long one opens before the window)
        opening = view.rfind("《", max(cs, lo + end - 2 * win["max_phrase"]), lo + end)
        if opening >= 0:
            return opening, lo + end
    tail = rules.phrase_tail.search(seg, 0, end)
    if not tail:
        return None
    pos = tail.start()
    variant = rules.bracket_variant.search(seg, 0, pos)
    if variant and variant.end() == pos and (head := rules.phrase_tail.search(seg, 0, variant.start())):
        pos = head.start()  # 到人(户)资金: a bracketed variant inside the phrase (as 101户(次), guidelines 1)
    number = rules.service_number.search(seg, max(0, pos - 5), end)
    inside_number = 0
    if number and number.end() == pos:
        # a hotline's number is part of its name (受理12345政务服务便民热线转办件): the phrase goes on before it, and
        # the number counts as one word in its length
        head = rules.phrase_tail.search(seg, 0, number.start())
        inside_number = len(number.group(0)) - 1
        if end - (head.start() if head else number.start()) - inside_number <= win["max_phrase"]:
            pos = head.start() if head else number.start()
        else:
            inside_number = 0  # too long with what stands before the number: the name after it, as before
    elif pos and seg[pos - 1].isdigit():
        m = rules.after_number.match(seg, pos, end)
        pos = m.end() if m else pos
    for _ in range(6):  # prefix words and scope words alternate: 2016年,全市各级行政机关共...
        before = pos
        m = rules.strip_prefix.match(seg, pos, end)
        if m and m.end() > pos:
            pos = m.end()
        m = rules.scope_any.match(seg, pos, end)
        if m and m.end() > pos:
            pos = m.end()
        if pos == before:
            break
    frames = list(rules.list_frame.finditer(seg, pos, end))
    if frames and end - frames[-1].end() >= 2:
        pos = frames[-1].end()  # 主要受理方式为信函3件: the item, not the category's name and its copula
    if end - pos - inside_number > win["max_phrase"]:
        # too long for a phrase: from its last verb, else its last characters (the head noun is at the end)
        last = None
        for m in rules.verbs.finditer(seg, pos, end):
            if not rules.verb_in_field_name.search(seg, pos, m.end()):
                last = m  # not the 公开 of a field's name (办理依申请公开事项, 更新政务公开专栏信息)
        if last is not None and 2 <= end - last.start() <= win["max_phrase"] + win["verb_phrase_extra"]:
            pos = last.start()
        else:
            pos = end - win["max_phrase"]
    phrase = seg[pos:end]
    if len(phrase) < 2 or rules.reject.match(phrase) or rules.reject_end.search(phrase):
        return None
    start = lo + pos
    reach = max(cs, lo + end - 2 * win["max_phrase"])
    bounds = load_bounds()
    if (start > cs and view[start - 1] == "》" and lo + end - start <= bounds.title_channel_max_chars
            and bounds.channel_bare_count.search(view, start, lo + end)):
        # a title right before a channel's bare verb is the channel that makes the count: 《某某财政》刊物公开58条
        opening = title_start(view, reach, start - 1)
        if opening < start - 1 and not bounds.title_cited.search(view, max(cs, opening - 4), opening):
            start = opening
    return title_start(view, reach, start), lo + end


def _noun_after(view: str, fig: _Fig, ce: int, any_unit: bool = False, long: bool = False,
               places: tuple[str, ...] = ()) -> tuple[int, int] | None:
    """The counted noun right after a figure with a classifier unit ("1486件申请中" → 申请), or None.

    ``any_unit`` also reads it after verbal units (召开3次…新闻发布会, 组织开展8期《政风行风热线》); ``long`` reads
    it as far as windows.bare_verb_noun (after a bare verb, which alone names no count). The noun is read after the
    reporting body's place name in it (``places``, _after_body_place: its modifiers before the place are out too).
    """
    rules = load_rules()
    if not any_unit and fig.span.unit not in rules.classifiers:
        return None
    win = rules.cfg["windows"]
    reach, longest = (win["bare_verb_noun"], win["bare_verb_noun"]) if long else (win["right"], win["max_noun"])
    hi = min(ce, fig.end + reach)
    if view.startswith("《", fig.end):
        closing = view.find("》", fig.end, fig.end + 2 * rules.cfg["windows"]["max_phrase"])
        return (fig.end, closing + 1) if closing > 0 else None
    start = fig.end
    if rules.noun_not_start.match(view, start, hi):
        return None  # “H5”解读2条以及动漫解读2条: a conjunction after the figure opens the next item, not its noun
    m = rules.noun.match(view, start, hi)
    if m and places and (start := _after_body_place(view, fig.end, m.end(), places)) > fig.end:
        hi = min(ce, start + reach)
        m = rules.noun.match(view, start, hi)
    if not m:
        return None
    end = m.end()
    de = view.find("的", start, end)
    if de > start and (rules.relative_modifier.search(view, start, de) or rules.adjective_modifier.fullmatch(view, start, de)):
        # 2个无人维护或重复建设的政务新媒体: a negated predicate before 的 describes the counted noun after it
        # (guidelines 1: a counted noun after its figure is the INDICATOR, with its modifiers)
        head = rules.noun.match(view, de + 1, min(ce, de + 1 + reach))
        head_stop = rules.noun_stop.search(view, de + 1, head.end()) if head else None
        head_end = head_stop.start() if head_stop else (head.end() if head else de + 1)
        if head_end - de - 1 >= 2 and head_end - start <= 2 * longest:
            return start, head_end
    stop = rules.noun_stop.search(view, start, end)
    if stop:
        end = stop.start()
    tail = rules.noun_end.search(view, start, end)
    if tail:
        end = tail.start()
    if end == hi < ce and rules.noun.match(view, hi, hi + 1):
        return None  # the noun runs on past the window: cut there, it would not be the noun
    if end - start < 1 or end - start > longest:
        return None
    return start, end


def _enumeration_parent(figs: list[_Fig], i: int, view: str, bounds: _Boundaries) -> tuple[_Fig | None, re.Match | None]:
    """The figure an enumeration marker before figure ``i`` refers back to, and the marker."""
    rules = load_rules()
    fig = figs[i]
    ps = _Boundaries.before(bounds.para, fig.start)
    lo = max(ps, fig.start - rules.cfg["windows"]["enumeration"])
    # the marker must sit in this sentence or open it: no sentence end (。) between marker and figure (the last one
    # in the window, by bisection: looking for each end mark in the window of each figure was a tenth of linking)
    k = bisect_left(bounds.enumeration_end, fig.start) - 1
    period = bounds.enumeration_end[k] if k >= 0 and bounds.enumeration_end[k] >= lo else -1
    marker = None
    for marker in rules.enumeration.finditer(view, lo, fig.start):
        pass
    if marker is None or marker.start() < period:
        return None, None
    for j in range(i - 1, -1, -1):
        prev = figs[j]
        if prev.start < lo:
            break
        if prev.start < marker.start() and prev.link and prev.link.indicator and prev.link.rule != "share":
            # a part of an earlier enumeration (县市区受理申请1113件) stands for the whole it belongs to, and
            # a new enumeration after a finished one (。从申请的内容看) breaks down the same whole again
            new_view = marker.group(0)[0] in "从按" or rules.sentence.search(view, prev.end, marker.start())
            return _chain_root(prev, same_id=not new_view), marker
    return None, marker


def _chain_root(fig: _Fig, same_id: bool) -> _Fig:
    """The figure ``fig`` stands for up its chain of enumeration parents: the top of the chain, or with ``same_id``
    the last parent reached while each parent carries the same canonical id.

    Chains are fixed once their figures are linked, so each figure remembers its root: climbing the whole chain
    again for every item of a long run of enumerations (其中…其中…) made linking quadratic.
    """
    attr = "id_root" if same_id else "root"
    path, f = [], fig
    while getattr(f, attr) is None:
        p = f.parent
        if p is None or p.link is None or (same_id and not (f.link.canonical_id
                                                            and p.link.canonical_id == f.link.canonical_id)):
            setattr(f, attr, f)
            break
        path.append(f)
        f = p
    root = getattr(f, attr)
    for g in path:
        setattr(g, attr, root)
    return root


def _respectively(view: str, figs: list[_Fig], fig_starts: list[int], i: int, marker: re.Match,
                  bounds: _Boundaries) -> tuple[int, int, bool] | None:
    """For "A、B分别为N1、N2": the item before 分别 that pairs with figure ``i`` (view offsets) and whether it is the
    first, or None."""
    rules = load_rules()
    m = rules.respectively.match(view, marker.start())
    if not m:
        return None
    # the figures after the marker in its sentence, listed one after the other (412件、97件和38件; not the 17件 of
    # a clause after them, 其余17件为…): a slice of the sorted figures
    first = bisect_left(fig_starts, m.end())
    in_sentence = bisect_left(fig_starts, _Boundaries.after(bounds.sentence, m.end(), len(view)))
    last = min(in_sentence, first + 1)
    while last < in_sentence and rules.respectively_list.fullmatch(view, figs[last - 1].end, figs[last].start):
        last += 1
    if not first <= i < last:
        return None
    lo = max(_Boundaries.before(bounds.sentence, marker.start()), marker.start() - rules.cfg["windows"]["left"])
    cut = max(view.rfind("，", lo, marker.start()), view.rfind(",", lo, marker.start()))
    lo = max(lo, cut + 1)
    items, pos = [], lo
    for sep in rules.respectively_split.finditer(view, lo, marker.start()):
        items.append((pos, sep.start()))
        pos = sep.end()
    items.append((pos, marker.start()))
    if len(items) != last - first or len(items) < 2:
        return None  # 在门户网站专栏分别公开…186条: 分别 distributes one phrase, it pairs no items
    start, end = items[i - first]
    # drop the subject words before the first item's phrase (scope, time, 共)
    phrase = _left_phrase(view, start, end) if start < end else None
    phrase = phrase or ((start, end) if end - start >= 2 else None)
    return phrase and (*phrase, i == first)


def _make_indicator(view: View, text: str, vstart: int, vend: int, kb_id: str | None) -> Span:
    start, end = view.text_start(vstart), view.text_end(vend)
    label = load_rules().cfg["labels"]["indicator"]
    return Span(label, start, end, text[start:end], kb_id=kb_id)


def _share_link(figs: list[_Fig], i: int, view: str, cs: int, ss: int, own_scope: str | None) -> Link | None:
    """A percentage opening its clause with 占 takes the link of the figure before it in the sentence; shares listed
    after 分别占 take the figures listed before them, in order (_respective_shares)."""
    rules = load_rules()
    fig = figs[i]
    if fig.share_of is not None:
        return _share_of(fig, fig.share_of, own_scope)
    m = rules.share_before.search(view, cs, fig.start)
    if not m:
        return None
    head = rules.strip_prefix.match(view, cs, m.start())
    if m.start() > cs and (head is None or head.end() < m.start()):
        return None  # something else stands before 占: the share of another whole
    if rules.respectively.match(m.group(0)) and (owners := _respective_shares(figs, i, view, ss)):
        for share, owner in zip(figs[i:], owners):
            share.share_of = owner
        return _share_of(fig, owners[0], own_scope)
    lo = max(ss, fig.start - rules.cfg["windows"]["share"])
    for j in range(i - 1, -1, -1):
        prev = figs[j]
        if prev.start < lo:
            break
        if prev.link and prev.link.rule != "share" and prev.span.unit not in rules.share_units:
            return _share_of(fig, prev, own_scope)
    return None


def _share_of(fig: _Fig, owner: _Fig, own_scope: str | None) -> Link:
    """The link of a share of ``owner``'s figure: its phrase and id."""
    rules = load_rules()
    fig.cand, fig.entry = owner.cand, owner.entry
    return Link(fig.span, owner.link.indicator, owner.link.canonical_id, own_scope or owner.link.scope,
                rules.cfg["labels"]["relation"], "share",
                round(rules.cfg["confidence"]["share"] * (owner.link.confidence or 1), 3))


def _respective_shares(figs: list[_Fig], i: int, view: str, ss: int) -> list[_Fig] | None:
    """The figures that the shares listed from ``i`` on (分别占…的69.6%、19.6%和10.7%) are shares of, in order: as many
    linked figures of the sentence right before them, or None when fewer are there or only one share is listed."""
    rules = load_rules()
    shares = [figs[i]]
    for nxt in figs[i + 1:]:
        if nxt.span.unit not in rules.share_units or not rules.respectively_list.fullmatch(view, shares[-1].end,
                                                                                              nxt.start):
            break
        shares.append(nxt)
    owners = [f for f in figs[:i] if f.start >= ss and f.link is not None and f.link.rule != "share"
              and f.span.unit not in rules.share_units and f.link.indicator is not None][-len(shares):]
    return owners if len(shares) > 1 and len(owners) == len(shares) else None


def _own_indicator(view: str, fig: _Fig, cands: list[_Cand], cand_starts: list[int], cand_ends: list[int],
                   cs: int, ce: int, places: tuple[str, ...] = ()) -> tuple[str, _Cand | None, tuple[int, int] | None]:
    """The figure's own indicator in its clause: (rule, lexicon phrase or None, context phrase or None)."""
    rules = load_rules()
    if fig.span.unit in rules.cfg["list_count_units"]:
        # 由概述、…、附表等八部分组成: the figure counts the parts listed before it, which name no count
        noun = _noun_after(view, fig, ce, places=places)
        return ("noun_after", None, noun) if noun else ("none", None, None)
    k = bisect_right(cand_ends, fig.start) - 1
    if k >= 0 and cands[k].start < cs:
        k = -1
    if k >= 0 and rules.filler_between.match(view, cands[k].end, fig.start):
        if rules.respectively.search(view, cands[k].end, fig.start):
            return "none", None, None  # "A和B分别为3件、2件": the items pair with the figures in order
        bounds = load_bounds()
        verb = bounds.channel_bare_count.search(view, cands[k].start, cands[k].end)
        if (verb is not None and (verb.start() == cands[k].start
                                  or bounds.channel_words.search(view, cands[k].start, verb.start()))
                and (noun := _noun_after(view, fig, ce, places=places))):
            # a channel's verb alone (通过微信公众号发布20680批次农产品抽检情况): the noun after names what is counted
            return "noun_after", None, noun
        if (_bare_verb(view, cands[k].start, cands[k].end) and (left := _left_phrase(view, cs, fig.start))
                and left[0] < cands[k].start and left[1] == cands[k].end):
            return "left_context", None, left  # 人大建议答复16件: a bare verb's object written before it is what it counts
        return "lexicon_before", cands[k], None
    k_after = bisect_left(cand_starts, fig.end)
    if (k_after < len(cands) and cands[k_after].start < ce
            and rules.filler_after.match(view, fig.end, cands[k_after].start)):
        return "lexicon_after", cands[k_after], None
    noun = _noun_after(view, fig, ce, places=places)
    if noun:
        return "noun_after", None, noun
    if (k >= 0 and fig.start - cands[k].end <= rules.cfg["windows"]["max_phrase"] // 2
            and rules.clause_gap.match(view, cands[k].end, fig.start)
            and rules.phrase_tail.fullmatch(view, cands[k].end + 1, fig.start)):
        if (rules.clause_gap_whole.match(view, cands[k].end, fig.start)
                and (left := _left_phrase(view, cs, fig.start)) and left[0] <= cands[k].start):
            # 发布重要会议、政府文件、政策解读等信息4304条: the figure counts what 等 gathers (guidelines 1: keep a
            # coordinated phrase whole)
            return "left_context", None, left
        return "lexicon_clause", cands[k], None
    phrase = _left_phrase(view, cs, fig.start)
    # bare once the guidelines' edges are cut (向编辑部拨付 → 拨付), or a light verb alone (推进2轮…)
    if phrase and _bare_verb(view, *_refined(view, phrase[0], phrase[1], fig.start)):
        # a bare verb before the figure (召开3次…, 组织开展8期…): what follows is what it counts
        noun = _noun_after(view, fig, ce, any_unit=True, places=places)
        if noun:
            return "noun_after", None, noun
        if k_after < len(cands) and cands[k_after].start < ce:
            return "lexicon_after", cands[k_after], None  # 召开3次云南省第十五届运动会新闻发布会
        noun = _noun_after(view, fig, ce, any_unit=True, long=True, places=places)
        if noun:
            return "noun_after", None, noun  # 组织3次…全覆盖专项检查
    return ("left_context", None, phrase) if phrase else ("none", None, None)


@lru_cache(maxsize=64)
def _refined(view: str, start: int, end: int, fig_start: int) -> tuple[int, int]:
    """refine_phrase with the link rules, once per phrase and figure: a context phrase is refined when its figure's
    rule is chosen (_own_indicator) and again when the figure is linked to it (four calls in ten were repeats)."""
    return refine_phrase(view, start, end, fig_start, load_rules())


def _bare_verb(view: str, start: int, end: int) -> bool:
    """Whether view[start:end] is nothing but verbs (configs/link.yml ``verbs``, phrase_bounds.yml ``light_verbs``)."""
    return bool(load_rules().verbs_only.fullmatch(view, start, end) or load_bounds().light_verbs.fullmatch(view, start, end))


def _counts_narrower(view: str, rule: str, cand: _Cand, fig: _Fig, cs: int, ce: int) -> bool:
    """Whether the figure counts something narrower than (or other than) the category its lexicon phrase names, so
    that the phrase's id is not the figure's (configs/link.yml ``narrower``):

    - a longer lexicon phrase without an id ends where the phrase ends (网上申请公开政府信息: the scan took 网上申请
      first, but 申请公开政府信息 is the requests' information, not active disclosure);
    - the phrase is the first item of "A等B" (答复等信息63条: the figure counts B);
    - after the figure, the phrase modifies a noun that names a narrower thing (对N件主动公开的…文件征求意见: the
      figure counts policy documents, not the year's active disclosures), or a relative clause takes a part of it
      (办结的14件行政复议中: the figure counts the completed ones).
    """
    rules = load_rules()
    cfg = rules.cfg["narrower"]
    if rule in ("lexicon_before", "lexicon_clause") and cand.entry is not None and cs < cand.start:
        longest = _head_entry(view[cs:cand.end])
        if longest is not None and longest is not cand.entry and longest.id is None:
            return True
    if rule == "lexicon_clause" and re.match(cfg["hypernym_gap"], view[cand.end:fig.start]):
        return True
    if rule == "lexicon_after":
        after = view[cand.end:ce]
        if re.match(cfg["noun_after_phrase"], after):
            return True
        if view[fig.start - 1:fig.start] == "的" and re.match(rules.cfg["relative_clause"]["after"], after):
            return True
    return False


def _part_of_other_family(canonical: str | None, relative_noun: _Cand | None) -> bool:
    """Whether a relative clause's figure counts a part of the noun after it that its phrase has no id for (办结的
    14件行政复议中: the completed review cases; 办结 alone is no id of the review family, and the completed requests'
    id would be wrong), rather than a part its id names (在办结答复的1486件申请中: requests.answered, of the requests
    that 申请 names)."""
    noun_id = relative_noun and (relative_noun.kb_id or (relative_noun.entry and relative_noun.entry.id))
    if not noun_id or "{" in noun_id:
        return False
    return canonical is None or canonical.split(".")[0] != noun_id.split(".")[0]


def _channels_named(view: str, lo: int, end: int) -> tuple[set[str], int, list[re.Match[str]]]:
    """The channel ids named in view[lo:end] (not by words inside an account's name in quotes before its channel),
    where the last of them ends (``lo`` if none), and the other channels named there."""
    rules = load_rules()
    last, kinds = lo, set()
    names = [m.span() for m in rules.channel_account.finditer(view, lo, end)]
    for cid, words in rules.channel_kinds.items():
        for m in words.finditer(view, lo, end):
            if any(a <= m.start() and m.end() <= b for a, b in names):
                continue
            kinds.add(cid)
            last = max(last, m.end())
    return kinds, last, list(rules.channel_others.finditer(view, lo, end))


def _only_says_where(view: str, start: int, end: int) -> bool:
    """Whether the clause view[start:end] only says where (在“某某政务”微信平台，: configs/link.yml
    ``channel_ids.place_clause``, no action verb outside a name in quotes; a clause that sets up a column there does
    more)."""
    rules = load_rules()
    return (rules.channel_place_clause.fullmatch(view, start, end) is not None
            and not rules.verbs.search(rules.channel_name.sub("", view[start:end])))


def _channel_id(view: str, floor: int, cand: _Cand, fig: _Fig, canonical: str | None) -> tuple[str | None, bool]:
    """The id of the one channel whose publishing a figure counts (通过“某某区人民政府门户网站”发布信息4583条,
    在微信公众号“某某”公开108条信息, 政务微博发布和转发视频1930条): its clause names that channel before the phrase
    (from its start, see below), a verb of publishing follows it, and the phrase ends in what was published said
    generally. A count over several channels is the total when a website is one of them (通过政府网站和政务新媒体公开各类政府信息), else no
    id (微信、微博公开政府信息); a channel of no kind alone (政务新媒体) takes no other channel's id. The clause is
    read from its last comma or stop (not from a colon or bracket inside the channel's name: 政务微信“某某”（微信号：…）
    公开…), or, when it names no channel, from the clause before it if that one only says where (``_only_says_where``),
    and not before ``floor`` (the sentence start or the figure before). Only a total's or a channel's id is
    replaced (configs/link.yml ``channel_ids``). Also whether the count was found to be over several channels."""
    rules = load_rules()
    if canonical is not None and not rules.channel_replaces.search(canonical):
        return canonical, False
    end = max(cand.end, fig.start)
    start = min(cand.start, fig.start)
    stops = [m.end() for m in rules.channel_clause_stop.finditer(view, floor, start)]
    lo = max([floor] + stops)
    kinds, last, other_channels = _channels_named(view, lo, end)
    if not kinds and not other_channels and stops and _only_says_where(view, before := max([floor] + stops[:-1]), lo):
        # the clause before, in the sentence, only says where (在“某某政务”微信平台，发布信息93条): its channel
        lo = before
        kinds, last, other_channels = _channels_named(view, lo, end)
    others = bool(other_channels)
    where_end = max([last] + [m.end() for m in other_channels])  # the end of the last channel named
    if not kinds and not others:
        return canonical, False
    channel = canonical in rules.channel_kinds  # a channel's id the lexicon or a parent gave
    said = (rules.channel_verb.search(view, last, end) is not None
            and rules.channel_published.search(view[cand.start:cand.end]) is not None) \
        or rules.channel_counted.search(view, cand.start, cand.end) is not None
    several = rules.cfg["channel_ids"]["several"]
    if len(kinds) + others > 1:
        # channels coordinated before the verb are where, not what (the coordination check skips them), unless
        # the phrase coordinates what was published after them too
        where = not rules.channel_joiner.search(view, where_end, cand.end)
        if channel or canonical == several or (canonical is None and said):
            total = rules.channel_several_total.search(view, lo, end) is not None
            return (several if total else None), where
        return canonical, where
    if not kinds:
        return (None if channel else canonical), False
    return (kinds.pop() if said else canonical), False


def _reason_row(view: str, figs: list[_Fig], i: int, clauses: list[tuple[int, int] | None]) -> str | None:
    """The result table's row that the reason said beside an outcome's figure names (因涉及第三方合法权益不予公开1件 →
    requests.denied.third_party.total), or None (configs/link.yml ``reason_rows``); ``clauses``: each figure's
    _reason_clause."""
    rules = load_rules()
    fig, rr = figs[i], rules.reason_rows
    current = fig.link.canonical_id if fig.link else None
    if current is not None and not rr.replaces.search(current):
        return None
    # before the figure, back to the figure before it (and after the reason clause that figure opened), or in a
    # clause that opens right after it with a reason's word (1件因涉及…, “不予公开”的1件，属于…) and ends at the next
    # figure: other words after it are the next figure's reason (不予公开6件（涉及第三方合法权益4件）) or say that all
    # of the section had it (不予公开4件，均属于…: own training paragraphs keep the section's figure without id)
    lo = figs[i - 1].end if i else 0
    if i and (before := clauses[i - 1]) is not None and not any(
            section.search(view, before[0], fig.start) for section in rr.sections.values()):
        # the figure before's reason (“不予公开”的1件，属于…；“无法提供”的4件), unless an outcome follows the reason
        # before this figure (收到申请2条，因属于三类内部事务信息，不予公开2条: this figure's)
        lo = max(lo, before[1])
    lo = max([lo] + [m.end() for m in rr.stop.finditer(view, lo, fig.start)])
    hi = fig.start
    after = clauses[i]
    phrase = fig.link.indicator.text if fig.link and fig.link.indicator else ""
    ids = load_indicators()

    def said(row: str, own: bool) -> bool:
        """The row's section is named in the phrase or before the figure, or (``own``: the reason is the phrase's) the
        phrase is the reason alone in a sentence about requests or their outcomes (涉及国家秘密的事项12项 is no
        outcome)."""
        section = rr.sections[_section(row)]
        if section.search(phrase) or section.search(view, lo, hi):
            return True
        if not own:
            return False
        ss = max(0, fig.start - rr.context_chars)  # (over sentences: 共收到申请19件。全部已答复。其中…)
        return rr.reason_phrase.fullmatch(phrase) is not None and (
            rr.context.search(view, ss, fig.start) is not None or section.search(view, ss, fig.start) is not None)

    # the phrase's own reason decides when it has one (…合法权益，1件属于三类内部事务信息: the words before are the
    # figure before's); else the words before the figure, then the clause after it where the section has no total of
    # its own (其他处理1件，系…逾期不补正 stays the section's row: own training paragraphs; 不予公开 has none)
    own = {row for row, words in rr.reasons if words.search(phrase)}
    if own:
        rows = {row for row in own if said(row, True)}
    else:
        rows = {row for row, words in rr.reasons if words.search(view, lo, hi) and said(row, False)}
        if not rows and after is not None:
            rows = {row for row, words in rr.reasons if words.search(view, *after)
                    and f"{_section(row)}.total" not in ids and said(row, False)}
    row = rows.pop() if len(rows) == 1 else None
    return f"{row}.total" if row is not None and _fits_unit(f"{row}.total", fig.span.unit) else None


def _section(row: str) -> str:
    """The section of a result table's row (requests.denied.third_party → requests.denied)."""
    return row.rsplit(".", 1)[0]


def _reason_clause(view: str, figs: list[_Fig], i: int) -> tuple[int, int] | None:
    """The clause right after figure ``i`` that opens with a reason's word and ends before the next figure
    (configs/link.yml ``reason_rows.reason_after``), or None: a clause that runs on into the next figure is that
    figure's reason (不予公开2件，因涉及第三方合法权益1件，…; 部分公开8件，因本机关不掌握…无法提供1件)."""
    rr = load_rules().reason_rows
    opened = rr.reason_after.match(view, figs[i].end)
    if opened is None:
        return None
    nxt = figs[i + 1].start if i + 1 < len(figs) else len(view)
    end = rr.clause_end.search(view, opened.end(), nxt)
    return (opened.end(), end.start()) if end else None


def _form_row_id(phrase: str, form: str | None, unit: str | None) -> str | None:
    """The id of the request table's row (its total column) that the report's form labels with ``phrase`` as
    written (本机关不掌握相关政府信息31件, 重复申请5件: rows the lexicon has no phrase for), when the form has such a
    table (configs/tables.yml ``t3.rows``) and the figure's unit fits."""
    from ..indicators import load_indicators
    from ..tables.lexicon import get_lexicon

    if form not in load_config("tables.yml")["t3"]["rows"] or load_rules().form_row_ambiguous.fullmatch(phrase):
        return None
    ids = load_indicators()
    for role in get_lexicon(form).lookup(phrase):
        row_id = f"{role.key}.total"
        if role.kind == "row" and role.section == "t3" and row_id in ids and _fits_unit(row_id, unit):
            return row_id
    return None


def _coordinates_others(view: str, phrase: tuple[int, int], head: tuple[int, int], canonical: str) -> bool:
    """Whether the phrase takes in, over a joiner, items coordinated with the phrase it was read from (信函、传真和
    电子邮件申请共18件 from 电子邮件申请): the figure counts them all, and the head's id names one of them; not when
    the head gathers the others (报刊、广播、电视等其他方式公开政府信息: configs/link.yml ``coordinated``), nor when
    every other item names the same id, as a lexicon phrase of it or inside its spec name (召开新闻发布会、新闻通气会,
    回应公众关注热点和重大舆情: the spec's 回应公众关注热点或重大舆情数), or is only a verb of publishing (推送、发布各类信息)."""
    cfg = load_rules().cfg["coordinated"]
    before, after = view[phrase[0]:head[0]], view[head[1]:phrase[1]]
    if not re.search(cfg["joiners"], before + after) or re.search(cfg["gathers"], view[phrase[0]:phrase[1]]):
        return False
    indicator = load_indicators().get(canonical)
    names = indicator.names if indicator is not None else ()
    items = [x for x in re.split(cfg["joiners"], before + "、" + after) if x]
    return not all(_static_id(_entry_of(x), x, 0) == canonical or any(x in name for name in names)
                   or re.fullmatch(cfg["verb_items"], x) for x in items)


def _after_organ(view: str, edges: tuple[int, int], fig_start: int, organs: list[tuple[int, int]]) -> tuple[int, int]:
    """The phrase after the last ORG span (``organs``: their view offsets, sorted) inside it and the prefix words after that (市民政局集中编发灾情专报 →
    编发灾情专报): an organ in subject position is outside (guidelines 1: scope and subject outside; no INDICATOR
    of train+dev holds an ORG), refined again from there; not when the phrase names a channel after it (an ORG
    a model found in 市政府门户网站: the site's name is inside)."""
    start, end = edges
    b = load_bounds()
    min_chars = b.min_chars
    # the organs that start inside the phrase: a slice of the sorted organs (not a scan of all of them per figure)
    lo, hi = bisect_left(organs, (start, -1)), bisect_left(organs, (end, -1))
    rules = load_rules()
    verb_before, joiners = rules.verb_before, rules.cfg["organ_joiners"]
    # an organ right after the phrase's action verb is no subject: it says whose the object is (主动公开区政府规范性
    # 文件, 发布市政府新闻发布会信息: unseen real reports; train gold 新增公开市政府规章)
    inside, owner_end = [], None
    for o_start, o_end in organs[lo:hi]:
        if (o_start > start and verb_before.search(view, start, o_start)) or (
                owner_end is not None and o_start - owner_end == 1 and view[owner_end] in joiners) or (
                o_start == start and not rules.verbs.search(view, o_end, end)):
            # …及省政府办公厅行政规范性文件: an owner joined to one; an organ that opens a phrase of nothing but a noun
            # owns it (市政府公文105件, 省政府档案45条: unseen real reports; train gold: an organ and its office owning policy documents)
            owner_end = o_end
        elif o_end <= end - min_chars:
            inside.append(o_end)
    if not inside or b.channel_words.search(view, max(inside), end):
        return edges  # no organ, or one that opens its channel's name (市政府门户网站主动公开政府信息)
    rest = skip_words(view, max(inside), end, rules.strip_prefix)
    if end - rest < min_chars:
        return edges
    new_start, new_end = _refined(view, rest, end, fig_start)
    return max(new_start, rest), new_end


@lru_cache(maxsize=64)
def _body_places(organ: str | None) -> tuple[str, ...]:
    """The place names in the reporting organ's name (鄂州市梁子湖区人民政府 → 鄂州市, 梁子湖区; configs/link.yml
    ``body``)."""
    if not organ:
        return ()
    cfg = load_rules().cfg["body"]
    name = re.sub(f"(?:{cfg['government']})$", "", organ)
    return tuple(m.group(0) for m in re.finditer(cfg["place"], name))


def _after_body_place(view: str, start: int, end: int, places: tuple[str, ...]) -> int:
    """The start after the last place of the reporting body inside view[start:end] (梁子湖区公共租赁住房建设项目 →
    公共租赁住房建设项目): the jurisdiction is scope, outside the phrase (guidelines 1), unless it opens the name of its
    government or the phrase names a channel after it (合肥市政府信息公开网访问量: the site's name is inside;
    phrase_bounds.yml ``channel.words``), it sits in a title or quotes, or its last character makes another word
    with the next (合肥市民卡: configs/link.yml ``body.place_goes_on``)."""
    rules, b = load_rules(), load_bounds()
    government = re.compile(rules.cfg["body"]["government"])
    new = start
    for place in places:
        pos = view.find(place, start, end)
        while pos >= 0:
            after = pos + len(place)
            before = view[start:pos]
            quoted = before.count("“") != before.count("”") or before.count("《") != before.count("》")
            named = (government.match(view, after) or b.channel_words.search(view, after, end)
                     or re.match(rules.cfg["body"]["place_goes_on"], view[after:after + 1]))
            if end - after >= b.min_chars and not quoted and not named:
                new = max(new, after)
            pos = view.find(place, after, end)
    return new


def _states_a_change(figs: list[_Fig], i: int, view: str, clause_start: int) -> bool:
    """Whether figure ``i`` states a change against another period (比2012年下降8.4%, 较上年多发放1124份; guidelines
    2.1: a comparison figure, never linked), or is listed right after one (同比分别下降14.3%和9.8%)."""
    rules = load_rules()
    fig = figs[i]
    lo = max(clause_start, fig.start - rules.cfg["change"]["max_chars"])
    if rules.change_before.search(view, lo, fig.start):
        return True
    prev = figs[i - 1] if i else None
    return bool(prev is not None and prev.link is not None and prev.link.rule == "none" and prev.link.indicator is None
                and rules.respectively_list.fullmatch(view, prev.end, fig.start)
                and rules.change_before.search(view, max(0, prev.start - rules.cfg["change"]["max_chars"]), prev.start))


def _restates_parent_verb(view: str, edges: tuple[int, int], parent: _Cand) -> bool:
    """Whether the phrase ``edges`` of an enumeration item is a bare verb that the parent figure's phrase opens with,
    after at most a manner word (其中市本级投入4780万元 under 全市投入财政专项扶贫资金2.5亿元, 市本级公开17395条 under
    主动公开政府信息46218条): the item has no phrase of its own and inherits the parent's (guidelines 2.2)."""
    start, end = edges
    verb = view[start:end]
    at = view.find(verb, parent.start, min(parent.end, parent.start + load_rules().cfg["restated_verb_after"] + len(verb)))
    return _bare_verb(view, start, end) and at >= 0 and parent.end - at > end - start


def _sibling_part(figs: list[_Fig], i: int, view: str) -> _Fig | None:
    """The figure of the clause before figure ``i`` when figure ``i``, in the same sentence and unit, counts a part
    its own clause names (市本级收到申请213件,各县区389件,全市合计602件): without its own phrase it counts the same thing
    for that part (guidelines 2.2, an item with no phrase of its own), else None."""
    rules = load_rules()
    fig, prev = figs[i], figs[i - 1] if i else None
    if (prev is None or prev.link is None or prev.link.indicator is None or prev.link.rule in ("share", "none")
            or prev.span.unit != fig.span.unit):
        return None
    between = view[prev.end:fig.start]
    if rules.sentence.search(between) or not rules.sibling_part_separator.search(between):
        return None
    return prev


def _scope_word(view: str, start: int, end: int) -> bool:
    """Whether view[start:end] is nothing but a scope word (configs/link.yml ``scopes``: 县市区, 各乡镇, 市直单位), which may
    run on past it (各县(市)区, where the counted noun stops at the bracket)."""
    m = load_rules().scope_any.match(view, start)
    return m is not None and m.end() >= end


def _units_before_next_figure(view: str, noun: tuple[int, int], next_start: int | None) -> int | None:
    """The end of the units a counted noun opens with (phrase_bounds.yml ``predicate.unit_nouns``: 部门, 单位, 乡镇),
    when only prefix words stand between the noun and the next figure (45个部门职权事项3013项, 区直35个部门项目
    预算资金,累计25578.66万元): the figure counts the units, the next figure the rest; else None."""
    if next_start is None or not _only_prefix(view, noun[1], next_start):
        return None
    b = load_bounds()
    m = b.predicate_unit_nouns.match(view[noun[0]:noun[1]])
    if (m is None or noun[1] - (noun[0] + m.end()) < b.min_chars
            or b.predicate_unit_noun_goes_on.match(view[noun[0] + m.end()])):
        return None  # no units, nothing after them, or a longer name (12个村民小组3000人)
    return noun[0] + m.end()


def _only_prefix(view: str, start: int, end: int) -> bool:
    """Whether view[start:end] is empty or only prefix words (punctuation, 共, 累计, ...)."""
    if start > end:
        return False
    if start == end:
        return True
    m = load_rules().strip_prefix.match(view, start, end)
    return m is not None and m.end() == end


def _verb_noun_entry(view: str, cs: int, fig_start: int, noun: _Cand) -> _Entry | None:
    """The lexicon entry of the action verb right before a figure and the noun counted after it, read together
    (主动公开1208条政府信息 → 主动公开政府信息, 制发3份规范性文件 → 制发规范性文件): the noun alone names no id, the
    verb tells which count it is (guidelines 1), also as a relative clause (本年度制发的48件行政规范性文件). The phrase
    stays the noun; only its id comes from both."""
    m = load_rules().verb_before_figure.search(view, cs, fig_start)
    return _entry_of(view[m.start():m.end()] + view[noun.start:noun.end]) if m else None


@lru_cache(maxsize=1 << 14)  # the same phrases come back in every report
def _head_entry(phrase: str) -> _Entry | None:
    """The lexicon entry of the lexicon phrase that ends ``phrase`` (its head), if any.

    Only the phrase itself is read: lexicon phrases look behind nothing, so the text before it cannot matter.
    """
    rules = load_rules()
    pos, end = 0, len(phrase)
    while pos < end:
        m = rules.lexicon.search(phrase, pos, end)
        if m is None:
            return None
        if m.end() == end:
            entry = rules.entries[int(m.lastgroup[1:])]
            return None if entry.whole and m.start() > 0 else entry
        pos = m.start() + 1
    return None


def link_figures_to_indicators(text: str, spans: list[Span], indicator_spans: list[Span] | None = None,
                               form: str | None = None, organ: str | None = None) -> list[Link]:
    """One Link per COUNT/MEASURE span of ``spans``: the indicator it measures (or None), its id and scope.

    ``indicator_spans`` defaults to find_indicator_spans(text); ``form`` (pre2019, v2019, v2021) maps ids of
    one form's concept to the form the report uses (受理申请 → requests.new.total in a v2019 report); ``organ``
    (the reporting organ, when known) tells its own figures from those of another organ or place inside it.
    """
    rules = load_rules()
    cfg = rules.cfg
    view = compact_view(text)
    v = view.text
    bounds = _Boundaries(v, rules)
    if indicator_spans is None:
        cands = _lexicon_candidates(v)
    else:
        cands = []
        for s in indicator_spans:
            vs, ve = view.view_start(s.start), view.view_end(s.end)
            cands.append(_Cand(vs, ve, _entry_of(v[vs:ve]), s.kb_id, s))
        cands.sort(key=lambda c: (c.start, c.end))
    cand_starts = [c.start for c in cands]
    cand_ends = [c.end for c in cands]
    org_at = {view.view_start(s.start): s.text for s in spans if s.label == "ORG"}
    organs = sorted((view.view_start(s.start), view.view_end(s.end)) for s in spans if s.label == "ORG")
    organ_spans = set(organs)
    places = _body_places(organ)
    figs = sorted((_Fig(s, view.view_start(s.start), view.view_end(s.end)) for s in spans
                   if s.label in cfg["labels"]["figures"]), key=lambda f: (f.start, f.end))
    fig_starts = [f.start for f in figs]
    conf = cfg["confidence"]
    form_ids = (cfg.get("form_ids") or {}).get(form or "", {}) or {}
    subjects: dict[tuple[int, int], str | None] = {}

    def subject(lo: int, hi: int) -> str | None:
        """_subject_scope of view[lo:hi], once: the figures of a sentence read the same earlier clauses."""
        key = (lo, hi)
        if key not in subjects:
            subjects[key] = _subject_scope(v, lo, hi, org_at, organ)
        return subjects[key]

    def scoped_clause(k: int, floor: int) -> int:
        """The last clause at or before clause k, starting at or after ``floor``, with a subject scope, or -1: only
        the clauses within a figure's window are read (reading every clause of the report up to the figure, as
        a running maximum, read all the clauses far from any figure too)."""
        clause = bounds.clause
        while k >= 0 and clause[k] >= floor:
            if subject(clause[k] + 1, clause[k + 1]) is not None:
                return k
            k -= 1
        return -1
    text_spans: dict[tuple[int, int], Span] = {}

    def indicator_span(c_start: int, c_end: int, kb_id: str | None, span: Span | None) -> Span:
        if span is not None and span.kb_id == kb_id:
            return span
        key = (c_start, c_end)
        made = text_spans.get(key)
        if made is None or made.kb_id != kb_id:
            made = _make_indicator(view, text, c_start, c_end, kb_id)
            text_spans[key] = made
        return made

    def heading_id(pattern: re.Pattern[str], pos: int) -> str | None:
        """Id of the last phrase before ``pos`` in its paragraph (and window) whose id matches ``pattern``."""
        lo = max(_Boundaries.before(bounds.para, pos), pos - cfg["windows"]["enumeration"])
        k = bisect_right(cand_ends, pos) - 1
        while k >= 0 and cands[k].start >= lo:
            kb = cands[k].kb_id if cands[k].entry is None else _static_id(cands[k].entry, v, cands[k].start)
            if kb and pattern.search(kb):
                return kb
            k -= 1
        return None

    for i, fig in enumerate(figs):
        ss = _Boundaries.before(bounds.sentence, fig.start)
        cs = _Boundaries.before(bounds.clause, fig.start)
        prev = figs[i - 1] if i else None
        if prev and cs <= prev.end <= fig.start:
            # the figure before it in the clause (and the noun it counted) ends this figure's context
            cs = prev.end
            if prev.link and prev.link.rule in ("noun_after", "predicate", "none") and prev.cand and prev.cand.end <= fig.start:
                cs = prev.cand.end
        nxt = figs[i + 1].start if i + 1 < len(figs) else len(v)
        ce = min(_Boundaries.after(bounds.clause, fig.end, len(v)), nxt)
        subject_start = bounds.subject_start(ss, cs)
        if prev and subject_start <= prev.end <= fig.start:  # not over the figure before it (11个县（市、区）732件)
            subject_start = max(subject_start, prev.end)
        own_scope = subject(subject_start, fig.start)
        parent, marker = _enumeration_parent(figs, i, v, bounds)
        sibling = _sibling_part(figs, i, v) if parent is None and own_scope is not None else None
        fig.parent = parent

        if fig.span.unit in rules.share_units:
            fig.link = _share_link(figs, i, v, cs, ss, own_scope)
            if fig.link:
                continue
        if fig.span.unit in cfg["comparison_units"] or _states_a_change(figs, i, v, cs):
            scope = own_scope or _scope(bounds, ss, cs, fig.start, subject, scoped_clause)
            if scope is None and parent is not None and parent.link:
                scope = parent.link.scope
            fig.link = Link(fig.span, None, None, scope, cfg["labels"]["relation"], "none", 0.0)
            continue

        rule, cand, phrase = _own_indicator(v, fig, cands, cand_starts, cand_ends, cs, ce, places)
        relative_noun = None
        first_item = False
        if (rule == "noun_after" and re.search(cfg["relative_clause"]["before"], v[max(cs, fig.start - 1):fig.start])
                and (re.match(cfg["relative_clause"]["after"], v[phrase[1]:ce])
                     or re.fullmatch(cfg["relative_clause"]["generic_noun"], v[phrase[0]:phrase[1]]))):
            # 在办结答复的1486件申请中: the relative clause before the figure names the count, not the noun
            phrase = _left_phrase(v, cs, fig.start) or phrase
            rule = "left_context" if phrase is not None else rule
        elif (rule == "lexicon_after" and re.search(cfg["relative_clause"]["before"], v[max(cs, fig.start - 1):fig.start])
              and re.match(cfg["relative_clause"]["after"], v[cand.end:ce])
              and (left := _left_phrase(v, cs, fig.start)) is not None):
            rule, phrase = "left_context", left  # 办结的14件行政复议中: as 在办结答复的1486件申请中
            relative_noun = cand
        if rule == "noun_after":
            # the clause runs on over a bracketed variant of the noun (37个乡镇（街道）全部纳入…)
            pe = after_noun_bracket(v, phrase[1])
            predicate = predicate_after(v, phrase[0], phrase[1],
                                        ce if pe == phrase[1] else min(_Boundaries.after(bounds.clause, pe, len(v)), nxt),
                                        rules)
            if predicate is not None:
                rule, phrase = "predicate", predicate
            elif _scope_word(v, *phrase):
                # 我市6个县市区456所学校: scope words are never an INDICATOR (guidelines 4); they are no subject of the
                # figure after them either (456所 keeps no scope, as when 县市区 was 6个's counted noun)
                fig.cand, rule, phrase = _Cand(phrase[0], phrase[1], None), "none", None
            elif (units := _units_before_next_figure(v, phrase, figs[i + 1].start if i + 1 < len(figs) else None)):
                phrase, fig.rest = (phrase[0], units), (units, phrase[1])
            else:
                phrase = (strip_leading(v, phrase[0], phrase[1]), noun_coordination(v, phrase[1], ce, rules))
        if rule == "none" and (predicate := figure_predicate(v, cs, fig.start, fig.end, ce, rules)) is not None:
            rule, phrase = "predicate", predicate  # 其中45件为网上申请: the figure is the subject of what it counts
        counted = (prev.rest or (prev.cand.start, prev.cand.end)) if prev and prev.cand else None
        if (rule == "none" and counted and prev.link and prev.link.rule in ("noun_after", "predicate")
                and _only_prefix(v, counted[1], fig.start)):
            # "N辆车申报缴纳车购税M亿元": the noun after the figure before (and its predicate) names what this one
            # counts too; "35个部门项目预算资金,累计25578.66万元": the rest of it after the units
            rule, phrase = "left_context", counted
        whole = parent or sibling
        if (rule == "left_context" and whole is not None and whole.cand is not None
                and _restates_parent_verb(v, _refined(v, phrase[0], phrase[1], fig.start), whole.cand)):
            rule, phrase = "none", None  # 全市投入…资金2.5亿元,其中市本级投入4780万元: no phrase of its own
        elif rule == "left_context" and _refined(v, phrase[0], phrase[1], fig.start) in organ_spans:
            rule, phrase = "none", None  # 其中县自然资源局31件: the organ says whose the figure is (its scope), not what
        elif (rule == "left_context" and whole is not None
              and rules.part_noun.fullmatch(v, *_refined(v, phrase[0], phrase[1], fig.start))):
            # 其中市级机关2100条，各区(市)政府2900条: the kind of part, once its level is cut; a part all the same
            part = v[slice(*_refined(v, phrase[0], phrase[1], fig.start))]
            own_scope = own_scope or rules.cfg["part_noun_scopes"].get(part, part)
            rule, phrase = "none", None
        # "A、B和C分别为N1、N2和N3": each figure takes its item, the first too (a phrase read before it would take in
        # the whole coordination, 予以公开、部分公开…和不予处理)
        item = _respectively(v, figs, fig_starts, i, marker, bounds) if marker is not None else None
        if item:
            rule, phrase, first_item = "respectively", item[:2], item[2]
        elif (rule == "none" and prev is not None and prev.link is not None and prev.link.indicator is not None
              and rules.restated.fullmatch(v, prev.end, fig.start)):
            # 主动公开政府信息11条，历年累计234条: the same thing counted over the years, named by the figure before
            # (its id is withheld below as cumulative)
            plink = prev.link
            fig.link = Link(fig.span, plink.indicator, plink.canonical_id, own_scope or plink.scope,
                            cfg["labels"]["relation"], "restated", conf["restated"])
            fig.cand, fig.entry = prev.cand, prev.entry
            continue
        elif rule == "none" and ((marker is not None and parent is not None) or sibling is not None):
            # an item of an enumeration, or a part listed after a part (市本级收到申请213件,各县区389件,全市合计602件)
            parent = fig.parent = parent or sibling
            plink = parent.link
            fig.link = Link(fig.span, plink.indicator, plink.canonical_id, own_scope or plink.scope,
                            cfg["labels"]["relation"], "enumeration", conf["enumeration"])
            fig.cand, fig.entry = parent.cand, parent.entry
            continue
        scope = own_scope or _scope(bounds, ss, cs, fig.start, subject, scoped_clause)
        if scope is None and parent is not None and parent.link:
            scope = parent.link.scope
        if rule == "none":
            fig.link = Link(fig.span, None, None, scope, cfg["labels"]["relation"], rule, 0.0)
            continue
        if phrase is not None:
            cand = _Cand(phrase[0], phrase[1], _head_entry(v[phrase[0]:phrase[1]]))
        head = (cand.start, cand.end)
        if rule in cfg["refined_rules"] or rule == "noun_after" or first_item:
            # the guidelines' edges (phrase_bounds.py): coordination whole, count word in, subject out
            edges = (cand.start, cand.end)
            if first_item:
                # the first item of "A和B分别为N1、N2" carries its clause's subject and frame (县政府召开…会议和举办…
                # 培训班分别为3次、5期): those edges, but no coordination with the items after it
                edges = _after_organ(v, _refined(v, *edges, cand.end), fig.start, organs)
            elif rule != "noun_after":
                edges = _after_organ(v, _refined(v, *edges, fig.start), fig.start, organs)
            edges = (_after_body_place(v, *edges, places), edges[1])
            if edges != (cand.start, cand.end):
                # a context phrase whose own words named no id may after its edges (其中专职仅32人 → 专职)
                entry = cand.entry if cand.entry is not None or cand.kb_id else _head_entry(v[edges[0]:edges[1]])
                cand = _Cand(*edges, entry, cand.kb_id)
        if rule == "noun_after" and cand.kb_id is None and (verb_noun := _verb_noun_entry(v, cs, fig.start, cand)):
            cand = _Cand(cand.start, cand.end, verb_noun)  # the verb before the figure tells which count the noun is
        canonical = _resolve_id(cand.entry, cand.kb_id, fig, parent, v, lambda pat, pos=fig.start: heading_id(pat, pos),
                                cand.start)
        canonical, over_channels = _channel_id(v, max(ss, prev.end if prev else 0), cand, fig, canonical)
        fig.narrower = canonical is not None and _counts_narrower(v, rule, cand, fig, cs, ce)
        fig.part_of_other = _part_of_other_family(canonical, relative_noun)
        # (channels coordinated before their verb are where, not what: 通过网站和新媒体公开…)
        fig.coordinated = (canonical is not None and not over_channels
                           and _coordinates_others(v, (cand.start, cand.end), head, canonical))
        if cand.entry is not None and cand.entry.context is not None:
            # a bare verb (共办结37件) names the requests only after the sentence named them; a semicolon does not
            # end that sentence (收到申请20件；共办理19件), a full stop or a paragraph does (enumeration_sentence_ends)
            context_lo = max(_Boundaries.before(bounds.enumeration_end, fig.start),
                             _Boundaries.before(bounds.para, fig.start))
            if not cand.entry.context.search(v, min(ss, context_lo), fig.start):
                # the sentence before it, when this one opens with nothing but adverbs before the phrase, the phrase
                # is the bare lexicon phrase (not 另有商业企业12家) and the figure follows it (not 办结的14件行政复议中:
                # a relative clause, whose noun after names the kind)
                carried = (context_lo > 0 and rules.context_carry.fullmatch(v, context_lo, cand.start) is not None
                           and "的" not in v[cand.end:fig.start] and _entry_of(v[cand.start:cand.end]) is not None
                           and cand.entry.context.search(v, max(_Boundaries.before(bounds.enumeration_end,
                                                                                   context_lo - 1),
                                                                _Boundaries.before(bounds.para, fig.start)),
                                                         context_lo))
                if not carried:
                    canonical = None
        confidence = conf[rule]
        if not _fits_unit(canonical, fig.span.unit):
            canonical, confidence = None, confidence - conf["unit_mismatch_penalty"]
        canonical = form_ids.get(canonical, canonical)
        if canonical is None and cand.entry is None:
            canonical = _form_row_id(v[cand.start:cand.end], form, fig.span.unit)
        fig.cand, fig.entry = cand, cand.entry
        fig.link = Link(fig.span, indicator_span(cand.start, cand.end, canonical, cand.span), canonical, scope,
                        cfg["labels"]["relation"], rule, round(confidence, 3))
    for run in _figure_runs(figs, v):
        _link_run(run, v, _Boundaries.after(bounds.clause, run[-1].end, len(v)),
                  lambda a, b: indicator_span(a, b, None, None), form_ids)
    if form in cfg["reason_rows"]["forms"]:
        clauses = [_reason_clause(v, figs, i) for i in range(len(figs))]  # each read once: as its figure's and the next's
        for i, f in enumerate(figs):
            row = _reason_row(v, figs, i, clauses)
            if row is not None:
                f.link = replace(f.link, canonical_id=row)
    # ids are withheld only now (shares, parts of the body): enumerations and shares above inherit their
    # parent's id to find their own
    for f in figs:
        proposed, f.link.withheld = admissible_id(f.link.canonical_id, f.span.unit, form)
        if proposed and (f.narrower or (f.link.rule == "enumeration" and f.parent is not None and f.parent.narrower)):
            # an item inheriting the narrowed figure's id counts a part of the same thing
            proposed, f.link.withheld = None, "narrower"
        elif proposed and f.coordinated:
            proposed, f.link.withheld = None, "coordinated"
        elif f.part_of_other:
            proposed, f.link.withheld = None, "narrower"
        elif proposed and _since_inception(text, f.span.start):
            proposed, f.link.withheld = None, "cumulative"
        elif proposed in rules.with_carried_over_ids and rules.with_carried_over.match(v, f.end):
            proposed, f.link.withheld = None, "coordinated"  # new and carried-over requests together
        f.link.canonical_id, reason = whole_body_id(proposed, f.link.scope, organ,
                                                    figure_sentence(text, f.span.start))
        f.link.withheld = f.link.withheld or reason
        if (f.link.canonical_id is not None and f.parent is not None and f.link.rule != "enumeration"
                and f.parent.link is not None and f.parent.link.canonical_id == f.link.canonical_id):
            # an item with a phrase of its own that names (or takes from it) the id its parent holds counts a kind
            # of what the parent counts (发布政策解读信息260条，其中解读材料39条、解读产品201个): not the id's value
            # (unseen real reports); the items under it inherit a part of a part
            f.link.canonical_id, f.link.withheld, f.narrower = None, "narrower", True
    return [f.link for f in figs]


def _since_inception(text: str, start: int) -> bool:
    """Whether the figure at ``start`` adds up the years since an event (《条例》实施以来累计…, 历年累计…): no
    statistic of the report's year, whose ids the spec's are (configs/link.yml ``cumulative``)."""
    return load_rules().cumulative.search(text, _sentence_start(text, start), start) is not None


def _sentence_start(text: str, start: int) -> int:
    """The start of the sentence of ``text`` holding ``start``, at most configs/link.yml ``windows.scope`` characters
    before it (see figure_sentence)."""
    rules = load_rules()
    lo = max(0, start - rules.cfg["windows"]["scope"])
    for m in rules.sentence.finditer(text, lo, start):
        lo = m.end()
    return lo


def _figure_runs(figs: list[_Fig], view: str) -> list[list[_Fig]]:
    """Runs of counts written one after the other (6大类120项…, 5大类、40子类、300个…: configs/link.yml
    ``figure_run``), two figures or more each."""
    rules = load_rules()
    cfg = rules.cfg["figure_run"]
    runs: list[list[_Fig]] = []
    for prev, fig in pairwise(figs):
        if not (prev.span.label == fig.span.label == cfg["label"] and prev.link and fig.link):
            continue
        ongoing = runs[-1] if runs and runs[-1][-1] is prev else [prev]
        between = view[prev.end:fig.start]
        if not (re.fullmatch(cfg["between"], between) or (re.fullmatch(cfg["divided_between"], between)
                                                         and _divided(view, ongoing[0]))):
            continue
        if len(ongoing) == 1:
            runs.append(ongoing)
        ongoing.append(fig)
    return runs


def _divided(view: str, fig: _Fig) -> bool:
    """Whether a verb of division (configs/link.yml ``figure_run.divided_by``) stands right before the figure."""
    pattern = load_rules().cfg["figure_run"]["divided_by"]
    return re.search(f"(?:{pattern})$", view[max(0, fig.start - 4):fig.start]) is not None


def _link_run(run: list[_Fig], view: str, ce: int, make: Callable[[int, int], Span],
              form_ids: dict[str, str] | None = None) -> None:
    """The figures of a run count parts of one thing (categories and items of it): all take the noun after the
    last figure (6大类120项公共服务事项), or, when a verb of division opens the run (X分为5大类、40子类、300个小项)
    or no noun follows it, the phrase of the first. A figure that takes another's phrase gets no id of its own,
    unless the phrase's id did not fit its source's unit and fits this one's (当面申请2人3件: the requests, 件, not the
    applicants, 人; ``form_ids`` maps it to the report's form)."""
    rules = load_rules()
    first, last = run[0], run[-1]
    divided = _divided(view, first)
    noun = None if divided or last.link.rule == "noun_after" else _noun_after(view, last, ce, any_unit=True)
    if noun is not None and (last.link.indicator is None or last.link.rule == "left_context"):
        # the last unit is no classifier (6大项24小项任务): its noun is read all the same
        noun = (strip_leading(view, *noun), noun_coordination(view, noun[1], ce, rules))
        last.cand = _Cand(*noun, _head_entry(view[noun[0]:noun[1]]))
        last.link = replace(last.link, indicator=make(*noun), canonical_id=None,
                            rule="noun_after", confidence=rules.cfg["confidence"]["noun_after"])
    if not divided and last.link.indicator is not None and last.link.rule == "noun_after":
        source = last
    elif first.link.indicator is not None and first.link.rule not in ("enumeration", "share"):
        source = first
    else:
        return
    src = source.link
    entry = source.cand.entry if source.cand is not None else None
    # the id its source's unit did not fit (a plain entry: no family, unit or context to resolve)
    unfit = (entry.id if entry is not None and entry.id and not (entry.families or entry.ids_by_unit or entry.context)
             and src.canonical_id is None and not _fits_unit(entry.id, source.span.unit) else None)
    for f in run:
        if f is source or (f.link.indicator is not None and (f.link.indicator.start, f.link.indicator.end)
                           == (src.indicator.start, src.indicator.end)):
            continue
        own = unfit if unfit is not None and _fits_unit(unfit, f.span.unit) else None
        if own:  # one figure of the run at most; what was found of its own earlier phrase no longer holds
            unfit, f.narrower, f.coordinated, f.part_of_other = None, False, False, False
        f.link = Link(f.span, src.indicator, (form_ids or {}).get(own, own) if own else None,
                      f.link.scope or src.scope, rules.cfg["labels"]["relation"], "figure_run",
                      rules.cfg["confidence"]["figure_run"])
        f.cand, f.entry = source.cand, None


def whole_body_id(canonical_id: str | None, scope: str | None, organ: str | None,
                  sentence: Callable[[], str] | None = None) -> tuple[str | None, str | None]:
    """The id a figure keeps for the reporting body (body_id, work_id, remit_id in turn) and, when one withholds
    it, why (partial_scope, other_work, outside_remit); ``sentence()`` gives the figure's sentence
    (``figure_sentence``), without which work_id is not applied."""
    kept = body_id(canonical_id, scope, organ)
    if canonical_id and kept is None:
        return None, "partial_scope"
    worked = work_id(kept, sentence) if sentence is not None else kept
    if kept and worked is None:
        return None, "other_work"
    final = remit_id(worked, organ)
    return final, "outside_remit" if worked and final is None else None


def figure_sentence(text: str, start: int) -> Callable[[], str]:
    """The sentence of ``text`` holding the figure at ``start`` (``whole_body_id``'s ``sentence``), at most
    configs/link.yml ``windows.scope`` characters on either side (a text without sentence ends costs no more per
    figure).

    Read in the text, in the figure's window, when asked (only for the ids ``other_work`` concerns). Not from the
    linker's boundaries (_Boundaries): those are the compact view's, which joins soft-wrapped lines, and lines
    joined that way gave 12 of the 97k text figures of the bench corpus another id. Nor from the sentence ends of the
    whole text found once: a report has thousands (every line break of its tables), and listing them cost more
    (about 0.5 s per 10 MB) than reading the few windows asked for."""
    def sentence() -> str:
        rules = load_rules()
        window = rules.cfg["windows"]["scope"]
        hit = rules.sentence.search(text, start, start + window)
        return text[_sentence_start(text, start):hit.start() if hit else start + window]

    return sentence
