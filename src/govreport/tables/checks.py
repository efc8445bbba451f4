"""The accounting checks (勾稽关系) of the spec as relations between table cells.

A relation says sum(left) == sum(right) (or <=). The same relations serve two purposes: they are the
per-document checks (pass, fail, or na when a number is missing), and they choose between the ways a
digit run whose cell separators were lost can be split.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..config import load_config
from ..indicators import children_of, load_indicators

Ref = tuple[str, str]  # (indicator id, measure): measure is "value" or "cumulative"
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Relation:
    """sum(left) == sum(right), or sum(left) <= sum(right) when kind is 'le'."""

    name: str
    left: tuple[Ref, ...]
    right: tuple[Ref, ...]
    kind: str = "eq"

    @property
    def refs(self) -> tuple[Ref, ...]:
        return self.left + self.right

    def holds(self, values: dict[Ref, Any]) -> bool | None:
        """True or False, or None when a number is missing."""
        nums = [values.get(r) for r in self.refs]
        if any(v is None for v in nums):
            return None
        lhs = sum(nums[: len(self.left)])
        rhs = sum(nums[len(self.left):])
        return lhs <= rhs + _TOLERANCE if self.kind == "le" else abs(lhs - rhs) <= _TOLERANCE


@dataclass
class CheckResult:
    """One check of one document: pass, fail or na, and the numbers it involves."""

    name: str
    status: str
    numbers: dict[str, Any] = field(default_factory=dict)
    relation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "numbers": dict(self.numbers)}


def _refs(ids: Iterable[str], measure: str = "value") -> tuple[Ref, ...]:
    """Refs of indicator ids in one measure."""
    return tuple((i, measure) for i in ids)


def _t3_columns() -> list[str]:
    """The applicant columns of the request matrix."""
    return load_config("tables.yml")["t3"]["columns"]


def _t3_result_rows(row_keys: Iterable[str]) -> list[str]:
    """Rows whose sum is the 总计 row: results, with 其他处理 itself or else its sub-rows."""
    keys = list(row_keys)
    out = []
    for key in keys:
        if key in ("requests.new", "requests.carried_over", "requests.total", "requests.carried_forward"):
            continue
        if key.startswith("requests.other.") and "requests.other" in keys:
            continue
        out.append(key)
    return out


def matrix_relations(row_keys: Iterable[str]) -> list[Relation]:
    """Checks 1-3 of the spec on the request matrix, for the rows the report has."""
    return list(_matrix_relations(tuple(row_keys)))


@lru_cache(maxsize=256)  # reports of a form have the same rows: made once, not twice per report (split and checks)
def _matrix_relations(row_keys: tuple[str, ...]) -> tuple[Relation, ...]:
    keys = list(row_keys)
    cols = _t3_columns()
    rels = []
    if {"requests.new", "requests.carried_over", "requests.total", "requests.carried_forward"} <= set(keys):
        for c in cols:
            rels.append(Relation(f"requests.balance.{c}", _refs([f"requests.new.{c}", f"requests.carried_over.{c}"]),
                                 _refs([f"requests.total.{c}", f"requests.carried_forward.{c}"])))
    results = _t3_result_rows(keys)
    if "requests.total" in keys and results:
        for c in cols:
            rels.append(Relation(f"requests.results.{c}", _refs([f"requests.total.{c}"]),
                                 _refs([f"{k}.{c}" for k in results])))
    for key in keys:
        rels.append(Relation(f"requests.row_total.{key.split('.', 1)[1]}", _refs([f"{key}.total"]),
                             _refs([f"{key}.{c}" for c in cols[:-1]])))
    return tuple(rels)


def review_relations(form: str) -> list[Relation]:
    """Checks 4-5: review and litigation totals."""
    if form == "pre2019":
        return [Relation("review.total", _refs(["review.total"]),
                         _refs(["review.upheld", "review.corrected", "review.other"])),
                Relation("litigation.total", _refs(["litigation.total"]),
                         _refs(["litigation.upheld", "litigation.corrected", "litigation.other"]))]
    rels = [Relation("review.total", _refs(["review.total"]),
                     _refs(["review.upheld", "review.corrected", "review.other", "review.pending"]))]
    for group in ("litigation.direct", "litigation.after_review"):
        rels.append(Relation(f"{group}.total", _refs([f"{group}.total"]),
                             _refs([f"{group}.{r}" for r in ("upheld", "corrected", "other", "pending")])))
    return rels


def pre2019_relations(present: set[str], measure: str = "value") -> list[Relation]:
    """Checks 6-7: channels of received requests, types of answers, staff."""
    suffix = "" if measure == "value" else f".{measure}"
    kids = children_of()
    rels = []
    for parent, name in (("requests.received", "requests.received.channels"),
                         ("requests.answered", "requests.answered.types")):
        present_kids = [k for k in kids.get(parent, []) if k in present]
        if present_kids:
            rels.append(Relation(name + suffix, _refs([parent], measure), _refs(present_kids, measure)))
    rels.append(Relation("capacity.staff" + suffix, _refs(["capacity.staff"], measure),
                         _refs(["capacity.staff.full_time", "capacity.staff.part_time"], measure)))
    if measure != "value":
        rels += [Relation(r.name + suffix, _refs([x for x, _ in r.left], measure), _refs([x for x, _ in r.right], measure))
                 for r in review_relations("pre2019")]
    return rels


def split_relations(form: str, present: set[str], row_keys: Iterable[str] = ()) -> list[list[Relation]]:
    """Relations used to split digit runs, in groups that must hold together: the checks, plus in
    pre2019 every parent-children sum of the spec, for the year and the cumulative column at once (a sum
    that fails in one column is not trusted in the other)."""
    if form != "pre2019":
        return [[r] for r in matrix_relations(row_keys) + review_relations(form)]
    groups = []
    kids = children_of()
    extra = load_config("tables.yml")["pre2019"].get("extra_sums", {})
    for parent, children in list(kids.items()) + list(extra.items()):
        if parent not in present:
            continue
        here = [c for c in children if c in present]
        if not here:
            continue
        group = []
        for measure in ("value", "cumulative"):
            if len(here) > 1 or parent in extra:
                group.append(Relation(f"{parent}.children.{measure}", _refs([parent], measure), _refs(here, measure)))
            else:
                group.append(Relation(f"{parent}.children.{measure}", _refs(here, measure), _refs([parent], measure),
                                      "le"))
        groups.append(group)
    return groups


def check_relation(rel: Relation, values: dict[Ref, Any]) -> CheckResult:
    """A relation checked on a document's values."""
    held = rel.holds(values)
    numbers = {(i if m == "value" else f"{i}@{m}"): values.get((i, m)) for i, m in rel.refs}
    status = "na" if held is None else ("pass" if held else "fail")
    op = "<=" if rel.kind == "le" else "=="
    text = f"{' + '.join(i for i, _ in rel.left)} {op} {' + '.join(i for i, _ in rel.right)}"
    return CheckResult(rel.name, status, numbers, text)


