"""Training data of the learned linker and its training run: gold tasks per split (with each document's
table form), or before gold exists the silver tasks of the corpus (the pipeline's rule links, as the
annotation export writes them); ``train_from_project`` fits and saves the linker (``train_linker``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..annotate import DocumentStore, DocumentUnavailable, PreAnnotator, load_splits, load_tasks, read_document
from ..annotate.convert import gold_path
from ..annotate.export import report_files
from ..config import CORPUS_DIR, PROJECT_ROOT, SHARED_CORPUS_DIR, load_config
from ..link.diagnostics import feature_importance
from ..link.features import example_from_task, linker_config
from ..link.id_judge import fit_judge
from ..link.indicator_model import examples_from_tasks, train_indicator_model
from ..link.model import LearnedLinker, build_linker
from ..link.phrase_map import annotation_phrase_pairs
from ..link.policy import choose_policy
from ..link.scoring import compare_policies
from ..notices import warn
from ..tables import parse_tables
from .spans import SPLITS, choose_source
from .spans import settings as train_settings


def project_tasks(source: str | None = None, annotations_dir: str | Path | None = None
                  ) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """(source, split → tasks): the gold annotations per split when there are any (configs/train.yml
    ``source``), else the silver tasks of the corpus (the rules' own links)."""

    source = choose_source(source)
    if source == "gold":
        return source, gold_tasks(annotations_dir)
    return source, silver_tasks([CORPUS_DIR, SHARED_CORPUS_DIR])


def gold_tasks(annotations_dir: str | Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Accepted gold tasks per split (configs/splits.yml), joined with their documents; problems on stderr."""

    folder = Path(annotations_dir or train_settings()["annotations_dir"])
    path = gold_path(folder if folder.is_absolute() else PROJECT_ROOT / folder)
    tasks, problems = load_tasks([path], join=True)
    for problem in problems:
        warn(str(problem))
    split_of = load_splits()
    facts = document_facts({(t.get("meta") or {}).get("doc") for t in tasks})
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for task in tasks:
        doc_id = (task.get("meta") or {}).get("doc")
        split = split_of.get(doc_id)
        if split is not None and task.get("answer", "accept") == "accept":
            form, organ = facts.get(doc_id, (None, None))
            task["meta"] = {"form": form, "organ": organ, **task["meta"]}
            out[split].append(task)
    return out


def document_forms(doc_ids: Iterable[str]) -> dict[str, str | None]:
    """The table form (pre2019, v2019, v2021, none) of each document, by the table stage; None when the
    document cannot be read (warned on stderr)."""

    return {doc_id: form for doc_id, (form, _) in document_facts(doc_ids).items()}


def document_facts(doc_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """(table form, reporting organ) of each document, as the pipeline finds them (the linker reads both: ids
    depend on the form, and a figure of another organ than the reporting one gets none); (None, None) when the
    document cannot be read (warned on stderr)."""
    from ..metadata import document_metadata

    store, facts = DocumentStore(), {}
    for doc_id in sorted(d for d in doc_ids if d):
        try:
            doc = store.get(doc_id)
            form = parse_tables(doc).form
            facts[doc_id] = (form, document_metadata(doc.text, doc.path, form, source_meta=doc.meta).get("organ"))
        except DocumentUnavailable as err:
            warn(str(err))
            facts[doc_id] = (None, None)
    return facts


def train_from_project(out_dir: str | Path, source: str | None = None,
                       annotations_dir: str | Path | None = None) -> dict[str, Any]:
    """Train the linker on the train split (gold, or silver before gold exists), measure the policies on dev,
    save into ``out_dir/<model_name>``; returns the summary also kept in meta.json."""
    source, splits = project_tasks(source, annotations_dir)
    target = Path(out_dir) / linker_config()["model_name"]
    # the own development paragraphs train the linker beside gold, as in `govreport cv` (configs/train.yml)
    own = own_training_tasks(Path(annotations_dir) / "own" if annotations_dir is not None else None) \
        if source == "gold" else []
    return train_linker(splits["train"] + own, target, splits.get("dev") or None,
                        {"source": source, "own_paragraphs": len(own)}).meta


def own_training_tasks(folder: str | Path | None = None) -> list[dict[str, Any]]:
    """The own paragraphs' link tasks the linker trains on beside the gold train split (own_paragraph_tasks)."""
    return [t for tasks in own_paragraph_tasks(folder).values() for t in tasks]


def own_paragraph_tasks(folder: str | Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Link tasks of the own paragraph sets of configs/train.yml ``own_paragraphs`` (annotations/own), one
    paragraph a document, by document id; ``folder``: another folder of paragraph sets."""
    from ..eval.sentences import load_paragraph_sets, paragraph_tasks
    from ..pipeline import Pipeline

    sets = load_paragraph_sets(Path(folder)) if folder is not None else load_paragraph_sets()
    names = train_settings()["own_paragraphs"]
    if not names:
        return {}
    pipeline = Pipeline.from_config(use_model=False)
    return {t["meta"]["doc"]: [t] for name in names for t in paragraph_tasks(sets.get(name, []), name, pipeline)}


def silver_tasks(paths: Iterable[str | Path], splits: Sequence[str] = ("train", "dev")) -> dict[str, list[dict[str, Any]]]:
    """Per split of configs/splits.yml, the pre-annotated paragraph tasks (the rules' spans and links, as
    ``govreport annotate export`` writes them) of every report under ``paths``, each relation carrying the
    rules' canonical id. Twins of a report already read and files in no split are skipped; unreadable
    files are warned about and skipped."""

    split_of = load_splits()
    twins = (load_config("splits.yml") or {}).get("twins", {})
    annotator = PreAnnotator()
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in splits}
    seen: set[str] = set()
    for path in report_files(paths):
        doc_id = Path(path).stem
        split = split_of.get(doc_id)
        if split not in out or twins.get(doc_id) in seen or any(twins.get(d) == doc_id for d in seen):
            continue
        try:
            doc = read_document(path)
        except DocumentUnavailable as err:
            warn(str(err))
            continue
        seen.add(doc_id)
        out[split].extend(document_tasks(doc, annotator))
    return out


def document_tasks(doc: Any, annotator: Any = None) -> list[dict[str, Any]]:
    """Silver tasks of one document: the paragraphs with a figure, pre-annotated as ``annotate export`` does
    (annotate.PreAnnotator), each relation also carrying the rules' canonical id."""

    cfg = linker_config()
    annotator = annotator or PreAnnotator()
    analysis = annotator.pipeline(doc)
    ids = {(lk.figure.start, lk.figure.end): lk.canonical_id for lk in analysis.links}
    tasks = [t for t in annotator.tasks(analysis) if any(s["label"] in cfg["figure_labels"] for s in t["spans"])]
    tables = analysis.tables
    form = getattr(tables, "form", None)
    for task in tasks:
        task["meta"]["form"] = form
        offset = task["meta"]["offset"]
        for rel in task["relations"]:
            ind_id = ids.get((rel["head_span"]["start"] + offset, rel["head_span"]["end"] + offset))
            if ind_id:
                rel[cfg["canonical_keys"][0]] = ind_id
    return tasks




def train_indicator_from_gold(out_dir: str | Path) -> dict[str, Any]:
    """`govreport train-indicator`: the INDICATOR phrase model on the gold train split, early stopping on dev."""

    tasks = gold_tasks()
    return train_indicator_model(out_dir, examples_from_tasks(tasks["train"]), examples_from_tasks(tasks["dev"]))


def train_linker(train_tasks: Iterable[dict[str, Any]], out_dir: str | Path,
                 dev_tasks: Iterable[dict[str, Any]] | None = None,
                 extra_meta: dict[str, Any] | None = None) -> LearnedLinker:
    """Fit the linker and phrase mapper on annotated tasks and save them into ``out_dir`` (e.g. models/linker);
    with ``dev_tasks`` the rules, learned and combined policies are measured on them and kept in meta.json."""

    train_tasks = list(train_tasks)
    pairs = annotation_phrase_pairs(train_tasks)
    from_gold = linker_config()["train_candidates"] == "gold"
    linker = build_linker([example_from_task(t, gold_indicators=from_gold) for t in train_tasks], pairs)
    extra: dict[str, Any] = {"annotation_pairs": len(pairs), **(extra_meta or {})}
    if extra.get("source", "gold") == "gold" and linker.cfg["id_judge"]["enabled"]:
        # the combined policy's ids (link/id_judge.py), learned from the lexicon's candidates as extract sees them
        try:
            linker.judge = fit_judge(train_tasks, [example_from_task(t, gold_indicators=False) for t in train_tasks],
                                     linker)
            extra["id_judge"] = linker.judge.n_train
        except ValueError as err:  # too little gold (all proposals right, or none): the combined ids stay the rules'
            extra["id_judge"] = {"skipped": str(err)}
    if dev_tasks:
        dev_tasks = list(dev_tasks)
        # as extract will link: candidates from the lexicon and the rules, not from the gold spans
        extra["dev"] = compare_policies(dev_tasks, linker, gold_indicators=False)
        extra["dev_gold_indicators"] = compare_policies(dev_tasks, linker, gold_indicators=True)
        extra["importance"] = feature_importance(linker, [example_from_task(t, gold_indicators=False)
                                                          for t in dev_tasks])
        # on silver the dev links are the rules' own output: no measurement can prefer another policy there
        if extra.get("source", "gold") == "gold":
            linker.chosen = extra["policy"] = choose_policy(extra["dev"], linker.cfg)
    linker.meta = linker.to_disk(out_dir, extra)
    return linker
