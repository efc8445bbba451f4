"""The learned figure → indicator linker and the phrase → canonical id mapper (issue 9).

Fixtures are sentences of the seeds (corpus/, ours) with hand-made links; the shared corpus is read at run time.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from govreport.link.diagnostics import disagreements, feature_importance
from govreport.link.features import NUMERIC_FEATURES, TextIndex, example_from_task, generate_candidates, linker_config
from govreport.link.model import LinkerMissingWarning, build_linker, load_linker
from govreport.link.phrase_map import (
    PhraseMapper,
    label_variants,
    leave_one_out,
    load_phrase_mapper,
    spec_phrase_groups,
)
from govreport.link.policy import combined_linker, family_heads, fill_gate, fill_ids, policy_linker
from govreport.link.rules import Link
from govreport.link.scoring import evaluate_linking, evaluation_report
from govreport.training.links import document_tasks, gold_tasks, train_from_project, train_linker
from govreport.types import Span

# Seed sentences (corpus/000 and corpus/004) with their figure → indicator links, written by reading them.
# Each link: (figure text, indicator text, which occurrence of the indicator text).
FIXTURES = [
    (("1.收到申请情况。2016年,我市申请渠道畅通,全市共受理政府信息公开申请1486件,其中市政府及其相关部门共受理申请373件,"
     "县市区政府及其相关部门和乡镇受理申请1113件。"),
     [("1486件", "受理政府信息公开申请", 0), ("373件", "受理申请", 0), ("1113件", "受理申请", 1)]),
    ("3.通过政务微博主动公开政府信息情况。2016年,全市各级行政机关通过政务微博公开政府信息9968条。其中,市直单位公开政府信息6258条。",
     [("9968条", "政务微博公开政府信息", 0), ("6258条", "公开政府信息", 2)]),
    ("4.通过政务微信主动公开政府信息情况。2016年,全市各级行政机关通过政务微信公开政府信息11387条。其中,市直单位公开政府信息6446条。",
     [("11387条", "政务微信公开政府信息", 0), ("6446条", "公开政府信息", 2)]),
    (("(三)强化监督考核培训。2018年,全市组织召开政府信息公开工作会议或专题会议数55场次,举办各类政务公开培训80余次,受训4805人次;"
     "将政务公开列入全市综合考评指标体系,所占分值权重2%。"),
     [("55场次", "召开政府信息公开工作会议或专题会议数", 0), ("80余次", "举办各类政务公开培训", 0), ("4805人次", "受训", 0)]),
    (("1.通过政府网站公开政府信息情况。2016年,全市各级行政机关通过政府网站公开政府信息168136条。其中,市政府及政府部门门户网站"
     "公开政府信息113667条,县市区各级行政机关通过政府网站公开政府信息55069条。"),
     [("168136条", "政府网站公开政府信息", 1), ("113667条", "门户网站公开政府信息", 0),
      ("55069条", "政府网站公开政府信息", 2)]),
]


def make_task(text: str, links: list[tuple[str, str, int]], extra_figures: tuple[str, ...] = ()) -> dict:
    """A rel.manual-style task: figure spans, INDICATOR spans and `measures` relations from texts."""
    spans, relations = [], []
    for fig_text in [f for f, _, _ in links] + list(extra_figures):
        start = text.index(fig_text)
        spans.append({"start": start, "end": start + len(fig_text), "label": "COUNT"})
    for fig_text, ind_text, occurrence in links:
        head = next(s for s in spans if text[s["start"]:s["end"]] == fig_text)
        start = [m.start() for m in re.finditer(re.escape(ind_text), text)][occurrence]
        child = {"start": start, "end": start + len(ind_text), "label": "INDICATOR"}
        if child not in spans:
            spans.append(child)
        relations.append({"head_span": head, "child_span": child, "label": "measures"})
    return {"text": text, "spans": sorted(spans, key=lambda s: s["start"]), "relations": relations,
            "meta": {"doc": "fixture"}}


@pytest.fixture(scope="module")
def tasks() -> list[dict]:
    return [make_task(text, links, ("2%",) if "2%" in text else ()) for text, links in FIXTURES]


def _gold_link(task: dict, figure: str) -> str | None:
    text = task["text"]
    for rel in task["relations"]:
        if text[rel["head_span"]["start"]:rel["head_span"]["end"]] == figure:
            return text[rel["child_span"]["start"]:rel["child_span"]["end"]]
    return None


# ----------------------------------------------------------------------------------------------- windows


def test_window_takes_last_clause_of_previous_sentence_and_heading():
    text = "三、主动公开政府信息情况\n\n2016年,全市各级行政机关主动公开政府信息223765条。其中,市本级主动公开信息157693条,制发规范性文件166件。"
    index = TextIndex(text, {**linker_config()["window"], "max_heading_chars": 40})
    # 223765条 opens its paragraph: the heading above it is in the window
    start = text.index("223765条")
    ws, we, sentence_start, heading = index.window(start, start + len("223765条"))
    assert heading == 0 and ws == 0
    assert text[we] == "。" and sentence_start == text.index("2016年")
    # 157693条: its own sentence plus the last clause of the sentence before (not the heading)
    start = text.index("157693条")
    ws, we, sentence_start, heading = index.window(start, start + len("157693条"))
    assert heading is None
    assert text[ws:].startswith("全市各级行政机关主动公开政府信息223765条")
    assert text[we] == "。" and we == len(text) - 1
    # headings off (the default: tasks are single paragraphs): the window never leaves the line
    plain = TextIndex(text, {**linker_config()["window"], "max_heading_chars": 0})
    start = text.index("223765条")
    assert plain.window(start, start + len("223765条"))[0] == text.index("2016年")


def test_candidates_and_features_of_a_seed_sentence(tasks):
    example = example_from_task(tasks[0])
    per_figure = generate_candidates(example)
    assert [f.text for f in example.figures] == ["1486件", "373件", "1113件"]
    first = {c.indicator.text: dict(zip(NUMERIC_FEATURES, c.numeric)) for c in per_figure[0]}
    # 收到申请 of the inline heading is a candidate of 1486件; the adjacent phrase is the nearest before it
    assert "收到申请" in first
    adjacent = first["受理政府信息公开申请"]
    assert adjacent["before"] == 1.0 and adjacent["gap"] == 0.0 and adjacent["nearest_before"] == 1.0
    assert adjacent["rules_choice"] == 1.0 and adjacent["same_clause"] == 1.0
    heading = first["收到申请"]
    assert heading["in_prev_sentence"] == 1.0 and heading["punct_period"] == 1.0
    # 373件 follows 其中 in its sentence; 受理申请 after it is a candidate with direction "after"
    after = [dict(zip(NUMERIC_FEATURES, c.numeric)) for c in per_figure[1] if c.indicator.start > c.figure.end]
    assert after and all(f["before"] == 0.0 and f["enumeration_in_sentence"] == 1.0 for f in after)


def test_boundary_variants_of_a_candidate(tasks):
    example = example_from_task(tasks[0], gold_indicators=False)
    per_figure = generate_candidates(example)
    text = example.text
    first = {c.indicator.text: c for c in per_figure[0]}  # 1486件
    assert first["受理政府信息公开申请"].edge.startswith("=|")  # the lexicon's own phrase
    # extended left up to the comma before 全市, trimmed from the left, never over a clause end or the figure
    assert first["全市共受理政府信息公开申请"].edge.startswith("+全市共|")
    assert first["政府信息公开申请"].edge.startswith("-受理|")
    assert not any("," in c.indicator.text or c.indicator.end > c.figure.start >= c.indicator.start
                   for cands in per_figure for c in cands)
    feats = dict(zip(NUMERIC_FEATURES, first["全市共受理政府信息公开申请"].numeric))
    assert feats["variant"] == 1.0 and feats["extended"] == 0.3 and feats["trimmed"] == 0.0
    assert feats["rules_base"] == 1.0 and feats["rules_choice"] == 0.0
    assert text.index("全市共受理") == first["全市共受理政府信息公开申请"].indicator.start


def test_unit_compatibility_feature(tasks):
    linker = build_linker([example_from_task(t) for t in tasks[:2]])
    example = example_from_task(tasks[3])
    feats = {(c.figure.text, c.indicator.text): dict(zip(NUMERIC_FEATURES, c.numeric))
             for cands in linker.candidates(example) for c in cands}
    # 受训 maps to training.trainees (人次): compatible with 4805人次, not with 80余次
    assert feats[("4805人次", "受训")]["unit_compatible"] == 1.0
    assert feats[("80余次", "受训")]["unit_incompatible"] == 1.0


# ------------------------------------------------------------------------------------------------ model


def test_learns_links_without_the_rules_feature(tasks):
    cfg = {**linker_config(), "use_rules_feature": False}
    linker = build_linker([example_from_task(t) for t in tasks[:4]], cfg=cfg)
    assert not any(name.startswith("rules_") for name in linker.feature_names)
    held_out = example_from_task(tasks[4])
    links = {lk.figure.text: lk for lk in linker.link_example(held_out)}
    for fig in ("168136条", "113667条", "55069条"):
        assert links[fig].indicator is not None, fig
        assert links[fig].indicator.text == _gold_link(tasks[4], fig), fig
        assert links[fig].rule == "learned" and 0.0 < links[fig].confidence <= 1.0
    assert links["168136条"].canonical_id == "active.via.website"


def test_fit_save_load_predict_round_trip(tasks, tmp_path):
    model_dir = tmp_path / "linker"
    trained = train_linker(tasks[:4], model_dir, dev_tasks=tasks[4:])
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["sklearn_version"] and meta["training_size"]["gold_links"] == 10
    assert meta["config"]["model"]["kind"] == linker_config()["model"]["kind"]
    assert set(meta["dev"]) == {"rules", "learned", "combined", "edges"}
    assert meta["policy"]["policy"] in ("rules", "learned", "combined", "edges")
    assert (model_dir / "edges.joblib").exists() and load_linker(model_dir).edges is not None
    assert meta["dev"]["combined"]["override_threshold"] in linker_config()["combined"]["override_grid"]
    loaded = load_linker(model_dir)
    example = example_from_task(tasks[4])
    before = [[(c.indicator.start, round(p, 6)) for c, p in fig] for fig in trained.predict(example)]
    after = [[(c.indicator.start, round(p, 6)) for c, p in fig] for fig in loaded.predict(example)]
    assert before == after
    assert [lk.indicator and lk.indicator.text for lk in loaded.link_example(example)] == \
        [lk.indicator and lk.indicator.text for lk in trained.link_example(example)]
    # the held-out report uses the threshold chosen on dev, and scores phrases with and without gold spans
    report = evaluation_report(tasks[4:], loaded)
    assert report["lexicon_indicators"]["combined"]["override_threshold"] == meta["policy"]["override_threshold"]
    assert report["gold_indicators"]["rules"]["phrase"]["tp"] == 3


def test_load_linker_missing_warns_with_path(tmp_path):
    missing = tmp_path / "nothing_here"
    with pytest.warns(LinkerMissingWarning, match=re.escape(str(missing))):
        assert load_linker(missing) is None


def test_training_without_positives_is_refused(tasks):
    bare = [{**t, "relations": []} for t in tasks]
    with pytest.raises(ValueError, match="positive"):
        build_linker([example_from_task(t) for t in bare])


def test_feature_importance_names_features(tasks):
    linker = build_linker([example_from_task(t) for t in tasks])
    report = feature_importance(linker, [example_from_task(t) for t in tasks], n_repeats=2)
    assert 0.0 <= report["baseline_accuracy"] <= 1.0
    assert set(report["permutation"]) >= {"gap", "phrase (n-grams)", "context (n-grams)", "between (n-grams)"}
    assert report["coefficients"] and all(isinstance(w, float) for _, w in report["coefficients"])


def test_disagreements_name_the_winner(tasks):
    # a linker that never saw the rules' choice and learned from one fixture only disagrees somewhere
    cfg = {**linker_config(), "use_rules_feature": False}
    linker = build_linker([example_from_task(tasks[3])], cfg=cfg)
    rows = disagreements(linker, [example_from_task(t) for t in tasks])
    assert rows
    for row in rows:
        assert row["winner"] in ("rules", "learned", "neither") and row["figure"]


# ---------------------------------------------------------------------------------------- policies, eval


def _span(label: str, start: int, end: int) -> Span:
    return Span(label, start, end, "x" * (end - start))


def test_combined_policy_per_figure():
    fig_a, fig_b, fig_c = _span("COUNT", 10, 14), _span("COUNT", 30, 34), _span("COUNT", 50, 54)
    ind_1, ind_2, ind_3 = _span("INDICATOR", 0, 8), _span("INDICATOR", 20, 28), _span("INDICATOR", 40, 48)
    rules = [Link(fig_a, ind_1, "a", None, rule="lexicon_before", confidence=0.9),
             Link(fig_b, ind_1, "a", None, rule="enumeration", confidence=0.7),
             Link(fig_c, None, None, None)]
    learned = [Link(fig_a, ind_2, "b", None, rule="learned", confidence=0.6),  # below override: rules stay
               Link(fig_b, ind_2, "b", None, rule="learned", confidence=0.95),  # confident: learned wins
               Link(fig_c, ind_3, "c", None, rule="learned", confidence=0.55)]  # rules had nothing
    combined = combined_linker(rules, learned, "combined", override_threshold=0.8, ids_from="learned")
    assert [lk.indicator for lk in combined] == [ind_1, ind_2, ind_3]
    assert [lk.canonical_id for lk in combined] == ["a", "b", "c"]
    # ids from the rules: the same phrases, each figure keeping the id the rules gave it
    by_rules = combined_linker(rules, learned, "combined", override_threshold=0.8, ids_from="rules")
    assert [lk.indicator for lk in by_rules] == [ind_1, ind_2, ind_3]
    assert [lk.canonical_id for lk in by_rules] == ["a", "a", None]
    # the same phrase as the rules: the rules' link, with the learned id only where the rules have none
    same = [Link(fig_a, ind_1, None, "全市", rule="left_context", confidence=0.6)]
    mapped = [Link(fig_a, ind_1, "a", None, rule="learned", confidence=0.9)]
    kept = combined_linker(same, mapped, "combined", override_threshold=0.8, ids_from="learned")[0]
    assert (kept.rule, kept.canonical_id, kept.scope) == ("left_context", "a", "全市")
    assert combined_linker(rules, learned, "rules") == rules
    assert [lk.rule for lk in combined_linker(rules, learned, "learned")] == ["learned"] * 3
    with pytest.raises(ValueError, match="policy"):
        combined_linker(rules, learned, "vote")


def test_fill_takes_learned_ids_only_where_the_rules_proposed_and_withheld_none():
    figs = [_span("COUNT", 10 * i + 5, 10 * i + 8) for i in range(6)]
    phrase = [Span("INDICATOR", 10 * i, 10 * i + 4, "x" * 4) for i in range(6)]
    known = Span("INDICATOR", 50, 54, "xxxx", kb_id="review.upheld")  # a phrase of the lexicon
    rules = [Link(figs[0], phrase[0], None, None),  # the lexicon lacks the phrase: filled
             Link(figs[1], phrase[1], "requests.received", None),  # the rules' id stays
             Link(figs[2], phrase[2], None, "各乡镇", withheld="partial_scope"),  # withheld: stays empty
             Link(figs[3], phrase[3], None, None),  # a family head is not filled
             Link(figs[4], phrase[4], None, None),  # the learned link chose another phrase
             Link(figs[5], known, None, None)]  # the rules refused an id of their own phrase
    learned = [Link(figs[0], phrase[0], "active.penalty.decisions", None),
               Link(figs[1], phrase[1], "requests.granted.total", None),
               Link(figs[2], phrase[2], "active.total", None),
               Link(figs[3], phrase[3], "active.total", None),
               Link(figs[4], phrase[0], "fees.collected", None, confidence=0.99),
               Link(figs[5], known, "review.upheld", None)]
    assert family_heads() >= {"active.total", "review.total", "litigation.total"}
    assert "complaints.total" not in family_heads()  # no other id under its family
    expected = ["active.penalty.decisions", "requests.received", None, None, None, None]
    assert [lk.canonical_id for lk in fill_ids(rules, learned)] == expected
    assert [lk.indicator for lk in fill_ids(rules, learned)] == [lk.indicator for lk in rules]
    combined = combined_linker(rules, learned, "combined", override_threshold=0.999, ids_from="fill")
    assert [lk.canonical_id for lk in combined] == expected
    with pytest.raises(ValueError, match="ids_from"):
        combined_linker(rules, learned, "combined", ids_from="vote")


def test_id_support_is_how_surely_the_phrase_names_the_id(tasks):
    linker = build_linker([example_from_task(t) for t in tasks])
    fig = _span("COUNT", 10, 14)

    def link(phrase: str, canonical_id: str | None, kb_id: str | None = None) -> Link:
        return Link(fig, Span("INDICATOR", 0, len(phrase), phrase, kb_id=kb_id), canonical_id, None)

    assert linker.id_support(link("收到申请", "requests.received", kb_id="requests.received")) == 1.0
    mapped = linker.mapper.map("新制作规范性文件")
    assert mapped.id == "active.normative.new_made" and 0.5 <= mapped.confidence <= 1.0
    assert linker.id_support(link("新制作规范性文件", mapped.id)) == mapped.confidence
    assert linker.id_support(link("新制作规范性文件", "fees.collected")) == 0.0  # the mapper names another id
    assert linker.id_support(link("新制作规范性文件", None)) == 0.0
    # a fill needs that support: below min_support the rules' silence stays
    rules = [link("新制作规范性文件", None)]
    learned = [link("新制作规范性文件", mapped.id)]
    for min_support, expected in ((mapped.confidence, mapped.id), (mapped.confidence + 0.01, None)):
        accepts = fill_gate(linker, "support", min_support, rules, learned, "x" * 20, None, None)
        assert fill_ids(rules, learned, accepts)[0].canonical_id == expected


def test_the_policy_linker_fills_ids_as_its_measured_choice_says(tasks):
    """extract's linker under ``ids_from: fill``: a phrase the lexicon lacks takes the learned id when the mapper
    names it surely enough; the rules alone leave it without one."""
    from govreport.link.rules import find_indicator_spans
    from govreport.spans.rules import find_spans

    linker = build_linker([example_from_task(t) for t in tasks])
    text = "河南省某县人民政府2020年政府信息公开工作年度报告\n全年，本机关结转下年度继续办理科研机构418件。"
    spans = find_spans(text)
    indicators = find_indicator_spans(text)
    by_rules = {lk.figure.text: lk for lk in policy_linker(None, "rules")(text, spans, indicators, "v2019", None)}
    assert by_rules["418件"].indicator is not None and by_rules["418件"].canonical_id is None
    support = linker.id_support(replace(by_rules["418件"], canonical_id="requests.carried_forward.research"), "v2019")
    assert support > 0.5
    for min_support, expected in ((support, "requests.carried_forward.research"), (support + 0.01, None)):
        linker.chosen = {"policy": "rules", "ids_from": "fill", "fill_gate": "support", "fill_min_support": min_support}
        links = {lk.figure.text: lk for lk in policy_linker(linker)(text, spans, indicators, "v2019", None)}
        assert links["418件"].canonical_id == expected
        assert links["418件"].indicator == by_rules["418件"].indicator  # the rules' phrase either way


def test_linking_only_some_figures_gives_them_the_links_of_a_full_run(tasks):
    """LearnedLinker.link(only=...): what extract's fill asks for; every other figure stays unlinked."""
    linker = build_linker([example_from_task(t) for t in tasks])
    linked = 0
    for task in tasks:
        example = example_from_task(task, gold_indicators=False)
        rules = list(example.rules.values())
        full = linker.link(example.text, example.spans, example.indicators, rules)
        keys = [(lk.figure.start, lk.figure.end) for lk in full][::2]
        part = linker.link(example.text, example.spans, example.indicators, rules, only=keys)
        assert [lk.figure for lk in part] == [lk.figure for lk in full]
        for a, b in zip(full, part):
            if (a.figure.start, a.figure.end) in keys:
                assert (b.indicator, b.canonical_id, b.confidence) == (a.indicator, a.canonical_id, a.confidence)
                linked += a.indicator is not None
            else:
                assert b.indicator is None and b.canonical_id is None
    assert linked >= 3  # the comparison saw linked figures


