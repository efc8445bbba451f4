"""The whole job: report files → documents, mentions, records and annotation tasks.

Each document goes through ingest → metadata → spans → tables → links → records; documents are
independent, so they run in worker processes (``--workers N``, one by default) guarded by ``batch``: a
document that raises, overruns its time budget or kills its worker becomes a failed document, and the
main process writes the outputs line by line as results arrive (memory stays flat in the number of
documents). ``outputs`` makes the CLI's writing safe (staging folder, lock, rename on success).
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import notices
from ..jsonl import json_line as _json_line
from ..link.rules import part_of_body
from ..pipeline import Analysis, Pipeline
from ..types import Document, Mention
from .schema import enrich_outputs

RECORD_COLUMNS = ["doc", "organ", "year", "indicator", "value", "unit", "source", "start", "end", "conflict", "uncertain",
                  "indicator_label", "path", "form", "published"]
# every file extract can write into --out (tasks.jsonl only with --tasks, the parquet files only with --parquet)
OUTPUT_FILES = ("documents.jsonl", "mentions.jsonl", "records.jsonl", "records.csv", "tasks.jsonl", "cross_year.jsonl",
                "mentions.parquet", "records.parquet")


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
    # for the batch's cross-year refinement (tables.years), never written: the whole analysis of a report
    # whose digit-run splits stay open (its rows are made again once narrowed), else the cells the
    # identities between years read (the analysis is a PackedAnalysis once it left the child that made it)
    analysis: Any = None
    year_cells: Any = None
    # the document's lines per output file, UTF-8 encoded, when they were made where the document was extracted
    # (extract_reports(serialize=True)); its summary, mentions, records and tasks are then in the lines only, and
    # ``written`` holds what the batch totals read of them. Bytes: they cross from the child process that made
    # them as they are (a str is encoded to pickle it and decoded again), where the rows' dicts took the
    # process that writes about a second per 10 MB of reports to unpickle
    lines: dict[str, bytes] | None = None
    written: WrittenDocument | None = None

    def organ_year(self) -> tuple[str | None, int | None]:
        if self.written is not None:
            return self.written.organ, self.written.year
        return self.document.get("organ"), self.document.get("year")


@dataclass
class PackedAnalysis:
    """A held report's analysis as it leaves the child process that made it: its tables, which the cross-year
    narrowing reads and changes, and the rest pickled, unpickled only for a report the narrowing changed. Whole,
    the analyses of the 40 held reports of the 10 MB bench corpus took the process that writes 0.33 s to
    unpickle, beside the workers on the same cores; their tables, about a fifth of that."""

    tables: Any
    rest: bytes

    @classmethod
    def of(cls, analysis: Analysis) -> PackedAnalysis:
        import pickle

        return cls(analysis.tables, pickle.dumps(replace(analysis, tables=None), protocol=pickle.HIGHEST_PROTOCOL))

    def unpack(self) -> Analysis:
        import pickle

        return replace(pickle.loads(self.rest), tables=self.tables)  # our own child's bytes


@dataclass
class WrittenDocument:
    """What the batch totals, the cross-year checks and the failure notices read of a written document: a few
    figures, where its rows are thousands of dicts."""

    doc: str | None
    path: str
    organ: str | None = None
    year: int | None = None
    error: str | None = None
    n_chars: int = 0
    n_figures: int = 0
    n_linked: int = 0
    n_canonical: int = 0
    checks_failed: int = 0
    n_records: int = 0
    n_conflicts: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    table_values: dict[str, Any] = field(default_factory=dict)  # indicator → value of its table record

    @classmethod
    def of(cls, res: DocumentResult) -> WrittenDocument:
        if res.written is not None:
            return res.written
        doc = res.document
        return cls(doc=doc.get("doc"), path=res.path, organ=doc.get("organ"), year=doc.get("year"), error=res.error,
                   n_chars=res.n_chars, n_figures=doc.get("n_figures", 0), n_linked=doc.get("n_linked", 0),
                   n_canonical=doc.get("n_canonical", 0),
                   checks_failed=sum(1 for s in doc.get("checks", {}).values() if s == "fail"),
                   n_records=len(res.records), n_conflicts=sum(1 for r in res.records if r["conflict"]),
                   dropped=dict(doc.get("dropped", {})),
                   table_values={r["indicator"]: r["value"] for r in res.records if r["source"] == "table"})


@dataclass
class WrittenPart:
    """Consecutive documents whose output lines are already in files, one file per output (a dask partition's,
    written by its worker): ``write_outputs`` appends each file to its output as it is, without reading a row."""

    files: dict[str, Path]  # output name (documents.jsonl, ...) → the lines of these documents, in input order
    documents: list[WrittenDocument]


class Extractor:
    """Holds the loaded resources (model, lexicons) and extracts one document at a time."""

    def __init__(self, model: str | Path | None = None, use_model: bool = True, with_tasks: bool = False,
                 linker: str | Path | None = None, link_policy: str | None = None, pipeline: Pipeline | None = None,
                 keep_spans: bool = False):
        """``pipeline`` (default: ``Pipeline.from_config`` of the other options) finds spans and links;
        ``keep_spans`` keeps every span found in the result (evaluation scores them)."""
        from ..indicators import indicator_units

        self.pipeline = pipeline or Pipeline.from_config(model, use_model, linker, link_policy)
        self.with_tasks = with_tasks
        self.keep_spans = keep_spans
        self.units = indicator_units()  # canonical unit of each id

    def warm_up(self) -> None:
        """Read and extract a short report once, so that what is loaded and compiled on first use (readers,
        OpenCC, cn2an, patterns) is there before workers fork, and the scanners' alternations for the first
        characters the short text does not hold: else each worker loads them again (a dask worker once per
        partition), which took about half a second per worker."""
        import tempfile

        from ..link.rules import load_rules
        from ..spans.rules import exclusion_scanner, scanner

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "warm-up.txt"
            path.write_text(_batch_config()["warm_up_text"], encoding="utf-8")
            self(path, "warm-up")
        for alternation in (scanner(), exclusion_scanner(), load_rules().lexicon_scan):
            alternation.compile_all()

    def __call__(self, path: str | Path, doc_id: str | None = None) -> DocumentResult:
        """Read and extract one file; ``doc_id`` (default: the file's stem) names it in every output row."""
        from ..ingest import IngestError, read_document

        doc_id = doc_id or Path(path).stem
        try:
            doc = read_document(Path(path))
        except IngestError as err:
            return _failed(str(path), doc_id, f"IngestError: {err}", [str(err)])
        doc.doc = doc_id
        if not doc.text.strip():
            warnings = doc.warnings or [f"{path}: no text"]
            return _failed(doc.path, doc_id, "; ".join(warnings), warnings)
        return self.extract(doc)

    def extract(self, doc: Document) -> DocumentResult:
        """Run every stage after ingestion on one document."""
        from ..tables.years import open_across_years, year_cells

        analysis = self.pipeline(doc)
        result = document_result(analysis, self.units, self.with_tasks, self.keep_spans)
        if not result.document["organ"] or result.document["year"] is None:
            return result  # no organ-year: nothing to narrow across years
        if open_across_years(analysis.tables):
            result.analysis = analysis
        else:
            result.year_cells = year_cells(analysis.tables)
        return result


def document_result(analysis: Analysis, units: dict[str, Any], with_tasks: bool = False,
                    keep_spans: bool = False) -> DocumentResult:
    """Mentions, records, the document summary and (``with_tasks``) tasks of one document's analysis;
    ``units``: the canonical unit of each indicator id."""
    from ..records import merge_records

    doc = analysis.doc
    tables, meta, links = analysis.tables, analysis.meta, analysis.links
    mentions = [_text_mention(doc.doc, link) for link in links]
    mentions += [_table_mention(doc.doc, doc.text, cell) for cell in tables.values]
    dropped: Counter = Counter()
    # ids the phrase named but the figure does not measure for the body, by the reason the linker withheld them
    # (link.rules: share, not_in_spec, narrower, coordinated, cumulative; whole_body_id: partial_scope, other_work,
    # outside_remit): counted, never silent. A link that got an id after all (the learned policies) gave none up.
    dropped.update(lk.withheld for lk in links if getattr(lk, "withheld", None) and lk.canonical_id is None)
    if doc.meta.get("ocr"):
        from ..ingest.ocr import weigh_mentions

        weigh_mentions(doc, mentions)  # OCR'd values carry their recognition score
    records = merge_records(doc.doc, meta.get("organ"), meta.get("year"), _candidates(mentions), units, dropped,
                            part_of_body)
    checks = {c.name: c.status for c in tables.checks}
    figures = [m for m in mentions if m.source == "text"]
    summary = {
        "doc": doc.doc,
        "path": doc.path,
        "organ": meta.get("organ"),
        "year": meta.get("year"),
        "form": tables.form,
        "ids_form": analysis.ids_form,
        "published": meta.get("published"),
        "n_figures": len(figures),
        "n_linked": sum(1 for m in figures if m.indicator_text),
        "n_canonical": sum(1 for m in figures if m.indicator),
        "checks": checks,
        "check_details": [c.to_dict() for c in tables.checks],
        "tables": [t.to_dict() for t in tables.coverage],
        "dropped": {reason: n for reason, n in sorted(dropped.items()) if n},
        "warnings": doc.warnings + [t.warning for t in tables.coverage if t.warning] + _ids_form_warning(analysis),
        "error": None,
    }
    if doc.meta.get("ocr"):
        summary["ocr_pages"] = doc.meta["ocr"]["pages"]
    tasks = []
    if with_tasks:
        from ..annotate.task_builder import analysis_tasks

        tasks = analysis_tasks(analysis)
    # the rows are the mentions' and records' own attribute dicts (what to_dict copies): neither is read again, and
    # copying a hundred thousand of them took about 0.3 s per 10 MB of reports
    mention_rows, record_rows = [vars(m) for m in mentions], [vars(r) for r in records]
    enrich_outputs(doc.text, summary, mention_rows, record_rows)
    return DocumentResult(doc.path, summary, mention_rows, record_rows, tasks, len(doc.text),
                          spans=analysis.spans if keep_spans else [])


def _ids_form_warning(analysis: Analysis) -> list[str]:
    """A warning when the ids of the figures follow the form of the report's year, not of a table it holds."""
    if analysis.ids_form in (None, "none", analysis.tables.form):
        return []
    return [(f"{analysis.doc.path}: no statistical table read; the ids of its figures follow the "
             f"{analysis.ids_form} form of its year ({analysis.meta.get('year')})")]


def _failed(path: str, doc_id: str, error: str, warnings: list[str] | None = None) -> DocumentResult:
    """A document that gave no result; ``error`` says why (``Name: message`` for an exception)."""
    return DocumentResult(path, {"doc": doc_id, "path": path, "warnings": warnings or [], "error": error},
                          error=error)


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
        doc=doc_id, text=shown, start=start, end=end, label="MEASURE" if cell.unit in _money_units() else "COUNT",
        value=cell.value, unit=cell.unit, indicator=cell.indicator, indicator_text=cell.row_label,
        source="table", method="table", confidence=cell.confidence, uncertain=cell.uncertain,
        alternatives=list(cell.alternatives) or None,
    )


