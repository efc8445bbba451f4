"""The id judge (link/id_judge.py): proposals of the rules and the learned linker, features, choice per figure."""

from __future__ import annotations

import pytest

from govreport.link.id_judge import IdJudge, proposals, scope_kind
from govreport.link.rules import Link
from govreport.types import Span

pytest.importorskip("sklearn")


def _figure(n: int) -> Span:
    return Span("COUNT", 10 * n, 10 * n + 3, f"{n}件", unit="件")


def _link(n: int, canonical: str | None, scope: str | None = None, phrase: str = "受理政府信息公开申请") -> Link:
    return Link(_figure(n), Span("INDICATOR", 10 * n - 5, 10 * n, phrase), canonical, scope, rule="lexicon_before",
                confidence=0.9)


def _document(n0: int, learned_id: str):
    """Rules that are right (requests.received, whole body) and a learned linker that proposes another id."""
    rules = [_link(n, "requests.received") for n in range(n0, n0 + 4)] + \
        [_link(n0 + 4, "requests.received", scope="市本级")]
    learned = [_link(n, learned_id) for n in range(n0, n0 + 5)]
    gold = {(10 * n, 10 * n + 3): "requests.received" for n in range(n0, n0 + 4)}
    gold[(10 * (n0 + 4), 10 * (n0 + 4) + 3)] = None  # a part of the body: no id
    return rules, learned, "x" * 200, None, "某市人民政府", gold


def test_proposals_merge_what_both_propose():
    rules = [_link(1, "requests.received"), _link(2, None)]
    learned = [_link(1, "requests.received"), _link(2, "review.total")]
    props = proposals(rules, learned)
    assert [(i, s, agree) for i, s, _, agree in props[(10, 13)]] == [("requests.received", "rules", True)]
    assert [(i, s) for i, s, _, _ in props[(20, 23)]] == [("review.total", "learned")]


def test_scope_kinds():
    assert [scope_kind(s, "咸宁市人民政府") for s in (None, "全市", "市本级", "市政府", "市教育局")] == [
        "none", "whole", "part", "body", "other"]


def test_the_judge_learns_which_proposals_are_right():
    docs = [_document(10 * k, "active.total") for k in range(1, 8)]
    judge = IdJudge().fit(docs, {"requests.received": "件", "active.total": "条"})
    rules, learned, text, form, organ, _ = _document(100, "active.total")
    ids = [lk.canonical_id for lk in judge.judge(rules, learned, text, form, organ)]
    # the rules' ids of the whole body stay; the part of the body and the learned linker's other id are dropped
    assert ids == ["requests.received"] * 4 + [None]


def test_the_judge_gives_no_id_where_the_rules_withheld_one():
    # a judge that learned the learned linker is right still leaves a withheld link without an id (办结的14件行政复议中:
    # narrower; a part of the body, a share): the guidelines' rules are not odds
    docs = [_document(10 * k, "requests.received") for k in range(1, 8)]
    judge = IdJudge().fit(docs, {"requests.received": "件"})
    rules, learned, text, form, organ, _ = _document(100, "requests.received")
    rules[0] = Link(rules[0].figure, rules[0].indicator, None, None, rule="left_context", withheld="narrower")
    judged = judge.judge(rules, learned, text, form, organ)
    assert judged[0].canonical_id is None and judged[1].canonical_id == "requests.received"


def test_the_judge_needs_right_and_wrong_proposals():
    rules = [_link(1, "requests.received")]
    with pytest.raises(ValueError, match="right and wrong"):
        IdJudge().fit([(rules, rules, "x" * 50, None, None, {(10, 13): "requests.received"})], {})


def test_name_overlap_tells_the_ids_own_words_from_a_resemblance():
    from govreport.link.id_judge import name_overlap

    assert name_overlap("自然人", "requests.new.natural_person") == 1.0
    assert name_overlap("网上评议案件", "review.total") < 0.5
    assert name_overlap("", "review.total") == 0.0


def test_why_the_rules_withheld_an_id_is_a_feature_of_every_proposal():
    from govreport.link.id_judge import proposal_features

    rules = Link(_figure(1), Span("INDICATOR", 5, 10, "行政复议"), None, None, rule="lexicon_after", withheld="narrower")
    learned = Link(_figure(1), Span("INDICATOR", 5, 10, "行政复议"), "review.total", None, rule="learned")
    feats = proposal_features(learned, "review.total", "x" * 50, None, None, "learned", False, {}, rules_link=rules)
    assert feats["withheld=narrower"] == 1.0 and feats["rule=lexicon_after"] == 1.0
    assert feats["name_overlap"] > 0.5


def test_the_judge_gate_fills_the_proposals_it_learned_are_right():
    """The fill's judge gate (policy.fill_gate): where the rules gave no id, a learned id stands when the judge
    finds it probable enough; what the judge learned to be wrong stays empty."""
    from types import SimpleNamespace

    from govreport.link.policy import fill_gate, fill_ids

    def document(n0: int):
        rules = [_link(n, None, phrase="作出行政处罚决定") for n in range(n0, n0 + 3)] + \
            [_link(n, None, phrase="栏目发布信息") for n in range(n0 + 3, n0 + 6)]
        learned = [_link(n, "active.penalty.decisions", phrase="作出行政处罚决定") for n in range(n0, n0 + 3)] + \
            [_link(n, "active.via.wechat", phrase="栏目发布信息") for n in range(n0 + 3, n0 + 6)]
        gold = {(10 * n, 10 * n + 3): "active.penalty.decisions" for n in range(n0, n0 + 3)}
        gold.update({(10 * n, 10 * n + 3): None for n in range(n0 + 3, n0 + 6)})
        return rules, learned, "x" * 2000, "v2021", "某县人民政府", gold

    judge = IdJudge().fit([document(10 * k) for k in range(1, 8)],
                          {"active.penalty.decisions": "件", "active.via.wechat": "条"})
    rules, learned, text, form, organ, _ = document(100)
    accepts = fill_gate(SimpleNamespace(judge=judge), "judge", 0.5, rules, learned, text, form, organ)
    filled = [lk.canonical_id for lk in fill_ids(rules, learned, accepts)]
    assert filled == ["active.penalty.decisions"] * 3 + [None] * 3
    # without a judge nothing backs a fill
    nothing = fill_gate(SimpleNamespace(judge=None), "judge", 0.3, rules, learned, text, form, organ)
    assert [lk.canonical_id for lk in fill_ids(rules, learned, nothing)] == [None] * 6
    with pytest.raises(ValueError, match="gate"):
        fill_gate(SimpleNamespace(judge=judge), "vote", 0.5, rules, learned, text, form, organ)
