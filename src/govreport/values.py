"""Values of figure and date spans: 24.8万条 → 248000 条, 1000多人次 → 1000 人次 (多), 2016年6至7月 → 2016-06/2016-07.

The grammar (numbers, multipliers, units, approximation markers, date parts) is read from
``configs/patterns/figures.yml`` and ``configs/patterns/dates.yml``; spans/rules.py builds its scanner from the same
fragments, so a span found by the rules always parses here.

Conventions:
- ``value`` is in base units with the multiplier applied (2.5亿元 → 250000000); ``unit`` is the unit as written
  (亿元, 条, 场(次), %); ``multiplier`` is the factor applied (10000 for 万) or None.
- A range (2至3个, 10万元至50万元) has ``range=(low, high)`` and ``value=None``: there is no single value.
- Chinese numerals are converted with cn2an on the numeral of the span only (on running text cn2an corrupts words).
- A minus sign directly before the digits is kept (-12件 → -12); a hyphen or range dash before them is not.
- Reading never raises on a matched figure: a number that cannot be read (十十件, a numeral of 400 characters) or
  whose magnitude is absurd (beyond ``numbers.max_magnitude``, 10^15) gives ``value=None`` and ``uncertain=True``;
  the span stays, so the figure is reported, never silently dropped nor turned into a crash or an overflow.
- ISO dates: 2017-03-19, 2016, 2016-06, intervals joined by "/" (2016-01-01/2016-12-31). A month and day without a
  year take the report year; without a report year they are written ``--MM-DD`` / ``--MM`` (ISO 8601 reduced forms).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .anchored import guarded_source
from .config import load_config


def alternation(words: list[str] | dict[str, Any]) -> str:
    """A regex alternation of literal words, longest first so that a prefix never shadows a longer word."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def figure_config() -> dict[str, Any]:
    """configs/patterns/figures.yml."""
    return load_config("patterns/figures.yml")


@lru_cache(maxsize=1)
def date_config() -> dict[str, Any]:
    """configs/patterns/dates.yml."""
    return load_config("patterns/dates.yml")


@dataclass(frozen=True)
class FigureGrammar:
    """Regex fragments of a figure, shared by the scanner (spans/rules.py) and parse_figure."""

    arabic: str
    signed: str  # an Arabic number with its minus sign, where a sign may stand
    chinese: str
    chinese_left: str  # negative lookbehind that a Chinese numeral must pass
    percent_words: str
    multiplier: str
    inside: str
    before: str
    after: str
    separator: str
    unit: str  # a unit with its lookahead and optional written suffix: 场(次)
    gap_unit: str  # unit after the allowed gap (spaces, or a line break when the unit ends the clause)
    unit_label: dict[str, str]
    multipliers: dict[str, int]


@lru_cache(maxsize=1)
def figure_grammar() -> FigureGrammar:
    """The figure grammar compiled from figures.yml."""
    cfg = figure_config()
    nums = cfg["numbers"]
    cn_start = re.escape(nums["chinese_start"])
    cn_chars = re.escape(nums["chinese_chars"])
    unit_label = {u: label for label, units in cfg["units"].items() for u in units}
    not_before = cfg.get("unit_not_before", {})
    unit_alts = []
    for u in sorted(unit_label, key=len, reverse=True):
        nb = not_before.get(u) or ""
        unit_alts.append(re.escape(u) + (f"(?!{nb})" if nb else ""))
    suffixes = alternation(cfg["unit_suffixes"])
    # tried after every number: behind a look at the units' first characters (see anchored.guarded_source)
    unit = f"{guarded_source('|'.join(unit_alts))}(?:{suffixes})?"
    gap_unit = (
        f"(?:{cfg['unit_gap']}{unit}|{cfg['unit_gap_newline']}{unit}(?={cfg['clause_end']}))"
    )
    approx = cfg["approx"]
    arabic = f"(?:{nums['arabic']})(?:{nums['exponent']})?"
    return FigureGrammar(
        arabic=arabic,
        signed=f"(?:(?<![{nums['sign_not_after']}]){nums['sign']})?{arabic}",
        chinese=f"[{cn_start}][{cn_chars}]*",
        chinese_left=f"(?<![{re.escape(nums['chinese_not_after'])}{cn_chars}\\d])",
        percent_words=alternation(nums["percent_words"]),
        multiplier=alternation(cfg["multipliers"]),
        inside=f"[ ]?(?:{alternation(approx['inside'])})",  # PDF text spaces out 3200 余条
        before=alternation(approx["before"]),
        after="|".join([alternation(approx["after"]), *approx.get("after_patterns", [])]),
        separator=alternation(cfg["range_separators"]),
        unit=unit,
        gap_unit=gap_unit,
        unit_label=unit_label,
        multipliers={k: int(v) for k, v in cfg["multipliers"].items()},
    )


