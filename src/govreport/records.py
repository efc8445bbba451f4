"""Merge table values and linked narrative figures into one record per document x canonical indicator.

The table value wins; text values stay as evidence; a text value that disagrees with the table value
flags the record ``conflict``. Without a table value, the most confident text value becomes the record.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from .config import load_config
from .types import Record


@dataclass
class Candidate:
    """A value for an indicator, from a table cell or a linked text figure."""

    indicator: str
    value: float | int | None
    unit: str | None  # unit of ``value`` (base unit for text figures: 元 for 2.5亿元)
    source: str  # table or text
    start: int | None = None
    end: int | None = None
    approx: str | None = None
    scope: str | None = None
    confidence: float = 1.0
    uncertain: bool = False
    text: str | None = None


@lru_cache(maxsize=1024)  # a few dozen units, converted for every candidate value
def split_unit(unit: str | None) -> tuple[str | None, float]:
    """Base unit and factor of a written unit: 万元 → (元, 1e4)."""
    if not unit:
        return unit, 1
    prefixes = load_config("records.yml")["unit_prefixes"]
    factor = 1.0
    while len(unit) > 1 and unit[0] in prefixes:
        factor *= prefixes[unit[0]]
        unit = unit[1:]
    return unit, factor


def convert_value(value: float | None, from_unit: str | None, to_unit: str | None) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``, None when the units are incompatible or the value is
    beyond what a float holds (a 400-digit number: the figure stays in mentions, uncertain, and makes no record)."""
    if value is None:
        return None
    base_from, f_from = split_unit(from_unit)
    base_to, f_to = split_unit(to_unit)
    if base_from and base_to and not units_compatible(base_from, base_to):
        return None
    try:
        converted = value * f_from / f_to
    except OverflowError:
        return None
    return tidy_number(converted) if math.isfinite(converted) else None


def units_compatible(written: str, indicator_unit: str) -> bool:
    """Whether a figure written in ``written`` counts what an indicator in ``indicator_unit`` counts (条 → 件)."""
    return written == indicator_unit or written in _compatible_units().get(indicator_unit, ())


@lru_cache(maxsize=1)
def _compatible_units() -> dict[str, frozenset[str]]:
    return {unit: frozenset(others) for unit, others in load_config("records.yml")["compatible_units"].items()}


def tidy_number(value: float) -> float | int:
    """An integer when the value is whole, else rounded to 6 places."""
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def values_agree(text: Candidate, table_value: float | None, unit: str | None) -> bool:
    """Whether a text figure is consistent with a table value of the indicator's unit."""
    if table_value is None:
        return True
    value = convert_value(text.value, text.unit, unit)
    if value is None:
        return True  # units not comparable: no evidence either way
    if text.approx:
        tolerance = load_config("records.yml")["approx_tolerance"]
        return abs(value - table_value) <= tolerance * max(abs(table_value), 1)
    return abs(value - table_value) < 1e-6


def is_partial_scope(scope: str | None, organ: str | None = None) -> bool:
    """Whether a scope restricts a figure to part of the reporting body (各乡镇, 市直单位, 市教育局).

    No scope, a whole-body scope (全市, 全县) or the reporting organ itself cover the whole body.
    """
    if not scope or scope == organ:
        return False
    return scope not in _whole_scopes()


@lru_cache(maxsize=1)
def _whole_scopes() -> frozenset[str]:
    return frozenset(load_config("records.yml")["whole_scopes"])


def merge_records(
    doc: str,
    organ: str | None,
    year: int | None,
    candidates: Iterable[Candidate],
    units: dict[str, str | None],
    dropped: Counter | None = None,
    part_of_body: Callable[[str | None, str | None], bool] = is_partial_scope,
) -> list[Record]:
    """One record per indicator; ``units`` maps indicator id to its canonical unit; ``part_of_body(scope, organ)``
    tells a figure of part of the body, which gives no record: the extract job passes the linker's own reading
    (link.rules.part_of_body), under which a scope naming the body itself (市政府, 市科委) is no part. The default
    (is_partial_scope) reads every scope but a whole one or the organ's exact name as a part.

    Text figures that neither become a record nor stay as a record's evidence are counted in ``dropped``
    by reason: ``low_confidence``, ``partial_scope``, ``unit_mismatch`` (no table value and a unit that does not
    convert to the indicator's; with a table value, or beside a comparable figure, such a figure
    stays as evidence).
    """
    dropped = Counter() if dropped is None else dropped
    by_indicator: dict[str, list[Candidate]] = defaultdict(list)
    for cand in candidates:
        by_indicator[cand.indicator].append(cand)
    min_conf = load_config("records.yml")["min_text_confidence"]
    records = []
    for indicator, cands in by_indicator.items():
        unit = units.get(indicator)
        # one pass over the candidates (most indicators have one table cell and no text figure)
        table, text = [], []
        low_confidence = partial_scope = 0
        for c in cands:
            if c.source == "table":
                table.append(c)
            elif c.source != "text":
                continue
            elif c.confidence < min_conf:
                low_confidence += 1
            elif part_of_body(c.scope, organ):
                partial_scope += 1
            else:
                text.append(c)
        dropped["low_confidence"] += low_confidence
        dropped["partial_scope"] += partial_scope
        evidence = [_evidence(c, unit) for c in text]
        if table:
            best = next((c for c in table if not c.uncertain), table[0])
            value = convert_value(best.value, best.unit, unit) if best.value is not None else None
            # a table value stated once in the text is confirmed; other text values are then other figures
            # wrongly linked more often than a second official value, so only all-disagreeing text is a conflict
            comparable = [c for c in text if convert_value(c.value, c.unit, unit) is not None]
            conflict = bool(comparable) and not any(values_agree(c, value, unit) for c in comparable)
            records.append(Record(doc, organ, year, indicator, value, unit, "table", best.start, best.end,
                                  conflict, best.uncertain, evidence))
        elif text:
            comparable = [c for c in text if convert_value(c.value, c.unit, unit) is not None]
            if not comparable:
                dropped["unit_mismatch"] += len(text)
                continue
            # the body-wide statement: most confident, in the indicator's own unit, scoped 全市/全县 rather
            # than unscoped, exact rather than approximate, earliest
            ranked = sorted(comparable, key=lambda c: (-c.confidence, c.unit != unit, c.scope is None,
                                                       c.approx is not None, c.start or 0))
            best = ranked[0]
            value = convert_value(best.value, best.unit, unit)
            conflict = any(not values_agree(c, value, unit) for c in ranked[1:])
            records.append(Record(doc, organ, year, indicator, value, unit, "text", best.start, best.end,
                                  conflict, best.approx is not None, evidence))
    return sorted(records, key=lambda r: r.indicator)


def _evidence(cand: Candidate, unit: str | None) -> dict:
    return {
        "text": cand.text,
        "start": cand.start,
        "end": cand.end,
        "value": convert_value(cand.value, cand.unit, unit),
        "approx": cand.approx,
        "scope": cand.scope,
    }