def test_evaluate_linking_scores_phrases_and_ids(tasks):
    gold = [make_task(FIXTURES[0][0], FIXTURES[0][1])]
    for rel, ind_id in zip(gold[0]["relations"], ["requests.received", "requests.received", None]):
        if ind_id:
            rel["indicator"] = ind_id
    text = gold[0]["text"]

    def predict(task):
        figs = {text[s["start"]:s["end"]]: s for s in task["spans"] if s["label"] == "COUNT"}
        first = text.index("受理政府信息公开申请")
        ind = Span("INDICATOR", first, first + 10, "受理政府信息公开申请")
        # 1486件 right with its id; 373件 to the wrong phrase but the right id; 1113件 unlinked
        return [Link(Span("COUNT", figs["1486件"]["start"], figs["1486件"]["end"], "1486件"), ind,
                     "requests.received", None),
                Link(Span("COUNT", figs["373件"]["start"], figs["373件"]["end"], "373件"), ind,
                     "requests.received", None)]

    scores = evaluate_linking(gold, predict)
    assert scores["phrase"]["tp"] == 1 and scores["phrase"]["p"] == 0.5 and scores["phrase"]["r"] == pytest.approx(1 / 3)
    assert scores["canonical"]["p"] == 1.0 and scores["canonical"]["r"] == 1.0


