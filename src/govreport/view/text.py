"""The normalised text cut into plain runs, highlighted figures and highlighted indicator phrases.

Figures win over phrases; a figure overlapping an earlier figure is left unhighlighted and counted, never
dropped silently (the page says how many).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Segment:
    """A run of the text: ``kind`` is plain, figure or phrase; ``attrs`` become the element's attributes."""

    kind: str
    text: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class MarkedText:
    segments: list[Segment]
    n_figures: int
    overlapping: int  # figures not highlighted because they overlap another


def figure_attrs(number: int, mention: dict[str, Any]) -> dict[str, str]:
    """The data-* attributes of a figure element (data-indicator is empty when no canonical id is known)."""
    values = {
        "id": f"f{number}",
        "class": " ".join(["fig", mention.get("source") or "text", *(["uncertain"] if mention.get("uncertain") else []),
                           *([] if mention.get("indicator") else ["no-id"])]),
        "data-label": mention.get("label") or "",
        "data-indicator": mention.get("indicator") or "",
        "data-indicator-label": mention.get("indicator_label") or "",
        "data-value": number_text(mention.get("value")),
        "data-unit": mention.get("unit") or "",
        "data-phrase": mention.get("indicator_text") or "",
        "data-scope": mention.get("scope") or "",
        "data-confidence": number_text(mention.get("confidence")),
        "data-source": mention.get("source") or "",
        "data-method": mention.get("method") or "",
        "data-approx": mention.get("approx") or "",
        "data-uncertain": "true" if mention.get("uncertain") else "false",
        "data-start": number_text(mention.get("start")),
        "data-end": number_text(mention.get("end")),
        "tabindex": "0",
    }
    values["title"] = hovernumber_text(mention)
    if mention.get("indicator_start") is not None and mention.get("source") == "text":
        values["data-phrase-at"] = f"{mention['indicator_start']}-{mention['indicator_end']}"
    return values


def hovernumber_text(mention: dict[str, Any]) -> str:
    """What hovering a figure shows: value, unit, phrase, canonical id, scope, confidence."""
    value = number_text(mention.get("value"))
    lines = [f"{value} {mention.get('unit') or ''}".strip() + (f" ({mention['approx']})" if mention.get("approx") else ""),
             f"indicator phrase: {mention.get('indicator_text') or '—'}",
             f"canonical id: {mention.get('indicator') or '—'}"
             + (f" {mention['indicator_label']}" if mention.get("indicator_label") else ""),
             f"scope: {mention.get('scope') or '—'}",
             f"confidence: {number_text(mention.get('confidence'))} ({mention.get('source')}, {mention.get('method')})"]
    if mention.get("uncertain"):
        lines.append("uncertain")
    return "\n".join(lines)


def mark_text(text: str, mentions: list[dict[str, Any]]) -> MarkedText:
    """Segments of ``text`` with every placed figure and every indicator phrase of a narrative figure."""
    figures = sorted((m for m in mentions if _placed(m, text)), key=lambda m: (m["start"], -m["end"]))
    kept: list[tuple[int, int, str, dict[str, str]]] = []
    overlapping = 0
    for number, mention in enumerate(figures):
        if kept and mention["start"] < kept[-1][1]:
            overlapping += 1
            continue
        kept.append((mention["start"], mention["end"], "figure", figure_attrs(number, mention)))
    phrases = _phrases(figures, text, {attrs["id"] for _, _, _, attrs in kept})
    taken = [(s, e) for s, e, _, _ in kept]
    for (start, end), ids in sorted(phrases.items()):
        if any(start < e and s < end for s, e in taken):
            continue  # a phrase overlapping a figure or an earlier phrase stays plain
        taken.append((start, end))
        kept.append((start, end, "phrase", {"class": "phrase", "data-figures": " ".join(ids),
                                             "data-at": f"{start}-{end}"}))
    kept.sort(key=lambda k: k[0])
    segments, pos = [], 0
    for start, end, kind, attrs in kept:
        if start > pos:
            segments.append(Segment("plain", text[pos:start]))
        segments.append(Segment(kind, text[start:end], attrs))
        pos = end
    if pos < len(text):
        segments.append(Segment("plain", text[pos:]))
    return MarkedText(segments, len(figures) - overlapping, overlapping)


def _placed(mention: dict[str, Any], text: str) -> bool:
    start, end = mention.get("start"), mention.get("end")
    return start is not None and end is not None and 0 <= start < end <= len(text)


def _phrases(figures: list[dict[str, Any]], text: str, shown: set[str]) -> dict[tuple[int, int], list[str]]:
    """Each narrative indicator phrase → the ids of the (shown) figure elements that measure it."""
    out: dict[tuple[int, int], list[str]] = {}
    for number, mention in enumerate(figures):
        if f"f{number}" not in shown:
            continue
        start, end = mention.get("indicator_start"), mention.get("indicator_end")
        if mention.get("source") == "text" and start is not None and end is not None and 0 <= start < end <= len(text):
            out.setdefault((start, end), []).append(f"f{number}")
    return out


def number_text(value: Any, missing: str = "") -> str:
    """A value as the page writes it: 12.0 as 12, no float noise (0.1 + 0.2 as 0.3), ``missing`` for None."""
    if value is None:
        return missing
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)
