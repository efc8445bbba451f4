"""What every reader builds: the extracted text with its map to the source (the text builder), tables
as cell spans, and table grids laid out (spans clamped) and rendered into the text, one line per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..config import load_config
from ..normalize import OffsetMap

# A cell or a stretch of text as pieces (text, source offset of its first character, or None).
Piece = tuple[str, "int | None"]
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


class IngestError(Exception):
    """A file that cannot be read as a report; the message names the file."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass
class RawTable:
    """A table placed in an extracted text: cell spans [start, end) in that text (None when empty)."""

    cells: list[list[tuple[int, int] | None]]
    start: int
    end: int
    source: str


@dataclass
class Extracted:
    """What a reader got out of a file, before normalisation."""

    format: str
    source: str  # the string offsets cite
    text: str  # plain text to normalise
    text_map: OffsetMap  # text offsets -> source offsets (empty: identity)
    tables: list[RawTable] = field(default_factory=list)
    title: str | None = None  # a title the format states (HTML <title>)
    context: str = ""  # text around the content (HTML page furniture), searched for a date
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    return load_config("ingest.yml")


@cache
def _pattern(*keys: str, flags: int = 0) -> re.Pattern[str]:
    """Compiled regex from ingest.yml at the given key path."""
    value: Any = _config()
    for key in keys:
        value = value[key]
    return re.compile(value, flags)


# ---------------------------------------------------------------- text assembly


