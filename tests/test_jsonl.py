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


def test_lines_are_those_of_the_standard_encoder():
    """json_line reuses the C encoder that JSONEncoder.encode builds per call: byte for byte the same text."""
    import math

    import pytest

    rows = [{"a": 0.1 + 0.2, "b": 1e21, "c": -0.0, "d": 12345678901234567890, "e": [None, True, False, "引号\"\\\n\t"],
             "f": {"嵌套": {"x": []}}, "g": "𠀀\u2028", "h": math.inf}, [1, 2.5], "文字", 3, None]
    for row in rows:
        assert json_line(row) == json.dumps(row, ensure_ascii=False) + "\n"
    with pytest.raises(TypeError):
        json_line({"x": object()})
    with pytest.raises(ValueError):  # the digit limit of int → str, as with json.dumps
        json_line({"x": 10 ** 5000})