# ------------------------------------------------------------------------------------------- phrase map


@pytest.fixture(scope="module")
def spec_mapper() -> PhraseMapper:
    from govreport.link.phrase_map import spec_phrase_pairs

    return PhraseMapper().fit(spec_phrase_pairs())


def test_label_variants_of_table_labels():
    assert label_variants("不予公开·属于国家秘密｜总计") == [
        "不予公开·属于国家秘密｜总计", "不予公开·属于国家秘密", "不予公开属于国家秘密｜总计", "不予公开属于国家秘密"]
    assert label_variants("本年新收政府信息公开申请数量｜自然人") == ["本年新收政府信息公开申请数量｜自然人"]


def test_phrase_map_exact_near_and_unmapped(spec_mapper):
    exact = spec_mapper.map("受理政府信息公开申请")  # alias 受理政府信息公开申请数 without its 数
    assert (exact.id, exact.method) == ("requests.received", "exact")
    near = spec_mapper.map("政府网站在线访谈")  # label 政府网站在线访谈次数, not an alias
    assert near.id == "response.online_interviews" and near.method == "knn" and near.confidence < 1.0
    assert spec_mapper.map("发布文章").id is None  # nothing in the spec says it: stays unmapped
    assert spec_mapper.map("新收政府信息公开申请").id == "requests.new.total"
    # table row labels: numbering and bracketed notes do not hide the label
    assert spec_mapper.map("（三）接受培训人员数（人次）").id == "training.trainees"
    assert load_phrase_mapper(None).map("（一）当面申请数").id == "requests.received.in_person"


