"""Every input shape turned into rows: label pieces and value slots with their offsets in the text.

Shapes: ``Table`` objects from ingestion (PDF, HTML, DOCX, pipe tables), pipe lines still in the text,
and tables in running text — one cell per line (blank lines = blank cells), label and numbers on one
line, or labels and digits run together with the cell separators lost. In running text the rows are
anchored on known labels (the form's lexicon); numbers between two labels belong to the first.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import NamedTuple

from ..config import load_config
from ..types import Document, Table
from ..values import within_magnitude
from .lexicon import Lexicon, Role, t2_section


class Piece(NamedTuple):
    """A stretch of document text."""

    text: str
    start: int
    end: int


@dataclass(slots=True)
class Val:
    """A value slot: a number as written, or a blank / null cell."""

    text: str
    start: int
    end: int
    value: int | float | None = None
    unit: str | None = None  # written multiplier or unit glued to the number (万, 元)
    blank: bool = False
    col: int | None = None  # column index in a grid

    @property
    def splittable(self) -> bool:
        """Whether the digits could hold more than one cell."""
        return not self.blank and len(re.sub(r"[^\d]", "", self.text)) > 1


@dataclass(slots=True)
class Row:
    """One table row as found: label pieces, value slots, and where it came from."""

    labels: list[Piece]
    values: list[Val] = field(default_factory=list)
    start: int = 0
    end: int = 0
    grid: int | None = None  # id of the grid (table) the row belongs to; None in running text
    width: int = 0  # number of cells of a grid row
    cells: list[tuple[int, Piece]] = field(default_factory=list)  # text cells of a grid row with their index
    roles: list[Role] | None = None  # roles of the anchor label (running text)
    section: str | None = None  # t2.<n> when the row is a 第二十条 marker
    units: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _cell_patterns() -> tuple[re.Pattern[str], set[str], set[str], dict[str, float]]:
    """The number pattern, null markers, units and written-unit factors."""
    cfg = load_config("tables.yml")["cells"]
    number = re.compile(
        r"^\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(" + "|".join(
            sorted(map(re.escape, cfg["money_factors"]), key=len, reverse=True)) + r")?\s*$")
    return number, set(cfg["null_markers"]), set(cfg["units"]), cfg["money_factors"]


@lru_cache(maxsize=1 << 16)  # cells repeat their few texts (0, 1, 12) thousands of times; bounded for hostile text
def parse_number(text: str) -> tuple[int | float | None, str | None]:
    """Value and written multiplier of a number cell: '10693.46万' → (10693.46, '万')."""
    number, _, _, _ = _cell_patterns()
    match = number.match(text)
    if not match:
        return None, None
    digits = match.group(1).replace(",", "")
    if not within_magnitude(Decimal(digits)):
        return None, None  # thousands of digits are no cell value (and int() of them raises): the slot stays empty
    value: int | float = float(digits) if "." in digits else int(digits)
    return value, match.group(2)


@lru_cache(maxsize=1 << 16)  # (as parse_number)
def classify_cell(text: str) -> str:
    """'blank', 'null', 'num', 'nums' (several numbers in one cell), 'unit' or 'text'."""
    number, nulls, units, _ = _cell_patterns()
    s = text.strip()
    if not s:
        return "blank"
    if s in nulls:
        return "null"
    if number.match(s):
        return "num"
    if s in units:
        return "unit"
    parts = s.split()
    if len(parts) > 1 and all(number.match(p) or p in nulls for p in parts):
        return "nums"
    return "text"


_WORD = re.compile(r"\S+")


def cell_vals(text: str, start: int, col: int | None, kind: str | None = None) -> list[Val]:
    """Value slots of one grid cell (a cell can hold several numbers when a separator was lost); ``kind``: its
    ``classify_cell``, when the caller has it."""
    kind = kind or classify_cell(text)
    if kind in ("blank", "null"):
        return [Val(text.strip(), start, start + len(text), blank=True, col=col)]
    out = []
    for m in _WORD.finditer(text):
        value, unit = parse_number(m.group(0))
        out.append(Val(m.group(0), start + m.start(), start + m.end(), value, unit, blank=value is None, col=col))
    return out


def grid_row(cells: list[tuple[str, int, int] | None], grid: int) -> Row:
    """A row of a grid from its cells (text, start, end); None for an empty or merged cell."""
    labels: list[Piece] = []
    texts: list[tuple[int, Piece]] = []
    values: list[Val] = []
    units: list[str] = []
    seen_value = False
    starts = [c[1] for c in cells if c]
    ends = [c[2] for c in cells if c]
    for i, cell in enumerate(cells):
        text, start, end = cell if cell else ("", starts[0] if starts else 0, starts[0] if starts else 0)
        kind = classify_cell(text)
        if kind == "text":
            texts.append((i, Piece(text, start, end)))
            if seen_value:  # text where a number belongs: keeps its place as a non-numeric cell
                values.append(Val(text.strip(), start, end, blank=True, col=i))
            else:
                labels.append(Piece(text, start, end))
                values.clear()  # empty cells before a label are merged label cells, not values
            continue
        if kind == "unit":
            units.append(text.strip())
            texts.append((i, Piece(text, start, end)))
            continue
        if kind in ("num", "nums"):
            seen_value = True
        if labels or seen_value or kind in ("num", "nums"):
            values.extend(cell_vals(text, start, i, kind))
        elif kind in ("blank", "null"):
            values.append(Val(text.strip(), start, end, blank=True, col=i))
    return Row(labels, values, min(starts) if starts else 0, max(ends) if ends else 0, grid, len(cells), texts,
               units=units)


def table_rows(table: Table, grid: int) -> list[Row]:
    """Rows of an ingested ``Table`` (cell offsets when known)."""
    rows = []
    last = table.start
    for r, cells in enumerate(table.rows):
        offsets = table.cell_offsets[r] if r < len(table.cell_offsets) else []
        out: list[tuple[str, int, int] | None] = []
        for c, text in enumerate(cells):
            off = offsets[c] if c < len(offsets) else None
            if text is None or not str(text).strip():
                out.append(None if off is None else ("", off[0], off[0]))
            elif off is not None:
                out.append((str(text), off[0], off[1]))
            else:
                out.append((str(text), table.start, table.start))
        if out:  # an all-blank row is kept: in table 4 it is a row of nulls
            row = grid_row(out, grid)
            if not any(c is not None for c in out):  # no offsets: place it after the previous row
                row.start = row.end = last
            rows.append(row)
            last = row.end
    return rows


@lru_cache(maxsize=1)
def _pipe_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Pipe rows and markdown separator rows."""
    cfg = load_config("tables.yml")
    return re.compile(cfg["pipe_row"], re.MULTILINE), re.compile(cfg["pipe_separator"])