@lru_cache(maxsize=1)
def _money_units() -> frozenset[str]:
    from ..config import load_config

    return frozenset(load_config("records.yml")["money_units"])


def _candidates(mentions: Iterable[Mention]) -> Iterator[Any]:
    from ..records import Candidate, split_unit

    for m in mentions:
        if m.indicator and m.label in ("COUNT", "MEASURE"):
            # a text figure's value already holds its 万/亿 (约20万元 → 200000) while its unit is as written:
            # the candidate carries the base unit (元) so the value converts to the indicator's unit
            unit = split_unit(m.unit)[0] if m.source == "text" else m.unit
            yield Candidate(m.indicator, m.value, unit, m.source, m.start, m.end, m.approx, m.scope,
                            m.confidence, m.uncertain, m.text)


_WORKER: Extractor | None = None
_WORKER_OPTIONS: tuple | None = None
_LOADING = threading.Lock()


def _unlock_loading_in_child() -> None:
    """A child forked while another thread of its parent held ``_LOADING`` would wait on it forever: that thread
    does not exist in the child."""
    global _LOADING
    _LOADING = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_unlock_loading_in_child)


def preload_extractor(model: str | Path | None = None, use_model: bool = True, with_tasks: bool = False) -> Extractor:
    """The extractor ``extract_paths`` uses for these options, loaded now (a benchmark loads before timing)."""
    _load_extractor(str(model) if model else None, use_model, with_tasks)
    assert _WORKER is not None
    return _WORKER


