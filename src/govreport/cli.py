"""Command line: thin typer wrappers over the package's functions.

No command shows a traceback: paths are checked when the arguments are parsed (a missing input or an output
that cannot be written is a usage error, exit code 2), and any error a command raises is printed as one line
naming its type and the file (exit code 1). ``GOVREPORT_DEBUG=1`` lets the traceback through.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from .config import MODELS_DIR

DEFAULT_MODEL = MODELS_DIR / "ner"  # GOVREPORT_MODELS/ner, else ./models/ner


class _GuardedGroup(TyperGroup):
    """Turns an error raised by any command (or sub-command) into a message instead of a traceback; an output
    folder that cannot take the run (a file, locked, a linked output) is a usage error."""

    def invoke(self, ctx: typer.Context):
        from .outputs import OutputError

        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own: usage errors, exit codes
            raise
        except OutputError as err:
            raise typer.BadParameter(str(err), param_hint="'--out'") from err
        except Exception as err:
            if os.environ.get("GOVREPORT_DEBUG"):
                raise
            typer.echo(f"Error: {_describe(err)}", err=True)
            raise typer.Exit(code=1) from err


def _describe(err: Exception) -> str:
    """One line for an error: the file and the system's reason for OS errors, else ``Name: message``."""
    if isinstance(err, OSError) and err.filename is not None:
        files = " → ".join(str(f) for f in (err.filename, err.filename2) if f is not None)
        return f"{files}: {err.strerror or type(err).__name__}"
    message = str(err)
    return f"{type(err).__name__}: {message}" if message else type(err).__name__


def _output_dir(value: Path | None) -> Path | None:
    """An output folder that can be written (created if missing): else a usage error naming it."""
    from .outputs import OutputError, check_output_dir

    if value is None:
        return None
    try:
        check_output_dir(value, ())
    except OutputError as err:
        raise typer.BadParameter(str(err)) from err
    _probe_writable(value)
    return value


def _output_file(value: Path | None) -> Path | None:
    """An output file that can be written (its folder created if missing): else a usage error naming it."""
    if value is None:
        return None
    if value.is_dir():
        raise typer.BadParameter(f"{value} is a folder, not a file")
    _output_dir(value.parent)
    return value


def _one_of(*choices: str):
    """A callback accepting only ``choices`` (or no value)."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}")
        return value

    return check


def _probe_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise typer.BadParameter(f"cannot write into {folder}: {err.strerror or err}") from err


app = typer.Typer(cls=_GuardedGroup, add_completion=False, no_args_is_help=True,
                  help="Statistics from government information-disclosure annual reports.")
annotate_app = typer.Typer(no_args_is_help=True, help="Annotation tasks: export, validate, stats, agreement, convert.")
app.add_typer(annotate_app, name="annotate")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"govreport {version('govreport')}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
    config_dir: Path = typer.Option(None, "--config-dir", envvar="GOVREPORT_CONFIG_DIR",
                                    help="Use the configs of this folder instead of the packaged ones."),
) -> None:
    """Statistics from government information-disclosure annual reports."""
    if config_dir is not None:
        from . import config

        if not (config_dir / "indicators.yml").is_file():
            typer.echo(f"error: --config-dir {config_dir}: no indicators.yml there", err=True)
            raise typer.Exit(code=2)
        config.use_config_dir(config_dir)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., exists=True, help="Files or folders of reports."),
    out: Path = typer.Option(Path("out/ingest"), help="Folder for documents.jsonl."),
) -> None:
    """Read report files into normalised documents (DIR/documents.jsonl)."""
    from .ingest import ingest_to_dir
    from .outputs import staged_output

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
    from .extract import OUTPUT_FILES, extract_reports, print_summary, write_outputs
    from .inputs import iter_report_inputs
    from .outputs import staged_output

    reports = list(iter_report_inputs(paths, _warn))
    if not reports:
        raise typer.BadParameter(f"no report files under {', '.join(map(str, paths))}", param_hint="'PATHS...'")
    _show_ocr_progress()
    with staged_output(out, OUTPUT_FILES) as staging:
        results = extract_reports(reports, workers=workers, model=model, use_model=not no_model, with_tasks=tasks,
                                  engine=engine, scheduler=scheduler, parts_dir=staging.path / ".parts",
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
    the rows themselves, nor for one local worker, beside which the writing process has a core of its own and
    encodes faster (measured: 6% of a rules-only run)."""
    return not parquet and (engine == "dask" or workers > 1)


