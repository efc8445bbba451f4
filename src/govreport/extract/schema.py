"""The fields of every output file, what they mean, and the data dictionary (docs/outputs.md) made from them.

One description per field, here, so that the dictionary, the exports and the tests read the same list:
``govreport docs`` regenerates docs/outputs.md and a test fails when the committed file differs.
"""

from __future__ import annotations

import hashlib
from typing import Any

# file → [(field, type, meaning)], in the order the fields appear in the file
OUTPUT_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "documents.jsonl": [
        ("doc", "str", "document id (file name without extension)"),
        ("path", "str", "the report file as given to `extract` (relative to the folder it ran in)"),
        ("organ", "str|null", "reporting organ (机关)"),
        ("year", "int|null", "the year the statistics cover"),
        ("form", "str", "table form: `pre2019`, `v2019`, `v2021` or `none` (no statistical table)"),
        ("ids_form", "str", ("the form whose ids the figures take: `form`, else (no table) the form of the "
                             "report's year (warned), else `none`")),
        ("published", "str|null", "publication date, ISO `YYYY-MM-DD`"),
        ("n_figures", "int", "narrative figures found"),
        ("n_linked", "int", "narrative figures tied to an indicator phrase"),
        ("n_canonical", "int", "narrative figures tied to a canonical indicator id"),
        ("checks", "object", "accounting check (勾稽关系) name → `pass`, `fail` or `na` (a number is missing)"),
        ("check_details", "list", "each check: name, status, numbers (indicator id → value) and the relation"),
        ("tables", "list", ("each table of the form: table, found, cells read, cells expected, cells uncertain, "
                            "warning (under 90% of its cells read, or a heading with no readable table)")),
        ("dropped", "object", ("reason → linked figures that gave no record, each under one reason: `share` (a "
                               "share of what the id counts, not its value), `not_in_spec` (the phrase names a concept the spec "
                               "splits further: 尚未审结 of a lawsuit without its kind, 不予公开 in a report of the 2019 or 2021 form), `partial_scope` (a part of the body: "
                               "no whole-body id), `narrower` (the figure counts a narrower thing than its phrase's "
                               "category), `coordinated` (the figure counts several coordinated items, the id names one), "
                               "`cumulative` (a sum over the years since an event, not the report year's), "
                               "`other_work` (its sentence is about other work), `outside_remit` (the id is "
                               "outside the reporting organ's remit), `low_confidence`, `unit_mismatch`")),
        ("warnings", "list[str]", ("problems met while reading the file; a failed document has only doc, path, "
                                   "warnings and error")),
        ("error", "str|null", "null, or `Name: message` of why the report failed (read, time budget, crash)"),
        ("n_chars", "int", "length of the normalised text"),
        ("text_sha256", "str", "SHA-256 of the normalised text (UTF-8): `view` re-reads `path` and checks it"),
        ("ocr_pages", "list[int]", "only for PDFs with pages read by OCR: those pages (1-based)"),
    ],
    "mentions.jsonl": [
        ("doc", "str", "document id"),
        ("text", "str", "the figure as written (a table cell's digits for table figures)"),
        ("start", "int|null", "offset of the figure in the normalised text (inclusive)"),
        ("end", "int|null", "end offset (exclusive)"),
        ("label", "str", "`COUNT` or `MEASURE` (money, durations, shares) for figures; also `DATE`, `ORG`"),
        ("value", "number|null", "the number (万/亿 applied: 约20万元 → 200000)"),
        ("unit", "str|null", "the unit as written (条, 件, 万元, 人次)"),
        ("approx", "str|null", "approximation word: 多, 余, 近, 约, 以上, 左右"),
        ("indicator", "str|null", "canonical indicator id (configs/indicators.yml), null when none is known"),
        ("indicator_text", "str|null", "the indicator phrase the figure measures (a table cell: its row label)"),
        ("indicator_start", "int|null", "offset of the indicator phrase"),
        ("indicator_end", "int|null", "end offset of the indicator phrase (exclusive)"),
        ("scope", "str|null", "whose figure it is when the text says (全市, 各乡镇, 市教育局)"),
        ("source", "str", "`text` (narrative) or `table` (statistical table cell)"),
        ("method", "str", "`table`, `rules`, `model` or `learned`"),
        ("confidence", "float", ("confidence of the link; table cells: 1.0, or 1/n of its n candidate values when "
                                 "uncertain, times the OCR score for OCR'd cells")),
        ("uncertain", "bool", ("a table cell whose digit run could be split more than one way, or whose slot is "
                               "not settled; a narrative figure beyond 10^15 or with an unreadable numeral")),
        ("alternatives", "list|null", "an uncertain table cell's candidate values"),
        ("indicator_label", "str|null", "Chinese label of the indicator (configs/indicators.yml)"),
        ("indicator_unit", "str|null", "canonical unit of the indicator"),
        ("path", "str", "the report file"),
        ("organ", "str|null", "reporting organ"),
        ("year", "int|null", "year the statistics cover"),
        ("form", "str", "table form"),
        ("published", "str|null", "publication date"),
    ],
    "records.jsonl": [
        ("doc", "str", "document id"),
        ("organ", "str|null", "reporting organ"),
        ("year", "int|null", "year the statistics cover"),
        ("indicator", "str", "canonical indicator id"),
        ("value", "number|null", "the value in the indicator's unit (a table value wins over the narrative)"),
        ("unit", "str|null", "the indicator's canonical unit"),
        ("source", "str", "`table` or `text`"),
        ("start", "int|null", "offset of the chosen value in the normalised text"),
        ("end", "int|null", "end offset (exclusive)"),
        ("conflict", "bool", ("the narrative contradicts the value (table: no text statement agrees and "
                              "some disagree; text: two statements disagree)")),
        ("uncertain", "bool", "table: the digit run could be split more than one way; text: approximate value"),
        ("evidence", "list", ("narrative statements of the indicator: text, start, end, value, approx, "
                              "scope (jsonl only)")),
        ("indicator_label", "str|null", "Chinese label of the indicator"),
        ("path", "str", "the report file"),
        ("form", "str", "table form"),
        ("published", "str|null", "publication date"),
    ],
    "cross_year.jsonl": [
        ("name", "str", "`cross_year.carried.<organ>.<Y>-<Y+1>`"),
        ("status", "str", "`pass`, `fail` or `na`"),
        ("numbers", "object", "结转下年度 of year Y and 上年结转 of year Y+1"),
        ("relation", "str", "the relation checked"),
    ],
}