def _load_extractor(model: str | None, use_model: bool, with_tasks: bool) -> None:
    """This process's extractor for these options, kept between batches (loading takes seconds).

    Loaded in the batch process before its workers are forked, so they start with it (and a worker replaced
    after a timeout starts at once); a platform without fork loads it in each worker instead. Several threads
    of one process (dask workers of a LocalCluster) load it once: loading it in each of their workers instead,
    side by side, took as long before the first report and twice the CPU.
    """
    global _WORKER, _WORKER_OPTIONS
    options = (model, use_model, with_tasks)
    if _WORKER is not None and _WORKER_OPTIONS == options:  # loaded and warm: no lock to wait on
        return
    with _LOADING:
        if _WORKER is None or _WORKER_OPTIONS != options:
            from ..pattern_cache import cached_patterns

            with cached_patterns():
                worker = Extractor(model, use_model, with_tasks)
                worker.warm_up()
            _WORKER, _WORKER_OPTIONS = worker, options  # published once warm
            _freeze_loaded()


def _freeze_loaded() -> None:
    """Take everything loaded so far (model, lexicons, compiled patterns) out of the garbage collector's scans.

    They live as long as the batch; each full collection re-scanned them all, about 5% of a rules-only run.
    """
    import gc

    gc.freeze()


