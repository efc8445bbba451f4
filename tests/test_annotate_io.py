"""Label Studio and Prodigy both ways: export, the labeling config, import back into stand-off gold."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import srsly

from govreport.annotate import make_task, to_standoff
from govreport.annotate.importing import import_annotations
from govreport.annotate.labelstudio import export_labelstudio, labeling_config, to_labelstudio
from govreport.annotate.standoff import DocumentStore, load_tasks
from govreport.annotate.task_builder import tasks_from_document
from govreport.config import PROJECT_ROOT
from govreport.types import Document, Span

# seed 001 paragraph 5 (first sentence) and seed 000 paragraph 53 (shortened): ours, quoted from corpus/
TEXT = "2017年,县政务公开办累计主动公开政府信息135000条,全文电子化率达92%。"
TEXT2 = "全市共受理行政复议申请16件,其中县市区14件。"
GOLD = PROJECT_ROOT / "annotations" / "gold"


def _at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _document(*paragraphs: str, doc: str = "d") -> Document:
    return Document(doc=doc, path=f"{doc}.txt", format="txt", text="\n".join(paragraphs) + "\n")


def _tasks(answer2: str = "reject") -> list[dict]:
    """Two tasks of document d: spans, relations with scope and canonical id; the second one not accepted."""
    spans = [("DATE", *_at(TEXT, "2017年")), ("ORG", *_at(TEXT, "县政务公开办")),
             ("INDICATOR", *_at(TEXT, "主动公开政府信息")), ("COUNT", *_at(TEXT, "135000条"))]
    rels = [{"label": "measures", "head": _at(TEXT, "135000条"), "child": _at(TEXT, "主动公开政府信息"),
             "scope": "全县", "indicator": "active.total"}]
    spans2 = [("INDICATOR", *_at(TEXT2, "行政复议申请")), ("COUNT", *_at(TEXT2, "16件")), ("COUNT", *_at(TEXT2, "14件"))]
    rels2 = [{"label": "measures", "head": _at(TEXT2, "16件"), "child": _at(TEXT2, "行政复议申请"), "scope": "全市"},
             {"label": "measures", "head": _at(TEXT2, "14件"), "child": _at(TEXT2, "行政复议申请"), "scope": "县市区"}]
    return [make_task(TEXT, "d", 0, 0, spans, rels),
            make_task(TEXT2, "d", 1, len(TEXT) + 1, spans2, rels2, answer=answer2)]


def _submitted(ls_tasks: list[dict]) -> list[dict]:
    """What Label Studio exports after an annotator submitted every prediction unchanged."""
    out = copy.deepcopy(ls_tasks)
    for k, task in enumerate(out):
        task["id"] = 100 + k
        task["annotations"] = [{"id": k, "result": task["predictions"][0]["result"], "was_cancelled": False}]
    return out


def _import(tmp_path: Path, ls_tasks: list[dict], store: DocumentStore, name: str = "ls.json"):
    path = tmp_path / name
    path.write_text(json.dumps(ls_tasks, ensure_ascii=False), encoding="utf-8")
    result = import_annotations(path, "label-studio", tmp_path / "gold", store)
    return result, tmp_path / "gold"


def test_label_studio_round_trip_keeps_spans_relations_scope_id_and_answer(tmp_path):
    tasks = _tasks()
    store = DocumentStore(documents={"d": _document(TEXT, TEXT2)})
    ls = [to_labelstudio(t, "gold") for t in tasks]
    assert all("annotations" not in t for t in ls)  # predictions only: nothing is preset as reviewed
    result, out = _import(tmp_path, _submitted(ls), store)
    assert result.problems == []
    assert list(srsly.read_jsonl(out / "d.jsonl")) == [to_standoff(t) for t in tasks]


def test_label_studio_offsets_count_utf16_units(tmp_path):
    # a CJK Extension B character takes two UTF-16 units in Label Studio, one character in Python
    text = "𠀀年共受理申请12件。"
    task = make_task(text, "u", 0, 0, [("INDICATOR", *_at(text, "受理申请")), ("COUNT", *_at(text, "12件"))],
                     [{"label": "measures", "head": _at(text, "12件"), "child": _at(text, "受理申请")}])
    ls = to_labelstudio(task, "gold")
    region = next(r for r in ls["predictions"][0]["result"] if r.get("value", {}).get("labels") == ["COUNT"])
    assert (region["value"]["start"], region["value"]["end"]) == (8, 11)  # JavaScript's text.slice(8, 11)
    result, out = _import(tmp_path, _submitted([ls]), DocumentStore(documents={"u": _document(text, doc="u")}))
    assert result.problems == [] and list(srsly.read_jsonl(out / "u.jsonl")) == [to_standoff(task)]


BREAK = {
    "changed after export": lambda t: t["data"].update(text=t["data"]["text"].replace("2017", "2018")),
    "broken offsets": lambda t: t["annotations"][0]["result"][0]["value"].update(start=1),
    "unknown label 'PLACE'": lambda t: t["annotations"][0]["result"][1]["value"].update(labels=["PLACE"]),
    "no span": lambda t: next(r for r in t["annotations"][0]["result"] if r.get("type") == "relation").update(
        to_id="nowhere"),
    "scope '半个县'": lambda t: next(r for r in t["annotations"][0]["result"]
                                    if r.get("from_name") == "scope")["value"].update(choices=["半个县"]),
}


@pytest.mark.parametrize("message", list(BREAK))
def test_label_studio_errors_name_the_task_and_the_rest_imports(tmp_path, message):
    tasks = _tasks()
    ls = _submitted([to_labelstudio(t, "gold") for t in tasks])
    BREAK[message](ls[0])
    store = DocumentStore(documents={"d": _document(TEXT, TEXT2)})
    result, out = _import(tmp_path, ls, store)
    errors = [str(p) for p in result.problems if p.level == "error"]
    assert errors and all("task 100 (d paragraph 0)" in e for e in errors), errors
    assert any(message in e for e in errors), errors
    assert list(srsly.read_jsonl(out / "d.jsonl")) == [to_standoff(tasks[1])]  # the good task still imports


def test_label_studio_text_changed_in_the_source_is_an_error(tmp_path):
    ls = _submitted([to_labelstudio(t, "gold") for t in _tasks()])
    store = DocumentStore(documents={"d": _document(TEXT.replace("2017", "2018"), TEXT2)})
    result, _ = _import(tmp_path, ls, store)
    assert [p.message.split(":")[0] for p in result.problems] == ["task 100 (d paragraph 0)"]
    assert "differs from paragraph 0" in result.problems[0].message


def test_label_studio_skipped_is_ignore_and_unopened_is_not_imported(tmp_path):
    ls = _submitted([to_labelstudio(t, "gold") for t in _tasks()])
    ls[0]["annotations"][0]["was_cancelled"] = True
    del ls[1]["annotations"]
    result, out = _import(tmp_path, ls, DocumentStore(documents={"d": _document(TEXT, TEXT2)}))
    records = list(srsly.read_jsonl(out / "d.jsonl"))
    assert [(r["meta"]["paragraph"], r["answer"], r["spans"]) for r in records] == [(0, "ignore", [])]
    assert result.counts["tasks without annotation (not imported)"] == 1


def test_import_replaces_the_same_paragraphs_and_keeps_the_others(tmp_path):
    tasks = _tasks()
    (tmp_path / "gold").mkdir()
    srsly.write_jsonl(tmp_path / "gold" / "d.jsonl", [to_standoff(t) for t in tasks])
    edited = make_task(TEXT, "d", 0, 0, [("DATE", *_at(TEXT, "2017年"))], answer="accept")
    _import(tmp_path, _submitted([to_labelstudio(edited, "gold")]), DocumentStore(documents={"d": _document(TEXT, TEXT2)}))
    assert list(srsly.read_jsonl(tmp_path / "gold" / "d.jsonl")) == [to_standoff(edited), to_standoff(tasks[1])]


def test_prodigy_exports_preset_no_answer():
    doc = _document(TEXT)
    figure = Span("COUNT", *_at(TEXT, "135000条"), "135000条")
    tasks = tasks_from_document(doc, [figure])
    assert tasks and all("answer" not in t for t in tasks)


def test_prodigy_db_out_imports_accepted_tasks_only(tmp_path):
    accepted, rejected = _tasks(answer2="reject")
    rehashed = {**accepted, "_input_hash": 1, "_task_hash": 2, "_session_id": "gold-ann1", "_view_id": "relations"}
    broken = {**copy.deepcopy(accepted), "meta": {"doc": "d", "paragraph": 1, "offset": len(TEXT) + 1}}
    path = tmp_path / "db-out.jsonl"
    srsly.write_jsonl(path, [rehashed, rejected, broken])
    result = import_annotations(path, "prodigy", tmp_path / "gold", DocumentStore(documents={"d": _document(TEXT, TEXT2)}))
    assert list(srsly.read_jsonl(tmp_path / "gold" / "d.jsonl")) == [to_standoff(accepted)]
    assert result.counts["reject answers (not imported)"] == 1
    assert [(p.line, "differs from paragraph 1" in p.message) for p in result.problems] == [(3, True)]


def test_labeling_config_lists_labels_scopes_and_indicator_ids():
    xml = labeling_config()
    from govreport.indicators import load_indicators

    for value in ["COUNT", "INDICATOR", "TABLE", "measures", "县市区", "reject", *load_indicators()]:
        assert f'value="{value}"' in xml


def test_exported_config_and_predictions_load_in_label_studios_parser(tmp_path):
    sdk = pytest.importorskip("label_studio_sdk.label_interface",
                              reason="pip install label-studio-sdk (extra 'annotate') to check the config headlessly")
    count, xml = export_labelstudio(_tasks(), tmp_path / "ls.json", "gold")
    interface = sdk.LabelInterface(xml.read_text(encoding="utf-8"))
    interface.validate()  # raises on an invalid config
    ls = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    assert count == len(ls) == 2
    assert [interface.validate_prediction(t["predictions"][0], return_errors=True) for t in ls] == [[], []]
    bad = copy.deepcopy(ls[0]["predictions"][0])
    bad["result"][0]["value"]["labels"] = ["PLACE"]
    assert interface.validate_prediction(bad, return_errors=True)  # the parser does check the labels


def test_all_gold_survives_label_studio_and_back(tmp_path, shared_corpus_dir):
    """annotations/gold → Label Studio → gold gives the same files (shared-corpus text joined at run time)."""
    if not shared_corpus_dir.is_dir():
        pytest.skip(f"{shared_corpus_dir} is missing: the gold of its reports cannot be joined")
    store = DocumentStore()
    tasks, problems = load_tasks([GOLD], join=True, store=store)
    assert [p for p in problems if p.level == "error"] == []
    export_labelstudio(tasks, tmp_path / "gold.json", "gold")
    ls = json.loads((tmp_path / "gold.json").read_text(encoding="utf-8"))
    result = import_annotations(_write(tmp_path / "done.json", _submitted(ls)), "label-studio", tmp_path / "back",
                                store)
    assert result.problems == []
    files = sorted(GOLD.glob("*.jsonl"))
    assert sorted(p.name for p in (tmp_path / "back").iterdir()) == [p.name for p in files]
    for path in files:
        assert (tmp_path / "back" / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path


def _write(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_task_whose_document_is_missing_imports_with_a_warning(tmp_path):
    ls = _submitted([to_labelstudio(t, "gold") for t in _tasks()])
    result, out = _import(tmp_path, ls, DocumentStore(dirs=[]))
    assert [p.level for p in result.problems] == ["warning", "warning"]
    assert "without checking the text" in result.problems[0].message
    assert len(list(srsly.read_jsonl(out / "d.jsonl"))) == 2


def test_all_gold_survives_a_prodigy_db_out_and_back(tmp_path, shared_corpus_dir):
    """Gold as Prodigy would hand it back (re-hashed, session keys added): accepted tasks return identical."""
    if not shared_corpus_dir.is_dir():
        pytest.skip(f"{shared_corpus_dir} is missing: the gold of its reports cannot be joined")
    store = DocumentStore()
    tasks, _ = load_tasks([GOLD], join=True, store=store)
    db_out = [{**t, "_input_hash": k, "_task_hash": -k, "_session_id": "govreport-a", "_view_id": "relations"}
              for k, t in enumerate(tasks)]
    path = tmp_path / "db-out.jsonl"
    srsly.write_jsonl(path, db_out)
    result = import_annotations(path, "prodigy", tmp_path / "back", store)
    assert result.problems == []
    accepted = [to_standoff(t) for t in tasks if t["answer"] == "accept"]
    assert result.counts["imported (accept)"] == len(accepted)
    assert result.counts["reject answers (not imported)"] == sum(t["answer"] == "reject" for t in tasks)
    back = [r for p in sorted((tmp_path / "back").iterdir()) for r in srsly.read_jsonl(p)]
    assert sorted(back, key=_key) == sorted(accepted, key=_key)


def _key(record: dict) -> tuple:
    return record["meta"]["doc"], record["meta"]["paragraph"]
