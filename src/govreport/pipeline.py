"""The one pipeline: Document → tables → metadata → spans → indicator phrases → links (→ records, tasks).

Built once from configs (span model or rules, learned linker and its policy) and run on each document.
extract (records), the annotation export (tasks), the learned linker's silver data and the evaluation all
run documents through it, so they all see the same spans and links.
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from .types import Document, Span


@dataclass
class Analysis:
    """What the pipeline found in one document, before records or tasks are made of it."""

    doc: Document
    tables: Any  # tables.TableResult: form, table values, checks, coverage, areas
    meta: dict[str, Any]  # metadata: organ, year, published
    table_areas: list[tuple[int, int]]  # ingest's tables and the table stage's areas
    spans: list[Span]  # every span found (the model skips table areas)
    narrative: list[Span]  # spans outside table areas: what the linker reads
    indicators: list[Span]  # indicator phrases of the lexicon
    links: list[Any]  # link.Link per figure of ``narrative``
    # the form whose ids the links follow: the tables', else (no statistical table) the form of the report's year
    ids_form: str | None = None

    @property
    def form(self) -> str | None:
        return self.tables.form


class Pipeline:
    """``find_spans(text, year, exclude=areas)`` and ``link(text, spans, indicators, form)`` around the fixed
    stages (tables, metadata, indicator phrases); ``Pipeline.from_config`` loads them as configured."""

    def __init__(self, find_spans: Callable[..., list[Span]], link: Callable[..., list[Any]],
                 find_indicators: Callable[[str], list[Span]] | None = None):
        from .link.rules import find_indicator_spans

        self.find_spans = find_spans
        self.link = link
        self.find_indicators = find_indicators or find_indicator_spans  # the lexicon, unless a model is in force

    @classmethod
    def from_config(cls, model: str | Path | None = None, use_model: bool = True, linker: str | Path | None = None,
                    link_policy: str | None = None) -> Pipeline:
        """The span finder of ``model`` (rules alone without one, or ``use_model=False``) and the linker of
        ``linker`` (default: ``linker`` beside the span model; the rules alone without one) under ``link_policy``."""
        from .link.indicator_model import load_indicator_finder
        from .link.indicator_model import settings as indicator_settings
        from .link.policy import policy_linker
        from .spans.hybrid import load_span_finder
        from .tables.lexicon import load_lexicons

        find_spans = load_span_finder(model if use_model else None)
        load_lexicons()  # the table lexicons of all forms: the first report of each form would compile one
        # the learned linker sits beside the span model (models/linker); the rules link without it
        if linker is None and use_model and model is not None:
            linker = Path(model).parent / "linker"
        learned = None
        if use_model and linker and link_policy != "rules":
            from .link.model import load_linker  # numpy and scikit-learn: loaded only for a learned linker

            learned = load_linker(linker)
        # INDICATOR phrases: the lexicon, with the trained phrase model beside the span model under its policy
        # (models/indicator/policy.json) when there is one
        indicator_dir = Path(model).parent / indicator_settings()["model_name"] if use_model and model else None
        find_indicators, problem = load_indicator_finder(indicator_dir)
        if problem:
            warnings.warn(problem, stacklevel=2)
        return cls(find_spans, policy_linker(learned, link_policy), find_indicators)

    def __call__(self, doc: Document) -> Analysis:
        """Run every stage after ingestion on one document."""
        from .metadata import document_metadata
        from .tables import parse_tables
        from .tables.forms import form_of_year

        tables = parse_tables(doc)
        meta = document_metadata(doc.text, doc.path, tables.form, source_meta=doc.meta)
        form = tables.form if tables.form != "none" else form_of_year(meta.get("year")) or "none"
        areas = doc.table_areas(getattr(tables, "areas", None) or ())
        spans = self.find_spans(doc.text, meta.get("year"), exclude=areas)
        narrative = outside_areas(spans, areas)
        indicators = self.find_indicators(doc.text)
        links = self.link(doc.text, narrative, indicators, form, meta.get("organ"))
        if getattr(self.find_indicators, "policy", None) == "fill":  # model phrases only for what the lexicon missed
            from .link.indicator_model import fill_unlinked, lexicon_only

            lexicon = self.link(doc.text, narrative, lexicon_only(indicators), form, meta.get("organ"))
            links = fill_unlinked(lexicon, links)
        return Analysis(doc, tables, meta, areas, spans, narrative, indicators, links, form)


def outside_areas(spans: list[Span], areas: list[tuple[int, int]]) -> list[Span]:
    """The spans that lie inside none of the sorted ``areas``, by bisection: a span is inside one when some area
    starting at or before it ends at or after it, that is when the furthest end of those areas reaches it
    (a document has thousands of spans and hundreds of table areas)."""
    starts = [a for a, _ in areas]
    reach = list(accumulate((b for _, b in areas), max))  # furthest end of the areas up to each one
    kept = []
    for s in spans:
        i = bisect_right(starts, s.start)
        if not i or reach[i - 1] < s.end:
            kept.append(s)
    return kept
