"""Statistical tables of the reports → canonical indicator values (the official statistics).

``parse_tables(doc)`` detects the form (pre2019, v2019, v2021 or none), reads every table shape into
rows (shapes: Table objects, pipe lines, one cell per line, label-and-numbers lines, digit runs whose
separators were lost), matches rows and columns by their labels (align), splits digit runs using the
table's arithmetic and the narrative (split), and runs the spec's checks (checks).

``TableResult``:
- ``values``: one ``CellValue`` per indicator: value in the indicator's unit (None for a blank or
  '-', '/', '空', '无' cell), the offsets [start, end) of its digits in ``doc.text``, the row and column
  label as found, ``method`` (label, fuzzy: similar label, order: placed between recognised rows of the
  request matrix, split: cut from a digit run), ``uncertain`` and the ``alternatives`` it could be.
- ``cumulative``: the 历年累计 column of the pre2019 Fujian variant (measure 'cumulative'), kept apart
  from ``values`` so that it never competes with the year's value (本年度 is the indicator value).
- ``checks``: every spec check (勾稽关系) that applies, pass / fail / na with the numbers involved.
- ``areas``: text spans covered by tables (for the narrative extractors to skip).
- ``splits``: rows whose split stays open, for ``tables.years.refine_across_years`` (neighbouring years of an organ).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import combinations
from math import comb
from typing import Any

from ..config import load_config
from ..indicators import load_indicators, normalize_label, split_label
from ..types import Document
from .align import Slot, fit, read_slots
from .checks import CheckResult, Ref, cross_year_checks, run_checks, split_relations
from .forms import detect_new_form
from .shapes import Val
from .split import SplitProblem, propagate, rank, rule_holds, split_row

__all__ = ["CellValue", "CheckResult", "SplitChoice", "TableResult", "cross_year_checks", "parse_tables"]


@dataclass
class CellValue:
    """One table cell read as a canonical indicator value."""

    indicator: str
    value: int | float | None
    unit: str | None
    uncertain: bool = False
    alternatives: list[int | float | None] = field(default_factory=list)
    start: int | None = None  # offsets of the cell's number in doc.text, end exclusive
    end: int | None = None
    row_label: str = ""
    column_label: str = ""
    measure: str = "value"  # value, or cumulative (历年累计)
    table: str = ""  # pre2019, t2, t3, t4
    method: str = "label"  # label, fuzzy, order, split
    raw: str = ""
    confidence: float = 1.0  # set by parse_tables: see cell_confidence


    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SplitChoice:
    """The splits still possible for one row: candidate values per cell (indicator units), best first."""

    cells: list[CellValue]
    candidates: list[list[Any]]

    def narrow(self, keep: list[int]) -> None:
        """Keep only the given candidates and update the cells' values, alternatives and uncertainty."""
        self.candidates = [self.candidates[i] for i in keep]
        for idx, cell in enumerate(self.cells):
            values: list[Any] = []
            for cand in self.candidates:
                if cand[idx] not in values:
                    values.append(cand[idx])
            cell.value = values[0]
            cell.uncertain = len(values) > 1
            cell.alternatives = values if cell.uncertain else []


@dataclass
class TableCoverage:
    """How much of one table of the form was read: found or not, cells read, expected and uncertain."""

    table: str  # t2, t3, t4 or pre2019
    found: bool
    read: int
    expected: int | None  # None for pre2019, whose provincial variants have different rows
    uncertain: int
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TableResult:
    """The tables of one document: form, cell values, checks, and the text areas the tables cover."""

    form: str
    values: list[CellValue] = field(default_factory=list)
    cumulative: list[CellValue] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    areas: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # rows whose digit runs kept several splits: their cells and the candidate values, best first
    splits: list[SplitChoice] = field(default_factory=list, repr=False)
    coverage: list[TableCoverage] = field(default_factory=list)
    # the request table's row keys in the order read (the checks' relations follow it when run again)
    row_keys: list[str] = field(default_factory=list, repr=False)

    def cell(self, indicator: str, measure: str = "value") -> CellValue | None:
        """The cell of an indicator, or None."""
        for cell in self.values if measure == "value" else self.cumulative:
            if cell.indicator == indicator:
                return cell
        return None

    def value_of(self, indicator: str, measure: str = "value") -> int | float | None:
        """The value of an indicator, or None when absent or null."""
        cell = self.cell(indicator, measure)
        return cell.value if cell else None

    def to_dict(self) -> dict[str, Any]:
        return {"form": self.form, "values": [c.to_dict() for c in self.values],
                "cumulative": [c.to_dict() for c in self.cumulative], "checks": [c.to_dict() for c in self.checks],
                "areas": [list(a) for a in self.areas], "warnings": list(self.warnings),
                "coverage": [c.to_dict() for c in self.coverage]}


