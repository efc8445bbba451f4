"""Report files → Documents: readers per format, encoding detection, tables, provenance.

Every reader returns an ``Extracted``: the *source* string that offsets cite, a plain *text* with a map
back to that source, the tables placed in the text, and hints such as an HTML title. ``build_document``
normalises the text (``normalize_text``) and composes the maps, so ``Document.offset_map`` maps offsets of
the normalised text to offsets in the source string, which is

- txt / md: the decoded file (UTF-8, else what charset-normalizer finds: GBK/GB18030, Big5, UTF-16, ...).
  HTML comments and stray tags left by copy-paste are removed; pipe tables
  (``| a | b |`` lines, markdown separator rows skipped) stay as they are written and become Tables.
- html: the decoded HTML string. Text comes from ``html.parser`` events with their positions; character
  and entity references are separate events, so every text character maps exactly to its source
  (a reference maps to its ``&``). Synthesised line breaks and `` | `` cell separators map to the tag
  that caused them. Only the article container is read: the element whose paragraphs hold the most CJK
  text (site navigation around it is dropped); the title comes from ``<title>`` (site name cut off) or h1.
  Every walk of the element tree is iterative (pages nest thousands of levels deep); an unclosed comment
  runs to the end of the page, as in browsers.
- pdf / docx: the raw text this module extracts, ``extract(path).source`` (there is no character link
  into the binary file). PDF: pdfplumber, page by page; tables are taken from ``find_tables`` and the
  page text is read outside their boxes, so no table text is duplicated; bands of text and tables are
  interleaved top to bottom; page-number lines are dropped. A table broken by a page break becomes two
  Tables (the second one usually starts with a continuation row). Rows spanning the whole table at its
  top or bottom (a box drawn around paragraphs, a caption such as 第二十条第（一）项) are read as text.
  Line breaks inside a wrapped paragraph (the line reaches the right margin, the next starts at the left
  margin without an item marker, across page breaks too) are removed from ``text``; ``source`` keeps them.
  Pages without a usable text layer (no characters but an image, or mostly (cid:N) / private-use glyphs)
  are OCR'd (``ocr.py``, optional extra ``govreport[ocr]``): lines and table grids are written like the
  text layer's, and ``meta["ocr"]`` lists the pages and, for every box or cell written, its [start, end)
  in ``source``, page, position in points and recognition score.
  DOCX: python-docx paragraphs and tables in body order; table grids are read from the XML. XML entities
  are never resolved (no file or network access): a reference is dropped, with a warning, and the rest of
  its paragraph kept.

Tables: every table is also rendered into the text, one line per row, cells joined by `` | ``, so later
stages can cite cells by offset. ``Table.rows`` holds the normalised cell strings, ``Table.cell_offsets``
their [start, end) in the text (None for an empty cell). Merged cells (HTML rowspan/colspan, PDF merged
cells, DOCX gridSpan/vMerge) keep their value in the top-left grid position and '' elsewhere, so each
figure is said exactly once. A span counts within [1, max_span], and a table's grid holds at most
max_table_cells positions (past that, spans are ignored, then rows dropped), with a warning naming the file
and the table, so no markup can make a table cost more than that. A line break inside a cell is joined without a space, except between two
ASCII letters or digits (where a space keeps two numbers apart).

Bad input never stops a batch: ``read_document`` raises ``IngestError`` (naming the file) for input it
cannot read; ``ingest_paths`` turns that into a Document with empty text and the warning. Empty files,
scanned PDFs without the OCR extra and HTML without body text give a Document with empty text and a warning;
undecodable bytes are replaced, with a warning.
"""

from __future__ import annotations

import codecs
import html
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..config import load_config
from ..jsonl import write_jsonl
from ..normalize import OffsetMap, compose_maps, normalize_text
from ..types import Document, Table
from .grid import find_text_tables

