"""Annotations → spaCy DocBin per split (configs/splits.yml), for training the NER and the learned linker.

One Doc per accepted paragraph, built on the task's own tokens. ``doc.ents`` holds the NER labels
(configs/annotate.yml ``docbin.ent_labels``), ``doc.spans[spans_key]`` every gold span (INDICATOR too),
``doc._.relations`` the figure → indicator relations as character offsets into the doc text, and
``doc.user_data[meta_key]`` the task's doc, paragraph and offset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config import CONFIG_DIR, PROJECT_ROOT
from ..notices import warn
from .files import read_annotations
from .standoff import DocumentStore, DocumentUnavailable, StandoffMismatch
from .tasks import AlignmentError, relation_specs, settings, task_id

SPLITS = ("train", "dev", "test")


def load_splits(path: str | Path | None = None) -> dict[str, str]:
    """doc id → split, from configs/splits.yml (lists of ids under train, dev and test)."""
    import yaml

    with open(path or CONFIG_DIR / "splits.yml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    out: dict[str, str] = {}
    for split in SPLITS:
        for doc_id in data.get(split) or []:
            if doc_id in out:
                raise ValueError(f"{doc_id} is in both {out[doc_id]} and {split}")
            out[str(doc_id)] = split
    return out


def register_extensions() -> None:
    """Doc._.relations (its values live in doc.user_data, so a DocBin with user data keeps them)."""
    from spacy.tokens import Doc

    name = settings()["docbin"]["relations_extension"]
    if not Doc.has_extension(name):
        Doc.set_extension(name, default=None)


def task_to_doc(task: dict[str, Any], vocab) -> Any:
    """The spaCy Doc of a full task."""
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

    cfg = settings()["docbin"]
    register_extensions()
    tokens = task["tokens"]
    doc = Doc(vocab, words=[t["text"] for t in tokens], spaces=[bool(t["ws"]) for t in tokens])
    if doc.text != task["text"]:
        raise AlignmentError("the tokens do not rebuild the text (whitespace outside the tokens' ws)")
    spans = [SpacySpan(doc, s["token_start"], s["token_end"] + 1, label=s["label"]) for s in task["spans"]]
    doc.ents = [s for s in spans if s.label_ in cfg["ent_labels"]]
    doc.spans[cfg["spans_key"]] = spans
    relations = []
    for rel in relation_specs(task):
        item = {"head": list(rel["head"]), "child": list(rel["child"]), "label": rel["label"]}
        if rel.get("scope"):
            item["scope"] = rel["scope"]
        relations.append(item)
    doc._.set(cfg["relations_extension"], relations)
    doc_id, paragraph = task_id(task)
    doc.user_data[cfg["meta_key"]] = {"doc": doc_id, "paragraph": paragraph, "offset": task["meta"].get("offset")}
    return doc


def gold_path(path: str | Path) -> Path:
    """The annotations folder itself, or its gold folder when given the annotations/ root."""
    path = Path(path)
    gold = path / settings()["docbin"]["gold_dir"]
    return gold if path.is_dir() and gold.is_dir() else path


def gold_files(path: str | Path | None = None) -> list[Path]:
    """The gold annotation files (annotations/gold/*.jsonl by default): empty until gold exists."""

    folder = Path(path if path is not None else PROJECT_ROOT / "annotations") / settings()["docbin"]["gold_dir"]
    return sorted(folder.rglob("*.jsonl")) if folder.is_dir() else []


def convert_annotations(paths: str | Path | Iterable[str | Path], out_dir: str | Path,
                        splits: dict[str, str] | None = None, store: DocumentStore | None = None) -> dict[str, Path]:
    """Write out_dir/{train,dev,test}.spacy from annotation files; returns split → path.

    Stand-off records are joined with their documents; records that cannot be (changed source, missing
    document) and tasks of documents in no split are reported on stderr and left out.
    """
    import spacy
    from spacy.tokens import DocBin

    if isinstance(paths, (str, Path)):
        paths = [paths]
    splits = splits if splits is not None else load_splits()
    store = store or DocumentStore()
    lines, problems = read_annotations([gold_path(p) for p in paths])
    for problem in problems:
        warn(str(problem))
    vocab = spacy.blank(settings()["docbin"]["lang"]).vocab
    bins = {split: DocBin(store_user_data=True) for split in SPLITS}
    report: Counter = Counter()
    for line in lines:
        doc_id, _ = task_id(line.data)
        split = splits.get(doc_id)
        if split is None:
            report[f"{doc_id}: in no split"] += 1
            continue
        if line.data.get("answer", "accept") != "accept":
            continue
        try:
            task, _ = store.join(line.data)
            bins[split].add(task_to_doc(task, vocab))
        except (StandoffMismatch, DocumentUnavailable, AlignmentError, KeyError, ValueError) as err:
            warn(f"{line.path}:{line.line}: left out: {err}")
    for what, n in sorted(report.items()):
        warn(f"{n} task(s) left out, {what}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for split, db in bins.items():
        path = out_dir / f"{split}.spacy"
        db.to_disk(path)
        written[split] = path
    return written