@lru_cache(maxsize=1)
def _money() -> tuple[dict[str, float], set[str]]:
    """Written-unit factors and the units whose cells may hold decimals."""
    cells = load_config("tables.yml")["cells"]
    return cells["money_factors"], set(cells["decimal_units"])


def to_unit(value: float | None, written: str | None, unit: str | None) -> int | float | None:
    """A number written with 万/元/亿元 expressed in the indicator's unit."""
    if value is None:
        return None
    factors, _ = _money()
    if written and unit and written != unit and written in factors and unit in factors:
        value = round(value * factors[written] / factors[unit], 6)
    if isinstance(value, float) and value.is_integer() and written and written != unit:
        return int(value)
    return value


# a number with thousands separators, else a digit run; neither inside a longer number or a decimal's fraction.
# Written to start with its first digit (the look-behind checks the character before it), so that the regex
# engine skips the text to the next digit instead of trying the look-behinds at every character: 5x faster.
_NUMBER = re.compile(r"\d(?:(?<![\d.,]\d)\d{0,2}(?:,\d{3})+(?![\d,])|(?<![\d.]\d)\d*(?!\d))")


def narrative_text(text: str, areas: list[tuple[int, int]]) -> str:
    """The text with the table areas blanked out (offsets unchanged)."""
    parts, pos = [], 0
    for a, b in sorted(areas):
        if b <= pos:
            continue
        a = max(a, pos)
        parts += [text[pos:a], " " * (b - a)]
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def narrative_numbers(narrative: str) -> set[int]:
    """Integers written in the narrative."""
    # strings, not match objects; each distinct one converted once (0, 1, 12 recur hundreds of times in a report)
    return {int(n.replace(",", "")) for n in set(_NUMBER.findall(narrative))}


def numbers_after(narrative: str, names: set[str], window: int, memo: dict[str, set[int]] | None = None) -> set[int]:
    """Integers written within ``window`` characters after one of ``names`` in the narrative.

    ``memo`` keeps each name's numbers for one narrative: rows of repeated tables share their names, and reading the
    whole narrative again for each of them grew with the square of the document.
    """
    memo = {} if memo is None else memo
    out: set[int] = set()
    for name in names:
        if len(name) < 2:
            continue
        if name not in memo:
            found: set[int] = set()
            pos = narrative.find(name)
            while pos >= 0:
                end = pos + len(name)
                found |= narrative_numbers(narrative[end:end + window])
                pos = narrative.find(name, end)
            memo[name] = found
        out |= memo[name]
    return out


def _row_names(slot: Slot) -> frozenset[str]:
    """Labels of a slot's row as the narrative may write them (spec labels and aliases, row part)."""
    return _names_of_row(tuple(slot.refs))


@lru_cache(maxsize=1024)  # a form has a few hundred rows, read again in every report
def _names_of_row(refs: tuple[Ref, ...]) -> frozenset[str]:
    inds = load_indicators()
    names = set()
    for ind_id, _ in refs:
        for name in inds[ind_id].names:
            row, _ = split_label(name)
            names.add(normalize_label(row.split("·")[-1]))
    return frozenset(names)


