"""annotations/own and its scorer (eval/sentences.py)."""

from __future__ import annotations

import pytest

from govreport.eval.sentences import figure_offsets, gold_sets, load_paragraph_sets, score_paragraphs
from govreport.indicators import load_indicators
from govreport.pipeline import Pipeline


@pytest.mark.parametrize("name", ["sentences", "held_out"])
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
