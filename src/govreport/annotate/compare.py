"""Counting and comparing annotation files: stats per document, agreement of two annotators, and how much
of a pre-annotation survived correction. All of it works on offsets, so stand-off records need no text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..eval.scorer import prf, span_scores
from .tasks import relation_keys, settings, span_keys, task_id

TaskKey = tuple[str, int]


def accepted(tasks: Iterable[dict[str, Any]]) -> dict[TaskKey, dict[str, Any]]:
    """Tasks answered ``accept``, by (doc, paragraph); a later task of the same paragraph wins."""
    return {task_id(t): t for t in tasks if t.get("answer", "accept") == "accept"}


def span_items(tasks: dict[TaskKey, dict[str, Any]]) -> set[tuple]:
    """(label, doc, paragraph, start, end) of every span."""
    return {(s.label, doc, par, s.start, s.end) for (doc, par), t in tasks.items() for s in span_keys(t)}


def relation_items(tasks: dict[TaskKey, dict[str, Any]]) -> set[tuple]:
    """(label, doc, paragraph, head start, head end, child start, child end) of every relation."""
    return {(r.label, doc, par, *r[1:]) for (doc, par), t in tasks.items() for r in relation_keys(t)}


def document_stats(tasks: Iterable[dict[str, Any]]) -> dict[str, Counter]:
    """Per document: tasks, tasks by answer, spans per label and relations per label."""
    out: dict[str, Counter] = {}
    for task in tasks:
        doc, _ = task_id(task)
        counts = out.setdefault(doc, Counter())
        counts["tasks"] += 1
        counts[f"answer:{task.get('answer', 'accept')}"] += 1
        counts.update(s.label for s in span_keys(task))
        counts.update(r.label for r in relation_keys(task))
    return out


def stats_table(stats: dict[str, Counter]):
    """A rich Table: one row per document and a total row; columns are labels, then relations."""
    from rich.table import Table

    cfg = settings()
    columns = ["tasks", *cfg["labels"], *cfg["relation_labels"], "answer:reject", "answer:ignore"]
    table = Table(title="annotations")
    table.add_column("document")
    for col in columns:
        table.add_column(col.replace("answer:", ""), justify="right")
    total: Counter = Counter()
    for doc in sorted(stats):
        table.add_row(doc, *(str(stats[doc][c]) for c in columns))
        total.update(stats[doc])
    table.add_row("total", *(str(total[c]) for c in columns), style="bold")
    return table


def agreement(a_tasks: Iterable[dict[str, Any]], b_tasks: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Span and relation agreement (exact match, per label and overall) on the paragraphs both accepted."""
    a, b = accepted(a_tasks), accepted(b_tasks)
    common = set(a) & set(b)
    a_common = {k: a[k] for k in common}
    b_common = {k: b[k] for k in common}
    spans_a, spans_b = span_items(a_common), span_items(b_common)
    rels_a, rels_b = relation_items(a_common), relation_items(b_common)
    return {
        "tasks": {"common": len(common), "only_a": len(set(a) - common), "only_b": len(set(b) - common),
                  "documents": len({doc for doc, _ in common})},
        "spans": {"all": prf(spans_a, spans_b), **span_scores(spans_a, spans_b)},
        "relations": {"all": prf(rels_a, rels_b), **span_scores(rels_a, rels_b)},
    }


def agreement_table(result: dict[str, Any]):
    """A rich Table of an agreement result: F1, P, R and counts per label, for spans then relations."""
    from rich.table import Table

    t = result["tasks"]
    table = Table(title=f"agreement on {t['common']} paragraphs of {t['documents']} documents "
                        f"(only A: {t['only_a']}, only B: {t['only_b']})")
    for col in ("kind", "label", "F1", "P (B vs A)", "R (B vs A)", "both", "only A", "only B"):
        table.add_column(col, justify="left" if col in ("kind", "label") else "right")
    for kind in ("spans", "relations"):
        for label, s in result[kind].items():
            table.add_row(kind, str(label), f"{s['f']:.3f}", f"{s['p']:.3f}", f"{s['r']:.3f}", str(s["tp"]),
                          str(s["fn"]), str(s["fp"]), style="bold" if label == "all" else None)
    return table


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def match_spans(pre: list[tuple], gold: list[tuple]) -> tuple[dict[str, list], dict[tuple, tuple]]:
    """Pre spans sorted into kept / corrected / removed, gold spans left over as added; and pre → gold map.

    Spans are (label, start, end). A pre span is kept when gold has it exactly; otherwise it is corrected
    when it overlaps a gold span not yet matched (largest overlap first: new label or new boundaries).
    """
    gold_left = [g for g in gold if g not in set(pre)]
    out: dict[str, list] = {"kept": [s for s in pre if s in set(gold)], "corrected": [], "removed": [], "added": []}
    mapping = {s: s for s in out["kept"]}
    for s in (s for s in pre if s not in set(gold)):
        best = max(gold_left, key=lambda g: _overlap(s[1:], g[1:]), default=None)
        if best is not None and _overlap(s[1:], best[1:]) > 0:
            out["corrected"].append((s, best))
            mapping[s] = best
            gold_left.remove(best)
        else:
            out["removed"].append(s)
    out["added"] = gold_left
    return out, mapping