def _warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def _echo_failure(result) -> None:
    """Name a failed document on stderr as it is written."""
    if result.error is not None:
        typer.echo(f"error: {result.document.get('doc')} ({result.path}): {result.error}", err=True)


def _show_ocr_progress() -> None:
    """One stderr line per OCR'd page of a scanned PDF (OCR takes seconds per page)."""
    import sys

    from .ocr import set_page_progress

    set_page_progress(lambda page, total, path: print(f"OCR {path}: page {page}/{total}", file=sys.stderr))


@annotate_app.command("ids-worklist")
def annotate_ids_worklist(
    paths: list[Path] = typer.Argument(..., exists=True, help="Gold annotation files or folders."),
    out: Path = typer.Option(..., callback=_output_file,
                             help="TSV worklist (quotes the text: keep it out of the repository)."),
) -> None:
    """A worklist of every gold relation, to assign canonical indicator ids by reading."""
    from .annotate.ids import id_worklist, write_worklist

    rows = id_worklist(paths)
    write_worklist(rows, out)
    typer.echo(f"{len(rows)} relations, {sum(1 for r in rows if r['suggested'])} with a suggestion from the rules")


@annotate_app.command("ids-apply")
def annotate_ids_apply(
    worklist: Path = typer.Argument(..., exists=True, dir_okay=False, help="The filled TSV worklist."),
    paths: list[Path] = typer.Argument(..., exists=True, help="Gold annotation files or folders to update in place."),
) -> None:
    """Write the worklist's ids onto the gold relations."""
    from .annotate.ids import apply_ids

    typer.echo(apply_ids(worklist, paths))


@app.command()
def evaluate(
    out: Path = typer.Option(Path("out/eval"), callback=_output_dir, help="Folder for report.json and report.md."),
    model: Path = typer.Option(DEFAULT_MODEL, help="Span model to compare with the rules (skipped if missing)."),
    learning_curve: Path = typer.Option(Path("out/learning_curve/curve.json"), help="The cached learning curve "
                                        "to report (`govreport learning-curve`; a note when missing)."),
) -> None:
    """Spans, links and records against the gold annotations (dev and test splits)."""
    from .eval.suite import run_evaluation

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
    from .learning_curve import curve_markdown, learning_curve

    curve = learning_curve(out)
    typer.echo("\n".join(curve_markdown(curve, out / "curve.json")))


@app.command()
def bench(
    out: Path = typer.Option(Path("out/bench"), callback=_output_dir,
                             help="Folder for bench.json and the benchmark corpora."),
    model: Path = typer.Option(DEFAULT_MODEL, help="Span model for the hybrid runs."),
    size: list[str] = typer.Option(None, help="Only these sizes of configs/bench.yml (e.g. 1MB)."),
) -> None:
    """Throughput, memory and scaling of ingest and extract, beside a regex baseline."""
    from .bench import print_report, run_bench

    print_report(run_bench(out, model, size))


@app.command()
def train(
    out: Path = typer.Option(Path("models"), callback=_output_dir, help="Folder for the trained model (OUT/ner)."),
    segmenter: str = typer.Option(None, callback=_one_of("char", "pkuseg"),
                                  help="char or pkuseg (default: configs/train.yml)."),
    source: str = typer.Option(None, callback=_one_of("gold", "silver", "auto"),
                               help="gold, silver or auto (default: configs/train.yml)."),
) -> None:
    """Train the span model from the annotations (or silver rules output) with configs/ner_*.cfg."""
    from .train import print_summary
    from .train import train as train_model

    print_summary(train_model(out, segmenter=segmenter, source=source))


@app.command("train-linker")
def train_linker(
    out: Path = typer.Option(Path("models"), callback=_output_dir, help="Folder for the trained linker (OUT/linker)."),
    source: str = typer.Option(None, callback=_one_of("gold", "silver", "auto"),
                               help="gold, silver or auto (default: configs/train.yml)."),
) -> None:
    """Train the learned figure → indicator linker and phrase mapper (configs/learned_link.yml)."""
    from .link_training import train_from_project

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
    from .link_training import train_indicator_from_gold

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
    spans: bool = typer.Option(True, help="Cross-validate the span policies (trains a model per fold)."),
    links: bool = typer.Option(True, help="Cross-validate the linking policies."),
    indicators: bool = typer.Option(True, help="Cross-validate the INDICATOR phrase policies (a model per fold)."),
    apply: Path = typer.Option(None, help="Write the chosen policies into this trained model folder (e.g. models)."),
    report_file: Path = typer.Option(None, "--report", help="Apply this earlier cv.json instead of running the "
                                     "folds again (make train applies configs/cv.json)."),
) -> None:
    """Choose span and linking policies by k-fold cross-validation over train+dev (never test)."""
    import srsly

    from .crossval import apply_choices, run_cv

    if report_file is not None and not report_file.is_file():
        typer.echo(f"error: --report {report_file}: no such file", err=True)
        raise typer.Exit(code=2)
    report = srsly.read_json(report_file) if report_file is not None else run_cv(out, folds, spans, links, indicators)
    typer.echo(f"{report['documents']} documents in {len(report['folds'])} folds")
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


