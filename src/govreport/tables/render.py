"""Value sets rendered into the forms' tables and the shapes reports take: the round-trip instrument.

A *value set* is what an expected file holds once expanded: ``{(indicator id, measure): value}`` (None for a
null cell). ``layout(form, values, style)`` builds the form's tables as grids of cells (row and column labels
as the official forms write them; merged cells carry a row/column span), and ``render(layout, shape)`` writes
them in one shape: markdown pipes, `` | `` text without edge pipes, tabs, space-aligned text (ASCII or
full-width spaces, a blank cell is just more spaces, long labels may wrap onto a second line), one cell per
line, HTML with rowspan/colspan, or DOCX (for v2021, the official Word template filled with python-docx).
``pdf_from_docx`` turns a DOCX into a PDF with LibreOffice headless when ``soffice`` is installed.

``random_values(form, rng)`` draws value sets that satisfy the tables' arithmetic (every check of
configs/indicators.yml that applies to the form), so that truth is known by construction.
"""

from __future__ import annotations

import html
import random
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import load_config
from ..indicators import load_indicators, split_label

Ref = tuple[str, str]
SHAPES = ("markdown", "bar_text", "tsv", "spaces", "fullwidth_spaces", "cell_per_line", "html", "docx")
TEXT_SHAPES = {"markdown": ".md", "bar_text": ".txt", "tsv": ".txt", "spaces": ".txt", "fullwidth_spaces": ".txt",
               "cell_per_line": ".txt", "html": ".html", "docx": ".docx"}

_CN = "一二三四五六七八九十"


@dataclass
class Cell:
    """A grid cell: its text, its span, and the value it holds (None for a label or header)."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    ref: Ref | None = None


@dataclass
class Grid:
    """One table: a heading line before it and its rows (None where a merged cell covers the position)."""

    heading: str
    rows: list[list[Cell | None]]


@dataclass
class Style:
    """How a rendering writes labels and null cells."""

    null: str = ""  # how a null cell is written: '', '-', '/', '无'
    numbering: str = "full"  # full （一）, half (一), none
    short_labels: bool = False  # 本年新收申请数量 for 本年新收政府信息公开申请数量, 规范性文件 for 行政规范性文件
    wrap: int = 0  # space-aligned text: labels longer than this wrap onto a second line (0: never)


@dataclass
class Layout:
    """The tables of one rendered report, with its title and the truth they hold."""

    form: str
    title: str
    grids: list[Grid]
    values: dict[Ref, Any] = field(default_factory=dict)


# --- labels -------------------------------------------------------------------------------------------------


def _numbered(n: int, label: str, style: Style, level: int) -> str:
    """A row label with the form's numbering at a level: 一、 / （一） / 1."""
    if style.numbering == "none":
        return label
    if level == 0:
        return f"{_CN[n]}、{label}"
    if level == 1:
        return f"（{_CN[n]}）{label}" if style.numbering == "full" else f"({_CN[n]}){label}"
    return f"{n + 1}.{label}"


def _short(label: str, style: Style) -> str:
    """The shortened spelling reports use for some row labels."""
    if not style.short_labels:
        return label
    return {"本年新收政府信息公开申请数量": "本年新收申请数量", "上年结转政府信息公开申请数量": "上年结转申请数量",
            "行政规范性文件": "规范性文件"}.get(label, label)


def _cell_text(value: Any, style: Style) -> str:
    """A value as a table cell writes it."""
    if value is None:
        return style.null
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else f"{value:.2f}"
    return str(value)


# --- form layouts -------------------------------------------------------------------------------------------

