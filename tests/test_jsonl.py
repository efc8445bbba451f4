"""The one JSONL writer: rows read back equal, Chinese written as itself (not \\uXXXX), one row a line."""

import json

from govreport.annotate.files import write_jsonl as write_annotations
from govreport.ingest import ingest_to_dir
from govreport.jsonl import json_line, write_jsonl


def test_rows_read_back_equal_and_chinese_stays_readable(tmp_path):
    rows = [{"doc": "某县", "text": "受理申请12件\n其中", "value": 1.5, "none": None}, {"list": ["甲", 2]}]
    path = tmp_path / "sub" / "rows.jsonl"
    assert write_jsonl(path, rows) == 2
    text = path.read_text(encoding="utf-8")
    assert "某县" in text and "\\u" not in text and text.count("\n") == 2
    assert [json.loads(line) for line in text.splitlines()] == rows
    assert json_line(rows[0]) == text.splitlines(keepends=True)[0]


def test_annotation_files_and_ingest_use_it(tmp_path):
    row = {"text": "政府信息公开", "spans": []}
    write_annotations(tmp_path / "a.jsonl", [row])
    assert json.loads((tmp_path / "a.jsonl").read_text(encoding="utf-8")) == row
    report = tmp_path / "in" / "r.txt"
    report.parent.mkdir()
    report.write_text("某市2020年政府信息公开工作年度报告\n全年受理申请12件。\n", encoding="utf-8")
    assert ingest_to_dir([report.parent], tmp_path / "out") == 1
    written = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8")
    assert "受理申请12件" in written and "\\u" not in written
