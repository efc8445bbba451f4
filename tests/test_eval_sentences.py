"""annotations/own and its scorer (eval/sentences.py)."""

from __future__ import annotations

import pytest

from govreport.eval.sentences import (
    figure_offsets,
    gold_sets,
    load_paragraph_sets,
    paragraph_tasks,
    phrase_offsets,
    score_paragraphs,
)
from govreport.indicators import load_indicators
from govreport.pipeline import Pipeline


@pytest.mark.parametrize("name", ["sentences", "sentences2", "sentences3", "held_out", "held_out2"])
def test_the_committed_paragraphs_are_well_formed(name):
    rows = load_paragraph_sets()[name]
    assert len(rows) >= 60 and len({r["id"] for r in rows}) == len(rows)
    ids = set(load_indicators())
    for row in rows:
        for fig in row["figures"]:
            at = figure_offsets(row["text"], fig["figure"], fig.get("occurrence", 0))
            assert at, (row["id"], fig)
            # not the tail of a longer number (8件 inside 18件): the occurrence would name another figure
            assert at[0] == 0 or not (row["text"][at[0] - 1].isdigit() or row["text"][at[0] - 1] == "."), (row["id"], fig)
            assert fig["phrase"] is None or fig["phrase"] in row["text"], (row["id"], fig)
            assert fig["id"] is None or fig["id"] in ids, (row["id"], fig)
    phrases, with_ids = gold_sets(rows)
    assert len(phrases) > 150 and len(with_ids) > 100


@pytest.mark.parametrize("name", ["sentences", "sentences2", "sentences3", "held_out", "held_out2"])
def test_the_paragraphs_keep_the_verbs_the_guidelines_put_inside(name):
    # GUIDELINES 4: 被 (被申请行政复议), 设立/设置 (the verb that makes the counted thing), 判决 and the manner
    # adverbs 当场, 按期, 对外 are inside the phrase; the writers had put some on both sides, so a phrase right after
    # one of them is a regression
    outside = []
    for row in load_paragraph_sets()[name]:
        text = row["text"]
        for fig in row["figures"]:
            at = figure_offsets(text, fig["figure"], fig.get("occurrence", 0))
            where = fig["phrase"] and phrase_offsets(text, fig["phrase"], *at)
            if where and any(text[:where[0]].endswith(verb) for verb in ("被", "设立", "设置", "判决", "当场", "按期", "对外")):
                outside.append((row["id"], fig["phrase"]))
    assert outside == []


def test_scores_count_each_figure_by_its_phrase_and_id():
    rows = [{"id": "a", "title": "某县人民政府2016年政府信息公开工作年度报告", "text": "全年共受理政府信息公开申请15件，比上年增长5%。",
             "figures": [{"figure": "15件", "occurrence": 0, "phrase": "受理政府信息公开申请", "id": "requests.received"},
                         {"figure": "5%", "occurrence": 0, "phrase": None, "id": None}]},
            {"id": "b", "title": None, "text": "主动公开政府信息300条，其中网站公开200条。",
             "figures": [{"figure": "300条", "occurrence": 0, "phrase": "政府信息", "id": "active.total"},
                         {"figure": "200条", "occurrence": 0, "phrase": "网站公开", "id": "active.via.website"}]}]
    scores = score_paragraphs(rows, {"rules": Pipeline.from_config(None, use_model=False)})
    assert scores["paragraphs"] == 2 and scores["figures"] == 4
    phrase, ids = scores["systems"]["rules"]["indicator_phrase"], scores["systems"]["rules"]["canonical_id"]
    # b's 300条 is annotated with a shorter phrase than the rules' 主动公开政府信息: one miss and one extra
    assert (phrase["tp"], phrase["fp"], phrase["fn"]) == (2, 1, 1)
    assert (ids["tp"], ids["fp"], ids["fn"]) == (3, 0, 0)


def test_a_figure_not_in_its_text_is_an_error():
    with pytest.raises(ValueError, match="not in its text"):
        gold_sets([{"id": "x", "text": "共3件。", "figures": [{"figure": "4件", "phrase": None, "id": None}]}])


def test_paragraph_tasks_carry_the_annotation_as_gold_tasks():
    """Own paragraphs as link tasks (training and cv): the ids and phrases of the tasks are those of the paragraphs,
    and the rules scored on the tasks score as on the paragraphs."""
    from govreport.link.features import example_from_task
    from govreport.link.scoring import link_tuples

    rows = load_paragraph_sets()["sentences"]
    pipeline = Pipeline.from_config(None, use_model=False)
    tasks = paragraph_tasks(rows, "sentences", pipeline)
    assert [t["meta"]["doc"] for t in tasks] == [f"own:sentences:{r['id']}" for r in rows]
    gold_phrases, gold_ids = gold_sets(rows)
    task_ids, task_phrases, rules_ids = set(), set(), set()
    for row, task in zip(rows, tasks):
        head = len(task["text"]) - len(row["text"])
        phrases, ids = link_tuples(task["relations"])
        task_ids |= {(row["id"], a - head, b - head, i) for a, b, i in ids}
        task_phrases |= {(row["id"], a - head, b - head, task["text"][c:d]) for a, b, c, d in phrases}
        labels = {(s["start"], s["end"]): s["label"] for s in task["spans"]}
        assert all(labels[(r["head_span"]["start"], r["head_span"]["end"])] in ("COUNT", "MEASURE")
                   for r in task["relations"])
        example = example_from_task(task, gold_indicators=False)
        rules_ids |= {(row["id"], a - head, b - head, i) for a, b, i in link_tuples(example.rules.values())[1]}
    assert task_ids == gold_ids and task_phrases == gold_phrases
    scored = score_paragraphs(rows, {"rules": pipeline})["systems"]["rules"]["canonical_id"]
    assert len(rules_ids & gold_ids) == scored["tp"]
    assert len(gold_ids - rules_ids) == scored["fn"]


def test_a_phrase_is_placed_before_its_figure_when_it_can_be():
    text = "受理申请3件，全年受理申请12件。"
    assert phrase_offsets(text, "受理申请", text.index("12件"), text.index("12件") + 3) == (9, 13)
    assert phrase_offsets(text, "受理申请", 4, 6) == (0, 4)
    assert phrase_offsets("共3件申请。", "申请", 1, 3) == (3, 5)
    assert phrase_offsets("共3件。", "申请", 1, 3) is None
