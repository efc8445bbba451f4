"""Ingestion: every corpus file reads, tables come out as cells, offsets cite the source, bad input is survived."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import docx
import opencc
import pytest
import srsly
from typer.testing import CliRunner

from govreport.cli import app
from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR
from govreport.ingest import (
    IngestError,
    extract,
    ingest_paths,
    ingest_to_dir,
    iter_report_files,
    read_document,
)
from govreport.ingest.encoding import decode_bytes
from govreport.notices import GovreportWarning
from govreport.types import Document
from hostile_files import pdf_bytes

REPORT_SUFFIXES = {".txt", ".md", ".html", ".pdf", ".docx"}
CORPUS_FILES = list(iter_report_files([CORPUS_DIR, SHARED_CORPUS_DIR]))
DIGITS = re.compile(r"\d+")


@cache
def ingested(path: Path) -> Document:
    return read_document(path)


def numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"\d+", cell))


# ---------------------------------------------------------------- the corpora


def test_walker_finds_every_report_and_skips_data_files(shared_corpus_dir):
    found = set(iter_report_files([shared_corpus_dir]))
    reports = {p for p in shared_corpus_dir.rglob("*") if p.suffix in REPORT_SUFFIXES and not p.name.startswith("README")}
    assert found == reports
    assert shared_corpus_dir / "manifest.jsonl" not in found
    assert not any(p.suffix == ".json" for p in found)
    assert len([p for p in CORPUS_FILES if p.parent == CORPUS_DIR]) == 5


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_file_ingests(path):
    document = ingested(path)
    assert document.warnings == []
    assert document.doc == path.stem
    assert document.text.strip()
    assert document.meta["n_chars"] == len(document.text)
    for table in document.tables:
        assert len(table.rows) == len(table.cell_offsets) >= 2
        for row, spans in zip(table.rows, table.cell_offsets):
            assert len(row) == len(spans)
            for cell, span in zip(row, spans):
                if span is None:
                    assert cell == ""
                else:
                    assert document.text[span[0]:span[1]] == cell
                    assert table.start <= span[0] <= span[1] <= table.end


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_offset_map_cites_the_source_figures(path):
    """Every digit of the normalised text maps onto the same digit of the source (PDF/DOCX: the extracted text)."""
    document = ingested(path)
    source = extract(path).source
    checked = 0
    for match in DIGITS.finditer(document.text):
        for i in range(match.start(), match.end()):
            j = document.source_offset(i)
            assert unicodedata.normalize("NFKC", source[j]) == document.text[i], (i, j)
            checked += 1
    assert checked or path.suffix == ".docx"  # the blank template has no figures


def test_json_line_round_trip():
    document = ingested(SHARED_CORPUS_DIR / "jiangsu_huaian_city_2024.pdf")
    restored = Document.from_dict(json.loads(json.dumps(document.to_dict(), ensure_ascii=False)))
    assert restored == document


def test_meta_agrees_with_the_bundled_manifest(corpus_dir):
    for entry in srsly.read_jsonl(corpus_dir / "manifest.jsonl"):
        meta = ingested(corpus_dir / entry["file"]).meta
        assert meta["published"] == entry["published"], entry["doc"]
        text = ingested(corpus_dir / entry["file"]).text
        if entry["title"] in text.replace(" ", ""):
            assert meta["title"] == entry["title"]
        assert meta["traditional"] == (entry["script"] == "traditional")


def test_titles_of_the_shared_corpus(shared_corpus_dir):
    checked = 0
    for entry in srsly.read_jsonl(shared_corpus_dir / "manifest.jsonl"):
        document = ingested(shared_corpus_dir / entry["file"])
        if entry["title"] in re.sub(r"\s", "", document.text):
            assert document.meta["title"] == entry["title"], entry["file"]
            checked += 1
    assert checked >= 15


# ---------------------------------------------------------------- traditional script


def test_traditional_seed_comes_out_simplified_with_figures_unchanged(corpus_dir):
    path = corpus_dir / "003_78b9ceb0a6821668.txt"
    raw = path.read_text(encoding="utf-8")
    document = ingested(path)
    assert document.meta["traditional"] is True
    assert opencc.OpenCC("t2s").convert(document.text) == document.text
    assert "發布信息24.8萬條" in raw and "发布信息24.8万条" in document.text
    assert DIGITS.findall(unicodedata.normalize("NFKC", raw)) == DIGITS.findall(document.text)
    assert document.meta["title"] == "合肥市人民政府2012年政府信息公开工作年度报告"


# ---------------------------------------------------------------- tables


def test_huaian_pdf_tables_are_rows_of_cells():
    document = ingested(SHARED_CORPUS_DIR / "jiangsu_huaian_city_2024.pdf")
    assert all(t.source == "pdf" for t in document.tables)
    applicants = [t for t in document.tables if any("自然人" in c for row in t.rows for c in row)
                  and any("总计" in c for row in t.rows for c in row)]
    assert len(applicants) == 1
    table = applicants[0]
    width = len(table.rows[0])
    assert width >= 9 and all(len(row) == width for row in table.rows)
    # each data row: six applicant columns add up to the total column (the form's own arithmetic)
    data_rows = [row for row in table.rows if sum(map(numeric, row)) == 7]
    assert len(data_rows) >= 10
    for row in data_rows:
        figures = [int(c) for c in row if numeric(c)]
        assert sum(figures[:6]) == figures[6]
    # the review/litigation table: three groups of four results and their total
    review = [row for t in document.tables for row in t.rows if sum(map(numeric, row)) == 15]
    assert len(review) == 1
    figures = list(map(int, review[0]))
    for group in (figures[0:5], figures[5:10], figures[10:15]):
        assert sum(group[:4]) == group[4]


def test_pdf_table_text_is_not_duplicated_by_the_page_text():
    document = ingested(SHARED_CORPUS_DIR / "jiangsu_huaian_city_2024.pdf")
    in_cells = sum(c == "自然人" for t in document.tables for row in t.rows for c in row)
    assert in_cells >= 1 and document.text.count("自然人") == in_cells
    # text bands and tables are interleaved in page order
    starts = [t.start for t in document.tables]
    assert starts == sorted(starts)
    assert all(a.end < b.start for a, b in zip(document.tables, document.tables[1:]))


def test_pipe_table_of_seed_001(corpus_dir):
    document = ingested(corpus_dir / "001_9aef50f578a0bdd8.txt")
    assert len(document.tables) == 1
    table = document.tables[0]
    assert table.source == "pipe"
    assert table.rows[0] == ["统 计 指 标", "单位", "统计数"]
    assert all(len(row) == 3 for row in table.rows)
    assert ["(一)主动公开政府信息数 (不同渠道和方式公开相同信息计1条)", "条", "135000"] in table.rows
    assert ["(三)接受培训人员数", "人次", "300"] == table.rows[-1]


def test_markdown_separator_rows_are_not_rows(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("某县2020年政府信息公开工作年度报告\n\n| 信息内容 | 本年新制作数量 |\n|---|:--:|\n| 规章 | 3 |\n| 规范性文件 | 12 |\n\n正文。\n",
                    encoding="utf-8")
    document = read_document(path)
    assert [t.rows for t in document.tables] == [[["信息内容", "本年新制作数量"], ["规章", "3"], ["规范性文件", "12"]]]
    assert document.meta["title"] == "某县2020年政府信息公开工作年度报告"


def test_docx_template_tables_in_body_order(shared_corpus_dir):
    document = ingested(shared_corpus_dir / "templates" / "v2021_template.docx")
    assert [len(t.rows[0]) for t in document.tables] == [4, 10, 15]
    assert [len(t.rows) for t in document.tables][1] == 28
    # merged header cells are said once, '' where the merge continues
    cells = [c for t in document.tables for row in t.rows for c in row]
    assert cells.count("申请人情况") == 1 and cells.count("行政复议") == 1
    # each table sits between the section headings around it
    for heading, table in zip(["二、", "三、", "四、"], document.tables):
        assert document.text.rfind("\n" + heading, 0, table.start) >= 0
    assert document.text.find("\n五、") >= document.tables[-1].end


def test_docx_paragraphs_and_merged_cells(tmp_path):
    path = tmp_path / "small.docx"
    word = docx.Document()
    word.add_paragraph("某市2023年政府信息公开工作年度报告")
    word.add_paragraph("二〇二四年一月十五日")
    table = word.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "第二十条第（一）项"
    for r, values in enumerate([["信息内容", "本年制发件数", "现行有效件数"], ["规章", "２", "１７"]], start=1):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    word.add_paragraph("全年收到申请12件。")
    word.save(path)
    document = read_document(path)
    assert document.tables[0].rows == [["第二十条第（一）项", "", ""], ["信息内容", "本年制发件数", "现行有效件数"],
                                       ["规章", "2", "17"]]
    assert document.text.index("年度报告") < document.tables[0].start < document.tables[0].end < document.text.index("12件")
    assert document.meta == {**document.meta, "title": "某市2023年政府信息公开工作年度报告", "published": "2024-01-15"}


# ---------------------------------------------------------------- html

PAGE = """<!DOCTYPE html><html><head><title>某县2021年政府信息公开工作年度报告_年报_某县人民政府</title>
<style>p { color: red }</style><script>var x = "导航脚本文字不应出现";</script></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a>政务公开</a><p>网站导航栏目链接</p><span>时间：2022-01-20 09:00</span></div>
<div class="main"><div class="content">
<p>某县2021年政府信息公开工作年度报告</p>
<p>全年主动公开政府信息1&#50;3条，<!--[if !supportLists]-->其中&ldquo;规范性文件&rdquo;&nbsp;5件。</p>
<p>依申请公开办理<span>4</span><span>5</span>件，均按时答复。</p>
<table><tr><td rowspan="2">信息内容</td><td colspan="2">本年情况</td></tr>
<tr><td>制发</td><td>废止</td></tr>
<tr><td><p>规章</p></td><td>1</td><td>0</td></tr></table>
<p>本报告所列数据统计期限自2021年1月1日起至12月31日止。</p>
</div></div><div class="footer"><p>主办单位：某县人民政府办公室</p></div></body></html>"""


def test_html_article_tables_and_offsets(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    document = read_document(path)
    text = document.text
    assert "导航" not in text and "主办单位" not in text and "color" not in text and "supportLists" not in text
    assert "全年主动公开政府信息123条，其中“规范性文件” 5件。" in text
    assert "依申请公开办理45件" in text
    assert document.meta["title"] == "某县2021年政府信息公开工作年度报告"
    assert document.meta["published"] == "2022-01-20"  # from the page header around the article
    (table,) = document.tables
    assert table.rows == [["信息内容", "本年情况", ""], ["", "制发", "废止"], ["规章", "1", "0"]]
    # every character, entities included, maps back onto the HTML it came from
    for figure in ("45", "5件"):
        i = text.index(figure)
        assert [PAGE[document.source_offset(k)] for k in range(i, i + len(figure))] == list(figure)
    i = text.index("123")
    assert PAGE[document.source_offset(i + 1):].startswith("&#50;")
    assert PAGE[document.source_offset(text.index("“"))].startswith("&")
    cell = table.cell_offsets[2][1]
    assert PAGE[document.source_offset(cell[0])] == "1"


def test_pingtan_web_pages_match_their_text_versions(shared_corpus_dir):
    for name in ("fujian_pingtan_zone_2016", "fujian_pingtan_zone_2020"):
        page = ingested(shared_corpus_dir / f"{name}_web.html")
        plain = ingested(shared_corpus_dir / f"{name}.txt")
        assert page.meta["title"] == plain.meta["title"]
        assert page.meta["published"] == plain.meta["published"]
        assert page.tables and all(t.source == "html" for t in page.tables)
        # the article is kept, the page around it is not: a fraction of the HTML string
        assert len(page.text) < len(extract(page.path).source) / 10
        # the article's running text (tables aside) carries the same figures as the text version
        prose = page.text[: page.tables[0].start] + "".join(
            page.text[a.end:b.start] for a, b in zip(page.tables, page.tables[1:])) + page.text[page.tables[-1].end:]
        assert len(DIGITS.findall(prose)) > 50
        assert set(DIGITS.findall(prose)) <= set(DIGITS.findall(plain.text))


# ---------------------------------------------------------------- encodings and dates


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_text_encodings(tmp_path, corpus_dir, encoding):
    raw = (corpus_dir / "000_cb4fdcd10949854b.txt").read_text(encoding="utf-8")
    path = tmp_path / "seed.txt"
    path.write_bytes(raw.encode(encoding))
    document = read_document(path)
    assert document.warnings == []
    assert document.text == ingested(corpus_dir / "000_cb4fdcd10949854b.txt").text


def test_decode_prefers_utf8_with_a_stray_byte(corpus_dir):
    data = (corpus_dir / "000_cb4fdcd10949854b.txt").read_bytes()
    text, encoding, warnings = decode_bytes(data[:60] + b"\xff" + data[60:], "x.txt")
    assert encoding == "utf-8" and len(warnings) == 1 and "x.txt" in warnings[0]
    assert text.startswith("咸宁市2016年")


# ---------------------------------------------------------------- bad input


def minimal_pdf(content: bytes) -> bytes:
    """A one-page PDF whose page draws ``content`` (no fonts, so no text layer)."""
    return pdf_bytes([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
                      b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)])


@pytest.fixture
def bad_batch(tmp_path, corpus_dir) -> tuple[Path, dict[str, str]]:
    """A folder with one good report and one file of each kind of bad input (name -> expected warning)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_bytes((corpus_dir / "004_1b79cd5621e28327.txt").read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.xyz").write_text("某县年度报告", encoding="utf-8")
    (folder / "scanned.pdf").write_bytes(minimal_pdf(b"0 0 1 rg 10 10 180 180 re f"))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf at all")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not a zip archive")
    (folder / "nobody.html").write_text("<html><head><title>某县年报</title><script>var a=1;</script></head><body>"
                                        "<div> </div></body></html>", encoding="utf-8")
    (folder / "mojibake.txt").write_bytes("全年公开信息12条。".encode() + b"\xff\xfe\x80" + "办结3件。".encode())
    expected = {"empty.txt": "empty file", "notes.xyz": "unsupported file type", "scanned.pdf": "no text layer",
                "broken.pdf": "cannot read PDF", "broken.docx": "cannot read DOCX", "nobody.html": "no body text",
                "mojibake.txt": "undecodable"}
    return folder, expected


