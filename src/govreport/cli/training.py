"""Training and measuring: ``train``, ``train-linker``, ``train-indicator``, ``cv``, ``evaluate``,
``learning-curve``, ``compare-baselines``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from .app import DEFAULT_MODEL, _one_of, _output_dir, _output_file, app


@app.command()
def evaluate(
    out: Path = typer.Option(Path("out/eval"), callback=_output_dir, help="Folder for report.json and report.md."),
    model: Path = typer.Option(DEFAULT_MODEL, help="Span model to compare with the rules (skipped if missing)."),
    learning_curve: Path = typer.Option(Path("out/learning_curve/curve.json"), help="The cached learning curve "
                                        "to report (`govreport learning-curve`; a note when missing)."),
) -> None:
    """Spans, links and records against the gold annotations (dev and test splits)."""
    from ..eval.suite import run_evaluation

    report = run_evaluation(out, model, learning_curve)
    print((out / "report.md").read_text(encoding="utf-8"))
    if not any(res["documents"] for res in report["splits"].values()):
        typer.echo("no gold annotations found under annotations/gold", err=True)
        raise typer.Exit(code=1)


@app.command("learning-curve")
def learning_curve_command(
    out: Path = typer.Option(Path("out/learning_curve"), help="Folder for curve.json and the runs (work/)."),
) -> None:
    """Retrain the span model and the linker on 25/50/75/100% of the gold training documents and score each."""
    from ..training.learning_curve import curve_markdown, learning_curve

    curve = learning_curve(out)
    typer.echo("\n".join(curve_markdown(curve, out / "curve.json")))


@app.command()
def train(
    out: Path = typer.Option(Path("models"), callback=_output_dir, help="Folder for the trained model (OUT/ner)."),
    segmenter: str = typer.Option(None, callback=_one_of("char", "pkuseg"),
                                  help="char or pkuseg (default: configs/train.yml)."),
    source: str = typer.Option(None, callback=_one_of("gold", "silver", "auto"),
                               help="gold, silver or auto (default: configs/train.yml)."),
) -> None:
    """Train the span model from the annotations (or silver rules output) with configs/ner_*.cfg."""
    from ..training.spans import train as train_model

    print_span_training(train_model(out, segmenter=segmenter, source=source))


@app.command("train-linker")
def train_linker(
    out: Path = typer.Option(Path("models"), callback=_output_dir, help="Folder for the trained linker (OUT/linker)."),
    source: str = typer.Option(None, callback=_one_of("gold", "silver", "auto"),
                               help="gold, silver or auto (default: configs/train.yml)."),
) -> None:
    """Train the learned figure → indicator linker and phrase mapper (configs/learned_link.yml)."""
    from ..training.links import train_from_project

    _print_training(train_from_project(out, source))


def _print_training(summary: dict[str, Any]) -> None:
    """The training size and, when measured, the dev P/R/F1 of every policy, on stderr."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    size = summary.get("training_size", {})
    console.print(f"linker trained on {summary.get('source', '?')} data: {size.get('figures', 0)} figures, "
                  f"{size.get('gold_links', 0)} links ({size.get('reachable_links', 0)} among the candidates), "
                  f"{size.get('candidates', 0)} candidates")
    if not summary.get("dev"):
        return
    table = Table(title="linking on dev (candidates: lexicon and rules, as extract sees them)")
    for col in ("policy", "phrase P", "phrase R", "phrase F1", "id P", "id R", "id F1"):
        table.add_column(col, justify="right")
    for policy, scores in summary["dev"].items():
        ph, ids = scores["phrase"], scores["canonical"]
        table.add_row(policy, *(f"{s[k]:.3f}" for s in (ph, ids) for k in ("p", "r", "f")))
    console.print(table)
    if summary.get("importance"):
        top = list(summary["importance"]["permutation"].items())[:8]
        console.print("features by permutation importance on dev (drop in figure accuracy): "
                      + ", ".join(f"{name} {drop:.3f}" for name, drop in top))


@app.command("train-indicator")
def train_indicator(
    out: Path = typer.Option(Path("models"), callback=_output_dir,
                             help="Folder for the trained INDICATOR phrase model (OUT/indicator)."),
) -> None:
    """Train the INDICATOR phrase model on the gold train split (early stopping on dev; configs/indicator_*)."""
    from ..training.links import train_indicator_from_gold

    summary = train_indicator_from_gold(out)
    typer.echo(f"train: {summary['train']['paragraphs']} paragraphs, {summary['train']['phrases']} phrases; "
               f"time {summary['seconds']} s")
    perf = summary.get("performance", {})
    if "ents_f" in perf:
        typer.echo(f"dev INDICATOR P {perf['ents_p']:.3f} R {perf['ents_r']:.3f} F {perf['ents_f']:.3f}")


