"""Command line: thin typer wrappers over the package's functions."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Statistics from government information-disclosure annual reports.")
annotate_app = typer.Typer(no_args_is_help=True, help="Annotation tasks: export, validate, stats, agreement, convert.")
app.add_typer(annotate_app, name="annotate")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders of reports."),
    out: Path = typer.Option(Path("out/ingest"), help="Folder for documents.jsonl."),
) -> None:
    """Read report files into normalised documents (DIR/documents.jsonl)."""
    from .ingest import ingest_to_dir

    n_ok = ingest_to_dir(paths, out)
    if n_ok == 0:
        raise typer.Exit(code=1)


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Files or folders of reports."),
    out: Path = typer.Option(Path("out"), help="Folder for documents, mentions, records and tasks."),
    workers: int = typer.Option(1, help="Worker processes."),
    model: Path = typer.Option(Path("models/ner"), help="Trained span model; rules fill in when it is missing."),
    no_model: bool = typer.Option(False, "--no-model", help="Rules only."),
    tasks: bool = typer.Option(True, help="Also write Prodigy tasks (tasks.jsonl)."),
) -> None:
    """Extract figures, indicators and records from reports (the main job)."""
    from .extract import extract_paths, print_summary, write_outputs

    results = extract_paths(paths, workers=workers, model=model, use_model=not no_model, with_tasks=tasks)
    totals = write_outputs(results, out)
    print_summary(totals)
    if totals["documents"] == totals["failed"]:
        raise typer.Exit(code=1)


@app.command()
def bench(
    out: Path = typer.Option(Path("out/bench"), help="Folder for bench.json and the benchmark corpora."),
    model: Path = typer.Option(Path("models/ner"), help="Span model for the hybrid runs."),
    size: list[str] = typer.Option(None, help="Only these sizes of configs/bench.yml (e.g. 1MB)."),
) -> None:
    """Throughput, memory and scaling of ingest and extract, beside a regex baseline."""
    from .bench import print_report, run_bench

    print_report(run_bench(out, model, size))


if __name__ == "__main__":
    app()
