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


if __name__ == "__main__":
    app()
