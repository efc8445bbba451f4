"""JSON lines: the package's one writer, Chinese left readable (no \\uXXXX escapes)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# one encoder for all rows: json.dumps with an option builds a new one per call
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def json_line(row: Any) -> str:
    """One row as a JSON line (ending in a newline)."""
    return _ENCODER.encode(row) + "\n"


def write_jsonl(path: str | Path, rows: Iterable[Any], line: Callable[[Any], str] = json_line) -> int:
    """Write rows as JSONL (UTF-8, one row a line, ``line`` renders one), creating the folder; returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(line(row))
            n += 1
    return n
