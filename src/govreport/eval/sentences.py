"""Scores on annotations/own: paragraphs of our own, written the way reports outside the corpus put things, each
with every figure's INDICATOR phrase and canonical id (format: annotations/own/README.md).

A paragraph is read as a one-paragraph report under its ``title`` (the organ and year a real report's title gives);
a figure is keyed by its text and occurrence. Scored as sets of (paragraph, figure, phrase) and (paragraph, figure,
id), like the gold splits (eval.scorer.prf).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config import PROJECT_ROOT
from ..types import Document
from .scorer import prf

SENTENCES_DIR = PROJECT_ROOT / "annotations" / "own"


def load_paragraph_sets(folder: Path = SENTENCES_DIR) -> dict[str, list[dict[str, Any]]]:
    """The paragraphs of each JSON file of ``folder`` (a list of paragraphs each), by file name without extension
    (none when the folder is missing). JSON, not JSONL: the JSONL files under annotations/ are annotation tasks,
    which `annotate validate` checks."""
    files = sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else []
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in files}


def figure_offsets(text: str, figure: str, occurrence: int) -> tuple[int, int] | None:
    """Offsets of the ``occurrence``-th (0-based) ``figure`` in ``text``, or None."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(figure, start + 1)
        if start < 0:
            return None
    return start, start + len(figure)


def gold_sets(paragraphs: Iterable[dict[str, Any]]) -> tuple[set, set]:
    """The (paragraph, figure start, figure end, phrase) and (paragraph, start, end, id) of every annotated figure."""
    phrases, ids = set(), set()
    for row in paragraphs:
        for fig in row["figures"]:
            at = figure_offsets(row["text"], fig["figure"], fig.get("occurrence", 0))
            if at is None:
                raise ValueError(f"{row['id']}: figure {fig['figure']!r} not in its text")
            if fig.get("phrase"):
                phrases.add((row["id"], *at, fig["phrase"]))
            if fig.get("id"):
                ids.add((row["id"], *at, fig["id"]))
    return phrases, ids


def read_paragraph(row: dict[str, Any], pipeline: Any) -> tuple[str, Any]:
    """(the title line put before the paragraph, ``pipeline``'s analysis of the paragraph read under it)."""
    head = f"{row['title']}\n" if row.get("title") else ""
    return head, pipeline(Document(text=head + row["text"], path=f"{row['id']}.txt", doc=row["id"], format="txt"))


def predicted_sets(paragraphs: Iterable[dict[str, Any]], pipeline: Any) -> tuple[set, set]:
    """The same sets from a pipeline's links, for the annotated figures only (offsets in the paragraph)."""
    phrases, ids = set(), set()
    for row in paragraphs:
        head, analysis = read_paragraph(row, pipeline)
        wanted = {figure_offsets(row["text"], f["figure"], f.get("occurrence", 0)) for f in row["figures"]}
        for link in analysis.links:
            at = (link.figure.start - len(head), link.figure.end - len(head))
            if at not in wanted:
                continue
            if link.indicator is not None:
                phrases.add((row["id"], *at, link.indicator.text))
            if link.canonical_id:
                ids.add((row["id"], *at, link.canonical_id))
    return phrases, ids


def phrase_offsets(text: str, phrase: str, figure_start: int, figure_end: int) -> tuple[int, int] | None:
    """Offsets of ``phrase`` for the figure at ``figure_start``: its last occurrence ending before the figure,
    else its first after it (the own format names a phrase by its text only), or None."""
    before = text.rfind(phrase, 0, figure_start)
    while before >= 0 and before + len(phrase) > figure_start:
        before = text.rfind(phrase, 0, before)
    if before >= 0:
        return before, before + len(phrase)
    after = text.find(phrase, figure_end)
    return (after, after + len(phrase)) if after >= 0 else None


def paragraph_tasks(paragraphs: Iterable[dict[str, Any]], set_name: str, pipeline: Any) -> list[dict[str, Any]]:
    """Link tasks of own paragraphs in the gold task format, for training and cross-validation (`govreport cv`).

    Each paragraph is read under its title as a one-paragraph report by ``pipeline`` (the rules), which gives the
    organ, the form whose ids links follow and the spans the annotation has no say on (ORG, DATE, ...). The
    annotated figures (labelled as the rules read them) and phrases replace the pipeline's own, with one
    ``measures`` relation, carrying the id, per figure that has a phrase."""
    from ..link.features import linker_config
    from ..spans.rules import figure_span

    cfg = linker_config()
    figure_labels, indicator_label = set(cfg["figure_labels"]), cfg["indicator_label"]
    tasks = []
    for row in paragraphs:
        head, analysis = read_paragraph(row, pipeline)
        text = head + row["text"]
        figures, phrases, relations = [], [], []
        for fig in row["figures"]:
            at = figure_offsets(row["text"], fig["figure"], fig.get("occurrence", 0))
            if at is None:
                raise ValueError(f"{set_name} {row['id']}: figure {fig['figure']!r} not in its text")
            figure = {"start": at[0] + len(head), "end": at[1] + len(head),
                      "label": figure_span(text, at[0] + len(head), at[1] + len(head)).label}
            figures.append(figure)
            where = phrase_offsets(text, fig["phrase"], figure["start"], figure["end"]) if fig.get("phrase") else None
            if where is None:
                continue
            phrase = {"start": where[0], "end": where[1], "label": indicator_label}
            if phrase not in phrases:
                phrases.append(phrase)
            relations.append({"head_span": figure, "child_span": phrase, "label": cfg["relation_label"],
                              **({"indicator": fig["id"]} if fig.get("id") else {})})
        taken = figures + phrases
        others = [{"start": sp.start, "end": sp.end, "label": sp.label} for sp in analysis.spans
                  if sp.label not in figure_labels and sp.label != indicator_label
                  and not any(sp.start < t["end"] and t["start"] < sp.end for t in taken)]
        tasks.append({"text": text, "spans": sorted(taken + others, key=lambda sp: (sp["start"], sp["end"])),
                      "relations": relations, "answer": "accept",
                      "meta": {"doc": f"own:{set_name}:{row['id']}", "form": analysis.ids_form,
                               "organ": analysis.meta.get("organ"), "paragraph": 0, "offset": 0}})
    return tasks


def score_paragraphs(paragraphs: list[dict[str, Any]], pipelines: dict[str, Any]) -> dict[str, Any]:
    """Phrase and id P/R/F1 of each named pipeline on the paragraphs."""
    gold_phrases, gold_ids = gold_sets(paragraphs)
    scores: dict[str, Any] = {"paragraphs": len(paragraphs), "figures": sum(len(r["figures"]) for r in paragraphs),
                              "systems": {}}
    for name, pipeline in pipelines.items():
        phrases, ids = predicted_sets(paragraphs, pipeline)
        scores["systems"][name] = {"indicator_phrase": prf(gold_phrases, phrases), "canonical_id": prf(gold_ids, ids)}
    return scores
