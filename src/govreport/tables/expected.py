"""Hand-written expected table values (tests/expected/*.expected.json) and the comparison with the parser.

An expected file holds, for one document, values read from the report by a person:
``values`` (and ``cumulative``) by indicator id; ``matrix``: request-matrix rows as 7 numbers in the
official column order; ``review_litigation``: the 15 cells of table 4; ``ambiguous``: cells whose digit run
the text alone cannot split, with the value known from elsewhere (the same report's web page, the next
year's report) — the parser must mark them uncertain and list the value among its alternatives;
``undetermined``: cells nobody can read from the text — the parser must mark them uncertain.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..config import CORPUS_DIR, PROJECT_ROOT, SHARED_CORPUS_DIR, load_config
from ..jsonl import write_jsonl

EXPECTED_DIR = PROJECT_ROOT / "tests" / "expected"


def expand(data: dict[str, Any]) -> dict[str, Any]:
    """Expected values by (indicator id, measure), with the ambiguous and undetermined cells."""
    cfg = load_config("tables.yml")
    values: dict[tuple[str, str], Any] = {(k, "value"): v for k, v in data.get("values", {}).items()}
    values.update({(k, "cumulative"): v for k, v in data.get("cumulative", {}).items()})
    for row, cells in data.get("matrix", {}).items():
        for col, v in zip(cfg["t3"]["columns"], cells, strict=True):
            values[(f"{row}.{col}", "value")] = v
    if "review_litigation" in data:
        for ind, v in zip(cfg["t4"]["order"], data["review_litigation"], strict=True):
            values[(ind, "value")] = v
    ambiguous = {(k, "value"): v for k, v in data.get("ambiguous", {}).items()}
    undetermined = [(k, "value") for k in data.get("undetermined", [])]
    undetermined += [(k, "cumulative") for k in data.get("undetermined_cumulative", [])]
    return {"values": values, "ambiguous": ambiguous, "undetermined": undetermined}


def load_expected(path: str | Path) -> dict[str, Any]:
    """An expected file, with its source path resolved and its cells expanded."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    name = data["file"]
    data["path"] = SHARED_CORPUS_DIR / name.split(":", 1)[1] if name.startswith("shared:") else PROJECT_ROOT / name
    data.update(expand(data))
    return data


def expected_files(directory: Path = EXPECTED_DIR) -> list[Path]:
    """Every expected file."""
    return sorted(directory.glob("*.expected.json"))


def same(a: Any, b: Any) -> bool:
    """Equal numbers (or both null)."""
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


@dataclass
class Comparison:
    """How the parser's cells of one document compare with the expected file."""

    doc: str
    form: str
    form_expected: str
    cells: int = 0
    uncertain: int = 0
    checks_passed: int = 0
    checks_failed: int = 0
    checks_na: int = 0
    expected: int = 0  # values + ambiguous cells
    exact: int = 0
    exact_certain: int = 0  # exact and not marked uncertain (values only)
    values: int = 0
    ambiguous: int = 0
    ambiguous_covered: int = 0  # uncertain, expected value among the alternatives
    undetermined: int = 0
    undetermined_flagged: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exact_rate(self) -> float:
        return self.exact / self.expected if self.expected else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "exact_rate": round(self.exact_rate, 4)}


def compare(result: Any, expected: dict[str, Any]) -> Comparison:
    """Compare a TableResult with an expanded expected file."""
    cells = {(c.indicator, c.measure): c for c in result.values + result.cumulative}
    comp = Comparison(expected["doc"], result.form, expected["form"], len(cells),
                      sum(1 for c in cells.values() if c.uncertain))
    for check in result.checks:
        comp.checks_passed += check.status == "pass"
        comp.checks_failed += check.status == "fail"
        comp.checks_na += check.status == "na"
    for ref, want in expected["values"].items():
        comp.values += 1
        cell = cells.get(ref)
        if cell is not None and same(cell.value, want):
            comp.exact += 1
            comp.exact_certain += not cell.uncertain
        else:
            comp.mismatches.append({"cell": ref, "expected": want, "got": cell.value if cell else "missing"})
    for ref, want in expected["ambiguous"].items():
        comp.ambiguous += 1
        cell = cells.get(ref)
        if cell is None:
            comp.mismatches.append({"cell": ref, "expected": want, "got": "missing", "ambiguous": True})
            continue
        comp.exact += same(cell.value, want)
        if cell.uncertain and any(same(v, want) for v in [cell.value, *cell.alternatives]):
            comp.ambiguous_covered += 1
        elif not same(cell.value, want):
            comp.mismatches.append({"cell": ref, "expected": want, "got": cell.value, "ambiguous": True,
                                    "alternatives": cell.alternatives})
    for ref in expected["undetermined"]:
        comp.undetermined += 1
        cell = cells.get(ref)
        comp.undetermined_flagged += cell is None or cell.uncertain
    comp.expected = comp.values + comp.ambiguous
    return comp