def test_phrase_map_ambiguous_label_needs_allowed_ids(spec_mapper):
    # 被依法纠错数 is a label of both review and litigation: unmapped unless the section narrows the ids
    assert spec_mapper.map("被依法纠错数").id is None
    allowed = [i for i in spec_mapper.ids if i.startswith("litigation.")]
    assert spec_mapper.map("被依法纠错数", allowed=allowed).id == "litigation.corrected"


def test_phrase_map_round_trip_and_logistic(tmp_path, spec_mapper):
    path = tmp_path / "phrase_map.joblib"
    spec_mapper.to_disk(path)
    loaded = PhraseMapper.from_disk(path)
    phrases = ["网上申请", "举办培训班", "政策解读稿件", "xyz"]
    assert loaded.map_many(phrases) == spec_mapper.map_many(phrases)
    from govreport.link.phrase_map import phrase_map_config, spec_phrase_pairs

    logistic = PhraseMapper({**phrase_map_config(), "kind": "logistic"})
    # the pre2019 ids only (a classifier over all 287 ids takes seconds to fit)
    logistic.fit([(p, i) for p, i in spec_phrase_pairs() if not re.search(r"\.(natural_person|business|"
                                                                            r"research|nonprofit|legal|other_org)$", i)])
    online = logistic.map("网上提交申请")  # no spec label or alias; 网上申请数 and 网络申请数 are near
    assert (online.id, online.method) == ("requests.received.online", "logistic")
    assert logistic.map("xyz").id is None