# A cell or a stretch of text as pieces (text, source offset of its first character, or None).
Piece = tuple[str, "int | None"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_SPACE_NEAR_CJK = re.compile(r"(?<=[\u3400-\u9fff（）《》“”])\s+|\s+(?=[\u3400-\u9fff（）《》“”])")


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


# ---------------------------------------------------------------- txt / md


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str, list[str]]:
    """Decoded text, the encoding used and warnings.

    A byte-order mark decides; then clean UTF-8 (or UTF-8 with a few stray bytes) is read as UTF-8; anything
    else is identified by charset-normalizer (Big5, UTF-16 without a BOM, ...), with GB2312/GBK read as their
    superset GB18030. Big5 text also decodes as (wrong) GB18030 without an error, so GB18030 is never assumed
    without asking. A guess of low confidence, and replaced bytes, are warned about, naming the file.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(encoding, "replace")
            return text, encoding, _replacement_warning(text, path, encoding)
    cfg = _config()["decoding"]
    text = data.decode("utf-8", "replace")
    n_bad = text.count("\ufffd")
    if "\x00" not in text and n_bad <= cfg["max_undecodable_share"] * len(data):
        return text, "utf-8", _replacement_warning(text, path, "utf-8")
    detected, warnings = _detect_encoding(data, path)
    # the decoding with the fewest bad bytes among the detected one and the usual ones (detected wins ties)
    candidates = [detected] if detected else []
    candidates += [e for e in cfg["fallback_encodings"] if e != detected]
    decoded = [(data.decode(e, "replace"), e) for e in candidates]
    text, encoding = min(decoded, key=lambda d: d[0].count("\ufffd"))
    if not detected and not text.count("\ufffd"):
        warnings = [f"{path}: encoding not recognised, read as {encoding}"]
    return text, encoding, warnings if text.count("\ufffd") == 0 else _replacement_warning(text, path, encoding)


def _detect_encoding(data: bytes, path: str | Path) -> tuple[str | None, list[str]]:
    """The encoding charset-normalizer finds (GB family as GB18030), with a warning when it is unsure."""
    from charset_normalizer import from_bytes

    cfg = _config()["decoding"]
    matches = list(from_bytes(data))
    if not matches:
        return None, []
    best = matches[0]
    gb_family = set(cfg["read_as_gb18030"])
    chosen = next((m for m in matches if m.encoding in gb_family and m.chaos <= best.chaos), best)
    encoding = "gb18030" if chosen.encoding in gb_family else chosen.encoding
    if chosen.chaos > cfg["max_chaos"]:
        note = f"{path}: encoding uncertain, read as {encoding} ({chosen.chaos:.0%} of the text looks garbled)"
        return encoding, [note]
    return encoding, []


def _replacement_warning(text: str, path: str | Path, encoding: str) -> list[str]:
    n_bad = text.count("\ufffd")
    return [f"{path}: {n_bad} undecodable byte sequences replaced (read as {encoding})"] if n_bad else []


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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise IngestError(path, f"cannot read file ({e.strerror or e})") from e


# ---------------------------------------------------------------- html


@dataclass
class _Node:
    """An element of the light DOM built from html.parser events."""

    tag: str
    start: int
    attrs: dict[str, str | None]
    children: list[Any] = field(default_factory=list)  # _Node or Piece


# tag -> (open elements it ends, elements that bound the search): html's implied end tags, simplified
_IMPLIED_END = {
    "p": ({"p"}, {"div", "td", "th", "li", "table", "body"}),
    "li": ({"li"}, {"ul", "ol", "table"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tr": ({"tr"}, {"table", "tbody", "thead", "tfoot"}),
}


class _DomBuilder(HTMLParser):
    """A lenient tree of elements and text pieces with their offsets in the source string.

    Open elements are indexed by tag (their positions on the stack), so closing one never scans the stack:
    a page of many nested or unmatched tags is parsed in linear time.
    """

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.root = _Node("#root", 0, {})
        self.stack = [self.root]
        self.open: dict[str, list[int]] = {}  # tag -> stack positions of its open elements, ascending
        self.void = set(_config()["html"]["void_tags"])

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _push(self, node: _Node) -> None:
        self.open.setdefault(node.tag, []).append(len(self.stack))
        self.stack.append(node)

    def _close_from(self, i: int) -> None:
        """Close the open elements at stack positions i and above."""
        while len(self.stack) > i:
            self.open[self.stack.pop().tag].pop()

    def _top(self, tags: Iterable[str]) -> int:
        """Stack position of the innermost open element among ``tags`` (0: none)."""
        return max((self.open[t][-1] for t in tags if self.open.get(t)), default=0)

    def close(self) -> None:
        # an unclosed comment (or <! / <? declaration) runs to the end of the page, as in browsers;
        # html.parser would hand it on as text
        if re.match(r"<[!?]", self.rawdata):
            self.rawdata = ""
        super().close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        node = _Node(tag, self._pos(), dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in self.void:
            self._push(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, self._pos(), dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        i = self._top([tag])
        if i:
            self._close_from(i)

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append((data, self._pos()))

    def handle_entityref(self, name: str) -> None:
        self.stack[-1].children.append((html.unescape(f"&{name};"), self._pos()))

    def handle_charref(self, name: str) -> None:
        self.stack[-1].children.append((html.unescape(f"&#{name};"), self._pos()))

    def _close_implied(self, tag: str) -> None:
        """Close elements that html implicitly ends when ``tag`` starts (p, li, td, tr)."""
        if tag not in _IMPLIED_END:
            return
        closes, stops = _IMPLIED_END[tag]
        i = self._top(closes)
        if i > self._top(stops):
            self._close_from(i)


def _iter_nodes(node: _Node) -> Iterator[_Node]:
    """The elements of a subtree in document order (iterative: pages nest thousands of levels deep)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in reversed(current.children) if isinstance(child, _Node))


def _node_text(node: _Node, skip: frozenset[str]) -> str:
    """All text under a node, references resolved, skipped elements left out."""
    out: list[str] = []
    stack: list[Any] = list(reversed(node.children))
    while stack:
        child = stack.pop()
        if isinstance(child, _Node):
            if child.tag not in skip:
                stack.extend(reversed(child.children))
        else:
            out.append(child[0])
    return "".join(out)


