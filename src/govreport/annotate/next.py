"""Which paragraphs to annotate next: where the rules and the span model disagree, or the linker is least sure.

Only paragraphs that are not in the gold yet (by doc id and paragraph index) and that would be tasks
(narrative paragraphs, table lines skipped) are ranked. Each candidate keeps its pre-annotated task (the
hybrid spans and the links in use), so the top N can be exported for Prodigy or Label Studio directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import PROJECT_ROOT
from ..eval.suite import span_systems
from ..extract.reports import Extractor, document_result
from .export import readable_documents, report_year
from .files import read_annotations
from .standoff import document_dirs
from .task_builder import is_table_line
from .tasks import settings, task_id

BY = ("disagreement", "linker")


@dataclass
class Candidate:
    """One unannotated paragraph, its score and why."""

    doc: str
    paragraph: int
    score: float
    reason: str
    task: dict[str, Any] = field(repr=False)


def annotated_paragraphs(annotations: Iterable[str | Path]) -> set[tuple[str, int]]:
    """(doc, paragraph) of every record in the annotation files (any answer counts as done)."""

    lines, _ = read_annotations(annotations)
    return {task_id(line.data) for line in lines if isinstance(line.data.get("meta"), dict)}


def _in_paragraph(items: Iterable[tuple], task: dict[str, Any]) -> set[tuple]:
    """Items (label, start, end) inside the task's paragraph and outside its table areas, paragraph-relative."""
    offset, length = task["meta"]["offset"], len(task["text"])
    holes = [(t["start"], t["end"]) for t in task.get("tables") or []]
    out = set()
    for label, start, end in items:
        s, e = start - offset, end - offset
        if 0 <= s and e <= length and not any(a < e and s < b for a, b in holes):
            out.add((label, s, e))
    return out


def disagreement(task: dict[str, Any], rules: set[tuple], model: set[tuple]) -> tuple[float, str]:
    """Spans one system finds in the paragraph and the other does not."""
    a, b = _in_paragraph(rules, task), _in_paragraph(model, task)
    only_rules, only_model = len(a - b), len(b - a)
    return float(only_rules + only_model), f"{only_rules} span(s) only the rules find, {only_model} only the model"


def linker_doubt(task: dict[str, Any], mentions: list[dict[str, Any]]) -> tuple[float, str]:
    """1 - the lowest linking confidence of the paragraph's figures (0 when it has none)."""
    inside = [m for m in mentions if m["source"] == "text" and _in_paragraph([("", m["start"], m["end"])], task)]
    if not inside:
        return 0.0, "no figure"
    confidences = [m["confidence"] if m["indicator_start"] is not None else 0.0 for m in inside]
    return round(1.0 - min(confidences), 4), (f"{len(inside)} figure(s), lowest linking confidence "
                                              f"{min(confidences):.2f}")


def rank_paragraphs(paths: Iterable[str | Path] | None, n: int, by: str | None = None,
                    model: str | Path | None = "models/ner", annotations: Iterable[str | Path] | None = None,
                    report: Counter | None = None) -> list[Candidate]:
    """The ``n`` best unannotated paragraphs of the reports under ``paths`` (default: corpus and shared corpus)."""

    cfg = settings()["next"]
    by = by or cfg["by"]
    if by not in BY:
        raise ValueError(f"unknown ranking {by!r}: use one of {', '.join(BY)}")
    report = report if report is not None else Counter()
    systems = span_systems(Path(model)) if model is not None and by == "disagreement" else {}
    if by == "disagreement" and "model" not in systems:
        raise ValueError(f"ranking by disagreement needs the span model ({model}); train it (make train) or use "
                         "--by linker")
    extractor = Extractor(model, use_model=model is not None, with_tasks=True)
    done = annotated_paragraphs(annotations if annotations is not None
                                else [PROJECT_ROOT / "annotations" / settings()["docbin"]["gold_dir"]])
    labels = set(cfg["span_labels"])
    candidates: list[Candidate] = []
    for _, doc in readable_documents(paths or document_dirs(), report):
        analysis = extractor.pipeline(doc)
        result = document_result(analysis, extractor.units, with_tasks=True)
        # the table stage's areas too, as the export skips them (extract's tasks know ingest's tables only)
        areas = analysis.table_areas
        narrative = [t for t in result.tasks if not is_table_line(
            t["text"], t["meta"]["offset"], t["meta"]["offset"] + len(t["text"]), areas)]
        report["table paragraphs skipped"] += len(result.tasks) - len(narrative)
        tasks = [t for t in narrative if task_id(t) not in done]
        report["documents"] += 1
        report["paragraphs already annotated"] += len(narrative) - len(tasks)
        report["paragraphs ranked"] += len(tasks)
        if not tasks:
            continue
        if by == "disagreement":
            year = report_year(doc)
            rules, model_spans = ({(s.label, s.start, s.end) for s in systems[name](doc.text, year)
                                   if s.label in labels} for name in ("rules", "model"))
            scored = [(t, *disagreement(t, rules, model_spans)) for t in tasks]
        else:
            scored = [(t, *linker_doubt(t, result.mentions)) for t in tasks]
        candidates += [Candidate(*task_id(t), score, reason, t) for t, score, reason in scored if score > 0]
    candidates.sort(key=lambda c: (-c.score, c.doc, c.paragraph))
    return candidates[:n]
