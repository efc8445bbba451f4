"""Hostile input files built from scratch (issue 13): what each one holds is known by construction.

Used by tests/test_ingest_hostile.py and by hand to time the readers (see that module's docstring).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx

PARAGRAPH = "全年主动公开政府信息123条，受理申请45件。"


def deep_html(depth: int = 5000) -> str:
    """A report paragraph inside ``depth`` nested <div>s (and as many nested <span>s inside a table cell)."""
    cell = "<span>" * depth + "办结7件" + "</span>" * depth
    return ("<html><body>" + "<div>" * depth + f"<p>{PARAGRAPH}</p>"
            + "<table><tr><td>项目</td><td>数量</td></tr>"
            + f"<tr><td>{cell}</td><td>7</td></tr></table>"
            + "</div>" * depth + "</body></html>")


def spanned_html(rows: int = 400, cols: int = 10, span: int = 50) -> str:
    """A table of ``rows`` × ``cols`` cells that all declare rowspan and colspan ``span``, after a paragraph."""
    cells = "".join(f'<td rowspan="{span}" colspan="{span}">{c}</td>' for c in range(cols))
    body = "".join(f"<tr>{cells}</tr>" for _ in range(rows))
    return f"<html><body><p>{PARAGRAPH}</p><table>{body}</table><p>办结7件。</p></body></html>"


def unclosed_comment_html(size: int = 100_000) -> str:
    """A page whose comment is never closed, followed by ``size`` characters: runs of 2,000 ASCII letters."""
    filler = ("abcdefghij" * 200 + " 受理申请3件。") * (size // 2008 + 1)
    return f"<html><body><p>{PARAGRAPH}</p><!-- {filler[:size]}</body></html>"


def _docx_bytes(word: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _rewrite_part(data: bytes, part: str, rewrite) -> bytes:
    """A DOCX (zip) with one part's XML text rewritten."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == part:
                content = rewrite(content.decode("utf-8")).encode("utf-8")
            dst.writestr(item, content)
    return out.getvalue()


def grid_span_docx(span: int, rows: int = 3) -> bytes:
    """A 3-column table whose first cell of the first data row declares gridSpan ``span``.

    Header 项目 | 本年 | 上年, then rows 规章 r | 1r | 2r; the first data row's first cell carries the span.
    """
    word = docx.Document()
    word.add_paragraph(PARAGRAPH)
    table = word.add_table(rows=rows + 1, cols=3)
    for c, value in enumerate(["项目", "本年", "上年"]):
        table.cell(0, c).text = value
    for r in range(1, rows + 1):
        for c, value in enumerate([f"规章{r}", f"1{r}", f"2{r}"]):
            table.cell(r, c).text = value
    word.add_paragraph("办结7件。")
    data = _docx_bytes(word)
    marker = "<w:t>规章1</w:t>"

    def rewrite(xml: str) -> str:
        cell_start = xml.rfind("<w:tc>", 0, xml.index(marker))
        properties = xml.index("<w:tcPr>", cell_start) + len("<w:tcPr>")
        return xml[:properties] + f'<w:gridSpan w:val="{span}"/>' + xml[properties:]

    return _rewrite_part(data, "word/document.xml", rewrite)


def xxe_docx(secret_path: Path, url: str = "http://127.0.0.1:9/xxe") -> bytes:
    """A DOCX whose document declares external entities (a file, a URL) and an internal one, and uses them.

    The paragraph reads 受理申请&ext;共45件&int;&net;。
    """
    word = docx.Document()
    word.add_paragraph("某市2023年政府信息公开工作年度报告")
    word.add_paragraph("受理申请ENTITY_HERE")
    word.add_paragraph("办结7件。")
    data = _docx_bytes(word)
    doctype = (f'<!DOCTYPE w:document [<!ENTITY ext SYSTEM "{secret_path.as_uri()}">'
               f'<!ENTITY net SYSTEM "{url}"><!ENTITY int "内部实体文字">]>')

    def rewrite(xml: str) -> str:
        xml = re.sub(r"(<\?xml[^>]*\?>\s*)", lambda m: m.group(1) + doctype, xml, count=1)
        return xml.replace("ENTITY_HERE", "&ext;共45件&int;&net;。")

    return _rewrite_part(data, "word/document.xml", rewrite)


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF file of these numbered objects (1 is the catalog), with its cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def text_pdf(content: bytes) -> bytes:
    """A one-page PDF whose page draws ``content`` with Helvetica as /F1 (so text operators make a text layer)."""
    return pdf_bytes([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents 4 0 R "
                       b"/Resources << /Font << /F1 5 0 R >> >> >>"),
                      b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
                      b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def docx_with_body(body_xml: str) -> bytes:
    """A DOCX whose <w:body> content is ``body_xml`` (WordprocessingML, prefix w)."""
    data = _docx_bytes(docx.Document())

    def rewrite(xml: str) -> str:
        start = xml.index("<w:body>") + len("<w:body>")
        end = xml.index("<w:sectPr", start)
        return xml[:start] + body_xml + xml[end:]

    return _rewrite_part(data, "word/document.xml", rewrite)
