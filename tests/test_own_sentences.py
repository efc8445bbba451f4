"""Linking on sentences of our own, written the way reports outside the corpus put them (a challenge set written
for this: changes, brackets and organs in breakdowns, 回应, a report without a table)."""

from __future__ import annotations

import pytest

from govreport.extract.reports import document_result
from govreport.indicators import indicator_units
from govreport.pipeline import Pipeline
from govreport.types import Document


@pytest.fixture(scope="module")
def rules():
    return Pipeline.from_config(None, use_model=False)


def _links(rules, text):
    analysis = rules(Document(text=text, path="own.txt", doc="own", format="txt"))
    return analysis, {lk.figure.text: (lk.indicator and lk.indicator.text, lk.canonical_id, lk.scope)
                      for lk in analysis.links}


def test_a_change_is_no_indicator_and_the_breakdown_after_it_keeps_its_parent(rules):
    _, links = _links(rules, "全市共受理政府信息公开申请1273件，比上年增长18.6%。其中市本级415件，县（市、区）858件。")
    assert links["18.6%"][0] is None
    # a bracket inside the subject: 县（市、区） is the part of the body the figure counts, no whole-body id
    assert links["415件"] == ("受理政府信息公开申请", None, "市本级")
    assert links["858件"] == ("受理政府信息公开申请", None, "县市区")
    _, links = _links(rules, "全市主动公开政府信息15.6万条，同比增长9.8%，较上年提高2.5个百分点。")
    assert links["9.8%"][0] is None and links["2.5个百分点"][0] is None
    assert links["15.6万条"][1] == "active.total"


def test_an_organ_in_a_breakdown_is_its_scope_not_its_phrase(rules):
    text = "某县人民政府2020年政府信息公开工作年度报告\n全县共受理政府信息公开申请74件，其中县自然资源局31件，县住建局19件。"
    _, links = _links(rules, text)
    assert links["31件"] == ("受理政府信息公开申请", None, "县自然资源局")
    assert links["19件"] == ("受理政府信息公开申请", None, "县住建局")


def test_a_phrase_ending_in_a_word_with_ying_keeps_it(rules):
    _, links = _links(rules, "回应公众关注热点45次，其中微博微信回应29次，其他方式回应16次。")
    assert links["29次"][:2] == ("微博微信回应", "response.weibo_wechat")
    assert links["16次"][:2] == ("其他方式回应", "response.other")


@pytest.mark.parametrize(("year", "form", "granted"), [(2016, "pre2019", "requests.answered.granted"),
                                                      (2020, "v2019", "requests.granted.total"),
                                                      (2023, "v2021", "requests.granted.total")])
def test_without_a_table_the_ids_follow_the_form_of_the_year_and_say_so(rules, year, form, granted):
    text = f"某县人民政府{year}年政府信息公开工作年度报告\n全县共受理政府信息公开申请74件，予以公开32件。"
    analysis, links = _links(rules, text)
    assert analysis.tables.form == "none" and analysis.ids_form == form
    assert links["32件"][1] == granted
    summary = document_result(analysis, indicator_units()).document
    assert summary["ids_form"] == form
    assert any(f"{form} form of its year ({year})" in w for w in summary["warnings"])


def test_without_a_year_or_a_table_no_form_is_assumed(rules):
    analysis, _ = _links(rules, "全县共受理政府信息公开申请74件，予以公开32件。")
    summary = document_result(analysis, indicator_units()).document
    assert analysis.ids_form == "none" and not summary["warnings"]


def test_other_outcomes_take_the_family_their_sentence_names_and_none_without_one(rules):
    _, links = _links(rules, "全年收到行政复议申请5件，其中结果维持3件，其他结果2件。")
    assert links["2件"][1] == "review.other"
    _, links = _links(rules, "本机关作出不同意公开答复11件，其中涉及国家秘密2件、其他情形9件。")
    assert links["9件"][1] is None
    _, links = _links(rules, "本机关作出不同意公开答复11件，其中涉及国家秘密2件、法律法规规定的其他情形9件。")
    assert links["9件"][:2] == ("法律法规规定的其他情形", "requests.answered.denied.other_law")


