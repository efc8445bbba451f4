"""Normalised text with a map back to source offsets: invisible characters out, OpenCC t2s, full-width to ASCII
(thousands separators and signs included), layout whitespace.

An offset map is a sorted list of breakpoints ``(text_offset, source_offset)``; between two breakpoints
the map is linear with slope 1. An empty map is the identity.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from operator import ne

from .anchored import guarded
from .config import load_config

OffsetMap = list[tuple[int, int]]

# Horizontal layout whitespace: ASCII blanks, NBSP, ideographic space, other Unicode spaces.
_HSPACE = "[ \t\u00a0\u2000-\u200b\u3000\ufeff]"
_CJK_RUNS = re.compile(r"[\u4e00-\u9fff]+")  # counted by runs: one match per run, not per character
# any astral character: one range, searched in C (max(text) > "\uffff" made a string of every character)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


_INF = float("inf")


def map_offset(offset_map: OffsetMap, offset: int) -> int:
    """Source offset of a text offset under a breakpoint map."""
    if not offset_map:
        return offset
    i = bisect_right(offset_map, (offset, _INF)) - 1
    if i < 0:
        return offset
    t, s = offset_map[i]
    return s + (offset - t)


def map_offset_by_keys(keys: list[int], offset_map: OffsetMap, offset: int) -> int:
    """map_offset with the text offsets of the map's breakpoints given apart (``keys``): a bisection among ints,
    for a caller that maps many offsets under one map (same result)."""
    i = bisect_right(keys, offset) - 1
    if i < 0:
        return offset
    t, s = offset_map[i]
    return s + (offset - t)


def inverse_map(offset_map: OffsetMap) -> Callable[[int], int]:
    """A function from source offsets to text offsets for a monotone breakpoint map."""
    if not offset_map:
        return lambda offset: offset
    texts = [t for t, _ in offset_map]
    sources = [s for _, s in offset_map]

    def to_text(offset: int) -> int:
        i = bisect_right(sources, offset) - 1
        if i < 0:
            return offset
        t = texts[i] + (offset - sources[i])
        return min(t, texts[i + 1]) if i + 1 < len(texts) else t

    return to_text


def compose_maps(outer: OffsetMap, inner: OffsetMap) -> OffsetMap:
    """Map text→source from outer (text→mid) and inner (mid→source)."""
    if not inner:
        return list(outer)
    if not outer:
        return list(inner)
    points = {(t, map_offset(inner, m)) for t, m in outer}
    mids = [m for _, m in outer]
    for m, s in inner:
        # the text offset that outer maps onto m, when m falls inside a linear piece of outer
        i = bisect_right(mids, m) - 1
        if i < 0:
            continue
        t0, m0 = outer[i]
        t_next = outer[i + 1][0] if i + 1 < len(outer) else None
        t = t0 + (m - m0)
        if t_next is None or t < t_next:
            points.add((t, s))
    return sorted(points)


def substitute(text: str, pattern: re.Pattern[str], repl) -> tuple[str, OffsetMap]:
    """re.sub with a callable that also returns the breakpoints of the result against ``text``."""
    out: list[str] = []
    append = out.append
    # the breakpoints, simplified as they come (see _simplify): a layout pass changes most blanks of a report
    kept: OffsetMap = [(0, 0)]
    kt = ks = 0  # the last kept breakpoint
    pos = 0  # in text
    length = 0  # of out
    for match in pattern.finditer(text):
        a, b = match.span()
        if a > pos:
            append(text[pos:a])
            length += a - pos
        new = repl(match)
        append(new)
        if len(new) == b - a and new == text[a:b]:
            length += b - a
        else:
            if length - kt != a - ks:  # (length, a): off the line of the last breakpoint
                if length == kt:
                    kept[-1] = (length, a)
                else:
                    kept.append((length, a))
                kt, ks = length, a
            length += len(new)
            if length - kt != b - ks:  # (length, b)
                if length == kt:
                    kept[-1] = (length, b)
                else:
                    kept.append((length, b))
                kt, ks = length, b
        pos = b
    append(text[pos:])
    return "".join(out), [] if kept == [(0, 0)] else kept


def _simplify(points: OffsetMap) -> OffsetMap:
    """Drop breakpoints that lie on the line of the previous one."""
    kept: OffsetMap = []
    for t, s in points:
        if kept and (t - kept[-1][0]) == (s - kept[-1][1]):
            continue
        if kept and kept[-1][0] == t:
            kept[-1] = (t, s)
            continue
        kept.append((t, s))
    return [] if kept == [(0, 0)] else kept


@lru_cache(maxsize=1)
def _converter():
    import opencc

    config = load_config("normalize.yml")["opencc_config"]
    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def _width_table() -> dict[int, str]:
    table = {c: c - 0xFEE0 for c in range(ord("０"), ord("９") + 1)}
    table.update({c: c - 0xFEE0 for c in range(ord("Ａ"), ord("Ｚ") + 1)})
    table.update({c: c - 0xFEE0 for c in range(ord("ａ"), ord("ｚ") + 1)})
    config = load_config("normalize.yml")
    for ch in config["fullwidth_extra"]:
        table[ord(ch)] = chr(ord(ch) - 0xFEE0)
    return {k: (chr(v) if isinstance(v, int) else v) for k, v in table.items()}


@lru_cache(maxsize=1)
def _fullwidth() -> re.Pattern[str]:
    """Any character _width_table() converts."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_width_table())) + "]")


