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

    _show_ocr_progress()
    n_ok = ingest_to_dir(paths, out)
    typer.echo(f"{n_ok} documents read into {out / 'documents.jsonl'} (warnings: {out / 'warnings.jsonl'})", err=True)
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

    _show_ocr_progress()
    results = extract_paths(paths, workers=workers, model=model, use_model=not no_model, with_tasks=tasks)
    totals = write_outputs(results, out)
    print_summary(totals)
    if totals["documents"] == totals["failed"]:
        raise typer.Exit(code=1)


def _show_ocr_progress() -> None:
    """One stderr line per OCR'd page of a scanned PDF (OCR takes seconds per page)."""
    import sys

    from .ocr import set_page_progress

    set_page_progress(lambda page, total, path: print(f"OCR {path}: page {page}/{total}", file=sys.stderr))


@annotate_app.command("ids-worklist")
def annotate_ids_worklist(
    paths: list[Path] = typer.Argument(..., help="Gold annotation files or folders."),
    out: Path = typer.Option(..., help="TSV worklist (quotes the text: keep it out of the repository)."),
) -> None:
    """A worklist of every gold relation, to assign canonical indicator ids by reading."""
    from .annotate.ids import id_worklist, write_worklist

    rows = id_worklist(paths)
    write_worklist(rows, out)
    typer.echo(f"{len(rows)} relations, {sum(1 for r in rows if r['suggested'])} with a suggestion from the rules")


@annotate_app.command("ids-apply")
def annotate_ids_apply(
    worklist: Path = typer.Argument(..., help="The filled TSV worklist."),
    paths: list[Path] = typer.Argument(..., help="Gold annotation files or folders to update in place."),
) -> None:
    """Write the worklist's ids onto the gold relations."""
    from .annotate.ids import apply_ids

    typer.echo(apply_ids(worklist, paths))


@app.command()
def evaluate(
    out: Path = typer.Option(Path("out/eval"), help="Folder for report.json and report.md."),
    model: Path = typer.Option(Path("models/ner"), help="Span model to compare with the rules (skipped if missing)."),
) -> None:
    """Spans, links and records against the gold annotations (dev and test splits)."""
    from .evaluation import run_evaluation

    report = run_evaluation(out, model)
    print((out / "report.md").read_text(encoding="utf-8"))
    if not any(res["documents"] for res in report["splits"].values()):
        typer.echo("no gold annotations found under annotations/gold", err=True)
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


@app.command()
def train(
    out: Path = typer.Option(Path("models"), help="Folder for the trained model (OUT/ner)."),
    segmenter: str = typer.Option(None, help="char or pkuseg (default: configs/train.yml)."),
    source: str = typer.Option(None, help="gold, silver or auto (default: configs/train.yml)."),
) -> None:
    """Train the span model from the annotations (or silver rules output) with configs/ner_*.cfg."""
    from .train import print_summary
    from .train import train as train_model

    print_summary(train_model(out, segmenter=segmenter, source=source))


@app.command("train-linker")
def train_linker(
    out: Path = typer.Option(Path("models"), help="Folder for the trained linker (OUT/linker)."),
    source: str = typer.Option(None, help="gold, silver or auto (default: configs/train.yml)."),
) -> None:
    """Train the learned figure → indicator linker and phrase mapper (configs/learned_link.yml)."""
    from .learned_link import print_training, train_from_project

    print_training(train_from_project(out, source))


@app.command()
def tables(
    paths: list[Path] = typer.Argument(None, help="Reports (files or folders); none: every report with an expected "
                                                   "file under tests/expected."),
    out: Path = typer.Option(None, help="Also write each report's table values and checks to this JSONL file."),
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
    paths: list[Path] = typer.Argument(..., help="Report files or folders."),
    out: Path = typer.Option(..., help="A .jsonl file, or a folder for one <doc>.jsonl per document."),
    standoff: bool = typer.Option(False, "--standoff", help="Write stand-off records (no text): required for "
                                  "../shared/corpus documents inside annotations/."),
    model: Path = typer.Option(None, help="Span model folder: pre-annotate with model + rules instead of rules."),
) -> None:
    """Pre-annotated tasks (one per narrative paragraph) from the rules or a model."""
    from .annotate import export_documents

    report = export_documents(paths, out, standoff=standoff, model=model)
    typer.echo(", ".join(f"{k}: {v}" for k, v in sorted(report.items())), err=True)
    if report["documents"] == 0:
        raise typer.Exit(code=1)


@annotate_app.command("validate")
def annotate_validate(files: list[Path] = typer.Argument(..., help="Annotation files or folders.")) -> None:
    """Check offsets, tokens, labels, relations, overlaps and hashes; exit 1 on any error."""
    from .annotate import validate_files

    n, problems = validate_files(files)
    _print_problems(problems)
    errors = sum(p.level == "error" for p in problems)
    typer.echo(f"{n} records, {errors} errors, {len(problems) - errors} warnings", err=True)
    if errors:
        raise typer.Exit(code=1)


@annotate_app.command("stats")
def annotate_stats(files: list[Path] = typer.Argument(..., help="Annotation files or folders.")) -> None:
    """Spans per label and relations per document."""
    from .annotate import document_stats, load_tasks
    from .annotate.compare import stats_table

    tasks, problems = load_tasks(files)
    _print_problems(problems)
    _print_rich(stats_table(document_stats(tasks)))


@annotate_app.command("agreement")
def annotate_agreement(
    a: Path = typer.Argument(..., help="First annotator's file or folder."),
    b: Path = typer.Argument(..., help="Second annotator's file or folder."),
    json_out: Path = typer.Option(None, "--json", help="Also write the scores as JSON."),
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
    pre: Path = typer.Argument(..., help="Pre-annotated file or folder (as exported)."),
    gold: Path = typer.Argument(..., help="Corrected gold file or folder."),
    json_out: Path = typer.Option(None, "--json", help="Also write the counts as JSON."),
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
    paths: list[Path] = typer.Argument(None, help="Annotation files or folders (default: annotations/gold)."),
    out: Path = typer.Option(..., help="Folder for train.spacy, dev.spacy and test.spacy."),
    splits: Path = typer.Option(None, help="Split file (default configs/splits.yml)."),
) -> None:
    """spaCy DocBin per split: doc.ents, all gold spans and the figure → indicator relations."""
    from .annotate import convert_annotations, load_splits
    from .config import PROJECT_ROOT

    written = convert_annotations(paths or [PROJECT_ROOT / "annotations"], out, load_splits(splits) if splits else None)
    for split, path in written.items():
        typer.echo(f"{split}: {path}", err=True)


@annotate_app.command("markup")
def annotate_markup(
    files: list[Path] = typer.Argument(..., help="Annotation files or folders (stand-off records are joined)."),
    out: Path = typer.Option(None, help="Markup file to write (default: stdout)."),
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
    markup: Path = typer.Argument(..., help="Edited markup file."),
    tasks: list[Path] = typer.Option(..., help="The annotation file(s) the markup was made from."),
    out: Path = typer.Option(..., help="JSONL file to write."),
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


@app.command("compare-baselines")
def compare_baselines_command(
    paths: list[Path] = typer.Argument(..., help="Files or folders of reports."),
    out: Path = typer.Option(None, help="Also write the full comparison as JSON here."),
) -> None:
    """The rules beside a plain regex baseline and jionlp (extract_money, extract_time): counts, speed, examples."""
    import srsly

    from .compare_baselines import compare_baselines, format_summary

    result = compare_baselines(paths)
    typer.echo(format_summary(result))
    if out is not None:
        srsly.write_json(out, result)


if __name__ == "__main__":
    app()
