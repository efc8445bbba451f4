"""The outputs of an extract as pandas tables, and their export as long or wide csv, xlsx or parquet.

Long: one row per report × indicator (records.jsonl without the evidence), flags in the conflict and
uncertain columns. Wide: one row per report, one column per indicator in spec order, a second header row
with the Chinese labels; marked cells are coloured (xlsx, explained in a notes sheet) or named in a
``<indicator>__flag`` column (csv, parquet). pandas, openpyxl and pyarrow come with ``govreport[data]``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import load_config
from .extract.schema import OUTPUT_FIELDS, file_fields
from .indicators import load_indicators

FORMATS = ("csv", "xlsx", "parquet")
REPORT_COLUMNS = ["doc", "path", "organ", "year", "form", "published"]
_INSTALL_HINT = "pandas is missing: pip install 'govreport[data]' (pandas, openpyxl, pyarrow, matplotlib)"


class ResultsError(ValueError):
    """An output folder that cannot be read (missing or broken files)."""


@dataclass
class Results:
    """The tables of one output folder (pandas DataFrames)."""

    documents: Any
    mentions: Any
    records: Any
    cross_year: Any


def _pandas():
    try:
        import pandas
    except ImportError as err:  # an optional extra: say how to get it
        raise ImportError(_INSTALL_HINT) from err
    return pandas


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL output file; a broken line is an error naming the file and line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ResultsError(f"{path}:{number}: not JSON ({err.msg})") from None
    return rows


def load_rows(out_dir: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The rows of every output file of ``out_dir`` (documents.jsonl must exist; the others may be absent)."""
    out = Path(out_dir)
    if not (out / "documents.jsonl").is_file():
        raise ResultsError(f"{out}: no documents.jsonl (is it the --out folder of govreport extract?)")
    return {name: read_jsonl(out / name) if (out / name).is_file() else [] for name in OUTPUT_FIELDS}


def load_results(out_dir: str | Path) -> Results:
    """documents, mentions, records and cross_year of an extract's output folder as DataFrames.

    Columns follow docs/outputs.md; ``year`` is a nullable integer.
    """
    pd = _pandas()
    rows = load_rows(out_dir)
    frames = {}
    for name, data in rows.items():
        columns = file_fields(name) + sorted({k for row in data for k in row} - set(file_fields(name)))
        frame = pd.DataFrame.from_records(data, columns=columns)
        if "year" in frame:
            frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
        frames[name.split(".")[0]] = frame
    return Results(frames["documents"], frames["mentions"], frames["records"], frames["cross_year"])


def indicator_labels() -> dict[str, str]:
    """Chinese label of every indicator id and report column."""

    labels = {ind.id: ind.label for ind in load_indicators().values()}
    return {**load_config("export.yml")["report_columns"], **labels}


def long_table(results: Results):
    """One row per report × indicator, with the report's metadata and the indicator's label."""
    cfg = load_config("export.yml")
    records = results.records.drop(columns=[c for c in ("path", "form", "published") if c in results.records])
    reports = results.documents.reindex(columns=REPORT_COLUMNS).drop(columns=["organ", "year"])
    table = records.merge(reports, on="doc", how="left")
    table["indicator_label"] = table["indicator"].map(indicator_labels())
    return table.reindex(columns=cfg["long_columns"])


@dataclass
class WideTable:
    """One row per report: ``values`` (report columns then indicator ids), ``flags`` (same shape, text such as
    'conflict uncertain' or ''), ``labels`` (column → Chinese label) and ``notes`` (one per marked cell)."""

    values: Any
    flags: Any
    labels: dict[str, str]
    notes: list[dict[str, Any]]


