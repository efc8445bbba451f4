"""Label Studio both ways: tasks with predictions and the labeling config out, annotations back to gold.

A Label Studio task is one paragraph: ``data`` holds the text and where it comes from (doc, paragraph,
offset, sha1 of the text); a prediction (or annotation) ``result`` holds one ``labels`` region per span and
table area, one ``relation`` per ``measures`` link (from the figure to the indicator), per-region choices
``scope`` and ``indicator`` on the figure (its relations' scope and canonical id), and a task-level choice
``answer`` when the paragraph is not accepted. Label Studio counts region offsets in UTF-16 code units; they
are converted to and from Python characters here. Names of the tags: configs/annotate.yml ``label_studio``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from ..indicators import load_indicators
from .tasks import AlignmentError, make_task, relation_specs, settings, span_keys, table_offsets, task_id, text_sha1


class LabelStudioError(ValueError):
    """A Label Studio task that cannot become a govreport task (the message names what is wrong)."""


def ls_settings() -> dict[str, Any]:
    """configs/annotate.yml ``label_studio``."""
    return settings()["label_studio"]


def _indicator_choices() -> list[tuple[str, str]]:

    return [(ident, getattr(ind, "label", "") or "") for ident, ind in load_indicators().items()]


def labeling_config() -> str:
    """The labeling config XML: span labels, the relation, the answer, and per-region scope and canonical id."""
    cfg, ls = settings(), ls_settings()
    text, labels = ls["text_name"], ls["labels_name"]

    def choices(name: str, values: list[tuple[str, str]], extra: str) -> list[str]:
        rows = [f'  <Choices name="{name}" toName="{text}" choice="single" {extra}>']
        rows += [f"    <Choice value={quoteattr(v)}" + (f" hint={quoteattr(h)}" if h else "") + "/>" for v, h in values]
        return rows + ["  </Choices>"]

    lines = ["<View>", f'  <Labels name="{labels}" toName="{text}">']
    lines += [f"    <Label value={quoteattr(label)}/>" for label in [*cfg["labels"], ls["table_label"]]]
    lines += ["  </Labels>", "  <Relations>"]
    lines += [f"    <Relation value={quoteattr(label)}/>" for label in cfg["relation_labels"]]
    lines += ["  </Relations>", f'  <Text name="{text}" value="${text}" granularity="symbol"/>']
    lines += choices(ls["answer_name"], [(a, "") for a in cfg["answers"]], 'showInline="true"')
    per_region = 'perRegion="true" layout="select"'
    lines += choices(ls["scope_name"], [(s, "") for s in cfg["scopes"]], per_region)
    lines += choices(ls["indicator_name"], _indicator_choices(), per_region)
    return "\n".join([*lines, "</View>"]) + "\n"


# --- offsets: Python characters <-> UTF-16 code units -------------------------------------------------------

def _units_before(text: str) -> list[int]:
    """UTF-16 code units before each character index of ``text`` (len(text) + 1 entries)."""
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return out


def _to_units(units: list[int], index: int) -> int:
    return units[index]


def _from_units(units: list[int], value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LabelStudioError(f"{what} offset {value!r} is not an integer")
    if value < 0 or value > units[-1]:
        raise LabelStudioError(f"{what} offset {value} is outside the text ({units[-1]} UTF-16 units)")
    try:
        return units.index(value)
    except ValueError:
        raise LabelStudioError(f"{what} offset {value} falls inside a character (UTF-16 surrogate pair)") from None


# --- export -------------------------------------------------------------------------------------------------

def to_labelstudio(task: dict[str, Any], model_version: str) -> dict[str, Any]:
    """The Label Studio task of a full govreport task, its annotations as one prediction."""
    ls = ls_settings()
    text = task["text"]
    units = _units_before(text)
    doc, paragraph = task_id(task)
    results: list[dict[str, Any]] = []
    ids: dict[tuple[int, int], str] = {}

    def region(rid: str, start: int, end: int, kind: str, name: str, values: list[str]) -> dict[str, Any]:
        value = {"start": _to_units(units, start), "end": _to_units(units, end), "text": text[start:end], kind: values}
        return {"id": rid, "from_name": name, "to_name": ls["text_name"], "type": kind, "value": value}

    for k, span in enumerate(span_keys(task)):
        ids[span.start, span.end] = f"s{k}"
        results.append(region(f"s{k}", span.start, span.end, "labels", ls["labels_name"], [span.label]))
    for k, (start, end) in enumerate(table_offsets(task)):
        results.append(region(f"t{k}", start, end, "labels", ls["labels_name"], [ls["table_label"]]))
    attributes: dict[tuple[int, int], dict[str, str]] = {}
    for rel in relation_specs(task):
        results.append({"from_id": ids[rel["head"]], "to_id": ids[rel["child"]], "type": "relation",
                        "direction": "right", "labels": [rel["label"]]})
        for key, name in (("scope", ls["scope_name"]), ("indicator", ls["indicator_name"])):
            if rel.get(key):
                attributes.setdefault(rel["head"], {})[name] = rel[key]
    for (start, end), values in sorted(attributes.items()):
        for name, value in values.items():
            results.append(region(ids[start, end], start, end, "choices", name, [value]))
    answer = task.get("answer")
    if answer is not None and answer != "accept":
        results.append({"id": "answer", "from_name": ls["answer_name"], "to_name": ls["text_name"],
                        "type": "choices", "value": {"choices": [answer]}})
    meta = task.get("meta") or {}
    data = {ls["text_name"]: text, "doc": doc, "paragraph": paragraph, "offset": meta.get("offset", 0),
            "sha1": text_sha1(text)}
    return {"data": data, "predictions": [{"model_version": model_version, "result": results}]}


# --- import -------------------------------------------------------------------------------------------------

def chosen_annotation(ls_task: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, str | None]:
    """(result, answer override) of the annotation to import: the last one submitted, else the last skipped.

    (None, None) when the task has no annotation (never opened, or predictions only).
    """
    annotations = [a for a in ls_task.get("annotations") or [] if isinstance(a, dict)]
    submitted = [a for a in annotations if not a.get("was_cancelled")]
    if submitted:
        return list(submitted[-1].get("result") or []), None
    if annotations:
        return [], ls_settings()["cancelled_answer"]
    return None, None


def from_labelstudio(ls_task: dict[str, Any], result: list[dict[str, Any]], answer: str | None = None
                     ) -> dict[str, Any]:
    """The full govreport task of a Label Studio task and one of its results; LabelStudioError when broken."""
    cfg, ls = settings(), ls_settings()
    data = ls_task.get("data")
    if not isinstance(data, dict):
        raise LabelStudioError("no data")
    text, doc, paragraph = data.get(ls["text_name"]), data.get("doc"), data.get("paragraph")
    if not isinstance(text, str) or not isinstance(doc, str) or not isinstance(paragraph, int):
        raise LabelStudioError(f"data needs {ls['text_name']}, doc and paragraph (tasks exported by govreport)")
    if data.get("sha1") is not None and data["sha1"] != text_sha1(text):
        raise LabelStudioError("the text was changed after export (its sha1 no longer matches data.sha1)")
    units = _units_before(text)
    spans: dict[str, tuple[str, int, int]] = {}
    tables: list[tuple[int, int]] = []
    choices: dict[str, dict[str, str]] = {}
    relations: list[dict[str, Any]] = []
    known = set(cfg["labels"])
    for item in result:
        kind = item.get("type")
        if kind == "relation":
            relations.append(item)
            continue
        value = item.get("value") or {}
        if kind == "choices" and item.get("from_name") == ls["answer_name"]:
            answer = answer or _single(value.get("choices"), "answer")
            continue
        if kind not in ("labels", "choices"):
            raise LabelStudioError(f"result of type {kind!r} (from {item.get('from_name')!r}) is not read")
        start = _from_units(units, value.get("start"), "start")
        end = _from_units(units, value.get("end"), "end")
        rid = item.get("id")
        where = f"region {rid} [{start}, {end})"
        if not start < end:
            raise LabelStudioError(f"{where}: empty or reversed offsets")
        if "text" in value and value["text"] != text[start:end]:
            raise LabelStudioError(f"{where}: its text {value['text']!r} is not the text at its offsets "
                                   f"{text[start:end]!r} (broken offsets)")
        if kind == "labels":
            label = _single(value.get("labels"), f"{where} label")
            if label == ls["table_label"]:
                tables.append((start, end))
            elif label in known:
                spans[rid] = (label, start, end)
            else:
                raise LabelStudioError(f"{where}: unknown label {label!r} (known: {', '.join(sorted(known))})")
        else:
            choices.setdefault(rid, {})[item.get("from_name")] = _single(value.get("choices"), f"{where} choice")
    rels = [_relation(r, spans, choices) for r in relations]
    heads = {r.get(("from_id", "to_id")[k]) for r in relations for k in (0, 1)
             if spans.get(r.get(("from_id", "to_id")[k]), ("",))[0] in cfg["head_labels"]}
    for rid, values in choices.items():
        if rid not in spans:
            raise LabelStudioError(f"choices {values} on region {rid}, which is no span")
        if rid not in heads:
            raise LabelStudioError(f"choices {values} on region {rid}, a figure of no relation (link it or clear them)")
        unknown = set(values) - {ls["scope_name"], ls["indicator_name"]}
        if unknown:
            raise LabelStudioError(f"region {rid}: unknown per-region choice(s) {sorted(unknown)}")
    answer = answer or "accept"
    if answer not in cfg["answers"]:
        raise LabelStudioError(f"answer {answer!r} is not one of {cfg['answers']}")
    try:
        return make_task(text, doc, paragraph, int(data.get("offset") or 0), list(spans.values()), rels, tables,
                         answer)
    except AlignmentError as err:
        raise LabelStudioError(str(err)) from None
    except KeyError as err:
        raise LabelStudioError(str(err).strip("'\"")) from None


def _single(values: Any, what: str) -> str:
    if not isinstance(values, list) or len(values) != 1 or not isinstance(values[0], str):
        raise LabelStudioError(f"{what}: expected exactly one value, got {values!r}")
    return values[0]


def _relation(item: dict[str, Any], spans: dict[str, tuple[str, int, int]],
              choices: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A relation spec (figure → indicator); the ends are told apart by their labels, whatever the arrow."""
    cfg, ls = settings(), ls_settings()
    ends = [spans.get(item.get(k)) for k in ("from_id", "to_id")]
    if None in ends:
        raise LabelStudioError(f"relation {item.get('from_id')} → {item.get('to_id')} points at no span")
    labels = item.get("labels") or cfg["relation_labels"][:1]  # an unlabelled arrow is the one relation
    label = _single(labels, "relation label")
    if label not in cfg["relation_labels"]:
        raise LabelStudioError(f"unknown relation label {label!r} (known: {', '.join(cfg['relation_labels'])})")
    heads = [k for k, e in enumerate(ends) if e[0] in cfg["head_labels"]]
    children = [k for k, e in enumerate(ends) if e[0] in cfg["child_labels"]]
    if len(heads) != 1 or len(children) != 1:
        raise LabelStudioError(f"relation between {ends[0][0]} and {ends[1][0]}: it must join a figure "
                               f"({'/'.join(cfg['head_labels'])}) and an {'/'.join(cfg['child_labels'])}")
    head, child = ends[heads[0]], ends[children[0]]
    spec: dict[str, Any] = {"label": label, "head": (head[1], head[2]), "child": (child[1], child[2])}
    extras = choices.get(item.get(("from_id", "to_id")[heads[0]]), {})
    if extras.get(ls["scope_name"]):
        spec["scope"] = extras[ls["scope_name"]]
    if extras.get(ls["indicator_name"]):
        spec["indicator"] = extras[ls["indicator_name"]]
    return spec