def pipe_rows(text: str, skip: list[tuple[int, int]], first_grid: int) -> tuple[list[Row], list[tuple[int, int]]]:
    """Rows of pipe tables left in the running text and the spans of those tables."""
    row_re, sep_re = _pipe_patterns()
    rows: list[Row] = []
    spans: list[tuple[int, int]] = []
    grid = first_grid - 1
    last_end = -2
    taken = _Spans(sorted(skip))  # by bisection: a document has hundreds of tables and thousands of pipe lines
    for m in row_re.finditer(text):
        if taken.holds(m.start()):
            continue
        if m.start() != last_end + 1:  # a new block of consecutive pipe lines
            grid += 1
            spans.append((m.start(), m.end()))
        spans[-1] = (spans[-1][0], m.end())
        last_end = m.end()
        if sep_re.match(m.group(0)):
            continue
        line = m.group(0)
        bars = [i for i, ch in enumerate(line) if ch == "|"]
        cells = []
        for a, b in pairwise(bars):
            raw = line[a + 1:b]
            lead = len(raw) - len(raw.lstrip())
            content = raw.strip()
            s = m.start() + a + 1 + lead
            cells.append((content, s, s + len(content)) if content else None)
        if any(c for c in cells):
            rows.append(grid_row(cells, grid))
    return rows, spans


# --- running text -----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _token_re() -> re.Pattern[str]:
    return re.compile(load_config("tables.yml")["text_tokens"])


class Tok(NamedTuple):
    """A token of the text between two anchors."""

    kind: str  # nl, num, null, unit, text
    text: str
    start: int
    end: int