def _run_worker(report: Any) -> DocumentResult:
    assert _WORKER is not None
    result = _WORKER(report.path, report.doc)
    if result.analysis is not None:  # held: it goes to the batch process
        result.analysis = PackedAnalysis.of(result.analysis)
    return result


def _run_worker_serialized(report: Any) -> DocumentResult:
    """``_run_worker``, the result completed with its input warnings and carrying its output lines (a result held
    for the cross-year refinement too: they are written as they are unless a neighbouring year narrows it)."""
    assert _WORKER is not None
    result = _run_worker(report)
    result.document["warnings"][:0] = report.warnings
    return with_lines(result, _WORKER.with_tasks)


def with_lines(result: DocumentResult, with_tasks: bool) -> DocumentResult:
    """The result carrying its output lines (``DocumentResult.lines``) and its ``WrittenDocument`` instead of its
    rows, so that what crosses to the process that writes is a few strings rather than thousands of dicts; a result
    whose rows cannot be written becomes a failed one, as in ``write_outputs``."""
    result, lines = _serialized(result, with_tasks)
    result.lines = lines
    result.written = WrittenDocument.of(result)
    result.document, result.mentions, result.records, result.tasks = {}, [], [], []
    return result


def _failed_report(report: Any, error: str) -> DocumentResult:
    return _failed(str(report.path), report.doc, error, [f"{report.path}: {error}"])


def _file_size(report: Any) -> int:
    try:
        return report.path.stat().st_size
    except OSError:
        return 0


def extract_paths(paths: Iterable[str | Path], workers: int = 1, model: str | Path | None = None,
                  use_model: bool = True, with_tasks: bool = False, progress: Callable[[int], None] | None = None,
                  warn: Any = None, budget: Any = None, engine: str = "local", scheduler: str | None = None,
                  parts_dir: Path | None = None, serialize: bool = False) -> Iterator[DocumentResult]:
    """Extract every report under ``paths`` (see ``extract_reports``); ``warn(message)`` receives what is
    noticed about the inputs (links skipped, document ids changed; default: stderr)."""
    from ..ingest.inputs import iter_report_inputs

    reports = list(iter_report_inputs(paths, warn or notices.warn))
    return extract_reports(reports, workers, model, use_model, with_tasks, progress, budget, engine, scheduler,
                           parts_dir, serialize)