def task_name(ls_task: dict[str, Any], number: int) -> str:
    """How a problem names a Label Studio task: its id, doc and paragraph when known, else its position."""
    data = ls_task.get("data") if isinstance(ls_task.get("data"), dict) else {}
    ident = ls_task.get("id", f"#{number}")
    return f"task {ident} ({data.get('doc', '?')} paragraph {data.get('paragraph', '?')})"


def read_export(tasks: list[Any], report: Counter) -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """(name, full task or None, error or None) of every task of a Label Studio JSON export."""
    out = []
    for number, ls_task in enumerate(tasks, 1):
        if not isinstance(ls_task, dict):
            out.append((f"task #{number}", None, "not a JSON object"))
            continue
        name = task_name(ls_task, number)
        result, answer = chosen_annotation(ls_task)
        if result is None:
            report["tasks without annotation (not imported)"] += 1
            continue
        try:
            out.append((name, from_labelstudio(ls_task, result, answer), None))
        except LabelStudioError as err:
            out.append((name, None, str(err)))
    return out


# --- files --------------------------------------------------------------------------------------------------

def config_path(out: Path) -> Path:
    """Where the labeling config goes beside the tasks file: FILE.json → FILE.xml."""
    return out.with_suffix(".xml")


def export_labelstudio(tasks: list[dict[str, Any]], out: Path, model_version: str) -> tuple[int, Path]:
    """Write the Label Studio tasks (JSON list) to ``out`` and the labeling config beside it; (count, config)."""
    import json

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    items = [to_labelstudio(t, model_version) for t in tasks]
    out.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    xml = config_path(out)
    xml.write_text(labeling_config(), encoding="utf-8")
    return len(items), xml
