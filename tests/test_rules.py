"""Rule-based spans (src/govreport/spans/rules.py) on the seeds, on ../shared/corpus and on tiny fixtures.

Seed sentences are quoted (they are ours); ../shared/corpus passages are located at run time by short figure
strings, never quoted. Offsets are into the normalised text, ``end`` exclusive.
"""

import json
import re
from functools import cache

import pytest

from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR
from govreport.normalize import normalize_text
from govreport.spans.rules import exclusions, find_spans

LABELS = {"COUNT", "MEASURE", "DATE", "ORG"}


@cache
def report_years() -> dict[str, int]:
    years = {}
    for folder in (CORPUS_DIR, SHARED_CORPUS_DIR):
        for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            years[row["file"]] = row["report_year"]
    return years


@cache
def normalised(path) -> str:
    return normalize_text(path.read_text(encoding="utf-8"))[0]


@cache
def spans_of(path) -> tuple:
    return tuple(find_spans(normalised(path), report_years()[path.name]))


def seed(prefix: str):
    return next(CORPUS_DIR.glob(f"{prefix}_*.txt"))


def corpus_files() -> list:
    shared = sorted(SHARED_CORPUS_DIR.glob("*.txt")) + sorted(SHARED_CORPUS_DIR.glob("*.md"))
    return sorted(CORPUS_DIR.glob("*.txt")) + shared


def span_at(path, anchor: str, surface: str, nth: int = 0):
    """The span whose text is ``surface`` inside the first occurrence of ``anchor`` (asserted present)."""
    text = normalised(path)
    base = text.find(anchor)
    assert base >= 0, f"{anchor!r} not in {path.name}"
    offset = base - 1
    for _ in range(nth + 1):
        offset = anchor.index(surface, offset - base + 1) + base
    found = [s for s in spans_of(path) if s.start == offset and s.end == offset + len(surface)]
    assert found, f"no span [{offset}, {offset + len(surface)}) {surface!r}; overlapping: " + str(
        [(s.text, s.label) for s in spans_of(path) if s.start < offset + len(surface) and offset < s.end])
    return found[0]


def no_span_in(path, anchor: str, part: str | None = None):
    """No span overlaps ``part`` (default: the whole anchor) of the anchor's first occurrence."""
    text = normalised(path)
    base = text.find(anchor)
    assert base >= 0, f"{anchor!r} not in {path.name}"
    start = base + (anchor.index(part) if part else 0)
    end = start + len(part or anchor)
    hits = [(s.text, s.label) for s in spans_of(path) if s.start < end and start < s.end]
    assert not hits, f"spans inside {part or anchor!r}: {hits}"


# ---------------------------------------------------------------- seeds: figures

