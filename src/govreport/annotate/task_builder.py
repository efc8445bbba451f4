"""A document's spans and links cut into paragraph tasks (the annotation format of annotate/tasks.py).

Table lines are not annotated (the table stage reads them and is scored against the expected tables): a
paragraph that lies inside a table area, or looks like a pipe-table row, gives no task; a table flattened
into a narrative line (digit runs of PDF or web text) is kept in the task as a ``tables`` area, and the
rules' spans inside it are dropped. Used by extract (--tasks) and the annotation export alike.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..types import Document, Span
from .tasks import make_task, paragraphs, settings, token_bounds, tokenize

Area = tuple[int, int]


@lru_cache(maxsize=1)
def _table_line_re() -> re.Pattern[str]:
    return re.compile(settings()["table_line_pattern"])


def is_table_line(line: str, start: int, end: int, areas: list[Area]) -> bool:
    """A line inside a table area, or shaped like a pipe-table row."""
    return any(a <= start and end <= b for a, b in areas) or bool(_table_line_re().search(line))


def _clip(areas: list[Area], start: int, end: int) -> list[Area]:
    """Table areas overlapping [start, end), paragraph-relative and clipped to it."""
    return [(max(a, start) - start, min(b, end) - start) for a, b in areas if a < end and b > start]


def _drop_overlaps(spans: list[tuple[str, int, int]]) -> tuple[list[tuple[str, int, int]], int]:
    """Longest spans win where spans overlap (as spacy.util.filter_spans); returns kept and dropped count."""
    kept: list[tuple[str, int, int]] = []
    taken: set[int] = set()
    for label, s, e in sorted(spans, key=lambda x: (-(x[2] - x[1]), x[1])):
        if not taken.intersection(range(s, e)):
            kept.append((label, s, e))
            taken.update(range(s, e))
    return sorted(kept, key=lambda x: (x[1], x[2], x[0])), len(spans) - len(kept)


def tasks_from_document(doc: Document, spans: Iterable[Span], links: Iterable[Any] = (),
                        areas: Iterable[Area] | None = None, report: Counter | None = None) -> list[dict[str, Any]]:
    """Full tasks, one per narrative paragraph of ``doc``, holding the spans and links that fall in it.

    ``spans`` are document-level Spans (INDICATOR spans included); ``links`` are objects with ``figure``,
    ``indicator`` (Span or None) and optionally ``scope`` (the normalised qualifier). Spans that cut a token,
    cross a line, overlap a longer span, or lie in a table area are dropped and counted in ``report``; a paragraph
    longer than ``max_task_chars`` gives no task (counted, and named in ``doc.warnings``).
    """
    report = report if report is not None else Counter()
    areas = doc.table_areas(areas or ())
    pairs = [(link.figure, link.indicator, getattr(link, "scope", None)) for link in links
             if getattr(link, "indicator", None) is not None]
    # a linker may name an indicator phrase found from context, outside the indicator spans it was given
    spans = sorted({(s.label, s.start, s.end) for s in spans} | {(i.label, i.start, i.end) for _, i, _ in pairs},
                   key=lambda x: (x[1], x[2], x[0]))  # a stable order whatever the hash seed
    # links by the start of their figure: a paragraph reads only its own (not every link of the document)
    pair_order = sorted(range(len(pairs)), key=lambda k: pairs[k][0].start)
    pair_starts = [pairs[k][0].start for k in pair_order]
    tasks = []
    j = 0
    max_chars = settings()["max_task_chars"]
    for index, start, end in paragraphs(doc.text):
        while j < len(spans) and spans[j][1] < start:
            report["spans outside any paragraph"] += 1
            j += 1
        inside = []
        while j < len(spans) and spans[j][1] < end:
            label, s, e = spans[j]
            if e <= end:
                inside.append((label, s - start, e - start))
            else:
                report["spans crossing a line dropped"] += 1
            j += 1
        if end - start > max_chars:
            report["paragraphs longer than max_task_chars skipped"] += 1
            doc.warnings.append(f"{doc.path}: paragraph {index} has {end - start} characters, more than "
                                f"max_task_chars ({max_chars}, configs/annotate.yml): no annotation task")
            continue
        para = doc.text[start:end]
        if is_table_line(para, start, end, areas):
            report["table lines skipped"] += 1
            continue
        own = sorted(pair_order[bisect_left(pair_starts, start):bisect_left(pair_starts, end)])  # in link order
        task = _paragraph_task(doc.doc, index, start, para, inside, [pairs[k] for k in own], _clip(areas, start, end),
                               report)
        tasks.append(task)
    return tasks


def _paragraph_task(doc_id: str, index: int, offset: int, para: str, spans: list[tuple[str, int, int]],
                    pairs: list[tuple[Span, Span, str | None]], tables: list[Area], report: Counter) -> dict:
    """One task: spans aligned and filtered, relations of the links whose two ends survived."""
    cfg = settings()
    tokens = tokenize(para)
    starts, ends = token_bounds(tokens)
    aligned = []
    for label, s, e in spans:
        if label not in cfg["labels"]:
            report[f"{label} spans dropped (no label of the guidelines)"] += 1
        elif any(a <= s and e <= b for a, b in tables):
            report["spans in flattened tables dropped"] += 1
        elif s not in starts or e not in ends:
            report["spans cutting a token dropped"] += 1
        else:
            aligned.append((label, s, e))
    aligned, n_overlap = _drop_overlaps(aligned)
    report["overlapping spans dropped"] += n_overlap
    kept = {(s, e): label for label, s, e in aligned}
    relations, linked, seen = [], set(), set()
    for figure, indicator, scope in pairs:
        head, child = (figure.start - offset, figure.end - offset), (indicator.start - offset, indicator.end - offset)
        if kept.get(child) in cfg["child_labels"] and kept.get(head) in cfg["head_labels"]:
            rel = {"label": cfg["relation_labels"][0], "head": head, "child": child}
            if scope in cfg["scopes"]:
                rel["scope"] = scope
            elif scope:
                report["scopes outside the guidelines' list dropped"] += 1
            key = (rel["head"], rel["child"], rel.get("scope"))
            if key not in seen:  # a set: a one-line document holds thousands of relations in one paragraph
                seen.add(key)
                relations.append(rel)
            linked.add(child)
    # indicators of no figure are not annotated (see the guidelines)
    final = [(label, s, e) for label, s, e in aligned if label not in cfg["child_labels"] or (s, e) in linked]
    report["unlinked indicator spans dropped"] += len(aligned) - len(final)
    report["spans"] += len(final)
    report["relations"] += len(relations)
    task = make_task(para, doc_id, index, offset, final, relations, tables, tokens=tokens)
    # no preset answer: the machine's output is not reviewed, and Prodigy's db-in would take a preset
    # "accept" for an annotator's decision (the annotator's answer is added by the annotation tool)
    del task["answer"]
    return task


def analysis_tasks(analysis: Any, report: Counter | None = None) -> list[dict[str, Any]]:
    """The tasks of one pipeline analysis (pipeline.Analysis): all its spans, phrases and links, its table
    areas (ingest's and the table stage's) left unannotated. extract --tasks and the annotation export both
    make their tasks here, so they write the same tasks."""
    return tasks_from_document(analysis.doc, analysis.spans + analysis.indicators, analysis.links,
                               analysis.table_areas, report)
