"""Stand-off records: annotations of a paragraph without its text, joined with the document at run time.

Reports of ../shared/corpus come from other projects and their text is never committed, so their
annotations keep only the document id, the paragraph index, the paragraph's character offset in the
document, the sha1 of the paragraph text, and spans/relations as offsets and labels. ``join_standoff``
rebuilds the full Prodigy task from the document's normalised text and refuses when the hash no longer
matches (the source or the normalisation changed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import CORPUS_DIR, PROJECT_ROOT, SHARED_CORPUS_DIR
from ..types import Document
from .tasks import RELATION_EXTRAS, paragraphs, rebuild_task, settings, text_sha1

STANDOFF_KEYS = ("meta", "sha1", "answer", "spans", "relations", "tables")


class StandoffMismatch(ValueError):
    """A stand-off record that no longer fits its document (paragraph missing or text changed)."""


class DocumentUnavailable(OSError):
    """A document that cannot be found or read."""


def is_standoff(record: dict[str, Any]) -> bool:
    """True for a stand-off record (no ``text``), False for a full task."""
    return "text" not in record


def to_standoff(task: dict[str, Any]) -> dict[str, Any]:
    """The stand-off form of a full task: offsets, labels, meta and the sha1 of the text; no text, no tokens."""
    if is_standoff(task):
        return {k: task[k] for k in STANDOFF_KEYS if k in task}
    meta = task["meta"]
    record = {
        "meta": {"doc": meta["doc"], "paragraph": meta["paragraph"], "offset": meta.get("offset", 0)},
        "sha1": text_sha1(task["text"]),
        "answer": task.get("answer", "accept"),
        "spans": [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in task.get("spans") or []],
        "relations": [_standoff_relation(r) for r in task.get("relations") or []],
    }
    if task.get("tables"):
        record["tables"] = [{"start": t["start"], "end": t["end"]} for t in task["tables"]]
    return record


def _standoff_relation(rel: dict[str, Any]) -> dict[str, Any]:
    out = {"head_span": {"start": rel["head_span"]["start"], "end": rel["head_span"]["end"]},
           "child_span": {"start": rel["child_span"]["start"], "end": rel["child_span"]["end"]},
           "label": rel["label"]}
    for key in RELATION_EXTRAS:
        if rel.get(key):
            out[key] = rel[key]
    return out


def join_standoff(record: dict[str, Any], document: Document | str) -> dict[str, Any]:
    """The full task of a stand-off record, its text read from ``document``; StandoffMismatch if it changed."""
    text = document.text if isinstance(document, Document) else document
    meta = record["meta"]
    found = {i: (a, b) for i, a, b in paragraphs(text)}
    index = meta["paragraph"]
    if index not in found:
        raise StandoffMismatch(f"{meta['doc']}: paragraph {index} does not exist (the document has {len(found)})")
    start, end = found[index]
    para = text[start:end]
    if text_sha1(para) != record["sha1"]:
        raise StandoffMismatch(f"{meta['doc']}: paragraph {index} changed since it was annotated (sha1 "
                               f"{record['sha1'][:10]}… expected, {text_sha1(para)[:10]}… found): the source or "
                               "its normalisation changed")
    # the offset follows the document: an earlier paragraph may have changed length, the record still fits
    return rebuild_task({**record, "meta": {**meta, "offset": start}}, para)


def find_paragraph(text: str, sha1: str) -> list[int]:
    """Indices of the paragraphs of ``text`` whose sha1 is ``sha1`` (to re-anchor a moved paragraph)."""
    return [i for i, a, b in paragraphs(text) if text_sha1(text[a:b]) == sha1]


def reanchor(record: dict[str, Any], document: Document | str) -> dict[str, Any] | None:
    """The record moved to the one paragraph of ``document`` with its sha1, or None when not exactly one."""
    text = document.text if isinstance(document, Document) else document
    hits = find_paragraph(text, record["sha1"])
    if len(hits) != 1:
        return None
    return {**record, "meta": {**record["meta"], "paragraph": hits[0]}}


def document_dirs() -> list[Path]:
    """Folders searched for a document id: the bundled corpus, then ../shared/corpus."""
    return [CORPUS_DIR, SHARED_CORPUS_DIR]


def find_document(doc_id: str, dirs: list[Path] | None = None) -> Path | None:
    """The file whose stem is ``doc_id`` in the document folders, or None."""
    suffixes = settings()["document_suffixes"]
    for folder in dirs if dirs is not None else document_dirs():
        for suffix in suffixes:
            path = Path(folder) / f"{doc_id}{suffix}"
            if path.is_file():
                return path
    return None


def may_hold_text(doc_id: str, dirs: list[Path] | None = None) -> bool:
    """True when the document's text may be committed in annotation files (a seed of corpus/)."""
    allowed = [PROJECT_ROOT / d for d in settings()["full_text_dirs"]] if dirs is None else dirs
    return find_document(doc_id, allowed) is not None


