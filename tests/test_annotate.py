"""Annotation tooling: tokens, tasks, validation, stand-off storage, markup, agreement, corrections, DocBin.

Tiny fixtures are written here (seed sentences, which are ours); ../shared/corpus documents are only read at
run time and never quoted.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import srsly
import yaml

from govreport.annotate import (
    DocumentStore,
    StandoffMismatch,
    agreement,
    apply_markup,
    convert_annotations,
    corrections,
    document_stats,
    is_standoff,
    join_standoff,
    load_splits,
    load_tasks,
    make_task,
    paragraphs,
    parse,
    read_document,
    render,
    tasks_from_document,
    text_sha1,
    to_standoff,
    tokenize,
    validate_files,
    write_jsonl,
)
from govreport.annotate.export import export_documents
from govreport.annotate.tasks import AlignmentError
from govreport.config import CONFIG_DIR, PROJECT_ROOT
from govreport.eval.scorer import prf, span_scores
from govreport.types import Document, Span, Table

# seed 001 paragraph 5 (its first sentence, with the county's disclosure office as subject) and seed 000
# paragraph 48 (its first sentence, shortened)
TEXT = "2017年,县政务公开办累计主动公开政府信息135000条,全文电子化率达92%。"
TEXT2 = "2016年,全市共受理政府信息公开申请1486件,其中市政府及其相关部门共受理申请373件。"


def _find(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def seed_task(doc: str = "001_9aef50f578a0bdd8", paragraph: int = 4) -> dict:
    """A valid task: DATE, ORG, INDICATOR, COUNT, MEASURE, and one measures relation."""
    spans = [("DATE", *_find(TEXT, "2017年")), ("ORG", *_find(TEXT, "县政务公开办")),
             ("INDICATOR", *_find(TEXT, "主动公开政府信息")), ("COUNT", *_find(TEXT, "135000条")),
             ("INDICATOR", *_find(TEXT, "全文电子化率")), ("MEASURE", *_find(TEXT, "92%"))]
    rels = [{"label": "measures", "head": _find(TEXT, "135000条"), "child": _find(TEXT, "主动公开政府信息")},
            {"label": "measures", "head": _find(TEXT, "92%"), "child": _find(TEXT, "全文电子化率")}]
    return make_task(TEXT, doc, paragraph, 100, spans, rels)


def write_lines(path: Path, lines: list) -> Path:
    """A JSONL file from dicts and raw strings (for broken lines)."""
    with open(path, "w", encoding="utf-8") as f:
        f.writelines((line if isinstance(line, str) else srsly.json_dumps(line)) + "\n" for line in lines)
    return path


# --- tokens and paragraphs -------------------------------------------------------------------------------

def test_tokens_keep_numbers_whole_and_cjk_apart():
    tokens = tokenize("主动公开135000条,2258 篇,94.94%,1,486件,PPP项目")
    texts = [t["text"] for t in tokens]
    assert "135000" in texts and "94.94" in texts and "1,486" in texts and "PPP" in texts
    assert texts[:4] == ["主", "动", "公", "开"]
    two = next(t for t in tokens if t["text"] == "2258")
    assert two["ws"] is True  # "2258 篇": the space is the token's ws, so 2258 篇 is a span of two tokens
    assert [t["id"] for t in tokens] == list(range(len(tokens)))


def test_paragraphs_count_non_empty_lines_only():
    text = "标题\n\n  \n第一段。\n|a|b|\n"
    assert [(i, text[a:b]) for i, a, b in paragraphs(text)] == [(0, "标题"), (1, "第一段。"), (2, "|a|b|")]
    assert paragraphs(text)[1][1] == text.index("第一段")


def test_lines_wrapped_at_the_page_width_are_one_paragraph():
    # seed 000's paragraphs 42, 44 and 45 wrapped at 26 characters, as PDF text comes out; a heading, a
    # finished sentence and a table row are never joined with what follows
    sentences = [("1.通过政府网站公开政府信息情况。2016年,全市各级行政机关通过政府网站公开政府信息168136条。其中,"
                 "市政府及政府部门门户网站公开政府信息113667条。"),
                 "2016年,全市各级行政机关通过政务微博公开政府信息9968条。其中,市直单位公开政府信息6258条。",
                 "2016年,全市各级行政机关通过政务微信公开政府信息11387条。其中,市直单位公开政府信息6446条。"]
    wrapped = ["\n".join(s[i:i + 26] for i in range(0, len(s), 26)) for s in sentences]
    heading = "三、主动公开政府信息情况"
    text = "\n".join([heading, *wrapped, "政府网站公开 | 条 | 168136"]) + "\n"
    assert [text[a:b] for _, a, b in paragraphs(text)] == [heading, *wrapped, "政府网站公开 | 条 | 168136"]
    task = make_task(wrapped[1], "d", 2, 0, [("COUNT", *_find(wrapped[1], "9968条"))])
    assert any(t["text"] == "\n" for t in task["tokens"])  # the line break is a whitespace token
    # in a report whose lines are paragraphs, a title shorter than the usual paragraph is left alone
    title = "咸宁市2016年政府信息公开工作年度报告"
    assert len(title) >= 18 and len(paragraphs(f"{title}\n{TEXT}\n{TEXT2}\n{TEXT2}\n")) == 4


def test_make_task_follows_prodigy_conventions():
    task = seed_task()
    count = next(s for s in task["spans"] if s["label"] == "COUNT")
    assert TEXT[count["start"]:count["end"]] == "135000条"
    assert task["tokens"][count["token_start"]]["text"] == "135000"
    assert task["tokens"][count["token_end"]]["text"] == "条"  # token_end inclusive
    rel = next(r for r in task["relations"] if r["head_span"]["label"] == "COUNT")
    assert rel["head"] == count["token_end"]  # head = last token of the head span
    assert rel["child"] == rel["child_span"]["token_end"]
    assert task["meta"] == {"doc": "001_9aef50f578a0bdd8", "paragraph": 4, "offset": 100}
    assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)


def test_make_task_refuses_a_span_inside_a_number():
    with pytest.raises(AlignmentError):
        make_task(TEXT, "d", 0, 0, [("COUNT", TEXT.index("35000条"), TEXT.index("条") + 1)])


# --- validation --------------------------------------------------------------------------------------------

def _problems(tmp_path: Path, lines: list) -> list:
    path = write_lines(tmp_path / "tasks.jsonl", lines)
    _n, problems = validate_files([path], DocumentStore(dirs=[]), committed_root=tmp_path / "nowhere")
    return problems


def test_valid_task_has_no_problem(tmp_path):
    assert _problems(tmp_path, [seed_task()]) == []


def _broken(change) -> dict:
    task = seed_task()
    change(task)
    return task


def _span(task, label):
    return next(s for s in task["spans"] if s["label"] == label)


BROKEN = {
    "unknown label": lambda t: _span(t, "ORG").update(label="PLACE"),
    "does not start and end on token boundaries": lambda t: _span(t, "COUNT").update(start=_span(t, "COUNT")["start"] + 1),
    "token 3 text": lambda t: t["tokens"][3].update(text="X"),
    "overlaps": lambda t: t["spans"].append({**_span(t, "COUNT"), "label": "MEASURE"}),
    "is not a span": lambda t: t["relations"][0]["child_span"].update(start=0, end=4),
    "must be one of COUNT, MEASURE": lambda t: t["relations"].append(
        {**t["relations"][0], "head_span": t["relations"][0]["child_span"], "child_span": t["relations"][0]["child_span"]}),
    "unknown label 'located_in'": lambda t: t["relations"][0].update(label="located_in"),
    "is the child of no relation": lambda t: t["relations"].pop(),
    "token_start/token_end": lambda t: _span(t, "COUNT").update(token_end=0),
    "head is": lambda t: t["relations"][0].update(head=0),
    "meta.paragraph": lambda t: t["meta"].pop("paragraph"),
    "answer 'maybe'": lambda t: t.update(answer="maybe"),
    "scope '半个市'": lambda t: t["relations"][0].update(scope="半个市"),
    "carries the whole-body id 'active.total'": lambda t: t["relations"][0].update(scope="各乡镇",
                                                                                   indicator="active.total"),
    "starts or ends with whitespace": lambda t: (t.update(text=t["text"].replace(",县", "\n县"),
                                                          tokens=tokenize(t["text"].replace(",县", "\n县"))),
                                                 _span(t, "ORG").update(start=5)),
}


def test_a_task_rehashed_by_another_tool_is_still_valid(tmp_path):
    # Prodigy recomputes _input_hash/_task_hash its own way; identity is meta.doc + paragraph + text
    rehashed = {**seed_task(), "_input_hash": 12345, "_task_hash": -678}
    assert not [p for p in _problems(tmp_path, [rehashed]) if p.level == "error"]


@pytest.mark.parametrize("message", list(BROKEN))
def test_each_kind_of_invalid_task_is_reported_with_its_line(tmp_path, message):
    problems = _problems(tmp_path, [seed_task(paragraph=1), _broken(BROKEN[message]), seed_task(paragraph=3)])
    errors = [p for p in problems if p.level == "error"]
    assert errors, message
    assert {p.line for p in errors} == {2}  # the good lines around it are untouched
    assert any(message in p.message for p in errors), [p.message for p in errors]
    assert str(errors[0]).startswith(f"{tmp_path / 'tasks.jsonl'}:2: error:")


def test_whole_body_ids_go_with_whole_or_no_scope_only(tmp_path):
    from govreport.annotate.validate import check_scope_ids

    task = seed_task()
    task["relations"][0]["indicator"] = "active.total"
    for scope, errors in ((None, 0), ("全县", 0), ("县本级", 1), ("县直单位", 1), ("各乡镇", 1)):
        task["relations"][0]["scope"] = scope
        assert len(check_scope_ids(task)) == errors, scope
    task["relations"][0].pop("indicator")
    assert check_scope_ids(task) == []  # a part of the body without an id is what the guidelines ask


def test_committed_gold_gives_no_part_of_a_body_a_whole_body_id():
    from govreport.annotate.files import read_annotations
    from govreport.annotate.validate import check_scope_ids

    lines, _ = read_annotations([PROJECT_ROOT / "annotations" / "gold"])
    assert lines
    found = [(line.path.name, line.line, message) for line in lines for _, message in check_scope_ids(line.data)]
    assert found == []


def test_invalid_json_is_reported_and_the_rest_is_still_checked(tmp_path):
    problems = _problems(tmp_path, [seed_task(paragraph=1), '{"text": "2016年", "spans": [', "[1, 2]",
                                    _broken(BROKEN["unknown label"])])
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (2, "invalid JSON"), (3, "a task must be a JSON object, not list"), (4, "PLACE span [6, 12)")]


def test_duplicate_paragraph_in_one_file_is_an_error(tmp_path):
    problems = _problems(tmp_path, [seed_task(), seed_task()])
    assert [p.line for p in problems] == [2] and "already annotated on line 1" in problems[0].message


def test_validate_cli_exits_non_zero_on_errors(tmp_path):
    from typer.testing import CliRunner

    from govreport.cli import app

    good = write_lines(tmp_path / "good.jsonl", [seed_task("fixture_doc")])
    bad = write_lines(tmp_path / "bad.jsonl", [{**_broken(BROKEN["overlaps"]), "meta": {"doc": "fixture_doc",
                                                                                       "paragraph": 4}}])
    runner = CliRunner()
    assert runner.invoke(app, ["annotate", "validate", str(good)]).exit_code == 0
    result = runner.invoke(app, ["annotate", "validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1: error:" in result.output


# --- stand-off ---------------------------------------------------------------------------------------------

def _doc(text: str, doc_id: str = "shared_doc") -> Document:
    return Document(doc=doc_id, path=f"{doc_id}.txt", format="txt", text=text)


def test_standoff_round_trip_keeps_annotations_and_drops_text():
    document = _doc(f"标题\n\n{TEXT2}\n{TEXT}\n")
    index, start, _end = paragraphs(document.text)[2]
    task = seed_task("shared_doc", index)
    task["meta"]["offset"] = start
    record = to_standoff(task)
    assert is_standoff(record) and "tokens" not in record and TEXT not in srsly.json_dumps(record)
    assert record["sha1"] == text_sha1(TEXT)
    assert record["meta"] == {"doc": "shared_doc", "paragraph": 2, "offset": start}
    joined = join_standoff(record, document)
    assert joined == task


def test_changed_source_is_a_hash_mismatch(tmp_path):
    original = _doc(f"标题\n{TEXT}\n")
    record = to_standoff({**seed_task("shared_doc", 1), "meta": {"doc": "shared_doc", "paragraph": 1, "offset": 3}})
    changed = _doc(f"标题\n{TEXT.replace('135000', '135001')}\n")
    assert join_standoff(record, original)["text"] == TEXT
    with pytest.raises(StandoffMismatch, match="changed since it was annotated"):
        join_standoff(record, changed)
    path = write_lines(tmp_path / "standoff.jsonl", [record])
    _, problems = validate_files([path], DocumentStore(documents={"shared_doc": changed}), tmp_path / "nowhere")
    assert [(p.line, p.level) for p in problems] == [(1, "error")]
    assert "changed since it was annotated" in problems[0].message


def test_moved_paragraph_is_found_again_by_its_hash(tmp_path):
    record = to_standoff({**seed_task("shared_doc", 1), "meta": {"doc": "shared_doc", "paragraph": 1, "offset": 3}})
    moved = _doc(f"标题\n新增的一行\n{TEXT}\n")
    store = DocumentStore(documents={"shared_doc": moved})
    task, notes = store.join(record)
    assert task["meta"]["paragraph"] == 2 and task["text"] == TEXT
    assert notes and "paragraph 2" in notes[0]


def test_text_of_a_shared_document_in_committed_files_is_an_error(tmp_path):
    committed = tmp_path / "annotations"
    committed.mkdir()
    path = write_lines(committed / "x.jsonl", [seed_task("fujian_pingtan_zone_2025", 0)])
    _, problems = validate_files([path], DocumentStore(dirs=[]), committed_root=committed)
    assert any("not a seed of corpus/" in p.message for p in problems)
    seed = write_lines(committed / "seed.jsonl", [seed_task("001_9aef50f578a0bdd8", 0)])
    _, problems = validate_files([seed], DocumentStore(dirs=[]), committed_root=committed)
    assert problems == []


# --- export ------------------------------------------------------------------------------------------------

def _span_obj(text: str, label: str, part: str, offset: int = 0, occurrence: int = 0) -> Span:
    start = offset - 1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return Span(label, start, start + len(part), part)


def test_tasks_from_document_skips_tables_and_keeps_linked_spans():
    table_line = "| 1.当面申请数 | 件 | 168 |"
    flat = "统计表 主动公开政府信息数 135000 8500 结束"  # a table flattened into a line
    text = f"{TEXT}\n{table_line}\n\n{flat}\n"
    doc = _doc(text, "d")
    fig = _span_obj(text, "COUNT", "135000条")
    ind = _span_obj(text, "INDICATOR", "主动公开政府信息")
    stray = _span_obj(text, "INDICATOR", "全文电子化率")  # no link: not annotated
    cut = Span("COUNT", fig.start + 1, fig.end, "35000条")  # inside a number token
    cell = _span_obj(text, "COUNT", "168")
    flat_fig = _span_obj(text, "COUNT", "135000", offset=text.index("统计表"))
    area = (text.index("主动公开政府信息数"), text.index(" 结束"))
    link = SimpleNamespace(figure=fig, indicator=ind, scope="市本级")
    report = Counter()
    tasks = tasks_from_document(doc, [fig, ind, stray, cut, cell, flat_fig], [link], [area], report)
    assert [t["meta"]["paragraph"] for t in tasks] == [0, 2]  # paragraph 1 is the pipe row
    first, second = tasks
    assert [(s["label"], TEXT[s["start"]:s["end"]]) for s in first["spans"]] == [("INDICATOR", "主动公开政府信息"),
                                                                                  ("COUNT", "135000条")]
    assert first["relations"][0]["scope"] == "市本级"
    assert second["spans"] == [] and second["tables"] == [{"start": flat.index("主动"), "end": flat.index(" 结束")}]
    assert report["spans cutting a token dropped"] == 1 and report["unlinked indicator spans dropped"] == 1
    assert report["table lines skipped"] == 1 and report["spans in flattened tables dropped"] == 1


def test_ingest_tables_are_skipped_as_table_lines():
    text = f"{TEXT}\n信息内容\n0\n5\n{TEXT2}\n"
    start = text.index("信息内容")
    doc = Document(doc="d", path="d.txt", format="txt", text=text,
                   tables=[Table([["信息内容", "0", "5"]], start, text.index(TEXT2) - 1)])
    assert [t["text"] for t in tasks_from_document(doc, [])] == [TEXT, TEXT2]


def test_seed_paragraphs_export_and_validate(tmp_path, corpus_dir):
    """Real paragraphs of seed 001 pre-annotated with whatever rules exist, then validated."""
    seed = corpus_dir / "001_9aef50f578a0bdd8.txt"
    with _no_fail():
        report = export_documents([seed], tmp_path / "seed.jsonl")
    assert report["documents"] == 1
    tasks, problems = load_tasks([tmp_path / "seed.jsonl"])
    assert problems == []
    n, problems = validate_files([tmp_path / "seed.jsonl"])
    assert [str(p) for p in problems if p.level == "error"] == []
    assert n == len(tasks) == report["tasks"]
    text = read_document(seed).text
    paras = [text[a:b] for _, a, b in paragraphs(text)]
    exported = [t["text"] for t in tasks]
    assert not any(p.startswith("|") for p in exported)  # the pipe table's rows are no tasks
    assert paras[:paras.index("附件")] == exported[:paras.index("附件")]  # every narrative paragraph is one
    assert [t["meta"]["paragraph"] for t in tasks] == sorted(paras.index(p) for p in exported)
    para = next(t for t in tasks if "135000条" in t["text"])
    start = para["text"].index("135000条")
    assert start in {tok["start"] for tok in para["tokens"]}
    assert start + len("135000条") in {tok["end"] for tok in para["tokens"]}
    try:
        import govreport.spans.rules  # noqa: F401
    except ImportError:
        return  # the rules stage is not there yet: the tasks are exported without spans (and warned about)
    labels = {(para["text"][s["start"]:s["end"]], s["label"]) for s in para["spans"]}
    assert ("135000条", "COUNT") in labels  # the guideline boundary: the unit is inside the figure


class _no_fail:
    """A context that lets warnings about absent stages pass."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def test_shared_document_exports_stand_off_and_joins_back(tmp_path, shared_corpus_dir):
    path = shared_corpus_dir / "fujian_pingtan_zone_2025.txt"
    with _no_fail():
        export_documents([path], tmp_path / "ann", standoff=True)
    out = tmp_path / "ann" / "fujian_pingtan_zone_2025.jsonl"
    records = list(srsly.read_jsonl(out))
    assert records and all(is_standoff(r) and "tokens" not in r for r in records)
    text = read_document(path).text
    raw = out.read_text(encoding="utf-8")
    assert all(text[a:b] not in raw for _, a, b in paragraphs(text) if b - a >= 12)  # no sentence is copied
    tasks, problems = load_tasks([out], join=True)
    assert problems == [] and len(tasks) == len(records)
    assert all(text[t["meta"]["offset"]:t["meta"]["offset"] + len(t["text"])] == t["text"] for t in tasks)
    n, problems = validate_files([out])
    assert n == len(records) and [p for p in problems if p.level == "error"] == []


