"""The rules (spans/rules.py) side by side with a plain regex baseline and with jionlp's extract_money/extract_time.

For each system and label family, spans are matched by offsets: ``exact`` (same boundaries), ``overlap`` (they
overlap with other boundaries), ``ours_only`` and ``theirs_only``. A span of theirs that lies in a stretch the
rules exclude (a document number, a phone number, a title in 《》 ...) is counted by that exclusion's kind: those
are where the baseline is wrong by construction. Exact matches also compare values (number, or ISO bounds of a
date against jionlp's time span). jionlp is an optional dependency (extra ``compare``); without it only the regex
baseline runs.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import load_config
from ..ingest import IngestError, iter_report_files, read_document
from ..metadata import report_year
from ..spans.rules import exclusions, find_spans
from ..types import Span
from ..values import alternation, figure_config, figure_grammar

Pair = tuple[int, int]


@lru_cache(maxsize=1)
def baseline_config() -> dict[str, Any]:
    """configs/patterns/baseline.yml."""
    return load_config("patterns/baseline.yml")


@lru_cache(maxsize=1)
def baseline_regexes() -> dict[str, re.Pattern[str]]:
    """The plain regex baseline: figures (number, 万/亿, unit) and dates."""
    cfg = baseline_config()
    units = alternation(figure_grammar().unit_label)
    return {"figure": re.compile(cfg["figure"].replace("{units}", units)), "date": re.compile(cfg["date"])}


def manifest_years(folder: Path) -> dict[str, int]:
    """Report year by file name from a folder's manifest.jsonl (empty when there is none)."""
    path = folder / "manifest.jsonl"
    if not path.exists():
        return {}
    years = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row.get("file") and row.get("report_year"):
                years[row["file"]] = int(row["report_year"])
    return years


def read_texts(paths: Iterable[str | Path]) -> list[tuple[str, str, int | None]]:
    """(name, normalised text, report year) of every report under ``paths``; unreadable files warn and are skipped."""

    docs = []
    for path in iter_report_files(paths):
        try:
            doc = read_document(path)
        except (IngestError, OSError, ValueError) as err:
            warnings.warn(f"{path}: {err}", stacklevel=2)
            continue
        year = manifest_years(path.parent).get(path.name) or report_year(doc.text, doc.meta.get("title"))
        docs.append((path.name, doc.text, year))
    return docs


# ---------------------------------------------------------------- the other systems


def regex_spans(text: str) -> dict[str, list[dict[str, Any]]]:
    """Figures and dates of the plain regex baseline."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, regex in baseline_regexes().items():
        out[kind] = [{"start": m.start(), "end": m.end(), "text": m.group()} for m in regex.finditer(text)]
    return out


def _jionlp():
    """The jionlp module, or None when the optional extra is not installed."""
    try:
        import jionlp
    except ImportError:
        return None
    return jionlp


def jionlp_spans(text: str, report_year: int | None) -> dict[str, list[dict[str, Any]]]:
    """jionlp's money and time entities with their values (time resolved against the end of the report year)."""
    jio = _jionlp()
    base = time.mktime((report_year, 12, 31, 12, 0, 0, 0, 0, -1)) if report_year else time.time()
    logging.disable(logging.ERROR)  # jionlp logs a traceback for every time string it cannot parse
    try:
        found_money = jio.ner.extract_money(text)
        found_time = jio.ner.extract_time(text, time_base=base)
    finally:
        logging.disable(logging.NOTSET)
    money = [
        {"start": e["offset"][0], "end": e["offset"][1], "text": e["text"], "value": _jionlp_money(e)}
        for e in found_money
    ]
    times = [
        {"start": e["offset"][0], "end": e["offset"][1], "text": e["text"], "value": _jionlp_time(e)}
        for e in found_time
    ]
    return {"money": money, "time": times}


def _jionlp_money(entity: dict[str, Any]) -> Any:
    """A number, or a (low, high) pair for a range."""
    num = (entity.get("detail") or {}).get("num")
    if isinstance(num, list):
        return tuple(float(n) for n in num)
    try:
        return float(num)
    except (TypeError, ValueError):
        return None


