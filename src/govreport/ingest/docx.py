"""DOCX: python-docx paragraphs and tables in body order (merged cells as spans), with guards against
compression bombs and external entity references.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .builder import (
    Extracted,
    Grid,
    IngestError,
    RawTable,
    _config,
    _GridCell,
    _is_table,
    _layout_grid,
    _render_table,
    _span,
    _string_cell,
    _TextBuilder,
)

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
