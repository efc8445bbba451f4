"""OCR of image-only PDFs (issue 19): pages of a real report rendered to images and put back together as a
PDF without a text layer must give the table values its text layer gives.

The OCR tests need the optional extra (`pip install 'govreport[ocr]'`, which `make install` adds) and
skip with that message without it. OCR takes seconds per page on 2 cores: the end-to-end test reads two
pages; whole-document figures come from `govreport bench` (bench.json, "ocr").
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest

from govreport.ingest import ocr, read_document

REPORT = "jiangsu_huaian_city_2024.pdf"
PAGES = [2, 3]  # 0-based: the 主动公开 tables and the first half of the 依申请 table
NEEDS_OCR = pytest.mark.skipif(not ocr.ocr_available(),
                               reason="OCR extra missing: pip install 'govreport[ocr]' (make install adds it)")


def _report(shared_corpus_dir: Path) -> Path:
    path = shared_corpus_dir / REPORT
    if not path.exists():
        pytest.skip(f"{path} missing (../shared/corpus is read at run time)")
    return path


def _subset(src: Path, pages: list[int], out: Path, as_images: bool) -> Path:
    """The given pages of a PDF: copied as they are, or rendered to images and rebuilt without text."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    if as_images:
        scale = 2.0
        images = [pdf[i].render(scale=scale).to_pil().convert("RGB") for i in pages]
        images[0].save(out, save_all=True, append_images=images[1:], resolution=72 * scale)
    else:
        new = pdfium.PdfDocument.new()
        new.import_pages(pdf, pages)
        new.save(str(out))
    return out


def _numeric_cells(doc) -> list[str]:
    return [cell for table in doc.tables for row in table.rows for cell in row if ocr.is_number(cell)]


@pytest.fixture(scope="module")
def image_and_text(tmp_path_factory, shared_corpus_dir):
    src = _report(shared_corpus_dir)
    tmp = tmp_path_factory.mktemp("ocr")
    return (_subset(src, PAGES, tmp / "scan.pdf", as_images=True),
            _subset(src, PAGES, tmp / "text.pdf", as_images=False))


# ---------------------------------------------------------------- without the engine


def test_digit_confusions_fixed_only_in_numbers():
    assert ocr.fix_digits("1O5") == "105"
    assert ocr.fix_digits("l2") == "12"
    assert ocr.fix_digits("96171。6") == "96171.6"
    assert ocr.fix_digits("O") == "0"
    assert ocr.fix_digits("Other") == "Other"  # a word stays a word
    assert ocr.fix_digits("行政许可") == "行政许可"
    assert ocr.fix_digits("1.属于国家秘密") == "1.属于国家秘密"


def test_unusable_text_layer_detected():
    garbled = [{"text": "(cid:1234)"}] * 8 + [{"text": "年"}] * 2
    private = [{"text": "\ue123"}] * 6 + [{"text": "1"}] * 4
    plain = [{"text": ch} for ch in "本年新收政府信息公开申请数量"]
    assert ocr.needs_ocr(garbled) and ocr.needs_ocr(private) and ocr.needs_ocr([])
    assert not ocr.needs_ocr(plain)


def _grid_image(merge_top_row: bool):
    """A white page with a 3x3 ruled grid (rows 100-160-220-280, columns 100-250-400-550)."""
    import numpy as np

    img = np.full((400, 700, 3), 255, dtype="uint8")
    for y in (100, 160, 220, 280):
        img[y:y + 2, 100:552] = 0
    for x in (100, 250, 400, 550):
        img[100:282, x:x + 2] = 0
    if merge_top_row:  # no rule between the top row's 2nd and 3rd cells
        img[102:160, 400:402] = 255
    return img


def test_ruled_grid_and_merged_cells_from_the_image():
    grids = ocr.find_ruled_grids(_grid_image(merge_top_row=True))
    assert len(grids) == 1
    grid = grids[0]
    assert len(grid.ys) == 4 and len(grid.xs) == 4
    assert grid.owner[(0, 2)] == (0, 1)  # merged: its text belongs to the top-left cell
    assert grid.owner[(1, 2)] == (1, 2)
    plain = ocr.find_ruled_grids(_grid_image(merge_top_row=False))[0]
    assert plain.owner[(0, 2)] == (0, 2)


def test_boxes_go_to_the_cell_of_their_centre():
    grid = ocr.find_ruled_grids(_grid_image(merge_top_row=True))[0]
    scale = 2.0  # boxes are in points, the image in pixels

    def box(text, x, y):
        return ocr.Box(text, (x - 20) / scale, (y - 10) / scale, (x + 20) / scale, (y + 10) / scale, 0.99)

    cells, outside = grid.assign([box("a", 170, 130), box("b", 470, 130), box("c", 470, 250), box("x", 600, 50)],
                                 scale)
    assert [[b.text for b in c] for c in cells[0]] == [["a"], ["b"], []]  # b sits in the merged cell
    assert [b.text for b in cells[2][2]] == ["c"]
    assert [b.text for b in outside] == ["x"]