# --- markup ------------------------------------------------------------------------------------------------

def test_markup_round_trip():
    task = seed_task()
    task["relations"][0]["scope"] = "全县"
    line = render(task)
    assert "⟦135000条|COUNT>1@全县⟧" in line and "⟦主动公开政府信息|INDICATOR#1⟧" in line
    item = parse(line)
    assert item["text"] == TEXT
    tasks, problems = apply_markup([line], {("001_9aef50f578a0bdd8", 4): task})
    assert problems == [] and tasks[0]["spans"] == task["spans"] and tasks[0]["relations"] == task["relations"]


def test_markup_keeps_line_breaks_of_joined_paragraphs():
    # seed 000 paragraph 48, wrapped as PDF text
    text = "2016年,全市共受理政府信息公开申请 1486\n件,其中市政府及其相关部门共受理申请\n373 件。"
    task = make_task(text, "d", 0, 0, [("INDICATOR", *_find(text, "受理政府信息公开申请")),
                                       ("COUNT", *_find(text, "1486\n件"))],
                     [{"label": "measures", "head": _find(text, "1486\n件"), "child": _find(text, "受理政府信息公开申请")}])
    line = render(task)
    assert "\n" not in line and "⟦1486⏎件|COUNT>1⟧" in line
    tasks, problems = apply_markup([line], {("d", 0): task})
    assert problems == [] and tasks == [task]


