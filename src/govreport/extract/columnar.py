"""Parquet copies of mentions and records, written batch by batch (JSONL is slow to load at millions of rows).

Column types come from the row dataclasses' annotations (``types.Mention``, ``types.Record``); columns they do
not declare take the type of their values. Nested values (a record's evidence) are stored as JSON text.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

from ..types import Mention, Record

ROW_CLASSES = {"mentions": Mention, "records": Record}


def _arrow_type(hint: Any):
    """The Arrow type of one annotation (``int | None`` → int64, ``float | int | None`` → float64, ...)."""
    import pyarrow as pa

    args = set(typing.get_args(hint)) - {type(None)} if isinstance(hint, types.UnionType) else {hint}
    if args <= {bool}:
        return pa.bool_()
    if args <= {int}:
        return pa.int64()
    if args <= {int, float}:
        return pa.float64()
    if args <= {str}:
        return pa.string()
    return None  # containers and anything else: JSON text


def _declared_types(row_class: type) -> dict[str, Any]:
    return {name: _arrow_type(hint) for name, hint in typing.get_type_hints(row_class).items()}


def _value_type(values: list[Any]):
    import pyarrow as pa

    present = {type(v) for v in values if v is not None}
    if present and present <= {bool}:
        return pa.bool_()
    if present and present <= {int}:
        return pa.int64()
    if present and present <= {int, float}:
        return pa.float64()
    if present and present <= {str}:
        return pa.string()
    return None


class ParquetSink:
    """One Parquet file for one kind of row; rows arrive in batches and leave in row groups."""

    def __init__(self, path: Path, kind: str, batch_rows: int = 50_000):
        self.path = path
        self.declared = _declared_types(ROW_CLASSES[kind])
        self.batch_rows = batch_rows
        self.buffer: list[dict[str, Any]] = []
        self.schema = None
        self.writer = None
        self.rows = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.buffer.extend(rows)
        if len(self.buffer) >= self.batch_rows:
            self._flush()

    def close(self) -> int:
        """Write what is left (an empty file with the declared columns when no row came); return the row count."""
        self._flush(final=True)
        if self.writer is not None:
            self.writer.close()
        return self.rows

    def _flush(self, final: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.buffer and not final:
            return
        if self.schema is None:
            self.schema = self._infer_schema(self.buffer)
            self.writer = pq.ParquetWriter(self.path, self.schema)
        if self.buffer:
            unknown = {k for row in self.buffer for k in row} - set(self.schema.names)
            if unknown:  # rows of one kind share their keys; a new one would otherwise vanish from the file
                raise ValueError(f"{self.path.name}: columns {sorted(unknown)} arrived after the schema was set")
            json_columns = {f.name for f in self.schema if f.metadata and f.metadata.get(b"json")}
            columns = {}
            for f in self.schema:
                values = [row.get(f.name) for row in self.buffer]
                if f.name in json_columns:
                    values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
                columns[f.name] = pa.array(values, type=f.type)
            self.writer.write_table(pa.table(columns, schema=self.schema))
            self.rows += len(self.buffer)
            self.buffer = []

    def _infer_schema(self, rows: list[dict[str, Any]]):
        import pyarrow as pa

        names = list(dict.fromkeys([*self.declared, *(k for row in rows for k in row)]))
        fields = []
        for name in names:
            kind = self.declared.get(name) if name in self.declared else _value_type([r.get(name) for r in rows])
            if kind is None:  # nested or mixed: JSON text, marked so a reader knows to parse it
                fields.append(pa.field(name, pa.string(), metadata={"json": "1"}))
            else:
                fields.append(pa.field(name, kind))
        return pa.schema(fields)