def _cell(slot: Slot, idx: int, value: Any, start: int | None, end: int | None, raw: str, written: str | None,
          uncertain: bool, method: str, alternatives: list[Any] | None = None) -> CellValue:
    ind_id, measure = slot.refs[idx]
    unit = load_indicators()[ind_id].unit
    written = written or (slot.units[idx] if idx < len(slot.units) else None)
    conv = to_unit(value, written, unit)
    alts = [to_unit(a, written, unit) for a in (alternatives or [])]
    row_label = slot.row_label or (ind_id.rsplit(".", 1)[0] if slot.table == "t4" else "")
    return CellValue(ind_id, conv, unit, uncertain, alts, start if end and end > start else None,
                     end if end and end > start else None, row_label, slot.col_labels[idx], measure, slot.table,
                     method, raw)


def _decimals(slot: Slot) -> list[bool]:
    """Per cell of a slot: whether it may hold a decimal."""
    _, decimal_units = _money()
    inds = load_indicators()
    return [inds[i].unit in decimal_units for i, _ in slot.refs]


def _signed(slot: Slot) -> list[bool]:
    """Per cell of a slot: whether it may be negative (本年增/减)."""
    endings = tuple(load_config("tables.yml")["cells"]["signed_indicators"])
    return [i.endswith(endings) for i, _ in slot.refs]


def _decimal_doubt(value: Any) -> list[Any]:
    """Alternatives of a number with implausibly many decimals (its value, and cut after two decimals)."""
    if not isinstance(value, float):
        return []
    cfg = load_config("tables.yml")
    decimals = len(repr(value).split(".", 1)[1]) if "." in repr(value) else 0
    if decimals <= cfg["cells"]["max_decimals"]:
        return []
    return [value, float(f"{value:.{cfg['split']['max_fraction_digits']}f}")]


def _direct(slot: Slot, vals: list[Val | None], doubt: bool | set[int]) -> list[CellValue]:
    """Cells of a row whose values fill its columns as they are (``doubt``: the whole row, or some cells)."""
    unsure = doubt if isinstance(doubt, set) else set()
    doubt = doubt is True
    out = []
    short = len(vals) < len(slot.refs)
    cols = [v.col for v in vals if v is not None and v.col is not None]
    if len(cols) != len(set(cols)):  # numbers sharing a cell (a wrapped number, or a lost separator):
        row = [None if v is None or v.blank else v.value for v in vals]  # trusted only where the row adds up
        doubt = doubt or any(rule_holds(rule, row) is False for rule in slot.rules)
    for idx, val in enumerate(vals):
        if val is None:
            out.append(_cell(slot, idx, None, None, None, "", None, True, slot.method))
            continue
        value = None if val.blank else val.value
        alts = _decimal_doubt(value)
        out.append(_cell(slot, idx, value, val.start, val.end, val.text, val.unit,
                         slot.uncertain or doubt or idx in unsure or short or bool(alts), slot.method, alts))
    return out


def _from_split(slot: Slot, problem: SplitProblem, narrative: str, numbers: set[int],
                choices: list[SplitChoice], after: dict[str, set[int]] | None = None) -> list[CellValue]:
    """Cells of a row whose digit runs were split: the best cutting, with alternatives where others remain."""
    window = load_config("tables.yml")["split"]["narrative_window"]
    # the narrative's support only orders candidates: a row left with one needs no look at the narrative
    local = numbers_after(narrative, _row_names(slot), window, after) if len(problem.candidates) > 1 else set()
    ranked = rank(problem, numbers, local)
    if not ranked:
        return []
    best, support = ranked[0]
    top = [c for c, s in ranked if s == support] if support > 0 else [c for c, _ in ranked]
    out = []
    for idx, part in enumerate(best):
        values = [c[idx].value for c in top]
        doubtful = len(set(values)) > 1 or problem.capped or slot.uncertain
        alts: list[Any] = []
        if doubtful:
            for c, _ in ranked:
                if c[idx].value not in alts:
                    alts.append(c[idx].value)
        out.append(_cell(slot, idx, part.value, part.start, part.end, part.text, part.unit, doubtful, "split", alts))
    if len(top) > 1 and not problem.capped:
        inds = load_indicators()
        units = [(inds[i].unit, slot.units[n] if n < len(slot.units) else None) for n, (i, _) in enumerate(slot.refs)]
        choices.append(SplitChoice(out, [[to_unit(p.value, p.unit or written, unit)
                                          for p, (unit, written) in zip(c, units)] for c in top]))
    return out


