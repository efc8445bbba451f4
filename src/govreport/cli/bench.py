"""``govreport bench``: throughput and memory (``make bench``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    from ..bench import run_bench

    print_report(run_bench(out, model, size, progress=lambda line: typer.echo(line, err=True)))


def print_report(report: dict[str, Any]) -> None:
    """The benchmark table and the targets on stderr."""
    from rich.console import Console
    from rich.table import Table

    from ..bench import _format_ocr

    table = Table(title="govreport bench")
    for col in ("size", "stage", "workers", "chars/s", "docs/s", "peak RSS MB", "load s", "x regex"):
        table.add_column(col, justify="right")
    for r in report["runs"]:
        table.add_row(r["size"], r["stage"], str(r["workers"]), f"{r['chars_per_s']:,.0f}", f"{r['docs_per_s']:.1f}",
                      f"{r['peak_rss_mb']:.0f}", f"{r['load_seconds']:.1f}", f"{r['ratio_to_regex']:.3f}")
    console = Console(stderr=True)
    console.print(table)
    if report.get("commands"):
        commands = Table(title="end to end: govreport extract CORPUS --out DIR (start-up and default outputs; "
                               "median of the rounds)")
        for col in ("size", "command", "arguments", "chars/s", "each round", "seconds", "chars/CPU s",
                    "peak RSS MB", "largest process MB"):
            commands.add_column(col, justify="right")
        for r in report["commands"]:
            rounds = " ".join(f"{v / 1000:,.0f}k" for v in r.get("repeats_chars_per_s", []))
            per_cpu = f"{r['chars_per_cpu_s']:,.0f}" if r.get("chars_per_cpu_s") else "-"
            commands.add_row(r["size"], r["command"], " ".join(r["args"]), f"{r['chars_per_s']:,.0f}", rounds,
                             f"{r['seconds']:.1f}", per_cpu, f"{r['peak_rss_mb']:.0f}",
                             f"{r['peak_rss_process_mb']:.0f}")
        console.print(commands)
    shapes = Table(title="steady state per document shape (one worker)")
    for col in ("size", "stage", "shape", "docs", "chars/s"):
        shapes.add_column(col, justify="right")
    for r in report["runs"]:
        for shape, v in sorted(r.get("per_shape", {}).items()):
            shapes.add_row(r["size"], r["stage"], shape, str(v["docs"]), f"{v['chars_per_s']:,.0f}")
    if shapes.row_count:
        console.print(shapes)
    if report.get("ocr", {}).get("pages"):
        console.print(_format_ocr(report["ocr"]))
    if report.get("pattern_cache"):
        cache = report["pattern_cache"]
        console.print(f"rules extractor load: {cache['rules_first_load_seconds']:.2f} s on the first run, "
                      f"{cache['rules_later_load_seconds']:.2f} s on later runs (compiled patterns kept between runs)")
    for name, t in report["targets"].items():
        rounds = f" (each round: {', '.join(f'{v:.3f}' for v in t['rounds'])})" if t.get("rounds") else ""
        console.print(f"{name}: measured {t['measured']}, target {t['target']}, {'met' if t['met'] else 'NOT met'}"
                      f"{rounds}")
