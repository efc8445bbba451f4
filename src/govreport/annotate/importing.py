"""Annotations made in Label Studio or Prodigy back into stand-off gold files (the layout of annotations/gold).

Every task is checked before it is written: the text must still be its document's paragraph, offsets must
fit the text and the tokens, labels, relations, scopes and ids must be those of the guidelines. A task with
an error is reported (naming it) and left out; the rest of the file still imports. Imported records replace
the records of the same (doc, paragraph) in the output folder and leave the others alone.

Prodigy ``db-out`` files: only ``accept`` answers become gold; ``reject`` and ``ignore`` are counted. A task
is identified by ``meta.doc`` and ``meta.paragraph`` (and the sha1 of its text), never by its hashes, which
another tool may have recomputed (annotations/README.md).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import Problem, read_annotations, read_lines, write_jsonl
from .labelstudio import read_export
from .standoff import DocumentStore, DocumentUnavailable, to_standoff
from .tasks import AlignmentError, rebuild_task, task_id
from .validate import check_structure, validate_record

FORMATS = ("label-studio", "prodigy")


@dataclass
class ImportResult:
    """Records imported per document, problems (each naming its task), and counts."""

    records: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, task: dict[str, Any]) -> None:
        doc, paragraph = task_id(task)
        per_doc = self.records.setdefault(doc, {})
        if paragraph in per_doc:
            self.counts["duplicate tasks (the last one kept)"] += 1
        per_doc[paragraph] = to_standoff(task)
        self.counts[f"imported ({task.get('answer', 'accept')})"] += 1


def check_task(task: dict[str, Any], store: DocumentStore) -> list[str]:
    """Errors of a full task (changed text, offsets, tokens, labels, relations); warnings are not errors."""
    return [message for level, message in validate_record(task, store) if level == "error"]


def unchecked_source(task: dict[str, Any], store: DocumentStore) -> str | None:
    """Why the task's text could not be compared with its document (None when it could)."""
    try:
        store.get(task_id(task)[0])
    except DocumentUnavailable as err:
        return f"imported without checking the text against its document: {err}"
    return None


def import_labelstudio(path: Path, store: DocumentStore) -> ImportResult:
    """A Label Studio JSON export (a list of tasks with ``annotations``)."""

    result = ImportResult()
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        result.problems.append(Problem(path, 0, f"cannot read a Label Studio JSON export: {err}"))
        return result
    if not isinstance(tasks, list):
        result.problems.append(Problem(path, 0, "a Label Studio JSON export is a list of tasks (export as JSON)"))
        return result
    for name, task, error in read_export(tasks, result.counts):
        errors = [error] if task is None else check_task(task, store)
        if errors:
            result.counts["tasks with errors (not imported)"] += 1
            result.problems += [Problem(path, 0, f"{name}: {e}") for e in errors]
        else:
            _note_unchecked(result, path, 0, name, task, store)
            result.add(task)
    return result


def _note_unchecked(result: ImportResult, path: Path, line: int, name: str, task: dict[str, Any],
                    store: DocumentStore) -> None:
    note = unchecked_source(task, store)
    if note:
        result.problems.append(Problem(path, line, f"{name}: {note}", "warning"))
        result.counts["imported without their document (text not checked)"] += 1


def import_prodigy(path: Path, store: DocumentStore) -> ImportResult:
    """A Prodigy ``db-out`` JSONL file: accepted tasks become gold, the other answers are counted."""
    result = ImportResult()
    for item in read_lines(Path(path)):
        if isinstance(item, Problem):
            result.problems.append(item)
            continue
        data = item.data
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        name = f"line {item.line} ({meta.get('doc', '?')} paragraph {meta.get('paragraph', '?')})"
        if "text" not in data:
            errors = ["no text: not a Prodigy task"]
        else:
            errors = check_structure(data)
        if not errors and data.get("answer") != "accept":
            result.counts[f"{data['answer']} answers (not imported)"] += 1
            continue
        if not errors:
            errors = check_task(data, store)
        if not errors:
            try:
                task = rebuild_task(data, data["text"])
            except (AlignmentError, KeyError) as err:
                errors = [str(err).strip("'\"")]
        if errors:
            result.counts["tasks with errors (not imported)"] += 1
            result.problems += [Problem(path, item.line, f"{name}: {e}") for e in errors]
            continue
        _note_unchecked(result, path, item.line, name, task, store)
        result.add(task)
    return result


def import_annotations(path: str | Path, fmt: str, out_dir: str | Path,
                       store: DocumentStore | None = None) -> ImportResult:
    """Import one file of ``fmt`` (label-studio or prodigy) into ``out_dir``/<doc>.jsonl (stand-off)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    store = store or DocumentStore()
    path = Path(path)
    result = (import_labelstudio if fmt == "label-studio" else import_prodigy)(path, store)
    write_records(result.records, Path(out_dir))
    return result


def write_records(records: dict[str, dict[int, dict[str, Any]]], out_dir: Path) -> None:
    """Merge records into out_dir/<doc>.jsonl by (doc, paragraph), in paragraph order."""
    for doc, by_paragraph in records.items():
        path = out_dir / f"{doc}.jsonl"
        merged: dict[int, dict[str, Any]] = {}
        if path.exists():
            lines, _ = read_annotations([path])
            merged = {line.data["meta"]["paragraph"]: line.data for line in lines
                      if isinstance(line.data.get("meta"), dict) and "paragraph" in line.data["meta"]}
        merged.update(by_paragraph)
        write_jsonl(path, (merged[k] for k in sorted(merged)))
