"""Canonical indicator ids on gold relations: a worklist to fill by reading, and its application.

The worklist (TSV, kept out of the repository since it quotes the text) has one row per gold relation:
doc, paragraph, figure and indicator offsets, the figure, the indicator phrase, some context, the form
of the report, the rules' suggestion and an ``id`` column for the annotator (an id of
configs/indicators.yml, or empty when the figure measures nothing the spec names).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..extract.reports import Extractor
from ..indicators import load_indicators
from ..notices import warn
from .files import annotation_files, read_lines, write_jsonl
from .standoff import find_document, load_tasks

COLUMNS = ["doc", "paragraph", "head_start", "head_end", "child_start", "child_end", "form", "figure",
           "indicator_text", "context", "suggested", "id"]


def _rules_ids(doc_id: str) -> tuple[str | None, dict[tuple[int, int], str]]:
    """The report's table form and the rules' canonical id of each figure (document offsets)."""

    path = find_document(doc_id)
    if path is None:
        return None, {}
    result = Extractor(use_model=False, with_tasks=False)(path)
    return result.document.get("form"), {(m["start"], m["end"]): m["indicator"] for m in result.mentions
                                         if m["source"] == "text" and m["indicator"]}


def id_worklist(paths: Iterable[str | Path], context: int = 30) -> list[dict[str, Any]]:
    """One row per relation of the annotation files, with the rules' suggested id."""

    tasks, problems = load_tasks(annotation_files(paths), join=True)
    for problem in problems:
        warn(str(problem))
    rows, cache = [], {}
    for task in tasks:
        doc_id, offset, text = task["meta"]["doc"], task["meta"]["offset"], task["text"]
        if doc_id not in cache:
            cache[doc_id] = _rules_ids(doc_id)
        form, suggested = cache[doc_id]
        for rel in task.get("relations") or []:
            h, c = rel["head_span"], rel["child_span"]
            lo, hi = min(h["start"], c["start"]), max(h["end"], c["end"])
            rows.append({
                "doc": doc_id, "paragraph": task["meta"]["paragraph"], "head_start": h["start"],
                "head_end": h["end"], "child_start": c["start"], "child_end": c["end"], "form": form,
                "figure": text[h["start"]:h["end"]], "indicator_text": text[c["start"]:c["end"]],
                "context": text[max(0, lo - context):hi + context].replace("\n", " "),
                "suggested": suggested.get((offset + h["start"], offset + h["end"]), ""),
                "id": rel.get("indicator") or "",
            })
    return rows


def write_worklist(rows: list[dict[str, Any]], path: str | Path) -> None:
    """The worklist as TSV."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)


def apply_ids(worklist: str | Path, paths: Iterable[str | Path]) -> dict[str, int]:
    """Write the worklist's ``id`` column onto the matching relations of the annotation files, in place."""

    known = set(load_indicators())
    ids: dict[tuple, str] = {}
    with open(worklist, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["doc"], int(row["paragraph"]), int(row["head_start"]), int(row["head_end"]),
                   int(row["child_start"]), int(row["child_end"]))
            value = (row.get("id") or "").strip()
            if value and value not in known:
                raise ValueError(f"{worklist}: {value!r} is no id of configs/indicators.yml ({row['doc']} "
                                 f"paragraph {row['paragraph']})")
            ids[key] = value
    counts = {"relations": 0, "with id": 0}
    for path in annotation_files(paths):
        records = []
        for line in read_lines(path):
            data = line.data
            for rel in data.get("relations") or []:
                key = (data["meta"]["doc"], data["meta"]["paragraph"], rel["head_span"]["start"],
                       rel["head_span"]["end"], rel["child_span"]["start"], rel["child_span"]["end"])
                counts["relations"] += 1
                if ids.get(key):
                    rel["indicator"] = ids[key]
                    counts["with id"] += 1
                elif key in ids:
                    rel.pop("indicator", None)
            records.append(data)
        write_jsonl(path, records)
    return counts