def test_markup_edits_become_annotations_and_text_changes_are_refused():
    task = seed_task()
    edited = render(task).replace("⟦县政务公开办|ORG⟧", "县政务公开办").replace("⟦92%|MEASURE>2⟧", "⟦92%|MEASURE⟧")
    edited = edited.replace("⟦全文电子化率|INDICATOR#2⟧", "全文电子化率")
    typo = render(task).replace("累计", "累记")
    unknown = render(task).replace("COUNT>1", "COUNT>9")
    tasks, problems = apply_markup(["# comment", edited, typo, unknown], {("001_9aef50f578a0bdd8", 4): task})
    assert [s["label"] for s in tasks[0]["spans"]] == ["DATE", "INDICATOR", "COUNT", "MEASURE"]
    assert len(tasks[0]["relations"]) == 1
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(3, "the text differs from the paragraph"),
                                                                      (4, "no indicator with id #9")]


# --- scores, agreement, corrections --------------------------------------------------------------------------

def test_prf_on_hand_made_sets():
    gold = {("COUNT", 0, 5), ("COUNT", 10, 12), ("DATE", 20, 25)}
    pred = {("COUNT", 0, 5), ("COUNT", 10, 13), ("ORG", 30, 33), ("DATE", 20, 25)}
    s = prf(gold, pred)
    assert (s["tp"], s["fp"], s["fn"]) == (2, 2, 1)
    assert s["p"] == pytest.approx(0.5) and s["r"] == pytest.approx(2 / 3) and s["f"] == pytest.approx(4 / 7)
    per = span_scores(gold, pred)
    assert set(per) == {"COUNT", "DATE", "ORG"}
    assert per["COUNT"]["f"] == pytest.approx(0.5) and per["DATE"]["f"] == 1.0
    assert (per["ORG"]["p"], per["ORG"]["r"], per["ORG"]["f"]) == (0.0, 0.0, 0.0)
    assert prf(set(), set())["f"] == 0.0 and prf(gold, set())["r"] == 0.0