def table_bearing_documents() -> list[Path]:
    """Reports of corpus/ and the shared corpus whose manifest gives a table form."""
    out = []
    for directory in (CORPUS_DIR, SHARED_CORPUS_DIR):
        manifest = directory / "manifest.jsonl"
        if not manifest.exists():
            continue
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("form", "none") != "none":
                out.append(directory / item["file"])
    return out


def table_report(paths: list[Path] | None = None, out: Path | None = None) -> list[dict[str, Any]]:
    """One row per document: form, cells, uncertain cells, checks; with the exact-match rate when the
    document has an expected file. Without ``paths``: every document that has one. ``out``: JSONL results."""
    from ..ingest import iter_report_files, read_document
    from . import parse_tables

    expected = {}
    for path in expected_files():
        data = load_expected(path)
        expected[Path(data["path"]).resolve()] = data
    files = list(iter_report_files(paths)) if paths else list(expected)
    rows = []
    parsed = []
    for path in files:
        result = parse_tables(read_document(path))
        if out:
            parsed.append({"path": str(path), **result.to_dict()})
        data = expected.get(path.resolve())
        if data:
            rows.append(compare(result, data).to_dict())
            continue
        statuses = [c.status for c in result.checks]
        rows.append({"doc": path.stem, "form": result.form, "cells": len(result.values) + len(result.cumulative),
                     "uncertain": sum(c.uncertain for c in result.values + result.cumulative),
                     "checks_passed": statuses.count("pass"), "checks_failed": statuses.count("fail"),
                     "checks_na": statuses.count("na")})
    if out:
        write_jsonl(out, parsed)
    return rows


def calibration_pairs(result: Any, truth: dict[tuple[str, str], Any]) -> list[tuple[float, bool]]:
    """(confidence, right) for every cell of a TableResult whose true value is known."""
    cells = {(c.indicator, c.measure): c for c in result.values + result.cumulative}
    return [(cells[ref].confidence, same(cells[ref].value, want)) for ref, want in truth.items() if ref in cells]


def calibration(pairs: list[tuple[float, bool]], bands: list[float]) -> list[dict[str, Any]]:
    """Accuracy per confidence band [lo, hi) (the last band holds its upper bound)."""
    out = []
    for n, (lo, hi) in enumerate(pairwise(bands)):
        last = n == len(bands) - 2
        inside = [right for conf, right in pairs if lo <= conf < hi or (last and conf == hi)]
        out.append({"band": f"[{lo:.2f}, {hi:.2f}{']' if last else ')'}", "cells": len(inside),
                    "right": sum(inside), "accuracy": round(sum(inside) / len(inside), 4) if inside else None})
    return out


def table_calibration(bands: list[float], n_random: int, seed: int) -> dict[str, Any]:
    """Calibration of table-cell confidence on the reports with an expected file (real text) and on
    generated renderings (random value sets, blank zeros, every text shape and DOCX, truth by construction)."""
    import random
    import tempfile

    from ..ingest import read_document
    from . import parse_tables
    from .render import SHAPES, Style, layout, random_values, with_nulls, write_rendering

    real: list[tuple[float, bool]] = []
    for path in expected_files():
        data = load_expected(path)
        truth = {**data["values"], **data["ambiguous"]}
        real += calibration_pairs(parse_tables(read_document(data["path"])), truth)
    generated: list[tuple[float, bool]] = []
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        for form in ("v2021", "v2019", "pre2019"):
            for shape in SHAPES:
                for i in range(n_random):
                    style = Style(null=rng.choice(["", "-", "/", "无"]))
                    lay = layout(form, with_nulls(random_values(form, rng), rng, 0.5), style)
                    path = write_rendering(lay, shape, Path(tmp), f"{form}_{shape}_{i}", style)
                    generated += calibration_pairs(parse_tables(read_document(path)), lay.values)
    return {"bands": bands, "real": calibration(real, bands), "generated": calibration(generated, bands)}
