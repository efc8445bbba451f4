"""annotate next: unannotated paragraphs ranked by rules/model disagreement or by the linker's doubt."""

from __future__ import annotations

import warnings

import pytest
import srsly

from govreport.annotate import make_task, to_standoff
from govreport.annotate.next import disagreement, linker_doubt, rank_paragraphs

# seed 001 paragraph 5 (its first sentence), ours
TEXT = "2017年,县政务公开办累计主动公开政府信息135000条,全文电子化率达92%。"


def _task(offset: int = 100) -> dict:
    return make_task(TEXT, "d", 3, offset)


def _at(part: str, offset: int = 100) -> tuple[int, int]:
    start = TEXT.index(part) + offset
    return start, start + len(part)


def test_disagreement_counts_spans_found_by_one_system_only_inside_the_paragraph():
    rules = {("DATE", *_at("2017年")), ("COUNT", *_at("135000条")), ("MEASURE", *_at("92%")),
             ("COUNT", 0, 4)}  # before the paragraph: not counted
    model = {("DATE", *_at("2017年")), ("COUNT", *_at("135000")), ("ORG", *_at("县政务公开办"))}
    score, reason = disagreement(_task(), rules, model)
    assert score == 4  # 135000条 and 92% only in the rules; 135000 and the ORG only in the model
    assert reason.startswith("2 span(s) only the rules find, 2 only the model")
    assert disagreement(_task(), rules, rules)[0] == 0


def test_linker_doubt_is_one_minus_the_lowest_confidence_and_unlinked_figures_are_least_sure():
    fig = {"source": "text", "start": _at("135000条")[0], "end": _at("135000条")[1], "indicator_start": 110,
           "confidence": 0.9}
    share = {**fig, "start": _at("92%")[0], "end": _at("92%")[1], "confidence": 0.6}
    assert linker_doubt(_task(), [fig, share])[0] == pytest.approx(0.4)
    assert linker_doubt(_task(), [fig, {**share, "indicator_start": None}])[0] == 1.0
    assert linker_doubt(_task(), [{**fig, "source": "table"}]) == (0.0, "no figure")


def test_next_ranks_only_unannotated_paragraphs_best_first(tmp_path, corpus_dir):
    seed = corpus_dir / "000_cb4fdcd10949854b.txt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no model here: the rules link, with their confidences
        ranked = rank_paragraphs([seed], 1000, "linker", model=None, annotations=[tmp_path / "none"])
    assert ranked and all(c.doc == seed.stem for c in ranked)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(0 < c.score <= 1 for c in ranked)
    top = ranked[0]
    # once the top paragraph is in the gold, it is never proposed again, and the rest keep their order
    gold = tmp_path / "gold.jsonl"
    srsly.write_jsonl(gold, [to_standoff({**top.task, "answer": "accept"})])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = rank_paragraphs([seed], 1000, "linker", model=None, annotations=[gold])
    assert [(c.doc, c.paragraph) for c in again] == [(c.doc, c.paragraph) for c in ranked[1:]]
    assert "answer" not in top.task  # tasks to annotate preset no answer


def test_next_by_disagreement_without_a_model_says_how_to_get_one(tmp_path, corpus_dir):
    with pytest.raises(ValueError, match="make train"):
        rank_paragraphs([corpus_dir], 5, "disagreement", model=tmp_path / "no_model")
