"""Cross-validation helpers: folds by organ or by document with twins together, spread over folds, choice in
order; the folds `govreport cv` makes of the real train+dev gold."""

from __future__ import annotations

import pytest

from govreport.annotate import load_splits
from govreport.config import load_config
from govreport.training.crossval import beats, choose_in_order, cv_folds, document_folds, spread, train_dev_tasks


def test_folds_keep_twins_together_and_cover_every_document_once():
    docs = [f"d{i}" for i in range(9)] + ["d3_web"]
    folds = document_folds(docs, 3, seed=0, twins={"d3_web": "d3"})
    assert sorted(d for f in folds for d in f) == sorted(docs)
    assert len(folds) == 3 and all(folds)
    assert any({"d3", "d3_web"} <= set(f) for f in folds)
    assert document_folds(docs, 3, seed=0, twins={"d3_web": "d3"}) == folds  # seeded: the same every run
    assert sorted(document_folds(["a", "b"], 5, seed=0, twins={})) == [["a"], ["b"]]  # never an empty fold


def _fold_of(folds: list[list[str]]) -> dict[str, int]:
    """Document → its fold, asserting that no document is in two folds."""
    out: dict[str, int] = {}
    for i, fold in enumerate(folds):
        for doc_id in fold:
            assert doc_id not in out, f"{doc_id} in folds {out[doc_id]} and {i}"
            out[doc_id] = i
    return out


def test_folds_by_organ_keep_each_organ_and_twins_in_one_fold():
    organs = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C", "d1": "D", "e1": "E", "x": None}
    docs = [*organs, "a2_web"]  # a twin without an organ of its own: that of the report it is a twin of
    weights = {"a1": 30, "a2": 30, "a3": 30, "b1": 20, "b2": 25, "c1": 40, "d1": 10, "e1": 2, "x": 1}
    folds = document_folds(docs, 3, seed=0, twins={"a2_web": "a2"}, organs=organs, weights=weights)
    fold_of = _fold_of(folds)
    assert sorted(fold_of) == sorted(docs) and len(folds) == 3 and all(folds)
    for organ in "ABCDE":
        assert len({fold_of[d] for d, o in organs.items() if o == organ}) == 1, organ
    assert fold_of["a2_web"] == fold_of["a2"]
    # the heaviest organ first (A: 91 relations, the twin counting 1), then each into the lightest fold:
    # B 45, C 40, then D 10 to C, E 2 to B, x 1 to B (48 against 50)
    assert folds == [["a1", "a2", "a2_web", "a3"], ["b1", "b2", "e1", "x"], ["c1", "d1"]]
    # more folds than organs: one fold per organ (an unknown organ is a group of its own), never an empty fold
    many = document_folds(docs, 10, seed=0, twins={"a2_web": "a2"}, organs=organs)
    assert len(many) == 6 and all(many)


def test_the_folds_of_cv_hold_out_whole_organs_of_train_and_dev():
    """The folds `govreport cv` uses on the real gold: every train+dev document in exactly one fold, no test
    document, twins together, no organ (as the pipeline reads it from the report) in two folds."""
    tasks_by_doc = train_dev_tasks()
    split_of, twins = load_splits(), load_config("splits.yml")["twins"]
    report = cv_folds(tasks_by_doc)
    assert report["folds_by"] == load_config("train.yml")["cv"]["folds_by"] == "organ"
    fold_of = _fold_of(report["folds"])
    assert sorted(fold_of) == sorted(d for d, s in split_of.items() if s in ("train", "dev"))
    assert not any(split_of[d] == "test" for d in fold_of)
    assert len(report["folds"]) == load_config("train.yml")["cv"]["folds"] and all(report["folds"])
    assert all(fold_of[a] == fold_of[b] for a, b in twins.items() if a in fold_of)
    organs = {d: ts[0]["meta"]["organ"] for d, ts in tasks_by_doc.items()}
    assert report["unknown_organ"] == [] and all(organs.values())
    assert all(len({fold_of[d] for d in fold_of if organs[d] == o}) == 1 for o in set(organs.values()))
    # the organ read from the reports, not from their file names: the zone's reports (one organ over 2011-2025,
    # some signed by its office) are one group, and the county of the same island is another organ
    zone = {organs[d] for d in fold_of if d.startswith("fujian_pingtan_zone_")}
    county = {organs[d] for d in fold_of if d.startswith("fujian_pingtan_county_")}
    assert len(zone) == 1 and len(county) == 1 and zone != county
    assert len(set(organs.values())) == 8
    # random folds by document, still available, mix the zone's years across folds
    by_document = cv_folds(tasks_by_doc, folds_by="document")
    assert sorted(d for f in by_document["folds"] for d in f) == sorted(fold_of)
    assert sum(any(organs[d] in zone for d in f) for f in by_document["folds"]) > 1
    with pytest.raises(ValueError, match="folds_by"):
        cv_folds(tasks_by_doc, folds_by="paragraph")


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