def figure_patterns(named: bool = False) -> dict[str, str]:
    """Regexes of a figure: ``range``, ``arabic`` (unit or multiplier required), ``chinese`` (unit required).

    With ``named`` the parts carry named groups for parse_figure; the scanner uses the unnamed forms.
    """
    g = figure_grammar()

    def grp(name: str, body: str) -> str:
        return f"(?P<{name}>{body})" if named else f"(?:{body})"

    # a number starts at the start of its digit run (not inside 1234 or after 1.): the same figures, found in linear
    # time when a scan is tried at every digit of a long run
    num = f"(?:(?<![\\d.]){g.arabic}|{g.chinese_left}{g.chinese})"
    pre = grp("pre", g.before) + "?"
    post = grp("post", g.after) + "?"
    end_a = f"{grp('ai', g.inside)}?(?:{grp('am', g.multiplier)}{grp('ai2', g.inside)}?)?(?:{grp('au', g.gap_unit)})?"
    end_b = f"{grp('bi', g.inside)}?(?:{grp('bm', g.multiplier)}{grp('bi2', g.inside)}?)?{grp('bu', g.gap_unit)}"
    rng = f"{pre}{grp('a', num)}{end_a}[ ]?{grp('sep', g.separator)}[ ]?{grp('b', num)}{end_b}{post}"
    arabic = (
        f"{pre}(?<![\\d.]){grp('a', g.signed)}{grp('ai', g.inside)}?"
        f"(?:[ ]?{grp('am', g.multiplier)}{grp('ai2', g.inside)}?(?:{grp('au', g.gap_unit)})?|{grp('au', g.gap_unit)}){post}"
    )
    chinese = (
        f"{pre}(?:{grp('pct', g.percent_words)}{grp('a', g.chinese)}(?:点[{re.escape(figure_config()['numbers']['chinese_chars'])}]+)?"
        f"|{g.chinese_left}{grp('a', g.chinese)}{grp('ai', g.inside)}?(?:{grp('am', g.multiplier)}{grp('ai2', g.inside)}?)?"
        f"{grp('au', g.gap_unit)}){post}"
    )
    if named:
        # a named group may appear once per pattern: the two branches of `arabic` and `chinese` are split
        arabic_unit = f"{pre}(?P<a>{g.signed})(?P<ai>{g.inside})?(?P<au>{g.gap_unit}){post}"
        arabic_mult = (
            f"{pre}(?P<a>{g.signed})(?P<ai>{g.inside})?[ ]?(?P<am>{g.multiplier})(?P<ai2>{g.inside})?(?P<au>{g.gap_unit})?{post}"
        )
        pct = f"{pre}(?P<pct>{g.percent_words})(?P<a>{g.chinese}(?:点[{re.escape(figure_config()['numbers']['chinese_chars'])}]+)?){post}"
        cn = (
            f"{pre}(?P<a>{g.chinese})(?P<ai>{g.inside})?(?:(?P<am>{g.multiplier})(?P<ai2>{g.inside})?)?"
            f"(?P<au>{g.gap_unit}){post}"
        )
        # a bare number: the rules take one only as a table cell, but parse_figure reads any span's number
        bare = f"{pre}(?P<a>(?:{figure_config()['numbers']['sign']})?{g.arabic}|{g.chinese})(?P<ai>{g.inside})?{post}"
        return {"range": rng, "arabic_unit": arabic_unit, "arabic_mult": arabic_mult, "percent": pct, "chinese": cn,
                "bare": bare}
    return {"range": rng, "arabic": arabic, "chinese": chinese}


@lru_cache(maxsize=1)
def _figure_parsers() -> list[re.Pattern[str]]:
    pats = figure_patterns(named=True)
    return [re.compile(pats[k]) for k in ("range", "arabic_mult", "arabic_unit", "percent", "chinese", "bare")]


