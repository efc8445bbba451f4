"""``govreport bench``: throughput and memory (``make bench``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from .app import DEFAULT_MODEL, _output_dir, app


@app.command()
def bench(
    out: Path = typer.Option(Path("out/bench"), callback=_output_dir,
                             help="Folder for bench.json and the benchmark corpora."),
    model: Path = typer.Option(DEFAULT_MODEL, help="Span model for the hybrid runs."),
    size: list[str] = typer.Option(None, help="Only these sizes of configs/bench.yml (e.g. 1MB)."),
) -> None:
    """Throughput, memory and scaling of ingest and extract, beside a regex baseline."""
    from ..bench import print_report, run_bench

    print_report(run_bench(out, model, size))