def _jionlp_time(entity: dict[str, Any]) -> tuple[str, str] | None:
    """First and last day of jionlp's time span."""
    span = (entity.get("detail") or {}).get("time")
    if isinstance(span, list) and len(span) == 2 and all(isinstance(t, str) for t in span):
        return span[0][:10], span[1][:10]
    return None


# ---------------------------------------------------------------- matching


def iso_bounds(iso: str | None) -> tuple[str, str] | None:
    """First and last day an ISO value covers: 2016 → (2016-01-01, 2016-12-31); None without a year."""
    if not iso or iso.startswith("-"):
        return None
    first, _, last = iso.partition("/")
    last = last or first

    def bound(part: str, end: bool) -> str | None:
        bits = part.split("-")
        if not bits[0].isdigit():
            return None
        year = int(bits[0])
        month = int(bits[1]) if len(bits) > 1 else (12 if end else 1)
        day = int(bits[2]) if len(bits) > 2 else (calendar.monthrange(year, month)[1] if end else 1)
        return f"{year:04d}-{month:02d}-{day:02d}"

    a, b = bound(first, False), bound(last, True)
    return (a, b) if a and b else None


def _values_agree(ours: Span, theirs: Any, kind: str) -> bool | None:
    """Whether two values agree; None when either side has none."""
    if theirs is None:
        return None
    if kind == "time":
        bounds = iso_bounds(ours.iso)
        return None if bounds is None else bounds == tuple(theirs)
    mine = ours.range if ours.range is not None else ours.value
    if mine is None:
        return None
    if isinstance(theirs, tuple) or isinstance(mine, tuple):
        return tuple(map(float, mine if isinstance(mine, tuple) else (mine,))) == tuple(
            map(float, theirs if isinstance(theirs, tuple) else (theirs,)))
    return abs(float(mine) - float(theirs)) < 1e-6


def _context(text: str, start: int, end: int) -> str:
    """The span in brackets with a little context, on one line."""
    n = baseline_config()["context"]
    return (text[max(0, start - n):start] + "[" + text[start:end] + "]" + text[end:end + n]).replace("\n", "⏎")


