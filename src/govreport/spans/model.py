"""The trained span model: load it (fail fast, never download) and predict spans where figures can be.

Only stretches of text that can hold a figure reach the network (configs/model.yml ``units``, ``figure_cues``):
that choice, more than the size of the network, decides the speed of the model path.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import load_config
from ..types import Span

if TYPE_CHECKING:
    from spacy.language import Language

REQUIRED_FILES = ("config.cfg", "meta.json", "tokenizer")


class ModelLoadError(RuntimeError):
    """The span model is missing or cannot be loaded; the message names what is wrong."""


def settings() -> dict:
    """configs/model.yml."""
    return load_config("model.yml")


def load_model(path: str | Path) -> Language:
    """Load a trained pipeline from a folder, or raise ModelLoadError naming the missing piece."""
    path = Path(path)
    if not path.is_dir():
        raise ModelLoadError(f"no span model at {path} (train one with `make train`)")
    missing = [name for name in REQUIRED_FILES if not (path / name).exists()]
    if missing:
        raise ModelLoadError(f"span model {path} is incomplete: {', '.join(missing)} missing")
    _check_segmenter_files(path)
    try:
        import spacy

        # a folder path never triggers a download; pkuseg loads from the tokenizer folder
        nlp = spacy.load(path)
        if "ner" not in nlp.pipe_names:
            raise ModelLoadError(f"span model {path} has no ner component (pipeline: {nlp.pipe_names})")
        nlp("2016年收到申请12件")  # fail here, not in the middle of a batch
    except ModelLoadError:
        raise
    except Exception as err:  # spaCy, thinc, srsly and pkuseg raise many kinds
        raise ModelLoadError(f"span model {path} cannot be loaded: {type(err).__name__}: {err}") from err
    return nlp


def _check_segmenter_files(path: Path) -> None:
    """A pkuseg pipeline needs its segmenter files inside the tokenizer folder."""
    cfg = (path / "config.cfg").read_text(encoding="utf-8")
    if re.search(r'^segmenter\s*=\s*"pkuseg"', cfg, re.MULTILINE):
        for name in ("pkuseg_model/features.msgpack", "pkuseg_model/weights.npz", "pkuseg_processors"):
            if not (path / "tokenizer" / name).exists():
                raise ModelLoadError(f"span model {path} uses pkuseg but tokenizer/{name} is missing")


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern[str]:
    """Units: the text between sentence ends or line breaks, the end mark included."""
    breaks = settings()["unit_breaks"].strip("[]")
    return re.compile(rf"[^\n{breaks}]+[{breaks}]?")


FIGURE_LABELS = frozenset({"COUNT", "MEASURE", "DATE"})


@lru_cache(maxsize=8)
def _cues(labels: frozenset[str] | None = None) -> re.Pattern[str]:
    """What a unit must contain to go to the model: the figure cues when figure labels are wanted, the
    organ cues when ORG is (``labels`` None: every label the model knows)."""
    cfg = settings()
    cues = []
    if labels is None or labels & FIGURE_LABELS:
        cues += cfg["figure_cues"]
    if labels is None or "ORG" in labels:
        cues += cfg["org_cues"]
    return re.compile("|".join(f"(?:{p})" for p in cues) or "(?!)")


@lru_cache(maxsize=1)
def _table_line() -> re.Pattern[str]:
    # the annotation guidelines' table line (configs/annotate.yml): never annotated, so never learned
    return re.compile(load_config("annotate.yml")["table_line_pattern"], re.MULTILINE)


def text_units(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every unit of ``text`` (sentences within lines)."""
    for match in _unit_pattern().finditer(text):
        yield match.span()


def sentence_units(text: str, exclude: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text`` outside table lines and ``exclude``."""
    skip = _merge([m.span() for m in _table_line().finditer(text)] + list(exclude))
    return [u for u in text_units(text) if not (skip and _overlaps(u, skip))]


def model_units(text: str, exclude: Iterable[tuple[int, int]] = (),
                labels: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """(start, end) of the stretches of ``text`` that go to the model, outside tables and ``exclude``.

    ``units: sentence`` sends whole sentences that hold a cue of ``labels``; ``units: window`` sends only
    the characters around each cue (configs/model.yml ``window``), merged where they touch, never across
    a sentence end.
    """
    cues = _cues(labels)
    units = sentence_units(text, exclude)
    if settings()["units"] == "sentence":
        return [(a, b) for a, b in units if cues.search(text, a, b)]
    before, after = settings()["window"]["before"], settings()["window"]["after"]
    out: list[tuple[int, int]] = []
    for a, b in units:
        first = len(out)
        for match in cues.finditer(text, a, b):
            start, end = max(a, match.start() - before), min(b, match.end() + after)
            if len(out) > first and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(end, out[-1][1]))
            else:
                out.append((start, end))
    return out


def _merge(areas: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint areas covering the same characters."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(areas):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _overlaps(unit: tuple[int, int], areas: list[tuple[int, int]]) -> bool:
    """Whether ``unit`` overlaps one of the sorted, disjoint ``areas``."""
    i = bisect_left(areas, (unit[1],)) - 1  # the last area starting before the unit ends
    return i >= 0 and areas[i][1] > unit[0]


def predict_spans(nlp: Language, text: str, exclude: Iterable[tuple[int, int]] = (),
                  labels: frozenset[str] | None = None, batch_size: int | None = None) -> list[Span]:
    """Spans of ``labels`` (None: all) the model finds in ``text`` outside ``exclude`` (offsets into
    ``text``, method 'model', values not parsed)."""
    units = model_units(text, exclude, labels)
    spans = _spans_of(nlp, text, units, batch_size or settings()["batch_size"])
    return [s for s in spans if labels is None or s.label in labels]


def _spans_of(nlp: Language, text: str, units: list[tuple[int, int]], batch_size: int) -> Iterable[Span]:
    for (start, end), doc in zip(units, nlp.pipe((text[a:b] for a, b in units), batch_size=batch_size)):
        for ent in doc.ents:
            yield Span(ent.label_, start + ent.start_char, start + ent.end_char, ent.text, method="model")
