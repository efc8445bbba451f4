"""Records passed between the pipeline stages (character ``end`` is exclusive)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Table:
    """A table as rows of cell strings, placed in the document text at [start, end)."""

    rows: list[list[str]]
    start: int = 0
    end: int = 0
    # (start, end) of each cell's text inside the document text, None where the cell is empty
    cell_offsets: list[list[tuple[int, int] | None]] = field(default_factory=list)
    source: str = ""  # how the table was found: pdf, html, docx, pipe, markdown

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # shallow: dataclasses.asdict's deep copy was a third of extract's time

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Table:
        offsets = [[tuple(c) if c else None for c in row] for row in data.get("cell_offsets", [])]
        return cls(data["rows"], data.get("start", 0), data.get("end", 0), offsets, data.get("source", ""))


@dataclass
class Document:
    """A report after ingestion: normalised text, its tables and a map back to the source."""

    doc: str
    path: str
    format: str
    text: str
    tables: list[Table] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # breakpoints [(text_offset, source_offset)]: between two breakpoints the map is linear
    offset_map: list[tuple[int, int]] = field(default_factory=list)

    def source_offset(self, offset: int) -> int:
        """Offset in the decoded source text of a normalised-text offset."""
        from .normalize import map_offset

        return map_offset(self.offset_map, offset)

    def table_areas(self, found: Any = ()) -> list[tuple[int, int]]:
        """Character areas of the document's tables: ingest's tables plus ``found`` (the table stage's areas)."""
        areas = {(t.start, t.end) for t in self.tables if t.end > t.start}
        return sorted(areas | {(a, b) for a, b in found})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["offset_map"] = [list(p) for p in self.offset_map]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            doc=data["doc"],
            path=data["path"],
            format=data["format"],
            text=data["text"],
            tables=[Table.from_dict(t) for t in data.get("tables", [])],
            meta=data.get("meta", {}),
            warnings=data.get("warnings", []),
            offset_map=[tuple(p) for p in data.get("offset_map", [])],
        )


@dataclass
class Span:
    """A labelled stretch of document text with its normalised value (COUNT, MEASURE, DATE, ORG, INDICATOR)."""

    label: str
    start: int
    end: int
    text: str
    value: float | int | None = None
    unit: str | None = None  # the written unit, e.g. 亿元, 条, 人次
    multiplier: int | None = None  # 1e4 for 万, 1e8 for 亿; value already includes it
    approx: str | None = None  # 多, 余, 近, 约, 以上, 左右
    range: tuple[float, float] | None = None
    iso: str | None = None  # DATE: 2017-03-19, 2016, 2016-06/2016-07
    method: str = "rules"  # rules or model
    kb_id: str | None = None  # INDICATOR: the canonical indicator id (configs/indicators.yml) when known
    uncertain: bool = False  # a figure whose number could not be read or is absurdly large (value None)

    def key(self) -> tuple[str, int, int]:
        return (self.label, self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # shallow: dataclasses.asdict's deep copy was a third of extract's time


@dataclass
class Mention:
    """A figure of the document tied (or not) to the indicator it measures."""

    doc: str
    text: str
    start: int
    end: int
    label: str
    value: float | int | None
    unit: str | None
    approx: str | None = None
    indicator: str | None = None  # canonical id
    indicator_text: str | None = None
    indicator_start: int | None = None
    indicator_end: int | None = None
    scope: str | None = None
    source: str = "text"  # text or table
    method: str = "rules"  # table, rules, model or learned
    confidence: float = 1.0
    uncertain: bool = False
    alternatives: list[Any] | None = None  # an uncertain table cell's candidate values

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # shallow: dataclasses.asdict's deep copy was a third of extract's time


@dataclass
class Record:
    """One tidy row: document x canonical indicator."""

    doc: str
    organ: str | None
    year: int | None
    indicator: str
    value: float | int | None
    unit: str | None
    source: str  # table or text
    start: int | None = None
    end: int | None = None
    conflict: bool = False
    uncertain: bool = False
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # shallow: dataclasses.asdict's deep copy was a third of extract's time