def match_relations(pre: list[tuple], gold: list[tuple], mapping: dict[tuple, tuple],
                    pre_labels: dict[tuple[int, int], str]) -> dict[str, list]:
    """Pre relations sorted into kept / corrected / removed, and gold ones added.

    Relations are (label, hs, he, cs, ce). Kept: identical. Corrected: the gold links the same figure (the
    pre head span, possibly with corrected boundaries) to another or a reshaped indicator. Else removed.
    """
    gold_left = [g for g in gold if g not in set(pre)]
    out: dict[str, list] = {"kept": [r for r in pre if r in set(gold)], "corrected": [], "removed": [], "added": []}
    for r in (r for r in pre if r not in set(gold)):
        head = (pre_labels.get((r[1], r[2]), ""), r[1], r[2])
        new_head = mapping.get(head)
        match = next((g for g in gold_left if new_head is not None and (g[1], g[2]) == new_head[1:]), None)
        if match is None:
            out["removed"].append(r)
        else:
            out["corrected"].append((r, match))
            gold_left.remove(match)
    out["added"] = gold_left
    return out


def corrections(pre_tasks: Iterable[dict[str, Any]], gold_tasks: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """How many pre-annotated spans and links were kept, corrected, removed, and how many gold ones added.

    Paragraphs are matched by (doc, paragraph); a paragraph missing from the gold is not counted (it may not
    be corrected yet) but reported; a gold paragraph missing from the pre-annotation counts as all added.
    """
    pre = {task_id(t): t for t in pre_tasks}
    gold = accepted(gold_tasks)
    spans: Counter = Counter()
    links: Counter = Counter()
    per_label: dict[str, Counter] = {}
    for key, gold_task in gold.items():
        pre_task = pre.get(key, {})
        pre_spans = [tuple(s) for s in span_keys(pre_task)]
        matched, mapping = match_spans(pre_spans, [tuple(s) for s in span_keys(gold_task)])
        for kind, items in matched.items():
            spans[kind] += len(items)
            for item in items:
                label = item[0][0] if kind == "corrected" else item[0]
                per_label.setdefault(label, Counter())[kind] += 1
        labels = {(s[1], s[2]): s[0] for s in pre_spans}
        rels = match_relations([tuple(r) for r in relation_keys(pre_task)],
                               [tuple(r) for r in relation_keys(gold_task)], mapping, labels)
        for kind, items in rels.items():
            links[kind] += len(items)
    return {
        "paragraphs": {"compared": len(gold), "pre_only": len(set(pre) - set(gold)),
                       "gold_only": len(set(gold) - set(pre))},
        "spans": dict(spans), "links": dict(links), "spans_per_label": {k: dict(v) for k, v in per_label.items()},
    }


def corrections_table(result: dict[str, Any]):
    """A rich Table of correction counts: spans (overall and per label) and links."""
    from rich.table import Table

    p = result["paragraphs"]
    table = Table(title=f"pre-annotation vs gold on {p['compared']} paragraphs "
                        f"(not yet in gold: {p['pre_only']}, not pre-annotated: {p['gold_only']})")
    kinds = ("kept", "corrected", "removed", "added")
    table.add_column("what")
    for kind in kinds:
        table.add_column(kind, justify="right")
    table.add_row("spans", *(str(result["spans"].get(k, 0)) for k in kinds), style="bold")
    for label, counts in sorted(result["spans_per_label"].items()):
        table.add_row(f"  {label}", *(str(counts.get(k, 0)) for k in kinds))
    table.add_row("links", *(str(result["links"].get(k, 0)) for k in kinds), style="bold")
    return table
