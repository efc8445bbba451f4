"""Cross-validation helpers: folds by document with twins together, spread over folds, choice in order."""

from __future__ import annotations

import pytest

from govreport.training.crossval import beats, choose_in_order, document_folds, spread


def test_folds_keep_twins_together_and_cover_every_document_once():
    docs = [f"d{i}" for i in range(9)] + ["d3_web"]
    folds = document_folds(docs, 3, seed=0, twins={"d3_web": "d3"})
    assert sorted(d for f in folds for d in f) == sorted(docs)
    assert len(folds) == 3 and all(folds)
    assert any({"d3", "d3_web"} <= set(f) for f in folds)
    assert document_folds(docs, 3, seed=0, twins={"d3_web": "d3"}) == folds  # seeded: the same every run
    assert sorted(document_folds(["a", "b"], 5, seed=0, twins={})) == [["a"], ["b"]]  # never an empty fold


def test_spread_over_folds():
    s = spread([0.5, 0.7, 0.9])
    assert s["mean"] == pytest.approx(0.7) and s["std"] == pytest.approx(0.2)
    assert (s["min"], s["max"], s["folds"]) == (0.5, 0.9, [0.5, 0.7, 0.9])
    assert spread([0.4])["std"] == 0.0


def test_a_later_option_must_beat_the_kept_one_by_the_minimum_gain():
    order = ["rules", "rules_first", "model"]
    no_pairs = {"paired": False}
    assert choose_in_order({"rules": [0.80], "rules_first": [0.805], "model": [0.70]}, order, 0.01, **no_pairs) == "rules"
    assert choose_in_order({"rules": [0.80], "rules_first": [0.85], "model": [0.855]}, order, 0.01,
                           **no_pairs) == "rules_first"
    assert choose_in_order({"rules": [0.80], "rules_first": [0.85], "model": [0.87]}, order, 0.01,
                           **no_pairs) == "model"


def test_a_later_option_higher_in_every_fold_wins_under_the_paired_rule():
    order = ["rules", "edges"]
    every_fold = {"rules": [0.88, 0.865, 0.86, 0.88], "edges": [0.893, 0.873, 0.862, 0.891]}  # +0.008 on the mean
    assert choose_in_order(every_fold, order, 0.01, paired=False) == "rules"
    assert choose_in_order(every_fold, order, 0.01, paired=True) == "edges"
    one_fold_worse = {"rules": [0.88, 0.865, 0.86, 0.88], "edges": [0.893, 0.873, 0.858, 0.891]}
    assert choose_in_order(one_fold_worse, order, 0.01, paired=True) == "rules"
    a_tie = {"rules": [0.88, 0.865], "edges": [0.89, 0.865]}
    assert not beats(a_tie["edges"], a_tie["rules"], 0.01, paired=True)
