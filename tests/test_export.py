"""load_results and export: long and wide tables whose values are the records', Chinese headers, marked cells."""

import csv
import json

import pytest

pd = pytest.importorskip("pandas", reason="pandas is an optional extra: pip install 'govreport[data]'")

from govreport import load_results
from govreport.dataset import ResultsError, export_table, wide_table
from govreport.indicators import load_indicators


def records_of(out):
    return [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def test_load_results_gives_dataframes_of_every_output(extract_out):
    res = load_results(extract_out)
    assert len(res.documents) == 9 and len(res.records) == len(records_of(extract_out))
    assert str(res.records["year"].dtype) == "Int64"
    assert {"indicator_label", "path", "published"} <= set(res.records.columns)
    assert res.cross_year["status"].eq("pass").any()  # 2019 → 2020 of the Pingtan zone


def test_load_results_names_a_folder_that_is_no_output(tmp_path):
    with pytest.raises(ResultsError, match=str(tmp_path)):
        load_results(tmp_path)
    (tmp_path / "documents.jsonl").write_text('{"doc": "a"}\n{broken\n', encoding="utf-8")
    with pytest.raises(ResultsError, match="documents.jsonl:2"):
        load_results(tmp_path)


def test_wide_xlsx_opens_with_chinese_headers_values_and_marked_cells(extract_out, tmp_path):
    from openpyxl import load_workbook

    to = tmp_path / "wide.xlsx"
    export_table(extract_out, "xlsx", to, wide=True)
    book = load_workbook(to)
    sheet = book["wide"]
    ids = [c.value for c in sheet[1]]
    labels = [c.value for c in sheet[2]]
    indicators = load_indicators()
    assert labels[:4] == ["文档", "文件", "机关", "年度"]
    assert all(labels[n] == indicators[i].label for n, i in enumerate(ids) if i in indicators)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in labels[10])
    # one row per report, every record's value in its cell
    docs = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert len(docs) == 9 and len(set(docs)) == 9
    row_of = {doc: n + 3 for n, doc in enumerate(docs)}
    marked = []
    for rec in records_of(extract_out):
        cell = sheet.cell(row=row_of[rec["doc"]], column=ids.index(rec["indicator"]) + 1)
        assert cell.value == rec["value"], (rec["doc"], rec["indicator"])
        if rec["conflict"] or rec["uncertain"]:
            marked.append(cell.coordinate)
            assert cell.fill.fgColor.rgb.endswith("FFC7CE" if rec["conflict"] else "FFEB9C"), cell.coordinate
        else:
            assert cell.fill.fill_type is None, cell.coordinate
    assert marked  # seed 001 has a conflict, Pingtan zone 2013 an uncertain cell
    notes = list(book["notes"].iter_rows(min_row=2, values_only=True))
    assert sorted(n[0] for n in notes) == sorted(f"wide!{c}" for c in marked)
    conflict = next(n for n in notes if n[1].startswith("001_") and n[4] == "requests.received.online")
    assert "14件" in conflict[-1]  # the narrative value that contradicts the table's 24


def test_wide_csv_has_two_header_rows_and_flag_columns(extract_out, tmp_path):
    to = tmp_path / "wide.csv"
    export_table(extract_out, "csv", to, wide=True)
    assert to.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(to, encoding="utf-8-sig", newline="") as f:
        ids, labels, *body = list(csv.reader(f))
    assert len(body) == 9 and labels[ids.index("organ")] == "机关"
    flagged = {(r["doc"], r["indicator"]) for r in records_of(extract_out) if r["conflict"] or r["uncertain"]}
    seen = set()
    for row in body:
        for n, col in enumerate(ids):
            if col.endswith("__flag") and row[n]:
                seen.add((row[0], col[: -len("__flag")]))
    assert seen == flagged


def test_long_and_wide_parquet_keep_values_and_labels(extract_out, tmp_path):
    import pyarrow.parquet as pq

    export_table(extract_out, "parquet", tmp_path / "long.parquet")
    export_table(extract_out, "parquet", tmp_path / "wide.parquet", wide=True)
    long = pd.read_parquet(tmp_path / "long.parquet")
    recs = records_of(extract_out)
    assert len(long) == len(recs)
    assert list(long["value"].fillna(-1)) == [-1 if r["value"] is None else r["value"] for r in recs]
    schema = pq.read_schema(tmp_path / "wide.parquet")
    assert schema.field("requests.new.total").metadata[b"label"].decode() == "本年新收政府信息公开申请数量｜总计"


def test_wide_table_keeps_failed_reports_as_empty_rows(extract_out):
    wide = wide_table(load_results(extract_out))
    empty = wide.values[wide.values["doc"] == "empty"]
    assert len(empty) == 1 and empty.iloc[0, 6:].isna().all()


def test_export_command(extract_out, tmp_path):
    from typer.testing import CliRunner

    from govreport.cli import app

    result = CliRunner().invoke(app, ["export", str(extract_out), "--format", "xlsx", "--wide",
                                      "--to", str(tmp_path / "w.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "w.xlsx").is_file()
    bad = CliRunner().invoke(app, ["export", str(tmp_path), "--format", "xlsx", "--to", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 1 and "documents.jsonl" in bad.output and "Traceback" not in bad.output