def tokenize_gap(text: str, offset: int, max_text: int | None = None) -> tuple[list[Tok], bool]:
    """Numbers, nulls, units, line breaks and plain text of a stretch of running text, and whether it was cut: with
    ``max_text``, the tokens before the first stretch of plain text longer than that (which ends a table region),
    read no further (the rest of a paragraph after a table's last anchor is not tokenized in vain)."""
    _, nulls, units, _ = _cell_patterns()
    out: list[Tok] = []
    longest = max_text if max_text is not None else len(text) + 1  # (no text token is longer than the stretch)
    for m in _token_re().finditer(text):
        kind = m.lastgroup
        s = m.group(0)
        if kind == "ws":
            continue
        if kind in ("note", "numbering"):
            kind = "text"
        if kind == "text":
            if s in nulls:
                kind = "null"
            elif s in units:
                kind = "unit"
            elif out and out[-1].kind == "text" and out[-1].end == offset + m.start():
                prev = out.pop()  # glue adjacent text
                out.append(Tok("text", prev.text + s, prev.start, offset + m.end()))
                if len(out[-1].text) > longest:  # (a token before the last is final: only the last can grow)
                    return out[:-1], True
                continue
        elif kind == "nl":
            out.append(Tok("nl", str(len(s)), offset + m.start(), offset + m.end()))
            continue
        elif kind == "num" and _ITEM_NUMBER.match(text, m.end()) and re.fullmatch(r"\d+", s):
            if m.start() > 0 and text[m.start() - 1] == "\n":
                out.append(Tok("text", s, offset + m.start(), offset + m.end()))  # 10.涉及… opening a line
                if len(s) > longest:
                    return out[:-1], True
                continue
            # the last digit before 2.其它形式… numbers the next (unknown) row label
            if len(s) > 1:
                out.append(Tok("num", s[:-1], offset + m.start(), offset + m.end() - 1))
            out.append(Tok("text", s[-1], offset + m.end() - 1, offset + m.end()))
            continue
        out.append(Tok(kind, s, offset + m.start(), offset + m.end()))
        if kind == "text" and len(s) > longest:
            return out[:-1], True
    return out, False


_ITEM_NUMBER = re.compile(r"[.、．]\s*[\u4e00-\u9fff]")


def _anchor_roles(match: re.Match[str], lex: Lexicon) -> tuple[list[Role], str | None]:
    """Roles of a phrase found in running text, and the 第二十条 section when it is a marker."""
    if match.lastgroup == "marker" or match.group("marker"):
        return [Role("start", "", "marker")], t2_section(match.group(0))
    if "year" in match.re.groupindex and match.group("year"):  # (groupindex: no dict of every group per anchor)
        return [Role("col", "pre2019", "value")], None
    return lex.lookup(match.group("label")), None


def _ends(roles: list[Role]) -> bool:
    """Whether an anchor of these roles ends a table region."""
    return any(r.kind == "end" for r in roles)


class _Spans:
    """Sorted text spans (they may overlap), asked about by bisection: a document has hundreds of grid tables
    and a thousand anchors, and scanning every span for every anchor grew with their product."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts = [a for a, _ in spans]
        self.reach = list(accumulate((b for _, b in spans), max))  # furthest end of the spans up to each one

    def holds(self, pos: int) -> bool:
        """Whether ``pos`` falls in one of the spans: some span starting at or before it ends after it."""
        i = bisect_right(self.starts, pos)
        return i > 0 and self.reach[i - 1] > pos

    def next_start(self, pos: int) -> int | None:
        """The first start at or after ``pos``, if any."""
        i = bisect_left(self.starts, pos)
        return self.starts[i] if i < len(self.starts) else None


# A note in brackets, possibly over a few lines: row labels and column headers never stand inside one
# (（区分处理的，只计这一情形，不计其他情形） holds 其他), headings may (行政诉讼（未经复议直接起诉）).
_BRACKETS = re.compile(r"[（(][^（）()]{2,80}[)）]")


def _in_note(pos: int, notes: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether ``pos`` falls strictly inside one of ``notes`` (sorted, not overlapping; ``starts`` their starts)."""
    i = bisect_left(starts, pos) - 1  # the last note opening before pos is the only one that can hold it
    return i >= 0 and pos < notes[i][1]


def _only_labels(match: re.Match[str], lex: Lexicon) -> bool:
    """Whether an anchor is a row label or column header only (no heading or group role)."""
    if not match.group("label"):
        return False
    return all(r.kind in ("row", "col") for r in lex.lookup(match.group("label")))