def test_agreement_between_two_annotators():
    a = seed_task()
    b = make_task(TEXT, a["meta"]["doc"], 4, 100,  # b leaves out the ORG and the second indicator's link
                  [("DATE", *_find(TEXT, "2017年")), ("INDICATOR", *_find(TEXT, "主动公开政府信息")),
                   ("COUNT", *_find(TEXT, "135000条")), ("MEASURE", *_find(TEXT, "92%"))],
                  [{"label": "measures", "head": _find(TEXT, "135000条"), "child": _find(TEXT, "主动公开政府信息")}])
    only_a = seed_task(paragraph=7)
    result = agreement([a, only_a], [b])
    assert result["tasks"] == {"common": 1, "only_a": 1, "only_b": 0, "documents": 1}
    spans = result["spans"]
    assert (spans["all"]["tp"], spans["all"]["fn"], spans["all"]["fp"]) == (4, 2, 0)
    assert spans["all"]["f"] == pytest.approx(0.8)
    assert spans["ORG"]["f"] == 0.0 and spans["COUNT"]["f"] == 1.0
    assert result["relations"]["all"]["f"] == pytest.approx(2 / 3)


def test_corrections_count_kept_corrected_removed_added():
    pre = make_task(TEXT, "d", 0, 0,
                    [("DATE", *_find(TEXT, "2017年")), ("ORG", *_find(TEXT, "县政务公开办")),
                     ("INDICATOR", *_find(TEXT, "公开政府信息")), ("COUNT", *_find(TEXT, "135000条")),
                     ("COUNT", *_find(TEXT, "92%"))],
                    [{"label": "measures", "head": _find(TEXT, "135000条"), "child": _find(TEXT, "公开政府信息")}])
    gold = seed_task("d", 0)
    result = corrections([pre], [gold])
    # kept: DATE, ORG, COUNT; corrected: 公开政府信息 → 主动公开政府信息 (boundaries), 92% COUNT → MEASURE (label);
    # added: the indicator 全文电子化率; the link of 135000条 is corrected (its indicator changed), one is added
    assert result["spans"] == {"kept": 3, "corrected": 2, "removed": 0, "added": 1}
    assert result["links"] == {"kept": 0, "corrected": 1, "removed": 0, "added": 1}
    assert result["spans_per_label"]["COUNT"] == {"kept": 1, "corrected": 1}
    removed = corrections([seed_task("d", 0)], [make_task(TEXT, "d", 0, 0, [("DATE", *_find(TEXT, "2017年"))])])
    assert removed["spans"]["removed"] == 5 and removed["links"]["removed"] == 2


