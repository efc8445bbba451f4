"""The indicator spec (configs/indicators.yml): ids, labels, aliases, units, forms, sections, parents.

Labels are compared in a normalised spelling (``normalize_label``): no blanks, no numbering such as
（一）/1./其中：, no notes in brackets, no quotes or list punctuation, 其它 → 其他.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from .config import load_config

FORMS = ("pre2019", "v2019", "v2021")


@dataclass(frozen=True)
class Indicator:
    """One canonical indicator of the spec."""

    id: str
    label: str
    unit: str | None
    forms: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    section: str | None = None
    parent: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The label and its aliases."""
        return (self.label, *self.aliases)


@lru_cache(maxsize=1)
def load_indicators() -> dict[str, Indicator]:
    """Every indicator of configs/indicators.yml by id, in spec order."""
    spec = load_config("indicators.yml")
    out: dict[str, Indicator] = {}
    for item in spec["indicators"]:
        out[item["id"]] = Indicator(
            id=item["id"],
            label=item["label"],
            unit=item.get("unit"),
            forms=tuple(item.get("forms", FORMS)),
            aliases=tuple(item.get("aliases", ())),
            section=item.get("section"),
            parent=item.get("parent"),
        )
    return out


@lru_cache(maxsize=1)
def indicator_units() -> dict[str, str | None]:
    """Canonical id → the unit the spec gives its values in (件, 条, 万元 ...), the one such map."""
    return {ind_id: ind.unit for ind_id, ind in load_indicators().items()}


def spec_checks() -> list[str]:
    """The accounting checks (勾稽关系) the spec lists, as written."""
    return list(load_config("indicators.yml").get("checks", []))


@lru_cache(maxsize=1)
def children_of() -> dict[str, list[str]]:
    """Direct children of each parent indicator, in spec order."""
    out: dict[str, list[str]] = {}
    for ind in load_indicators().values():
        if ind.parent:
            out.setdefault(ind.parent, []).append(ind.id)
    return out


@lru_cache(maxsize=1)
def _label_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], tuple[tuple[str, str], ...]]:
    cfg = load_config("tables.yml")["labels"]
    variants = tuple(sorted(cfg["variants"].items(), key=lambda kv: -len(kv[0])))
    return re.compile(cfg["numbering"]), re.compile(cfg["notes"]), re.compile(cfg["drop"]), variants


@lru_cache(maxsize=8192)
def normalize_label(text: str) -> str:
    """Comparable spelling of a row or column label (see the module docstring)."""
    numbering, notes, drop, variants = _label_patterns()
    s = re.sub(r"\s+", "", text or "")
    for old, new in variants:
        s = s.replace(old, new)
    prev = None
    while prev != s:  # numbering can be stacked: 三、（一）1.
        prev = s
        s = numbering.sub("", s, count=1)
    prev = None
    while prev != s:  # nested notes
        prev = s
        s = notes.sub("", s)
    return drop.sub("", s)


@lru_cache(maxsize=1 << 16)  # the same form labels meet in every report: compare each pair once
def label_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two normalised labels; short labels only match exactly."""
    if a == b:
        return 1.0
    cfg = load_config("tables.yml")["labels"]
    if min(len(a), len(b)) < cfg["min_fuzzy_length"]:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


COLUMN_SEPARATOR = "｜"  # between a matrix label's row and column
PART_SEPARATOR = "·"  # between a row label and its sub-row (不予公开·属于国家秘密)


def split_label(label: str) -> tuple[str, str | None]:
    """Row and column part of a matrix label: '予以公开｜自然人' → ('予以公开', '自然人')."""
    if COLUMN_SEPARATOR in label:
        row, col = label.split(COLUMN_SEPARATOR, 1)
        return row, col
    if PART_SEPARATOR in label:
        row, col = label.rsplit(PART_SEPARATOR, 1)
        return row, col
    return label, None


def label_parts(label: str) -> list[str]:
    """Every part of a label, rows, sub-rows and column apart: '不予公开·属于国家秘密｜自然人' → three."""
    return [part for part in label.replace(COLUMN_SEPARATOR, PART_SEPARATOR).split(PART_SEPARATOR) if part]


@lru_cache(maxsize=4)
def label_index(form: str) -> dict[str, list[str]]:
    """Normalised plain labels and aliases of the form's indicators → ids (pre2019 rows, review/litigation)."""
    ignore = set(load_config("tables.yml")["pre2019"]["ignore_aliases"])
    out: dict[str, list[str]] = {}
    for ind in load_indicators().values():
        if form not in ind.forms:
            continue
        for name in ind.names:
            if name in ignore or "｜" in name or "·" in name:
                continue
            key = normalize_label(name)
            if key and ind.id not in out.setdefault(key, []):
                out[key].append(ind.id)
    return out


def lookup_label(text: str, form: str = "pre2019") -> list[tuple[str, float]]:
    """Indicator ids whose label or alias matches ``text`` in ``form``, best first, with a score."""
    key = normalize_label(text)
    if not key:
        return []
    index = label_index(form)
    if key in index:
        return [(i, 1.0) for i in index[key]]
    threshold = load_config("tables.yml")["labels"]["min_similarity"]
    scored: dict[str, float] = {}
    for name, ids in index.items():
        score = label_similarity(key, name)
        if score >= threshold:
            for i in ids:
                scored[i] = max(scored.get(i, 0.0), score)
    return sorted(scored.items(), key=lambda kv: -kv[1])


def section_of(indicator_id: str) -> str | None:
    """The spec section of an indicator, inherited from its parents when it has none."""
    inds = load_indicators()
    ind = inds.get(indicator_id)
    while ind is not None:
        if ind.section:
            return ind.section
        ind = inds.get(ind.parent) if ind.parent else None
    return None
