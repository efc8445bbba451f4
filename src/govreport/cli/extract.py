"""Commands that read reports: ``ingest``, ``extract`` (its summary and failures), ``tables``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from .app import DEFAULT_MODEL, _one_of, _output_file, app


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., exists=True, help="Files or folders of reports."),
    out: Path = typer.Option(Path("out/ingest"), help="Folder for documents.jsonl."),
) -> None:
    """Read report files into normalised documents (DIR/documents.jsonl)."""
    from ..extract.staging import staged_output
    from ..ingest import ingest_to_dir

    _show_ocr_progress()
    with staged_output(out, ("documents.jsonl", "warnings.jsonl")) as staging:
        n_ok = ingest_to_dir(paths, staging.path)
        if n_ok:
            staging.publish()
    if n_ok == 0:
        typer.echo(f"no document could be read; {out} left as it was", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{n_ok} documents read into {out / 'documents.jsonl'} (warnings: {out / 'warnings.jsonl'})", err=True)


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., exists=True, help="Files or folders of reports."),
    out: Path = typer.Option(Path("out"), help="Folder for documents, mentions, records and cross-year checks."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    model: Path = typer.Option(DEFAULT_MODEL, help="Trained span model; rules fill in when it is missing."),
    no_model: bool = typer.Option(False, "--no-model", help="Rules only."),
    tasks: bool = typer.Option(False, "--tasks/--no-tasks", help="Also write Prodigy tasks for correcting the "
                               "output (tasks.jsonl); about half of extract's time."),
    engine: str = typer.Option("local", callback=_one_of("local", "dask"),
                               help="local (processes on this machine) or dask (dask.distributed)."),
    scheduler: str = typer.Option(None, help="With --engine dask: address of a running scheduler (default: a "
                                  "LocalCluster of --workers processes)."),
    parquet: bool = typer.Option(False, help="Also write mentions.parquet and records.parquet."),
) -> None:
    """Extract figures, indicators and records from reports (the main job).

    Exit codes: 0 every document was read, 1 some failed (named on stderr and in documents.jsonl), 2 usage error.

    The outputs replace the earlier ones only when the run completes.
    """
    from ..extract.reports import OUTPUT_FILES, extract_reports, write_outputs
    from ..extract.staging import staged_output
    from ..ingest.inputs import iter_report_inputs

    reports = list(iter_report_inputs(paths))  # problems warned through notices, printed by the app
    if not reports:
        raise typer.BadParameter(f"no report files under {', '.join(map(str, paths))}", param_hint="'PATHS...'")
    _show_ocr_progress()
    with staged_output(out, OUTPUT_FILES) as staging, _progress_bar(len(reports)) as bar:
        results = extract_reports(reports, workers=workers, model=model, use_model=not no_model, with_tasks=tasks,
                                  progress=bar.update, engine=engine, scheduler=scheduler,
                                  parts_dir=staging.path / ".parts",
                                  serialize=_encode_in_workers(engine, workers, parquet))
        totals = write_outputs(results, staging.path, with_tasks=tasks, on_result=_echo_failure, parquet=parquet)
        if totals["failed"] < totals["documents"]:
            staging.publish()
    print_summary(totals)
    if totals["failed"] == totals["documents"]:
        typer.echo(f"no document could be read; the outputs in {out} are left as they were", err=True)
    if totals["failed"]:
        raise typer.Exit(code=1)


def _encode_in_workers(engine: str, workers: int, parquet: bool) -> bool:
    """Whether the workers encode the output rows (extract_reports ``serialize``): not for parquet, which writes
    the rows themselves, nor for one local worker when the writing process has a core of its own beside it: it
    then encodes in parallel (6% less wall time of a rules-only run). On one core that costs more CPU than it
    saves: the batch process unpickles every row before encoding it (10 MB, rules only: 22 s CPU, not 20 s)."""
    import os

    one_core = len(os.sched_getaffinity(0)) < 2
    return not parquet and (engine == "dask" or workers > 1 or one_core)


def _progress_bar(documents: int):
    """A progress bar of documents on stderr, gone when the run ends (none for a single document)."""
    import sys

    from tqdm import tqdm

    return tqdm(total=documents, unit="doc", file=sys.stderr, disable=documents < 2, leave=False)


def _echo_failure(written) -> None:
    """Name a failed document on stderr as it is written (``extract.reports.WrittenDocument``)."""
    if written.error is not None:
        typer.echo(f"error: {written.doc} ({written.path}): {written.error}", err=True)


def _show_ocr_progress() -> None:
    """One stderr line per OCR'd page of a scanned PDF (OCR takes seconds per page)."""
    import sys

    from ..ingest.ocr import set_page_progress

    set_page_progress(lambda page, total, path: print(f"OCR {path}: page {page}/{total}", file=sys.stderr))


@app.command()
def tables(
    paths: list[Path] = typer.Argument(None, exists=True, help="Reports (files or folders); none: every report "
                                       "with an expected file under tests/expected."),
    out: Path = typer.Option(None, callback=_output_file,
                             help="Also write each report's table values and checks to this JSONL file."),
) -> None:
    """Statistical tables per report: form, cells, uncertain cells, checks, exact-match rate against tests/expected."""
    from ..tables.expected import table_report

    print_table_report(table_report(paths or None, out))


def print_summary(totals: dict[str, Any]) -> None:
    """The end-of-run table on stderr, the figures dropped per reason and the failed documents."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="govreport extract")
    for col in ("documents", "failed", "figures", "linked share", "canonical share", "records", "conflicts",
                "checks failed", "dropped"):
        table.add_column(col, justify="right")
    figures = max(totals["figures"], 1)
    dropped = totals.get("dropped", {})
    table.add_row(str(totals["documents"]), str(totals["failed"]), str(totals["figures"]),
                  f"{totals['linked'] / figures:.1%}", f"{totals['canonical'] / figures:.1%}",
                  str(totals["records"]), str(totals["conflicts"]), str(totals["checks_failed"]),
                  str(sum(dropped.values())))
    console = Console(stderr=True)
    console.print(table)
    if dropped:
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items()))
        console.print(f"figures linked to an indicator that gave no record: {reasons}")
    failures = totals.get("failures", [])
    if failures:
        console.print(f"failed documents ({totals['failed']}):", style="bold red")
        for doc, path, error in failures:
            console.print(f"  {escape(str(doc))} ({escape(str(path))}): {escape(error)}", soft_wrap=True)
        if totals["failed"] > len(failures):
            console.print(f"  … and {totals['failed'] - len(failures)} more: see documents.jsonl (error)")


def print_table_report(rows: list[dict[str, Any]]) -> None:
    """The per-document table report on stdout."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="statistical tables")
    for col in ("document", "form", "cells", "uncertain", "checks pass/fail/na", "exact match"):
        table.add_column(col, justify="left" if col in ("document", "form") else "right")
    exact = total = 0
    for r in rows:
        match = "-"
        if "expected" in r:
            exact, total = exact + r["exact"], total + r["expected"]
            match = f"{r['exact']}/{r['expected']} ({r['exact_rate']:.1%})"
        table.add_row(r["doc"], r["form"], str(r["cells"]), str(r["uncertain"]),
                      f"{r['checks_passed']}/{r['checks_failed']}/{r['checks_na']}", match)
    if total:
        table.add_row("all", "", "", "", "", f"{exact}/{total} ({exact / total:.2%})")
    console = Console()
    console.width = max(console.width, 140)
    console.print(table)
