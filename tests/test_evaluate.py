"""Scorers on tiny hand-made cases with known P/R/F1."""

import pytest

from govreport.eval.scorer import overlap_prf, prf, span_error_kinds, span_scores


def test_prf_counts_and_ratios():
    gold = {("COUNT", 0, 4), ("COUNT", 10, 14), ("DATE", 20, 25)}
    pred = {("COUNT", 0, 4), ("DATE", 20, 24)}
    score = prf(gold, pred)
    assert (score["tp"], score["fp"], score["fn"]) == (1, 1, 2)
    assert score["p"] == pytest.approx(0.5) and score["r"] == pytest.approx(1 / 3)
    assert score["f"] == pytest.approx(0.4)


def test_prf_of_nothing_is_zero_not_an_error():
    assert prf(set(), set())["f"] == 0.0


def test_span_scores_per_label():
    gold = [("COUNT", 0, 4), ("DATE", 20, 25)]
    pred = [("COUNT", 0, 4), ("ORG", 30, 33)]
    scores = span_scores(gold, pred)
    assert scores["COUNT"]["f"] == 1.0
    assert scores["DATE"]["r"] == 0.0 and scores["ORG"]["p"] == 0.0


def test_overlap_prf_forgives_boundaries_but_not_labels_or_docs():
    gold = [("COUNT", "a", 0, 6), ("COUNT", "a", 10, 14), ("DATE", "b", 0, 5)]
    pred = [("COUNT", "a", 0, 4), ("DATE", "a", 10, 14), ("DATE", "c", 0, 5), ("DATE", "b", 1, 3)]
    score = overlap_prf(gold, pred)
    assert (score["pred_hits"], score["gold_hits"]) == (2, 2)
    assert score["p"] == pytest.approx(0.5) and score["r"] == pytest.approx(2 / 3)


def test_span_error_kinds():
    gold = [("COUNT", "a", 0, 6), ("ORG", "a", 10, 14), ("DATE", "a", 20, 25)]
    pred = [("COUNT", "a", 0, 4), ("MEASURE", "a", 10, 14), ("COUNT", "a", 30, 33)]
    kinds = sorted(kind for kind, _, _ in span_error_kinds(gold, pred))
    assert kinds == ["COUNT boundary", "COUNT spurious", "DATE missed", "ORG→MEASURE label"]


def test_span_systems_score_the_rules_alone_without_a_model(tmp_path):
    from govreport.eval.suite import span_systems

    assert list(span_systems(None)) == ["rules"]
    assert list(span_systems(tmp_path / "no_model_here")) == ["rules"]


def test_error_examples_of_test_documents_are_never_shown():
    # the report lists error kinds and counts of every split, but examples (gold and predicted text) only of dev
    from govreport.eval.suite import error_examples, top_errors

    assert error_examples("test") == 0 and error_examples("dev") > 0
    gold = {("ORG", "d", 0, 3)}
    errors = top_errors(gold, set(), set(), set(), {"d": "某某局发布"}, 5, error_examples("test"), 4)
    assert errors and all(e["count"] and e["examples"] == [] for e in errors)