def test_each_bad_input_warns_and_the_batch_goes_on(bad_batch, tmp_path):
    folder, expected = bad_batch
    out = tmp_path / "out"
    with pytest.warns(GovreportWarning) as warned:
        assert ingest_to_dir([folder], out) == 2  # good.txt and mojibake.txt (with its bad bytes replaced)
    documents = {d["doc"]: Document.from_dict(d) for d in srsly.read_jsonl(out / "documents.jsonl")}
    assert set(documents) == {"good", "mojibake"}
    assert documents["good"].warnings == [] and documents["good"].meta["title"].startswith("临沧市")
    assert "12条" in documents["mojibake"].text and "办结3件" in documents["mojibake"].text
    warnings = list(srsly.read_jsonl(out / "warnings.jsonl"))
    stderr = "\n".join(str(w.message) for w in warned)
    for name, what in expected.items():
        mine = [w["warning"] for w in warnings if Path(w["path"]).name == name and "document id" not in w["warning"]]
        assert len(mine) == 1 and name in mine[0] and what in mine[0], (name, mine)
        assert any(name in line and what in line for line in stderr.splitlines()), name
    # and broken.pdf is told that its id 'broken' went to broken.docx
    (renamed,) = [w for w in warnings if "document id" in w["warning"]]
    assert renamed["doc"] == "broken.pdf" and Path(renamed["path"]).name == "broken.pdf"
    assert len(warnings) == len(expected) + 1