def wide_table(results: Results) -> WideTable:
    """Pivot the records: one row per report (failed reports included, empty), one column per indicator."""

    pd = _pandas()
    reports = results.documents.reindex(columns=REPORT_COLUMNS).reset_index(drop=True)
    records = results.records
    present = set(records["indicator"]) if len(records) else set()
    indicators = [i for i in load_indicators() if i in present] + sorted(present - set(load_indicators()))
    values = reports.copy()
    flags = pd.DataFrame("", index=reports.index, columns=indicators)
    row_of = {doc: n for n, doc in enumerate(reports["doc"])}
    cells: dict[str, list[Any]] = {i: [None] * len(reports) for i in indicators}
    notes = []
    for rec in records.to_dict("records"):
        row = row_of.get(rec["doc"])
        if row is None:
            continue  # a record of no listed report cannot be placed; load_rows reads both from one run
        cells[rec["indicator"]][row] = _plain(rec["value"])
        marks = [m for m in ("conflict", "uncertain") if bool(rec.get(m))]
        if marks:
            flags.at[row, rec["indicator"]] = " ".join(marks)
            notes.append(_note(rec, marks, row))
    values = pd.concat([values, pd.DataFrame(cells, index=reports.index)], axis=1)
    return WideTable(values, flags, {c: indicator_labels().get(c, c) for c in values.columns}, notes)


def _note(rec: dict[str, Any], marks: list[str], row: int) -> dict[str, Any]:
    """Why a cell is marked: the flag, and the narrative values that contradict it."""
    texts = load_config("export.yml")["notes"]
    why = []
    if "conflict" in marks:
        said = [f"{e.get('text')} @{e.get('start')}" for e in (rec.get("evidence") or [])]
        why.append(texts["conflict"] + (": " + "; ".join(said) if said else ""))
    if "uncertain" in marks:
        why.append(texts["uncertain_table" if rec.get("source") == "table" else "uncertain_text"])
    return {"row": row, "doc": rec["doc"], "organ": rec.get("organ"), "year": _plain(rec.get("year")),
            "indicator": rec["indicator"], "indicator_label": indicator_labels().get(rec["indicator"]),
            "value": _plain(rec["value"]), "source": rec.get("source"), "flag": " ".join(marks),
            "note": " | ".join(why)}


def _plain(value: Any) -> Any:
    """A cell value for the writers: None for missing (NaN, NA), Python numbers otherwise."""
    try:
        import pandas as pd

        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # pandas holds counts with gaps as floats: 12.0 is written 12
    return value


def with_flag_columns(wide: WideTable):
    """The wide values with a ``<indicator>__flag`` column after each indicator that has a marked cell."""
    suffix = load_config("export.yml")["flag_suffix"]
    pd = _pandas()
    columns, labels = {}, {}
    flagged = {c for c in wide.flags.columns if (wide.flags[c] != "").any()}
    for col in wide.values.columns:
        columns[col] = wide.values[col]
        labels[col] = wide.labels[col]
        if col in flagged:
            columns[col + suffix] = wide.flags[col]
            labels[col + suffix] = f"{wide.labels[col]}（{load_config('export.yml')['flag_label']}）"
    return pd.DataFrame(columns), labels


def export_table(out_dir: str | Path, fmt: str, to: str | Path, wide: bool = False) -> dict[str, int]:
    """Write the records of ``out_dir`` as ``fmt`` (csv, xlsx, parquet) to ``to``; return rows, columns, marks."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    results = load_results(out_dir)
    to = Path(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    if wide:
        table = wide_table(results)
        {"csv": _wide_csv, "xlsx": _wide_xlsx, "parquet": _wide_parquet}[fmt](table, to)
        return {"rows": len(table.values), "indicators": len(table.flags.columns), "marked": len(table.notes)}
    table = long_table(results)
    {"csv": _long_csv, "xlsx": _long_xlsx, "parquet": _long_parquet}[fmt](table, results, to)
    return {"rows": len(table), "indicators": table["indicator"].nunique(),
            "marked": int((table["conflict"].astype(bool) | table["uncertain"].astype(bool)).sum())}


def _long_labels(columns) -> dict[str, str]:
    cfg = load_config("export.yml")
    return {c: {**cfg["report_columns"], **cfg["long_labels"]}.get(c, c) for c in columns}


def _long_csv(table, results: Results, to: Path) -> None:
    with open(to, "w", encoding="utf-8-sig", newline="") as f:  # the BOM: Excel then reads UTF-8
        writer = csv.writer(f)
        writer.writerow(table.columns)
        writer.writerows([["" if v is None else v for v in map(_plain, row)] for row in table.itertuples(index=False)])


def _long_parquet(table, results: Results, to: Path) -> None:
    _write_parquet(table, _long_labels(table.columns), to)


def _wide_csv(wide: WideTable, to: Path) -> None:
    """Two header rows (ids, then Chinese labels), UTF-8 with a BOM for Excel."""
    frame, labels = with_flag_columns(wide)
    with open(to, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(frame.columns)
        writer.writerow([labels[c] for c in frame.columns])
        writer.writerows([["" if v is None else v for v in map(_plain, row)] for row in frame.itertuples(index=False)])


def _wide_parquet(wide: WideTable, to: Path) -> None:
    frame, labels = with_flag_columns(wide)
    _write_parquet(frame, labels, to)


def _write_parquet(frame, labels: dict[str, str], to: Path) -> None:
    """Parquet has one header: the Chinese labels go in each field's metadata (``label``) and in the file's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [f.with_metadata({"label": labels.get(f.name, f.name)}) for f in table.schema]
    meta = {**(table.schema.metadata or {}), b"govreport:labels": json.dumps(labels, ensure_ascii=False).encode()}
    pq.write_table(table.cast(pa.schema(fields, metadata=meta)), to)