def find_article(root: _Node) -> _Node:
    """The element whose paragraphs (and own text) hold the most CJK characters (the first such, in post-order)."""
    cfg = _config()["html"]
    skip = frozenset(cfg["skip_tags"])
    paragraph_tags = set(cfg["paragraph_tags"])
    best: tuple[int, _Node] = (0, root)
    for node in _containers_postorder(root, skip | paragraph_tags):
        own = 0
        for child in node.children:
            if not isinstance(child, _Node):
                own += len(_CJK.findall(child[0]))
            elif child.tag in paragraph_tags and child.tag not in skip:
                own += len(_CJK.findall(_node_text(child, skip)))
        if own > best[0]:
            best = (own, node)
    return best[1]


def _containers_postorder(root: _Node, leaves: frozenset[str]) -> Iterator[_Node]:
    """Elements under root (root included) in post-order, not descending into elements named in ``leaves``."""
    stack: list[tuple[_Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.children)
                     if isinstance(child, _Node) and child.tag not in leaves)


class _HtmlRenderer:
    """Text of an element subtree: block elements break lines, tables become `` | `` rows."""

    def __init__(self, path: str | Path = "") -> None:
        cfg = _config()["html"]
        self.skip = frozenset(cfg["skip_tags"])
        self.blocks = frozenset(cfg["block_tags"]) | {"td", "th"}
        self.builder = _TextBuilder()
        self.tables: list[RawTable] = []
        self.path = path
        self.n_tables = 0  # <table> elements met, layout tables included (named in warnings)
        self.warnings: list[str] = []

    def render(self, node: _Node) -> None:
        """Render the children of ``node`` (iteratively: a block's line break is an event on the stack)."""
        stack: list[tuple[Any, bool]] = [(child, False) for child in reversed(node.children)]
        while stack:
            item, closing = stack.pop()
            if closing:
                self.builder.newline(item.start)
            elif not isinstance(item, _Node):
                self._data(*item)
            elif item.tag not in self.skip and not (item.tag == "table" and self._table(item)):
                if item.tag in self.blocks:
                    self.builder.newline(item.start)
                    stack.append((item, True))
                stack.extend((child, False) for child in reversed(item.children))

    def _data(self, text: str, src: int) -> None:
        # source line breaks and tabs are spaces in HTML; the same length keeps the map linear
        text = text.translate(_HTML_SPACES)
        if self.builder.line_has_text or text.strip():
            self.builder.add(text, src)

    def _table(self, node: _Node) -> bool:
        """Render a table as rows of cells; False for a layout table, which is read as blocks."""
        grid, separators = self._grid(node)
        if not grid or not _is_table(grid):
            return False
        self.tables.append(_render_table(self.builder, grid, "html", separators))
        return True

    def _grid(self, table: _Node) -> tuple[Grid, list[list[int | None]]]:
        """Cells of a table on its grid: spanned positions are '' (the value stays top-left)."""
        self.n_tables += 1
        rows = [[_GridCell(self._cell_pieces(cell), _span(cell.attrs.get("rowspan")), _span(cell.attrs.get("colspan")),
                           cell.start) for cell in row] for row in self._rows(table)]
        return _layout_grid(rows, f"{self.path}: table {self.n_tables}", self.warnings)

    def _rows(self, table: _Node) -> Iterator[list[_Node]]:
        """The rows of a table (through thead/tbody/tfoot), each as its td/th elements."""
        stack: list[Any] = list(reversed(table.children))
        while stack:
            child = stack.pop()
            if not isinstance(child, _Node):
                continue
            if child.tag == "tr":
                yield [c for c in child.children if isinstance(c, _Node) and c.tag in ("td", "th")]
            elif child.tag in ("thead", "tbody", "tfoot"):
                stack.extend(reversed(child.children))

    def _cell_pieces(self, cell: _Node) -> list[Piece]:
        """A cell's text as pieces, its inner blocks joined like wrapped lines."""
        lines: list[list[Piece]] = [[]]
        stack: list[Any] = list(reversed(cell.children))
        while stack:
            child = stack.pop()
            if child is _LINE_BREAK:
                lines.append([])
            elif not isinstance(child, _Node):
                lines[-1].append((child[0].translate(_HTML_SPACES), child[1]))
            elif child.tag not in self.skip:
                block = child.tag in self.blocks
                if block:
                    lines.append([])
                    stack.append(_LINE_BREAK)
                stack.extend(reversed(child.children))
        return _join_lines(lines)


_LINE_BREAK = object()  # a line break event after a block element inside a table cell
_HTML_SPACES = str.maketrans("\r\n\t\f", "    ")


def _html_title(root: _Node) -> str | None:
    """The <title> without the site name, else the first h1."""
    skip: frozenset[str] = frozenset()
    titles = [n for n in _iter_nodes(root) if n.tag == "title"]
    if titles:
        parts = [p.strip() for p in _pattern("html", "title_separators").split(_node_text(titles[0], skip))]
        parts = [p for p in parts if p]
        keyed = [p for p in parts if _pattern("meta", "title_pattern").search(p)]
        if keyed or parts:
            return (keyed or parts)[0]
    h1 = [n for n in _iter_nodes(root) if n.tag == "h1"]
    text = _node_text(h1[0], skip).strip() if h1 else ""
    return text or None