@app.command()
def tables(
    paths: list[Path] = typer.Argument(None, exists=True, help="Reports (files or folders); none: every report "
                                       "with an expected file under tests/expected."),
    out: Path = typer.Option(None, callback=_output_file,
                             help="Also write each report's table values and checks to this JSONL file."),
) -> None:
    """Statistical tables per report: form, cells, uncertain cells, checks, exact-match rate against tests/expected."""
    from .tables.expected import print_table_report, table_report

    print_table_report(table_report(paths or None, out))


def _print_problems(problems, limit: int | None = None) -> None:
    """Problems on stderr, one a line (file:line: level: message)."""
    for problem in problems[:limit]:
        typer.echo(str(problem), err=True)


def _print_rich(renderable) -> None:
    """A rich table on stdout, wide enough for document ids even when stdout is no terminal."""
    from rich.console import Console

    console = Console()
    console.width = max(console.width, 160)
    console.print(renderable)


@annotate_app.command("export")
def annotate_export(
    paths: list[Path] = typer.Argument(None, exists=True, help="Report files or folders."),
    out: Path = typer.Option(..., callback=lambda v: _output_file(v) if v.suffix in (".jsonl", ".json") else _output_dir(v),
                             help="prodigy: a .jsonl file, or a folder for one <doc>.jsonl per document; "
                             "label-studio: FILE.json (the labeling config goes to FILE.xml)."),
    fmt: str = typer.Option("prodigy", "--format", help="prodigy or label-studio."),
    gold: Path = typer.Option(None, help="label-studio: export these annotation files or folders (e.g. "
                              "annotations/gold) instead of pre-annotating PATHS."),
    standoff: bool = typer.Option(False, "--standoff", help="Write stand-off records (no text): required for "
                                  "../shared/corpus documents inside annotations/."),
    model: Path = typer.Option(None, exists=True, file_okay=False,
                               help="Span model folder: pre-annotate with model + rules instead of rules."),
) -> None:
    """Pre-annotated tasks (one per narrative paragraph) from the rules or a model; or gold, for Label Studio."""
    from collections import Counter

    from .annotate import export_documents

    if fmt not in ("prodigy", "label-studio") or (fmt == "prodigy" and gold) or bool(gold) == bool(paths):
        typer.echo("give PATHS (reports to pre-annotate) or, with --format label-studio, --gold DIR; --format is "
                   "prodigy or label-studio", err=True)
        raise typer.Exit(code=2)
    if fmt == "prodigy":
        report = export_documents(paths, out, standoff=standoff, model=model)
    else:
        from .annotate import load_tasks
        from .annotate.export import pre_annotate
        from .annotate.labelstudio import export_labelstudio, ls_settings

        report = Counter()
        if gold:
            tasks, problems = load_tasks([gold], join=True)
            _print_problems(problems)
            version = ls_settings()["gold_version"]
        else:
            tasks = [t for doc_tasks in pre_annotate(paths, model, report).values() for t in doc_tasks]
            version = ls_settings()["rules_version"] if model is None else f"model:{model}"
        report["tasks"], xml = export_labelstudio(tasks, out, version)
        report["documents"] = len({t["meta"]["doc"] for t in tasks})
        typer.echo(f"labeling config: {xml}", err=True)
    typer.echo(", ".join(f"{k}: {v}" for k, v in sorted(report.items())), err=True)
    if report["documents"] == 0:
        raise typer.Exit(code=1)


