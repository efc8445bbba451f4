"""A report's statistical tables rebuilt from its table mentions, each cell with its checks.

The request matrix (ids requests.<row>.<column>) is laid out as rows × applicant columns; every other
table value is listed under its spec section. A cell's status is fail when a check involving it fails,
pass when all its checks pass, na when its checks lack numbers, and empty when no check involves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import load_config
from ..indicators import load_indicators, section_of


@dataclass
class Cell:
    indicator: str
    value: Any
    unit: str | None
    uncertain: bool
    status: str  # pass, fail, na or '' (no check)
    checks: list[dict[str, Any]] = field(default_factory=list)  # the checks involving the cell
    start: int | None = None

    @property
    def title(self) -> str:
        """Hover text: the indicator, then each check with its status, relation and numbers."""
        lines = [self.indicator + (" (uncertain)" if self.uncertain else "")]
        for check in self.checks:
            numbers = ", ".join(f"{k}={'—' if v is None else v}" for k, v in check.get("numbers", {}).items())
            lines.append(f"{check['status']}: {check.get('relation') or check['name']} [{numbers}]")
        return "\n".join(lines)


@dataclass
class StatTable:
    title: str
    columns: list[str]  # column headers (matrix: applicant columns; list: a single value column)
    rows: list[tuple[str, list[Cell | None]]]  # row label, one cell per column


def checks_by_indicator(check_details: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Indicator id → the checks whose numbers include its (year) value."""
    out: dict[str, list[dict[str, Any]]] = {}
    for check in check_details:
        for key in check.get("numbers", {}):
            if "@" not in key:  # id@cumulative: the 历年累计 column, not a cell of these tables
                out.setdefault(key, []).append(check)
    return out


def cell_status(checks: list[dict[str, Any]]) -> str:
    statuses = {c["status"] for c in checks}
    for status in ("fail", "pass", "na"):
        if status in statuses:
            return status
    return ""


def stat_tables(mentions: list[dict[str, Any]], check_details: list[dict[str, Any]]) -> list[StatTable]:
    """The tables of one report, in spec order."""
    by_check = checks_by_indicator(check_details)
    cells: dict[str, Cell] = {}
    for m in mentions:
        if m.get("source") == "table" and m.get("indicator") and m["indicator"] not in cells:
            checks = by_check.get(m["indicator"], [])
            cells[m["indicator"]] = Cell(m["indicator"], m.get("value"), m.get("unit"), bool(m.get("uncertain")),
                                         cell_status(checks), checks, m.get("start"))
    if not cells:
        return []
    cfg = load_config("view.yml")
    columns = load_config("tables.yml")["t3"]["columns"]
    indicators = load_indicators()
    groups: dict[tuple[str, str], dict[str, list[Cell | None]]] = {}  # (kind, section) → rows, in spec order
    order = {ind: n for n, ind in enumerate(indicators)}
    for ind_id in sorted(cells, key=lambda i: order.get(i, len(order))):
        row, _, column = ind_id.rpartition(".")
        section = section_of(ind_id) or "其他"
        if ind_id.startswith(cfg["matrix_prefix"]) and column in columns:
            rows = groups.setdefault(("matrix", section), {})
            rows.setdefault(row, [None] * len(columns))[columns.index(column)] = cells[ind_id]
        else:
            groups.setdefault(("list", section), {})[ind_id] = [cells[ind_id]]
    tables = []
    for (kind, section), rows in groups.items():
        if kind == "matrix":
            tables.append(_matrix(section, rows, columns, indicators, cfg["label_separator"]))
        else:
            tables.append(StatTable(section, ["数值"], [(indicators[i].label if i in indicators else i, row_cells)
                                                       for i, row_cells in rows.items()]))
    return tables


def _matrix(section: str, rows: dict[str, list[Cell | None]], columns: list[str], indicators: dict,
            sep: str) -> StatTable:
    """Rows × applicant columns; row labels are the spec labels' row part (本年新收…｜自然人 → 本年新收…)."""
    aliases = load_config("tables.yml")["t3"].get("column_aliases", {})
    headers = [(aliases.get(c) or [c])[0] for c in columns]
    labelled = []
    for row, row_cells in rows.items():
        some = next(c for c in row_cells if c is not None)
        label = indicators[some.indicator].label.split(sep)[0] if some.indicator in indicators else row
        labelled.append((label, row_cells))
    return StatTable(section, headers, labelled)
