"""A plain-text view of tasks that annotators edit line by line, and reading it back into tasks.

One line per paragraph: ``doc <TAB> paragraph <TAB> answer <TAB> marked text``. In the marked text a span is
``⟦text|LABEL⟧``; an indicator gets an id, ``⟦主动公开政府信息|INDICATOR#1⟧``; a figure names the indicators
it measures and optionally its scope, ``⟦135000条|COUNT>1⟧``, ``⟦1486件|COUNT>2@全市⟧``, ``>1,2`` for two;
a table flattened into the line is ``⟦...|TABLE⟧``; ``⏎`` stands for a line break inside a paragraph. Removing the marks must give back the paragraph text
exactly: ``apply`` checks it against the task the line came from. Lines starting with # are comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from .files import Problem
from .tasks import AlignmentError, make_task, relation_specs, settings, span_keys, table_offsets, task_id

TABLE = "TABLE"
HELP = """\
# govreport annotate markup: one paragraph a line: doc<TAB>paragraph<TAB>answer<TAB>marked text
# span ⟦text|LABEL⟧ · indicator ⟦text|INDICATOR#id⟧ · figure ⟦text|COUNT>id⟧ or ⟦text|MEASURE>id,id2@scope⟧
# flattened table ⟦text|TABLE⟧ · ⏎ = line break · answer: accept, reject or ignore · keep the text unchanged
"""


class MarkupError(ValueError):
    """A markup line that cannot be read or a task that cannot be written as markup."""


@lru_cache(maxsize=1)
def _mark_re() -> re.Pattern[str]:
    o, c = map(re.escape, (settings()["markup_open"], settings()["markup_close"]))
    # the text part runs to the last | inside the marks, so text holding a | stays readable
    return re.compile(rf"{o}([^{o}{c}]*)\|([A-Z]*)(?:#(\w+))?(?:>(\w+(?:,\w+)*))?(?:@([^{o}{c}|>#@\s]+))?{c}")


def render(task: dict[str, Any]) -> str:
    """The markup line of a full task."""
    o, c, nl = settings()["markup_open"], settings()["markup_close"], settings()["markup_newline"]
    text = task["text"]
    if o in text or c in text or nl in text:
        raise MarkupError(f"the text holds {o}, {c} or {nl}; mark it up by hand")
    ids: dict[tuple[int, int], str] = {}
    targets: dict[tuple[int, int], list[str]] = {}
    scopes: dict[tuple[int, int], str] = {}
    for rel in relation_specs(task):
        child = ids.setdefault(rel["child"], str(len(ids) + 1))
        targets.setdefault(rel["head"], []).append(child)
        if rel.get("scope"):
            scopes[rel["head"]] = rel["scope"]
    regions = [(s.start, s.end, s.label) for s in span_keys(task)] + [(a, b, TABLE) for a, b in table_offsets(task)]
    out, pos = [], 0
    for start, end, label in sorted(regions):
        if start < pos:
            raise MarkupError(f"{label} [{start}, {end}) overlaps the mark before it")
        suffix = label
        if (start, end) in ids and label != TABLE:
            suffix += f"#{ids[start, end]}"
        if (start, end) in targets and label != TABLE:
            suffix += ">" + ",".join(targets[start, end])
            if (start, end) in scopes:
                suffix += f"@{scopes[start, end]}"
        out.append(f"{text[pos:start]}{o}{text[start:end]}|{suffix}{c}")
        pos = end
    out.append(text[pos:])
    doc, paragraph = task_id(task)
    marked = "".join(out).replace("\n", nl)
    return f"{doc}\t{paragraph}\t{task.get('answer', 'accept')}\t{marked}"


def render_all(tasks: Iterable[dict[str, Any]], blank: bool = False) -> Iterator[str]:
    """Markup lines of tasks (``blank``: without spans and relations); a task that cannot be shown becomes a
    comment saying why."""
    for task in tasks:
        try:
            yield render({**task, "spans": [], "relations": []} if blank else task)
        except MarkupError as err:
            doc, paragraph = task_id(task)
            yield f"# {doc}\t{paragraph}\tnot shown: {err}"


def parse(line: str) -> dict[str, Any]:
    """doc, paragraph, answer, text, spans, relations and tables of one markup line."""
    parts = line.rstrip("\n").split("\t", 3)
    if len(parts) != 4:
        raise MarkupError("expected doc<TAB>paragraph<TAB>answer<TAB>text")
    doc, paragraph, answer, marked = parts
    if not paragraph.isdigit():
        raise MarkupError(f"paragraph {paragraph!r} is not a number")
    o, c = settings()["markup_open"], settings()["markup_close"]
    marked = marked.replace(settings()["markup_newline"], "\n")
    text_parts, spans, tables, ids, figures = [], [], [], {}, []
    pos = length = 0
    for m in _mark_re().finditer(marked):
        text_parts.append(marked[pos:m.start()])
        length += m.start() - pos
        body, label, ident, to, scope = m.groups()
        start, end = length, length + len(body)
        text_parts.append(body)
        length = end
        pos = m.end()
        if label == TABLE:
            tables.append((start, end))
            continue
        if not label:
            raise MarkupError(f"{body!r} has no label")
        spans.append((label, start, end))
        if ident:
            if ident in ids:
                raise MarkupError(f"id #{ident} is used twice")
            ids[ident] = (start, end)
        if to:
            figures.append(((start, end), to.split(","), scope))
    text_parts.append(marked[pos:])
    text = "".join(text_parts)
    if o in text or c in text:
        raise MarkupError(f"a mark is not closed or not of the form {o}text|LABEL{c}")
    relations = []
    for head, targets, scope in figures:
        for target in targets:
            if target not in ids:
                raise MarkupError(f"no indicator with id #{target}")
            rel = {"label": settings()["relation_labels"][0], "head": head, "child": ids[target]}
            if scope:
                rel["scope"] = scope
            relations.append(rel)
    return {"doc": doc, "paragraph": int(paragraph), "answer": answer, "text": text, "spans": spans,
            "relations": relations, "tables": tables}


def apply_markup(lines: Iterable[str], reference: dict[tuple[str, int], dict[str, Any]],
                 source: str = "<markup>") -> tuple[list[dict[str, Any]], list[Problem]]:
    """Full tasks from markup lines; each line's text must equal its reference task's text.

    ``reference`` maps (doc, paragraph) to the full task the line was rendered from (its meta is kept).
    Lines with problems are reported (with their line number) and left out.
    """
    tasks, problems = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            item = parse(line)
            ref = reference.get((item["doc"], item["paragraph"]))
            if ref is None:
                raise MarkupError(f"no task for doc {item['doc']} paragraph {item['paragraph']} in the reference")
            if item["text"] != ref["text"]:
                raise MarkupError(f"the text differs from the paragraph: {_first_difference(item['text'], ref['text'])}")
            if item["answer"] not in settings()["answers"]:
                raise MarkupError(f"answer {item['answer']!r} is not one of {settings()['answers']}")
            meta = ref["meta"]
            task = make_task(item["text"], item["doc"], item["paragraph"], meta.get("offset", 0), item["spans"],
                             item["relations"], item["tables"], item["answer"])
            task["meta"] = {**meta, **task["meta"]}
            tasks.append(task)
        except (MarkupError, AlignmentError, KeyError) as err:
            problems.append(Problem(source, number, str(err).strip("'\"")))
    return tasks, problems


def _first_difference(a: str, b: str) -> str:
    """Where two texts part, with a little context."""
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at character {i}: {a[max(0, i - 8):i + 8]!r} vs {b[max(0, i - 8):i + 8]!r}"
