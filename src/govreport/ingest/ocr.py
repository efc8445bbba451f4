"""OCR of PDF pages without a usable text layer: page image → text lines and table grids of OCR boxes.

Pages are rendered with pypdfium2 and read with rapidocr-onnxruntime (PP-OCR detection and recognition,
whose ONNX models ship inside the wheel: nothing is downloaded). Both come with the optional extra
``pip install govreport[ocr]``; ``ocr_available`` says whether they are installed.

Tables: ruled tables are found in the page image (long thin horizontal and vertical rules); their rows and
columns are the rule positions, and two neighbouring grid cells are one merged cell when the rule between
them is missing. A box belongs to the cell holding its centre; merged cells keep their text in their
top-left position. Detection misses lone small digits, so an empty cell with ink in it is read again by
recognition alone. Without rules, consecutive lines that split into several cells form a table whose
columns are the x ranges of its widest line (the header). Digit confusions (O/0, l/1, 。/.) are fixed
only in cells that are numbers otherwise. Every box keeps its recognition score; a cell's confidence is
its lowest box score.

Box coordinates are reported in PDF points (x0, top, x1, bottom), as pdfplumber gives them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import load_config

OCR_HINT = "install the OCR extra to read it: pip install 'govreport[ocr]'"

# progress(done_pages, total_pages, path): set by the CLI (printing belongs there), None: silent
PageProgress = Callable[[int, int, str], None]
_progress: list[PageProgress | None] = [None]


def set_page_progress(callback: PageProgress | None) -> None:
    """Report every OCR'd page to ``callback`` (the CLI shows a progress bar on stderr)."""
    _progress[0] = callback


def report_page(done: int, total: int, path: str) -> None:
    if _progress[0] is not None:
        _progress[0](done, total, path)


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    return load_config("ocr.yml")


def ocr_available() -> bool:
    """True when the OCR extra (rapidocr-onnxruntime, pypdfium2) can be imported."""
    try:
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except (ImportError, OSError):  # OSError: a system library OpenCV needs is missing
        return False
    return True


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(**config()["engine"])


# ---------------------------------------------------------------- pages


@lru_cache(maxsize=1)
def _unusable() -> re.Pattern[str]:
    return re.compile(config()["unusable_pattern"])


def needs_ocr(chars: list[dict[str, Any]]) -> bool:
    """A page without characters, or whose characters are mostly (cid:N) glyphs or private-use code points."""
    if not chars:
        return True
    bad = sum(1 for c in chars if _unusable().match(c.get("text", "")))
    return bad >= config()["unusable_share"] * len(chars)