@app.command("cv")
def cross_validate(
    out: Path = typer.Option(Path("build/cv"), help="Folder for cv.json and the fold models."),
    folds: int = typer.Option(None, help="Number of folds (default: configs/train.yml cv.folds)."),
    folds_by: str = typer.Option(None, help="organ (the reports of one organ share a fold) or document (random "
                                 "folds by document); default: configs/train.yml cv.folds_by."),
    spans: bool = typer.Option(True, help="Cross-validate the span policies (trains a model per fold)."),
    links: bool = typer.Option(True, help="Cross-validate the linking policies."),
    indicators: bool = typer.Option(True, help="Cross-validate the INDICATOR phrase policies (a model per fold)."),
    apply: Path = typer.Option(None, help="Write the chosen policies into this trained model folder (e.g. models)."),
    report_file: Path = typer.Option(None, "--report", help="Apply this earlier cv.json instead of running the "
                                     "folds again (make train applies configs/cv.json)."),
) -> None:
    """Choose span and linking policies by k-fold cross-validation over train+dev (never test)."""
    import srsly

    from ..training.crossval import apply_choices, run_cv

    if report_file is not None and not report_file.is_file():
        typer.echo(f"error: --report {report_file}: no such file", err=True)
        raise typer.Exit(code=2)
    if folds_by not in (None, "organ", "document"):
        typer.echo(f"error: --folds-by {folds_by}: expected organ or document", err=True)
        raise typer.Exit(code=2)
    report = (srsly.read_json(report_file) if report_file is not None
              else run_cv(out, folds, spans, links, indicators, folds_by))
    typer.echo(f"{report['documents']} documents in {len(report['folds'])} folds "
               f"(by {report.get('folds_by', 'document')})")
    for name, part in (("links", report.get("links")), ("spans", report.get("spans")),
                       ("indicators", report.get("indicators"))):
        if not part:
            continue
        for key, scores in part["summary"].items():
            for sub, s in scores.items():
                typer.echo(f"{name:5} {key:22} {sub:12} F1 mean {s['mean']:.3f} std {s['std']:.3f} "
                           f"[{s['min']:.3f}, {s['max']:.3f}]")
        typer.echo(f"{name} chosen: {part['chosen']}")
    if apply is not None:
        for path in apply_choices(report, apply):
            typer.echo(f"wrote {path}")


@app.command("compare-baselines")
def compare_baselines_command(
    paths: list[Path] = typer.Argument(..., exists=True, help="Files or folders of reports."),
    out: Path = typer.Option(None, callback=_output_file, help="Also write the full comparison as JSON here."),
) -> None:
    """The rules beside a plain regex baseline and jionlp (extract_money, extract_time): counts, speed, examples."""
    import srsly

    from ..eval.baselines import compare_baselines, format_summary

    result = compare_baselines(paths)
    typer.echo(format_summary(result))
    if out is not None:
        srsly.write_json(out, result)


def print_span_training(summary: dict[str, Any]) -> None:
    """Data sizes, time, model size and dev scores of a training run."""
    print(f"source {summary['source']}, segmenter {summary['segmenter']}")
    for split in ("train", "dev"):
        s = summary[split]
        print(f"{split}: {s['documents']} documents, {s['units']} units, {s['chars']} chars, {s['spans']} spans")
    print(f"time {summary['seconds']} s (ner {summary['ner_seconds']} s), model {summary['model_bytes'] / 1e6:.1f} MB")
    perf = summary.get("performance", {})
    for label, score in sorted((perf.get("ents_per_type") or {}).items()):
        print(f"dev {label:8} P {score['p']:.3f} R {score['r']:.3f} F {score['f']:.3f}")
    if "ents_f" in perf:
        print(f"dev {'all':8} P {perf['ents_p']:.3f} R {perf['ents_r']:.3f} F {perf['ents_f']:.3f}")
    if "policy" in summary:
        print("hybrid policy:", ", ".join(f"{k}={v}" for k, v in summary["policy"]["policy"].items()))