def read_document(path: str | Path) -> Document:
    """The normalised document through the ingest stage; plain normalisation of .txt/.md if ingest is absent."""
    path = Path(path)
    try:
        from ..ingest import read_document as ingest_read
    except ImportError:
        ingest_read = None
    if ingest_read is not None:
        try:
            return ingest_read(path)
        except Exception as err:  # ingest raises its own error types; report them the same way
            raise DocumentUnavailable(f"{path}: {err}") from err
    if path.suffix.lower() not in (".txt", ".md"):
        raise DocumentUnavailable(f"{path}: govreport.ingest is not available and only .txt/.md can be read "
                                  "without it")
    from ..normalize import normalize_text

    raw = path.read_bytes()
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = raw.decode("gb18030", errors="replace")
    text, offset_map, traditional = normalize_text(decoded)
    return Document(doc=path.stem, path=str(path), format=path.suffix.lower().lstrip("."), text=text,
                    meta={"traditional": traditional}, offset_map=offset_map)


class DocumentStore:
    """Documents by id, read once (ingesting a PDF takes a while) from the document folders."""

    def __init__(self, dirs: list[Path] | None = None, documents: dict[str, Document] | None = None):
        self.dirs = dirs
        self._docs: dict[str, Document] = dict(documents or {})
        self._failed: dict[str, str] = {}

    def get(self, doc_id: str) -> Document:
        """The document with this id, or DocumentUnavailable naming why not."""
        if doc_id in self._docs:
            return self._docs[doc_id]
        if doc_id in self._failed:
            raise DocumentUnavailable(self._failed[doc_id])
        path = find_document(doc_id, self.dirs)
        try:
            if path is None:
                folders = ", ".join(str(d) for d in (self.dirs if self.dirs is not None else document_dirs()))
                raise DocumentUnavailable(f"document {doc_id!r} not found in {folders}")
            doc = read_document(path)
        except DocumentUnavailable as err:
            self._failed[doc_id] = str(err)
            raise
        self._docs[doc_id] = doc
        return doc

    def join(self, record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """The full task of a record in either form, and warnings (re-anchored paragraphs)."""
        if not is_standoff(record):
            return record, []
        doc = self.get(record["meta"]["doc"])
        try:
            task = join_standoff(record, doc)
            offset = record["meta"].get("offset")
            if offset is not None and offset != task["meta"]["offset"]:
                return task, [(f"{task['meta']['doc']}: paragraph {task['meta']['paragraph']} moved from offset "
                              f"{offset} to {task['meta']['offset']} (same text)")]
            return task, []
        except StandoffMismatch as err:
            moved = reanchor(record, doc)
            if moved is None:
                raise
            note = (f"{err}; the same text is paragraph {moved['meta']['paragraph']}, used instead (rewrite the "
                    "record to keep it)")
            return join_standoff(moved, doc), [note]


def load_tasks(paths, join: bool = False, store: DocumentStore | None = None):
    """(records, problems) of annotation files; with ``join`` every record is a full task (text read at run time).

    Records that cannot be joined are reported as problems (file and line) and left out.
    """
    from .files import Problem, read_annotations

    lines, problems = read_annotations(paths)
    if not join:
        return [line.data for line in lines], problems
    store = store or DocumentStore()
    tasks = []
    for line in lines:
        try:
            task, notes = store.join(line.data)
        except (StandoffMismatch, DocumentUnavailable, KeyError, ValueError) as err:
            problems.append(Problem(line.path, line.line, f"left out: {err}"))
            continue
        problems += [Problem(line.path, line.line, note, "warning") for note in notes]
        tasks.append(task)
    return tasks, problems