@annotate_app.command("import")
def annotate_import(
    file: Path = typer.Argument(..., help="A Label Studio JSON export or a Prodigy db-out JSONL file."),
    fmt: str = typer.Option(..., "--format", help="label-studio or prodigy."),
    out: Path = typer.Option(..., help="Folder of stand-off <doc>.jsonl gold files (records of the same "
                             "paragraphs are replaced, the others kept)."),
) -> None:
    """Annotations back into stand-off gold, each task checked first; exit 1 when any task had an error."""
    from .annotate.importing import FORMATS, import_annotations

    if fmt not in FORMATS:
        typer.echo(f"--format is one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(code=2)
    result = import_annotations(file, fmt, out)
    _print_problems(result.problems)
    typer.echo(", ".join(f"{k}: {v}" for k, v in sorted(result.counts.items())) or "nothing imported", err=True)
    typer.echo(f"{sum(map(len, result.records.values()))} records in {len(result.records)} document(s) written "
               f"under {out}", err=True)
    if any(p.level == "error" for p in result.problems):
        raise typer.Exit(code=1)


@annotate_app.command("validate")
def annotate_validate(files: list[Path] = typer.Argument(..., exists=True, help="Annotation files or folders.")) -> None:
    """Check offsets, tokens, labels, relations, overlaps and hashes; exit 1 on any error."""
    from .annotate import validate_files

    n, problems = validate_files(files)
    _print_problems(problems)
    errors = sum(p.level == "error" for p in problems)
    typer.echo(f"{n} records, {errors} errors, {len(problems) - errors} warnings", err=True)
    if errors:
        raise typer.Exit(code=1)


@annotate_app.command("stats")
def annotate_stats(files: list[Path] = typer.Argument(..., exists=True, help="Annotation files or folders.")) -> None:
    """Spans per label and relations per document."""
    from .annotate import document_stats, load_tasks
    from .annotate.compare import stats_table

    tasks, problems = load_tasks(files)
    _print_problems(problems)
    _print_rich(stats_table(document_stats(tasks)))


@annotate_app.command("agreement")
def annotate_agreement(
    a: Path = typer.Argument(..., exists=True, help="First annotator's file or folder."),
    b: Path = typer.Argument(..., exists=True, help="Second annotator's file or folder."),
    json_out: Path = typer.Option(None, "--json", callback=_output_file, help="Also write the scores as JSON."),
) -> None:
    """Span F1 (exact) and relation F1 per label between two annotators, on the paragraphs both did."""
    import srsly

    from .annotate import agreement, load_tasks
    from .annotate.compare import agreement_table

    (tasks_a, problems_a), (tasks_b, problems_b) = load_tasks([a]), load_tasks([b])
    _print_problems(problems_a + problems_b)
    result = agreement(tasks_a, tasks_b)
    _print_rich(agreement_table(result))
    if json_out:
        srsly.write_json(json_out, result)


@annotate_app.command("corrections")
def annotate_corrections(
    pre: Path = typer.Argument(..., exists=True, help="Pre-annotated file or folder (as exported)."),
    gold: Path = typer.Argument(..., exists=True, help="Corrected gold file or folder."),
    json_out: Path = typer.Option(None, "--json", callback=_output_file, help="Also write the counts as JSON."),
) -> None:
    """How many pre-annotated spans and links were kept, corrected, removed, and how many were added."""
    import srsly

    from .annotate import corrections, load_tasks
    from .annotate.compare import corrections_table

    (pre_tasks, p1), (gold_tasks, p2) = load_tasks([pre]), load_tasks([gold])
    _print_problems(p1 + p2)
    result = corrections(pre_tasks, gold_tasks)
    _print_rich(corrections_table(result))
    if json_out:
        srsly.write_json(json_out, result)


@annotate_app.command("convert")
def annotate_convert(
    paths: list[Path] = typer.Argument(None, exists=True, help="Annotation files or folders (default: annotations/gold)."),
    out: Path = typer.Option(..., callback=_output_dir, help="Folder for train.spacy, dev.spacy and test.spacy."),
    splits: Path = typer.Option(None, exists=True, dir_okay=False, help="Split file (default configs/splits.yml)."),
) -> None:
    """spaCy DocBin per split: doc.ents, all gold spans and the figure → indicator relations."""
    from .annotate import convert_annotations, load_splits
    from .config import PROJECT_ROOT

    written = convert_annotations(paths or [PROJECT_ROOT / "annotations"], out, load_splits(splits) if splits else None)
    for split, path in written.items():
        typer.echo(f"{split}: {path}", err=True)


@annotate_app.command("markup")
def annotate_markup(
    files: list[Path] = typer.Argument(..., exists=True, help="Annotation files or folders (stand-off records are joined)."),
    out: Path = typer.Option(None, callback=_output_file, help="Markup file to write (default: stdout)."),
    blank: bool = typer.Option(False, "--blank", help="Text only, without the spans and relations."),
) -> None:
    """Tasks as editable text lines: ⟦text|LABEL⟧, ⟦text|INDICATOR#1⟧, ⟦text|COUNT>1@全市⟧."""
    from .annotate import load_tasks
    from .annotate.markup import HELP, render_all

    tasks, problems = load_tasks(files, join=True)
    _print_problems(problems)
    text = HELP + "".join(line + "\n" for line in render_all(tasks, blank))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@annotate_app.command("apply")
def annotate_apply(
    markup: Path = typer.Argument(..., exists=True, dir_okay=False, help="Edited markup file."),
    tasks: list[Path] = typer.Option(..., exists=True, help="The annotation file(s) the markup was made from."),
    out: Path = typer.Option(..., callback=_output_file, help="JSONL file to write."),
    standoff: bool = typer.Option(False, "--standoff", help="Write stand-off records (no text)."),
) -> None:
    """Read edited markup back into tasks (checked against the reference text); exit 1 on any problem."""
    from .annotate import apply_markup, load_tasks, to_standoff, write_jsonl
    from .annotate.tasks import task_id

    reference, problems = load_tasks(tasks, join=True)
    with open(markup, encoding="utf-8") as f:
        new, markup_problems = apply_markup(f, {task_id(t): t for t in reference}, str(markup))
    problems += markup_problems
    _print_problems(problems)
    n = write_jsonl(out, (to_standoff(t) for t in new) if standoff else new)
    typer.echo(f"{n} tasks written to {out}, {len(markup_problems)} markup lines with problems", err=True)
    if markup_problems:
        raise typer.Exit(code=1)


@annotate_app.command("next")
def annotate_next(
    n: int = typer.Argument(..., help="How many paragraphs."),
    paths: list[Path] = typer.Argument(None, help="Reports (default: corpus/ and ../shared/corpus)."),
    by: str = typer.Option(None, help="disagreement (rules vs span model) or linker (least sure); default "
                           "configs/annotate.yml."),
    model: Path = typer.Option(DEFAULT_MODEL, help="Span model (the linker sits beside it)."),
    out: Path = typer.Option(None, help="Write the paragraphs as tasks: F.jsonl (Prodigy) or F.json (Label "
                             "Studio, config F.xml); default: a table."),
) -> None:
    """The unannotated paragraphs where annotation pays most, best first."""
    from collections import Counter

    from rich.table import Table

    from .annotate.next import rank_paragraphs

    report: Counter = Counter()
    try:
        ranked = rank_paragraphs(paths or None, n, by, model, report=report)
    except ValueError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(", ".join(f"{k}: {v}" for k, v in sorted(report.items())), err=True)
    if not report["documents"]:
        raise typer.Exit(code=1)
    if out is None:
        from .annotate.tasks import settings

        width = settings()["next"]["excerpt_chars"]
        table = Table("doc", "paragraph", "score", "why", "text")
        for c in ranked:
            table.add_row(c.doc, str(c.paragraph), f"{c.score:g}", c.reason, c.task["text"][:width].replace("\n", "⏎"))
        _print_rich(table)
    elif out.suffix == ".json":
        from .annotate.labelstudio import export_labelstudio

        count, xml = export_labelstudio([c.task for c in ranked], out, f"next:{by or 'default'}")
        typer.echo(f"{count} tasks written to {out} (labeling config {xml})", err=True)
    else:
        from .annotate import write_jsonl

        count = write_jsonl(out, (c.task for c in ranked))
        typer.echo(f"{count} tasks written to {out}", err=True)


@app.command("compare-baselines")
def compare_baselines_command(
    paths: list[Path] = typer.Argument(..., exists=True, help="Files or folders of reports."),
    out: Path = typer.Option(None, callback=_output_file, help="Also write the full comparison as JSON here."),
) -> None:
    """The rules beside a plain regex baseline and jionlp (extract_money, extract_time): counts, speed, examples."""
    import srsly

    from .compare_baselines import compare_baselines, format_summary

    result = compare_baselines(paths)
    typer.echo(format_summary(result))
    if out is not None:
        srsly.write_json(out, result)


@app.command()
def docs(
    to: Path = typer.Option(Path("docs/outputs.md"), "--to", help="The data dictionary to write."),
) -> None:
    """Write the data dictionary of the outputs (docs/outputs.md) from the output schema and configs/indicators.yml."""
    from .output_schema import data_dictionary

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
    from .dataset import FORMATS, ResultsError, export_table

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
    from .dataset import ResultsError
    from .view import build_view

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


if __name__ == "__main__":
    app()