def extract_html(path: Path, fmt: str = "html") -> Extracted:
    """An HTML page: the article container's text and tables, the page title."""
    source, encoding, warnings = decode_bytes(_read_bytes(path), path)
    parser = _DomBuilder(source)
    try:
        parser.feed(source)
        parser.close()
    except Exception as e:  # html.parser is lenient; anything raised here means unreadable input
        raise IngestError(path, f"cannot parse HTML ({e})") from e
    root = parser.root
    body = next((n for n in _iter_nodes(root) if n.tag == "body"), root)
    article = find_article(body)
    renderer = _HtmlRenderer(path)
    renderer.render(article)
    warnings.extend(renderer.warnings)
    page = _HtmlRenderer()
    page.render(body)
    # editors sometimes escape Word's conditional comments into visible text (&lt;!--[if ...]--&gt;)
    text, strip_map = _strip_markup(renderer.builder.text())
    to_text = _inverse(strip_map)
    tables = [RawTable([[c and (to_text(c[0]), to_text(c[1])) for c in row] for row in t.cells],
                       to_text(t.start), to_text(t.end), t.source) for t in renderer.tables]
    if not text.strip():
        warnings.append(f"{path}: no body text")
    return Extracted(fmt, source, text, compose_maps(strip_map, renderer.builder.offset_map()), tables,
                     title=_html_title(root), context=page.builder.text(), meta={"encoding": encoding},
                     warnings=warnings)


# ---------------------------------------------------------------- pdf


@dataclass
class _PdfTable:
    """The core rows of a pdfplumber table (full-width rows at its top and bottom cut off)."""

    top: float
    bottom: float
    bbox: tuple[float, float, float, float]
    grid: list[list[list[Piece]]]


def _pdf_table_core(table: Any) -> _PdfTable | None:
    """The part of a found table that is a grid; None for text boxes drawn as tables."""
    values = table.extract()
    rows = table.rows

    def full_width(row: list[str | None]) -> bool:
        return row[0] is not None and all(v is None for v in row[1:])

    keep = [i for i, row in enumerate(values) if not full_width(row)]
    if not keep:
        return None
    first, last = keep[0], keep[-1]
    grid = [[_string_cell(v) for v in row] for row in values[first:last + 1]]
    if not _is_table(grid):
        return None
    top, bottom = rows[first].bbox[1], rows[last].bbox[3]
    x0, _, x1, _ = table.bbox
    return _PdfTable(top, bottom, (x0, top, x1, bottom), grid)


