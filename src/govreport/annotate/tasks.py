"""Prodigy ``rel.manual`` tasks: tokens, paragraphs, hashes, and spans/relations read from either form.

A task is one paragraph (a non-empty line of the normalised document text). Character ``end`` is exclusive,
``token_end`` inclusive, and a relation's ``head``/``child`` is the index of its span's last token, as in
Prodigy. Full tasks carry ``text`` and ``tokens``; stand-off records (see standoff.py) carry neither.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from murmurhash import hash as murmur

from ..config import load_config

Offsets = tuple[int, int]


class SpanKey(NamedTuple):
    """A span as (label, start, end), paragraph-relative."""

    label: str
    start: int
    end: int


class RelationKey(NamedTuple):
    """A relation as (label, head start, head end, child start, child end), paragraph-relative."""

    label: str
    head_start: int
    head_end: int
    child_start: int
    child_end: int


class AlignmentError(ValueError):
    """A span whose boundaries fall inside a token."""


def settings() -> dict[str, Any]:
    """configs/annotate.yml."""
    return load_config("annotate.yml")


@lru_cache(maxsize=1)
def _token_re() -> re.Pattern[str]:
    # a token, then at most one space that becomes its ws; or a run of whitespace that is a token itself
    return re.compile(rf"({settings()['token_pattern']})( ?)|(\s+)")


def tokenize(text: str) -> list[dict[str, Any]]:
    """Prodigy tokens (text, start, end, id, ws): numbers and Latin runs whole, every other character alone."""
    tokens = []
    for match in _token_re().finditer(text):
        if match.group(1) is not None:
            start, end = match.span(1)
            ws = bool(match.group(2))
        else:
            start, end = match.span(3)
            ws = False
        tokens.append({"text": text[start:end], "start": start, "end": end, "id": len(tokens), "ws": ws})
    return tokens


def token_bounds(tokens: list[dict[str, Any]]) -> tuple[dict[int, int], dict[int, int]]:
    """Maps character start → token index and character end → token index."""
    return {t["start"]: t["id"] for t in tokens}, {t["end"]: t["id"] for t in tokens}


_LINE = re.compile(r"[^\n]*\S[^\n]*")


@lru_cache(maxsize=1)
def _wrap_patterns() -> tuple[re.Pattern[str], ...]:
    cfg = settings()["paragraphs"]
    return (re.compile(cfg["sentence_final"]), re.compile(cfg["item_start"]), re.compile(cfg["heading"]),
            re.compile(settings()["table_line_pattern"]))


def wrap_width(lengths: list[int]) -> float:
    """The length a line must reach to count as wrapped at the page width (configs/annotate.yml)."""
    cfg = settings()["paragraphs"]
    if not lengths:
        return cfg["soft_wrap_min_chars"]
    ranked = sorted(lengths)
    typical = ranked[min(len(ranked) - 1, int(cfg["wrap_width_quantile"] * len(ranked)))]
    return max(cfg["soft_wrap_min_chars"], cfg["wrap_width_ratio"] * typical)


def is_soft_wrap(line: str, next_line: str, width: float) -> bool:
    """True when ``line`` runs on into ``next_line`` (a line wrapped at the page width ``width``)."""
    final, item, heading, table = _wrap_patterns()
    return (len(line.strip()) >= width and not final.search(line) and not heading.match(line)
            and not item.match(next_line) and not table.search(line) and not table.search(next_line))


def paragraphs(text: str) -> list[tuple[int, int, int]]:
    """(index, start, end) of every paragraph: non-empty lines, soft-wrapped lines joined (configs/annotate.yml)."""
    lines = [m.span() for m in _LINE.finditer(text)]
    join = settings()["paragraphs"]["join_soft_wraps"]
    table = _wrap_patterns()[3]
    width = wrap_width([len(text[a:b].strip()) for a, b in lines if not table.search(text[a:b])]) if join else 0
    out: list[tuple[int, int, int]] = []
    for k, (start, end) in enumerate(lines):
        prev = lines[k - 1] if k else None
        if join and prev is not None and text[prev[1]:start] == "\n" \
                and is_soft_wrap(text[prev[0]:prev[1]], text[start:end], width):
            out[-1] = (out[-1][0], out[-1][1], end)
        else:
            out.append((len(out), start, end))
    return out


def text_sha1(text: str) -> str:
    """Hex sha1 of a paragraph text (what stand-off records keep instead of the text)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def input_hash(text: str) -> int:
    """Prodigy-style _input_hash: a signed 32-bit murmurhash of the text."""
    return murmur(text)


def task_hash(doc: str, paragraph: int, text: str) -> int:
    """_task_hash: stable identity of the task (document, paragraph, text), not of its annotations.

    Keeping it independent of the spans means the pre-annotated task, each annotator's version and the
    adjudicated gold of one paragraph share it, so passes can be matched by it.
    """
    return murmur(f"{doc}\u241f{paragraph}\u241f{text}")