class _Anchors:
    """The anchors of a text in order: matches of the lexicon's pattern outside grid tables, and outside notes
    unless a heading or group, each with its roles (``_anchor_roles``).

    Read as needed: ``next`` gives the next anchor; ``next_start`` the next that can open a region, passing over
    the text before it (nine tenths of a report lie outside table regions, and their anchors change nothing).
    It looks for the first place where a region start can be (``lex.starts``: every anchor that opens a region
    holds a match of one of them), and resumes the pattern's scan after the last character before that place that
    no match can hold (``lex.barrier``): the scan's matches from there on are those of a scan of the whole text."""

    def __init__(self, text: str, lex: Lexicon, grid_spans: _Spans):
        self.text, self.lex, self.spans = text, lex, grid_spans
        self.notes = [m.span() for m in _BRACKETS.finditer(text)]
        self.note_starts = [a for a, _ in self.notes]
        self.scan = lex.pattern.finditer(text)
        self.pos = 0  # where the scan stands: the end of the last match read
        self.reversed: str | None = None  # the text backwards, to find the last barrier before a place
        # the next match of each start pattern at or after some place (None: none after it), kept until passed
        self.found: list[tuple[int, int | None]] = [(-1, None)] * len(lex.starts or ())

    def next(self) -> tuple[re.Match[str], list[Role], str | None] | None:
        """The next anchor with its roles and section, or None at the end of the text."""
        for m in self.scan:
            self.pos = m.end()
            if self.spans.holds(m.start()) or (
                    _in_note(m.start(), self.notes, self.note_starts) and _only_labels(m, self.lex)):
                continue
            return (m, *_anchor_roles(m, self.lex))
        self.pos = len(self.text)
        return None

    def next_start(self) -> tuple[re.Match[str], list[Role], str | None] | None:
        """The next anchor that opens a region (a marker or a start phrase), or None."""
        if self.lex.starts is None or self.lex.barrier is None:
            while (anchor := self.next()) is not None and not _opens(anchor[1], anchor[2]):
                pass
            return anchor
        while True:
            place = self._next_place()
            if place is None:
                return None
            resume = self._after_barrier(place)
            if resume > self.pos:
                self.scan = self.lex.pattern.finditer(self.text, resume)
                self.pos = resume
            while self.pos <= place:
                anchor = self.next()
                if anchor is None:
                    return None
                if _opens(anchor[1], anchor[2]):
                    return anchor

    def _next_place(self) -> int | None:
        """The first place at or after the scan's where a start pattern matches."""
        best = None
        for n, pattern in enumerate(self.lex.starts or ()):
            since, at = self.found[n]
            if since < 0 or (at is not None and at < self.pos):
                m = pattern.search(self.text, self.pos)
                since, at = self.pos, m.start() if m else None
                self.found[n] = (since, at)
            if at is not None and (best is None or at < best):
                best = at
        return best

    def _after_barrier(self, place: int) -> int:
        """Right after the last character before ``place`` (and after the scan's place) that no match can hold,
        else the scan's place."""
        if self.reversed is None:
            self.reversed = self.text[::-1]
        n = len(self.text)
        m = self.lex.barrier.search(self.reversed, n - place, n - self.pos)  # type: ignore[union-attr]
        return n - m.start() if m else self.pos


def _opens(roles: list[Role], section: str | None) -> bool:
    """Whether an anchor of these roles opens a table region."""
    return bool(roles) and not _ends(roles) and (bool(section) or any(r.kind == "start" for r in roles))


def stream_rows(text: str, lex: Lexicon, grid_spans: list[tuple[int, int]]) -> tuple[list[Row], list[tuple[int, int]]]:
    """Rows of tables in running text, and the text regions they span."""
    cfg = load_config("tables.yml")["region"]
    max_text = cfg["max_text_chars"]
    spans = _Spans(sorted(grid_spans))
    anchors = _Anchors(text, lex, spans)
    pieces: list[tuple[re.Match[str], list[Role], str | None, list[Tok]]] = []
    active = False
    regions: list[tuple[int, int]] = []
    anchor = anchors.next_start()
    while anchor is not None:
        m, roles, section = anchor
        if not roles or _ends(roles) or (not active and not _opens(roles, section)):
            if active and roles:  # (an anchor ending the region)
                regions[-1] = (regions[-1][0], m.start())
                active = False
            anchor = anchors.next() if active else anchors.next_start()
            continue
        if not active:
            active = True
            regions.append((m.start(), m.end()))
        following = anchors.next()
        stop = following[0].start() if following is not None else len(text)
        grid = spans.next_start(m.end())  # a grid table after the anchor ends its cells
        if grid is not None and grid < stop:
            stop = grid
        toks, cut = tokenize_gap(text[m.end():stop], m.end(), max_text)
        if cut:
            active = False
        if not active or following is None or _ends(following[1]):
            while toks and toks[-1].kind == "nl":  # the break after a table is no blank cell of its last row
                toks.pop()
        pieces.append((m, roles, section, toks))
        regions[-1] = (regions[-1][0], toks[-1].end if toks else m.end())
        anchor = following
    blank_gap = _blank_gap(text, pieces, cfg["cell_per_line_share"])
    rows: list[Row] = []
    for m, roles, section, toks in pieces:
        rows.extend(_rows_from_tokens(m, roles, section, toks, blank_gap))
    return rows, regions