def test_own_paragraphs_are_dealt_to_the_folds_in_turn():
    from govreport.training.crossval import deal_own_paragraphs

    folds = [["a", "b"], ["c"], ["d"]]
    own = [f"own:sentences:c{i:03d}" for i in range(7)]
    dealt = deal_own_paragraphs(folds, own)
    assert [f[:len(g)] for f, g in zip(dealt, folds)] == folds and folds == [["a", "b"], ["c"], ["d"]]
    extra = [f[len(g):] for f, g in zip(dealt, folds)]
    assert sorted(doc for e in extra for doc in e) == own and [len(e) for e in extra] == [3, 2, 2]
    assert deal_own_paragraphs(folds, []) == folds


def test_the_cv_choice_of_ids_reaches_the_linker_meta(tmp_path):
    import json

    from govreport.link.features import linker_config
    from govreport.training.crossval import apply_choices

    meta_path = tmp_path / linker_config()["model_name"] / "meta.json"
    meta_path.parent.mkdir()
    meta_path.write_text(json.dumps({"policy": {"policy": "rules"}}), encoding="utf-8")
    chosen = {"policy": "rules", "override_threshold": 0.8, "ids_from": "fill", "id_judge": False,
              "fill_gate": "judge", "fill_min_support": 0.3}
    report = {"links": {"chosen": chosen, "metric": "phrase", "summary": {"rules": {"phrase": {"mean": 0.9}}}}}
    assert str(meta_path) in apply_choices(report, tmp_path)
    policy = json.loads(meta_path.read_text(encoding="utf-8"))["policy"]
    assert (policy["ids_from"], policy["fill_gate"], policy["fill_min_support"]) == ("fill", "judge", 0.3)
    assert policy["chosen_by"] == "cv"


def test_the_judge_s_ids_replace_the_rules_only_when_they_beat_the_ids_the_rules_get():
    """choose_links: the combined policy is taken for "the same phrases, better ids" only when the id judge's ids beat
    the ids the rules' policy gets from its chosen source (the fill), not merely the bare rules' ids."""
    from govreport.link.features import linker_config
    from govreport.training.crossval import choose_links

    cfg = linker_config()
    judged = f"combined_judged@{cfg['id_judge']['threshold']}"
    fills = [f"rules_filled_ids:{g}@{t}" for g, ts in cfg["combined"]["fill"]["min_support_grid"].items() for t in ts]

    def summary(judge_ids: float, fill_ids: float) -> dict:
        row = lambda phrase, ids: {"phrase": {"mean": phrase, "folds": [phrase] * 4},
                                   "ids": {"mean": ids, "folds": [ids] * 4}}
        out = {p: row(0.90, 0.85) for p in ("rules", "learned", "combined", "edges", "combined_learned_ids")}
        out.update({p: row(0.90, 0.85) for p in fills})
        out[fills[0]] = row(0.90, fill_ids)
        out[judged] = row(0.90, judge_ids)
        return out

    below = choose_links(summary(judge_ids=0.89, fill_ids=0.91))["chosen"]
    assert (below["policy"], below["ids_from"], below["id_judge"]) == ("rules", "fill", True)
    above = choose_links(summary(judge_ids=0.93, fill_ids=0.91))["chosen"]
    assert above["policy"] == "combined"