def span_keys(task: dict[str, Any]) -> list[SpanKey]:
    """The task's spans as (label, start, end), in either form."""
    return [SpanKey(s["label"], s["start"], s["end"]) for s in task.get("spans") or []]


def relation_keys(task: dict[str, Any]) -> list[RelationKey]:
    """The task's relations as (label, head offsets, child offsets), in either form."""
    out = []
    for r in task.get("relations") or []:
        h, c = r["head_span"], r["child_span"]
        out.append(RelationKey(r["label"], h["start"], h["end"], c["start"], c["end"]))
    return out


def task_id(task: dict[str, Any]) -> tuple[str, int]:
    """(doc, paragraph) of a task."""
    meta = task.get("meta") or {}
    return meta.get("doc"), meta.get("paragraph")


def _span_dict(tokens_at: tuple[dict[int, int], dict[int, int]], start: int, end: int, label: str,
               text: str) -> dict[str, Any]:
    starts, ends = tokens_at
    if start not in starts or end not in ends:
        raise AlignmentError(f"{label} span [{start}, {end}) {text[start:end]!r} does not start and end on token "
                             "boundaries")
    return {"start": start, "end": end, "token_start": starts[start], "token_end": ends[end], "label": label}


def make_task(text: str, doc: str, paragraph: int, offset: int, spans: Iterable[tuple[str, int, int]] = (),
              relations: Iterable[dict[str, Any]] = (), tables: Iterable[Offsets] = (),
              answer: str = "accept", tokens: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A full task from a paragraph text and paragraph-relative (label, start, end) spans.

    ``relations`` are dicts with ``label``, ``head`` and ``child`` as (start, end) offsets of existing spans
    and an optional ``scope`` (the normalised scope qualifier: 全市, 市本级, 县市区, ...). Raises
    AlignmentError when a span cuts a token, KeyError when a relation points at no span. ``tokens`` are
    tokenize(text) when the caller already has them (tokenizing is most of the cost of a task).
    """
    tokens = tokenize(text) if tokens is None else tokens
    bounds = token_bounds(tokens)
    span_dicts = sorted((_span_dict(bounds, s, e, label, text) for label, s, e in spans),
                        key=lambda d: (d["start"], d["end"]))
    by_offsets = {(d["start"], d["end"]): d for d in span_dicts}
    rel_dicts = [_relation_dict(r, by_offsets) for r in relations]
    task = {
        "text": text,
        "tokens": tokens,
        "spans": span_dicts,
        "relations": sorted(rel_dicts, key=lambda r: (r["head_span"]["start"], r["child_span"]["start"])),
        "answer": answer,
        "meta": {"doc": doc, "paragraph": paragraph, "offset": offset},
        "_input_hash": input_hash(text),
        "_task_hash": task_hash(doc, paragraph, text),
    }
    tables = [{"start": a, "end": b} for a, b in sorted(tables)]
    if tables:
        task["tables"] = tables
    return task


# optional fields of a relation: the figure's scope and the canonical indicator id the figure measures
RELATION_EXTRAS = ("scope", "indicator")


def _relation_dict(rel: dict[str, Any], spans: dict[Offsets, dict[str, Any]]) -> dict[str, Any]:
    head, child = spans.get(tuple(rel["head"])), spans.get(tuple(rel["child"]))
    if head is None or child is None:
        missing = rel["head"] if head is None else rel["child"]
        raise KeyError(f"relation {rel['label']} points at [{missing[0]}, {missing[1]}), which is no span")
    out = {"head": head["token_end"], "child": child["token_end"], "head_span": dict(head),
           "child_span": dict(child), "label": rel["label"]}
    for key in RELATION_EXTRAS:
        if rel.get(key):
            out[key] = rel[key]
    return out


def relation_specs(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's relations in make_task's input form (offsets only), in either form."""
    out = []
    for r in task.get("relations") or []:
        spec = {"label": r["label"], "head": (r["head_span"]["start"], r["head_span"]["end"]),
                "child": (r["child_span"]["start"], r["child_span"]["end"])}
        for key in RELATION_EXTRAS:
            if r.get(key):
                spec[key] = r[key]
        out.append(spec)
    return out


def table_offsets(task: dict[str, Any]) -> list[Offsets]:
    """The task's table areas as (start, end)."""
    return [(t["start"], t["end"]) for t in task.get("tables") or []]


def rebuild_task(task: dict[str, Any], text: str) -> dict[str, Any]:
    """A full task with tokens, token indices and hashes recomputed from ``text`` and the task's offsets."""
    meta = task.get("meta") or {}
    new = make_task(text, meta["doc"], meta["paragraph"], meta.get("offset", 0),
                    [tuple(k) for k in span_keys(task)], relation_specs(task), table_offsets(task),
                    task.get("answer", "accept"))
    new["meta"] = {**meta, **new["meta"]}
    return new