def _values_of(vals: list[Val | None]) -> tuple[Any, ...]:
    return tuple(None if v is None or v.blank else v.value for v in vals)


def _check_dropped_blanks(slot: Slot, k: int, vals: list[Val | None],
                          doubt: bool) -> tuple[list[Val | None], bool | set[int]]:
    """A row with more cells than slots loses its surplus blank cells (merged label cells, the break after a
    table); which ones is checked against the row's arithmetic: the reading ``fit`` chose stands when the
    rules allow it, else one they allow; cells on which the allowed readings disagree are doubtful (returned as
    a set of cell indices), and the whole row when none is allowed."""
    surplus = len(slot.vals) - k
    if not slot.rules or slot.grid_map or slot.gaps or len(vals) != k or surplus <= 0:
        return vals, doubt  # (a header's columns or empty places decide by position)
    blanks = [i for i, v in enumerate(slot.vals) if v.blank]
    if len(blanks) < surplus:
        return vals, doubt
    if comb(len(blanks), surplus) > load_config("tables.yml")["split"]["max_blank_readings"]:
        return vals, True
    readings: dict[tuple[Any, ...], list[Val]] = {}
    for dropped in combinations(blanks, surplus):
        kept = [v for i, v in enumerate(slot.vals) if i not in dropped]
        values = _values_of(kept)
        if all(rule_holds(rule, list(values)) is not False for rule in slot.rules):
            readings.setdefault(values, kept)
    if not readings:
        return vals, True
    chosen = _values_of(vals)
    kept = vals if chosen in readings else next(iter(readings.values()))
    # a cell on which the readings disagree is doubtful; the others hold whichever blanks were dropped
    unsure = {i for i in range(k) if len({r[i] for r in readings}) > 1}
    return kept, doubt or unsure


def _own_cells(vals: list[Val | None]) -> bool:
    """Whether every value stands in a grid cell of its own (delimited cells: a short row lost a cell)."""
    cols = [v.col for v in vals if v is not None]
    return len(cols) == len(vals) and None not in cols and len(set(cols)) == len(cols)


def _may_hold(rule: dict[str, Any], row: list[Any], placed: set[int]) -> bool:
    """Whether a row rule can hold when the cells outside ``placed`` are unknown (and not negative)."""
    if "sum" in rule:
        parts, total = rule["sum"], rule["equals"]
        if max([*parts, total]) >= len(row):
            return True
        known = sum(row[i] or 0 for i in parts if i in placed)
        if total not in placed:
            return True
        target = row[total] or 0
        if all(i in placed for i in parts):
            return abs(known - target) < 1e-6
        return known <= target + 1e-6
    if "le" in rule:
        a, b = rule["le"]
        if max(a, b) >= len(row) or a not in placed or b not in placed or row[a] is None or row[b] is None:
            return True
        return row[a] <= row[b] + 1e-6
    return True


def placements(vals: list[Val], k: int, rules: list[dict[str, Any]]) -> list[tuple[int, ...]]:
    """The ways to put a short row's values into ``k`` slots, in order, that the row's rules allow."""
    out = []
    for pos in combinations(range(k), len(vals)):
        row: list[Any] = [None] * k
        for p, v in zip(pos, vals, strict=True):
            row[p] = None if v.blank else v.value
        if all(_may_hold(rule, row, set(pos)) for rule in rules):
            out.append(pos)
    return out


def _placed(slot: Slot, vals: list[Val]) -> list[CellValue]:
    """Cells of a short row: placed where exactly one reading is left, else unassigned with their candidates."""
    k = len(slot.refs)
    readings = placements(vals, k, slot.rules)
    out = []
    for idx in range(k):
        held = [next((v for p, v in zip(pos, vals, strict=True) if p == idx), None) for pos in readings]
        if len(readings) == 1 and held[0] is not None:
            v = held[0]
            out.append(_cell(slot, idx, None if v.blank else v.value, v.start, v.end, v.text, v.unit,
                             slot.uncertain, "order"))
            continue
        alternatives: list[Any] = []
        for v in held if readings else vals:
            value = None if v is None or v.blank else v.value
            if v is not None and value not in alternatives:
                alternatives.append(value)
        out.append(_cell(slot, idx, None, None, None, "", None, True, "order", alternatives))
    return out


