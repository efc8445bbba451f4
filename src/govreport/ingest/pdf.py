"""PDF: pdfplumber's text lines and ruled tables page by page, wrapped lines joined; pages without a usable
text layer are OCR'd (``ocr``, optional extra) or named in a warning.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..normalize import OffsetMap
from .builder import (
    _ASCII_ALNUM,
    Extracted,
    IngestError,
    Piece,
    RawTable,
    _config,
    _is_table,
    _join_lines,
    _pattern,
    _render_table,
    _string_cell,
    _TextBuilder,
)

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