def test_phrase_map_leave_one_label_out_on_the_spec():
    from govreport.indicators import load_indicators

    rows = spec_phrase_groups(load_indicators().values())
    result = leave_one_out([p for p, _ in rows], [g for _, g in rows])
    # an alias never seen maps to its id more often than not, and a mapped phrase is rarely wrong
    assert result["n"] >= 50
    assert result["precision"] >= 0.85 and result["accuracy"] >= 0.6


# ------------------------------------------------------------------------------------------ real reports


def test_silver_tasks_and_learned_links_on_real_reports(corpus_dir, shared_corpus_dir):
    from govreport.ingest import read_document

    train = [t for name in ("000_cb4fdcd10949854b.txt", "004_1b79cd5621e28327.txt")
             for t in document_tasks(read_document(corpus_dir / name))]
    assert train and all(t["text"][r["child_span"]["start"]:r["child_span"]["end"]]
                         for t in train for r in t["relations"])
    linker = build_linker([example_from_task(t) for t in train])
    unseen = document_tasks(read_document(shared_corpus_dir / "fujian_pingtan_zone_2012.txt"))
    n_figures = n_linked = 0
    for task in unseen:
        example = example_from_task(task)
        for lk in linker.link_example(example):
            n_figures += 1
            if lk.indicator is None:
                continue
            n_linked += 1
            # every link points at text that really says the indicator, near its figure
            assert task["text"][lk.indicator.start:lk.indicator.end] == lk.indicator.text
            assert abs(lk.indicator.start - lk.figure.start) <= linker.cfg["window"]["max_chars"] + 40
    assert n_figures > 20 and n_linked / n_figures > 0.3


