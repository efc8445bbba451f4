"""Training the span model: annotated (or silver) documents → DocBin units → spaCy train → models/ner.

The model reads the same units at training and at prediction time: sentences within lines that pass
the figure filter (govreport.spans.model.model_units). Gold comes from annotations/ converted per split
by govreport.annotate; until gold exists, silver data is the rules' output on the corpus documents.
All hyperparameters are in configs/ner_<segmenter>.cfg, the data choices in configs/train.yml.
"""

from __future__ import annotations

import random
import re
import shutil
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly

from ..annotate import convert_annotations, gold_files, read_annotations
from ..annotate.tasks import table_offsets, task_id
from ..config import CONFIG_DIR, CORPUS_DIR, PROJECT_ROOT, SHARED_CORPUS_DIR, load_config
from ..ingest import IngestError, iter_report_files, read_document
from ..notices import warn
from ..segment import tokenizer_overrides, train_segmenter
from ..spans.hybrid import POLICY_FILE, measure_policies
from ..spans.model import load_model, model_units, sentence_units
from ..types import Document

# (text, [(start, end, label), ...], [(start, end) areas not annotated, e.g. tables]): a document or passage
Example = tuple[str, list[tuple[int, int, str]], list[tuple[int, int]]]
SPLITS = ("train", "dev", "test")


def settings() -> dict[str, Any]:
    """configs/train.yml."""
    return load_config("train.yml")


