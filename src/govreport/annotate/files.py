"""Reading annotation JSONL with line numbers (a bad line is reported, never fatal) and writing it (srsly)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import srsly

from .. import jsonl


@dataclass
class Line:
    """One parsed line of an annotation file."""

    path: Path
    line: int  # 1-based
    data: dict[str, Any]


@dataclass
class Problem:
    """Something wrong in an annotation file, at a line (0 when the whole file is concerned)."""

    path: Path | str
    line: int
    message: str
    level: str = "error"  # error or warning

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


def annotation_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, plus every *.jsonl below folders named, in a stable order."""
    out: list[Path] = []
    for path in map(Path, paths):
        out.extend(sorted(path.rglob("*.jsonl")) if path.is_dir() else [path])
    return out


def read_lines(path: Path) -> Iterator[Line | Problem]:
    """Each non-blank line of a JSONL file as a Line, or a Problem when it is not a JSON object."""
    try:
        raw_lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        yield Problem(path, 0, f"cannot read the file: {getattr(err, 'strerror', None) or err}")
        return
    for number, raw in enumerate(raw_lines, 1):
        if not raw.strip():
            continue
        try:
            data = srsly.json_loads(raw)
        except ValueError as err:
            yield Problem(path, number, f"invalid JSON: {err}")
            continue
        if not isinstance(data, dict):
            yield Problem(path, number, f"a task must be a JSON object, not {type(data).__name__}")
            continue
        yield Line(path, number, data)


def read_annotations(paths: Iterable[str | Path]) -> tuple[list[Line], list[Problem]]:
    """Every parsed line of every annotation file under ``paths``, and the problems met on the way."""
    lines: list[Line] = []
    problems: list[Problem] = []
    for path in annotation_files(paths):
        for item in read_lines(path):
            (lines if isinstance(item, Line) else problems).append(item)
    return lines, problems


def dumps(record: dict[str, Any]) -> str:
    """One JSON line, Chinese left readable (srsly's ujson without ASCII escapes)."""
    return srsly.ujson.dumps(record, ensure_ascii=False, escape_forward_slashes=False)


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records as JSONL in the annotation files' compact form (``dumps``); returns the count."""
    return jsonl.write_jsonl(path, records, lambda record: dumps(record) + "\n")