def _resolve(slots: list[Slot], form: str, row_keys: list[str], narrative: str,
             choices: list[SplitChoice]) -> tuple[list[CellValue], list[str]]:
    """Read every slot: direct values, or candidate splits narrowed by the relations between rows."""
    cells: list[CellValue] = []
    pending: list[tuple[Slot, SplitProblem]] = []
    for slot in slots:
        k = len(slot.refs)
        vals, doubt = fit(slot.vals, k, slot.grid_map, slot.keys, slot.gaps)
        vals, doubt = _check_dropped_blanks(slot, k, vals, doubt)
        if 0 < len(vals) < k and _own_cells(vals):
            cells.extend(_placed(slot, vals))  # a cell was lost, not a separator: no digit run is cut
        elif len(vals) < k and any(v is not None and v.splittable for v in vals):
            clean = [v if v is not None else Val("", 0, 0, blank=True) for v in vals]
            pending.append((slot, split_row(slot.refs, clean, _decimals(slot), _signed(slot), slot.rules, slot.soft_rules)))
        else:
            cells.extend(_direct(slot, vals, doubt))
    broken: list[str] = []
    if pending:
        fixed: dict[Ref, Any] = {}
        for c in cells:
            fixed.setdefault((c.indicator, c.measure), c.value)
        present = {c.indicator for c in cells} | {r[0] for _, p in pending for r in p.refs}
        broken = propagate([p for _, p in pending], fixed, split_relations(form, present, row_keys))
        # (read only when a row keeps several candidates for the narrative to order)
        numbers = narrative_numbers(narrative) if any(len(p.candidates) > 1 for _, p in pending) else set()
        after: dict[str, set[int]] = {}  # numbers after each row name, read once per narrative
        for slot, problem in pending:
            cells.extend(_from_split(slot, problem, narrative, numbers, choices, after))
    return cells, broken


def _dedupe(cells: list[CellValue], warnings: list[str]) -> list[CellValue]:
    """One cell per indicator and measure: the first read wins; a disagreeing repeat is reported."""
    seen: dict[tuple[str, str], CellValue] = {}
    for cell in cells:
        key = (cell.indicator, cell.measure)
        if key not in seen:
            seen[key] = cell
        elif seen[key].value != cell.value and cell.value is not None:
            warnings.append(f"{cell.indicator}: read {seen[key].value} and {cell.value}; kept the first")
            if seen[key].value is None:
                seen[key] = cell
    return list(seen.values())


def cell_confidence(cell: CellValue) -> float:
    """How likely the cell's value is right: by how a certain cell was placed (configs/tables.yml
    ``confidence``, measured by the calibration section of ``make evaluate``); an uncertain cell shares it
    among its candidates, and an unassigned cell without candidates has none."""
    cfg = load_config("tables.yml")["confidence"]
    if not cell.uncertain:
        return cfg["certain"].get(cell.method, cfg["certain"]["label"])
    candidates = len(cell.alternatives)
    if cell.value is None and not candidates:
        return 0.0
    return round(cfg["uncertain_share"] / max(candidates, 2), 4)