# Table 2 (第二十条): section numeral → rows (indicator id prefix, form label) and columns (id suffix, label).
_T2 = {
    "v2021": [
        ("一", [("active.rules", "规章"), ("active.normative", "行政规范性文件")],
         [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")]),
        ("五", [("active.licensing", "行政许可")], [("decisions", "本年处理决定数量")]),
        ("六", [("active.penalty", "行政处罚"), ("active.enforcement", "行政强制")], [("decisions", "本年处理决定数量")]),
        ("八", [("active.fees", "行政事业性收费")], [("amount", "本年收费金额（单位：万元）")]),
    ],
    "v2019": [
        ("一", [("active.rules", "规章"), ("active.normative", "规范性文件"), ("active.other_docs", "其他主动公开文件")],
         [("new_made", "本年新制作数量"), ("new_published", "本年新公开数量"), ("total_published", "对外公开总数量")]),
        ("五", [("active.licensing", "行政许可"), ("active.other_services", "其他对外管理服务事项")],
         [("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")]),
        ("六", [("active.penalty", "行政处罚"), ("active.enforcement", "行政强制")],
         [("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")]),
        ("八", [("active.fees", "行政事业性收费")], [("prev_items", "上一年项目数量"), ("change", "本年增/减")]),
        ("九", [("active.procurement", "政府集中采购")], [("projects", "采购项目数量"), ("amount", "采购总金额")]),
    ],
}
_T3_HEAD = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
_T4_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
_HEADINGS = {
    "t2": "二、主动公开政府信息情况",
    "t3": "三、收到和处理政府信息公开申请情况",
    "t4": "四、政府信息公开行政复议、行政诉讼情况",
    "pre2019": "政府信息公开情况统计表",
}


def _t2_grid(form: str, values: dict[Ref, Any], style: Style) -> Grid:
    """Table 2 of a new form: one block per 第二十条 section (marker row, header row, data rows)."""
    width = 4
    rows: list[list[Cell | None]] = []
    for numeral, row_defs, cols in _T2[form]:
        rows.append([Cell(f"第二十条第（{numeral}）项", colspan=width), None, None, None])
        span = width - len(cols)  # a single column spreads over the three value columns (merged)
        header: list[Cell | None] = [Cell("信息内容")]
        if len(cols) == 1:
            header += [Cell(cols[0][1], colspan=3), None, None]
        else:
            header += [Cell(label, colspan=1) for _, label in cols] + [None] * (span - 1)
        rows.append(header[:width])
        for prefix, label in row_defs:
            label = _short(label, style)
            cells: list[Cell | None] = [Cell(label)]
            if len(cols) == 1:
                ref = (f"{prefix}.{cols[0][0]}", "value")
                cells += [Cell(_cell_text(values.get(ref), style), colspan=3, ref=ref), None, None]
            else:
                for key, _ in cols:
                    ref = (f"{prefix}.{key}", "value")
                    cells.append(Cell(_cell_text(values.get(ref), style), ref=ref))
                cells += [Cell("")] * (width - 1 - len(cols))
            rows.append(cells[:width])
    return Grid(_HEADINGS["t2"], rows)


def _t3_row_labels(form: str) -> list[tuple[str, list[str]]]:
    """The request matrix rows of a form: (id prefix, label path) from the spec labels."""
    inds = load_indicators()
    out = []
    for key in load_config("tables.yml")["t3"]["rows"][form]:
        if key.endswith("?"):  # optional rows are not rows of the official form
            continue
        ind = inds.get(f"{key}.total")
        if ind is None:
            continue
        row, _ = split_label(ind.label)
        out.append((key, row.split("·")))
    return out


def _t3_grid(form: str, values: dict[Ref, Any], style: Style) -> Grid:
    """The request matrix: three header rows, three label columns, seven value columns."""
    cols = load_config("tables.yml")["t3"]["columns"]
    rows: list[list[Cell | None]] = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3), None, None,
         Cell("申请人情况", colspan=7)] + [None] * 6,
        [None, None, None, Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5)] + [None] * 4
        + [Cell("总计", rowspan=2)],
        [None, None, None, None] + [Cell(t) for t in _T3_HEAD[1:6]] + [None],
    ]
    labels = _t3_row_labels(form)
    top = ["requests.new", "requests.carried_over", None, "requests.carried_forward"]
    groups: list[str] = []
    subs: dict[str, int] = {}
    body: list[list[Cell | None]] = []
    result_rows = [k for k, _ in labels if k not in top and k != "requests.total"]
    for key, path in labels:
        vals = [Cell(_cell_text(values.get((f"{key}.{c}", "value")), style), ref=(f"{key}.{c}", "value"))
                for c in cols]
        if key in top:
            label = _numbered(top.index(key), _short(path[-1], style), style, 0)
            body.append([Cell(label, colspan=3), None, None, *vals])
            continue
        first = not any(r[0] is not None and r[0].text.endswith("本年度办理结果") for r in body)
        lead: Cell | None = None
        if first:
            lead = Cell(_numbered(2, "本年度办理结果", style, 0), rowspan=len(result_rows) + 1)
        if key == "requests.total":
            body.append([lead, Cell(_numbered(len(groups), "总计", style, 1), colspan=2), None, *vals])
            continue
        group = path[0] if len(path) > 1 else path[-1]
        if group not in groups:
            groups.append(group)
        n_sub = sum(1 for k, p in labels if k in result_rows and p[0] == group and len(p) > 1)
        if len(path) == 1:
            body.append([lead, Cell(_numbered(groups.index(group), group, style, 1), colspan=2), None, *vals])
            continue
        i = subs.get(group, 0)
        subs[group] = i + 1
        gcell = Cell(_numbered(groups.index(group), group, style, 1), rowspan=n_sub) if i == 0 else None
        body.append([lead, gcell, Cell(_numbered(i, path[-1], style, 2)), *vals])
    return Grid(_HEADINGS["t3"], rows + body)