def test_unruled_table_columns_from_the_header():
    def box(text, x0, top):
        return ocr.Box(text, x0, top, x0 + 10 * len(text), top + 10, 0.95)

    lines = ocr.group_lines([
        box("正文一段话", 10, 0),
        box("信息内容", 10, 20), box("本年新增", 100, 20), box("本年废止", 200, 20), box("现行有效", 300, 20),
        box("规章", 10, 40), box("3", 120, 40), box("12", 310, 40),  # a blank cell under 本年废止
        box("规范性文件", 10, 60), box("1", 115, 60), box("2", 215, 60), box("5", 320, 60),
    ])
    text_lines, tables = ocr.split_unruled_tables(lines)
    assert [ln.boxes[0].text for ln in text_lines] == ["正文一段话"]
    assert len(tables) == 1
    rows = [[" ".join(b.text for b in cell) for cell in row] for row in tables[0].cells]
    assert rows[1] == ["规章", "3", "", "12"]  # the blank cell stays blank, 12 keeps its column
    assert rows[2] == ["规范性文件", "1", "2", "5"]


def test_scan_without_ocr_names_the_file_and_the_extra(image_and_text, monkeypatch):
    scan, _ = image_and_text
    monkeypatch.setattr("govreport.ingest.pdf._ocr_ready", lambda: False)
    doc = read_document(scan)
    assert not doc.text.strip()
    assert len(doc.warnings) == 1
    assert str(scan) in doc.warnings[0] and "govreport[ocr]" in doc.warnings[0] and "pages 1, 2" in doc.warnings[0]


def test_pages_with_text_keep_it(image_and_text):
    _, text_pdf = image_and_text
    doc = read_document(text_pdf)
    assert "ocr" not in doc.meta and not doc.warnings


# ---------------------------------------------------------------- with the engine


@pytest.fixture(scope="module")
def ocr_doc(image_and_text):
    if not ocr.ocr_available():
        pytest.skip("OCR extra missing: pip install 'govreport[ocr]' (make install adds it)")
    scan, _ = image_and_text
    return read_document(scan)