def test_stats_count_labels_and_relations_per_document():
    stats = document_stats([seed_task(), to_standoff(seed_task(paragraph=5)), seed_task("other", 0)])
    assert stats["001_9aef50f578a0bdd8"]["tasks"] == 2
    assert stats["001_9aef50f578a0bdd8"]["INDICATOR"] == 4 and stats["001_9aef50f578a0bdd8"]["measures"] == 4
    assert stats["other"]["COUNT"] == 1


# --- DocBin and splits ---------------------------------------------------------------------------------------

def test_convert_writes_docbins_by_split_with_relations(tmp_path):
    import spacy
    from spacy.tokens import Doc, DocBin

    document = _doc(f"{TEXT}\n", "shared_doc")
    gold = tmp_path / "annotations" / "gold"
    write_jsonl(gold / "a.jsonl", [seed_task("seed_doc", 0)])
    write_jsonl(gold / "b.jsonl", [to_standoff({**seed_task("shared_doc", 0),
                                                "meta": {"doc": "shared_doc", "paragraph": 0, "offset": 0}}),
                                   seed_task("unsplit_doc", 0)])
    paths = convert_annotations(tmp_path / "annotations", tmp_path / "out",
                                {"seed_doc": "train", "shared_doc": "test"},
                                DocumentStore(documents={"shared_doc": document}))
    nlp = spacy.blank("zh")
    docs = {split: list(DocBin().from_disk(p).get_docs(nlp.vocab)) for split, p in paths.items()}
    assert [len(docs[s]) for s in ("train", "dev", "test")] == [1, 0, 1]
    doc = docs["test"][0]
    assert doc.text == TEXT
    assert [(e.text, e.label_) for e in doc.ents] == [("2017年", "DATE"), ("县政务公开办", "ORG"), ("135000条", "COUNT"),
                                                       ("92%", "MEASURE")]
    assert {s.label_ for s in doc.spans["gold"]} == {"DATE", "ORG", "INDICATOR", "COUNT", "MEASURE"}
    assert Doc.has_extension("relations")
    rel = doc._.relations[0]
    assert doc.text[rel["head"][0]:rel["head"][1]] == "135000条"
    assert doc.text[rel["child"][0]:rel["child"][1]] == "主动公开政府信息"
    assert doc.user_data["govreport"]["doc"] == "shared_doc"