def _t4_grid(values: dict[Ref, Any], style: Style) -> Grid:
    """Table 4: 行政复议 five columns, 行政诉讼 two groups of five."""
    order = load_config("tables.yml")["t4"]["order"]
    rows: list[list[Cell | None]] = [
        [Cell("行政复议", colspan=5)] + [None] * 4 + [Cell("行政诉讼", colspan=10)] + [None] * 9,
        [Cell(t, rowspan=2) for t in _T4_COLS] + [Cell("未经复议直接起诉", colspan=5)] + [None] * 4
        + [Cell("复议后起诉", colspan=5)] + [None] * 4,
        [None] * 5 + [Cell(t) for t in _T4_COLS * 2],
        [Cell(_cell_text(values.get((i, "value")), style), ref=(i, "value")) for i in order],
    ]
    return Grid(_HEADINGS["t4"], rows)


def _pre2019_grid(values: dict[Ref, Any], style: Style) -> Grid:
    """The pre2019 statistics table: 统计指标 | 单位 | 统计数, sections numbered 一、, rows （一）, sub-rows 1."""
    inds = load_indicators()
    present = {i for i, m in values if m == "value"}
    rows: list[list[Cell | None]] = [[Cell("统计指标"), Cell("单位"), Cell("统计数")]]
    section = -1
    top = sub = 0
    for ind_id, ind in inds.items():
        if "pre2019" not in ind.forms or ind_id not in present:
            continue
        if ind.section and (ind.parent is None):
            section += 1
            top = sub = 0
            rows.append([Cell(_numbered(section, ind.section, style, 0)), Cell(""), Cell("")])
        if ind.parent is None:
            label = _numbered(top, ind.label, style, 1)
            top += 1
            sub = 0
        else:
            label = _numbered(sub, ind.label, style, 2)
            sub += 1
        ref = (ind_id, "value")
        rows.append([Cell(label), Cell(ind.unit or ""), Cell(_cell_text(values.get(ref), style), ref=ref)])
    return Grid(_HEADINGS["pre2019"], rows)


def layout(form: str, values: dict[Ref, Any], style: Style | None = None, organ: str = "某某区人民政府",
           year: int = 2022) -> Layout:
    """The form's tables holding ``values``."""
    style = style or Style()
    title = f"{organ}{year}年政府信息公开工作年度报告"
    if form == "pre2019":
        grids = [_pre2019_grid(values, style)]
    else:
        grids = [_t2_grid(form, values, style), _t3_grid(form, values, style), _t4_grid(values, style)]
    refs = {c.ref for g in grids for r in g.rows for c in r if c is not None and c.ref}
    truth = {ref: v for ref, v in values.items() if ref in refs}
    truth.update({ref: None for ref in refs if ref not in truth})
    return Layout(form, title, grids, truth)


