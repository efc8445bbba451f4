"""Tables in plain text whatever delimits their cells: a grid reconstructed from the source layout.

Runs of lines whose cells are separated the same way (`` | `` without edge pipes, tabs, or runs of
blanks: two or more ASCII spaces, or full-width spaces) form a table. For bars and tabs the cells are
positional as written, a blank cell being an empty field. For blank-aligned text (what `pdftotext -layout`,
OCR and crawlers give) the cells stand at display columns and a blank cell is just more blanks, so the
columns are reconstructed from the block as a whole: the line with the most cells sets the column
positions, lines with fewer cells add the positions no column covers yet (the first header row of a
table whose second header row is shorter), and every cell goes to the column holding its start, else the
one it overlaps most. A line of a single text cell inside a blank-aligned block (a label wrapped over two
lines) stays in the block as a row of its own.

This runs on the text before layout normalisation (which collapses blank runs), from ingestion; offsets
are into that text. Patterns and thresholds: ``text_grid`` in configs/tables.yml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from ..anchored import guarded
from ..config import load_config

Span = tuple[int, int]


@dataclass
class TextTable:
    """A table found in text: rows of cell spans (None for a blank cell), its extent and its delimiter."""

    cells: list[list[Span | None]]
    start: int
    end: int
    source: str


@lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    cfg = load_config("tables.yml")["text_grid"]
    # the run of blanks behind a look at its first character: searched in every line of a text, most of them
    # prose, where the plain alternation was tried at each position (the search took 2.3x as long)
    return {**cfg, "number": re.compile(cfg["number"]), "blanks": guarded(cfg["blank_run"])}


@lru_cache(maxsize=1 << 16)  # bounded: a hostile text may hold every code point
def _char_width(ch: str) -> int:
    """Columns a character takes in a monospaced layout (CJK and full-width characters: two)."""
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _display_columns(line: str, cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The display columns of each cell of a line: the widths of the line before its start and its end (the
    widths of all the line's prefixes at once: the cells of a long line otherwise re-read it cell by cell)."""
    prefix = list(accumulate(map(_char_width, line), initial=0))
    return [(prefix[a], prefix[b]) for a, b in cells]


def _fields(line: str, sep: str) -> list[tuple[int, int]]:
    """Spans of the fields of a line split at a delimiter, stripped (empty fields kept as empty spans)."""
    out = []
    pos = 0
    parts = line.split(sep)
    for part in parts:
        lead = len(part) - len(part.lstrip())
        body = part.strip()
        out.append((pos + lead, pos + lead + len(body)))
        pos += len(part) + len(sep)
    return out


def _blank_cells(line: str) -> list[tuple[int, int]]:
    """Spans of the cells of a blank-aligned line (cells separated by runs of blanks)."""
    cfg = _config()
    stripped_end = len(line.rstrip())
    lead = len(line) - len(line.lstrip())
    if not cfg["blanks"].search(line, lead, stripped_end):  # prose: no run of blanks inside, one cell at most
        return [(lead, stripped_end)] if stripped_end > lead else []
    out = []
    pos = 0
    for m in cfg["blanks"].finditer(line[:stripped_end]):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < stripped_end:
        out.append((pos, stripped_end))
    return [(max(a, lead), b) for a, b in out if b > max(a, lead)]


_MARKDOWN_RULE = re.compile(r"\|?(?:\s*:?-{2,}:?\s*\|)+\s*(?::?-{2,}:?)?\s*")  # |---|:--:|


def _kind(line: str) -> str | None:
    """The delimiter of a table line: bar, tab, blank, or None."""
    body = line.strip()
    if not body and "\t" in line:
        return "tab"  # a row of blank cells
    if not body or _MARKDOWN_RULE.fullmatch(body):
        return None  # markdown separator rows
    if body.count("|") >= 1 and len(body) > 1:
        return "bar"
    if "\t" in line.strip("\r\n "):  # edge tabs are blank edge cells
        return "tab"
    if len(_blank_cells(line)) >= 2:
        return "blank"
    return None


def _edged(line: str) -> bool:
    """Whether a bar line has edge pipes (a markdown row)."""
    body = line.strip()
    return len(body) > 1 and body[0] == "|" and body[-1] == "|"