@lru_cache(maxsize=4096)
def chinese_number(numeral: str) -> Decimal:
    """Value of a Chinese numeral (七 → 7, 二十三 → 23, 二〇一三 → 2013); cn2an on the numeral only.

    Raises ValueError when ``numeral`` is no numeral (十十, 千千) or longer than ``numbers.chinese_max_chars``.
    """
    import cn2an

    numeral = numeral.replace("○", "〇")
    if len(numeral) > figure_config()["numbers"]["chinese_max_chars"]:
        raise ValueError(f"not a Chinese numeral (too long): {numeral[:20]!r}...")
    try:
        if "点" in numeral:
            whole, frac = numeral.split("点", 1)
            digits = "".join(str(int(cn2an.cn2an(c, "smart"))) for c in frac)
            return Decimal(f"{chinese_number(whole)}.{digits}")
        return Decimal(str(cn2an.cn2an(numeral, "smart")))
    except ValueError:
        raise
    except Exception as err:  # cn2an fails with KeyError, IndexError ... on what is no numeral
        raise ValueError(f"not a Chinese numeral: {numeral!r} ({type(err).__name__})") from err


_SIGNS = str.maketrans({"－": "-", "−": "-"})


def number_value(text: str) -> Decimal:
    """Decimal value of an Arabic (1,234.5, -12, 1.5e3) or Chinese (二十三) number; ValueError when it is neither."""
    text = text.replace(",", "").strip().translate(_SIGNS)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return chinese_number(text)
    if not value.is_finite():  # Decimal reads "Infinity" and "NaN", which no report writes as a number
        raise ValueError(f"not a number: {text!r}")
    return value


def within_magnitude(value: Decimal) -> bool:
    """Whether a value is small enough to be a statistic (``numbers.max_magnitude`` of figures.yml)."""
    return abs(value) <= figure_config()["numbers"]["max_magnitude"]


def checked_number(text: str, factor: int = 1) -> Decimal | None:
    """``text`` read as a number times ``factor``, or None when it cannot be read or its magnitude is absurd."""
    try:
        value = number_value(text) * factor
    except (ValueError, ArithmeticError):
        return None
    return value if within_magnitude(value) else None


