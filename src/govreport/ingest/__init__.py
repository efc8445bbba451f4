"""Report files → Documents: readers per format, encoding detection, tables, provenance.

This module dispatches a file to its reader (``text``, ``html``, ``pdf`` with ``ocr``, ``docx``; bytes decoded
by ``encoding``; what they build and the table layout they share in ``builder``; text-table grids in ``grid``)
and normalises what it returns; ``inputs`` finds the files of a batch and their document ids.

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

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..jsonl import write_jsonl
from ..metadata import find_title, labelled_date, publication_date, tidy_title
from ..normalize import compose_maps, inverse_map, normalize_text
from ..notices import warn
from ..types import Document, Table
from .builder import Extracted, IngestError, RawTable, _config
from .docx import extract_docx
from .html import extract_html
from .pdf import extract_pdf
from .text import extract_plain

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
    to_text = inverse_map(norm_map)
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
    """Title and publication date of a document (metadata's readers); a title the format states (HTML <title>)
    comes first, a labelled date in the page furniture fills in."""
    stated = tidy_title(normalize_text(extracted.title)[0]) if extracted.title else ""
    title = stated or find_title(text)
    published = publication_date(text)
    if published is None and extracted.context:
        # page furniture (HTML header lines) states the date somewhere, labelled
        published = labelled_date(normalize_text(extracted.context)[0])
    return {"title": title, "published": published}


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
            warn(warning)
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