def test_policy_linker_on_a_whole_report(corpus_dir, shared_corpus_dir):
    from govreport.ingest import read_document
    from govreport.link.rules import find_indicator_spans, link_figures_to_indicators
    from govreport.spans.rules import find_spans

    train = [t for name in ("000_cb4fdcd10949854b.txt", "001_9aef50f578a0bdd8.txt")
             for t in document_tasks(read_document(corpus_dir / name))]
    linker = build_linker([example_from_task(t) for t in train])
    doc = read_document(shared_corpus_dir / "jiangsu_suqian_shuyang_county_2025.txt")
    spans = find_spans(doc.text, 2025)
    indicators = find_indicator_spans(doc.text)
    rules = link_figures_to_indicators(doc.text, spans, indicators)
    assert policy_linker(None)(doc.text, spans, indicators) == rules  # no model: the rules, untouched
    combined = policy_linker(linker, "combined")(doc.text, spans, indicators)
    # one link per figure, in the rules' order; every indicator is text of the report
    assert [(lk.figure.start, lk.figure.end) for lk in combined] == [(lk.figure.start, lk.figure.end) for lk in rules]
    for lk in combined:
        if lk.indicator is not None:
            assert doc.text[lk.indicator.start:lk.indicator.end] == lk.indicator.text
    with pytest.raises(ValueError, match="policy"):
        policy_linker(linker, "majority")