def extract_reports(reports: list[Any], workers: int = 1, model: str | Path | None = None, use_model: bool = True,
                    with_tasks: bool = False, progress: Callable[[int], None] | None = None, budget: Any = None,
                    engine: str = "local", scheduler: str | None = None, parts_dir: Path | None = None,
                    serialize: bool = False, across_years: bool = True,
                    keep_pool: tuple | None = None) -> Iterator[DocumentResult | WrittenPart]:
    """Extract ``inputs.ReportFile``s in ``workers`` guarded processes (``batch``), yielding results in input
    order; ``budget`` overrides the time budget of configs/batch.yml (a ``batch.TimeBudget``); ``progress`` is
    called with the number of documents each step completes (the CLI's progress bar).

    ``engine="dask"`` spreads the reports over dask.distributed (a LocalCluster of ``workers``, or the scheduler
    at ``scheduler``), each partition's results written under ``parts_dir`` (shared storage on a real cluster).

    ``serialize``: results carry their output lines (``DocumentResult.lines``, for ``write_outputs``) in place of
    their mentions and tasks, made in the worker processes: JSON encoding then runs beside the extraction instead
    of in the one process that writes, which several workers would keep waiting. On dask, most come as
    ``WrittenPart``s: a partition's lines in files, which ``write_outputs`` appends as they are.

    ``across_years=False``: no result is held for the cross-year narrowing; each comes in input order with
    its ``analysis`` or ``year_cells`` for a caller that narrows across a larger batch (a dask partition's).

    ``keep_pool``: the key of worker processes kept for the next call with that key (``isolation.run_isolated``
    ``keep``; a dask worker thread's, from partition to partition).
    """
    from .isolation import forks_workers, run_isolated

    options = (str(model) if model else None, use_model, with_tasks)
    if engine == "dask":
        yield from _extract_on_dask(reports, workers, options, progress, scheduler, parts_dir, serialize)
        return
    if forks_workers():
        _load_extractor(*options)
    done = progress or _no_progress
    work = _run_worker_serialized if serialize else _run_worker
    results = run_isolated(reports, work, _failed_report, workers=min(workers, max(len(reports), 1)),
                           budget=budget, size_of=_file_size, initializer=_load_extractor, initargs=options,
                           keep=keep_pool)
    years = AcrossYears(with_tasks, serialize)
    for i, result in enumerate(results):  # not zip: the pool closes when its generator runs to its end
        if result.lines is None:  # else the worker added them before writing its lines
            result.document["warnings"][:0] = reports[i].warnings
        if across_years and years.hold(result, reports[i].warnings):
            continue
        yield result
        done(1)
    for result in years.release():
        yield result
        done(1)


class AcrossYears:
    """The batch's cross-year refinement: reports whose digit-run splits stay open on cells the identities
    between years read are held to the end of the batch, where the identities between consecutive years of one organ (上年结转 of Y+1 = 结转下年度 of Y,
    configs/tables.yml cross_year) narrow them (tables.years.refine_across_years); a held report the narrowing
    changed has its rows made again, the others are written as they came (``serialize``: with their output lines,
    else with their rows). Every other report is written at once, keeping only the few cells the identities
    read."""

    def __init__(self, with_tasks: bool, serialize: bool = False):
        self.with_tasks = with_tasks
        self.serialize = serialize
        self.held: list[tuple[DocumentResult, list[str], Any]] = []  # (result, input warnings, tables as held)
        self.yearly: list[tuple[str | None, int | None, Any]] = []

    def hold(self, result: DocumentResult, input_warnings: list[str]) -> bool:
        """Note a result's cells; True when it is held back (open splits a neighbouring year may narrow)."""
        organ, year = result.organ_year()
        if result.analysis is not None:
            self.held.append((result, input_warnings, _narrowable_state(result.analysis.tables)))
            self.yearly.append((organ, year, result.analysis.tables))
            return True
        if result.year_cells is not None:
            self.note_cells(organ, year, result.year_cells)
            result.year_cells = None
        return False

    def note_cells(self, organ: str | None, year: int | None, cells: Any) -> None:
        """The cells a written report gives its neighbouring years (``tables.years.year_cells``)."""
        self.yearly.append((organ, year, cells))

    def release(self) -> Iterator[DocumentResult]:
        """The held reports, in input order, their splits narrowed where the neighbouring years decide."""
        from ..indicators import indicator_units
        from ..tables.years import refine_across_years

        if not self.held:
            return
        refine_across_years(self.yearly)
        for result, input_warnings, state in self.held:
            if _narrowable_state(result.analysis.tables) == state:  # nothing narrowed: its rows stand
                result.analysis = None
                yield _with_rows(result) if result.lines is not None and not self.serialize else result
                continue
            # held results come from worker processes (run_isolated), which pack their analyses (_run_worker)
            again = document_result(result.analysis.unpack(), indicator_units(), self.with_tasks)
            again.document["warnings"][:0] = input_warnings
            yield with_lines(again, self.with_tasks) if self.serialize else again


