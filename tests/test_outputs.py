"""The output schema: rows carry labels and report metadata, every written field is documented, and
docs/outputs.md is the generated data dictionary."""

import csv
import json
from pathlib import Path

from govreport.config import PROJECT_ROOT
from govreport.extract.reports import RECORD_COLUMNS
from govreport.extract.schema import OPTIONAL_FIELDS, data_dictionary, file_fields, text_digest
from govreport.indicators import load_indicators


def rows(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def test_committed_data_dictionary_is_the_generated_one():
    committed = (PROJECT_ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "docs/outputs.md is stale: run `govreport docs`"


def test_data_dictionary_lists_every_indicator_with_its_label():
    text = data_dictionary()
    for ind in load_indicators().values():
        assert f"| `{ind.id}` | {ind.label.replace('|', chr(92) + '|')} |" in text, ind.id


def test_every_written_field_is_documented_in_order(extract_out):
    for name in ("documents.jsonl", "mentions.jsonl", "records.jsonl", "cross_year.jsonl"):
        written = rows(extract_out, name)
        assert written, name
        for row in written:
            if name == "documents.jsonl" and "text_sha256" not in row:  # the failed (empty) report
                assert set(row) == {"doc", "path", "warnings", "error"}
                continue
            optional = OPTIONAL_FIELDS.get(name, set())
            assert list(row) == [f for f in file_fields(name) if f in row or f not in optional], (name, row.get("doc"))


def test_records_csv_has_a_bom_and_keeps_the_old_columns_first(extract_out):
    raw = (extract_out / "records.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(extract_out / "records.csv", encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert header == RECORD_COLUMNS == [c for c in file_fields("records.jsonl") if c != "evidence"]
    assert header[:11] == ["doc", "organ", "year", "indicator", "value", "unit", "source", "start", "end",
                           "conflict", "uncertain"]


def test_mentions_and_records_carry_label_unit_and_report_metadata(extract_out):
    docs = {d["doc"]: d for d in rows(extract_out, "documents.jsonl")}
    indicators = load_indicators()
    mentions, records = rows(extract_out, "mentions.jsonl"), rows(extract_out, "records.jsonl")
    assert any(m["indicator"] for m in mentions)
    for row in mentions + records:
        doc = docs[row["doc"]]
        assert {k: row[k] for k in ("path", "organ", "year", "form", "published")} == \
               {k: doc[k] for k in ("path", "organ", "year", "form", "published")}
        ind = indicators.get(row["indicator"] or "")
        assert row["indicator_label"] == (ind.label if ind else None)
        if "indicator_unit" in row:
            assert row["indicator_unit"] == (ind.unit if ind else None)


def test_text_digest_is_that_of_the_reingested_text(extract_out):
    from govreport.ingest import read_document

    doc = next(d for d in rows(extract_out, "documents.jsonl") if d["doc"] == "fujian_pingtan_zone_2020")
    text = read_document(Path(doc["path"])).text
    assert doc["text_sha256"] == text_digest(text) and doc["n_chars"] == len(text)


def test_docs_command_writes_the_data_dictionary(tmp_path):
    from typer.testing import CliRunner

    from govreport.cli import app

    result = CliRunner().invoke(app, ["docs", "--to", str(tmp_path / "outputs.md")])
    assert result.exit_code == 0
    assert (tmp_path / "outputs.md").read_text(encoding="utf-8") == data_dictionary()