def _exclusion_kind(stretches: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The kind of the excluded stretch that overlaps [start, end), if any."""
    for a, b, kind in stretches:
        if a < end and start < b:
            return kind
        if a >= end:
            break
    return None


def compare_spans(
    name: str, text: str, ours: list[Span], theirs: list[dict[str, Any]], kind: str,
    stretches: list[tuple[int, int, str]], tally: dict[str, Any], others: list[Span] = (),
) -> None:
    """Add one document's comparison of ``ours`` and ``theirs`` to ``tally``.

    ``others`` are our spans of the labels not compared: a span of theirs on one of them (the baseline's figure
    "2016年" on our DATE) is counted as ``theirs_only:ours_<label>``.
    """
    keep = baseline_config()["examples"]
    counts: Counter = tally.setdefault("counts", Counter())
    examples: dict[str, list[str]] = tally.setdefault("examples", {})

    def note(category: str, line: str) -> None:
        counts[category] += 1
        bucket = examples.setdefault(category, [])
        if len(bucket) < keep:
            bucket.append(f"{name}: {line}")

    by_offsets = {(s.start, s.end): s for s in ours}
    matched_ours: set[Pair] = set()
    for t in theirs:
        key = (t["start"], t["end"])
        if key in by_offsets:
            matched_ours.add(key)
            note("exact", _context(text, *key))
            agree = _values_agree(by_offsets[key], t.get("value"), kind) if "value" in t else None
            if agree is True:
                counts["exact_value_agree"] += 1
            elif agree is False:
                note("exact_value_differs",
                     f"{_context(text, *key)} ours={by_offsets[key].iso or by_offsets[key].value} theirs={t['value']}")
            continue
        overlapping = [s for s in ours if s.start < t["end"] and t["start"] < s.end]
        if overlapping:
            matched_ours.update((s.start, s.end) for s in overlapping)
            note("overlap", f"theirs {_context(text, *key)} ours " + " ".join(f"[{s.text}]" for s in overlapping))
            continue
        other = next((s for s in others if s.start < t["end"] and t["start"] < s.end), None)
        excluded = _exclusion_kind(stretches, *key)
        if other is not None:
            note(f"theirs_only:ours_{other.label}", f"theirs {_context(text, *key)} ours [{other.text}]")
        else:
            note(f"theirs_only:excluded:{excluded}" if excluded else "theirs_only", _context(text, *key))
    for s in ours:
        if (s.start, s.end) not in matched_ours:
            cell = ":table_cell" if s.label == "COUNT" and s.unit is None else ""
            note(f"ours_only:{s.label}{cell}", _context(text, s.start, s.end))


def _is_money(span: Span) -> bool:
    """A MEASURE of money: unit 元, 万元, 亿元, or a multiplier alone near a money word."""
    return span.label == "MEASURE" and bool(span.unit) and (
        span.unit.endswith("元") or span.unit in figure_config()["multipliers"])


def compare_baselines(paths: Iterable[str | Path]) -> dict[str, Any]:
    """Span counts, speed and the side-by-side of the rules with the regex baseline and jionlp on ``paths``."""
    docs = read_texts(paths)
    result: dict[str, Any] = {"documents": len(docs), "chars": sum(len(t) for _, t, _ in docs)}
    for _, text, year in docs:  # warm up: patterns compile on first use
        find_spans(text, year)
    t0 = time.perf_counter()
    ours = [find_spans(text, year) for _, text, year in docs]
    seconds = {"rules": time.perf_counter() - t0}
    result["labels"] = dict(Counter(s.label for spans in ours for s in spans))
    t0 = time.perf_counter()
    regex = [regex_spans(text) for _, text, _ in docs]
    seconds["regex"] = time.perf_counter() - t0
    jio = None
    if _jionlp() is not None:
        t0 = time.perf_counter()
        jio = [jionlp_spans(text, year) for _, text, year in docs]
        seconds["jionlp"] = time.perf_counter() - t0
    else:
        result["note"] = "jionlp is not installed (pip install '.[compare]'): only the regex baseline ran"
    result["chars_per_second"] = {k: round(result["chars"] / v) if v else None for k, v in seconds.items()}
    systems: dict[str, dict[str, Any]] = {"regex_figures": {}, "regex_dates": {}}
    if jio is not None:
        systems.update({"jionlp_money": {}, "jionlp_time": {}})
    for i, (name, text, _) in enumerate(docs):
        stretches = exclusions(text)
        figures = [s for s in ours[i] if s.label in ("COUNT", "MEASURE")]
        dates = [s for s in ours[i] if s.label == "DATE"]
        rest = [s for s in ours[i] if s.label not in ("COUNT", "MEASURE")]
        compare_spans(name, text, figures, regex[i]["figure"], "figure", stretches, systems["regex_figures"], rest)
        compare_spans(name, text, dates, regex[i]["date"], "date", stretches, systems["regex_dates"], figures)
        if jio is not None:
            money = [s for s in figures if _is_money(s)]
            not_money = [s for s in ours[i] if s not in money]
            compare_spans(name, text, money, jio[i]["money"], "money", stretches, systems["jionlp_money"], not_money)
            compare_spans(name, text, dates, jio[i]["time"], "time", stretches, systems["jionlp_time"], figures + [
                s for s in ours[i] if s.label == "ORG"])
    for tally in systems.values():
        tally["counts"] = dict(sorted(tally.get("counts", Counter()).items()))
        tally.setdefault("examples", {})
    result["systems"] = systems
    return result


def format_summary(result: dict[str, Any]) -> str:
    """The comparison as text: counts, speed, then each system's categories with examples."""
    lines = [
        f"documents {result['documents']}, characters {result['chars']}",
        "rules spans: " + ", ".join(f"{k} {v}" for k, v in sorted(result["labels"].items())),
        "chars/s: " + ", ".join(f"{k} {v}" for k, v in result["chars_per_second"].items()),
    ]
    if result.get("note"):
        lines.append(result["note"])
    for system, tally in result["systems"].items():
        lines.append(f"\n== {system}")
        for category, n in tally["counts"].items():
            lines.append(f"  {category}: {n}")
            for example in tally["examples"].get(category, []):
                lines.append(f"      {example}")
    return "\n".join(lines)