@lru_cache(maxsize=1)
def _thousands() -> re.Pattern[str]:
    return re.compile(load_config("normalize.yml")["fullwidth_thousands"])


@lru_cache(maxsize=1)
def _signs() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    """The signs in their context, their ASCII forms, and the class of the signs alone: the context pattern
    starts with a lookbehind, so `re` runs it at every position of a text, where a search for a class skips in C
    to the next sign (most texts have none, or only dashes that no digit follows)."""
    config = load_config("normalize.yml")
    before, after = config["sign_context"]
    signs = "[" + "".join(map(re.escape, config["signs"])) + "]"
    return re.compile(before + signs + after), config["signs"], re.compile(signs)


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """Lone surrogates (a broken PDF text layer can give them) as U+FFFD, one for one: OpenCC and every
    writer of UTF-8 refuse them."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def ascii_forms(text: str) -> str:
    """Full-width digits, letters and signs in ASCII, one character for one (the offset map is unchanged).

    Also: full-width thousands groups take ASCII commas (１，２３４ → 1,234).
    """
    signs, sign_forms, any_sign = _signs()
    # each match is one sign character: tried at those alone before the whole text is rewritten
    if any(signs.match(text, m.start()) for m in any_sign.finditer(text)):
        text = signs.sub(lambda m: sign_forms[m.group(0)], text)
    if _fullwidth().search(text):  # translate() reads every character through a dict: only when needed
        text = _thousands().sub(lambda m: m.group(0).replace("，", ","), text)
        text = text.translate(_width_table())
    return text


# Planes holding every format character and combining mark in use (BMP, SMP, SSP): scanned once for the classes.
_SCANNED_PLANES = (range(0x20000), range(0xE0000, 0xE1000))


@lru_cache(maxsize=1)
def _category_ranges() -> dict[str, list[list[int]]]:
    """Code point ranges [first, last] of the categories named in normalize.yml (one scan of the planes)."""
    config = load_config("normalize.yml")
    wanted = set(config["strip_categories"]) | set(config["digit_mark_categories"])
    ranges: dict[str, list[list[int]]] = {}
    for plane in _SCANNED_PLANES:
        for code in plane:
            category = unicodedata.category(chr(code))
            if category in wanted:
                found = ranges.setdefault(category, [])
                if found and found[-1][1] == code - 1:
                    found[-1][1] = code
                else:
                    found.append([code, code])
    return ranges


def _category_class(categories: list[str], basic: bool | None = None) -> str:
    """A regex matching one code point of the given Unicode general categories (only basic-plane or only
    astral ones when ``basic`` says so).

    Basic-plane code points form one class, which `re` compiles to a bitmap; a class that also held the
    astral ones would be a list of hundreds of ranges, scanned for every character of the text. The astral
    ones are tested only after a one-range look at the character.
    """
    ranges = sorted(r for category in categories for r in _category_ranges().get(category, []))

    def char_class(selected: list[list[int]]) -> str:
        return "[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in selected) + "]"

    basic_class = char_class([r for r in ranges if r[1] <= 0xFFFF])
    astral_class = "(?=[\U00010000-\U0010ffff])" + char_class([r for r in ranges if r[0] > 0xFFFF])
    if basic is not None:
        return basic_class if basic else astral_class
    return f"(?:{basic_class}|{astral_class})"


@lru_cache(maxsize=1)
def _invisible() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Format characters anywhere, and combining marks (with format characters) right after a digit; and, to
    skip at once the texts that have none, a class of the basic-plane ones and a pattern of the astral ones.

    Linear: each alternative starts with one class test, and a run after a digit is taken whole. A search for
    one plain class is five times faster than one for the alternation, hence the separate look first.
    """
    config = load_config("normalize.yml")
    categories = config["strip_categories"] + config["digit_mark_categories"]
    formats, either = _category_class(config["strip_categories"]), _category_class(categories)
    basic, astral = _category_class(categories, basic=True), _category_class(categories, basic=False)
    return re.compile(rf"(?<=\d){either}+|{formats}+"), re.compile(basic), re.compile(astral)


