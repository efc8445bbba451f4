"""Identities between consecutive years of one organ, used to narrow digit-run splits a report leaves open.

上一年项目数量 of year Y+1 is 上一年项目数量 + 本年增/减 of year Y; 上年结转 of Y+1 is 结转下年度 of Y
(configs/tables.yml ``cross_year``). A split of either year that no split of the other year agrees with is
dropped; an identity that nothing satisfies is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product
from typing import Any

from ..config import load_config
from . import SplitChoice, TableResult
from .checks import run_checks


def _source(result: TableResult, indicator: str) -> tuple[SplitChoice, int] | Any | None:
    """Where a value of a result comes from: (choice, cell index) when split with doubt, else the certain value."""
    for choice in result.splits:
        for idx, cell in enumerate(choice.cells):
            if cell.indicator == indicator and cell.measure == "value":
                return choice, idx
    cell = result.cell(indicator)
    if cell is None or cell.uncertain or cell.value is None:
        return None
    return cell.value


def _narrow_pair(this: TableResult, nxt: TableResult, identity: dict[str, Any], cap: int) -> bool:
    """Apply one identity to two consecutive years; True when a choice was narrowed."""
    terms = [(this, ind) for ind in identity["sum"]] + [(nxt, identity["next"])]
    sources = [_source(r, ind) for r, ind in terms]
    if any(s is None for s in sources):
        return False
    choices: list[SplitChoice] = []
    for s in sources:
        if isinstance(s, tuple) and s[0] not in choices:
            choices.append(s[0])
    if not choices:
        return False
    sizes = [len(c.candidates) for c in choices]
    total = 1
    for n in sizes:
        total *= n
    if total > cap:
        return False
    keep: list[set[int]] = [set() for _ in choices]
    for combo in product(*(range(n) for n in sizes)):
        picked = dict(zip((id(c) for c in choices), combo))
        nums = [s[0].candidates[picked[id(s[0])]][s[1]] if isinstance(s, tuple) else s for s in sources]
        if any(v is None for v in nums):
            continue
        if abs(sum(nums[:-1]) - nums[-1]) < 1e-6:
            for n, ci in enumerate(combo):
                keep[n].add(ci)
    if not any(keep):
        return False
    changed = False
    for choice, kept, size in zip(choices, keep, sizes):
        if len(kept) < size:
            choice.narrow(sorted(kept))
            changed = True
    return changed


def _identity_indicators() -> set[str]:
    return {ind for identity in load_config("tables.yml")["cross_year"] for ind in [identity["next"], *identity["sum"]]}


def year_cells(result: TableResult) -> TableResult:
    """Only the cells of ``result`` that the cross-year identities read (what a batch keeps of each report)."""
    wanted = _identity_indicators()
    return TableResult(result.form, values=[c for c in result.values if c.indicator in wanted])


def open_across_years(result: TableResult) -> bool:
    """Whether a split ``result`` leaves open holds a cell the cross-year identities read (another year may
    narrow it)."""
    wanted = _identity_indicators()
    return any(cell.indicator in wanted for choice in result.splits for cell in choice.cells)


def refine_across_years(results: Iterable[tuple[str | None, int | None, TableResult]]) -> int:
    """Narrow the open splits of reports of the same organ with the cross-year identities.

    ``results`` holds (organ, year, TableResult) triples; results are updated in place (values, alternatives,
    uncertainty and checks). Returns how many cells became certain.
    """
    cfg = load_config("tables.yml")
    identities, cap = cfg["cross_year"], cfg["split"]["max_combinations"]
    by_organ: dict[str, dict[int, TableResult]] = {}
    for organ, year, result in results:
        if organ and year is not None:
            by_organ.setdefault(organ, {})[year] = result
    touched: set[int] = set()
    doubtful_before = {id(c) for years in by_organ.values() for r in years.values() for ch in r.splits
                       for c in ch.cells if c.uncertain}
    changed = True
    while changed:
        changed = False
        for years in by_organ.values():
            for year in sorted(years):
                if year + 1 not in years:
                    continue
                for identity in identities:
                    if _narrow_pair(years[year], years[year + 1], identity, cap):
                        changed = True
                        touched |= {id(years[year]), id(years[year + 1])}
    settled = 0
    for years in by_organ.values():
        for result in years.values():
            if id(result) not in touched:
                continue
            for choice in result.splits:
                settled += sum(1 for c in choice.cells if id(c) in doubtful_before and not c.uncertain)
            by_ref = {(c.indicator, c.measure): c.value for c in result.values + result.cumulative}
            result.checks = run_checks(result.form, by_ref, result.row_keys)
    return settled