def test_train_from_gold_annotations_per_split(corpus_dir, shared_corpus_dir, tmp_path):
    from govreport.annotate import read_document, to_standoff, write_jsonl

    # gold stand-ins: seed 000 (train split) as full tasks, a shared report (dev) as stand-off records
    # (no text in the file; it is joined from ../shared/corpus at run time)
    seed = document_tasks(read_document(corpus_dir / "000_cb4fdcd10949854b.txt"))
    shared = document_tasks(read_document(shared_corpus_dir / "fujian_pingtan_zone_2019.txt"))
    write_jsonl(tmp_path / "annotations" / "gold" / "a.jsonl", seed + [to_standoff(t) for t in shared])
    splits = gold_tasks(tmp_path / "annotations")
    assert len(splits["train"]) == len(seed) and len(splits["dev"]) == len(shared) and not splits["test"]
    assert splits["dev"][0]["text"]  # joined with its document
    # an own paragraph set (configs/train.yml own_paragraphs) trains beside gold, one task a paragraph
    own = [{"id": f"t{n}", "title": "某县人民政府2019年政府信息公开工作年度报告",
            "text": f"全年新制作规范性文件{n + 3}件，作出行政处罚决定{n + 41}件。",
            "figures": [{"figure": f"{n + 3}件", "occurrence": 0, "phrase": "新制作规范性文件",
                         "id": "active.normative.new_made"},
                        {"figure": f"{n + 41}件", "occurrence": 0, "phrase": "作出行政处罚决定",
                         "id": "active.penalty.decisions"}]} for n in range(3)]
    (tmp_path / "annotations" / "own").mkdir()
    (tmp_path / "annotations" / "own" / "sentences.json").write_text(json.dumps(own, ensure_ascii=False),
                                                                     encoding="utf-8")
    meta = train_from_project(tmp_path / "models", "gold", tmp_path / "annotations")
    assert (tmp_path / "models" / linker_config()["model_name"] / "linker.joblib").exists()
    assert meta["source"] == "gold" and meta["own_paragraphs"] == len(own)
    assert meta["training_size"]["examples"] == len(seed) + len(own)
    assert meta["policy"]["policy"] in ("rules", "learned", "combined", "edges")
    assert meta["dev"]["rules"]["phrase"]["tp"] > 0
    assert "rules_choice" in meta["importance"]["permutation"]


def test_ids_a_later_forms_report_may_state_in_prose(spec_mapper):
    # a 2021 report's email requests or website count are concepts its own form dropped: the mapper may name them,
    # but not the pre-2019 ids the later form names otherwise or splits (guidelines 2.4; configs/link.yml form_ids)
    from govreport.link.features import form_indicator_ids, mappable_ids

    allowed = mappable_ids("v2021")
    assert {"requests.received.email", "active.via.website", "requests.new.total"} <= allowed
    assert not {"requests.received", "requests.answered.denied"} & allowed
    assert spec_mapper.map("电子邮件申请", allowed=allowed).id == "requests.received.email"
    assert "requests.new.total" not in mappable_ids("pre2019") and mappable_ids(None) is None
    # the ids of the form's own tables stay the form's (the id judge reads them)
    assert "active.via.website" not in form_indicator_ids("v2021")