def parse_tables(doc: Document) -> TableResult:
    """Form, canonical cell values and checks of the statistical tables of ``doc``."""
    year = doc.meta.get("year") or doc.meta.get("report_year")
    form = detect_new_form(doc.text, year if isinstance(year, int) else None)
    slots, areas, row_keys, warnings = read_slots(doc, form or "pre2019")
    if form is None:
        # numbers, and blank cells of a grid under a recognised label (a table of zeros written blank)
        filled = sum(1 for s in slots for v in s.vals if not v.blank or v.col is not None)
        if filled < load_config("tables.yml")["forms"]["min_pre2019_cells"]:
            return TableResult("none", warnings=warnings)
        form = "pre2019"
    choices: list[SplitChoice] = []
    cells, broken = _resolve(slots, form, row_keys, narrative_text(doc.text, areas), choices)
    warnings = list(warnings)
    cells = _dedupe(cells, warnings)
    for cell in cells:
        cell.confidence = cell_confidence(cell)
    values = [c for c in cells if c.measure == "value"]
    cumulative = [c for c in cells if c.measure != "value"]
    by_ref = {(c.indicator, c.measure): c.value for c in cells}
    checks = run_checks(form, by_ref, row_keys)
    if broken:
        warnings.append("relations no split satisfies: " + ", ".join(broken))
    kept = {id(c) for c in cells}
    choices = [ch for ch in choices if all(id(c) in kept for c in ch.cells)]
    return TableResult(form, values, cumulative, checks, clip_areas(doc.text, areas, cells), warnings, choices,
                       table_coverage(doc, form, cells), list(row_keys))


@lru_cache(maxsize=4)
def expected_cells(form: str) -> dict[str, int]:
    """Cells of each table of a new form: table 2 and 4 from the spec, the request matrix from its rows."""
    cfg = load_config("tables.yml")
    out = {"t2": sum(1 for i, ind in load_indicators().items() if form in ind.forms and i.startswith("active.")),
           "t3": len([r for r in cfg["t3"]["rows"][form] if not r.endswith("?")]) * len(cfg["t3"]["columns"]),
           "t4": len(cfg["t4"]["order"])}
    return out


def table_coverage(doc: Document, form: str, cells: list[CellValue]) -> list[TableCoverage]:
    """Per table of the form: found, cells read, expected and uncertain, and a warning naming the document and
    the table when a found table yields under ``coverage.min_share`` of its cells or a table heading has no
    readable table after it."""
    cfg = load_config("tables.yml")["coverage"]
    names = ["pre2019"] if form == "pre2019" else ["t2", "t3", "t4"]
    expected = {} if form == "pre2019" else expected_cells(form)
    out = []
    for name in names:
        mine = [c for c in cells if c.table == name and c.measure == "value"]
        uncertain = sum(1 for c in mine if c.uncertain)
        cov = TableCoverage(name, bool(mine), len(mine), expected.get(name), uncertain)
        certain = len(mine) - uncertain
        heading = re.search(cfg["headings"][name], doc.text)
        if not mine and heading:
            cov.warning = f"{doc.path}: table heading {heading.group(0)!r} has no readable table after it"
        elif cov.expected and not mine:
            cov.warning = f"{doc.path}: table {name} of the {form} form not found"
        elif cov.expected and certain < cfg["min_share"] * cov.expected:
            cov.warning = (f"{doc.path}: table {name} ({form}) yields {certain} of {cov.expected} cells "
                           f"({uncertain} uncertain)")
        out.append(cov)
    return out


def clip_areas(text: str, areas: list[tuple[int, int]], cells: list[CellValue]) -> list[tuple[int, int]]:
    """Each table area cut after the line of its last value read.

    An area found in running text reaches to the next heading, which may sit after narrative paragraphs
    when a report numbers its sections irregularly; that narrative is not table and must stay visible to
    the span and link stages.
    """
    ends = sorted(c.end for c in cells if c.end is not None)
    narrative_end = re.compile(load_config("tables.yml")["areas"]["narrative_after_last_value"])
    clipped = []
    for start, end in areas:
        i = bisect_right(ends, end)  # the last value ending inside the area, by bisection (hundreds of areas)
        if i and ends[i - 1] > start:
            last = ends[i - 1]
            line_end = text.find("\n", last)
            line_end = line_end if line_end != -1 else len(text)
            # a table flattened into one line with the narrative after it (…行政事业性收费52.7 (二)主动公开政府
            # 信息的主要类别…共8条；…): a sentence ends before the line does, so the area ends at the last value
            end = min(end, last if narrative_end.search(text, last, min(end, line_end)) else line_end)
        clipped.append((start, end))
    return clipped