def plain(value: Decimal) -> int | float:
    """An int when the value is whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _unit_text(raw: str | None) -> str | None:
    """The written unit without the gap before it."""
    return raw.strip() if raw else None


@lru_cache(maxsize=1)
def _money_units() -> frozenset[str]:
    """Units of money (元, 万元): a multiplier written before them joins the written unit (亿 + 元 → 亿元)."""
    return frozenset(u for u in figure_grammar().unit_label if u.endswith("元"))


def parse_figure(text: str) -> dict[str, Any]:
    """Value, unit, multiplier, approx, range and uncertain of a figure's text (24.8万条 → 248000, 条, 10000).

    ValueError when the text is no figure of the grammar; a figure whose number cannot be read or is absurdly large
    has value (or range) None and ``uncertain`` True.
    """
    return dict(_parse_figure(text.strip()))  # a copy: the cached dict stays as parsed


@lru_cache(maxsize=1 << 14)  # the same figures (1件, 100%) come back in every report
def _parse_figure(text: str) -> dict[str, Any]:
    g = figure_grammar()
    for pattern in _figure_parsers():
        m = pattern.fullmatch(text)
        if m:
            break
    else:
        raise ValueError(f"not a figure: {text!r}")
    parts = m.groupdict()
    unit = _unit_text(parts.get("bu") or parts.get("au"))
    if parts.get("pct"):
        unit = "%"
    mult_word = parts.get("am") or parts.get("bm")
    multiplier = g.multipliers[mult_word] if mult_word else None
    approx = parts.get("pre") or parts.get("ai") or parts.get("ai2") or parts.get("bi") or parts.get("post")
    approx = approx.strip() if approx else None
    if mult_word and unit in _money_units() and not unit.startswith(mult_word):
        unit = mult_word + unit  # 2.5亿元: the written unit is 亿元
    elif mult_word and not unit:
        unit = mult_word  # 40万: the multiplier is all that is written
    result: dict[str, Any] = {"value": None, "unit": unit, "multiplier": multiplier, "approx": approx, "range": None,
                              "uncertain": False}
    if parts.get("b"):
        a_mult = g.multipliers[parts["am"]] if parts.get("am") else (multiplier or 1)
        b_mult = g.multipliers[parts["bm"]] if parts.get("bm") else (multiplier or 1)
        low, high = checked_number(parts["a"], a_mult), checked_number(parts["b"], b_mult)
        if low is None or high is None:
            result["uncertain"] = True
        else:
            result["range"] = (plain(low), plain(high))
        return result
    value = checked_number(parts["a"], multiplier or 1)
    if value is None:
        result["uncertain"] = True
    else:
        result["value"] = plain(value)
    return result


def figure_label(unit: str | None) -> str:
    """COUNT or MEASURE by the written unit (亿元, 万元 and % are measures)."""
    g = figure_grammar()
    if unit is None:
        return "COUNT"
    if unit in g.unit_label:
        return g.unit_label[unit]
    for mult in g.multipliers:  # 万元 → 元, 万 → money-less multiplier
        if unit.startswith(mult) and unit[len(mult):] in g.unit_label:
            return g.unit_label[unit[len(mult):]]
    base = re.sub(r"[(（].*$", "", unit)  # 场(次) → 场
    return g.unit_label.get(base, "COUNT")


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateGrammar:
    """Regex fragments of a date, shared by the scanner and parse_date."""

    point: str
    interval: str
    month_range: str
    year_range: str
    relative: str


@lru_cache(maxsize=1)
def date_grammar() -> DateGrammar:
    """The date grammar compiled from dates.yml."""
    c = date_config()
    gap = "[ ]?"
    pg = c["part_gap"]
    year = f"(?<![\\d.])(?:{c['year']})(?!\\d)"
    y = f"(?:{year}){gap}(?:{c['year_suffix']})"
    m = f"(?:{c['month']}){gap}(?:{c['month_suffix']})"
    m_ar = f"(?<![\\d.])(?:{c['month_arabic']}){gap}(?:{c['month_suffix']})"
    d = f"(?:{c['day']}){gap}(?:{c['day_suffix']})"
    d_ar = f"(?:{c['day_arabic']}){gap}(?:{c['day_suffix']})"
    mp = f"(?:{alternation(c['month_parts'])})(?!步|央|期|级|旬)"
    yp = alternation(c["year_parts"])
    iso = "|".join(
        f"(?<![\\d.])(?:19|20)\\d{{2}}{re.escape(s)}(?:1[0-2]|0?[1-9]){re.escape(s)}(?:3[01]|[12]\\d|0?[1-9])(?!\\d)"
        for s in c["iso_like_separators"]
    )
    point = f"(?:{iso}|{y}(?:{pg}{m}(?:{pg}{d}|{mp})?|{yp})?|{m_ar}(?:{pg}{d_ar}|{mp})?)"
    # PDF text wraps anywhere: 2023 年 1 月 1 日\n起至 2023 年 12 月 31 日 is one interval
    sep = f"{pg}(?:{alternation(c['interval_start_marks'])})?{pg}(?:{alternation(c['interval_separators'])}){pg}"
    interval = f"{point}{sep}(?:{point}|{d_ar})"
    month_range = (
        f"(?:{y}{pg})?(?<![\\d.])(?:{c['month_arabic']}){gap}(?:{alternation(c['interval_separators'])}){gap}"
        f"(?:{c['month_arabic']}){gap}(?:{c['month_suffix']})"
    )
    year_range = f"{year}{gap}(?:{alternation(c['interval_separators'])}){gap}{y}"
    relative = f"(?:{alternation(c['relative'])})(?!度)"
    return DateGrammar(point, interval, month_range, year_range, relative)


def date_pattern() -> str:
    """The scanner's regex of a date: an interval, a month range, a year range, a point, or a relative word."""
    g = date_grammar()
    return f"{g.interval}|{g.month_range}|{g.year_range}|{g.point}|{g.relative}"


@lru_cache(maxsize=1)
def _num_part() -> re.Pattern[str]:
    return re.compile(date_config()["date_part"])


def _number(text: str) -> int:
    """An int from Arabic digits or a Chinese numeral (二〇一三 digit by digit)."""
    if text.isdigit():
        return int(text)
    return int(chinese_number(text))


def _fields(text: str) -> dict[str, Any]:
    """Year, month, day and the part word (底, 上半年) of one date point."""
    iso = re.fullmatch(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})", text.strip())
    if iso:
        return {"year": int(iso[1]), "month": int(iso[2]), "day": int(iso[3]), "part": None}
    fields: dict[str, Any] = {"year": None, "month": None, "day": None, "part": None}
    last_end = 0
    for m in _num_part().finditer(text):
        kind = m["kind"]
        key = "year" if kind.startswith("年") else "month" if kind.startswith("月") else "day"
        fields[key] = _number(m["num"])
        last_end = m.end()
    rest = text[last_end:].strip()
    if rest:
        fields["part"] = rest
    return fields