FIGURES = [
    # (seed, sentence, span text, label, value, unit, multiplier, approx)
    ("000", "2016年,全市共举办政务公开工作培训班22场(次),培训人数达1000多人次,取得了良好成效。",
     "22场(次)", "COUNT", 22, "场(次)", None, None),
    ("000", "2016年,全市共举办政务公开工作培训班22场(次),培训人数达1000多人次,取得了良好成效。",
     "1000多人次", "COUNT", 1000, "人次", None, "多"),
    ("000", "咸宁发布微信公众号有粉丝12000余名,全年发布360天,发布文章1446篇",
     "12000余名", "COUNT", 12000, "名", None, "余"),
    ("000", "咸宁发布微信公众号有粉丝12000余名,全年发布360天,发布文章1446篇",
     "360天", "MEASURE", 360, "天", None, None),
    ("000", "全年共发布微博2258 篇,点赞数476 次,转发量208次", "2258 篇", "COUNT", 2258, "篇", None, None),
    ("000", "新浪微博粉丝接近2000名", "接近2000名", "COUNT", 2000, "名", None, "接近"),
    ("000", "全市投入财政专项扶贫资金2.5亿元,其中市本级投入4780万元,是2015年的4倍",
     "2.5亿元", "MEASURE", 250000000, "亿元", 100000000, None),
    ("000", "全市投入财政专项扶贫资金2.5亿元,其中市本级投入4780万元,是2015年的4倍",
     "4780万元", "MEASURE", 47800000, "万元", 10000, None),
    ("000", "全市投入财政专项扶贫资金2.5亿元,其中市本级投入4780万元,是2015年的4倍",
     "4倍", "MEASURE", 4, "倍", None, None),
    # money implied by the context (经费): a MEASURE with the multiplier as its only written unit
    ("000", "全年向政府网站编辑部拨付40万建设经费", "40万", "MEASURE", 400000, "万", 10000, None),
    ("000", "平均年报率94.94%,其中企业年报率91.21%", "94.94%", "MEASURE", 94.94, "%", None, None),
    ("000", "全市四大行业营改增纳税人实现减税3026.51万元", "3026.51万元", "MEASURE", 30265100, "万元", 10000, None),
    ("000", "落实1.6升及以下排量车购税减半征收优惠政策", "1.6升", "MEASURE", 1.6, "升", None, None),
    ("000", "发放宣传资料10万余份", "10万余份", "COUNT", 100000, "份", 10000, "余"),
    ("000", "在孵实体就业人数3.7万人次", "3.7万人次", "COUNT", 37000, "人次", 10000, None),
    ("000", "目前,我市政府信息公开事项分为7大类、81子类、205个小项", "81子类", "COUNT", 81, "子类", None, None),
    ("001", "2017年,桃源县累计主动公开政府信息135000条", "135000条", "COUNT", 135000, "条", None, None),
    ("001", "全县政务公开绩效考核权重提高到10分", "10分", "MEASURE", 10, "分", None, None),
    ("001", "安排政府信息公开经费约20万元", "约20万元", "MEASURE", 200000, "万元", 10000, "约"),
    ("001", "整体提速率达50%以上", "50%以上", "MEASURE", 50, "%", None, "以上"),
    ("003", "合肥市政府信息公开网共发布信息24.8万条", "24.8万条", "COUNT", 248000, "条", 10000, None),
    ("003", "截至目前,“政务公开之窗”已刊登七期", "七期", "COUNT", 7, "期", None, None),
    ("003", "累计培训近500人", "近500人", "COUNT", 500, "人", None, "近"),
    ("003", "合肥市政府信息公开网访问量达到了11余万人次", "11余万人次", "COUNT", 110000, "人次", 10000, "余"),
    # 内 after a duration is inside the figure, like 以内 (guidelines, adjudicated)
    ("003", "平均12个工作日内回复", "12个工作日内", "MEASURE", 12, "个工作日", None, "内"),
]


@pytest.mark.parametrize("doc, sentence, surface, label, value, unit, multiplier, approx", FIGURES)
def test_seed_figures(doc, sentence, surface, label, value, unit, multiplier, approx):
    span = span_at(seed(doc), sentence, surface)
    assert span.label == label
    assert (span.value, span.unit, span.multiplier, span.approx) == (value, unit, multiplier, approx)
    assert span.method == "rules"


def test_seed_range():
    span = span_at(seed("003"), "项目金额在10万元至50万元之间", "10万元至50万元")
    assert (span.label, span.value, span.range, span.unit) == ("MEASURE", None, (100000, 500000), "万元")


# ---------------------------------------------------------------- seeds: dates

DATES = [
    ("000", "2016年,全市共举办政务公开工作培训班22场(次)", "2016年", "2016"),
    ("000", "我市于8月19日举办了全市政务公开工作培训会议", "8月19日", "2016-08-19"),
    ("000", "2016年6至7月 ,咸宁市遭遇特大暴雨洪涝灾害", "2016年6至7月", "2016-06/2016-07"),
    ("000", "本报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止",
     "2016年1月1日起至2016年12月31日", "2016-01-01/2016-12-31"),
    ("000", "并于2016年5月底通过市政府门户网站", "2016年5月底", "2016-05"),
    ("000", "日期:2017-03-10 字号:", "2017-03-10", "2017-03-10"),
    ("001", "并确保2018年7月1 日全面进驻办公", "2018年7月1 日", "2018-07-01"),
    ("001", "截至2017年底,我县政府信息公开工作运行正常", "2017年底", "2017-12"),
    ("001", "桃源县2017年度共受理政府信息公开申请210件", "2017年度", "2017"),
    ("002", "其中共计公开45条梁子湖区征地信息(2015年-2020年)", "2015年-2020年", "2015/2020"),
    ("002", "11月中旬组织了全区政务公开工作推进会", "11月中旬", "2020-11"),
    ("004", "本报告内容涵盖临沧市2018年1月1日至12月31日期间", "2018年1月1日至12月31日", "2018-01-01/2018-12-31"),
]


