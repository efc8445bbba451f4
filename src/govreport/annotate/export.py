"""Pre-annotated tasks: the pipeline's (rules' or model's) spans and links of report files, as paragraph tasks
(annotate/task_builder.py) written for an annotation tool."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..metadata import document_metadata
from ..notices import warn
from ..pipeline import Pipeline
from ..types import Document
from .files import write_jsonl
from .standoff import DocumentUnavailable, read_document, to_standoff
from .task_builder import analysis_tasks
from .tasks import settings


def report_year(doc: Document) -> int | None:
    """The year the report covers: the metadata stage's, else the first year of the title area."""

    try:
        year = document_metadata(doc.text, doc.path, None).get("year")
    except Exception as err:  # noqa: BLE001 -- a failing metadata stage must not stop the export
        warnings.warn(f"{doc.path}: metadata failed ({type(err).__name__}: {err}); year from the title",
                      stacklevel=2)
        year = None
    if year:
        return int(year)
    cfg = settings()
    match = re.search(cfg["report_year_pattern"], doc.text[:cfg["report_year_window"]])
    return int(match.group(1)) if match else None


class PreAnnotator:
    """The pipeline (rules, or model + rules; the rules' links), loaded once, cutting documents into tasks."""

    def __init__(self, model: str | Path | None = None, pipeline: Any = None):

        self.pipeline = pipeline or Pipeline.from_config(model, use_model=model is not None, link_policy="rules")

    def __call__(self, doc: Document, report: Counter | None = None) -> list[dict[str, Any]]:
        """Pre-annotated tasks of one document."""
        analysis = self.pipeline(doc)
        return self.tasks(analysis, report)

    def tasks(self, analysis: Any, report: Counter | None = None) -> list[dict[str, Any]]:
        """The tasks of one document's analysis: its spans, phrases and links, table areas left unannotated."""
        return analysis_tasks(analysis, report)


def export_documents(paths: Iterable[str | Path], out: str | Path, standoff: bool = False,
                     model: str | Path | None = None) -> Counter:
    """Write pre-annotated tasks of the report files under ``paths``: one JSONL file, or a folder of <doc>.jsonl.

    ``out`` ending in .jsonl is one file; anything else is a folder with one file per document (the layout
    of annotations/). Unreadable files are reported on stderr and skipped.
    """
    out = Path(out)
    report: Counter = Counter()
    per_doc = {doc_id: [to_standoff(t) for t in tasks] if standoff else tasks
               for doc_id, tasks in pre_annotate(paths, model, report).items()}
    if out.suffix == ".jsonl":
        write_jsonl(out, (t for tasks in per_doc.values() for t in tasks))
    else:
        for doc_id, tasks in per_doc.items():
            write_jsonl(out / f"{doc_id}.jsonl", tasks)
    return report


def pre_annotate(paths: Iterable[str | Path], model: str | Path | None = None,
                 report: Counter | None = None) -> dict[str, list[dict[str, Any]]]:
    """Full pre-annotated tasks per document id of the report files under ``paths``.

    Unreadable files and failing stages are reported on stderr, counted in ``report`` and skipped.
    """
    report = report if report is not None else Counter()
    annotator = PreAnnotator(model)
    per_doc: dict[str, list[dict[str, Any]]] = {}
    for path, doc in readable_documents(paths, report):
        try:
            tasks = annotator(doc, report)
        except Exception as err:  # noqa: BLE001 -- a stage failing on one report must not lose the batch
            warn(f"{path}: pre-annotation failed: {type(err).__name__}: {err}")
            report["documents failed"] += 1
            continue
        per_doc[doc.doc] = tasks
        report["documents"] += 1
        report["tasks"] += len(tasks)
    return per_doc


def readable_documents(paths: Iterable[str | Path], report: Counter) -> Iterator[tuple[Path, Document]]:
    """(path, document) of the report files under ``paths``; one that cannot be read is warned about on stderr
    and counted in ``report`` as a failed document."""
    for path in report_files(paths):
        try:
            yield path, read_document(path)
        except DocumentUnavailable as err:
            warn(str(err))
            report["documents failed"] += 1


def report_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Report files named or inside folders named (the suffixes of configs/annotate.yml), sorted per folder."""
    suffixes = set(settings()["document_suffixes"])
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
        else:
            yield path