@pytest.mark.parametrize(("text", "figure", "indicator"), [
    ("政府网站公开3415条、政府公报公开126条、其他方式公开321条。", "321条", "active.via.other"),
    ("依申请提供政府信息共收取检索、复制、邮寄费用0元。", "0元", "fees.collected"),
    ("全市召开政府信息公开工作专题会议3次。", "3次", "training.meetings"),
    ("申请已全部办结，其中按时办结1876件，延期办结34件。", "34件", "requests.completed.extended"),
])
def test_spec_concepts_in_their_short_forms(rules, text, figure, indicator):
    _, links = _links(rules, "某市人民政府2012年政府信息公开工作年度报告\n" + text)
    assert links[figure][1] == indicator


def test_a_coordination_is_one_phrase_whose_head_id_is_withheld_unless_the_head_gathers_the_items(rules):
    analysis, links = _links(rules, "当面申请26件，网上申请23件，信函、传真和电子邮件申请共18件。")
    assert links["18件"][:2] == ("信函、传真和电子邮件申请", None)
    assert links["23件"][1] == "requests.received.online"
    assert {lk.withheld for lk in analysis.links} == {None, "coordinated"}
    _, links = _links(rules, "全县通过报刊、广播、电视等其他方式公开政府信息1520条。")
    assert links["1520条"][1] == "active.via.other"


def test_a_phrase_written_as_a_row_label_of_the_reports_request_table_takes_that_rows_id(rules):
    text = "某县人民政府{}年政府信息公开工作年度报告\n办理结果中，本机关不掌握相关政府信息31件，重复申请5件，补正后申请内容仍不明确2件。"
    _, links = _links(rules, text.format(2022))
    assert links["31件"][1] == "requests.unavailable.not_held.total"
    assert links["5件"][1] == "requests.not_processed.duplicate.total"
    assert links["2件"][1] == "requests.unavailable.unclear.total"
    _, links = _links(rules, text.format(2016))  # the pre-2019 form has no such rows
    assert links["5件"][1] is None and links["2件"][1] is None


def test_the_forms_request_outcomes_are_disclosure_work_even_beside_a_petition_row(rules):
    """信访举报投诉类申请 is a row of the 2019/2021 request table: its 信访 and 投诉 do not make the sentence other
    work (configs/link.yml other_work unless)."""
    text = "某区人民政府2022年政府信息公开工作年度报告\n本年度申请办理结果中，予以公开41件，信访举报投诉类申请3件，重复申请2件。"
    analysis, links = _links(rules, text)
    assert links["41件"][1] == "requests.granted.total"
    assert links["3件"][1] == "requests.not_processed.petition.total"
    assert links["2件"][1] == "requests.not_processed.duplicate.total"
    analysis, _ = _links(rules, "某区人民政府2022年政府信息公开工作年度报告\n全年政务服务窗口受理申请1200件，办结1180件。")
    assert [(lk.canonical_id, lk.withheld) for lk in analysis.links] == [(None, "other_work")] * 2  # still other work
    # the centre that did that work is a part of the body, read as the figures' scope under the title line
    analysis, _ = _links(rules, "某区人民政府2022年政府信息公开工作年度报告\n区政务服务中心窗口全年受理申请1200件，办结1180件。")
    assert [(lk.canonical_id, lk.withheld, lk.scope) for lk in analysis.links] == [
        (None, "partial_scope", "区政务服务中心")] * 2


def test_a_part_named_in_brackets_opens_after_han(rules):
    _, links = _links(rules, "某区人民政府2022年政府信息公开工作年度报告\n本年新收政府信息公开申请318件（含法律服务机构申请7件）。")
    assert links["7件"][:2] == ("法律服务机构申请", "requests.new.legal")