def _wide_xlsx(wide: WideTable, to: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "wide"
    columns = list(wide.values.columns)
    _header(sheet, columns, [wide.labels[c] for c in columns])
    for row in wide.values.itertuples(index=False):
        sheet.append([_plain(v) for v in row])
    fills = _fills()
    first_indicator = len(REPORT_COLUMNS) + 1
    for note in wide.notes:
        col = columns.index(note["indicator"]) + 1
        cell = sheet.cell(row=note["row"] + 3, column=col)
        cell.fill = fills["conflict" if "conflict" in note["flag"] else "uncertain"]
        note["cell"] = f"wide!{cell.coordinate}"
    sheet.freeze_panes = sheet.cell(row=3, column=first_indicator)
    _notes_sheet(book, wide.notes)
    _indicator_sheet(book)
    book.save(to)


def _long_xlsx(table, results: Results, to: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "long"
    columns = list(table.columns)
    sheet.append(columns)  # long is tidy: one header row, the labels are the indicator_label column
    evidence = {(r["doc"], r["indicator"]): r.get("evidence") for r in results.records.to_dict("records")}
    fills, notes, value_col = _fills(), [], columns.index("value") + 1
    for n, rec in enumerate(table.to_dict("records")):
        sheet.append([_plain(rec[c]) for c in columns])
        marks = [m for m in ("conflict", "uncertain") if bool(rec[m])]
        if marks:
            cell = sheet.cell(row=n + 2, column=value_col)
            cell.fill = fills[marks[0]]
            note = _note({**rec, "evidence": evidence.get((rec["doc"], rec["indicator"]))}, marks, n)
            notes.append({**note, "cell": f"long!{cell.coordinate}"})
    sheet.freeze_panes = "A2"
    _notes_sheet(book, notes)
    _indicator_sheet(book)
    book.save(to)


def _header(sheet, ids: list[str], labels: list[str]) -> None:
    from openpyxl.styles import Font

    sheet.append(ids)
    sheet.append(labels)
    for cell in sheet[2]:
        cell.font = Font(bold=True)


def _fills() -> dict[str, Any]:
    from openpyxl.styles import PatternFill

    return {name: PatternFill("solid", start_color=rgb, end_color=rgb)
            for name, rgb in load_config("export.yml")["fills"].items()}


def _notes_sheet(book, notes: list[dict[str, Any]]) -> None:
    """Every marked cell: where it is, which report and indicator, the flag and why."""
    sheet = book.create_sheet("notes")
    columns = ["cell", "doc", "organ", "year", "indicator", "indicator_label", "value", "source", "flag", "note"]
    sheet.append(columns)
    fills = _fills()
    for note in notes:
        sheet.append([note.get(c) for c in columns])
        sheet.cell(row=sheet.max_row, column=1).fill = fills["conflict" if "conflict" in note["flag"] else "uncertain"]


def _indicator_sheet(book) -> None:

    sheet = book.create_sheet("indicators")
    sheet.append(["indicator", "label", "unit", "forms", "parent"])
    for ind in load_indicators().values():
        sheet.append([ind.id, ind.label, ind.unit, " ".join(ind.forms), ind.parent])
