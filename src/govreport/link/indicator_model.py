"""A trained INDICATOR phrase component: spaCy NER over characters, on INDICATOR only.

The lexicon (link.find_indicator_spans) finds the phrases it knows, with fixed boundaries; this model learns
boundaries from annotations/gold. How its phrases combine with the lexicon's before linking is a policy
(configs/indicator_model.yml): rules, model, union, model_boundaries, fill, chosen by `govreport cv` over
train+dev.
Kept apart, spaCy style: ``predict`` (offsets from the network), ``set_annotations`` (Spans with their ids),
``combine`` (the policy) and ``score`` (P/R/F1 over sets of tuples).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import CONFIG_DIR, PROJECT_ROOT, load_config
from ..types import Span

POLICY_FILE = "policy.json"
POLICIES = ("rules", "model", "union", "model_boundaries", "fill")
# the policy whose model phrases only link the figures the lexicon's phrases leave without one (``fill_unlinked``)
FILL = "fill"

# (text, [(start, end), ...] INDICATOR phrases, [(start, end) areas not annotated: tables])
Example = tuple[str, list[tuple[int, int]], list[tuple[int, int]]]


def settings() -> dict[str, Any]:
    """configs/indicator_model.yml."""
    return load_config("indicator_model.yml")


# ---------------------------------------------------------------- data


def examples_from_tasks(tasks: Iterable[dict[str, Any]]) -> list[Example]:
    """INDICATOR phrases of gold tasks (Prodigy rel.manual), with their table areas."""
    label = settings()["label"]
    out = []
    for task in tasks:
        spans = sorted((s["start"], s["end"]) for s in task.get("spans") or [] if s["label"] == label)
        tables = [(t["start"], t["end"]) for t in task.get("tables") or []]
        out.append((task["text"], spans, tables))
    return out


def _docbin(examples: Sequence[Example]):
    """A DocBin of character-tokenised examples with their phrases as entities (tables cut out of the text:
    nobody annotated them, so the model neither learns nor is told anything there)."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank("zh")  # default segmenter: characters
    label = settings()["label"]
    db = DocBin(store_user_data=False)
    for text, spans, holes in examples:
        for a, b in _outside(len(text), holes):
            doc = nlp.make_doc(text[a:b])
            ents = [doc.char_span(s - a, e - a, label=label, alignment_mode="contract")
                    for s, e in spans if a <= s and e <= b]
            doc.ents = filter_spans([e for e in ents if e is not None])
            db.add(doc)
    return db