def strip_invisible(text: str) -> tuple[str, OffsetMap]:
    """Text without zero-width, bidi and other format characters, nor combining marks on digits.

    They split figures (1<ZWSP>234, 5<U+0301>件) and hide them from the patterns. Deleted characters leave
    breakpoints, so every kept character maps back to itself.
    """
    pattern, basic, astral = _invisible()
    if text.isascii() or not (basic.search(text) or (_ASTRAL.search(text) and astral.search(text))):
        return text, []
    return substitute(text, pattern, lambda m: "")


@lru_cache(maxsize=1)
def _ruby_pinyin() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """configs/normalize.yml ``ruby_pinyin`` and the class of tone marks looked for first."""
    cfg = load_config("normalize.yml")
    return re.compile(cfg["ruby_pinyin"]), re.compile(cfg["ruby_pinyin_tone"])


def strip_ruby_pinyin(text: str) -> tuple[str, OffsetMap]:
    """Text without the bracketed pinyin some pages print after characters (复(fù)议 → 复议); kept characters map
    back to themselves."""
    pattern, tone = _ruby_pinyin()
    if text.isascii() or not tone.search(text):  # one plain class: most texts have no tone mark at all
        return text, []
    return substitute(text, pattern, lambda m: "")


@lru_cache(maxsize=1)
def _phrase_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    phrases = load_config("normalize.yml")["traditional_phrases"]
    keys = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), phrases


def _count_changed(before: str, after: str) -> int:
    """Positions where two strings differ (compared up to the shorter one's end); C loops, not a Python one."""
    return 0 if before == after else sum(map(ne, before, after))


def to_simplified(text: str) -> tuple[str, OffsetMap, bool]:
    """OpenCC t2s; returns the text, its map to the input and whether the input looked traditional."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        changed = _count_changed(text, converted)
        offset_map: OffsetMap = []
    else:
        # phrase conversions changed lengths: convert line by line, linear inside a changed line
        parts, offset_map, changed, out_len, pos = [], [], 0, 0, 0
        for line in text.splitlines(keepends=True):
            new = _converter().convert(line)
            if len(new) != len(line):
                offset_map += [(out_len, pos), (out_len + len(new), pos + len(line))]
            changed += _count_changed(line, new)
            parts.append(new)
            out_len += len(new)
            pos += len(line)
        converted = "".join(parts)
        offset_map = _simplify(offset_map)
    share = changed / (sum(map(len, _CJK_RUNS.findall(text))) or 1) if changed else 0.0  # no count when unchanged
    traditional = share >= load_config("normalize.yml")["traditional_share"]
    return converted, offset_map, traditional


_LAYOUT_SOURCE = rf"\r\n?|{_HSPACE}+(?=\r?\n)|{_HSPACE}{{2,}}|[\t\u00a0\u2000-\u200b\u3000\ufeff]|^{_HSPACE}+"
_LAYOUT = guarded(_LAYOUT_SOURCE, re.MULTILINE)


def _layout_repl(match: re.Match[str]) -> str:
    s = match.group(0)
    if s[0] == "\r":
        return "\n"
    start = match.start()
    if start == 0 or match.string[start - 1] == "\n" or match.string[match.end():match.end() + 1] in ("\n", "\r", ""):
        return ""  # indentation and trailing blanks of a line
    return " " if len(s) > 1 or s in "\t\u3000\u00a0" else ("" if s in "\u200b\ufeff" else " ")


def collapse_layout(text: str) -> tuple[str, OffsetMap]:
    """Strip indentation and trailing blanks, turn runs of blanks into one space; line breaks stay."""
    return substitute(text, _LAYOUT, _layout_repl)


def normalize_text(raw: str) -> tuple[str, OffsetMap, bool]:
    """Normalised text, its map to ``raw`` and whether ``raw`` was in traditional script."""
    text, offset_map = strip_invisible(replace_surrogates(raw))
    text, ruby_map = strip_ruby_pinyin(text)
    offset_map = compose_maps(ruby_map, offset_map)
    text, t2s_map, traditional = to_simplified(text)
    offset_map = compose_maps(t2s_map, offset_map)
    text = ascii_forms(text)
    if traditional:
        pattern, phrases = _phrase_pattern()
        text, phrase_map = substitute(text, pattern, lambda m: phrases[m.group(0)])
        offset_map = compose_maps(phrase_map, offset_map)
    text, layout_map = collapse_layout(text)
    return text, compose_maps(layout_map, offset_map), traditional