def _narrowable_state(tables: Any) -> tuple:
    """What the cross-year narrowing can change in a report's tables: it drops candidates of open splits (which
    sets their cells' values, alternatives and uncertainty) and runs the checks again."""
    return (tuple(len(choice.candidates) for choice in tables.splits), [c.to_dict() for c in tables.checks])


def _with_rows(result: DocumentResult) -> DocumentResult:
    """A result carrying its output lines (``with_lines``) with its rows read back from them."""
    import json

    assert result.lines is not None

    def rows(name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in result.lines.get(name, b"").split(b"\n")[:-1]]

    (result.document,) = rows("documents.jsonl")
    result.mentions, result.records, result.tasks = rows("mentions.jsonl"), rows("records.jsonl"), rows("tasks.jsonl")
    result.lines = result.written = None
    return result


def _extract_on_dask(reports: list[Any], workers: int, options: tuple, progress: Callable[[int], None] | None,
                     scheduler: str | None,
                     parts_dir: Path | None, serialize: bool = False) -> Iterator[DocumentResult | WrittenPart]:
    from .dask_engine import DaskRun, WorkerSettings

    done = progress or _no_progress
    settings = WorkerSettings(*options, serialize=serialize)
    # the cross-year narrowing spans the whole batch, as in one process: partitions send the reports they
    # would hold and every other report's year cells, and the held ones are written at the end of the batch
    _, _, with_tasks = options
    years = AcrossYears(with_tasks, serialize)
    with DaskRun(parts_dir or Path("out") / ".parts", settings, workers, scheduler) as run:
        for item in run.results(reports, years):  # input warnings were added on the worker (extract_reports)
            yield item
            done(len(item.documents) if isinstance(item, WrittenPart) else 1)
    for result in years.release():
        yield result
        done(1)


def _no_progress(documents: int) -> None:
    """No progress shown (``progress`` of extract_reports: called with the number of documents just done)."""