def _is_number(text: str) -> bool:
    return bool(_config()["number"].fullmatch(text.strip()))


def _columns(rows: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Column intervals (display columns) of a blank-aligned block, from the display columns of its lines' cells."""
    columns: list[tuple[int, int]] = []
    for row in sorted(rows, key=len, reverse=True):
        for a, b in row:
            if not any(a < cb and ca < b for ca, cb in columns):
                columns.append((a, b))
    return sorted(columns)


def _place(intervals: list[tuple[int, int]], columns: list[tuple[int, int]]) -> list[int]:
    """The column of each cell: the column holding its start, else the one it overlaps most, else the nearest."""
    out = []
    for a, b in intervals:
        best, score = 0, None
        for i, (ca, cb) in enumerate(columns):
            overlap = min(b, cb) - max(a, ca)
            key = (ca <= a < cb, overlap, -abs((a + b) - (ca + cb)))
            if score is None or key > score:
                best, score = i, key
        out.append(best)
    return out


def _blank_block(lines: list[tuple[int, str, list[tuple[int, int]]]]) -> list[list[Span | None]]:
    """Rows of a blank-aligned block on reconstructed columns (a wrapped label's second line is a row of its own)."""
    widths = [_display_columns(line, cells) for _, line, cells in lines]
    columns = _columns(widths)
    rows: list[list[Span | None]] = []
    for (offset, line, cells), intervals in zip(lines, widths, strict=True):
        row: list[Span | None] = [None] * len(columns)
        for (a, b), col in zip(cells, _place(intervals, columns), strict=True):
            if row[col] is not None:  # two cells in one column: keep both as one cell (digits of a lost gap)
                row[col] = (row[col][0], offset + b)
            else:
                row[col] = (offset + a, offset + b)
        rows.append(row)
    return rows


def find_text_tables(text: str, taken: list[Span] | None = None) -> list[TextTable]:
    """Tables of ``text`` delimited by bars without edge pipes, tabs or runs of blanks."""
    cfg = _config()
    taken = taken or []
    blocks: list[tuple[str, list[tuple[int, str, list[tuple[int, int]]]]]] = []
    pos = 0
    current: tuple[str, list] | None = None
    for line in text.split("\n"):
        offset = pos
        pos += len(line) + 1
        kind = None if any(a <= offset < b for a, b in taken) else _kind(line)
        if kind == "bar":
            cells = _fields(line, "|")
        elif kind == "tab":
            cells = _fields(line, "\t")
        elif kind == "blank":
            cells = _blank_cells(line)
        else:
            cells = []
        if current and current[0] == "blank" and kind is None and line.strip() and len(_blank_cells(line)) == 1:
            current[1].append((offset, line, _blank_cells(line)))  # a wrapped label's second line
            continue
        if kind is None or (current and current[0] != kind):
            if current:
                blocks.append(current)
            current = (kind, [(offset, line, cells)]) if kind else None
            continue
        if current is None:
            current = (kind, [])
        current[1].append((offset, line, cells))
    if current:
        blocks.append(current)
    tables = []
    for kind, lines in blocks:
        if kind == "bar" and all(_edged(line) for _, line, _ in lines):
            continue  # a markdown table: read as pipe rows
        # (no edge pipes: a line that starts or ends with a bar has a blank edge cell, as _fields gave it)
        while lines and len(lines[-1][2]) < 2:
            lines.pop()
        numbers = sum(1 for off, line, cells in lines for a, b in cells if _is_number(line[a:b]))
        wide = sum(1 for _, _, cells in lines if len(cells) >= cfg["min_delimited_cells"])
        if len(lines) < cfg["min_rows"] or (numbers < cfg["min_numbers"] and (kind == "blank" or wide < len(lines))):
            continue  # delimited lines of blank cells are a table too (all zero, written blank)
        if kind == "blank":
            rows = _blank_block(lines)
        else:
            rows = [[(off + a, off + b) if b > a else None for a, b in cells] for off, line, cells in lines]
        start = lines[0][0]
        end = lines[-1][0] + len(lines[-1][1])
        tables.append(TextTable(rows, start, end, f"text_{kind}"))
    return tables
