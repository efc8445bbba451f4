"""Checks of annotation files: every problem reported with its file and line, a bad line never stops the rest.

Offsets must match the text, tokens the text, spans the tokens; labels must be known; relations must go
from an existing figure span to an existing INDICATOR span; spans must not overlap; hashes must be current;
stand-off records must still fit their document; shared-corpus text must not sit in committed files.
Hashes are not checked (a file re-hashed by Prodigy stays valid).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..config import PROJECT_ROOT
from ..indicators import load_indicators
from ..records import is_partial_scope
from .files import Line, Problem, read_annotations
from .standoff import DocumentStore, DocumentUnavailable, StandoffMismatch, is_standoff, may_hold_text
from .tasks import AlignmentError, paragraphs, settings, task_id, tokenize

Issue = tuple[str, str]  # (level, message)
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


def _indicator_ids() -> set[str]:

    return set(load_indicators())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_structure(task: dict[str, Any]) -> list[str]:
    """Missing or mistyped keys; an empty list means the rest of the checks can read the task."""
    errors = []
    meta = task.get("meta")
    if not isinstance(meta, dict):
        return ["meta is missing (it must hold doc and paragraph)"]
    if not isinstance(meta.get("doc"), str) or not meta.get("doc"):
        errors.append("meta.doc is missing or not a string")
    if not _is_int(meta.get("paragraph")) or meta["paragraph"] < 0:
        errors.append("meta.paragraph is missing or not a non-negative integer")
    # no answer: a pre-annotated task nobody reviewed yet (exports never preset one)
    if "answer" in task and task["answer"] not in settings()["answers"]:
        errors.append(f"answer {task.get('answer')!r} is not one of {settings()['answers']}")
    for key in ("spans", "relations"):
        if not isinstance(task.get(key, []), list):
            errors.append(f"{key} must be a list")
    if errors and any(not isinstance(task.get(k, []), list) for k in ("spans", "relations")):
        return errors  # their items cannot be read
    for i, span in enumerate(task.get("spans") or []):
        if not isinstance(span, dict) or not all(_is_int(span.get(k)) for k in ("start", "end")) \
                or not isinstance(span.get("label"), str):
            errors.append(f"span {i} needs integer start/end and a string label")
    for i, rel in enumerate(task.get("relations") or []):
        ok = isinstance(rel, dict) and isinstance(rel.get("label"), str) and all(
            isinstance(rel.get(k), dict) and _is_int(rel[k].get("start")) and _is_int(rel[k].get("end"))
            for k in ("head_span", "child_span"))
        if not ok:
            errors.append(f"relation {i} needs a label and head_span/child_span with integer start/end")
        elif any(rel.get(k) is not None and not isinstance(rel[k], str) for k in ("scope", "indicator")):
            errors.append(f"relation {i}: scope and indicator must be strings")
    tables = task.get("tables", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) and _is_int(t.get("start")) and _is_int(t.get("end"))
                                               for t in tables):
        errors.append("tables must be a list of areas with integer start/end")
    if is_standoff(task):
        if not isinstance(task.get("sha1"), str) or not _SHA1.match(task["sha1"]):
            errors.append("stand-off record without a valid sha1 of its paragraph text")
        if not _is_int(meta.get("offset")):
            errors.append("stand-off record without meta.offset (the paragraph's offset in the document)")
    else:
        if not isinstance(task.get("text"), str):
            errors.append("text must be a string")
        if not isinstance(task.get("tokens"), list):
            errors.append("tokens are missing")
    return errors


def check_spans(task: dict[str, Any], length: int | None) -> list[Issue]:
    """Labels, bounds and overlaps of the spans (works on offsets alone)."""
    labels = set(settings()["labels"])
    issues: list[Issue] = []
    spans = sorted(task.get("spans") or [], key=lambda s: (s["start"], s["end"]))
    for s in spans:
        where = f"{s['label']} span [{s['start']}, {s['end']})"
        if s["label"] not in labels:
            issues.append(("error", f"{where}: unknown label (known: {', '.join(sorted(labels))})"))
        if not 0 <= s["start"] < s["end"] or (length is not None and s["end"] > length):
            issues.append(("error", f"{where}: offsets outside the text (length {length})"))
    for a, b in pairwise(spans):
        if b["start"] < a["end"]:
            issues.append(("error", (f"{b['label']} span [{b['start']}, {b['end']}) overlaps {a['label']} span "
                                     f"[{a['start']}, {a['end']})")))
    for t in task.get("tables") or []:
        inside = [s for s in spans if t["start"] <= s["start"] and s["end"] <= t["end"]]
        if inside:
            issues.append(("warning", (f"{len(inside)} span(s) inside the table area [{t['start']}, {t['end']}) "
                                       "(table figures are not annotated)")))
    return issues


def check_relations(task: dict[str, Any], length: int | None) -> list[Issue]:
    """Relations point at existing spans, figure → INDICATOR, with a known label, once each."""
    cfg = settings()
    spans = {(s["start"], s["end"]): s for s in task.get("spans") or []}
    issues: list[Issue] = []
    seen: Counter = Counter()
    linked_children = set()
    for i, rel in enumerate(task.get("relations") or []):
        if rel["label"] not in cfg["relation_labels"]:
            issues.append(("error", f"relation {i}: unknown label {rel['label']!r}"))
        ends = {}
        for role, allowed in (("head_span", cfg["head_labels"]), ("child_span", cfg["child_labels"])):
            ref = rel[role]
            span = spans.get((ref["start"], ref["end"]))
            if span is None:
                issues.append(("error", f"relation {i}: {role} [{ref['start']}, {ref['end']}) is not a span"))
                continue
            if ref.get("label") not in (None, span["label"]):
                issues.append(("error", f"relation {i}: {role} says {ref['label']} but the span is {span['label']}"))
            if span["label"] not in allowed:
                issues.append(("error", (f"relation {i}: {role} is a {span['label']} span, must be one of "
                                         f"{', '.join(allowed)}")))
            ends[role] = span
        if "child_span" in ends:
            linked_children.add((ends["child_span"]["start"], ends["child_span"]["end"]))
        key = (rel["label"], rel["head_span"]["start"], rel["head_span"]["end"], rel["child_span"]["start"],
               rel["child_span"]["end"])
        seen[key] += 1
        if seen[key] == 2:
            issues.append(("error", f"relation {i}: duplicate of an earlier relation"))
        scope = rel.get("scope")
        if scope is not None and scope not in cfg["scopes"]:
            issues.append(("error", (f"relation {i}: scope {scope!r} is not one of the scopes of the guidelines "
                                     f"({', '.join(cfg['scopes'])})")))
        indicator = rel.get("indicator")
        if indicator is not None and indicator not in _indicator_ids():
            issues.append(("error", f"relation {i}: indicator {indicator!r} is no id of configs/indicators.yml"))
    if cfg["indicator_needs_relation"]:
        for (a, b), s in spans.items():
            if s["label"] in cfg["child_labels"] and (a, b) not in linked_children:
                issues.append(("error", (f"{s['label']} span [{a}, {b}) is the child of no relation (annotate "
                                         "indicators of figures only)")))
    return issues


def check_scope_ids(task: dict[str, Any]) -> list[Issue]:
    """Relations whose scope covers only part of the reporting body yet carry an id (guidelines 2.4).

    Every id of configs/indicators.yml is a statistic of the whole reporting body, so a figure of a part
    (市本级, 各乡镇, 市直单位; whole scopes are configs/records.yml ``whole_scopes``) must not carry one.
    """

    issues: list[Issue] = []
    for i, rel in enumerate(task.get("relations") or []):
        scope, indicator = rel.get("scope"), rel.get("indicator")
        if indicator and is_partial_scope(scope):
            head = rel["head_span"]
            issues.append(("error", (f"relation {i} (figure [{head['start']}, {head['end']})): scope {scope!r} covers "
                                     f"part of the reporting body but carries the whole-body id {indicator!r} "
                                     "(guidelines 2.4: no id)")))
    return issues


def check_tokens(text: str, tokens: list[Any]) -> list[Issue]:
    """Tokens are in order, match the text, and only whitespace lies between them."""
    issues: list[Issue] = []
    pos = 0
    for i, tok in enumerate(tokens):
        if not isinstance(tok, dict) or not all(_is_int(tok.get(k)) for k in ("start", "end", "id")):
            return [("error", f"token {i} needs integer start, end and id")]
        if tok["id"] != i:
            issues.append(("error", f"token {i} has id {tok['id']}"))
        if tok["start"] < pos or text[pos:tok["start"]].strip():
            issues.append(("error", f"token {i} starts at {tok['start']}: text between tokens is lost or repeated"))
        if tok.get("text") != text[tok["start"]:tok["end"]]:
            issues.append(("error", (f"token {i} text {tok.get('text')!r} != text[{tok['start']}:{tok['end']}] "
                                     f"{text[tok['start']:tok['end']]!r}")))
        if tok.get("ws") and not text[tok["end"]:tok["end"] + 1].isspace():
            issues.append(("error", f"token {i} has ws=true but no whitespace follows"))
        pos = tok["end"]
        if len(issues) > 5:
            issues.append(("error", "further token errors not shown"))
            return issues
    if text[pos:].strip():
        issues.append(("error", f"text after the last token is not covered: {text[pos:pos + 10]!r}"))
    if not issues and [(t["start"], t["end"]) for t in tokens] != [(t["start"], t["end"]) for t in tokenize(text)]:
        issues.append(("warning", "tokens differ from the govreport tokenisation (spans still checked against them)"))
    return issues


def check_full(task: dict[str, Any]) -> list[Issue]:
    """Checks that need the text: tokens, token indices of spans and relations, hashes."""
    text, tokens = task["text"], task.get("tokens") or []
    issues = check_tokens(text, tokens)
    if any(level == "error" for level, _ in issues):
        return issues
    starts = {t["start"]: t["id"] for t in tokens}
    ends = {t["end"]: t["id"] for t in tokens}
    last_token = {}
    for s in task.get("spans") or []:
        where = f"{s['label']} span [{s['start']}, {s['end']}) {text[s['start']:s['end']]!r}"
        if s["start"] not in starts or s["end"] not in ends:
            issues.append(("error", f"{where} does not start and end on token boundaries"))
            continue
        if text[s["start"]].isspace() or text[s["end"] - 1].isspace():
            issues.append(("error", f"{where} starts or ends with whitespace"))
        if s.get("token_start") != starts[s["start"]] or s.get("token_end") != ends[s["end"]]:
            issues.append(("error", (f"{where}: token_start/token_end {s.get('token_start')}/{s.get('token_end')} "
                                     f"should be {starts[s['start']]}/{ends[s['end']]}")))
        if "text" in s and s["text"] != text[s["start"]:s["end"]]:
            issues.append(("error", f"{where}: span text {s['text']!r} does not match the offsets"))
        last_token[(s["start"], s["end"])] = ends[s["end"]]
    for i, rel in enumerate(task.get("relations") or []):
        for role, key in (("head_span", "head"), ("child_span", "child")):
            ref = rel[role]
            expected = last_token.get((ref["start"], ref["end"]))
            if expected is not None and rel.get(key) != expected:
                issues.append(("error", (f"relation {i}: {key} is {rel.get(key)}, the last token of its span is "
                                         f"{expected}")))
    # _input_hash/_task_hash are not checked: Prodigy or another tool may recompute them, and a task is
    # identified by meta.doc, meta.paragraph and its text (checked against the document) instead
    return issues


def check_source(task: dict[str, Any], store: DocumentStore) -> list[Issue]:
    """A full task's text is still its document's paragraph (checked when the document can be found)."""
    doc_id, index = task_id(task)
    try:
        document = store.get(doc_id)
    except DocumentUnavailable:
        return []
    found = {i: (a, b) for i, a, b in paragraphs(document.text)}
    if index not in found:
        return [("error", f"paragraph {index} does not exist in {doc_id} (it has {len(found)})")]
    a, b = found[index]
    if document.text[a:b] != task["text"]:
        return [("error", (f"the text differs from paragraph {index} of {doc_id}: the source or its normalisation "
                          "changed"))]
    return []


def validate_record(data: dict[str, Any], store: DocumentStore, committed: bool = False) -> list[Issue]:
    """Every issue of one task or stand-off record."""
    errors = check_structure(data)
    if errors:
        return [("error", e) for e in errors]
    standoff = is_standoff(data)
    length = None if standoff else len(data["text"])
    issues = check_spans(data, length) + check_relations(data, length) + check_scope_ids(data)
    if standoff:
        try:
            task, notes = store.join(data)
        except AlignmentError as err:
            return issues + [("error", str(err))]
        except KeyError:
            return issues  # a relation to no span, reported above
        except (StandoffMismatch, DocumentUnavailable) as err:
            return issues + [("error", f"cannot join with the document: {err}")]
        return issues + [("warning", n) for n in notes] + check_full(task)
    issues += check_full(data)
    if committed and not may_hold_text(data["meta"]["doc"]):
        issues.append(("error", (f"text of {data['meta']['doc']} (not a seed of corpus/) in a committed file: store "
                                 "it stand-off (annotate export --standoff, or apply --standoff)")))
    if "offset" in data["meta"]:
        issues += check_source(data, store)
    return issues


def _committed(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def validate_lines(lines: Iterable[Line], store: DocumentStore | None = None,
                   committed_root: Path | None = None) -> list[Problem]:
    """Problems of parsed lines; duplicates of a (doc, paragraph) within one file are errors."""
    store = store or DocumentStore()
    root = committed_root if committed_root is not None else PROJECT_ROOT / "annotations"
    problems: list[Problem] = []
    seen: dict[tuple[Path, Any], int] = {}
    for line in lines:
        issues = validate_record(line.data, store, _committed(line.path, root))
        tid = task_id(line.data) if isinstance(line.data.get("meta"), dict) else None
        if tid is not None and not (isinstance(tid[0], str) and _is_int(tid[1])):
            tid = None  # a malformed meta, reported by check_structure: no key to compare
        key = (line.path, tid)
        if key[1] is not None and key in seen:
            issues.append(("error", f"doc {key[1][0]} paragraph {key[1][1]} already annotated on line {seen[key]}"))
        seen.setdefault(key, line.line)
        problems += [Problem(line.path, line.line, message, level) for level, message in issues]
    return problems


def validate_files(paths: Iterable[str | Path], store: DocumentStore | None = None,
                   committed_root: Path | None = None) -> tuple[int, list[Problem]]:
    """(number of records read, problems) for annotation files and folders."""
    lines, problems = read_annotations(paths)
    problems += validate_lines(lines, store, committed_root)
    problems.sort(key=lambda p: (str(p.path), p.line))
    return len(lines), problems