@pytest.mark.parametrize("doc, sentence, surface, iso", DATES)
def test_seed_dates(doc, sentence, surface, iso):
    span = span_at(seed(doc), sentence, surface)
    assert (span.label, span.iso) == ("DATE", iso)


# ---------------------------------------------------------------- seeds: organs

ORGS = [
    ("000", "由咸宁市人民政府办公室编制本年度报告", "咸宁市人民政府办公室"),
    ("000", "领导小组办公室设在市政府办公室,日常工作由市政府办公室信息室承担", "市政府办公室"),
    ("000", "领导小组办公室设在市政府办公室,日常工作由市政府办公室信息室承担", "市政府办公室信息室"),
    ("000", "同时,市政府办公室联合市保密局不定期对各地各单位信息公开情况进行督查", "市保密局"),
    ("000", "依托湖北省环保厅企业自行监测信息发布平台", "湖北省环保厅"),
    ("001", "由桃源县政务公开办编制", "桃源县政务公开办"),
    ("001", "县政务公开办、县政务中心、县电子政务办领导和工作人员", "县政务中心"),
    ("002", "成立了以区政府办公室主任为组长、区行政审批局局长为副组长", "区行政审批局"),
    ("002", "在新一轮的机构改革中组建了梁子湖区行政审批局", "梁子湖区行政审批局"),
    ("004", "市政府办公室、市委编办、市国家保密局、市政府新闻办、市发改委、市财政局", "市发改委"),
    ("004", "市财政局、市人力资源和社会保障局、市工信委", "市人力资源和社会保障局"),
    ("004", "12月14日,市委宣传部、市扫黑除恶专项斗争领导小组办公室、市中级人民法院", "市扫黑除恶专项斗争领导小组办公室"),
]


@pytest.mark.parametrize("doc, sentence, surface", ORGS)
def test_seed_orgs(doc, sentence, surface):
    assert span_at(seed(doc), sentence, surface).label == "ORG"


@pytest.mark.parametrize(
    "doc, sentence, part",
    [
        ("000", "各县市区、市政府各部门也成立了相应的工作机构", "各县市区"),  # 各县, 县市区: no organ
        ("000", "纳入县市区政府和市政府部门绩效考评", "县市区政府"),  # 县市区政府 is every county's government
        ("002", "12月参加了全市政府网站信息报送人员培训", "全市政府网站"),  # 全市 is no organ's level
        ("001", "逐一分解到县直各单位、乡镇人民政府", None),  # 县直, 乡镇: no organ named
        ("004", "临沧市政务服务网上大厅办件总量", None),  # a website's hall is no organ
        ("000", "加强与智慧社区平台", None),  # 社区 is no district
        # an organ name that only modifies a noun: a website, its departments as a class (guidelines)
        ("000", "通过市发改委门户网站公开", "市发改委"),
        ("000", "在市环保局网站设立了", "市环保局"),
        ("000", "各县市区、市政府各部门也成立了相应的工作机构", "市政府各部门"),
    ],
)
def test_seed_not_orgs(doc, sentence, part):
    path = seed(doc)
    text = normalised(path)
    base = text.find(sentence)
    assert base >= 0, f"{sentence!r} not in {path.name}"
    start = base + (sentence.index(part) if part else 0)
    end = start + len(part or sentence)
    assert not [s.text for s in spans_of(path) if s.label == "ORG" and s.start < end and start < s.end]


# ---------------------------------------------------------------- seeds: never figures

NEVER = [
    ("000", "(中办发〔2016〕8号)", None),
    ("000", "(鄂办发〔2016〕35号)", None),
    ("000", "联系电话:0715—8126218", "0715—8126218"),
    ("000", "(http://www.xianning.gov.cn)", None),
    ("000", "《规定》第十三条明确规定", "第十三条"),
    ("000", "第三十八条第二款规定", None),
    ("000", "《湖北省国家税务局关于贯彻落实减征1.6升及以下排量乘用车车辆购置税有关问题的通知》", None),
    ("000", "《咸宁市2015—2016年度医疗卫生机构拟采购的医用耗材和检验试剂网上集中招标采购》", None),
    ("000", "一、政府信息公开工作基本情况", "一、"),
    ("000", "(一)领导重视,机构健全。", "(一)"),
    ("000", "1.进一步完善了政务公开工作制度。", "1."),
    ("000", "始终保持前5位", "前5位"),
    ("001", "(桃政办函[2017]34号)", None),
    ("001", "《2017年度桃源县政务公开工作要点》", None),
    ("001", "电话:0736-6620322", "0736-6620322"),
    ("001", "1、健全考评机制", "1、"),
    ("001", "我们也还存在一些不足之处", None),
    ("002", "(鄂州政办发〔2020〕23号)", None),
    ("002", "第二十条第(一)项", None),
    ("002", "“12345市长热线”", None),
    ("002", "一是领导高度重视", None),
    ("004", "邮编:677000", None),
    ("004", "电子邮箱:lcsxxgk@163.com", None),
    ("004", "(www.lincang.gov.cn)", None),
    ("004", "电话:0883—2143207", None),
    ("004", "发布日期: 2019-02-11 11:30", "11:30"),
]