@NEEDS_OCR
def test_scanned_tables_match_the_text_layer(ocr_doc, image_and_text):
    """Cell accuracy: the numbers of the OCR'd tables against the same pages' text-layer tables, in order."""
    _, text_pdf = image_and_text
    expected, got = _numeric_cells(read_document(text_pdf)), _numeric_cells(ocr_doc)
    matcher = SequenceMatcher(a=expected, b=got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    accuracy = matched / len(expected)
    print(f"OCR cell accuracy {accuracy:.3f} ({matched}/{len(expected)} numeric cells, {len(got)} read)")
    assert len(expected) > 60
    assert accuracy >= 0.98
    assert len(got) <= len(expected) + 2  # no invented cells


@NEEDS_OCR
def test_ocr_pages_and_boxes_recorded(ocr_doc):
    meta = ocr_doc.meta["ocr"]
    assert meta["pages"] == [1, 2]
    assert any("read by OCR" in w and "pages 1, 2" in w for w in ocr_doc.warnings)
    table = max(ocr_doc.tables, key=lambda t: len(t.rows))
    # a table cell's offsets point at the page and box it was read from
    start, _ = next(span for row in table.cell_offsets for span in row if span)
    src = ocr_doc.source_offset(start)
    hits = [b for b in meta["boxes"] if b[0] <= src < b[1]]
    assert len(hits) == 1
    _, _, page, x0, top, x1, bottom, confidence = hits[0]
    assert page in (1, 2) and 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842 and 0 < confidence <= 1


@NEEDS_OCR
def test_ocr_values_carry_confidence(ocr_doc, image_and_text):
    """Table values of the scan equal the text layer's (as records), each with the OCR score as its confidence."""
    from govreport.extract.reports import Extractor

    _, text_pdf = image_and_text
    extractor = Extractor(use_model=False, with_tasks=False)
    scanned = extractor.extract(ocr_doc)
    text = extractor(text_pdf)
    want = {(r["indicator"], r["value"]) for r in text.records if r["source"] == "table"}
    got = {(r["indicator"], r["value"]) for r in scanned.records if r["source"] == "table"}
    assert len(want) > 30
    assert len(want & got) >= 0.97 * len(want)
    assert not {i for i, _ in got} - {i for i, _ in want}  # nothing the text layer does not have
    table = [m for m in scanned.mentions if m["source"] == "table"]
    assert table and all(0 < m["confidence"] <= 1 for m in table)
    assert any(m["confidence"] < 1 for m in table)  # the scores came from OCR, not the table default
    low = ocr.config()["uncertain_below"]
    assert all(m["uncertain"] for m in table if m["confidence"] < low)
    assert scanned.document["ocr_pages"] == [1, 2]


# ---------------------------------------------------------------- wrapped lines in PDF text (issue 12, item 4)


def test_wrapped_pdf_lines_joined_with_offsets_into_the_source(shared_corpus_dir, monkeypatch):
    """Line breaks inside a wrapped paragraph go; headings, titles and table rows keep theirs; every character
    of the text still maps to the same character of the extracted source."""
    from govreport import ingest

    path = _report(shared_corpus_dir)
    monkeypatch.setitem(ingest._config()["pdf"]["wrap"], "join", False)
    before = read_document(path)
    monkeypatch.setitem(ingest._config()["pdf"]["wrap"], "join", True)
    extracted = ingest.extract(path)
    after = ingest.build_document(path, extracted)
    assert after.text.count("\n") < 0.7 * before.text.count("\n")
    assert [t.rows for t in after.tables] == [t.rows for t in before.tables]
    assert all(after.text[i] == extracted.source[after.source_offset(i)] for i in range(len(after.text))
               if not after.text[i].isspace())
    lines = after.text.split("\n")
    # every heading of the report's six parts still starts its own line
    assert sum(1 for ln in lines if ln[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")) >= 6
    # a paragraph is one line: the second section of part one is a single line
    first = next(ln for ln in lines if ln.startswith("（二）"))
    assert first.endswith("。") and len(first) > 150


def _wrapped_report(folder: Path) -> tuple[Path, list[str]]:
    """A DOCX of headings, indented paragraphs (an indicator phrase somewhere inside each) and numbered
    items, made into a PDF by LibreOffice: its lines wrap wherever the layout puts them."""
    import random
    import shutil
    import subprocess

    import docx
    from docx.shared import Pt

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice missing: apt-get install libreoffice-writer-nogui fonts-wqy-zenhei")
    rng = random.Random(19)
    words = "本机关按照有关规定认真做好政府信息公开工作并持续完善相关制度和工作机制"
    document, paragraphs = docx.Document(), []
    for k in range(6):
        body = "".join(rng.choice(words) for _ in range(rng.randint(30, 90)))
        body += f"全年共受理政府信息公开申请{rng.randint(1, 5000)}件" + "".join(rng.choice(words) for _ in range(40)) + "。"
        for text, indent in ((f"{'一二三四五六'[k]}、第{k + 1}部分", False), (body, True), (f"{k + 1}.办结{k}件。", False)):
            paragraph = document.add_paragraph(text)
            if indent:
                paragraph.paragraph_format.first_line_indent = Pt(28)
            for run in paragraph.runs:
                run.font.size = Pt(14)
            paragraphs.append(text)
    document.save(folder / "wrapped.docx")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(folder / "wrapped.docx")],
                   check=True, capture_output=True, timeout=180)
    return folder / "wrapped.pdf", paragraphs


def test_wrapped_lines_of_a_generated_pdf_join_into_its_paragraphs(tmp_path, monkeypatch):
    from govreport import ingest

    pdf, paragraphs = _wrapped_report(tmp_path)
    if not ingest.extract(pdf).source.strip():
        pytest.skip("LibreOffice wrote no text layer (no CJK font: apt-get install fonts-wqy-zenhei)")
    monkeypatch.setitem(ingest._config()["pdf"]["wrap"], "join", False)
    wrapped = read_document(pdf).text.strip().split("\n")
    assert len(wrapped) > len(paragraphs)  # the paragraphs do wrap
    monkeypatch.setitem(ingest._config()["pdf"]["wrap"], "join", True)
    assert read_document(pdf).text.strip().split("\n") == paragraphs


def test_gold_moves_between_readings_through_the_source(shared_corpus_dir, monkeypatch):
    """The stand-off gold of a PDF carried to the reading with line breaks kept: every span and relation keeps
    its text (line breaks aside), so a change of reading never loses an annotation silently."""
    import json

    from govreport import ingest
    from govreport.annotate.reanchor import move_records
    from govreport.annotate.standoff import join_standoff
    from govreport.config import PROJECT_ROOT

    path = _report(shared_corpus_dir)
    joined = read_document(path)
    monkeypatch.setitem(ingest._config()["pdf"]["wrap"], "join", False)
    kept = read_document(path)
    gold = PROJECT_ROOT / "annotations" / "gold" / f"{path.stem}.jsonl"
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    moved, problems = move_records(records, joined.text, joined.offset_map, kept.text, kept.offset_map)
    assert not problems

    def texts(recs, doc):
        out = []
        for rec in recs:
            task = join_standoff(rec, doc)  # raises when a paragraph hash does not match
            out += [(s["label"], task["text"][s["start"]:s["end"]].replace("\n", "")) for s in task["spans"]]
            out += [(r.get("indicator") or "", task["text"][r["head_span"]["start"]:r["head_span"]["end"]].replace("\n", ""))
                    for r in task["relations"]]
        return sorted(out)

    assert texts(moved, kept) == texts(records, joined)
    assert len(texts(records, joined)) > 50


def test_reanchor_command_carries_gold_to_todays_reading(shared_corpus_dir, monkeypatch, tmp_path):
    """`govreport annotate reanchor`: gold made on yesterday's reading (PDF line breaks kept), with yesterday's
    readings from `govreport ingest`, comes back onto today's reading (lines joined) exactly as it was; records
    made on another reading than the one given are refused, naming the document."""
    import json

    from typer.testing import CliRunner

    from govreport import ingest
    from govreport.annotate.reanchor import move_records
    from govreport.cli import app
    from govreport.config import PROJECT_ROOT

    path = _report(shared_corpus_dir)
    gold = PROJECT_ROOT / "annotations" / "gold" / f"{path.stem}.jsonl"
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    joined = read_document(path)
    monkeypatch.setitem(ingest._config()["pdf"]["wrap"], "join", False)
    kept = read_document(path)
    ingest.ingest_to_dir([path], tmp_path / "before")
    monkeypatch.setitem(ingest._config()["pdf"]["wrap"], "join", True)
    old_gold, _ = move_records(records, joined.text, joined.offset_map, kept.text, kept.offset_map)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / gold.name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in old_gold),
                                              encoding="utf-8")

    runner = CliRunner()
    result = runner.invoke(app, ["annotate", "reanchor", str(tmp_path / "old"), "--before",
                                 str(tmp_path / "before" / "documents.jsonl"), "--out", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    moved = [json.loads(line) for line in (tmp_path / "new" / gold.name).read_text(encoding="utf-8").splitlines()]
    assert moved == records  # every span, relation, id and hash as the gold has them

    # the gold itself was not made on the kept-lines reading: refused, nothing written
    result = runner.invoke(app, ["annotate", "reanchor", str(gold), "--before",
                                 str(tmp_path / "before" / "documents.jsonl"), "--out", str(tmp_path / "wrong")])
    assert result.exit_code == 1 and path.stem in result.output and "not moved" in result.output
    assert not (tmp_path / "wrong" / gold.name).exists()


def _fake_page(image, number, scale=None):
    box = ocr.Box("甲乙丙", 100, 100, 160, 112, 0.91)
    return ocr.OcrPage(number, lines=[ocr.Line([box])])


def test_only_pages_without_text_are_ocrd(image_and_text, tmp_path, monkeypatch):
    """A PDF whose first page has a text layer and second is an image: the first keeps its text, the second
    alone goes to OCR, with its box recorded (page, position, score)."""
    import pypdfium2 as pdfium

    scan, text_pdf = image_and_text
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(text_pdf)), [0])
    mixed.import_pages(pdfium.PdfDocument(str(scan)), [1])
    mixed.save(str(tmp_path / "mixed.pdf"))
    monkeypatch.setattr("govreport.ingest.pdf._ocr_ready", lambda: True)
    monkeypatch.setattr(ocr, "read_page", _fake_page)
    doc = read_document(tmp_path / "mixed.pdf")
    text_only = read_document(_subset(text_pdf, [0], tmp_path / "first.pdf", as_images=False))
    assert doc.text.startswith(text_only.text.rstrip("\n"))
    assert doc.text.rstrip().endswith("甲乙丙")
    assert doc.meta["ocr"]["pages"] == [2]
    (start, end, page, x0, top, x1, bottom, score), = doc.meta["ocr"]["boxes"]
    assert (page, x0, top, x1, bottom, score) == (2, 100, 100, 160, 112, 0.91)
    assert doc.text[doc.text.index("甲乙丙"):][:3] == "甲乙丙" and end - start == 3


def test_a_page_ocr_cannot_read_costs_that_page_only(image_and_text, monkeypatch):
    scan, _ = image_and_text

    def broken(image, number, scale=None):
        if number == 1:
            raise RuntimeError("bad page")
        return _fake_page(image, number, scale)

    monkeypatch.setattr("govreport.ingest.pdf._ocr_ready", lambda: True)
    monkeypatch.setattr(ocr, "read_page", broken)
    doc = read_document(scan)
    assert doc.text.strip() == "甲乙丙"
    assert any(str(scan) in w and "page 1: OCR failed" in w for w in doc.warnings)
