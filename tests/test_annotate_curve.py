"""The learning curve of make evaluate: nested subsets, the cache's staleness, its report section."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import srsly

from govreport.eval.suite import markdown_report
from govreport.training.learning_curve import _own_sets, curve_markdown, fingerprint, load_curve, settings, subsets

DOCS = [f"doc{k:02d}" for k in range(13)]


def test_subsets_are_nested_deterministic_and_sized_by_fraction():
    runs = subsets(DOCS, [0.25, 0.5, 0.75, 1.0], seed=0)
    sizes = [len(docs) for _, docs in runs]
    assert sizes == [3, 6, 10, 13]
    for (_, small), (_, large) in pairwise(runs):
        assert large[:len(small)] == small  # each subset holds the one before it
    assert sorted(runs[-1][1]) == DOCS
    assert subsets(list(reversed(DOCS)), [0.25], seed=0) == runs[:1]  # the input order does not matter
    assert subsets(DOCS, [0.01], seed=0)[0][1] != []  # at least one document


def _scores(phrase: float, ids: float, records: float, own_ids: float) -> dict:
    return {"links": {"indicator_phrase": {"f": phrase}, "canonical_id": {"f": ids}}, "records": {"f": records},
            "own": {"held_out2": {"indicator_phrase": {"f": 0.5}, "canonical_id": {"f": own_ids}}}}


def _curve() -> dict:
    point = {"fraction": 0.25, "documents": 3, "paragraphs": 40, "links": 31,
             "training": {"link_policy": "rules", "ids_from": "fill"},
             "scores": {"spans": {"model": {"f": 0.5}, "hybrid": {"f": 0.75}}, **_scores(0.25, 0.125, 0.0625, 0.875)}}
    rules = {"spans": {"rules": {"f": 0.625}}, **_scores(0.375, 0.25, 0.5, 0.75)}
    return {"fingerprint": fingerprint(), "split": "test", "train_documents": 13, "own_paragraphs": 68,
            "own_sets": ["held_out", "held_out2"], "rules": rules, "points": [point], "seconds": 90}


def test_cached_curve_is_stale_when_the_gold_or_configs_changed(tmp_path):
    path = tmp_path / "curve.json"
    assert load_curve(path) is None
    srsly.write_json(path, _curve())
    assert load_curve(path)["stale"] is False
    srsly.write_json(path, {**_curve(), "fingerprint": "0" * 40})
    assert load_curve(path)["stale"] is True


def test_curve_section_shows_each_point_and_says_how_to_compute_a_missing_one():
    lines = "\n".join(curve_markdown({**_curve(), "stale": False}, Path("out/learning_curve/curve.json")))
    assert "| rules alone | | | | 0.625 | rules | rules | 0.375 | 0.250 | 0.500 | – | 0.750 |" in lines
    assert "| 3 (25%) | 40 | 31 | 0.500 | 0.750 | rules | fill | 0.250 | 0.125 | 0.062 | – | 0.875 |" in lines
    assert "ids F1 held_out | ids F1 held_out2 |" in lines and "68 own development paragraphs" in lines
    assert "Stale" not in lines
    assert "make learning-curve" in "\n".join(curve_markdown(None, Path("x/curve.json")))


def test_report_without_a_curve_is_unchanged_and_the_curve_is_only_appended():
    report = {"splits": {}}
    plain = markdown_report(report)
    with_curve = markdown_report({**report, "learning_curve": None, "learning_curve_path": "x/curve.json"})
    assert with_curve.startswith(plain) and "Learning curve" in with_curve[len(plain):]


def test_the_curve_is_scored_only_on_own_sets_nothing_trains_on():
    with pytest.raises(ValueError, match="also train the linker"):
        _own_sets(["sentences", "held_out2"])  # configs/train.yml own_paragraphs: sentences
    assert set(_own_sets(settings()["own_sets"])) == {"held_out", "held_out2"}
