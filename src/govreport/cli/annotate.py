"""``govreport annotate ...``: export, import, validate, stats, agreement, corrections, convert, markup, apply,
next, and the canonical-id worklist.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .app import DEFAULT_MODEL, _output_dir, _output_file, annotate_app


@annotate_app.command("reanchor")
def annotate_reanchor(
    paths: list[Path] = typer.Argument(..., exists=True, help="Stand-off annotation files or folders (annotations/gold)."),
    before: Path = typer.Option(..., exists=True, dir_okay=False,
                                help="documents.jsonl of `govreport ingest`, run before ingestion changed."),
    out: Path = typer.Option(..., callback=_output_dir, help="Folder for the moved files (same names)."),
) -> None:
    """Carry annotations to today's reading of their documents through the source offsets (after a change
    of ingestion: joined lines, another PDF reader); what cannot be carried is named."""
    from ..annotate.reanchor import reanchor_files

    counts, problems = reanchor_files(paths, before, out)
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)
    typer.echo(f"{counts['files']} files, {counts['records']} records moved into {out}; "
               f"{counts['documents skipped']} documents not moved, {counts['relations dropped']} relations dropped",
               err=True)
    if counts["documents skipped"]:
        raise typer.Exit(code=1)


@annotate_app.command("ids-worklist")
def annotate_ids_worklist(
    paths: list[Path] = typer.Argument(..., exists=True, help="Gold annotation files or folders."),
    out: Path = typer.Option(..., callback=_output_file,
                             help="TSV worklist (quotes the text: keep it out of the repository)."),
) -> None:
    """A worklist of every gold relation, to assign canonical indicator ids by reading."""
    from ..annotate.ids import id_worklist, write_worklist

    rows = id_worklist(paths)
    write_worklist(rows, out)
    typer.echo(f"{len(rows)} relations, {sum(1 for r in rows if r['suggested'])} with a suggestion from the rules")


@annotate_app.command("ids-apply")
def annotate_ids_apply(
    worklist: Path = typer.Argument(..., exists=True, dir_okay=False, help="The filled TSV worklist."),
    paths: list[Path] = typer.Argument(..., exists=True, help="Gold annotation files or folders to update in place."),
) -> None:
    """Write the worklist's ids onto the gold relations."""
    from ..annotate.ids import apply_ids

    typer.echo(apply_ids(worklist, paths))


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

    from ..annotate import export_documents

    if fmt not in ("prodigy", "label-studio") or (fmt == "prodigy" and gold) or bool(gold) == bool(paths):
        typer.echo("give PATHS (reports to pre-annotate) or, with --format label-studio, --gold DIR; --format is "
                   "prodigy or label-studio", err=True)
        raise typer.Exit(code=2)
    if fmt == "prodigy":
        report = export_documents(paths, out, standoff=standoff, model=model)
    else:
        from ..annotate import load_tasks
        from ..annotate.export import pre_annotate
        from ..annotate.labelstudio import export_labelstudio, ls_settings

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
    from ..annotate.importing import FORMATS, import_annotations

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
    from ..annotate import validate_files

    n, problems = validate_files(files)
    _print_problems(problems)
    errors = sum(p.level == "error" for p in problems)
    typer.echo(f"{n} records, {errors} errors, {len(problems) - errors} warnings", err=True)
    if errors:
        raise typer.Exit(code=1)


@annotate_app.command("stats")
def annotate_stats(files: list[Path] = typer.Argument(..., exists=True, help="Annotation files or folders.")) -> None:
    """Spans per label and relations per document."""
    from ..annotate import document_stats, load_tasks
    from ..annotate.compare import stats_table

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

    from ..annotate import agreement, load_tasks
    from ..annotate.compare import agreement_table

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

    from ..annotate import corrections, load_tasks
    from ..annotate.compare import corrections_table

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
    from ..annotate import convert_annotations, load_splits
    from ..config import PROJECT_ROOT

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
    from ..annotate import load_tasks
    from ..annotate.markup import HELP, render_all

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
    from ..annotate import apply_markup, load_tasks, to_standoff, write_jsonl
    from ..annotate.tasks import task_id

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

    from ..annotate.next import rank_paragraphs

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
        from ..annotate.tasks import settings

        width = settings()["next"]["excerpt_chars"]
        table = Table("doc", "paragraph", "score", "why", "text")
        for c in ranked:
            table.add_row(c.doc, str(c.paragraph), f"{c.score:g}", c.reason, c.task["text"][:width].replace("\n", "⏎"))
        _print_rich(table)
    elif out.suffix == ".json":
        from ..annotate.labelstudio import export_labelstudio

        count, xml = export_labelstudio([c.task for c in ranked], out, f"next:{by or 'default'}")
        typer.echo(f"{count} tasks written to {out} (labeling config {xml})", err=True)
    else:
        from ..annotate import write_jsonl

        count = write_jsonl(out, (c.task for c in ranked))
        typer.echo(f"{count} tasks written to {out}", err=True)


