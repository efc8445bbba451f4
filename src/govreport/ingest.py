"""Report files → Documents: readers per format, encoding detection, tables, provenance.

Every reader returns an ``Extracted``: the *source* string that offsets cite, a plain *text* with a map
back to that source, the tables placed in the text, and hints such as an HTML title. ``build_document``
normalises the text (``normalize_text``) and composes the maps, so ``Document.offset_map`` maps offsets of
the normalised text to offsets in the source string, which is

- txt / md: the decoded file. HTML comments and stray tags left by copy-paste are removed; pipe tables
  (``| a | b |`` lines, markdown separator rows skipped) stay as they are written and become Tables.
- html: the decoded HTML string. Text comes from ``html.parser`` events with their positions; character
  and entity references are separate events, so every text character maps exactly to its source
  (a reference maps to its ``&``). Synthesised line breaks and `` | `` cell separators map to the tag
  that caused them. Only the article container is read: the element whose paragraphs hold the most CJK
  text (site navigation around it is dropped); the title comes from ``<title>`` (site name cut off) or h1.
- pdf / docx: the raw text this module extracts, ``extract(path).source`` (there is no character link
  into the binary file). PDF: pdfplumber, page by page; tables are taken from ``find_tables`` and the
  page text is read outside their boxes, so no table text is duplicated; bands of text and tables are
  interleaved top to bottom; page-number lines are dropped. A table broken by a page break becomes two
  Tables (the second one usually starts with a continuation row). Rows spanning the whole table at its
  top or bottom (a box drawn around paragraphs, a caption such as 第二十条第（一）项) are read as text.
  DOCX: python-docx paragraphs and tables in body order.

Tables: every table is also rendered into the text, one line per row, cells joined by `` | ``, so later
stages can cite cells by offset. ``Table.rows`` holds the normalised cell strings, ``Table.cell_offsets``
their [start, end) in the text (None for an empty cell). Merged cells (HTML rowspan/colspan, PDF merged
cells, DOCX gridSpan/vMerge) keep their value in the top-left grid position and '' elsewhere, so each
figure is said exactly once. A line break inside a cell is joined without a space, except between two
ASCII letters or digits (where a space keeps two numbers apart).

Bad input never stops a batch: ``read_document`` raises ``IngestError`` (naming the file) for input it
cannot read; ``ingest_paths`` turns that into a Document with empty text and the warning. Empty files,
PDFs without a text layer and HTML without body text give a Document with empty text and a warning;
undecodable bytes are replaced, with a warning.
"""

from __future__ import annotations

import codecs
import fnmatch
import html
import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import srsly