def _outside(n: int, holes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of [0, n) outside ``holes``."""
    out, pos = [], 0
    for a, b in sorted(holes):
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < n:
        out.append((pos, n))
    return out


# ---------------------------------------------------------------- training


def train_indicator_model(out_dir: str | Path, train: Sequence[Example], dev: Sequence[Example] | None = None,
                          work_dir: str | Path | None = None, overrides: dict[str, Any] | None = None
                          ) -> dict[str, Any]:
    """Train on ``train`` (early stopping on ``dev``, else on every n-th training example); the model lands in
    ``out_dir/<model_name>`` with training.json. Returns the summary."""
    import srsly
    from spacy.cli.train import train as spacy_train

    cfg = settings()
    work = Path(work_dir) if work_dir else PROJECT_ROOT / cfg["work_dir"]
    work.mkdir(parents=True, exist_ok=True)
    dev = list(dev) if dev else list(train)[::cfg["spacy_dev_every"]]
    _docbin(train).to_disk(work / "train.spacy")
    _docbin(dev).to_disk(work / "dev.spacy")
    started = time.perf_counter()
    spacy_train(CONFIG_DIR / cfg["spacy_config"], work / "output", use_gpu=-1,
                overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                           **(overrides or {})})
    target = Path(out_dir) / cfg["model_name"]
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(work / "output" / "model-best", target)
    summary = {"train": {"paragraphs": len(train), "phrases": sum(len(e[1]) for e in train)},
               "dev": {"paragraphs": len(dev), "phrases": sum(len(e[1]) for e in dev)},
               "seconds": round(time.perf_counter() - started, 1),
               "performance": srsly.read_json(target / "meta.json").get("performance", {})}
    srsly.write_json(target / "training.json", summary)
    if not (target / POLICY_FILE).exists():
        srsly.write_json(target / POLICY_FILE, {"policy": cfg["default_policy"], "chosen_by": "default"})
    return summary


def load_indicator_model(model_dir: str | Path):
    """The spaCy pipeline in ``model_dir`` (a folder written by train_indicator_model)."""
    import spacy

    return spacy.load(Path(model_dir))


def load_policy(model_dir: str | Path) -> str:
    """The combination policy stored beside a model (policy.json), else the configured default."""
    import srsly  # imported here: srsly pulls in numpy, which running the rules alone never needs

    path = Path(model_dir) / POLICY_FILE
    return srsly.read_json(path)["policy"] if path.exists() else settings()["default_policy"]


# ---------------------------------------------------------------- predict / set_annotations


@lru_cache(maxsize=1)
def _sentence_end() -> re.Pattern[str]:
    return re.compile(settings()["sentence_end"])


@lru_cache(maxsize=1)
def _unit_cue() -> re.Pattern[str]:
    return re.compile(settings()["unit_cue"])


def model_units(text: str) -> list[tuple[int, int]]:
    """The stretches the model reads: lines, longer ones cut after sentence ends (max_unit_chars), that hold
    a figure cue (a phrase only matters to the linker beside a figure; the rest is skipped for speed)."""
    limit, cue = settings()["max_unit_chars"], _unit_cue()
    units, start = [], 0
    for m in _sentence_end().finditer(text):
        end = m.end()
        if end - start >= limit or m.group() == "\n":
            units.append((start, end))
            start = end
    if start < len(text):
        units.append((start, len(text)))
    return [(a, b) for a, b in units if cue.search(text, a, b)]


def predict(nlp, text: str) -> list[tuple[int, int]]:
    """Offsets of the INDICATOR phrases the model finds in ``text``."""
    units = model_units(text)
    label = settings()["label"]
    out = []
    for (a, _), doc in zip(units, nlp.pipe(text[a:b] for a, b in units)):
        out += [(a + e.start_char, a + e.end_char) for e in doc.ents if e.label_ == label]
    return out


def set_annotations(text: str, offsets: Iterable[tuple[int, int]]) -> list[Span]:
    """INDICATOR Spans of predicted offsets, each with the id of the lexicon phrase that ends it (its head),
    as the linker gives phrases it reads from context."""
    from .rules import _head_entry, _static_id, compact_view, load_rules

    label = load_rules().cfg["labels"]["indicator"]
    view = compact_view(text)
    spans = []
    for start, end in offsets:
        vs, ve = view.view_start(start), view.view_end(end)
        kb_id = _static_id(_head_entry(view.text[vs:ve]), view.text, vs)
        spans.append(Span(label, start, end, text[start:end], method="model", kb_id=kb_id))
    return spans


def combine(lexicon: Sequence[Span], model: Sequence[Span], policy: str) -> list[Span]:
    """The phrases the linker gets under ``policy`` (see configs/indicator_model.yml)."""
    from .features import _overlaps_any

    if policy == "rules":
        kept = list(lexicon)
    elif policy == "model":
        kept = list(model)
    elif policy in ("union", FILL):  # fill: the second linking pass reads the union (fill_unlinked)
        kept = list(lexicon) + [s for s in model if not _overlaps_any(s, lexicon)]
    elif policy == "model_boundaries":
        kept = list(model) + [s for s in lexicon if not _overlaps_any(s, model)]
    else:
        raise ValueError(f"unknown INDICATOR policy {policy!r}: one of {', '.join(POLICIES)}")
    return sorted(kept, key=lambda s: (s.start, s.end))


def lexicon_only(indicators: Sequence[Span]) -> list[Span]:
    """The phrases of the lexicon among combined ones (a model phrase's ``method`` is ``model``)."""
    return [s for s in indicators if s.method != "model"]


def fill_unlinked(first: Sequence[Any], second: Sequence[Any]) -> list[Any]:
    """The ``fill`` policy's links, one per figure as both passes give them (link.rules.Link): the first pass's
    (over the lexicon's phrases), unless it found the figure no phrase and the second (over the model's phrases
    too) did. A model phrase then adds what the lexicon misses, and never moves a phrase the lexicon found."""
    return [b if a.indicator is None and b.indicator is not None else a for a, b in zip(first, second, strict=True)]


class IndicatorFinder:
    """``find_indicator_spans`` with a trained model under a policy: text → INDICATOR Spans (under ``fill``,
    the union, which the pipeline links after the lexicon's phrases alone: ``fill_unlinked``)."""

    def __init__(self, nlp, policy: str):
        if policy not in POLICIES:
            raise ValueError(f"unknown INDICATOR policy {policy!r}: one of {', '.join(POLICIES)}")
        self.nlp, self.policy = nlp, policy

    def __call__(self, text: str) -> list[Span]:
        from .rules import find_indicator_spans

        lexicon = find_indicator_spans(text) if self.policy != "model" else []
        model = set_annotations(text, predict(self.nlp, text)) if self.policy != "rules" else []
        return combine(lexicon, model, self.policy)


def load_indicator_finder(model_dir: str | Path | None, policy: str | None = None):
    """The finder of a model folder (``DIR/indicator``) under its stored policy (or ``policy``); the lexicon
    alone when the folder is missing or the policy is rules. Returns (finder, warning or None)."""
    from .rules import find_indicator_spans

    if model_dir is None or not (Path(model_dir) / "meta.json").exists():
        return find_indicator_spans, None
    policy = policy or load_policy(model_dir)
    if policy == "rules":
        return find_indicator_spans, None
    try:
        return IndicatorFinder(load_indicator_model(model_dir), policy), None
    except (OSError, ValueError) as err:
        return find_indicator_spans, f"INDICATOR model {model_dir} not loaded ({err}); lexicon phrases only"


# ---------------------------------------------------------------- score


def score(examples: Sequence[Example], predicted: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """Exact phrase P/R/F1 over (example, start, end), table areas left out."""
    from ..eval.scorer import prf

    gold, pred = set(), set()
    for n, ((_, spans, holes), found) in enumerate(zip(examples, predicted)):
        gold |= {(n, s, e) for s, e in spans}
        pred |= {(n, s.start, s.end) for s in found
                 if not any(a < s.end and s.start < b for a, b in holes)}
    return prf(gold, pred)