def run_checks(form: str, values: dict[Ref, Any], row_keys: Iterable[str] = ()) -> list[CheckResult]:
    """Every spec check that applies to ``form``, on the document's values (measure 'value' and 'cumulative')."""
    if form == "none":
        return []
    present = {i for i, _ in values}
    if form == "pre2019":
        rels = pre2019_relations(present) + review_relations(form)
        if any(m == "cumulative" for _, m in values):
            rels += pre2019_relations(present, "cumulative")
    else:
        keys = list(row_keys) or sorted({i.rsplit(".", 1)[0] for i in present if i.startswith("requests.")})
        rels = matrix_relations(keys) + review_relations(form)
    known = load_indicators()
    rels = [r for r in rels if all(i in known for i, _ in r.refs)]
    return [check_relation(r, values) for r in rels]


def cross_year_checks(results: Iterable[tuple[str | None, int | None, Any]]) -> list[CheckResult]:
    """Check 8: 结转下年度 of year Y equals 上年结转 of year Y+1, for reports of the same organ.

    ``results`` holds (organ, year, TableResult) triples.
    """
    by_organ: dict[str, dict[int, Any]] = {}
    for organ, year, result in results:
        if organ and year is not None:
            by_organ.setdefault(organ, {})[year] = result
    out = []
    for organ, years in sorted(by_organ.items()):
        for year in sorted(years):
            if year + 1 not in years:
                continue
            fwd = years[year].value_of("requests.carried_forward.total")
            over = years[year + 1].value_of("requests.carried_over.total")
            status = "na" if fwd is None or over is None else ("pass" if abs(fwd - over) <= _TOLERANCE else "fail")
            out.append(CheckResult(f"cross_year.carried.{organ}.{year}-{year + 1}", status,
                                   {f"requests.carried_forward.total@{year}": fwd,
                                    f"requests.carried_over.total@{year + 1}": over},
                                   "requests.carried_forward.total(Y) == requests.carried_over.total(Y+1)"))
    return out


# Which spec check (by its position in configs/indicators.yml `checks:`) each relation family implements.
IMPLEMENTED = {
    0: "requests.balance.<column>",
    1: "requests.results.<column>",
    2: "requests.row_total.<row>",
    3: "review.total",
    4: "litigation.direct.total / litigation.after_review.total (and litigation.total in pre2019)",
    5: "requests.received.channels / requests.answered.types",
    6: "capacity.staff",
    7: "cross_year.carried.<organ>.<Y>-<Y+1>",
}
