"""Plain text and Markdown: decoded, markup pasted into the text removed, text tables and pipe tables found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

from ..normalize import OffsetMap
from .builder import Extracted, RawTable, _config, _pattern, _TextBuilder
from .encoding import _read_bytes, decode_bytes
from .grid import find_text_tables


def _strip_markup(source: str) -> tuple[str, OffsetMap]:
    """Source text without HTML comments and tags pasted into a plain-text file."""
    builder = _TextBuilder()
    pos = 0
    for start, end in _markup_spans(source):
        builder.add(source[pos:start], pos)
        pos = end
    builder.add(source[pos:], pos)
    return builder.text(), builder.offset_map()


def _markup_spans(source: str) -> Iterator[tuple[int, int]]:
    """[start, end) of HTML comments and of the tags of ``text_markup``, in order.

    Comments are found with str.find, in linear time: once a ``<!--`` has no ``-->`` after it, no later one
    has either, and the rest is text (a regex would rescan the rest of the text for every ``<!--``).
    """
    tags = _pattern("text_markup", flags=re.IGNORECASE)
    pos = 0
    while pos < len(source):
        start = source.find("<!--", pos)
        end = source.find("-->", start + 4) if start >= 0 else -1
        if end < 0:
            start = end = len(source)
        else:
            end += 3
        for match in tags.finditer(source, pos, start):
            yield match.span()
        if start < len(source):
            yield start, end
        pos = end


def find_pipe_tables(text: str) -> list[RawTable]:
    """Runs of ``| a | b |`` lines as tables, separator rows skipped."""
    row_pattern = _pattern("pipe_row", flags=re.MULTILINE)
    separator = _pattern("pipe_separator")
    tables: list[RawTable] = []
    rows: list[list[tuple[int, int] | None]] = []
    start = end = -1
    for match in row_pattern.finditer(text):
        if rows and text.count("\n", end, match.start()) > 1:
            tables.append(RawTable(rows, start, end, "pipe"))
            rows = []
        if not rows:
            start = match.start()
        end = match.end()
        if not separator.match(match.group(0)):
            rows.append(_pipe_cells(text, match.start(), match.end()))
            continue
        if not rows:  # a separator row opening a run: the run starts after it
            start = -1
    if rows:
        tables.append(RawTable(rows, start, end, "pipe"))
    cfg = _config()
    return [t for t in tables if len(t.cells) >= cfg["min_table_rows"]
            and max(sum(1 for c in row if c) for row in t.cells) >= cfg["min_table_columns"]]


def _pipe_cells(text: str, start: int, end: int) -> list[tuple[int, int] | None]:
    """Spans of the cells of one pipe-table line."""
    line = text[start:end]
    bars = [i for i, ch in enumerate(line) if ch == "|"]
    cells: list[tuple[int, int] | None] = []
    for a, b in pairwise(bars):
        cell = line[a + 1:b]
        lead = len(cell) - len(cell.lstrip())
        stripped = cell.strip()
        cells.append((start + a + 1 + lead, start + a + 1 + lead + len(stripped)) if stripped else None)
    return cells


def extract_plain(path: Path, fmt: str = "txt") -> Extracted:
    """A txt or md file: decoded, pasted markup removed, pipe tables found."""
    data = _read_bytes(path)
    source, encoding, warnings = decode_bytes(data, path)
    text, text_map = _strip_markup(source)
    tables = [RawTable(t.cells, t.start, t.end, t.source)  # bars without edge pipes, tabs, aligned blanks
              for t in find_text_tables(text)]
    tables += [t for t in find_pipe_tables(text) if not any(t.start < o.end and o.start < t.end for o in tables)]
    tables.sort(key=lambda t: t.start)
    return Extracted(fmt, source, text, text_map, tables, meta={"encoding": encoding}, warnings=warnings)
