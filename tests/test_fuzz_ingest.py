"""Property tests (issue 13, item 6): any bytes in any format are read or refused with IngestError naming the
file, and normalisation keeps its offset map exact on any text.

Budget: the hypothesis profile `ci` in `make test`, `fuzz` with HYPOTHESIS_PROFILE=fuzz (tests/conftest.py).
"""

from __future__ import annotations

import tempfile
import unicodedata
from itertools import pairwise
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from govreport.ingest import IngestError, build_document, extract
from govreport.ingest.builder import _config
from govreport.normalize import map_offset, normalize_text
from govreport.types import Document
from hostile_files import docx_with_body, grid_span_docx, text_pdf

DIGITS = "0123456789"
WIDE_DIGITS = "０１２３４５６７８９"
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff\u00ad\u061c"
MARKS = "\u0301\u0308\u0323\u20dd\u20e3\ufe0f\ufe0e"
REPORT_CHARS = ("受理申请件条个项人次万元亿年月日办结公开政府信息資訊網路設定條萬與為，。、；：（）《》“”%％.．,－-−+＋ 　\t"
                + DIGITS + WIDE_DIGITS + INVISIBLE + MARKS + "\n\r")

report_text = st.text(alphabet=st.one_of(st.sampled_from(REPORT_CHARS), st.characters()), max_size=300)

MARKUP = ["<html>", "<body>", "</body>", "<div>", "</div>", "<p>", "</p>", "<span>", "</span>", "<br>", "<br/>",
          "<table>", "</table>", "<tbody>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "<li>", "<ul>", "<h1>",
          "<title>", "</title>", "<script>", "</script>", "<style>", "<!--", "-->", "<![if !supportLists]>",
          "<![endif]>", "<!DOCTYPE html>", "<?xml version='1.0'?>", "<![CDATA[", "]]>", "&amp;", "&nbsp;", "&#50;",
          "&#xff11;", "&#1114112;", "&#99999999999;", "&bogus;", "&", "<", ">", "\"", "'", "=", "|", " | ",
          "| 项目 | 数量 |\n", "|---|---|\n", "\n", "\r\n", "\x00", "\ufffd"]
span_attribute = st.builds(lambda name, value: f'<td {name}="{value}">', st.sampled_from(["rowspan", "colspan"]),
                           st.one_of(st.integers(-10, 60), st.sampled_from([10**6, 2**63, "x", "", "1e3", " 3 "])))
markup_text = st.lists(st.one_of(st.sampled_from(MARKUP), span_attribute, report_text.map(lambda t: t[:12])),
                       max_size=80).map("".join)
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be"]
encoded = st.builds(lambda text, encoding: text.encode(encoding, "replace"), st.one_of(markup_text, report_text),
                    st.sampled_from(ENCODINGS))
any_bytes = st.one_of(st.binary(max_size=3000), encoded)