# fields written only when they apply (every other field is in every row of its file)
OPTIONAL_FIELDS = {"documents.jsonl": {"ocr_pages"}}

# records.csv holds the record fields but the evidence list
CSV_NOTE = "`records.csv` has the columns of `records.jsonl` without `evidence`, UTF-8 with a BOM (Excel reads it)."


def file_fields(name: str) -> list[str]:
    """The field names of one output file, in order."""
    return [f for f, _, _ in OUTPUT_FIELDS[name]]


def text_digest(text: str) -> str:
    """SHA-256 of a normalised text, as stored in documents.jsonl."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def enrich_outputs(text: str, summary: dict[str, Any], mentions: list[dict[str, Any]],
                   records: list[dict[str, Any]]) -> None:
    """Give a document's mention and record rows the indicator's label and unit and the report's metadata,
    so that each row reads on its own (in place)."""
    from ..indicators import load_indicators

    indicators = load_indicators()
    summary["n_chars"] = len(text)
    summary["text_sha256"] = text_digest(text)
    report = {key: summary.get(key) for key in ("path", "organ", "year", "form", "published")}
    for mention in mentions:
        ind = indicators.get(mention.get("indicator") or "")
        mention["indicator_label"] = ind.label if ind else None
        mention["indicator_unit"] = ind.unit if ind else None
        mention.update(report)
    for record in records:
        ind = indicators.get(record["indicator"])
        record["indicator_label"] = ind.label if ind else None
        record.update(report)


def data_dictionary() -> str:
    """docs/outputs.md: every output field and every indicator of configs/indicators.yml."""
    from ..indicators import load_indicators

    lines = ["# Outputs of `govreport extract`: data dictionary", "",
             ("Generated by `govreport docs` from `src/govreport/extract/schema.py` and `configs/indicators.yml`; "
              "do not edit by hand (a test compares this file with the generated one)."), "",
             "Offsets are into the normalised text; `start` is inclusive, `end` exclusive.", ""]
    for name, fields in OUTPUT_FIELDS.items():
        lines += [f"## `{name}`", "", "| field | type | meaning |", "|---|---|---|"]
        lines += [f"| `{f}` | {_cell(t)} | {_cell(d)} |" for f, t, d in fields]
        lines.append("")
        if name == "records.jsonl":
            lines += [CSV_NOTE, ""]
    lines += ["## Indicators", "",
              ("Forms: `pre2019` (政府信息公开情况统计表, 2008-2018), `v2019` (国办公开办函〔2019〕60号), "
               "`v2021` (国办公开办函〔2021〕30号)."), "",
              "| id | label | unit | forms | parent | aliases |", "|---|---|---|---|---|---|"]
    for ind in load_indicators().values():
        lines.append(f"| `{ind.id}` | {_cell(ind.label)} | {_cell(ind.unit or '')} | {' '.join(ind.forms)} | "
                     f"{f'`{ind.parent}`' if ind.parent else ''} | {_cell('、'.join(ind.aliases))} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