# --- value sets ----------------------------------------------------------------------------------------------


def _count(rng: random.Random, zero_share: float = 0.6, scale: int = 60) -> int:
    """A cell count: mostly zero, sometimes large."""
    if rng.random() < zero_share:
        return 0
    return rng.randint(1, scale) if rng.random() < 0.8 else rng.randint(scale, scale * 40)


def random_values(form: str, rng: random.Random) -> dict[Ref, Any]:
    """A value set of a form whose every applicable check holds."""
    if form == "pre2019":
        return _random_pre2019(rng)
    cols = load_config("tables.yml")["t3"]["columns"]
    vals: dict[Ref, Any] = {}
    for _, row_defs, col_defs in _T2[form]:
        for prefix, _ in row_defs:
            for key, _ in col_defs:
                ind = f"{prefix}.{key}"
                if key == "amount":
                    v: Any = round(rng.uniform(0, 5000), 2) if rng.random() < 0.5 else 0
                elif key == "change":
                    v = rng.randint(-5, 5)
                else:
                    v = _count(rng, 0.3, 40)
                vals[(ind, "value")] = v
    keys = [k for k, _ in _t3_row_labels(form)]
    results = [k for k in keys if k not in ("requests.new", "requests.carried_over", "requests.total",
                                             "requests.carried_forward")]
    def put(key: str, row: list[int]) -> None:
        for c, v in zip(cols, row + [sum(row)], strict=True):
            vals[(f"{key}.{c}", "value")] = v
    for key in results:
        put(key, [_count(rng, 0.75 if c else 0.3, 30) for c in range(6)])
    total = [sum(vals[(f"{k}.{c}", "value")] for k in results) for c in cols[:6]]
    put("requests.total", total)
    forward = [_count(rng, 0.7, 5) for _ in range(6)]
    over = [rng.randint(0, t + f) if rng.random() < 0.3 else 0 for t, f in zip(total, forward)]
    put("requests.carried_forward", forward)
    put("requests.carried_over", over)
    put("requests.new", [t + f - o for t, f, o in zip(total, forward, over)])
    order = load_config("tables.yml")["t4"]["order"]
    for g in range(3):
        part = [_count(rng, 0.6, 8) for _ in range(4)]
        for ind, v in zip(order[g * 5:g * 5 + 5], part + [sum(part)], strict=True):
            vals[(ind, "value")] = v
    return vals


_PRE2019_SUMS = {"requests.received": ["requests.received.in_person", "requests.received.fax",
                                       "requests.received.online", "requests.received.mail"],
                 "requests.answered": ["requests.answered.already_public", "requests.answered.granted",
                                       "requests.answered.partial", "requests.answered.denied",
                                       "requests.answered.not_this_agency", "requests.answered.nonexistent",
                                       "requests.answered.amend", "requests.answered.other_channel"],
                 "capacity.staff": ["capacity.staff.full_time", "capacity.staff.part_time"],
                 "review.total": ["review.upheld", "review.corrected", "review.other"],
                 "litigation.total": ["litigation.upheld", "litigation.corrected", "litigation.other"],
                 "requests.completed": ["requests.completed.on_time", "requests.completed.extended"]}


def _random_pre2019(rng: random.Random) -> dict[Ref, Any]:
    """A pre2019 value set over the national form's rows (those of the seed report's table)."""
    inds = load_indicators()
    skip = {"requests.received.email", "requests.received.mail_fax", "requests.received.other",
            "requests.answered.other"}
    vals: dict[Ref, Any] = {}
    for ind_id, ind in inds.items():
        if "pre2019" in ind.forms and ind_id not in skip:
            vals[(ind_id, "value")] = (round(rng.uniform(0, 80), 2) if ind.unit in ("万元", "元")
                                       else _count(rng, 0.3, 200))
    for parent, kids in _PRE2019_SUMS.items():
        vals[(parent, "value")] = sum(vals[(k, "value")] for k in kids)
    return vals


