"""Stand-off records moved to a new reading of the same source, through the source offsets.

When ingestion changes a document's normalised text but keeps its map to the same source (e.g. PDF line
breaks inside wrapped paragraphs removed), every annotated offset is carried over: old text offset → source
offset → new text offset. Paragraphs are then those of the new text: records whose paragraphs merged are
merged; a relation whose two spans end up in different paragraphs cannot be kept and is reported.

Workflow (``govreport annotate reanchor``): before changing ingestion, keep the old readings with ``govreport ingest
<sources> --out before/``; after the change, ``govreport annotate reanchor annotations/gold --before
before/documents.jsonl --out moved/`` writes every gold file against today's reading.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..normalize import OffsetMap, inverse_map, map_offset
from ..types import Document
from .files import Line, annotation_files, read_lines, write_jsonl
from .standoff import DocumentStore, DocumentUnavailable
from .tasks import paragraphs, text_sha1


def move_records(records: list[dict[str, Any]], old_text: str, old_map: OffsetMap, new_text: str,
                 new_map: OffsetMap) -> tuple[list[dict[str, Any]], list[str]]:
    """The records of one document moved from ``old_text`` to ``new_text``; problems as messages."""
    old_paras = {i: a for i, a, _ in paragraphs(old_text)}
    new_paras = paragraphs(new_text)
    starts = [a for _, a, _ in new_paras]
    to_new = inverse_map(new_map)
    problems: list[str] = []

    def move(base: int, start: int, end: int) -> tuple[int, int]:
        a = to_new(map_offset(old_map, base + start))
        b = to_new(map_offset(old_map, base + end - 1)) + 1
        return a, b

    def para_of(offset: int) -> int:
        return bisect_right(starts, offset) - 1

    merged: dict[int, dict[str, Any]] = {}

    def record_of(k: int, like: dict[str, Any]) -> dict[str, Any]:
        if k not in merged:
            meta = {**like["meta"], "paragraph": k, "offset": new_paras[k][1]}
            merged[k] = {**like, "meta": meta, "spans": [], "relations": []}
            if "tables" in like:
                merged[k]["tables"] = []
        return merged[k]

    for record in records:
        base = old_paras[record["meta"]["paragraph"]]
        old_start = record["meta"].get("offset", base)
        home = para_of(to_new(map_offset(old_map, old_start)))
        record_of(home, record)
        for span in record.get("spans", []):
            a, b = move(base, span["start"], span["end"])
            k = para_of(a)
            out = record_of(k, record)
            out["spans"].append({**span, "start": a - new_paras[k][1], "end": b - new_paras[k][1]})
        for table in record.get("tables", []):  # table areas of pre-annotated tasks
            a, b = move(base, table["start"], table["end"])
            k = para_of(a)
            record_of(k, record).setdefault("tables", []).append({**table, "start": a - new_paras[k][1],
                                                                  "end": b - new_paras[k][1]})
        for rel in record.get("relations", []):
            (ha, hb), (ca, cb) = move(base, rel["head_span"]["start"], rel["head_span"]["end"]), \
                move(base, rel["child_span"]["start"], rel["child_span"]["end"])
            k = para_of(ha)
            if para_of(ca) != k:
                problems.append(f"{record['meta']['doc']}: relation across paragraphs dropped ({rel})")
                continue
            off = new_paras[k][1]
            record_of(k, record)["relations"].append({**rel, "head_span": {"start": ha - off, "end": hb - off},
                                                      "child_span": {"start": ca - off, "end": cb - off}})
    out = []
    for k in sorted(merged):
        rec = merged[k]
        _, a, b = new_paras[k]
        rec["sha1"] = text_sha1(new_text[a:b])
        rec["spans"].sort(key=lambda s: (s["start"], s["end"]))
        out.append(rec)
    return out, problems


def read_readings(path: str | Path) -> dict[str, Document]:
    """The documents of a ``govreport ingest`` documents.jsonl by id (text and offset map of each reading)."""
    with open(path, encoding="utf-8") as f:
        return {d.doc: d for d in (Document.from_dict(json.loads(line)) for line in f if line.strip())}


def _matches(records: list[dict[str, Any]], text: str) -> bool:
    """True when every record's paragraph hash is that of ``text``'s paragraph: the gold was made on it."""
    spans = {i: (a, b) for i, a, b in paragraphs(text)}
    return all(r["meta"]["paragraph"] in spans and r.get("sha1") == text_sha1(text[slice(*spans[r["meta"]["paragraph"]])])
               for r in records if "sha1" in r)


def reanchor_files(paths: Iterable[str | Path], before: str | Path, out_dir: str | Path,
                   store: DocumentStore | None = None) -> tuple[Counter, list[str]]:
    """Stand-off annotation files under ``paths`` moved from their readings in ``before`` (documents.jsonl) to
    today's reading of the same documents, written under the same names in ``out_dir``; counts and problems.
    A document whose records do not match its reading in ``before``, or that is missing there, is not written."""
    readings, store = read_readings(before), store or DocumentStore()
    counts, problems = Counter(), []
    for path in annotation_files(paths):
        lines = list(read_lines(path))
        records = [line.data for line in lines if isinstance(line, Line)]
        problems += [str(line) for line in lines if not isinstance(line, Line)]
        by_doc: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            by_doc.setdefault(record["meta"]["doc"], []).append(record)
        moved_all: list[dict[str, Any]] = []
        for doc_id, recs in by_doc.items():
            old = readings.get(doc_id)
            if old is None or not _matches(recs, old.text):
                problems.append(f"{path}: {doc_id}: " + ("not in " + str(before) if old is None else
                                "its records were not made on the reading in " + str(before)) + "; not moved")
                counts["documents skipped"] += 1
                break
            try:
                new = store.get(doc_id)
            except DocumentUnavailable as err:
                problems.append(f"{path}: {err}; not moved")
                counts["documents skipped"] += 1
                break
            moved, trouble = move_records(recs, old.text, old.offset_map, new.text, new.offset_map)
            problems += [f"{path}: {t}" for t in trouble]
            counts["relations dropped"] += len(trouble)
            moved_all += moved
        else:
            write_jsonl(Path(out_dir) / path.name, moved_all)
            counts["files"] += 1
            counts["records"] += len(moved_all)
    return counts, problems
