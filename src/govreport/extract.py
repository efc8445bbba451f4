"""The whole job: report files → documents, mentions, records and annotation tasks.

Each document goes through ingest → metadata → spans → tables → links → records; documents are
independent, so ``--workers N`` runs them in N processes and the main process writes the outputs
line by line as results arrive (memory stays flat in the number of documents).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .types import Document, Mention

RECORD_COLUMNS = ["doc", "organ", "year", "indicator", "value", "unit", "source", "start", "end", "conflict", "uncertain"]


@dataclass
class DocumentResult:
    """Everything extracted from one report file (plain dicts, so it crosses process boundaries)."""

    path: str
    document: dict[str, Any]
    mentions: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    n_chars: int = 0
    error: str | None = None
    spans: list[Any] = field(default_factory=list)  # every Span found, kept only when asked (evaluation)


class Extractor:
    """Holds the loaded resources (model, lexicons) and extracts one document at a time."""

    def __init__(self, model: str | Path | None = None, use_model: bool = True, with_tasks: bool = True,
                 linker: str | Path | None = None, link_policy: str | None = None):
        from .indicators import load_indicators
        from .learned_link import load_linker, policy_linker
        from .spans.hybrid import load_span_finder
        from .tables.lexicon import load_lexicons

        self.find_spans = load_span_finder(model if use_model else None)
        load_lexicons()  # the table lexicons of all forms: the first report of each form would compile one
        # the learned linker sits beside the span model (models/linker); the rules link without it
        if linker is None and use_model and model is not None:
            linker = Path(model).parent / "linker"
        self.link = policy_linker(load_linker(linker) if use_model and linker else None, link_policy)
        self.with_tasks = with_tasks
        self.keep_spans = False
        self.units = {ind.id: ind.unit for ind in load_indicators().values()}  # canonical unit of each id

    def __call__(self, path: str | Path) -> DocumentResult:
        from .ingest import IngestError, read_document

        try:
            doc = read_document(Path(path))
        except IngestError as err:
            print(f"warning: {err}", file=sys.stderr)
            return _failed(str(path), Path(path).stem, [str(err)])
        if not doc.text.strip():
            for warning in doc.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            return _failed(doc.path, doc.doc, doc.warnings or [f"{path}: no text"])
        return self.extract(doc)

    def extract(self, doc: Document) -> DocumentResult:
        """Run every stage after ingestion on one document."""
        from .link import find_indicator_spans
        from .metadata import document_metadata
        from .records import merge_records
        from .tables import parse_tables

        tables = parse_tables(doc)
        meta = document_metadata(doc.text, doc.path, tables.form, source_meta=doc.meta)
        in_table = _table_areas(doc, tables)
        spans = self.find_spans(doc.text, meta.get("year"), exclude=in_table)
        narrative = [s for s in spans if not _inside(s.start, s.end, in_table)]
        indicator_spans = find_indicator_spans(doc.text)
        links = self.link(doc.text, narrative, indicator_spans, tables.form)
        mentions = [_text_mention(doc.doc, link) for link in links]
        mentions += [_table_mention(doc.doc, doc.text, cell) for cell in tables.values]
        records = merge_records(doc.doc, meta.get("organ"), meta.get("year"),
                                _candidates(mentions), self.units)
        checks = {c.name: c.status for c in tables.checks}
        figures = [m for m in mentions if m.source == "text"]
        summary = {
            "doc": doc.doc,
            "path": doc.path,
            "organ": meta.get("organ"),
            "year": meta.get("year"),
            "form": tables.form,
            "published": meta.get("published"),
            "n_figures": len(figures),
            "n_linked": sum(1 for m in figures if m.indicator_text),
            "n_canonical": sum(1 for m in figures if m.indicator),
            "checks": checks,
            "check_details": [c.to_dict() for c in tables.checks],
            "warnings": doc.warnings,
        }
        tasks = []
        if self.with_tasks:
            from .annotate import tasks_from_document

            # tasks_from_document adds the phrases the links found from context itself
            tasks = tasks_from_document(doc, narrative + indicator_spans, links)
        return DocumentResult(doc.path, summary, [m.to_dict() for m in mentions],
                              [r.to_dict() for r in records], tasks, len(doc.text),
                              spans=spans if self.keep_spans else [])


def _failed(path: str, doc_id: str, warnings: list[str]) -> DocumentResult:
    return DocumentResult(path, {"doc": doc_id, "path": path, "warnings": warnings}, error="; ".join(warnings))


def _table_areas(doc: Document, tables: Any) -> list[tuple[int, int]]:
    areas = [(t.start, t.end) for t in doc.tables]
    areas += list(getattr(tables, "areas", []) or [])
    return sorted(areas)


def _inside(start: int, end: int, areas: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in areas)


def _text_mention(doc_id: str, link: Any) -> Mention:
    fig, ind = link.figure, link.indicator
    return Mention(
        doc=doc_id, text=fig.text, start=fig.start, end=fig.end, label=fig.label, value=fig.value, unit=fig.unit,
        approx=fig.approx, indicator=link.canonical_id,
        indicator_text=ind.text if ind else None, indicator_start=ind.start if ind else None,
        indicator_end=ind.end if ind else None, scope=link.scope, source="text",
        method="learned" if link.rule == "learned" else fig.method,
        confidence=link.confidence, uncertain=fig.uncertain,
    )


def _table_mention(doc_id: str, text: str, cell: Any) -> Mention:
    start, end = cell.start, cell.end
    shown = text[start:end] if start is not None and end is not None else str(cell.value)
    return Mention(
        doc=doc_id, text=shown, start=start, end=end, label="COUNT" if cell.unit not in ("万元", "元") else "MEASURE",
        value=cell.value, unit=cell.unit, indicator=cell.indicator, indicator_text=cell.row_label,
        source="table", method="table", confidence=0.5 if cell.uncertain else 1.0, uncertain=cell.uncertain,
    )


def _candidates(mentions: Iterable[Mention]) -> Iterator[Any]:
    from .records import Candidate, split_unit

    for m in mentions:
        if m.indicator and m.label in ("COUNT", "MEASURE"):
            # a text figure's value already holds its 万/亿 (约20万元 → 200000) while its unit is as written:
            # the candidate carries the base unit (元) so the value converts to the indicator's unit
            unit = split_unit(m.unit)[0] if m.source == "text" else m.unit
            yield Candidate(m.indicator, m.value, unit, m.source, m.start, m.end, m.approx, m.scope,
                            m.confidence, m.uncertain, m.text)


_WORKER: Extractor | None = None


def _init_worker(model: str | None, use_model: bool, with_tasks: bool) -> None:
    global _WORKER
    _WORKER = Extractor(model, use_model, with_tasks)
    _freeze_loaded()


def _freeze_loaded() -> None:
    """Take everything loaded so far (model, lexicons, compiled patterns) out of the garbage collector's scans.

    They live as long as the batch; each full collection re-scanned them all, about 5% of a rules-only run.
    """
    import gc

    gc.freeze()


def _run_worker(path: str) -> DocumentResult:
    assert _WORKER is not None
    return _WORKER(path)


def extract_paths(paths: Iterable[str | Path], workers: int = 1, model: str | Path | None = None,
                  use_model: bool = True, with_tasks: bool = True, progress: bool = True) -> Iterator[DocumentResult]:
    """Extract every report under ``paths``, in ``workers`` processes, yielding results in input order."""
    from .ingest import iter_report_files

    files = [str(p) for p in iter_report_files(paths)]
    bar = _progress(len(files), progress)
    if workers <= 1:
        extractor = Extractor(model, use_model, with_tasks)
        _freeze_loaded()
        for path in files:
            yield extractor(path)
            bar.update(1)
    else:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers, _init_worker, (str(model) if model else None, use_model,
                                                                  with_tasks)) as pool:
            for result in pool.imap(_run_worker, files, chunksize=1):
                yield result
                bar.update(1)
    bar.close()


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", file=sys.stderr, disable=not enabled or total < 2, leave=False)


def write_outputs(results: Iterable[DocumentResult], out_dir: Path) -> dict[str, Any]:
    """Write documents, mentions, records (jsonl + csv), tasks and cross-year checks; return the totals."""
    out_dir.mkdir(parents=True, exist_ok=True)
    totals = {"documents": 0, "failed": 0, "chars": 0, "figures": 0, "linked": 0, "canonical": 0, "records": 0,
              "conflicts": 0, "checks_failed": 0}
    from .tables.checks import cross_year_checks

    yearly: list[tuple[str | None, int | None, _TableValues]] = []
    with ExitStack() as stack:
        files = {name: stack.enter_context(open(out_dir / name, "w", encoding="utf-8")) for name in
                 ("documents.jsonl", "mentions.jsonl", "records.jsonl", "tasks.jsonl")}
        csv_file = stack.enter_context(open(out_dir / "records.csv", "w", encoding="utf-8", newline=""))
        # rows as lists: DictWriter's per-row checks and generator cost more than writing them
        writer = csv.writer(csv_file)
        writer.writerow(RECORD_COLUMNS)
        for res in results:
            totals["documents"] += 1
            totals["failed"] += res.error is not None
            totals["chars"] += res.n_chars
            doc = res.document
            totals["figures"] += doc.get("n_figures", 0)
            totals["linked"] += doc.get("n_linked", 0)
            totals["canonical"] += doc.get("n_canonical", 0)
            totals["checks_failed"] += sum(1 for s in doc.get("checks", {}).values() if s == "fail")
            totals["records"] += len(res.records)
            totals["conflicts"] += sum(1 for r in res.records if r["conflict"])
            files["documents.jsonl"].write(_json_line(doc))
            for name, rows in (("mentions.jsonl", res.mentions), ("records.jsonl", res.records),
                               ("tasks.jsonl", res.tasks)):
                files[name].write("".join(map(_json_line, rows)))  # one write per document and file
            writer.writerows([row.get(col, "") for col in RECORD_COLUMNS] for row in res.records)
            yearly.append(_TableValues.of(res))
    cross_year = [c.to_dict() for c in cross_year_checks(yearly)]
    with open(out_dir / "cross_year.jsonl", "w", encoding="utf-8") as f:
        f.writelines(_json_line(c) for c in cross_year)
    totals["checks_failed"] += sum(1 for c in cross_year if c["status"] == "fail")
    return totals


class _TableValues:
    """The table records of one document, as the cross-year check reads them (``value_of``)."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def value_of(self, indicator: str) -> Any:
        return self.values.get(indicator)

    @classmethod
    def of(cls, res: DocumentResult) -> tuple[str | None, int | None, _TableValues]:
        values = {r["indicator"]: r["value"] for r in res.records if r["source"] == "table"}
        return res.document.get("organ"), res.document.get("year"), cls(values)


# readable Chinese in the output files (srsly's writer escapes every non-ASCII character); one encoder for all
# rows, since json.dumps with an option builds a new one per call
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _json_line(row: dict[str, Any]) -> str:
    return _ENCODER.encode(row) + "\n"


def print_summary(totals: dict[str, Any]) -> None:
    """The end-of-run table on stderr."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="govreport extract")
    for col in ("documents", "failed", "figures", "linked share", "canonical share", "records", "conflicts",
                "checks failed"):
        table.add_column(col, justify="right")
    figures = max(totals["figures"], 1)
    table.add_row(str(totals["documents"]), str(totals["failed"]), str(totals["figures"]),
                  f"{totals['linked'] / figures:.1%}", f"{totals['canonical'] / figures:.1%}",
                  str(totals["records"]), str(totals["conflicts"]), str(totals["checks_failed"]))
    Console(stderr=True).print(table)
