"""Annotation tooling: Prodigy rel.manual tasks, stand-off storage, checks, agreement and DocBin conversion.

Layout of the files: annotations/README.md; what to annotate: annotations/GUIDELINES.md.
"""

from .compare import agreement, corrections, document_stats
from .convert import convert_annotations, gold_files, load_splits, task_to_doc
from .export import PreAnnotator, export_documents
from .files import Problem, read_annotations, write_jsonl
from .markup import apply_markup, parse, render
from .standoff import (
    DocumentStore,
    DocumentUnavailable,
    StandoffMismatch,
    is_standoff,
    join_standoff,
    load_tasks,
    read_document,
    to_standoff,
)
from .task_builder import tasks_from_document
from .tasks import make_task, paragraphs, text_sha1, tokenize
from .validate import validate_files

__all__ = [
    "DocumentStore",
    "DocumentUnavailable",
    "PreAnnotator",
    "Problem",
    "StandoffMismatch",
    "agreement",
    "apply_markup",
    "convert_annotations",
    "corrections",
    "document_stats",
    "export_documents",
    "gold_files",
    "is_standoff",
    "join_standoff",
    "load_splits",
    "load_tasks",
    "make_task",
    "paragraphs",
    "parse",
    "read_annotations",
    "read_document",
    "render",
    "task_to_doc",
    "tasks_from_document",
    "text_sha1",
    "to_standoff",
    "tokenize",
    "validate_files",
    "write_jsonl",
]