@dataclass
class Box:
    """An OCR'd stretch of text: position in PDF points and its recognition score."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Line:
    """Boxes on one text line, left to right."""

    boxes: list[Box]

    @property
    def top(self) -> float:
        return min(b.top for b in self.boxes)

    @property
    def bottom(self) -> float:
        return max(b.bottom for b in self.boxes)

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.boxes)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.boxes)


@dataclass
class OcrTable:
    """A grid of cells, each the boxes read in it (top-left position of a merged cell)."""

    top: float
    bottom: float
    cells: list[list[list[Box]]]


@dataclass
class OcrPage:
    """What OCR read on one page: text lines outside tables and the tables, each with its top."""

    number: int  # 1-based
    lines: list[Line] = field(default_factory=list)
    tables: list[OcrTable] = field(default_factory=list)


def render_page(path: str | Path, index: int) -> tuple[Any, float]:
    """The page as an RGB numpy array and its pixels per point: ``render_scale``, less for a page so large
    that its image would pass ``max_render_side`` pixels (a poster-sized page must not exhaust memory)."""
    import numpy as np
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[index]
        scale = min(config()["render_scale"], config()["max_render_side"] / max(page.get_size()))
        bitmap = page.render(scale=scale)
        return np.array(bitmap.to_pil().convert("RGB")), scale
    finally:
        pdf.close()


def read_page(image: Any, number: int, scale: float | None = None) -> OcrPage:
    """Text lines and tables of one page image rendered at ``scale`` pixels per point."""
    scale = scale or config()["render_scale"]
    boxes = detect_boxes(image, scale)
    page = OcrPage(number)
    grids = find_ruled_grids(image)
    free = boxes
    for grid in grids:
        cells, free = grid.assign(free, scale)
        _reread_cells(image, grid, cells, scale)
        page.tables.append(OcrTable(grid.ys[0] / scale, grid.ys[-1] / scale, _fix_numeric_cells(cells)))
    lines = group_lines(free)
    page.lines, unruled = split_unruled_tables(lines)
    page.tables += unruled
    page.tables.sort(key=lambda t: t.top)
    return page


def detect_boxes(image: Any, scale: float) -> list[Box]:
    """Detection and recognition over the whole page; boxes in points."""
    result, _ = _engine()(image)
    boxes = []
    for points, text, score in result or []:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if text.strip():
            boxes.append(Box(text.strip(), min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale,
                             float(score)))
    return boxes


# ---------------------------------------------------------------- ruled tables


@dataclass
class RuledGrid:
    """Rule positions (pixels) of a ruled table and which neighbouring grid cells are merged."""

    ys: list[int]
    xs: list[int]
    owner: dict[tuple[int, int], tuple[int, int]]  # grid cell -> top-left cell of its merged cell

    def assign(self, boxes: list[Box], scale: float) -> tuple[list[list[list[Box]]], list[Box]]:
        """Boxes of each cell (at the merged cell's top-left) and the boxes outside the table."""
        from bisect import bisect_right

        cells: list[list[list[Box]]] = [[[] for _ in self.xs[1:]] for _ in self.ys[1:]]
        outside = []
        for box in boxes:
            x, y = box.cx * scale, box.cy * scale
            i, j = bisect_right(self.ys, y) - 1, bisect_right(self.xs, x) - 1
            if not (0 <= i < len(self.ys) - 1 and 0 <= j < len(self.xs) - 1):
                outside.append(box)
                continue
            r, c = self.owner[(i, j)]
            cells[r][c].append(box)
        return cells, outside

    def cell_pixels(self, r: int, c: int) -> tuple[int, int, int, int]:
        """x0, y0, x1, y1 of a merged cell (from its top-left grid cell)."""
        members = [k for k, v in self.owner.items() if v == (r, c)]
        i1 = max(i for i, _ in members) + 1
        j1 = max(j for _, j in members) + 1
        return self.xs[c], self.ys[r], self.xs[j1], self.ys[i1]


def _rule_masks(image: Any) -> tuple[Any, Any, Any]:
    """Ink mask and the masks of its long horizontal and vertical strokes."""
    import cv2

    cfg = config()["rules"]
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    ink = (grey < cfg["dark"]).astype("uint8")
    n = cfg["min_line"]
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, n)))
    return ink, horizontal, vertical


