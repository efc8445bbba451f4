"""Stand-off records moved to a new reading of the same source, through the source offsets.

When ingestion changes a document's normalised text but keeps its map to the same source (e.g. PDF line
breaks inside wrapped paragraphs removed), every annotated offset is carried over: old text offset → source
offset → new text offset. Paragraphs are then those of the new text: records whose paragraphs merged are
merged; a relation whose two spans end up in different paragraphs cannot be kept and is reported.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ..normalize import OffsetMap, map_offset
from .tasks import paragraphs, text_sha1


def _inverse(offset_map: OffsetMap):
    """Text offset of a source offset under a monotone breakpoint map (identity when empty)."""
    sources = [s for _, s in offset_map]

    def to_text(offset: int) -> int:
        i = bisect_right(sources, offset) - 1
        return offset if i < 0 else offset_map[i][0] + offset - sources[i]

    return to_text


def move_records(records: list[dict[str, Any]], old_text: str, old_map: OffsetMap, new_text: str,
                 new_map: OffsetMap) -> tuple[list[dict[str, Any]], list[str]]:
    """The records of one document moved from ``old_text`` to ``new_text``; problems as messages."""
    old_paras = {i: a for i, a, _ in paragraphs(old_text)}
    new_paras = paragraphs(new_text)
    starts = [a for _, a, _ in new_paras]
    to_new = _inverse(new_map)
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