@annotate_app.command("review-dump")
def annotate_review_dump(
    paths: list[Path] = typer.Argument(..., exists=True, help="Unseen reports (files or folders) of a review round."),
    out: Path = typer.Option(..., callback=_output_file,
                             help="JSONL of figure rows (quotes the reports: keep it out of the repository)."),
    model: Path | None = typer.Option(None, help="Span model folder (models/ner); without it the rules alone."),
) -> None:
    """Every narrative figure of the reports with its phrase and canonical id, a row each, for a reviewer to
    judge (annotations/README.md, review rounds)."""
    import srsly

    from ..eval.review import figure_rows
    from ..ingest import ingest_paths
    from ..pipeline import Pipeline

    pipeline = Pipeline.from_config(model=model) if model else Pipeline.from_config(use_model=False)
    rows = []
    for doc in ingest_paths(paths):  # an unreadable report is an empty document with its warning
        rows += list(figure_rows(Path(doc.path), pipeline(doc)))
    srsly.write_jsonl(out, rows)
    typer.echo(f"{len(rows)} figure rows of {len({r['file'] for r in rows})} reports in {out}")


@annotate_app.command("review-score")
def annotate_review_score(
    dump: Path = typer.Argument(..., exists=True, dir_okay=False, help="Rows of `annotate review-dump` (this code)."),
    judged: Path = typer.Argument(..., exists=True, dir_okay=False, help="The reviewer's judged rows."),
    errors: bool = typer.Option(False, "--errors", help="Also print each error (never for a held-out round)."),
) -> None:
    """Phrase accuracy and canonical-id P/R/F1 of the rows against a reviewer's judgements."""
    import srsly

    from ..eval.review import score_rows

    result = score_rows(srsly.read_jsonl(dump), srsly.read_jsonl(judged))
    if errors:
        for e in result["errors"]:
            row = e["row"]
            got = row["phrase"] if e["kind"] == "phrase" else row["id"]
            typer.echo(f"{e['kind']}\t{row['file']}\t{row['figure']}\tgot {got}\twant {e['want']}\t{row['context']}")
    ph, ids = result["phrase"], result["ids"]
    typer.echo(f"rows {result['rows']} (judged rows unmatched {result['unmatched']}); phrases {ph['right']}/{ph['scored']} "
               f"= {ph['accuracy']:.3f}; ids tp {ids['tp']} given {ids['given']} due {ids['due']}: "
               f"P {ids['p']:.3f} R {ids['r']:.3f} F1 {ids['f']:.3f}")


@annotate_app.command("review-overlap")
def annotate_review_overlap(
    paths: list[Path] = typer.Argument(..., exists=True, help="Candidate reports of a review round."),
) -> None:
    """Each report's share of text stretches found in a test document: leave out those above the limit."""
    from ..annotate.convert import load_splits
    from ..annotate.standoff import find_document
    from ..eval.review import overlap_with_test, settings
    from ..ingest import iter_report_files, read_document

    tests = [find_document(d) for d, split in load_splits().items() if split == "test"]
    shares = overlap_with_test({str(p): read_document(p).text for p in iter_report_files(paths)},
                               [read_document(p).text for p in tests if p is not None])
    limit = settings()["overlap_limit"]
    for name, share in sorted(shares.items()):
        typer.echo(f"{share:.3f}\t{name}" + ("\tabove the limit: leave it out" if share > limit else ""))