def with_nulls(values: dict[Ref, Any], rng: random.Random, share: float = 1.0) -> dict[Ref, Any]:
    """The value set with (a share of) its zeros written as null cells (blank, '-', '/', '无')."""
    return {ref: (None if v == 0 and rng.random() < share else v) for ref, v in values.items()}


# --- shapes ---------------------------------------------------------------------------------------------------


def _flat(grid: Grid) -> list[list[str]]:
    """The grid's texts with merged positions empty (a merged cell's text stands in its first position)."""
    return [[c.text if c is not None else "" for c in row] for row in grid.rows]


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pipes(grid: Grid, edge: bool) -> list[str]:
    """Markdown rows (edge pipes and a separator after the header) or `` | `` text without edge pipes."""
    lines = []
    for n, row in enumerate(_flat(grid)):
        body = " | ".join(row)
        lines.append(f"| {body} |" if edge else body)
        if edge and n == 0:
            lines.append("|" + "|".join(["---"] * len(row)) + "|")
    return lines


def _spaced(grid: Grid, fill: str, wrap: int) -> list[str]:
    """Space-aligned text as `pdftotext -layout` gives it: cells at fixed columns, a blank cell is blanks.

    Merged cells overflow into the positions they cover; a label longer than ``wrap`` characters continues
    on a line of its own below, in its column.
    """
    flat = _flat(grid)
    n_cols = max(len(r) for r in flat)
    widths = [0] * n_cols
    for row in grid.rows:
        for i, c in enumerate(row):
            if c is not None and c.colspan == 1:
                widths[i] = max(widths[i], _width(c.text if not wrap else c.text[:wrap]))
    unit = 2 if fill == "\u3000" else 1
    lines = []
    for row in grid.rows:
        out = ""
        rest: list[tuple[int, str]] = []
        pos = 0
        for i, c in enumerate(row):
            col_start = sum(widths[:i]) + 2 * i
            if c is None or not c.text:
                continue
            text = c.text
            if wrap and c.ref is None and len(text) > wrap:
                text, tail = text[:wrap], text[wrap:]
                rest.append((col_start, tail))
            if col_start > pos:
                gap = col_start - pos
                out += fill * (gap // unit) + " " * (gap % unit)  # an odd gap: one half-width blank
                pos = col_start
            elif out:
                out += fill * (2 // unit)
                pos += 2
            out += text
            pos += _width(text)
        lines.append(out.rstrip())
        for col_start, tail in rest:
            lines.append(fill * (col_start // unit) + " " * (col_start % unit) + tail)
    return lines


def _cell_lines(grid: Grid) -> list[str]:
    """One cell per line: merged positions do not repeat, a blank cell is an empty line."""
    return [c.text for row in grid.rows for c in row if c is not None]


def _html(grid: Grid) -> str:
    """An HTML table with rowspan and colspan."""
    out = ["<table border=\"1\">"]
    for row in grid.rows:
        cells = []
        for c in row:
            if c is None:
                continue
            attrs = (f" rowspan=\"{c.rowspan}\"" if c.rowspan > 1 else "") + \
                    (f" colspan=\"{c.colspan}\"" if c.colspan > 1 else "")
            cells.append(f"<td{attrs}>{html.escape(c.text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def render_text(lay: Layout, shape: str, style: Style | None = None) -> str:
    """The layout as the text of a report in one of the text shapes (md, txt or html)."""
    style = style or Style()
    parts = [lay.title, "", "一、总体情况", "本机关认真落实政府信息公开各项工作。", ""]
    for grid in lay.grids:
        parts.append(grid.heading)
        if shape == "html":
            parts.append(_html(grid))
        elif shape == "markdown":
            parts += ["", *_pipes(grid, edge=True), ""]
        elif shape == "bar_text":
            parts += _pipes(grid, edge=False)
        elif shape == "tsv":
            parts += ["\t".join(r) for r in _flat(grid)]
        elif shape == "spaces":
            parts += _spaced(grid, " ", style.wrap)
        elif shape == "fullwidth_spaces":
            parts += _spaced(grid, "\u3000", style.wrap)
        elif shape == "cell_per_line":
            parts += _cell_lines(grid)
        else:
            raise ValueError(f"unknown text shape {shape!r}")
        parts.append("")
    parts += ["五、存在的主要问题及改进情况", "工作仍有不足。"]
    if shape == "html":
        body = "".join(p if p.startswith("<table") else f"<p>{html.escape(p)}</p>" for p in parts if p)
        return f"<html><head><meta charset=\"utf-8\"><title>{html.escape(lay.title)}</title></head><body>{body}</body></html>"
    return "\n".join(parts) + "\n"


def _fill_docx_table(table: Any, grid: Grid) -> None:
    """Write the grid's value cells into a python-docx table of the same shape (labels as they are)."""
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            if cell is not None and cell.ref is not None:
                table.cell(r, c).text = cell.text


def _new_docx_table(document: Any, grid: Grid) -> None:
    """A python-docx table built from the grid, merged cells merged."""
    n_cols = max(len(r) for r in grid.rows)
    table = document.add_table(rows=len(grid.rows), cols=n_cols)
    table.style = "Table Grid"
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            target = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.text = cell.text


def render_docx(lay: Layout, path: Path, template: Path | None = None) -> Path:
    """The layout as a Word document: the official template filled when given (v2021), else built tables."""
    import docx  # python-docx: a core dependency

    if template is not None:
        document = docx.Document(str(template))
        for table, grid in zip(document.tables, lay.grids, strict=False):
            _fill_docx_table(table, grid)
        document.paragraphs[0].insert_paragraph_before(lay.title) if document.paragraphs else None
    else:
        document = docx.Document()
        document.add_paragraph(lay.title)
        for grid in lay.grids:
            document.add_paragraph(grid.heading)
            _new_docx_table(document, grid)
    document.save(str(path))
    return path


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_from_docx(paths: Iterable[Path], out_dir: Path) -> list[Path]:
    """PDFs of DOCX files through LibreOffice headless (one process for all files)."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice is not installed (Debian: apt-get install -y libreoffice-writer-nogui)")
    paths = list(paths)
    profile = out_dir / "lo_profile"
    subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out_dir), *map(str, paths)], check=True, capture_output=True, timeout=600)
    return [out_dir / (p.stem + ".pdf") for p in paths]


def write_rendering(lay: Layout, shape: str, directory: Path, name: str, style: Style | None = None,
                    template: Path | None = None) -> Path:
    """The layout written as a file of the shape (its extension says the format to ingestion)."""
    path = directory / f"{name}{TEXT_SHAPES[shape]}"
    if shape == "docx":
        return render_docx(lay, path, template)
    path.write_text(render_text(lay, shape, style), encoding="utf-8")
    return path


# --- round trip -------------------------------------------------------------------------------------------


@dataclass
class RoundTrip:
    """parse(render(values)) against values, cell for cell."""

    cells: int = 0
    correct: int = 0  # read with the true value and not uncertain
    wrong: int = 0  # read with another value and not uncertain: a value in a wrong cell or an invented one
    uncertain: int = 0  # flagged uncertain (whatever its value)
    missing: int = 0  # not read
    form_ok: int = 0
    documents: int = 0

    def add(self, other: RoundTrip) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def exact(self) -> float:
        return self.correct / self.cells if self.cells else 1.0


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def score(result: Any, truth: dict[Ref, Any], form: str) -> RoundTrip:
    """How a TableResult reproduces the truth of a rendering."""
    cells = {(c.indicator, c.measure): c for c in result.values + result.cumulative}
    out = RoundTrip(documents=1, form_ok=int(result.form == form))
    for ref, want in truth.items():
        out.cells += 1
        cell = cells.get(ref)
        if cell is None:
            out.missing += 1
        elif cell.uncertain:
            out.uncertain += 1
        elif _same(cell.value, want):
            out.correct += 1
        else:
            out.wrong += 1
    return out
