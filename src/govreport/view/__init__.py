"""``govreport view``: static HTML pages of an output folder (no server, no CDN: they open offline).

- ``index.html``: every report with organ, year, form, counts, failing checks, conflicts and uncertain cells;
- ``reports/<doc>.html``: the normalised text with every figure and indicator phrase highlighted (data-*
  attributes, hover and click show the details), the statistical tables with each cell's checks, the records;
- ``panels/<organ>.html``: key indicators over the years of an organ with several years (SVG by matplotlib)
  and the cross-year check.

The outputs do not hold the texts (they would double the folder and copy every report): the pages re-read
each report from the ``path`` in documents.jsonl and show its text only when its SHA-256 equals the
``text_sha256`` stored by extract, so that no offset ever points into a different text.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dataset import load_rows
from ..extract.schema import file_fields, text_digest
from ..ingest import IngestError, read_document
from .panel import build_panel, organs_with_years
from .tables import stat_tables
from .text import mark_text, number_text

ASSETS = Path(__file__).parent / "assets"
TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class ViewSummary:
    index: Path
    reports: int = 0
    panels: int = 0
    figures: int = 0
    texts_missing: list[str] = field(default_factory=list)  # warnings naming the reports shown without text


@dataclass
class ReportText:
    text: str | None
    problem: str | None = None


def build_view(out_dir: str | Path, to: str | Path, source_root: str | Path | None = None) -> ViewSummary:
    """Write the pages of ``out_dir`` into ``to``."""

    out_dir, to = Path(out_dir), Path(to)
    rows = load_rows(out_dir)
    # every field present (a failed report has only doc, path and warnings): the templates need no guards
    rows = {name: [_complete(row, name) for row in data] for name, data in rows.items()}
    documents, mentions, records = rows["documents.jsonl"], rows["mentions.jsonl"], rows["records.jsonl"]
    (to / "reports").mkdir(parents=True, exist_ok=True)
    (to / "panels").mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS, to / "assets", dirs_exist_ok=True)
    env = _environment()
    mentions_of, records_of = _group(mentions), _group(records)
    pages = report_pages(documents)
    summary = ViewSummary(to / "index.html")
    for doc in documents:
        text = report_text(doc, out_dir, source_root)
        if text.problem:
            summary.texts_missing.append(text.problem)
        summary.figures += _write_report(env, to / "reports" / pages[doc["doc"]], doc, text,
                                         mentions_of.get(doc["doc"], []), records_of.get(doc["doc"], []))
        summary.reports += 1
    values_of = {doc: {r["indicator"]: r["value"] for r in recs} for doc, recs in records_of.items()}
    panels = {}
    for organ, years in organs_with_years(documents).items():
        panel = build_panel(organ, years, values_of, rows["cross_year.jsonl"])
        name = panel_page(organ)
        (to / "panels" / name).write_text(env.get_template("panel.html.j2").render(
            panel=panel, pages=pages), encoding="utf-8")
        panels[organ] = name
    summary.panels = len(panels)
    (to / "index.html").write_text(env.get_template("index.html.j2").render(
        reports=[_index_row(doc, records_of.get(doc["doc"], []), mentions_of.get(doc["doc"], []))
                 for doc in sorted(documents, key=_index_order)],
        pages=pages, panels=panels, out_dir=str(out_dir), cross_year=rows["cross_year.jsonl"]), encoding="utf-8")
    return summary


def report_pages(documents: list[dict[str, Any]]) -> dict[str, str]:
    """doc id → a safe, unique file name for its page."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for doc in documents:
        name = re.sub(r"[^\w.-]", "_", doc["doc"])[:100] or "report"
        if name.lower() in taken:
            name += "_" + hashlib.sha1(doc["doc"].encode()).hexdigest()[:8]
        taken.add(name.lower())
        out[doc["doc"]] = name + ".html"
    return out


def panel_page(organ: str) -> str:
    return "organ_" + hashlib.sha1(organ.encode("utf-8")).hexdigest()[:10] + ".html"


def report_text(doc: dict[str, Any], out_dir: Path, source_root: str | Path | None) -> ReportText:
    """The report's normalised text, re-read from its file and checked against the stored digest."""

    if not doc.get("text_sha256"):
        return ReportText(None, f"{doc.get('path')}: no text digest in documents.jsonl (extract failed or is older)")
    path = _find_source(doc.get("path") or "", out_dir, source_root)
    if path is None:
        return ReportText(None, f"{doc.get('path')}: file not found (give --source-root)")
    try:
        text = read_document(path).text
    except (IngestError, OSError) as err:
        return ReportText(None, f"{path}: {err}")
    if text_digest(text) != doc["text_sha256"]:
        return ReportText(None, f"{path}: text differs from the one extracted (file or normalisation changed)")
    return ReportText(text)


def _find_source(path: str, out_dir: Path, source_root: str | Path | None) -> Path | None:
    """The path as stored (relative to the folder extract ran in), else under source_root or beside out_dir."""
    stored = Path(path)
    bases = [Path.cwd()] + ([Path(source_root)] if source_root else []) + [out_dir.parent, out_dir]
    for base in bases:
        candidate = stored if stored.is_absolute() else base / stored
        if candidate.is_file():
            return candidate
    if source_root and (Path(source_root) / stored.name).is_file():
        return Path(source_root) / stored.name
    return None


def _write_report(env, page: Path, doc: dict[str, Any], text: ReportText, mentions: list[dict[str, Any]],
                  records: list[dict[str, Any]]) -> int:

    marked = mark_text(text.text, mentions) if text.text is not None else None
    page.write_text(env.get_template("report.html.j2").render(
        doc=doc, marked=marked, problem=text.problem, tables=stat_tables(mentions, doc.get("check_details", [])),
        records=records, checks=doc.get("check_details", []),
        narrative=sum(1 for m in mentions if m.get("source") == "text")), encoding="utf-8")
    return marked.n_figures if marked else 0


def _index_row(doc: dict[str, Any], records: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> dict[str, Any]:
    checks = doc.get("checks", {})
    return {**doc, "n_records": len(records),
            "failing": [name for name, status in checks.items() if status == "fail"],
            "n_checks": len(checks),
            "conflicts": [r["indicator"] for r in records if r.get("conflict")],
            "uncertain": [m["indicator"] or m["text"] for m in mentions if m.get("source") == "table"
                          and m.get("uncertain")]}


def _index_order(doc: dict[str, Any]) -> tuple:
    """By organ then year; reports without an organ last."""
    return (doc.get("organ") is None, doc.get("organ") or "", doc.get("year") or 0, doc["doc"])


def _complete(row: dict[str, Any], name: str) -> dict[str, Any]:
    empty: dict[str, Any] = {"checks": {}, "check_details": [], "warnings": [], "evidence": [], "numbers": {}}
    return {**{f: empty.get(f) for f in file_fields(name)}, **row}


def _group(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row.get("doc"), []).append(row)
    return out


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    # autoescape: report text and file names are input, never markup
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda value: number_text(value, missing="—")
    return env
