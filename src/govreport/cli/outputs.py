"""Using the outputs: ``export`` (csv, xlsx, parquet), ``view`` (static HTML), ``docs`` (the data dictionary).
"""

from __future__ import annotations

from pathlib import Path

import typer

from .app import app


@app.command()
def docs(
    to: Path = typer.Option(Path("docs/outputs.md"), "--to", help="The data dictionary to write."),
) -> None:
    """Write the data dictionary of the outputs (docs/outputs.md) from the output schema and configs/indicators.yml."""
    from ..extract.schema import data_dictionary

    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_text(data_dictionary(), encoding="utf-8")
    typer.echo(f"data dictionary written to {to}", err=True)


@app.command()
def export(
    out_dir: Path = typer.Argument(..., help="Output folder of govreport extract."),
    to: Path = typer.Option(..., "--to", help="File to write."),
    fmt: str = typer.Option("csv", "--format", help="csv, xlsx or parquet."),
    wide: bool = typer.Option(False, "--wide", help="One row per report, one column per indicator."),
) -> None:
    """Records as a long (report × indicator) or wide (report × indicators) table; marked cells flagged."""
    from ..dataset import FORMATS, ResultsError, export_table

    if fmt not in FORMATS:
        typer.echo(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}", err=True)
        raise typer.Exit(code=2)
    try:
        counts = export_table(out_dir, fmt, to, wide=wide)
    except (ResultsError, ImportError, OSError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"{counts['rows']} rows, {counts['indicators']} indicators, {counts['marked']} marked cells "
               f"written to {to}", err=True)


@app.command()
def view(
    out_dir: Path = typer.Argument(..., help="Output folder of govreport extract."),
    to: Path = typer.Option(..., "--to", help="Folder for the HTML pages."),
    source_root: Path = typer.Option(None, help="Where the report files are when their stored paths do not "
                                                "resolve from here."),
    open_browser: bool = typer.Option(False, "--open", help="Open index.html in the browser."),
) -> None:
    """Static HTML pages (offline): an index, one page per report, one panel per organ with several years."""
    from ..dataset import ResultsError
    from ..view import build_view

    try:
        summary = build_view(out_dir, to, source_root)
    except (ResultsError, ImportError, OSError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from None
    for problem in summary.texts_missing:
        typer.echo(f"warning: {problem}", err=True)
    typer.echo(f"{summary.reports} report pages ({summary.figures} figures highlighted), {summary.panels} panels: "
               f"{summary.index}", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(summary.index.resolve().as_uri())
