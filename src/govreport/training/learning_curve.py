"""The learning curve: span model and learned linker trained on 25/50/75/100% of the gold training documents.

Each fraction trains into its own folder under the output (never into models/), measures the hybrid span
policy and the linking policy on dev as `make train` does, and is scored on the held-out split with the
evaluation's own scorer (``evaluation.evaluate_split``). Settings and the reasons for them:
configs/learning_curve.yml. The result is cached with a fingerprint of the gold and the training configs.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from pathlib import Path
from typing import Any

import srsly

from ..annotate import convert_annotations, gold_files
from ..config import CONFIG_DIR, PROJECT_ROOT, load_config
from ..eval.suite import _model_only, evaluate_split
from ..link.model import load_linker
from ..link.policy import policy_linker
from ..segment import tokenizer_overrides
from ..spans.hybrid import HybridFinder, load_policy
from ..spans.model import load_model
from .links import gold_tasks, train_linker
from .spans import (
    gold_table_areas,
    prepare_data,
    select_policy_on_dev,
    spacy_config_path,
    train_ner,
    train_segmenter_for,
)
from .spans import settings as train_settings

CURVE_FILE = "curve.json"
CONFIG_FILES = ("learning_curve.yml", "train.yml", "model.yml", "learned_link.yml", "link.yml", "phrase_bounds.yml",
                "splits.yml", "evaluate.yml")


def settings() -> dict[str, Any]:
    """configs/learning_curve.yml."""
    return load_config("learning_curve.yml")


def fingerprint() -> str:
    """sha1 over the gold files and the configs that shape the curve: a cached curve is stale when it differs."""

    digest = hashlib.sha1()
    paths = gold_files(PROJECT_ROOT / train_settings()["annotations_dir"])
    paths += [CONFIG_DIR / name for name in CONFIG_FILES]
    paths.append(spacy_config_path(train_settings()["segmenter"]))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def examples_by_document(work_dir: Path) -> dict[str, dict[str, list]]:
    """split → doc id → NER examples (text, spans, table areas) of the gold, as `make train` builds them."""
    import spacy
    from spacy.tokens import DocBin


    annotations = PROJECT_ROOT / train_settings()["annotations_dir"]
    meta_key = load_config("annotate.yml")["docbin"]["meta_key"]
    tables = gold_table_areas(annotations)
    nlp = spacy.blank("zh")
    out: dict[str, dict[str, list]] = {}
    for split, path in convert_annotations(annotations, work_dir / "gold").items():
        for doc in DocBin(store_user_data=True).from_disk(path).get_docs(nlp.vocab):
            meta = doc.user_data.get(meta_key) or {}
            areas = tables.get((meta.get("doc"), meta.get("paragraph")), [])
            out.setdefault(split, {}).setdefault(meta.get("doc"), []).append(
                (doc.text, [(e.start_char, e.end_char, e.label_) for e in doc.ents], areas))
    return out


def subsets(doc_ids: list[str], fractions: list[float], seed: int) -> list[tuple[float, list[str]]]:
    """Nested subsets: the ids shuffled once, then the first round(f·n) (at least one) for each fraction."""
    order = sorted(doc_ids)
    random.Random(seed).shuffle(order)
    return [(f, order[:max(1, round(f * len(order)))]) for f in fractions]


def train_fraction(run_dir: Path, examples: dict[str, list], train_tasks: list, dev_tasks: list,
                   segmenter_dir: Path | None) -> dict[str, Any]:
    """Span model and linker trained on one subset into ``run_dir``/ner and ``run_dir``/linker."""

    segmenter = train_settings()["segmenter"]
    started = time.perf_counter()
    run_dir.mkdir(parents=True, exist_ok=True)
    stats = prepare_data(run_dir, examples)
    overrides = {**tokenizer_overrides(segmenter, segmenter_dir), **(settings()["ner_overrides"] or {})}
    best = train_ner(spacy_config_path(segmenter), run_dir / "train.spacy", run_dir / "dev.spacy",
                     run_dir / "output", overrides)
    model_dir = run_dir / "ner"
    if model_dir.exists():
        shutil.rmtree(model_dir)
    shutil.copytree(best, model_dir)
    shutil.rmtree(run_dir / "output")
    select_policy_on_dev(model_dir, run_dir)
    ner_seconds = time.perf_counter() - started
    linker = train_linker(train_tasks, run_dir / "linker", dev_tasks, {"source": "gold"})
    return {"units": stats["train"]["units"], "spans": stats["train"]["spans"],
            "ner_seconds": round(ner_seconds, 1), "seconds": round(time.perf_counter() - started, 1),
            "link_policy": linker.chosen.get("policy")}


def score_fraction(run_dir: Path, split: str) -> dict[str, Any]:
    """Spans (model alone and hybrid), links, ids and records of one run, on ``split``."""

    hybrid = HybridFinder(load_model(run_dir / "ner"), load_policy(run_dir / "ner"))
    systems = {"model": _model_only(hybrid.nlp), "hybrid": hybrid}
    result = evaluate_split(split, systems, {"chosen": policy_linker(load_linker(run_dir / "linker"))})
    return {"spans": {name: scores["exact_all"] for name, scores in result["spans"].items()},
            "links": result["links"]["hybrid+chosen"], "records": result["records"]["hybrid+chosen"]}


def learning_curve(out_dir: str | Path) -> dict[str, Any]:
    """Train and score every fraction; writes ``out_dir``/curve.json and returns it."""

    cfg = settings()
    out_dir = Path(out_dir)
    work = out_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    by_doc = examples_by_document(work)
    tasks = gold_tasks()
    train_docs = sorted(by_doc.get("train", {}))
    dev_examples = [e for doc in sorted(by_doc.get("dev", {})) for e in by_doc["dev"][doc]]
    segmenter_dir = None

    if train_settings()["segmenter"] == "pkuseg":
        if not cfg["shared_segmenter"]:
            raise ValueError("shared_segmenter: false is not supported; the segmenter is trained once")
        segmenter_dir = _segmenter(work, [e for doc in train_docs for e in by_doc["train"][doc]])
    points = []
    for fraction, docs in subsets(train_docs, cfg["fractions"], cfg["seed"]):
        run = work / f"{round(fraction * 100)}"
        chosen = set(docs)
        examples = {"train": [e for doc in docs for e in by_doc["train"][doc]], "dev": dev_examples}
        train_tasks = [t for t in tasks["train"] if t["meta"]["doc"] in chosen]
        point = {"fraction": fraction, "documents": len(docs), "doc_ids": docs, "paragraphs": len(examples["train"]),
                 "links": sum(len(t.get("relations") or []) for t in train_tasks)}
        point["training"] = train_fraction(run, examples, train_tasks, tasks["dev"], segmenter_dir)
        point["scores"] = score_fraction(run, cfg["split"])
        points.append(point)
    curve = {"fingerprint": fingerprint(), "split": cfg["split"], "train_documents": len(train_docs),
             "points": points, "seconds": round(time.perf_counter() - started, 1)}
    srsly.write_json(out_dir / CURVE_FILE, curve)
    return curve


def _segmenter(work: Path, examples: list) -> Path:
    """The pkuseg segmenter of all training text, reused from an earlier run of the same gold and configs."""

    stamp = work / "pkuseg" / "fingerprint.txt"
    current = fingerprint()
    if stamp.exists() and stamp.read_text(encoding="utf-8") == current:
        return stamp.parent
    seg_dir = train_segmenter_for(work, examples)
    stamp.write_text(current, encoding="utf-8")
    return seg_dir


def load_curve(path: str | Path) -> dict[str, Any] | None:
    """The cached curve with ``stale`` set when the gold or the configs changed since; None when absent."""
    path = Path(path)
    if not path.exists():
        return None
    curve = srsly.read_json(path)
    curve["stale"] = curve.get("fingerprint") != fingerprint()
    return curve


def curve_markdown(curve: dict[str, Any] | None, path: Path) -> list[str]:
    """The learning-curve section of report.md."""
    lines = ["## Learning curve (training documents → scores)", ""]
    if curve is None:
        return lines + [f"Not computed: run `make learning-curve` (writes {path}).", ""]
    lines.append(f"Span model and learned linker retrained on part of the {curve['train_documents']} gold training "
                 f"documents, scored on {curve['split']} (exact F1; links: hybrid spans and the linking policy "
                 f"chosen on dev). {curve['seconds']:.0f} s to compute.")
    if curve.get("stale"):
        lines.append("**Stale**: the gold or the training configs changed since; rerun `make learning-curve`.")
    lines.append("The linking policy is the one chosen on dev for that run (rules: the learned linker did not beat "
                 "the rules there).")
    header = ("| train docs | paragraphs | links | model spans F1 | hybrid spans F1 | link policy | links F1 | ids F1 "
              "| records F1 |")
    lines += ["", header, "|---|---|---|---|---|---|---|---|---|"]
    for p in curve["points"]:
        s = p["scores"]
        lines.append(f"| {p['documents']} ({p['fraction']:.0%}) | {p['paragraphs']} | {p['links']} | "
                     f"{s['spans']['model']['f']:.3f} | {s['spans']['hybrid']['f']:.3f} | "
                     f"{p.get('training', {}).get('link_policy') or '?'} | {s['links']['indicator_phrase']['f']:.3f} | {s['links']['canonical_id']['f']:.3f} | "
                     f"{s['records']['f']:.3f} |")
    return lines + [""]