def _positions(profile: Any, gap: int) -> list[int]:
    """Centres of runs of non-zero entries (runs closer than ``gap`` joined)."""
    idx = [i for i, v in enumerate(profile) if v]
    runs: list[list[int]] = []
    for i in idx:
        if runs and i - runs[-1][-1] <= gap:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [(r[0] + r[-1]) // 2 for r in runs]


def find_ruled_grids(image: Any) -> list[RuledGrid]:
    """Ruled tables of a page image, top to bottom."""
    import cv2

    cfg = config()["rules"]
    _, horizontal, vertical = _rule_masks(image)
    rules = cv2.dilate(horizontal | vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(rules)
    grids = []
    for k in range(1, n):
        x, y, w, h = (int(v) for v in stats[k][:4])
        if w < cfg["min_table_width"] or h < cfg["min_table_height"]:
            continue
        hs, vs = horizontal[y:y + h, x:x + w], vertical[y:y + h, x:x + w]
        ys = [y + p for p in _positions(hs.max(axis=1), cfg["merge_gap"])]
        xs = [x + p for p in _positions(vs.max(axis=0), cfg["merge_gap"])]
        ys = _open_ends(ys, vs, y, cfg["min_open_row"])
        if len(ys) >= 3 and len(xs) >= 3:
            grids.append(RuledGrid(ys, xs, _merged_cells(ys, xs, horizontal, vertical)))
    return sorted(grids, key=lambda g: g.ys[0])


def _open_ends(ys: list[int], vertical: Any, y: int, min_row: int) -> list[int]:
    """Row boundaries with the ends of the vertical rules added where they run past the first or last
    horizontal rule: a table broken by a page break has a row without a rule below (or above) it."""
    import numpy as np

    drawn = np.flatnonzero(vertical.max(axis=1))
    if not ys or not len(drawn):
        return ys
    top, bottom = y + int(drawn[0]), y + int(drawn[-1])
    if ys[0] - top >= min_row:
        ys = [top, *ys]
    if bottom - ys[-1] >= min_row:
        ys = [*ys, bottom]
    return ys


def _inked(mask: Any, fixed: int, lo: int, hi: int, horizontal: bool) -> bool:
    """Whether the rule at ``fixed`` (a y for a horizontal rule) is drawn over most of [lo, hi)."""
    cfg = config()["rules"]
    t = cfg["max_line_thickness"] // 2
    inner = max(1, (hi - lo) // 5)  # the ends touch the crossing rules: look at the middle
    band = mask[max(fixed - t, 0):fixed + t + 1, lo + inner:hi - inner] if horizontal else \
        mask[lo + inner:hi - inner, max(fixed - t, 0):fixed + t + 1]
    if band.size == 0:
        return True
    drawn = band.max(axis=0 if horizontal else 1)
    return float(drawn.mean()) >= cfg["separator_share"]


def _merged_cells(ys: list[int], xs: list[int], horizontal: Any, vertical: Any) -> dict[tuple[int, int], tuple[int, int]]:
    """Grid cell -> top-left cell of the merged cell it belongs to (union over missing rules)."""
    parent = {(i, j): (i, j) for i in range(len(ys) - 1) for j in range(len(xs) - 1)}

    def find(a: tuple[int, int]) -> tuple[int, int]:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for i in range(len(ys) - 1):
        for j in range(len(xs) - 1):
            if j + 1 < len(xs) - 1 and not _inked(vertical, xs[j + 1], ys[i], ys[i + 1], horizontal=False):
                union((i, j), (i, j + 1))
            if i + 1 < len(ys) - 1 and not _inked(horizontal, ys[i + 1], xs[j], xs[j + 1], horizontal=True):
                union((i, j), (i + 1, j))
    return {cell: find(cell) for cell in parent}


def _reread_cells(image: Any, grid: RuledGrid, cells: list[list[list[Box]]], scale: float) -> None:
    """Read again, by recognition alone on the ink of the cell, empty cells that hold ink and cells of one
    low-confidence box (detection cuts lone digits loosely); the higher-scoring reading is kept."""
    if not config()["reread_empty_cells"]:
        return
    ink, horizontal, vertical = _rule_masks(image)
    strokes = ink & ~(horizontal | vertical) & 1
    margin = config()["reread_margin"] + config()["rules"]["max_line_thickness"] // 2
    low = config()["uncertain_below"]
    todo = []
    for r, c in sorted(set(grid.owner.values())):
        if len(cells[r][c]) > 1 or cells[r][c] and cells[r][c][0].confidence >= low:
            continue
        x0, y0, x1, y1 = grid.cell_pixels(r, c)
        x0, y0, x1, y1 = x0 + margin, y0 + margin, x1 - margin, y1 - margin
        if x1 - x0 < 4 or y1 - y0 < 4 or not strokes[y0:y1, x0:x1].any():
            continue  # a blank cell stays blank
        todo.append((r, c, _ink_box(strokes, x0, y0, x1, y1)))
    if not todo:
        return
    crops = [_padded(image[y0:y1, x0:x1]) for _, _, (x0, y0, x1, y1) in todo]
    results, _ = _engine().text_rec(crops)
    min_score = config()["engine"]["text_score"]
    for (r, c, (x0, y0, x1, y1)), (text, score) in zip(todo, results, strict=True):
        if not text.strip() or score < min_score or cells[r][c] and cells[r][c][0].confidence >= score:
            continue  # the reading by detection stays when it scored higher
        cells[r][c] = [Box(text.strip(), x0 / scale, y0 / scale, x1 / scale, y1 / scale, float(score))]


def _ink_box(strokes: Any, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int]:
    """The bounding box of the ink inside a region."""
    import numpy as np

    rows = np.flatnonzero(strokes[y0:y1, x0:x1].any(axis=1))
    cols = np.flatnonzero(strokes[y0:y1, x0:x1].any(axis=0))
    return x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1


def _padded(crop: Any) -> Any:
    """A crop of ink with a white margin around it, as detection would have cut it."""
    import cv2

    pad = max(config()["reread_padding"], crop.shape[0] // 3)
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))


# ---------------------------------------------------------------- lines and unruled tables


def group_lines(boxes: list[Box]) -> list[Line]:
    """Boxes grouped into text lines (vertical overlap), top to bottom, each left to right."""
    share = config()["same_line_overlap"]
    lines: list[Line] = []
    for box in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        for line in reversed(lines[-3:]):
            overlap = min(line.bottom, box.bottom) - max(line.top, box.top)
            if overlap >= share * min(box.height, line.bottom - line.top):
                line.boxes.append(box)
                break
        else:
            lines.append(Line([box]))
    for line in lines:
        line.boxes.sort(key=lambda b: b.x0)
    lines.sort(key=lambda ln: ln.top)
    return lines


def _line_cells(line: Line) -> list[list[Box]]:
    """The boxes of a line grouped into cells: a gap wider than ``gap_heights`` text heights starts a cell."""
    gap = config()["unruled"]["gap_heights"]
    cells: list[list[Box]] = []
    for box in line.boxes:
        if cells and box.x0 - cells[-1][-1].x1 <= gap * max(box.height, cells[-1][-1].height):
            cells[-1].append(box)
        else:
            cells.append([box])
    return cells


def split_unruled_tables(lines: list[Line]) -> tuple[list[Line], list[OcrTable]]:
    """Runs of lines that split into several cells become tables; the other lines stay text."""
    cfg = config()["unruled"]
    text_lines: list[Line] = []
    tables: list[OcrTable] = []
    run: list[Line] = []

    def close() -> None:
        if len(run) >= cfg["min_rows"]:
            tables.append(_unruled_table(run))
        else:
            text_lines.extend(run)
        run.clear()

    for line in lines:
        if len(_line_cells(line)) >= cfg["min_columns"]:
            run.append(line)
        else:
            close()
            text_lines.append(line)
    close()
    text_lines.sort(key=lambda ln: ln.top)
    return text_lines, tables


def _unruled_table(lines: list[Line]) -> OcrTable:
    """Columns are the x ranges of the first widest line (the header); each cell goes to the column it overlaps most."""
    rows = [_line_cells(line) for line in lines]
    header = max(rows, key=len)
    columns = [(min(b.x0 for b in cell), max(b.x1 for b in cell)) for cell in header]
    grid: list[list[list[Box]]] = []
    for row in rows:
        cells: list[list[Box]] = [[] for _ in columns]
        for cell in row:
            x0, x1 = min(b.x0 for b in cell), max(b.x1 for b in cell)
            k = max(range(len(columns)), key=lambda j: (min(x1, columns[j][1]) - max(x0, columns[j][0]),
                                                         -abs((x0 + x1) - sum(columns[j]))))
            cells[k].extend(cell)
        grid.append(cells)
    return OcrTable(lines[0].top, lines[-1].bottom, _fix_numeric_cells(grid))


# ---------------------------------------------------------------- cells


@lru_cache(maxsize=1)
def _numeric() -> tuple[re.Pattern[str], dict[int, str]]:
    cfg = config()
    return re.compile(cfg["numeric_cell"]), str.maketrans(cfg["digit_confusions"])


def is_number(text: str) -> bool:
    """A cell that holds a number alone (digits with . , or %)."""
    return bool(_numeric()[0].match(text))


def fix_digits(text: str) -> str:
    """``text`` with digit confusions replaced when that makes it a number; otherwise unchanged."""
    pattern, table = _numeric()
    if pattern.match(text):
        return text
    fixed = text.replace(" ", "").translate(table)
    return fixed if pattern.match(fixed) else text


def _fix_numeric_cells(grid: list[list[list[Box]]]) -> list[list[list[Box]]]:
    """Cells of one box whose text is a number once digit confusions are fixed get the fixed text."""
    for row in grid:
        for cell in row:
            if len(cell) == 1:
                cell[0].text = fix_digits(cell[0].text)
    return grid


def cell_reading(boxes: list[Box]) -> list[list[Box]]:
    """The boxes of a cell as lines in reading order."""
    return [line.boxes for line in group_lines(boxes)]


# ---------------------------------------------------------------- mentions


def weigh_mentions(doc: Any, mentions: list[Any]) -> None:
    """Mentions read from OCR'd boxes take the lowest score of those boxes as their confidence at most, and
    are ``uncertain`` when it is below ``uncertain_below``."""
    from bisect import bisect_right

    boxes = sorted(doc.meta["ocr"]["boxes"])
    starts = [b[0] for b in boxes]
    low = config()["uncertain_below"]
    for m in mentions:
        if m.start is None or m.end is None:
            continue
        a, b = doc.source_offset(m.start), doc.source_offset(m.end)
        i = bisect_right(starts, b - 1) - 1  # the last box starting before the mention's end
        scores = []
        while i >= 0 and boxes[i][1] > a:  # boxes follow one another in the text: their ends increase too
            scores.append(boxes[i][-1])
            i -= 1
        if scores:
            m.confidence = min(m.confidence, min(scores))
            m.uncertain = m.uncertain or min(scores) < low