@pytest.mark.parametrize("doc, anchor, part", NEVER)
def test_seed_never_spans(doc, anchor, part):
    no_span_in(seed(doc), anchor, part)


# ---------------------------------------------------------------- seeds: table cells


def test_pipe_table_cell_is_a_count_without_unit():
    # | (一)主动公开政府信息数 (不同渠道和方式公开相同信息计1条) | 条 | 135000 |
    span = span_at(seed("001"), "| 条 | 135000 |", "135000")
    assert (span.label, span.value, span.unit) == ("COUNT", 135000, None)


def test_one_cell_per_line_table():
    anchor = "政府集中采购\n\n8\n\n10693.46万"
    count = span_at(seed("002"), anchor, "8")
    assert (count.label, count.value, count.unit) == ("COUNT", 8, None)
    money = span_at(seed("002"), anchor, "10693.46万")  # column 采购总金额: money
    assert (money.label, money.value, money.multiplier) == ("MEASURE", 106934600, 10000)


def test_bare_number_in_running_text_is_no_figure():
    no_span_in(seed("002"), "主动公开公共环境影响评价信息22通过", "22")


@pytest.mark.parametrize("text, surface, value", [
    ("局官方微博粉丝数8652，较上年有所增长。", "8652", 8652),
    ("门户网站年度访问量362815；", "362815", 362815),
    ("不予公开信息数37。", "37", 37),
])
def test_number_right_after_a_counts_label_is_a_count(text, surface, value):
    # GUIDELINES 1 COUNT: a number without unit that the text states as a quantity of the label before it
    (span,) = [s for s in find_spans(text) if s.label == "COUNT"]
    assert (span.text, span.value, span.unit) == (surface, value, None)


@pytest.mark.parametrize("text", [
    "受理数据开放申请5份后，",  # a unit: an ordinary figure, not the label's number
    "数2023年以来最多。",  # a date
    "报送数据3月底前完成。",  # no clause end after the number
])
def test_labelled_number_needs_a_clause_end(text):
    assert all(s.unit is not None or s.label == "DATE" for s in find_spans(text))


@pytest.mark.parametrize("text, surface, value, unit", [
    ("热线全年接听来电2.37万通，办结率99.1%。", "2.37万通", 23700, "通"),
    ("制定政府规章3部，拍摄普法微视频7部。", "3部", 3, "部"),
    ("在网站发布政策图解41幅。", "41幅", 41, "幅"),
])
def test_classifiers_of_calls_works_and_pictures(text, surface, value, unit):
    span = next(s for s in find_spans(text) if s.text == surface)
    assert (span.label, span.value, span.unit) == ("COUNT", value, unit)


@pytest.mark.parametrize("text, not_a_figure", [
    ("全县13部门联合开展检查，7通过验收。", "7通"),
    ("组织3部署会议，较上年增长9幅度明显。", "3部"),
    ("仍存在一种认为公开只是形式的看法。", "一种"),  # an article, not one kind counted
])
def test_classifier_inside_a_longer_word_is_no_unit(text, not_a_figure):
    assert not any(s.text == not_a_figure for s in find_spans(text))
    assert not any(s.text == "9幅" for s in find_spans(text))


# ---------------------------------------------------------------- ../shared/corpus (located at run time)