def read_or_refuse(name: str, data: bytes, keep_source: bool = False) -> Document | None:
    """The Document of a file holding ``data``, or None when reading raised IngestError naming the file;
    ``keep_source``: the extracted source kept in meta for check_document."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            extracted = extract(path)
            document = build_document(path, extracted)
        except IngestError as e:
            assert name in str(e)
            return None
        assert all(name in warning for warning in document.warnings)
        if keep_source:
            document.meta["source"] = extracted.source
        return document


def check_document(document: Document, source_digits: bool = True) -> None:
    """Offsets of a read document: tables cite their cells, digits map onto the same digit of the source."""
    text = document.text
    for table in document.tables:
        assert 0 <= table.start <= table.end <= len(text)
        assert len(table.rows) * max(map(len, table.rows), default=0) <= _config()["max_table_cells"]
        for row, spans in zip(table.rows, table.cell_offsets, strict=True):
            for cell, span in zip(row, spans, strict=True):
                assert cell == (text[span[0]:span[1]] if span else "")
    if not source_digits:
        return
    source = document.meta.get("source")
    if source is None:
        return
    for i, ch in enumerate(text):
        if ch in DIGITS:
            origin = source[document.source_offset(i)]
            assert origin == "&" or unicodedata.digit(origin, None) == int(ch), (i, ch, origin)


# ---------------------------------------------------------------- ingest, per format


@given(data=any_bytes)
def test_any_bytes_as_text(data):
    for name in ("report.txt", "report.md"):
        document = read_or_refuse(name, data, keep_source=True)
        assert document is not None  # a text file is always readable (bad bytes replaced, with a warning)
        check_document(document)


@given(data=st.one_of(any_bytes, markup_text.map(str.encode)))
def test_any_bytes_as_html(data):
    document = read_or_refuse("page.html", data, keep_source=True)
    if document is not None:
        check_document(document)


def _mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for position, value in flips:
        out[position % len(out)] = value
    return bytes(out[:cut] if cut is not None else out)


flips = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8)
cuts = st.one_of(st.none(), st.integers(0, 5000))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(span=st.integers(-(2**31), 2**31), changes=flips, cut=cuts)
def test_docx_bytes_mutated(span, changes, cut):
    data = _mutate(grid_span_docx(span, rows=2), changes, cut)
    document = read_or_refuse("report.docx", data)
    if document is not None:
        check_document(document, source_digits=False)


cell_xml = st.builds(
    lambda span, merge, text: ("<w:tc><w:tcPr>" + (f'<w:gridSpan w:val="{span}"/>' if span is not None else "")
                               + merge + f"</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"),
    st.one_of(st.none(), st.integers(-5, 10**7)), st.sampled_from(["", "<w:vMerge/>", '<w:vMerge w:val="restart"/>']),
    st.text(alphabet="受理申请件0123456789１２，－", max_size=6))
row_xml = st.builds(lambda before, cells: ("<w:tr>" + (f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>'
                                                        if before is not None else "") + "".join(cells) + "</w:tr>"),
                    st.one_of(st.none(), st.integers(-3, 10**6)), st.lists(cell_xml, max_size=6))
table_xml = st.lists(row_xml, max_size=8).map(lambda rows: "<w:tbl>" + "".join(rows) + "</w:tbl>")


@given(tables=st.lists(table_xml, min_size=1, max_size=3))
def test_docx_tables_with_any_spans_read(tables):
    body = "<w:p><w:r><w:t>全年受理申请12件。</w:t></w:r></w:p>".join(tables)
    document = read_or_refuse("tables.docx", docx_with_body(body))
    assert document is not None  # well-formed tables always read, whatever their spans say
    check_document(document, source_digits=False)


PDF_TOKENS = [b"BT", b"ET", b"/F1 12 Tf", b"/F1 0 Tf", b"/F1 1e30 Tf", b"/F9 12 Tf", b"20 200 Td", b"-1e9 3 Td",
              b"(12) Tj", b"(Received 345 requests) Tj", b"[(1) 200 (2)] TJ", b"T*", b"0 0 1 rg", b"10 10 180 180 re",
              b"f", b"S", b"q", b"Q", b"1 0 0 1 0 0 cm", b"0 0 0 0 0 0 cm", b"((", b")", b"<00ff>", b"/X Do", b"999"]


@given(content=st.lists(st.sampled_from(PDF_TOKENS), max_size=30).map(b"\n".join), changes=flips, cut=cuts)
def test_pdf_bytes_mutated(content, changes, cut):
    data = text_pdf(content)
    document = read_or_refuse("report.pdf", _mutate(data, changes, cut) if changes or cut is not None else data)
    if document is not None:
        check_document(document, source_digits=False)


@given(data=st.binary(max_size=2000).map(lambda b: b"%PDF-1.4\n" + b))
def test_pdf_header_then_any_bytes(data):
    read_or_refuse("random.pdf", data)


# ---------------------------------------------------------------- normalisation


@given(raw=report_text)
@example(raw="\ud800１\u0301２")  # a lone surrogate (found by the fuzz profile: OpenCC refused it)
@example(raw="１，２３４，５６７\u200b，８９０\r\n－\u200f５")
def test_normalised_digits_map_back_onto_the_same_digits(raw):
    text, offset_map, _ = normalize_text(raw)
    positions = [map_offset(offset_map, i) for i in range(len(text) + 1)]
    assert all(0 <= p <= len(raw) for p in positions)
    assert positions == sorted(positions)
    for i, ch in enumerate(text):
        if ch in DIGITS:
            assert unicodedata.digit(raw[positions[i]]) == int(ch), (i, ch, raw[positions[i]])
    assert [int(unicodedata.digit(c)) for c in raw if c in DIGITS + WIDE_DIGITS] == [
        int(c) for c in text if c in DIGITS]  # no digit is lost or made up


@given(raw=report_text)
@example(raw="\ud800１\u0301２")
def test_normalised_text_has_no_format_characters_nor_marks_on_digits(raw):
    text, _, _ = normalize_text(raw)
    assert not any(unicodedata.category(c) == "Cf" for c in text)
    assert not any(a.isdecimal() and unicodedata.category(b) in ("Mn", "Me") for a, b in pairwise(text))