from .config import load_config
from .normalize import OffsetMap, compose_maps, normalize_text
from .tables.grid import find_text_tables
from .types import Document, Table

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
    """Decoded text, the encoding used and warnings (UTF-8 with or without BOM, GBK/GB18030)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(encoding, "replace")
            return text, encoding, _replacement_warning(text, path, encoding)
    encodings = _config()["encodings"]
    best: tuple[int, str, str] | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding, []
        except UnicodeDecodeError:
            pass
        text = data.decode(encoding, "replace")
        n_bad = text.count("\ufffd")
        if n_bad <= _config()["max_undecodable_share"] * len(data):
            return text, encoding, _replacement_warning(text, path, encoding)
        if best is None or n_bad < best[0]:
            best = (n_bad, encoding, text)
    assert best is not None
    return best[2], best[1], _replacement_warning(best[2], path, best[1])


def _replacement_warning(text: str, path: str | Path, encoding: str) -> list[str]:
    n_bad = text.count("\ufffd")
    return [f"{path}: {n_bad} undecodable byte sequences replaced (read as {encoding})"] if n_bad else []


def _strip_markup(source: str) -> tuple[str, OffsetMap]:
    """Source text without HTML comments and tags pasted into a plain-text file."""
    builder = _TextBuilder()
    pos = 0
    for match in _pattern("text_markup", flags=re.DOTALL | re.IGNORECASE).finditer(source):
        builder.add(source[pos:match.start()], pos)
        pos = match.end()
    builder.add(source[pos:], pos)
    return builder.text(), builder.offset_map()


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
    """A lenient tree of elements and text pieces with their offsets in the source string."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.root = _Node("#root", 0, {})
        self.stack = [self.root]
        self.void = set(_config()["html"]["void_tags"])

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        node = _Node(tag, self._pos(), dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in self.void:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, self._pos(), dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

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
        for i in range(len(self.stack) - 1, 0, -1):
            name = self.stack[i].tag
            if name in closes:
                del self.stack[i:]
                return
            if name in stops:
                return


def _iter_nodes(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children:
        if isinstance(child, _Node):
            yield from _iter_nodes(child)


def _node_text(node: _Node, skip: frozenset[str]) -> str:
    """All text under a node, references resolved, skipped elements left out."""
    out: list[str] = []
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag not in skip:
                out.append(_node_text(child, skip))
        else:
            out.append(child[0])
    return "".join(out)


def find_article(root: _Node) -> _Node:
    """The element whose paragraphs (and own text) hold the most CJK characters."""
    cfg = _config()["html"]
    skip = frozenset(cfg["skip_tags"])
    paragraph_tags = set(cfg["paragraph_tags"])
    scores: dict[int, int] = {}
    nodes: dict[int, _Node] = {}

    def visit(node: _Node) -> None:
        own = 0
        for child in node.children:
            if isinstance(child, _Node):
                if child.tag in skip:
                    continue
                if child.tag in paragraph_tags:
                    own += len(_CJK.findall(_node_text(child, skip)))
                else:
                    visit(child)
            else:
                own += len(_CJK.findall(child[0]))
        if own:
            scores[id(node)] = own
            nodes[id(node)] = node

    visit(root)
    if not scores:
        return root
    return nodes[max(scores, key=lambda k: scores[k])]


class _HtmlRenderer:
    """Text of an element subtree: block elements break lines, tables become `` | `` rows."""

    def __init__(self) -> None:
        cfg = _config()["html"]
        self.skip = frozenset(cfg["skip_tags"])
        self.blocks = frozenset(cfg["block_tags"]) | {"td", "th"}
        self.builder = _TextBuilder()
        self.tables: list[RawTable] = []

    def render(self, node: _Node) -> None:
        for child in node.children:
            if isinstance(child, _Node):
                self._element(child)
            else:
                self._data(*child)

    def _data(self, text: str, src: int) -> None:
        # source line breaks and tabs are spaces in HTML; the same length keeps the map linear
        text = text.translate(_HTML_SPACES)
        if self.builder.line_has_text or text.strip():
            self.builder.add(text, src)

    def _element(self, node: _Node) -> None:
        if node.tag in self.skip:
            return
        if node.tag == "table" and self._table(node):
            return
        block = node.tag in self.blocks
        if block:
            self.builder.newline(node.start)
        self.render(node)
        if block:
            self.builder.newline(node.start)

    def _table(self, node: _Node) -> bool:
        """Render a table as rows of cells; False for a layout table, which is read as blocks."""
        grid, separators = self._grid(node)
        if not grid or not _is_table(grid):
            return False
        self.tables.append(_render_table(self.builder, grid, "html", separators))
        return True

    def _grid(self, table: _Node) -> tuple[list[list[list[Piece]]], list[list[int | None]]]:
        """Cells of a table on its grid: spanned positions are '' (the value stays top-left)."""
        max_span = _config()["max_span"]
        grid: dict[tuple[int, int], list[Piece]] = {}
        starts: dict[tuple[int, int], int] = {}
        for r, row in enumerate(self._rows(table)):
            c = 0
            for cell in row:
                while (r, c) in grid:
                    c += 1
                rowspan = _span(cell.attrs.get("rowspan"), max_span)
                colspan = _span(cell.attrs.get("colspan"), max_span)
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid.setdefault((r + dr, c + dc), [])
                        starts.setdefault((r + dr, c + dc), cell.start)
                grid[(r, c)] = self._cell_pieces(cell)
                c += colspan
        if not grid:
            return [], []
        n_rows = max(r for r, _ in grid) + 1
        n_cols = max(c for _, c in grid) + 1
        rows = [[grid.get((r, c), []) for c in range(n_cols)] for r in range(n_rows)]
        separators = [[starts.get((r, c)) for c in range(n_cols)] for r in range(n_rows)]
        return rows, separators

    def _rows(self, table: _Node) -> Iterator[list[_Node]]:
        """The rows of a table (through thead/tbody/tfoot), each as its td/th elements."""
        for child in table.children:
            if not isinstance(child, _Node):
                continue
            if child.tag == "tr":
                yield [c for c in child.children if isinstance(c, _Node) and c.tag in ("td", "th")]
            elif child.tag in ("thead", "tbody", "tfoot"):
                yield from self._rows(child)

    def _cell_pieces(self, cell: _Node) -> list[Piece]:
        """A cell's text as pieces, its inner blocks joined like wrapped lines."""
        lines: list[list[Piece]] = [[]]

        def visit(node: _Node) -> None:
            for child in node.children:
                if isinstance(child, _Node):
                    if child.tag in self.skip:
                        continue
                    block = child.tag in self.blocks
                    if block:
                        lines.append([])
                    visit(child)
                    if block:
                        lines.append([])
                else:
                    lines[-1].append((child[0].translate(_HTML_SPACES), child[1]))

        visit(cell)
        return _join_lines(lines)


_HTML_SPACES = str.maketrans("\r\n\t\f", "    ")


def _span(value: str | None, max_span: int) -> int:
    """A rowspan/colspan attribute as an int in [1, max_span]."""
    try:
        return min(max(int(str(value).strip()), 1), max_span)
    except (TypeError, ValueError):
        return 1


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
    renderer = _HtmlRenderer()
    renderer.render(article)
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


def _pdf_text_lines(page: Any, top: float, bottom: float) -> list[str]:
    """Text lines of the characters whose centre lies in [top, bottom), page furniture dropped."""
    band = page.filter(lambda o: o.get("object_type") == "char" and top <= (o["top"] + o["bottom"]) / 2 < bottom)
    text = band.extract_text(**_config()["pdf"]["text_options"]) if band.chars else ""
    drop = _pattern("pdf", "drop_lines")
    return [line for line in text.split("\n") if not drop.match(line)]


def _extract_pdf_page(page: Any, builder: _TextBuilder, tables: list[RawTable]) -> None:
    """Text bands and tables of one page, top to bottom."""
    cores = sorted(filter(None, (_pdf_table_core(t) for t in page.find_tables())), key=lambda t: t.top)
    text_page = page
    if cores:
        text_page = page.filter(lambda o: o.get("object_type") == "char"
                                and not any(_center_inside(o, t.bbox) for t in cores))
    y = float("-inf")
    for core in cores:
        builder.add_lines("\n".join(_pdf_text_lines(text_page, y, core.top)))
        tables.append(_render_table(builder, core.grid, "pdf"))
        y = core.bottom
    builder.add_lines("\n".join(_pdf_text_lines(text_page, y, float("inf"))))


def extract_pdf(path: Path, fmt: str = "pdf") -> Extracted:
    """A PDF's text layer and ruled tables (pdfplumber)."""
    import pdfplumber

    builder = _TextBuilder()
    tables: list[RawTable] = []
    warnings: list[str] = []
    n_chars = 0
    try:
        with pdfplumber.open(path) as pdf:
            n_pages = len(pdf.pages)
            for page in pdf.pages:
                n_chars += len(page.chars)
                if page.chars:
                    _extract_pdf_page(page, builder, tables)
                page.close()
    except IngestError:
        raise
    except Exception as e:  # pdfminer raises many kinds of errors on damaged files
        raise IngestError(path, f"cannot read PDF ({type(e).__name__}: {e})") from e
    text = builder.text()
    if not text.strip():
        warnings.append(f"{path}: no text layer ({n_chars} characters on {n_pages} pages; scanned? OCR is not supported)")
    return Extracted(fmt, text, text, [], tables, meta={"pages": n_pages}, warnings=warnings)


# ---------------------------------------------------------------- docx


def _docx_grid(table: Any) -> list[list[list[Piece]]]:
    """A DOCX table on its layout grid, merged cells '' after their first position."""
    seen: set[Any] = set()  # the <w:tc> elements themselves: holding them keeps lxml proxies (and identity) stable
    grid: list[list[list[Piece]]] = []
    for row in table.rows:
        cells: list[list[Piece]] = [[] for _ in range(row.grid_cols_before)]
        for cell in row.cells:
            cells.append([] if cell._tc in seen else _string_cell(cell.text))
            seen.add(cell._tc)
        cells.extend([] for _ in range(row.grid_cols_after))
        grid.append(cells)
    return grid


def extract_docx(path: Path, fmt: str = "docx") -> Extracted:
    """A Word document's paragraphs and tables in body order (python-docx)."""
    import docx
    from docx.table import Table as DocxTable

    try:
        document = docx.Document(str(path))
        items = list(document.iter_inner_content())
    except Exception as e:  # python-docx raises zip, XML and package errors
        raise IngestError(path, f"cannot read DOCX ({type(e).__name__}: {e})") from e
    builder = _TextBuilder()
    tables: list[RawTable] = []
    for item in items:
        if isinstance(item, DocxTable):
            grid = _docx_grid(item)
            if grid and _is_table(grid):
                tables.append(_render_table(builder, grid, "docx"))
                continue
            for row in grid:
                for cell in row:
                    builder.add_lines("".join(text for text, _ in cell))
        else:
            builder.add_lines(item.text)
    text = builder.text()
    return Extracted(fmt, text, text, [], tables, meta={"paragraphs": sum(1 for i in items if not isinstance(i, DocxTable))})


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
    numerals = _config()["meta"]["numerals"]
    fields = re.findall(r"[\d〇○零一二三四五六七八九十]+", value)
    if len(fields) != 3:
        return None
    year = int("".join(str(numerals.get(ch, ch)) for ch in fields[0]))
    month, day = (_small_number(f, numerals) for f in fields[1:])
    lo, hi = _config()["meta"]["year_range"]
    if not (lo <= year <= hi and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _small_number(value: str, numerals: dict[str, int]) -> int:
    """A month or day in digits or Chinese numerals (十, 十二, 二十三)."""
    if value.isdigit():
        return int(value)
    if "十" in value:
        tens, _, ones = value.partition("十")
        return (numerals.get(tens, 1) if tens else 1) * 10 + (numerals.get(ones, 0) if ones else 0)
    return int("".join(str(numerals.get(ch, 0)) for ch in value))


# ---------------------------------------------------------------- batches


def iter_report_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files under the given paths (folders walked recursively, sorted; non-report files left out)."""
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not _ignored(child.relative_to(path)):
                    yield child
        else:
            yield path  # named explicitly: read, or warned about, whatever it is


def _ignored(relative: Path) -> bool:
    """Non-report files met in a folder: data, configs, READMEs, hidden files."""
    cfg = _config()
    if relative.suffix.lower() in cfg["ignore_extensions"]:
        return True
    return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in cfg["ignore_names"])


def ingest_paths(paths: Iterable[str | Path]) -> Iterator[Document]:
    """Documents of all report files under ``paths``; unreadable files give an empty Document with the warning.

    Every warning is also written to stderr.
    """
    for path in iter_report_files(paths):
        try:
            document = read_document(path)
        except IngestError as e:
            document = Document(doc=path.stem, path=str(path), format=format_of(path) or path.suffix.lstrip(".").lower(),
                                text="", warnings=[str(e)])
        for warning in document.warnings:
            print(f"warning: {warning}", file=sys.stderr)
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

    srsly.write_jsonl(out_dir / "documents.jsonl", read())
    srsly.write_jsonl(out_dir / "warnings.jsonl", warnings)
    return n_read