class _TextBuilder:
    """Accumulates text pieces and the breakpoints of their map to the source."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.points: OffsetMap = []
        self.length = 0
        self.line_has_text = False

    def add(self, text: str, src: int | None = None) -> None:
        """Append text whose first character sits at ``src`` in the source (None: no map point)."""
        if not text:
            return
        if src is not None and not (self.points and self.points[-1][1] - self.points[-1][0] == src - self.length):
            self.points.append((self.length, src))
        self.parts.append(text)
        self.length += len(text)
        if "\n" in text:
            self.line_has_text = bool(text.rsplit("\n", 1)[1].strip())
        else:
            self.line_has_text = self.line_has_text or bool(text.strip())

    def newline(self, src: int | None = None) -> None:
        """End the current line unless it is empty."""
        if self.line_has_text:
            self.add("\n", src)
            self.line_has_text = False

    def add_lines(self, text: str) -> None:
        """Append a block of lines (PDF/DOCX text, where the source is this text itself)."""
        for line in text.split("\n"):
            self.add(line)
            self.newline()

    def text(self) -> str:
        return "".join(self.parts)

    def offset_map(self) -> OffsetMap:
        return [] if self.points in ([], [(0, 0)]) else list(self.points)


def _join_lines(lines: list[list[Piece]]) -> list[Piece]:
    """Join the stripped lines of a cell: no space between CJK, one space between ASCII words or digits."""
    out: list[Piece] = []
    for line in lines:
        line = _strip_pieces(line)
        if not line:
            continue
        if out and _ASCII_ALNUM.match(out[-1][0][-1:]) and _ASCII_ALNUM.match(line[0][0][:1]):
            out.append((" ", line[0][1]))
        out.extend(line)
    return out


def _strip_pieces(pieces: list[Piece]) -> list[Piece]:
    """Pieces without leading and trailing whitespace, source offsets kept exact."""
    out = [p for p in pieces if p[0]]
    while out and not out[0][0].strip():
        out.pop(0)
    while out and not out[-1][0].strip():
        out.pop()
    if not out:
        return out
    text, src = out[0]
    stripped = text.lstrip()
    out[0] = (stripped, None if src is None else src + len(text) - len(stripped))
    out[-1] = (out[-1][0].rstrip(), out[-1][1])
    return out


def _string_cell(value: str | None) -> list[Piece]:
    """Pieces of a PDF/DOCX cell string, its line breaks joined."""
    return _join_lines([[(line, None)] for line in (value or "").split("\n")])


def _is_table(grid: list[list[list[Piece]]]) -> bool:
    """Enough rows, and some row with enough non-empty cells, to be a table rather than a text box."""
    cfg = _config()
    if len(grid) < cfg["min_table_rows"]:
        return False
    return max(sum(1 for cell in row if cell) for row in grid) >= cfg["min_table_columns"]


@dataclass
class _GridCell:
    """A table cell as written: its pieces, its spans and where its separators map (HTML: the cell's tag)."""

    pieces: list[Piece]
    rowspan: int = 1
    colspan: int = 1
    start: int | None = None


Grid = list[list[list[Piece]]]


def _span(value: Any) -> int:
    """A rowspan/colspan/gridSpan attribute as written (1 when missing or not a number); see ``_clamp_spans``."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 1


def _clamp_spans(rows: list[list[_GridCell]], names: tuple[str, str]) -> list[str]:
    """Bring every span into [1, max_span] (rowspan also to the table's last row); the spans changed, as text.

    rowspan 0 runs to the last row (HTML) and is not a change; a span below 1 (gridSpan -3 would drop the
    cell and shift the row) counts as 1.
    """
    max_span = _config()["max_span"]
    changed: list[str] = []
    for r, row in enumerate(rows):
        for cell in row:
            rowspan = min(cell.rowspan if cell.rowspan else len(rows) - r, len(rows) - r)
            for name, value in zip(names, (rowspan, cell.colspan), strict=True):
                if not 1 <= value <= max_span:
                    changed.append(f"{name} {value} in row {r + 1}")
            cell.rowspan, cell.colspan = min(max(rowspan, 1), max_span), min(max(cell.colspan, 1), max_span)
    return changed


def _layout_grid(rows: list[list[_GridCell]], where: str, warnings: list[str],
                 span_names: tuple[str, str] = ("rowspan", "colspan")) -> tuple[Grid, list[list[int | None]]]:
    """Cells placed on the table's grid, spanned positions '' (the value stays top-left).

    The grid holds at most ``max_table_cells`` positions (rows × columns, spans included), so memory and time
    stay bounded whatever the spans say. A table past the cap is read with its spans ignored and, if still too
    big, its rows cut at the cap, with a warning naming ``where`` (file and table).
    """
    cap = _config()["max_table_cells"]
    changed = _clamp_spans(rows, span_names)
    if changed:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        warnings.append(f"{where}: spans out of range [1, {_config()['max_span']}] (max_span) read as the nearest bound: "
                        f"{', '.join(changed[:3])}{more}")
    placed, n_placed = _place_cells(rows, cap, use_spans=True)
    if placed is not None:
        return placed
    note = f"{where}: more than {cap} grid cells after its spans (max_table_cells); spans ignored"
    placed, n_placed = _place_cells([row[:cap] for row in rows], cap, use_spans=False)
    if placed is None:
        placed, _ = _place_cells([row[:cap] for row in rows[:n_placed]], cap, use_spans=False)
        note += f", rows {n_placed + 1}-{len(rows)} of {len(rows)} dropped"
    warnings.append(note)
    assert placed is not None
    return placed


def _place_cells(rows: list[list[_GridCell]], cap: int, use_spans: bool
                 ) -> tuple[tuple[Grid, list[list[int | None]]] | None, int]:
    """The dense grid and separator offsets of ``rows``, or None and the number of rows placed before the
    grid outgrew ``cap`` positions."""
    grid: dict[tuple[int, int], list[Piece]] = {}
    starts: dict[tuple[int, int], int | None] = {}
    n_rows = n_cols = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            rowspan, colspan = (cell.rowspan, cell.colspan) if use_spans else (1, 1)
            n_rows, n_cols = max(n_rows, r + rowspan), max(n_cols, c + colspan)
            if n_rows * n_cols > cap:
                return None, r
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid.setdefault((r + dr, c + dc), [])
                    starts.setdefault((r + dr, c + dc), cell.start)
            grid[(r, c)] = cell.pieces
            c += colspan
    cells = [[grid.get((r, c), []) for c in range(n_cols)] for r in range(n_rows)]
    separators = [[starts.get((r, c)) for c in range(n_cols)] for r in range(n_rows)]
    return (cells, separators), len(rows)


def _render_table(builder: _TextBuilder, grid: list[list[list[Piece]]], source: str,
                  separators: list[list[int | None]] | None = None) -> RawTable:
    """Write a grid of cells as `` | ``-joined lines and return the table placed in the text."""
    builder.newline()
    start = builder.length
    width = max(len(row) for row in grid)
    cells: list[list[tuple[int, int] | None]] = []
    for r, row in enumerate(grid):
        spans: list[tuple[int, int] | None] = []
        for c in range(width):
            cell = row[c] if c < len(row) else []
            if c:
                builder.add(" | ", separators[r][c] if separators else None)
            cell_start = builder.length
            for text, src in cell:
                builder.add(text, src)
            spans.append((cell_start, builder.length) if builder.length > cell_start else None)
        builder.line_has_text = True
        end = builder.length
        builder.newline()
        cells.append(spans)
    return RawTable(cells, start, end, source)