def _project_path(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def choose_source(source: str | None = None) -> str:
    """'gold' or 'silver'; 'auto' means gold as soon as annotations/gold holds any file."""
    source = source or settings()["source"]
    if source == "auto":

        return "gold" if gold_files(_project_path(settings()["annotations_dir"])) else "silver"
    if source not in ("gold", "silver"):
        raise ValueError(f"unknown training source {source!r}: use gold, silver or auto")
    return source


def gold_examples(work_dir: Path) -> dict[str, list[Example]]:
    """Annotated paragraphs per split, through govreport.annotate's DocBin conversion, with their table
    areas (not annotated: the model neither learns nor is scored there)."""
    return {split: [ex for _, ex in pairs] for split, pairs in gold_document_examples(work_dir).items()}


def gold_document_examples(work_dir: Path) -> dict[str, list[tuple[str, Example]]]:
    """(doc id, annotated paragraph) per split, as ``gold_examples`` (cross-validation folds by document)."""
    import spacy
    from spacy.tokens import DocBin


    annotations = _project_path(settings()["annotations_dir"])
    meta_key = load_config("annotate.yml")["docbin"]["meta_key"]
    tables = gold_table_areas(annotations)
    paths = convert_annotations(annotations, work_dir / "gold")
    nlp = spacy.blank("zh")
    out: dict[str, list[tuple[str, Example]]] = {}
    for split, path in paths.items():
        out[split] = []
        for doc in DocBin(store_user_data=True).from_disk(path).get_docs(nlp.vocab):
            meta = doc.user_data.get(meta_key) or {}
            areas = tables.get((meta.get("doc"), meta.get("paragraph")), [])
            out[split].append((meta.get("doc"), (doc.text, [(e.start_char, e.end_char, e.label_) for e in doc.ents],
                                                 areas)))
    return out


def gold_table_areas(annotations: Path) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """(doc, paragraph) → table areas of the gold tasks (the DocBin conversion does not keep them)."""

    lines, _ = read_annotations(gold_files(annotations))
    return {task_id(line.data): table_offsets(line.data) for line in lines if line.data.get("tables")}


def silver_examples(documents: Iterable[Document],
                    find_spans: Callable[[str, int | None], list] | None = None) -> dict[str, list[Example]]:
    """Rules spans on corpus documents (tables excluded, as in the annotations), split like the gold."""
    if find_spans is None:
        from ..spans.rules import find_spans
    labels = set(settings()["labels"])
    skip_bare = settings()["silver_skip_bare_numbers"]
    out: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for doc in documents:
        split = split_of(doc.doc)
        if split is None:
            continue
        spans = [(s.start, s.end, s.label) for s in find_spans(doc.text, report_year(doc.text))
                 if s.label in labels and not (skip_bare and _is_bare_number(s))]
        out[split].append((doc.text, spans, [(t.start, t.end) for t in doc.tables]))
    return out


def _is_bare_number(span) -> bool:
    """A rules COUNT without unit: a table cell the text-flattened table left in running text."""
    return span.label == "COUNT" and span.unit is None and span.multiplier is None


def report_year(text: str) -> int | None:
    """The report year stated near the top of a text (configs/annotate.yml report_year_pattern)."""
    cfg = load_config("annotate.yml")
    match = re.search(cfg["report_year_pattern"], text[:cfg["report_year_window"]])
    return int(match.group(1)) if match else None


def split_of(doc_id: str) -> str | None:
    """The split of a document by configs/splits.yml (None: not listed there, so not used); without that
    file, every n-th document by a stable hash goes to dev."""
    splits = _splits()
    if splits:
        return splits.get(doc_id)
    every = settings()["silver_dev_every"]
    return "dev" if zlib.crc32(doc_id.encode("utf-8")) % every == 0 else "train"


def _splits() -> dict[str, str]:
    """doc id → split from configs/splits.yml (either {split: [ids]} or {id: split}; {} when absent)."""
    path = CONFIG_DIR / "splits.yml"
    if not path.exists():
        return {}
    data = load_config("splits.yml")
    data = data.get("splits", data) if isinstance(data, dict) else {}
    out: dict[str, str] = {}
    for key, value in data.items():
        if key in SPLITS and isinstance(value, list):
            out.update({str(v): key for v in value})
        elif value in SPLITS:
            out[str(key)] = value
    return out


def corpus_documents(paths: Iterable[Path]) -> Iterable[Document]:
    """Every readable report under ``paths`` (unreadable ones are warned about and skipped)."""

    for path in iter_report_files(paths):
        try:
            yield read_document(path)
        except IngestError as err:
            warn(str(err))


def unit_examples(examples: Iterable[Example], keep_empty: float, seed: int) -> list[Example]:
    """Cut examples into the units the model reads; spans crossing a unit edge are dropped.

    Units without spans are kept with probability ``keep_empty``: they passed the cue filter, so they are
    the negatives the model meets at prediction time (list markers, document numbers, titles).
    """

    rng = random.Random(seed)
    out: list[Example] = []
    for text, spans, exclude in examples:
        for a, b in model_units(text, exclude):
            inside = [(s - a, e - a, label) for s, e, label in spans if a <= s and e <= b]
            if inside or rng.random() < keep_empty:
                out.append((text[a:b], inside, []))
    return out


def to_docbin(examples: Iterable[Example]):
    """A DocBin of character-tokenised reference docs (spaCy re-tokenises with the model's segmenter)."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank("zh")
    db = DocBin(store_user_data=False)
    for text, spans, _ in examples:
        doc = nlp.make_doc(text)
        ents = [doc.char_span(s, e, label=label, alignment_mode="contract") for s, e, label in spans]
        doc.ents = filter_spans([e for e in ents if e is not None])
        db.add(doc)
    return db


def spacy_config_path(segmenter: str) -> Path:
    """The spaCy training config of a segmenter (configs/train.yml spacy_configs)."""
    return CONFIG_DIR / settings()["spacy_configs"][segmenter]


def train_ner(config_path: Path, train_path: Path, dev_path: Path, output_dir: Path,
              overrides: dict[str, Any] | None = None) -> Path:
    """spaCy's train API on the DocBins; returns the folder of the best model."""
    from spacy.cli.train import train as spacy_train

    overrides = {"paths.train": str(train_path), "paths.dev": str(dev_path), **(overrides or {})}
    spacy_train(config_path, output_dir, use_gpu=-1, overrides=overrides)
    return output_dir / "model-best"


def load_examples(source: str, work_dir: Path) -> dict[str, list[Example]]:
    """Examples per split: gold annotations, or silver rules output on the corpus documents."""
    if source == "gold":
        return gold_examples(work_dir)

    return silver_examples(corpus_documents([CORPUS_DIR, SHARED_CORPUS_DIR]))


def prepare_data(work_dir: Path, examples: dict[str, list[Example]]) -> dict[str, Any]:
    """Write train.spacy and dev.spacy (model units) under ``work_dir``; returns their counts."""
    cfg = settings()
    stats: dict[str, Any] = {}
    for split in ("train", "dev"):
        units = unit_examples(examples.get(split, []), cfg["keep_empty_units"], cfg["seed"])
        if not units:
            raise ValueError(f"no {split} units to train on: check configs/splits.yml and the annotations")
        to_docbin(units).to_disk(work_dir / f"{split}.spacy")
        stats[split] = {"documents": len(examples.get(split, [])), "units": len(units),
                        "chars": sum(len(u[0]) for u in units), "spans": sum(len(u[1]) for u in units)}
    srsly.write_json(work_dir / "examples_dev.json", examples.get("dev", []))
    return stats


def train_segmenter_for(work_dir: Path, examples: list[Example]) -> Path:
    """Train the pkuseg segmenter on the sentences of the training examples; returns its folder."""

    texts = [text[a:b] for text, _, exclude in examples for a, b in sentence_units(text, exclude)]
    seg_dir = work_dir / "pkuseg"
    train_segmenter(texts, seg_dir)
    return seg_dir


def train(out_dir: str | Path, segmenter: str | None = None, source: str | None = None,
          examples: dict[str, list[Example]] | None = None, overrides: dict[str, Any] | None = None,
          work_dir: str | Path | None = None) -> dict[str, Any]:
    """Convert, train, store ``out_dir/<model_name>``; returns a summary also written to training.json.

    ``examples`` (per split) replace the configured source, e.g. for a tiny run; ``overrides`` go to spaCy.
    """

    cfg = settings()
    segmenter = segmenter or cfg["segmenter"]
    source = "given" if examples is not None else choose_source(source)
    work = Path(work_dir) if work_dir else _project_path(cfg["work_dir"]) / segmenter
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if examples is None:
        examples = load_examples(source, work)
    summary: dict[str, Any] = {"source": source, "segmenter": segmenter, **prepare_data(work, examples)}
    seg_dir = None
    if segmenter == "pkuseg":
        t0 = time.perf_counter()
        seg_dir = train_segmenter_for(work, examples.get("train", []))
        summary["segmenter_seconds"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    best = train_ner(spacy_config_path(segmenter), work / "train.spacy", work / "dev.spacy", work / "output",
                     {**tokenizer_overrides(segmenter, seg_dir), **(overrides or {})})
    summary["ner_seconds"] = round(time.perf_counter() - t0, 1)
    target = Path(out_dir) / cfg["model_name"]
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(best, target)
    summary["performance"] = srsly.read_json(target / "meta.json").get("performance", {})
    summary["seconds"] = round(time.perf_counter() - started, 1)
    summary["model_bytes"] = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    if source == "gold":
        summary["policy"] = select_policy_on_dev(target, work)
    srsly.write_json(target / "training.json", summary)
    return summary


def select_policy_on_dev(model_dir: Path, work_dir: Path) -> dict[str, Any]:
    """Measure every hybrid policy per label on the dev documents; store the winners in hybrid.json."""

    examples = [(t, [tuple(s) for s in spans], [tuple(a) for a in ex])
                for t, spans, ex in srsly.read_json(work_dir / "examples_dev.json")]
    result = measure_policies(load_model(model_dir), examples)
    srsly.write_json(model_dir / POLICY_FILE, result)
    return result