SHARED = [
    # (file, figure string, label, value, unit, approx, iso)
    ("fujian_pingtan_zone_2012.txt", "1913条", "COUNT", 1913, "条", None, None),
    ("fujian_pingtan_zone_2012.txt", "6.95%", "MEASURE", 6.95, "%", None, None),
    ("fujian_pingtan_zone_2012.txt", "二〇一三年一月", "DATE", None, None, None, "2013-01"),
    ("fujian_pingtan_zone_2012.txt", "2012年1月1日起至2012年12月31日", "DATE", None, None, None, "2012-01-01/2012-12-31"),
    ("fujian_pingtan_county_2011.txt", "二○一二年二月二十日", "DATE", None, None, None, "2012-02-20"),
    ("jiangsu_suqian_shuyang_county_2025.txt", "749 件", "COUNT", 749, "件", None, None),
    ("jiangsu_suqian_shuyang_county_2025.txt", "超八成", "MEASURE", 8, "成", "超", None),
    ("shanghai_stcsm_kewei_2024.md", "2024 年 1 月 1 日至 12 月 31 日", "DATE", None, None, None, "2024-01-01/2024-12-31"),
    ("shanghai_stcsm_kewei_2024.md", "393 件", "COUNT", 393, "件", None, None),
]


@pytest.mark.parametrize("name, surface, label, value, unit, approx, iso", SHARED)
def test_shared_corpus_spans(name, surface, label, value, unit, approx, iso):
    span = span_at(SHARED_CORPUS_DIR / name, surface, surface)
    assert (span.label, span.value, span.unit, span.approx, span.iso) == (label, value, unit, approx, iso)


@pytest.mark.parametrize(
    "name, pattern",
    [
        ("fujian_pingtan_zone_2012.txt", r"邮编：\d{6}"),
        ("fujian_pingtan_zone_2012.txt", r"电话：\d{8}"),
        ("fujian_pingtan_zone_2012.txt", r"[\w.]+@\w+\.com"),
        ("fujian_pingtan_zone_2012.txt", r"www\.[\w.]+"),
        ("fujian_pingtan_zone_2015.txt", r"[〔\[]\d{4}[〕\]]\d+号"),
        ("fujian_pingtan_zone_2019.txt", r"第二十条第（[一二三四五六七八九十]+）项"),
        ("jiangsu_suqian_shuyang_county_2025.txt", r"〔\d{4}〕\d+号"),
        ("shanghai_stcsm_kewei_2024.md", r"https?://[\w./]+"),
    ],
)
def test_shared_corpus_exclusions(name, pattern):
    path = SHARED_CORPUS_DIR / name
    matches = list(re.finditer(pattern, normalised(path)))
    assert matches, f"{pattern} not in {name}"
    for m in matches:
        hits = [s.text for s in spans_of(path) if s.start < m.end() and m.start() < s.end]
        assert not hits, f"spans in {m.group()!r}: {hits}"


# ---------------------------------------------------------------- whole corpus


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_span_invariants(path):
    text = normalised(path)
    spans = spans_of(path)
    assert spans, path.name
    titles = [m.span() for m in re.finditer(r"《[^《》\n]{0,200}》", text)]
    last_end = 0
    for s in spans:
        assert s.label in LABELS
        assert 0 <= last_end <= s.start < s.end <= len(text)  # sorted, not overlapping
        assert s.text == text[s.start:s.end]
        if s.label in ("COUNT", "MEASURE"):
            assert (s.value is None) != (s.range is None)
        if s.label == "DATE":
            assert s.iso, s.text
        assert not any(a <= s.start and s.end <= b for a, b in titles), f"span inside a title: {s.text}"
        last_end = s.end


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_anchored_scanning_matches_plain_scanning(path):
    text = normalised(path)
    year = report_years()[path.name]
    assert find_spans(text, year) == find_spans(text, year, anchored=False)
    assert exclusions(text) == exclusions(text, anchored=False)


# ---------------------------------------------------------------- tiny fixtures


@pytest.mark.parametrize(
    "text, surface, label, value, approx, iso",
    [
        ("全年共办理二十三件。", "二十三件", "COUNT", 23, None, None),
        ("共有10余家单位参加。", "10余家", "COUNT", 10, "余", None),
        ("于2017年3月19日印发。", "2017年3月19日", "DATE", None, None, "2017-03-19"),
        ("将于12月底前完成。", "12月底", "DATE", None, None, "2016-12"),
        ("分成2至3个小组。", "2至3个", "COUNT", None, None, None),
        ("每期10-15人。", "10-15人", "COUNT", None, None, None),
        ("累计发布信息5万余条,", "5万余条", "COUNT", 50000, "余", None),
        ("满意率达百分之九十。", "百分之九十", "MEASURE", 90, None, None),
        ("共有两个专家组。", "两个", "COUNT", 2, None, None),
    ],
)
def test_fixture_spans(text, surface, label, value, approx, iso):
    spans = find_spans(text, 2016)
    start = text.index(surface)
    found = [s for s in spans if (s.start, s.end) == (start, start + len(surface))]
    assert found, spans
    assert (found[0].label, found[0].value, found[0].approx, found[0].iso) == (label, value, approx, iso)