def write_outputs(results: Iterable[DocumentResult], out_dir: Path, with_tasks: bool = False,
                  on_result: Any = None, parquet: bool = False) -> dict[str, Any]:
    """Write documents, mentions, records (jsonl + csv, and parquet when asked), cross-year checks and,
    ``with_tasks``, tasks; return the totals (``dropped`` figures per reason, the first ``failures`` as
    (doc, path, error)).

    ``results`` holds ``DocumentResult``s and ``WrittenPart``s (runs of documents whose lines are in files).
    ``on_result(written)`` is called after each document is written, with its ``WrittenDocument``: a document
    whose rows cannot be written (a value no encoder renders) is written as a failed document instead.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    totals = {"documents": 0, "failed": 0, "chars": 0, "figures": 0, "linked": 0, "canonical": 0, "records": 0,
              "conflicts": 0, "checks_failed": 0, "dropped": Counter(), "failures": []}
    from ..tables.checks import cross_year_checks

    yearly: list[tuple[str | None, int | None, _TableValues]] = []
    with ExitStack() as stack:
        names = ("documents.jsonl", "mentions.jsonl", "records.jsonl", "records.csv")
        names += ("tasks.jsonl",) if with_tasks else ()
        # binary: the lines come encoded (_lines); the csv starts with a BOM, which tells Excel the file is
        # UTF-8 (without it a Chinese Windows reads GBK)
        files = {name: stack.enter_context(open(out_dir / name, "wb")) for name in names}
        files["records.csv"].write(_csv_rows([RECORD_COLUMNS]).encode("utf-8-sig"))
        sinks = {}
        if parquet:
            from .columnar import ParquetSink

            sinks = {kind: ParquetSink(out_dir / f"{kind}.parquet", kind) for kind in ("mentions", "records")}
            for sink in sinks.values():
                stack.callback(sink.close)
        for item in results:
            if isinstance(item, WrittenPart):
                if sinks:
                    raise ValueError("parquet needs the rows: a WrittenPart holds only their lines (extract with "
                                     "serialize=False)")
                _append_files(files, item.files)
                written = item.documents
            else:
                res, lines = (item, item.lines) if item.lines is not None else _serialized(item, with_tasks)
                for name, text in lines.items():
                    files[name].write(text)  # one write per document and file
                for kind, sink in sinks.items():
                    sink.add(res.mentions if kind == "mentions" else res.records)
                written = [WrittenDocument.of(res)]
            for doc in written:
                _add_to_totals(totals, doc)
                yearly.append((doc.organ, doc.year, _TableValues(doc.table_values)))
                if on_result is not None:
                    on_result(doc)
    cross_year = [c.to_dict() for c in cross_year_checks(yearly)]
    with open(out_dir / "cross_year.jsonl", "w", encoding="utf-8") as f:
        f.writelines(_json_line(c) for c in cross_year)
    totals["checks_failed"] += sum(1 for c in cross_year if c["status"] == "fail")
    return totals


def _serialized(res: DocumentResult, with_tasks: bool) -> tuple[DocumentResult, dict[str, bytes]]:
    """The document's lines per output file, or a failed document's when its rows cannot be written."""
    try:
        return res, _lines(res, with_tasks)
    except Exception as err:  # noqa: BLE001 -- e.g. a 20,000-digit integer json and csv refuse (or a lone
        # surrogate UTF-8): the batch goes on
        from .isolation import describe_error

        error = f"{describe_error(err)} (writing its rows)"
        failed = _failed(res.path, res.document.get("doc"), error,
                         res.document.get("warnings", []) + [f"{res.path}: {error}"])
        return failed, _lines(failed, with_tasks)


def _lines(res: DocumentResult, with_tasks: bool) -> dict[str, bytes]:
    """The document's lines per output file, UTF-8 encoded (the csv rows end in \\r\\n; a JSON line holds no raw
    newline)."""
    lines = {"documents.jsonl": _json_line(res.document),
             "mentions.jsonl": "".join(map(_json_line, res.mentions)),
             "records.jsonl": "".join(map(_json_line, res.records)),
             # rows as lists: DictWriter's per-row checks and generator cost more than writing them
             "records.csv": _csv_rows([row.get(col, "") for col in RECORD_COLUMNS] for row in res.records)}
    if with_tasks:
        lines["tasks.jsonl"] = "".join(map(_json_line, res.tasks))
    return {name: text.encode("utf-8") for name, text in lines.items()}


def _csv_rows(rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _add_to_totals(totals: dict[str, Any], doc: WrittenDocument) -> None:
    totals["documents"] += 1
    totals["failed"] += doc.error is not None
    if doc.error is not None and len(totals["failures"]) < _batch_config()["failures_shown"]:
        totals["failures"].append((doc.doc, doc.path, doc.error))
    totals["chars"] += doc.n_chars
    totals["figures"] += doc.n_figures
    totals["linked"] += doc.n_linked
    totals["canonical"] += doc.n_canonical
    totals["checks_failed"] += doc.checks_failed
    totals["records"] += doc.n_records
    totals["conflicts"] += doc.n_conflicts
    totals["dropped"].update(doc.dropped)


def _append_files(outputs: dict[str, Any], parts: dict[str, Path]) -> None:
    """Append each part file's bytes to its open (binary) output."""
    for name, path in parts.items():
        with open(path, "rb") as part:
            _append_file(part, outputs[name])


def _append_file(part: Any, output: Any) -> None:
    """Append the open ``part``'s bytes to the buffered binary ``output``, in the kernel where it can
    (copy_file_range): read and written in Python, the lines of a dask run cost the client's process a second per
    10 MB of text, on a core its workers need."""
    import shutil

    output.flush()
    size, done = os.fstat(part.fileno()).st_size, 0
    try:
        while done < size:
            copied = os.copy_file_range(part.fileno(), output.fileno(), size - done, done)
            if copied == 0:
                break
            done += copied
    except (AttributeError, OSError):  # not Linux, or not between these two files: the rest is copied below
        pass
    output.seek(0, os.SEEK_END)  # the writer's own position, which the kernel's copy moved under it
    part.seek(done)
    shutil.copyfileobj(part, output, 1 << 20)


class _TableValues:
    """The table records of one document, as the cross-year check reads them (``value_of``)."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def value_of(self, indicator: str) -> Any:
        return self.values.get(indicator)


def _batch_config() -> dict[str, Any]:
    from ..config import load_config

    return load_config("batch.yml")