def test_read_document_raises_naming_the_file(bad_batch):
    folder, _ = bad_batch
    for name in ("broken.pdf", "broken.docx", "notes.xyz"):
        with pytest.raises(IngestError, match=re.escape(name)):
            read_document(folder / name)
    with pytest.raises(IngestError, match="no such file"):
        read_document(folder / "missing.txt")


def test_ingest_paths_yields_empty_documents_for_bad_files(bad_batch):
    folder, expected = bad_batch
    documents = {Path(d.path).name: d for d in ingest_paths([folder])}
    assert set(documents) == set(expected) | {"good.txt"}
    for name in set(expected) - {"mojibake.txt"}:
        reading = [w for w in documents[name].warnings if "document id" not in w]
        assert documents[name].text == "" and len(reading) == 1


def test_cli_exit_code_only_fails_when_nothing_was_read(bad_batch, tmp_path):
    folder, _ = bad_batch
    runner = CliRunner()
    ok = runner.invoke(app, ["ingest", str(folder), "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0
    assert len(list(srsly.read_jsonl(tmp_path / "a" / "documents.jsonl"))) == 2
    bad_only = [str(folder / n) for n in ("empty.txt", "scanned.pdf", "broken.docx", "nobody.html", "notes.xyz")]
    failed = runner.invoke(app, ["ingest", *bad_only, "--out", str(tmp_path / "b")])
    assert failed.exit_code == 1
    assert not (tmp_path / "b" / "documents.jsonl").exists()  # a run that reads nothing publishes nothing
    before = (tmp_path / "a" / "documents.jsonl").read_bytes()
    assert runner.invoke(app, ["ingest", *bad_only, "--out", str(tmp_path / "a")]).exit_code == 1
    assert (tmp_path / "a" / "documents.jsonl").read_bytes() == before  # nor replaces what an earlier run read