def _blank_gap(text: str, pieces: list, share: float) -> int | None:
    """Line breaks between two cells of a one-cell-per-line table, or None when cells share lines."""
    alone = total = 0
    gaps: Counter[int] = Counter()
    for _, _, _, toks in pieces:
        for n, tok in enumerate(toks):
            if tok.kind == "num":
                total += 1
                line_start = text.rfind("\n", 0, tok.start) + 1
                line_end = text.find("\n", tok.end)
                line_end = len(text) if line_end < 0 else line_end
                alone += text[line_start:line_end].strip() == tok.text
            elif tok.kind == "nl":
                gaps[int(tok.text)] += 1
    if not total or alone / total < share or not gaps:
        return None
    return gaps.most_common(1)[0][0]


def _rows_from_tokens(m: re.Match[str], roles: list[Role], section: str | None, toks: list[Tok],
                      blank_gap: int | None) -> list[Row]:
    """The anchor's row, plus rows started by unknown text after its values, and rows of numbers on a line
    of their own after a line that held a whole row (PDF text where a tall label cell sits below its numbers)."""
    row = Row([Piece(m.group(0), m.start(), m.end())], start=m.start(), end=m.end(), roles=roles, section=section)
    rows = [row]
    on_line = 0  # numbers on the current line of the current row
    new_line = False
    for tok in toks:
        if tok.kind == "nl":
            n = int(tok.text)
            if blank_gap and n >= 2 * blank_gap:
                for _ in range(n // blank_gap - 1):
                    row.values.append(Val("", tok.start, tok.start, blank=True))
            new_line = True
            continue
        if tok.kind == "text":
            if row.values and any(not v.blank for v in row.values):
                row = Row([Piece(tok.text, tok.start, tok.end)], start=tok.start, end=tok.end)
                rows.append(row)
                on_line = 0
            continue
        if tok.kind == "unit":
            row.units.append(tok.text)
            continue
        if new_line and on_line >= 2 and blank_gap is None:
            row = Row([], start=tok.start, end=tok.end)
            rows.append(row)
            on_line = 0
        if new_line:
            on_line, new_line = 0, False
        if tok.kind == "null":
            row.values.append(Val(tok.text, tok.start, tok.end, blank=True))
        else:
            value, unit = parse_number(tok.text)
            row.values.append(Val(tok.text, tok.start, tok.end, value, unit))
        on_line += 1
        row.end = tok.end
    return rows


def join_wrapped_labels(rows: list[Row], lex: Lexicon) -> list[Row]:
    """Grid rows whose only cell continues the label of the row above (a label wrapped over two lines in
    text tables) joined to it, when the joined label is one the lexicon knows and the continuation is not."""
    out: list[Row] = []
    for row in rows:
        prev = out[-1] if out else None
        if (prev is not None and row.grid is not None and prev.grid == row.grid and len(row.labels) == 1
                and prev.labels and all(v.blank for v in row.values) and not all(v.blank for v in prev.values)):
            head, tail = prev.labels[-1], row.labels[0]
            joined = head.text + tail.text
            if lex.lookup(joined) and not lex.lookup(tail.text):
                prev.labels[-1] = Piece(joined, head.start, head.end)
                prev.cells = [(i, Piece(joined, p.start, p.end) if p == head else p) for i, p in prev.cells]
                prev.end = max(prev.end, row.end)
                continue
        out.append(row)
    return out


def document_rows(doc: Document, lex: Lexicon) -> tuple[list[Row], list[tuple[int, int]]]:
    """All rows of the document in text order, and the text areas covered by tables."""
    rows: list[Row] = []
    spans: list[tuple[int, int]] = []
    for g, table in enumerate(doc.tables):
        rows.extend(table_rows(table, g))
        if table.end > table.start:
            spans.append((table.start, table.end))
    rows = join_wrapped_labels(rows, lex)
    more, pipe_spans = pipe_rows(doc.text, spans, len(doc.tables))
    rows.extend(more)
    spans.extend(pipe_spans)
    text_rows, regions = stream_rows(doc.text, lex, spans)
    rows.extend(text_rows)
    rows.sort(key=lambda r: (r.start, r.grid if r.grid is not None else -1))
    return rows, sorted(spans + regions)
