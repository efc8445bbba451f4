"""HTML: a tolerant DOM (html.parser), the article found among the page furniture, rendered to text with its
tables as grids; the page's <title> and the furniture's text kept for the metadata.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..metadata import load_patterns
from ..normalize import compose_maps, inverse_map
from .builder import (
    Extracted,
    Grid,
    IngestError,
    Piece,
    RawTable,
    _config,
    _GridCell,
    _is_table,
    _join_lines,
    _layout_grid,
    _pattern,
    _render_table,
    _span,
    _TextBuilder,
)
from .encoding import _read_bytes, decode_bytes
from .text import _strip_markup

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


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
        keyed = [p for p in parts if load_patterns().title_line.search(p)]
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
    to_text = inverse_map(strip_map)
    tables = [RawTable([[c and (to_text(c[0]), to_text(c[1])) for c in row] for row in t.cells],
                       to_text(t.start), to_text(t.end), t.source) for t in renderer.tables]
    if not text.strip():
        warnings.append(f"{path}: no body text")
    return Extracted(fmt, source, text, compose_maps(strip_map, renderer.builder.offset_map()), tables,
                     title=_html_title(root), context=page.builder.text(), meta={"encoding": encoding},
                     warnings=warnings)