@pytest.mark.parametrize(
    "text",
    [
        "根据《条例》第十三条规定。",
        "第二十条第（一）项",
        "一、总体情况\n（二）主动公开\n(三)依申请公开\n1.加强领导\n2、完善制度",
        "详见〔2016〕8号文件和桃政办函[2017]34号。",
        "联系电话：0736-6620322，传真：0715—8126218。",
        "邮编：437000。",
        "网址：http://www.example.gov.cn/a/b.html 或 www.example.gov.cn。",
        "电子邮箱：abc123@163.com。",
        "《2016年度政务公开工作要点（共10条）》",
        "提供一条龙服务，十分重要，统一部署，逐一落实，上一年项目数量。",
        "把政务公开作为一项重要工作，列为一项重点任务。",
        "全市政府网站和各县市区政府。",
    ],
)
def test_fixture_never_spans(text):
    assert find_spans(text, 2016) == []


def test_anniversary_is_no_count_and_the_count_beside_it_stays():
    text = "围绕新中国成立70周年、建党一百周年召开新闻发布会3场。"
    assert [(s.text, s.value) for s in find_spans(text, 2019)] == [("3场", 3)]


def test_contact_label_without_colon_keeps_a_count():
    text = "接听咨询电话2500人次。"
    assert [(s.text, s.value) for s in find_spans(text)] == [("2500人次", 2500)]


# ---------------------------------------------------------------- spaCy component


def test_spacy_component_sets_ents_and_spans():
    import spacy

    nlp = spacy.blank("zh")  # character tokens
    nlp.add_pipe("govreport_rules", config={"report_year": 2016})
    text = normalised(seed("000"))
    doc = nlp(text)
    expected = [(s.start, s.end, s.label) for s in find_spans(text, 2016)]
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == expected
    assert len(doc.spans["rules"]) == len(expected)
    money = next(e for e in doc.ents if e.text == "2.5亿元")
    assert (money._.value, money._.unit, money._.multiplier) == (250000000, "亿元", 100000000)
    date = next(e for e in doc.ents if e.text == "8月19日")
    assert date._.iso == "2016-08-19"


def test_spacy_component_expands_to_word_tokens():
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.blank("zh")
    rules = nlp.add_pipe("govreport_rules")
    # a word tokenizer that glues the figure to the word before it: the span widens to whole tokens
    doc = Doc(nlp.vocab, words=["培训班22", "场(次)", ",", "人数", "达", "1000多人次"], spaces=[False] * 6)
    doc.user_data["report_year"] = 2016
    doc = rules(doc)
    assert [(e.text, e.label_, e._.value) for e in doc.ents] == [("培训班22场(次)", "COUNT", 22),
                                                                ("1000多人次", "COUNT", 1000)]


def test_org_rules_on_constructed_sentences():
    text = ("区环境与国土资源局、教育局、公安局等部门公开信息较多；根据《中华人民共和国政府信息公开条例》（国务院令第711号），"
            "县政府大院门口设立公开栏，请与区政府办公室联系（地址：某某区人民政府办公室，邮编：437000）。"
            "依据《上海市政府\n信息公开规定》，市政府与市委联合部署。")
    orgs = [s.text for s in find_spans(text) if s.label == "ORG"]
    # 与 inside a first unit's body; departments named without a level in a list; 国务院令 is a decree's
    # number, 县政府大院 a place, an organ in an address is none; nothing inside a title wrapped over a line
    # break; 市政府与市委 stays two organs
    assert orgs == ["区环境与国土资源局", "教育局", "公安局", "区政府办公室", "市政府", "市委"]


def test_a_first_line_addressing_the_report_is_no_organ():
    # a county's report sent to its city opens with the city's office and a colon: not the reporting body (constructed)
    from govreport.metadata import reporting_organ
    text = "某某市人民政府办公室：\n根据《条例》规定，现将某某县2020年政府信息公开工作情况报告如下。\n"
    assert reporting_organ(text) is None  # (the addressee's government had been taken: 某某市人民政府)
    assert reporting_organ("某某县人民政府\n根据《条例》规定，现将本县情况报告如下。\n") == "某某县人民政府"