def _all_documents(corpus_dir: Path, shared_corpus_dir: Path) -> dict[str, dict]:
    """doc id → manifest entry, for the seeds and ../shared/corpus."""
    docs = {}
    for line in srsly.read_jsonl(corpus_dir / "manifest.jsonl"):
        docs[line["doc"]] = line
    for line in srsly.read_jsonl(shared_corpus_dir / "manifest.jsonl"):
        docs[Path(line["file"]).stem] = line
    return docs


def test_splits_cover_every_document_once_with_twins_together(corpus_dir, shared_corpus_dir):
    splits = load_splits()
    docs = _all_documents(corpus_dir, shared_corpus_dir)
    files = {p.stem for d in (corpus_dir, shared_corpus_dir) for p in d.iterdir()
             if p.is_file() and p.suffix in (".txt", ".md", ".html", ".pdf")}
    assert set(splits) == set(docs) == files
    data = yaml.safe_load((CONFIG_DIR / "splits.yml").read_text(encoding="utf-8"))
    for twin, original in data["twins"].items():
        assert splits[twin] == splits[original]
    assert {d for d in docs if d.endswith("_web")} <= set(data["twins"])


def test_test_split_covers_every_table_form_and_several_provinces(corpus_dir, shared_corpus_dir):
    splits = load_splits()
    docs = _all_documents(corpus_dir, shared_corpus_dir)
    provinces = yaml.safe_load((CONFIG_DIR / "splits.yml").read_text(encoding="utf-8"))["provinces"]
    test = [d for d, s in splits.items() if s == "test"]
    assert {docs[d]["form"] for d in test} == {docs[d]["form"] for d in docs}
    assert len({provinces[d] for d in test}) >= 3
    assert {docs[d]["form"] for d in splits if splits[d] == "dev"} == {docs[d]["form"] for d in docs}


def test_committed_annotations_validate():
    """Every file under annotations/ passes validation (stand-off records are joined with their documents)."""
    files = sorted((PROJECT_ROOT / "annotations").rglob("*.jsonl"))
    _, problems = validate_files(files)
    assert [str(p) for p in problems if p.level == "error"] == []
