"""The trained INDICATOR phrase component: policies over known spans, units, scoring, a tiny training run."""

from __future__ import annotations

import pytest

from govreport.link import indicator_model as im
from govreport.link.rules import find_indicator_spans
from govreport.types import Span


def _span(start: int, end: int, method: str = "rules") -> Span:
    return Span("INDICATOR", start, end, "x" * (end - start), method=method)


LEXICON = [_span(0, 4), _span(10, 14)]
MODEL = [_span(0, 6, "model"), _span(20, 24, "model")]


def _offsets(spans):
    return [(s.start, s.end) for s in spans]


def test_policies_combine_lexicon_and_model_phrases():
    assert _offsets(im.combine(LEXICON, MODEL, "rules")) == [(0, 4), (10, 14)]
    assert _offsets(im.combine(LEXICON, MODEL, "model")) == [(0, 6), (20, 24)]
    # union: the lexicon keeps its boundaries, model phrases fill the gaps
    assert _offsets(im.combine(LEXICON, MODEL, "union")) == [(0, 4), (10, 14), (20, 24)]
    # model_boundaries: where they overlap the model's boundaries win
    assert _offsets(im.combine(LEXICON, MODEL, "model_boundaries")) == [(0, 6), (10, 14), (20, 24)]
    # fill: the union, which links only figures the lexicon's phrases leave unlinked (fill_unlinked)
    assert _offsets(im.combine(LEXICON, MODEL, "fill")) == [(0, 4), (10, 14), (20, 24)]
    assert _offsets(im.lexicon_only(im.combine(LEXICON, MODEL, "fill"))) == [(0, 4), (10, 14)]
    with pytest.raises(ValueError, match="unknown INDICATOR policy"):
        im.combine(LEXICON, MODEL, "best")


def test_score_counts_exact_phrases_outside_tables():
    examples = [("t" * 40, [(0, 4), (10, 14)], [(30, 40)])]
    s = im.score(examples, [[_span(0, 4), _span(10, 13), _span(32, 35)]])  # the last is inside a table
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 1)


def test_model_units_cover_every_line_with_a_figure_and_cut_long_ones():
    text = "第一行3件。\n\n第二行很长" + "。句子5条" * 300 + "\n无数字的一行\n末行12件"
    units = im.model_units(text)
    assert max(b - a for a, b in units) <= im.settings()["max_unit_chars"] + 10
    covered = "".join(text[a:b] for a, b in units)
    assert covered.replace("\n", "") == text.replace("\n", "").replace("无数字的一行", "")


def test_without_a_model_folder_the_lexicon_finds_the_phrases(tmp_path):
    finder, warning = im.load_indicator_finder(tmp_path / "missing")
    assert finder is find_indicator_spans and warning is None


def test_a_tiny_training_run_gives_a_finder_with_ids(tmp_path):
    texts = ["全年共受理政府信息公开申请15件，主动公开政府信息300条。", "本年度受理行政复议案件3件，行政诉讼2件。"]
    examples = []
    for i in range(12):
        text = texts[i % 2]
        examples.append((text, [(s.start, s.end) for s in find_indicator_spans(text)], []))
    assert all(spans for _, spans, _ in examples)  # the lexicon knows these phrases: the truth to learn
    summary = im.train_indicator_model(tmp_path, examples, examples[:2], work_dir=tmp_path / "work",
                                       overrides={"training.max_epochs": 2})
    assert summary["train"]["phrases"] == sum(len(e[1]) for e in examples)
    folder = tmp_path / im.settings()["model_name"]
    assert im.load_policy(folder) == im.settings()["default_policy"]
    nlp = im.load_indicator_model(folder)
    for text in texts:
        offsets = im.predict(nlp, text)
        assert all(0 <= a < b <= len(text) for a, b in offsets)
        spans = im.set_annotations(text, [(s.start, s.end) for s in find_indicator_spans(text)])
        assert [s.kb_id for s in spans] == [s.kb_id for s in find_indicator_spans(text)]
        assert all(s.method == "model" for s in spans)
    finder = im.IndicatorFinder(nlp, "union")
    lexicon = _offsets(find_indicator_spans(texts[0]))
    assert set(lexicon) <= set(_offsets(finder(texts[0])))


def test_evaluation_scores_the_lexicon_alone_without_an_indicator_model(tmp_path):
    from govreport.eval.suite import indicator_finders

    assert list(indicator_finders(tmp_path / "ner")) == ["lexicon"]
    assert list(indicator_finders(None)) == ["lexicon"]


def test_the_cv_choice_is_recorded_and_applied_only_when_configured(tmp_path):
    import srsly

    from govreport.training.crossval import apply_indicator_choice

    folder = tmp_path / im.settings()["model_name"]
    folder.mkdir()
    srsly.write_json(folder / "meta.json", {})
    report = {"indicators": {"chosen": {"policy": "union"}, "metric": "combined.phrase", "summary": {}}}
    assert apply_indicator_choice(report, tmp_path) == [str(folder / im.POLICY_FILE)]
    stored = srsly.read_json(folder / im.POLICY_FILE)
    assert stored["cv_choice"] == "union"
    expected = "union" if im.settings()["policy_from_cv"] else im.settings()["default_policy"]
    assert stored["policy"] == expected == im.load_policy(folder)
    assert apply_indicator_choice({}, tmp_path) == []  # a cv report without INDICATOR policies changes nothing


class _FillFinder:
    """A finder under the fill policy whose model adds one phrase (what IndicatorFinder gives, without a network)."""

    policy = "fill"

    def __init__(self, model_phrases):
        self.model_phrases = model_phrases

    def __call__(self, text):
        model = [Span("INDICATOR", text.index(p), text.index(p) + len(p), p, method="model")
                 for p in self.model_phrases]
        return im.combine(find_indicator_spans(text), model, "fill")


def test_fill_links_only_the_figures_the_lexicon_leaves_without_a_phrase():
    """A sentence of our own: the rules link 受理…申请 to 15件 and nothing to 81个; a model phrase for 81个 fills it,
    and a second pass that reads another phrase for a linked figure never moves its phrase."""
    import dataclasses

    from govreport.pipeline import Pipeline
    from govreport.types import Document

    text = "全年共受理政府信息公开申请15件，共有81个参加评审的预算单位。"
    doc = Document(text=text, path="own.txt", doc="own", format="txt")
    rules = Pipeline.from_config(None, use_model=False)
    before = {lk.figure.text: lk.indicator and lk.indicator.text for lk in rules(doc).links}
    assert before["81个"] is None and before["15件"]
    filled = Pipeline(rules.find_spans, rules.link, _FillFinder(["参加评审的预算单位"]))
    after = {lk.figure.text: lk.indicator and lk.indicator.text for lk in filled(doc).links}
    assert after == {**before, "81个": "参加评审的预算单位"}
    # the links of both passes, figure by figure: the first's unless it has no phrase and the second's has one
    first = rules(doc).links
    second = [dataclasses.replace(first[0], indicator=first[1].figure), *filled(doc).links[1:]]
    assert im.fill_unlinked(first, second) == [first[0], second[1]]
    with pytest.raises(ValueError):
        im.fill_unlinked(first, second[:1])