def _center_inside(obj: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _pdf_text_lines(page: Any, top: float, bottom: float) -> list[dict[str, Any]]:
    """Text lines (text, x0, x1, top, bottom) of the characters whose centre lies in [top, bottom), page
    furniture dropped."""
    band = page.filter(lambda o: o.get("object_type") == "char" and top <= (o["top"] + o["bottom"]) / 2 < bottom)
    lines = band.extract_text_lines(return_chars=False, **_config()["pdf"]["text_options"]) if band.chars else []
    drop = _pattern("pdf", "drop_lines")
    return [line for line in lines if not drop.match(line["text"])]


def _add_pdf_lines(builder: _TextBuilder, lines: list[dict[str, Any]], margins: tuple[float, float],
                   wraps: list[int], carry: list[int | None]) -> None:
    """Write text lines; the offsets of line breaks that wrap a running paragraph go to ``wraps``.

    A break wraps when its line reaches the text's right margin and the next line starts at the left
    margin (no paragraph indent) without an item or heading marker. ``carry`` holds the break after the
    last line written when that line reached the margin: the paragraph may go on in the next band of text
    (on the next page); a table in between sets it to None.
    """
    cfg = _config()["pdf"]["wrap"]
    left, right = margins

    def starts_flush(line: dict[str, Any]) -> bool:
        size = line["bottom"] - line["top"]
        return line["x0"] <= left + cfg["indent"] * size and not _pattern("pdf", "wrap", "new_item").match(line["text"])

    def reaches_right(line: dict[str, Any], after: dict[str, Any] | None) -> bool:
        # a line also wraps early when the next line opens with an ASCII word too wide for the space left
        size = line["bottom"] - line["top"]
        word = _pattern("pdf", "wrap", "ascii_word").match(after["text"]).group() if after else ""
        return line["x1"] + len(word) * cfg["ascii_width"] * size >= right - cfg["right_slack"] * size

    if lines and carry[0] is not None and starts_flush(lines[0]):
        wraps.append(carry[0])
    carry[0] = None
    for line, after in zip(lines, [*lines[1:], None], strict=False):
        builder.add(line["text"])
        if after is not None and reaches_right(line, after) and starts_flush(after):
            wraps.append(builder.length)
        elif after is None and reaches_right(line, None):
            carry[0] = builder.length
        builder.newline()


def _extract_pdf_page(page: Any, builder: _TextBuilder, tables: list[RawTable], wraps: list[int],
                      carry: list[int | None]) -> None:
    """Text bands and tables of one page, top to bottom."""
    cores = sorted(filter(None, (_pdf_table_core(t) for t in page.find_tables())), key=lambda t: t.top)
    text_page = page
    if cores:
        text_page = page.filter(lambda o: o.get("object_type") == "char"
                                and not any(_center_inside(o, t.bbox) for t in cores))
    bands, y = [], float("-inf")
    for core in cores:
        bands.append(_pdf_text_lines(text_page, y, core.top))
        y = core.bottom
    bands.append(_pdf_text_lines(text_page, y, float("inf")))
    margins = _text_margins([line for band in bands for line in band])
    for band, core in zip(bands, [*cores, None], strict=True):
        _add_pdf_lines(builder, band, margins, wraps, carry)
        if core is not None:
            tables.append(_render_table(builder, core.grid, "pdf"))
            carry[0] = None


def _text_margins(lines: list[dict[str, Any]]) -> tuple[float, float]:
    """Left and right margins of a page's text: the leftmost start, and the median end of the lines that end
    near the rightmost end (a number running past the margin does not move it)."""
    if not lines:
        return 0.0, 0.0
    reach = _config()["pdf"]["wrap"]["right_slack"]
    far = max(ln["x1"] for ln in lines)
    near = sorted(ln["x1"] for ln in lines if ln["x1"] >= far - reach * (ln["bottom"] - ln["top"]))
    return min(ln["x0"] for ln in lines), near[len(near) // 2]


def _join_wraps(source: str, wraps: list[int], tables: list[RawTable]) -> tuple[str, OffsetMap, list[RawTable]]:
    """The text with its wrapping line breaks removed (a space between two ASCII letters or digits), its map
    to ``source`` and the tables moved into it."""
    if not wraps or not _config()["pdf"]["wrap"]["join"]:
        return source, [], tables
    parts: list[str] = []
    points: OffsetMap = []
    removed: list[int] = []
    pos = 0
    for p in wraps:
        parts.append(source[pos:p])
        if _ASCII_ALNUM.match(source[p - 1:p]) and _ASCII_ALNUM.match(source[p + 1:p + 2]):
            parts.append(" ")  # one character for one: the map is unchanged
        else:
            removed.append(p)
            points.append((p - len(removed) + 1, p + 1))
        pos = p + 1
    parts.append(source[pos:])

    def moved(offset: int) -> int:
        return offset - bisect_left(removed, offset)

    tables = [RawTable([[(moved(span[0]), moved(span[1])) if span else None for span in row] for row in t.cells],
                       moved(t.start), moved(t.end), t.source) for t in tables]
    return "".join(parts), points, tables


def extract_pdf(path: Path, fmt: str = "pdf") -> Extracted:
    """A PDF's text layer and ruled tables (pdfplumber); pages without a usable text layer are OCR'd."""
    import pdfplumber

    builder = _TextBuilder()
    tables: list[RawTable] = []
    warnings: list[str] = []
    n_chars = 0
    scanned: list[int] = []
    boxes: list[list[Any]] = []
    wraps: list[int] = []  # offsets of line breaks inside a wrapped paragraph
    carry: list[int | None] = [None]  # a break at the end of a page that may wrap onto the next
    try:
        with pdfplumber.open(path) as pdf:
            n_pages = len(pdf.pages)
            can_ocr = _ocr_ready()
            for page in pdf.pages:
                n_chars += len(page.chars)
                if _page_needs_ocr(page):
                    scanned.append(page.page_number)
                    carry[0] = None
                    if can_ocr:
                        _ocr_pdf_page_or_warn(path, page.page_number, n_pages, builder, tables, boxes, warnings)
                elif page.chars:
                    _extract_pdf_page(page, builder, tables, wraps, carry)
                page.close()
    except IngestError:
        raise
    except Exception as e:  # pdfminer, pdfium and OCR raise many kinds of errors on damaged files
        raise IngestError(path, f"cannot read PDF ({type(e).__name__}: {e})") from e
    meta: dict[str, Any] = {"pages": n_pages}
    if scanned:
        warnings.append(_ocr_warning(path, scanned, boxes, can_ocr))
        if can_ocr:
            meta["ocr"] = {"pages": scanned, "boxes": boxes}
    source = builder.text()
    if not source.strip() and not scanned:
        warnings.append(f"{path}: no text layer ({n_chars} characters on {n_pages} pages)")
    text, text_map, tables = _join_wraps(source, wraps, tables)
    return Extracted(fmt, source, text, text_map, tables, meta=meta, warnings=warnings)


def _ocr_ready() -> bool:
    from .ocr import ocr_available

    return ocr_available()


def _page_needs_ocr(page: Any) -> bool:
    """No usable text layer: garbled glyphs, or no characters on a page that shows an image or drawn glyphs."""
    from .ocr import needs_ocr

    if page.chars:
        return needs_ocr(page.chars)
    return bool(page.images or page.curves)


def _ocr_warning(path: Path, pages: list[int], boxes: list[list[Any]], done: bool) -> str:
    from .ocr import OCR_HINT, config

    listed = ", ".join(map(str, pages))
    if not done:
        return f"{path}: {len(pages)} page(s) without a usable text layer not read (pages {listed}); {OCR_HINT}"
    low = sum(1 for b in boxes if b[-1] < config()["uncertain_below"])
    return (f"{path}: {len(pages)} page(s) read by OCR (pages {listed}); {low} of {len(boxes)} text boxes or "
            f"cells below confidence {config()['uncertain_below']}")


def _ocr_pdf_page(path: Path, number: int, n_pages: int, builder: _TextBuilder, tables: list[RawTable],
                  boxes: list[list[Any]]) -> None:
    """One page by OCR: text lines and tables top to bottom; ``boxes`` gets [start, end, page, x0, top, x1,
    bottom, confidence] of every box or table cell written (offsets into the extracted text)."""
    from . import ocr

    image, scale = ocr.render_page(path, number - 1)
    page = ocr.read_page(image, number, scale)
    items: list[tuple[float, Any]] = [(line.top, line) for line in page.lines] + [(t.top, t) for t in page.tables]
    drop = _pattern("pdf", "drop_lines")
    for _, item in sorted(items, key=lambda it: it[0]):
        if isinstance(item, ocr.OcrTable):
            _ocr_table(item, number, builder, tables, boxes)
        elif not drop.match("".join(b.text for b in item.boxes)):
            for box in item.boxes:
                if builder.line_has_text and _ASCII_ALNUM.match(builder.parts[-1][-1:]) \
                        and _ASCII_ALNUM.match(box.text[:1]):
                    builder.add(" ")
                start = builder.length
                builder.add(box.text)
                boxes.append(_box_record(start, builder.length, number, [box]))
            builder.newline()
    ocr.report_page(number, n_pages, str(path))


def _ocr_pdf_page_or_warn(path: Path, number: int, n_pages: int, builder: _TextBuilder, tables: list[RawTable],
                          boxes: list[list[Any]], warnings: list[str]) -> None:
    """OCR one page; a page OCR cannot read costs that page only, with a warning."""
    try:
        _ocr_pdf_page(path, number, n_pages, builder, tables, boxes)
    except Exception as e:  # noqa: BLE001 -- pdfium, OpenCV and onnxruntime raise their own error types
        warnings.append(f"{path}: page {number}: OCR failed ({type(e).__name__}: {e})")


def _box_record(start: int, end: int, page: int, boxes: list[Any]) -> list[Any]:
    return [start, end, page, round(min(b.x0 for b in boxes), 1), round(min(b.top for b in boxes), 1),
            round(max(b.x1 for b in boxes), 1), round(max(b.bottom for b in boxes), 1),
            round(min(b.confidence for b in boxes), 3)]


def _ocr_table(table: Any, number: int, builder: _TextBuilder, tables: list[RawTable],
               boxes: list[list[Any]]) -> None:
    """An OCR'd grid through the same table path as pdfplumber's (a text box drawn as a table stays text)."""
    from .ocr import cell_reading

    def pieces(cell: list[Any]) -> list[Piece]:
        return _join_lines([[(_glued(line), None)] for line in cell_reading(cell)])

    grid = [[pieces(cell) for cell in row] for row in table.cells]
    if not _is_table(grid):
        for row in grid:
            builder.add_lines(" ".join("".join(t for t, _ in cell) for cell in row if cell))
        return
    raw = _render_table(builder, grid, "pdf")
    tables.append(raw)
    for row, spans in zip(table.cells, raw.cells, strict=False):
        for cell, span in zip(row, spans, strict=False):
            if cell and span:
                boxes.append(_box_record(span[0], span[1], number, cell))


def _glued(line: list[Any]) -> str:
    """Boxes of one line joined: no space between CJK, one between ASCII letters or digits."""
    out = ""
    for box in line:
        if out and _ASCII_ALNUM.match(out[-1]) and _ASCII_ALNUM.match(box.text[:1]):
            out += " "
        out += box.text
    return out


# ---------------------------------------------------------------- docx


def _docx_grid(table: Any, where: str, warnings: list[str]) -> Grid:
    """A DOCX table on its layout grid, merged cells '' after their first position.

    Read from the XML rather than python-docx's ``row.cells``, which makes one object per spanned grid column
    (a gridSpan of 10^6 is 10^6 objects) and drops a cell whose gridSpan is 0 or negative (shifting the row).
    """
    from docx.oxml.ns import qn
    from docx.table import _Cell

    rows: list[list[_GridCell]] = []
    for tr in table._tbl.tr_lst:
        properties = tr.trPr
        before, after = ((_span(properties.find(qn(f"w:{name}")).get(qn("w:val")))
                          if properties is not None and properties.find(qn(f"w:{name}")) is not None else 0)
                         for name in ("gridBefore", "gridAfter"))
        cells = [_GridCell([], colspan=before)] if before else []
        for tc in tr.tc_lst:
            tc_properties = tc.tcPr
            span = tc_properties.find(qn("w:gridSpan")) if tc_properties is not None else None
            merge = tc_properties.find(qn("w:vMerge")) if tc_properties is not None else None
            continued = merge is not None and merge.get(qn("w:val"), "continue") == "continue"
            pieces = [] if continued else _string_cell(_Cell(tc, table).text)
            cells.append(_GridCell(pieces, colspan=_span(None if span is None else span.get(qn("w:val")))))
        if after:
            cells.append(_GridCell([], colspan=after))
        rows.append(cells)
    return _layout_grid(rows, where, warnings, ("rows", "gridSpan"))[0]


def _check_unpacked_size(path: Path) -> None:
    """Refuse a DOCX whose parts unpack to more than max_docx_unpacked_mb (a zip bomb would fill the memory)."""
    import zipfile

    limit = _config()["max_docx_unpacked_mb"]
    with zipfile.ZipFile(path) as archive:
        size = sum(info.file_size for info in archive.infolist())
    if size > limit * 2**20:
        raise IngestError(path, f"cannot read DOCX (its parts unpack to {size / 2**20:.0f} MB, over "
                                f"max_docx_unpacked_mb = {limit})")


def _drop_entity_references(path: Path, element: Any) -> list[str]:
    """Remove unexpanded XML entity references (their text stays unread), with a warning naming them.

    python-docx parses with ``resolve_entities=False`` (no external file or network is ever read, no entity is
    expanded); the references are left as nodes that hide the text after them from ``paragraph.text``.
    Dropping the nodes (keeping what follows them) keeps the rest of the paragraph.
    """
    from lxml import etree

    names = sorted({node.name for node in element.iter(etree.Entity)})
    if not names:
        return []
    etree.strip_elements(element, etree.Entity, with_tail=False)
    return [f"{path}: entity references not expanded, their text is missing: {', '.join('&' + n + ';' for n in names)}"]


def extract_docx(path: Path, fmt: str = "docx") -> Extracted:
    """A Word document's paragraphs and tables in body order (python-docx)."""
    try:
        return _read_docx(path, fmt)
    except IngestError:
        raise
    except Exception as e:  # python-docx raises zip, XML and package errors, also while reading the body
        raise IngestError(path, f"cannot read DOCX ({type(e).__name__}: {e})") from e


def _read_docx(path: Path, fmt: str) -> Extracted:
    import docx
    from docx.table import Table as DocxTable

    _check_unpacked_size(path)
    document = docx.Document(str(path))
    warnings = _drop_entity_references(path, document.element)
    items = list(document.iter_inner_content())
    builder = _TextBuilder()
    tables: list[RawTable] = []
    n_tables = 0
    for item in items:
        if isinstance(item, DocxTable):
            n_tables += 1
            grid = _docx_grid(item, f"{path}: table {n_tables}", warnings)
            if grid and _is_table(grid):
                tables.append(_render_table(builder, grid, "docx"))
                continue
            for row in grid:
                for cell in row:
                    builder.add_lines("".join(text for text, _ in cell))
        else:
            builder.add_lines(item.text)
    text = builder.text()
    return Extracted(fmt, text, text, [], tables, meta={"paragraphs": sum(1 for i in items if not isinstance(i, DocxTable))},
                     warnings=warnings)


# ---------------------------------------------------------------- documents


EXTRACTORS = {"txt": extract_plain, "md": extract_plain, "html": extract_html, "pdf": extract_pdf, "docx": extract_docx}


def format_of(path: str | Path) -> str | None:
    """The reader name for a file's extension (None when unsupported)."""
    return _config()["formats"].get(Path(path).suffix.lower())


def extract(path: str | Path) -> Extracted:
    """Run the reader of a file's format."""
    path = Path(path)
    if not path.exists():
        raise IngestError(path, "no such file")
    fmt = format_of(path)
    if fmt is None or not path.is_file():
        raise IngestError(path, f"unsupported file type {path.suffix or '(no extension)'!r}")
    return EXTRACTORS[fmt](path, fmt)


def read_document(path: str | Path) -> Document:
    """Read one report file into a normalised Document (raises IngestError on unreadable input)."""
    path = Path(path)
    extracted = extract(path)
    return build_document(path, extracted)


def build_document(path: Path, extracted: Extracted) -> Document:
    """Normalise an extraction: text, offset map to its source, tables placed in the text, meta."""
    text, norm_map, traditional = normalize_text(extracted.text)
    to_text = _inverse(norm_map)
    tables = [_place_table(t, text, to_text) for t in extracted.tables]
    warnings = list(extracted.warnings)
    if not text.strip() and not warnings:
        warnings.append(f"{path}: empty file" if not extracted.source else f"{path}: no text found")
    meta = dict(extracted.meta)
    meta.update(find_meta(text, extracted))
    meta["traditional"] = traditional
    meta["n_chars"] = len(text)
    return Document(doc=path.stem, path=str(path), format=extracted.format, text=text, tables=tables,
                    meta=meta, warnings=warnings, offset_map=compose_maps(norm_map, extracted.text_map))


def _inverse(offset_map: OffsetMap):
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


def _place_table(raw: RawTable, text: str, to_text) -> Table:
    """A RawTable moved into normalised text: cell strings read back from the text."""
    rows: list[list[str]] = []
    offsets: list[list[tuple[int, int] | None]] = []
    for raw_row in raw.cells:
        row, spans = [], []
        for span in raw_row:
            if span is None:
                row.append("")
                spans.append(None)
                continue
            start, end = to_text(span[0]), to_text(span[1])
            cell = text[start:end]
            start += len(cell) - len(cell.lstrip())
            end -= len(cell) - len(cell.rstrip())
            row.append(text[start:end] if end > start else "")
            spans.append((start, end) if end > start else None)
        rows.append(row)
        offsets.append(spans)
    return Table(rows, to_text(raw.start), to_text(raw.end), offsets, raw.source)


# ---------------------------------------------------------------- meta


def find_meta(text: str, extracted: Extracted) -> dict[str, Any]:
    """Title and publication date of a document."""
    stated = _tidy_title(normalize_text(extracted.title)[0]) if extracted.title else ""
    title = stated or find_title(text)
    published = find_date(text)
    if published is None and extracted.context:
        # page furniture (HTML header lines) states the date somewhere, labelled
        match = _pattern("meta", "date_labelled").search(normalize_text(extracted.context)[0])
        published = parse_date(match.group("date")) if match else None
    return {"title": title, "published": published}


def _nonempty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _tidy_title(title: str) -> str:
    return _SPACE_NEAR_CJK.sub("", title).strip()


def find_title(text: str) -> str | None:
    """The first line near the top that ends like a report title, with the organ line before it."""
    cfg = _config()["meta"]
    prefix, pattern, reject = _pattern("meta", "title_prefix"), _pattern("meta", "title_pattern"), _pattern("meta", "title_reject")
    lines = [prefix.sub("", line).strip() for line in _nonempty_lines(text)[: cfg["head_lines"]]]
    usable = [bool(line) and not reject.search(line) and not _is_date_line(line) for line in lines]
    for i, line in enumerate(lines):
        if not (usable[i] and pattern.search(line) and len(line) <= cfg["title_max_chars"]):
            continue
        parts = [line]
        j = i - 1
        while (j >= 0 and usable[j] and len(parts) < cfg["title_max_lines"] and not pattern.search(lines[j])
               and len(lines[j]) + sum(map(len, parts)) <= cfg["title_max_chars"]):
            parts.insert(0, lines[j])
            j -= 1
        return _tidy_title("".join(parts))
    for i, line in enumerate(lines[: cfg["title_fallback_lines"]]):
        if usable[i] and len(line) <= cfg["title_max_chars"] and not _pattern("meta", "date_labelled").search(line):
            return _tidy_title(line)
    return None


def _is_date_line(line: str) -> bool:
    return bool(_pattern("meta", "date_line").match(line))


def find_date(text: str) -> str | None:
    """ISO publication date: a labelled date at the top, a date line at the top, then at the end."""
    cfg = _config()["meta"]
    lines = _nonempty_lines(text)
    head, tail = lines[: cfg["head_lines"]], lines[-cfg["tail_lines"]:]
    labelled, line_pattern = _pattern("meta", "date_labelled"), _pattern("meta", "date_line")
    for block, pattern in ((head, labelled), (head, line_pattern), (tail, line_pattern), (tail, labelled)):
        for line in block:
            match = pattern.search(line)
            if match and (iso := parse_date(match.group("date"))):
                return iso
    return None


def parse_date(value: str) -> str | None:
    """2017-03-10, 2017年3月10日 or 二〇一七年三月十日 as ISO; None when not a plausible date."""
    from ..values import chinese_number

    fields = re.findall(r"[\d〇○零一二三四五六七八九十]+", value)
    if len(fields) != 3:
        return None
    try:
        year, month, day = (int(f) if f.isdigit() else int(chinese_number(f)) for f in fields)
    except ValueError:  # cn2an refuses what is no numeral
        return None
    lo, hi = _config()["meta"]["year_range"]
    if not (lo <= year <= hi and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# ---------------------------------------------------------------- batches


def iter_report_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files under the given paths (folders walked recursively, sorted; non-report files and links out of a
    folder left out, see ``inputs``)."""
    from .inputs import iter_report_inputs

    return (report.path for report in iter_report_inputs(paths))


def ingest_paths(paths: Iterable[str | Path]) -> Iterator[Document]:
    """Documents of all report files under ``paths`` (ids unique in the batch, see ``inputs``); unreadable files
    give an empty Document with the warning.

    Every warning is also written to stderr.
    """
    from .inputs import iter_report_inputs

    for report in iter_report_inputs(paths):
        path = report.path
        try:
            document = read_document(path)
        except IngestError as e:
            document = Document(doc=path.stem, path=str(path), format=format_of(path) or path.suffix.lstrip(".").lower(),
                                text="", warnings=[str(e)])
        document.doc = report.doc
        for warning in document.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        document.warnings[:0] = report.warnings
        yield document


def ingest_to_dir(paths: Iterable[str | Path], out_dir: str | Path) -> int:
    """Write out_dir/documents.jsonl (documents with text) and warnings.jsonl; return how many documents were read."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    warnings: list[dict[str, str]] = []
    n_read = 0

    def read() -> Iterator[dict[str, Any]]:
        nonlocal n_read
        for document in ingest_paths(paths):
            warnings.extend({"doc": document.doc, "path": document.path, "warning": w} for w in document.warnings)
            if document.text.strip():
                n_read += 1
                yield document.to_dict()

    write_jsonl(out_dir / "documents.jsonl", read())  # Chinese readable (srsly's writer escaped it)
    write_jsonl(out_dir / "warnings.jsonl", warnings)
    return n_read