def _iso(year: int | None, month: int | None = None, day: int | None = None) -> str:
    """2017-03-19, 2016-06, 2016, or --08-19 without a year; ValueError for a day no calendar has (13月, 2月30日)."""
    if month is not None:
        # a leap year when the year is missing, so that 2月29日 stays readable
        calendar_days = calendar.monthrange(year or 2000, month)[1] if 1 <= month <= 12 else 0
        if not calendar_days or (day is not None and not 1 <= day <= calendar_days):
            raise ValueError(f"no such day: {year}-{month}-{day}")
    head = f"{year:04d}" if year else "-"
    if month is None:
        return head if year else ""
    if day is None:
        return f"{head}-{month:02d}"
    return f"{head}-{month:02d}-{day:02d}"


def _point_iso(fields: dict[str, Any]) -> tuple[str, str]:
    """First and last ISO date a point covers (2016年上半年 → 2016-01, 2016-06)."""
    c = date_config()
    year, month, day, part = fields["year"], fields["month"], fields["day"], fields["part"]
    if part and month is None and part in c["year_parts"]:
        first, last = c["year_parts"][part]
        return _iso(year, int(first)), _iso(year, int(last))
    one = _iso(year, month, day)
    return one, one


@lru_cache(maxsize=1)
def _interval_splitters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Splitters of an interval: on a strong separator (至, —), else on a hyphen placed like a date separator."""
    c = date_config()
    weak = c["weak_separators"]
    strong = [s for s in c["interval_separators"] if s not in weak]
    marks = alternation(c["interval_start_marks"])
    strong_re = re.compile(f"\\s*(?:{marks})?\\s*(?:{alternation(strong)})\\s*")
    weak_re = re.compile(
        f"(?:(?<=[年月日号度底末初起])|(?<=\\d)(?=[{''.join(map(re.escape, weak))}][ ]?\\d{{1,4}}[ ]?[年月]))[ ]?"
        f"(?:{marks})?[ ]?(?:{alternation(weak)})[ ]?"
    )
    return strong_re, weak_re


def _split_interval(text: str) -> list[str]:
    """The one or two ends of a date text."""
    strong_re, weak_re = _interval_splitters()
    pieces = strong_re.split(text, maxsplit=1)
    if len(pieces) == 1:
        pieces = weak_re.split(text, maxsplit=1)
    return [p for p in pieces if p.strip()]


@lru_cache(maxsize=1)
def _bare_end() -> re.Pattern[str]:
    return re.compile(date_config()["bare_end"])


def _first_fields(text: str) -> dict[str, Any]:
    """Fields of an interval's first end, which may be a bare month or year (2016年6至7月, 2015—2016年度)."""
    m = _bare_end().fullmatch(text.strip())
    if not m:
        return _fields(text)
    fields = _fields(m["head"]) if m["head"] else {"year": None, "month": None, "day": None, "part": None}
    if len(m["n"]) == 4:
        fields["year"] = int(m["n"])
    else:
        fields["month"] = int(m["n"])
    return fields


@lru_cache(maxsize=1 << 14)  # the same dates (2020年, 2020年1月1日至12月31日) come back in every report
def parse_date(text: str, report_year: int | None = None) -> str | None:
    """ISO value of a date span: 2017-03-19, 2016, 2016-06/2016-07, 2016-01-01/2016-12-31; None if unreadable."""
    try:
        return _parse_date(text, report_year)
    except ValueError:  # a numeral that is none (十十月), or a part out of range
        return None


def _parse_date(text: str, report_year: int | None) -> str | None:
    c = date_config()
    text = text.strip()
    if text in c["relative"]:
        offset, first, last = c["relative"][text]
        if report_year is None:
            return None
        year = report_year + offset
        if first is None:
            return str(year)
        return f"{year}-{first}" if first == last else f"{year}-{first}/{year}-{last}"
    pieces = _split_interval(text)
    first = _first_fields(pieces[0]) if len(pieces) == 2 else _fields(text)
    second = _fields(pieces[1]) if len(pieces) == 2 else None
    if first["year"] is None and first["month"] is not None:
        first["year"] = report_year
    if second is not None:
        # the second end inherits what it leaves out: 2018年1月1日至12月31日, 1月1日至31日
        if second["year"] is None:
            second["year"] = first["year"]
            if second["month"] is None and second["day"] is not None:
                second["month"] = first["month"]
        start, _ = _point_iso(first)
        _, end = _point_iso(second)
        return f"{start}/{end}" if start and end else None
    start, end = _point_iso(first)
    if not start:
        return None
    return start if start == end else f"{start}/{end}"
