"""Statistical tables → canonical indicator values.

The corpus tests read every table-bearing report of corpus/ and ../shared/corpus at run time (through
ingest, PDFs and web pages included) and compare the parser with tests/expected/*.expected.json, written
by reading the reports. The fixture tests are tiny tables written here.
"""

import json
import re
import time

import pytest

from govreport.config import SHARED_CORPUS_DIR
from govreport.indicators import spec_checks
from govreport.ingest import read_document
from govreport.normalize import normalize_text
from govreport.tables import CheckResult, TableResult, cross_year_checks, parse_tables
from govreport.tables.checks import IMPLEMENTED
from govreport.tables.expected import compare, expected_files, load_expected, same, table_bearing_documents
from govreport.tables.years import refine_across_years
from govreport.types import Document

EXPECTED = expected_files()


def doc_of(raw: str, name: str = "fixture") -> Document:
    text, offset_map, _ = normalize_text(raw)
    return Document(doc=name, path=f"{name}.txt", format="txt", text=text, offset_map=offset_map)


def value(result: TableResult, indicator: str, measure: str = "value"):
    cell = result.cell(indicator, measure)
    assert cell is not None, f"{indicator} ({measure}) not read"
    return cell.value


# --- the corpus ---------------------------------------------------------------------------------------------


def test_every_table_bearing_document_has_an_expected_file(shared_corpus_dir):
    names = {p.name.removesuffix(".expected.json") for p in EXPECTED}
    docs = table_bearing_documents()
    assert len(docs) >= 20
    missing = [p.name for p in docs if p.stem not in names]
    assert not missing


@pytest.fixture(scope="module")
def parsed():
    """Every document with an expected file, parsed once: (expected, result, document)."""
    out = {}
    for path in EXPECTED:
        expected = load_expected(path)
        doc = read_document(expected["path"])
        out[expected["doc"]] = (expected, parse_tables(doc), doc)
    return out


@pytest.mark.parametrize("name", [p.name.removesuffix(".expected.json") for p in EXPECTED])
def test_parser_reproduces_the_expected_values(parsed, name):
    expected, result, doc = parsed[name]
    comp = compare(result, expected)
    assert result.form == expected["form"]
    assert comp.mismatches == []
    # values a reader can settle are read, with certainty; the others are flagged and keep the true value
    # among their alternatives (the best-ranked split need not be the true one)
    assert comp.exact_certain == comp.values
    assert comp.ambiguous_covered == comp.ambiguous
    assert comp.undetermined_flagged == comp.undetermined
    # every number that was read points at its digits in the text
    for cell in result.values + result.cumulative:
        if cell.value is not None and cell.method != "split":
            assert cell.start is not None and doc.text[cell.start:cell.end] == cell.raw


def test_report_per_document(parsed, capsys):
    """Form, cells, uncertain cells, checks and the exact-match rate per document (shown with -s)."""
    rows = []
    for name, (expected, result, _) in sorted(parsed.items()):
        comp = compare(result, expected)
        rows.append(comp.to_dict())
        print(f"{name:38s} {result.form:8s} cells={comp.cells:4d} uncertain={comp.uncertain:3d} "
              f"checks pass={comp.checks_passed:2d} fail={comp.checks_failed} na={comp.checks_na:2d} "
              f"exact={comp.exact}/{comp.expected} ({comp.exact_rate:.1%})")
    total = sum(r["exact"] for r in rows) / sum(r["expected"] for r in rows)
    print(f"overall exact-match rate {total:.2%} over {sum(r['expected'] for r in rows)} cells")
    assert total > 0.99


def test_documents_without_tables_are_form_none():
    from govreport.config import CORPUS_DIR

    for name in ("000_cb4fdcd10949854b", "003_78b9ceb0a6821668", "004_1b79cd5621e28327"):
        result = parse_tables(read_document(CORPUS_DIR / f"{name}.txt"))
        assert result.form == "none" and result.values == [], name


def test_the_same_report_as_text_and_as_web_page_agrees(parsed):
    for year in (2016, 2020):
        _, text, _ = parsed[f"fujian_pingtan_zone_{year}"]
        _, web, _ = parsed[f"fujian_pingtan_zone_{year}_web"]
        certain = {c.indicator: c.value for c in text.values if not c.uncertain}
        assert certain
        for ind, v in certain.items():
            assert same(web.value_of(ind), v), ind


def test_peer_project_values_for_table_2():
    """../shared/corpus/expected holds table-2 values of the Shanghai report from a peer project's tests."""
    peer = json.loads((SHARED_CORPUS_DIR / "expected" / "shanghai_stcsm_kewei_2024.expected.json").read_text())
    result = parse_tables(read_document(SHARED_CORPUS_DIR / "shanghai_stcsm_kewei_2024.md"))
    t2 = peer["table_2"]
    ids = {("regulations", "made"): "active.rules.issued", ("regulations", "repealed"): "active.rules.repealed",
           ("regulations", "valid"): "active.rules.in_force",
           ("normativeDocuments", "made"): "active.normative.issued",
           ("normativeDocuments", "repealed"): "active.normative.repealed",
           ("normativeDocuments", "valid"): "active.normative.in_force",
           ("licensing", "processed"): "active.licensing.decisions",
           ("punishment", "processed"): "active.penalty.decisions",
           ("coercion", "processed"): "active.enforcement.decisions", ("fees", "amount"): "active.fees.amount"}
    for (group, key), ind in ids.items():
        assert same(value(result, ind), t2[group][key]), ind


def test_blank_template_gives_nulls_not_zeros():
    """The blank 2021 Word template: every cell of the form is read, and every one is null."""
    result = parse_tables(read_document(SHARED_CORPUS_DIR / "templates" / "v2021_template.docx"))
    assert result.form == "v2021"
    assert len(result.values) == 10 + 25 * 7 + 15
    assert all(c.value is None for c in result.values)
    assert {c.status for c in result.checks} == {"na"}


def test_checks_are_reported_with_their_numbers(parsed):
    # the Hongze PDF's table 4 says 10 upheld and 1 corrected but 0 in total: the check fails, with the numbers
    _, result, _ = parsed["jiangsu_huaian_hongze_2023"]
    review = next(c for c in result.checks if c.name == "review.total")
    assert review.status == "fail"
    assert review.numbers == {"review.total": 0, "review.upheld": 10, "review.corrected": 1, "review.other": 0,
                              "review.pending": 0}
    _, result, _ = parsed["jiangsu_huaian_city_2024"]
    assert {c.status for c in result.checks} == {"pass"}
    names = {c.name for c in result.checks}
    assert {"requests.balance.total", "requests.results.total", "requests.row_total.granted", "review.total",
            "litigation.direct.total", "litigation.after_review.total"} <= names


def test_every_spec_check_is_implemented():
    assert sorted(IMPLEMENTED) == list(range(len(spec_checks())))


def test_parsing_takes_milliseconds(parsed):
    docs = [doc for _, _, doc in parsed.values()]
    start = time.perf_counter()
    for doc in docs:
        parse_tables(doc)
    per_doc = (time.perf_counter() - start) / len(docs)
    assert per_doc < 0.1, f"{per_doc * 1000:.0f} ms per document"


# --- shapes and rules on tiny tables ------------------------------------------------------------------------

PRE2019_PIPE = """附件
| 统 计 指 标 | 单位 | 统计数 |
| (一)收到申请数 | 件 | 12 |
| 1.当面申请数 | 件 |  |
| 2.传真申请数 | 件 | - |
| 3.网络申请数 | 件 | 9 |
| 4.信函申请数 | 件 | 3 |
| 四、行政复议数量 | 件 | 2 |
| (一)维持具体行政行为数 | 件 | 1 |
| (二)被依法纠错数 | 件 | 1 |
| (三)其他情形数 | 件 | 无 |
| 五、行政诉讼数量 | 件 | 1 |
| (一)维持具体行政行为或者驳回原告诉讼请求数 | 件 | 0 |
| (二)被依法纠错数 | 件 | 1 |
| (三)其他情形数 | 件 | 0 |
"""


def test_blank_and_null_cells_are_null_and_shift_nothing():
    result = parse_tables(doc_of(PRE2019_PIPE))
    assert result.form == "pre2019"
    assert value(result, "requests.received.in_person") is None
    assert value(result, "requests.received.fax") is None
    assert value(result, "requests.received.online") == 9
    assert value(result, "requests.received.mail") == 3
    assert value(result, "review.other") is None
    # the same label under 行政复议 and 行政诉讼 goes to the section it stands in
    assert value(result, "review.corrected") == 1 and value(result, "litigation.corrected") == 1
    assert value(result, "litigation.upheld") == 0
    statuses = {c.name: c.status for c in result.checks}
    assert statuses["requests.received.channels"] == "na"  # blank channels: not assessable
    assert statuses["litigation.total"] == "pass"
    assert statuses["review.total"] == "na"


V2019_LINES = """二、主动公开政府信息情况

第二十条第(一)项

信息内容

本年新制作数量

本年新公开数量

对外公开总数量

规章

1



3

规范性文件

2

-

5

第二十条第(六)项

信息内容

上一年项目数量

本年增/减

处理决定数量

行政处罚

14

-3

11

三、收到和处理政府信息公开申请情况

一、本年新收政府信息公开申请数量

1

0

0

0

0

0

1
"""


def test_one_cell_per_line_blank_lines_are_blank_cells_and_negatives_stay():
    result = parse_tables(doc_of(V2019_LINES))
    assert result.form == "v2019"
    assert value(result, "active.rules.new_made") == 1
    assert value(result, "active.rules.new_published") is None  # the extra empty line is a blank cell
    assert value(result, "active.rules.total_published") == 3
    assert value(result, "active.normative.new_published") is None  # '-'
    assert value(result, "active.normative.total_published") == 5
    assert value(result, "active.penalty.change") == -3
    assert value(result, "requests.new.total") == 1
    assert not any(c.uncertain for c in result.values)


# synthetic numbers in the layout of a v2019 report flattened into one line
RUN_ON_V2019 = ("二、主动公开政府信息情况第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可5270292"
                "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
                "一、本年新收政府信息公开申请数量170 000017二、上年结转政府信息公开申请数量0000000"
                "四、结转下年度继续办理 0 0 00 00 0 五、存在的主要问题及改进情况")


def test_digit_runs_are_split_and_ambiguous_splits_keep_alternatives():
    result = parse_tables(doc_of(RUN_ON_V2019))
    assert result.form == "v2019"
    # the row total pins the split of 170 000017: 17|0|0|0|0|0|17
    assert [value(result, f"requests.new.{c}") for c in
            ("natural_person", "business", "research", "nonprofit", "legal", "other_org", "total")] == [
        17, 0, 0, 0, 0, 0, 17]
    assert not result.cell("requests.new.total").uncertain
    assert value(result, "requests.carried_forward.total") == 0
    # 5270292 under 上一年项目数量 | 本年增/减 | 处理决定数量 has no arithmetic: uncertain, alternatives kept
    cell = result.cell("active.licensing.prev_items")
    assert cell.uncertain and cell.method == "split"
    assert 527 in cell.alternatives and len(cell.alternatives) > 1
    assert 292 in result.cell("active.licensing.decisions").alternatives


# synthetic numbers in the layout of a Fujian table whose separators were lost (the example had this shape; these digits are made up)
FUJIAN = ("七、政府信息公开情况统计表 指标名称计量单位2017年度历年累计主动公开文件数条271064935其中：1、政府网站公开数条"
          "2710649352、政府公报公开数条00受理依申请公开信息总数条933其中：1、当面申请数条0212、网上申请数条553、"
          "信函、传真申请数条47")


def test_fujian_runs_split_by_parent_sums_and_narrative():
    result = parse_tables(doc_of(FUJIAN))
    assert result.form == "pre2019"
    # 933 = 9 | 33 (93 | 3 would put more in one year than in all years); 021 = 0 | 21; 3. is an item number
    assert (value(result, "requests.received"), value(result, "requests.received", "cumulative")) == (9, 33)
    assert value(result, "requests.received.in_person", "cumulative") == 21
    assert value(result, "requests.received.mail_fax") == 4
    # 271064935 has three splits that satisfy every sum: uncertain, the true one among the alternatives
    cell = result.cell("active.total")
    assert cell.uncertain and 2710 in cell.alternatives
    # the narrative states 2710: one split is left
    result = parse_tables(doc_of("2017年全县主动公开政府信息2710条。" + FUJIAN))
    assert value(result, "active.total") == 2710 and not result.cell("active.total").uncertain
    assert value(result, "active.total", "cumulative") == 64935
    assert value(result, "active.via.website", "cumulative") == 64935


MATRIX_ROWS_WITHOUT_LABELS = """三、收到和处理政府信息公开申请情况
申请人情况
| 一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |
| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 三、本年度办理结果 | （一）予以公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |

（二）部分公开（区分处理的，只

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2.其他法律行政法规禁
止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def test_rows_without_labels_are_placed_between_recognised_rows():
    result = parse_tables(doc_of(MATRIX_ROWS_WITHOUT_LABELS + "第二十条第（一）项 本年制发件数"))
    assert value(result, "requests.granted.total") == 2
    cell = result.cell("requests.partial.natural_person")
    assert cell.value == 1 and cell.method == "order" and not cell.uncertain
    assert value(result, "requests.denied.state_secret.total") == 0


SPLIT_LABEL_OCR = """三、收到和处理政府信息公开申请情况
申请人情况 自然人 法人或其他组织 总计
一、本年新收政府信息公开申请数量 4 0 0 0 0 0 4
（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0
2.其他法律行政法规禁
止公开 1 0 0 0 0 0 1
3.危及“三安全一稳定” 0 0 0 0 0 0 0
"""


def test_labels_split_over_lines_are_matched():
    result = parse_tables(doc_of(SPLIT_LABEL_OCR + "本年制发件数 现行有效件数"))
    assert result.form == "v2021"
    assert value(result, "requests.denied.prohibited_by_law.natural_person") == 1
    assert value(result, "requests.denied.three_security.total") == 0


def test_review_litigation_cells_in_official_order_and_checks():
    text = ("第二十条第（一）项 本年制发件数 本年新收政府信息公开申请数量\n"
            "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
            "| 1 | 0 | 1 | 0 | 2 | 0 | 0 | 0 | 1 | 1 | 3 | 0 | 0 | 0 | 5 |\n")
    result = parse_tables(doc_of(text))
    assert value(result, "review.total") == 2 and value(result, "litigation.direct.pending") == 1
    statuses = {c.name: c.status for c in result.checks}
    assert statuses["review.total"] == "pass"
    assert statuses["litigation.direct.total"] == "pass"
    assert statuses["litigation.after_review.total"] == "fail"


def test_cross_year_check_by_organ():
    def result(over, forward):
        from govreport.tables import CellValue

        return TableResult("v2021", [CellValue("requests.carried_over.total", over, "件"),
                                     CellValue("requests.carried_forward.total", forward, "件")])

    checks = cross_year_checks([("甲", 2022, result(0, 3)), ("甲", 2023, result(3, 1)), ("甲", 2024, result(2, 0)),
                                ("乙", 2023, result(1, 1))])
    assert [(c.name.rsplit(".", 1)[1], c.status) for c in checks] == [("2022-2023", "pass"), ("2023-2024", "fail")]
    assert isinstance(checks[0], CheckResult) and checks[1].numbers == {
        "requests.carried_forward.total@2023": 1, "requests.carried_over.total@2024": 2}


def test_consecutive_years_narrow_splits_a_report_leaves_open(parsed):
    """上一年项目数量 of 2020 = 上一年项目数量 + 本年增/减 of 2019 settles most of 2019's table 2."""
    (exp19, _, doc19), (exp20, _, doc20) = parsed["fujian_pingtan_zone_2019"], parsed["fujian_pingtan_zone_2020"]
    r19, r20 = parse_tables(doc19), parse_tables(doc20)
    before = compare(r19, exp19)
    settled = refine_across_years([("平潭综合实验区", 2019, r19), ("平潭综合实验区", 2020, r20)])
    assert settled >= 10
    after = compare(r19, exp19)
    assert after.mismatches == [] and after.uncertain < before.uncertain and after.exact > before.exact
    for ind in ("active.licensing.prev_items", "active.licensing.change", "active.licensing.decisions",
                "active.penalty.decisions", "active.fees.prev_items", "active.fees.change"):
        cell = r19.cell(ind)
        assert not cell.uncertain and same(cell.value, exp19["ambiguous"][(ind, "value")]), ind
    assert not r20.cell("active.licensing.prev_items").uncertain
    assert compare(r20, exp20).mismatches == []


# --- the same tables in other shapes: seeds rewritten, a PDF's bare text --------------------------------

def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


SEED_SHAPES = {
    "one row per line": lambda t: "\n".join(" ".join(_cells(x)) if x.startswith("|") else x for x in t.split("\n")),
    "separators lost": lambda t: "\n".join("".join(_cells(x)) if x.startswith("|") else x for x in t.split("\n")),
    "separators and lines lost": lambda t: "".join("".join(_cells(x)) if x.startswith("|") else x + "\n"
                                                   for x in t.split("\n")),
    "one cell per line": lambda t: "\n".join("\n".join(_cells(x)) if x.startswith("|") else x for x in t.split("\n")),
    "single line breaks": lambda t: re.sub(r"\n\n", "\n", t),
    "cells joined by blanks": lambda t: re.sub(r"\n+", " ", t),
    "traditional script": lambda t: __import__("opencc").OpenCC("s2t").convert(t),
}


@pytest.mark.parametrize("seed", ["001_9aef50f578a0bdd8", "002_e3707fa816bf0655"])
@pytest.mark.parametrize("shape", sorted(SEED_SHAPES))
def test_seed_tables_in_other_shapes(parsed, seed, shape):
    expected, _, _ = parsed[seed]
    raw = expected["path"].read_text(encoding="utf-8")
    result = parse_tables(doc_of(SEED_SHAPES[shape](raw), seed))
    comp = compare(result, expected)
    assert result.form == expected["form"]
    assert comp.mismatches == [] and comp.exact_certain == comp.values


def test_pdf_text_without_table_structure():
    """The PDF's bare text (no table objects): numbers on lines, labels split and placed below their numbers."""
    import pdfplumber

    name = "jiangsu_huaian_city_2024"
    with pdfplumber.open(SHARED_CORPUS_DIR / f"{name}.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    expected = load_expected(next(p for p in EXPECTED if p.name.startswith(name)))
    comp = compare(parse_tables(doc_of(text, name)), expected)
    assert comp.mismatches == [] and comp.exact_certain == comp.values


# A web page in the 2019 format with merged cells (colspan) in table 2 and &nbsp; for blank cells.
MERGED_CELLS_HTML = """<html><head><title>2019年政府信息公开工作年度报告</title></head><body><div class="article">
<p>二、主动公开政府信息情况</p>
<table border="1"><tbody>
<tr><td colspan="5"><p align="center">第二十条第（一）项</p></td></tr>
<tr><td>信息内容</td><td>本年新<br />制作数量</td><td colspan="2">本年新<br />公开数量</td><td>对外公开总数量</td></tr>
<tr><td>规章</td><td>13</td><td colspan="2">13</td><td>524</td></tr>
<tr><td>规范性文件</td><td>60</td><td colspan="2">60</td><td>368</td></tr>
<tr><td colspan="5">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td colspan="2">本年增/减</td><td>处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="2">0</td><td>0</td><td>0</td></tr>
<tr><td colspan="5">第二十条第（九）项</td></tr>
<tr><td>信息内容</td><td colspan="2">采购项目数量</td><td colspan="2">采购总金额</td></tr>
<tr><td>政府集中采购</td><td colspan="2">6</td><td colspan="2">251000元</td></tr>
</tbody></table>
<p>三、收到和处理政府信息公开申请情况</p>
<table border="1"><tbody>
<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>821</td><td>35</td><td>&nbsp;</td><td>&nbsp;</td><td>2</td><td>1</td><td>859</td></tr>
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>258</td><td>12</td><td>&nbsp;</td><td>&nbsp;</td><td>1</td><td>1</td><td>&nbsp;</td></tr>
<tr><td rowspan="1">（三）不予公开</td><td>1.属于国家秘密</td><td>14</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td></tr>
<tr><td colspan="3">四、结转下年度继续办理</td><td>72</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>72</td></tr>
</tbody></table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table border="1"><tbody>
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>
<tr><td>5</td><td>&nbsp;</td><td>&nbsp;</td><td>2</td><td>7</td><td>8</td><td>&nbsp;</td><td>&nbsp;</td><td>1</td><td>9</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td></tr>
</tbody></table>
<p>五、政府信息公开工作存在的主要问题及改进情况</p>
</div></body></html>
"""


def test_merged_cells_and_nbsp_blanks_of_a_web_page(tmp_path):
    path = tmp_path / "merged.html"
    path.write_text(MERGED_CELLS_HTML, encoding="utf-8")
    result = parse_tables(read_document(path))
    assert result.form == "v2019"
    # colspan leaves empty places in the grid: they are not cells
    assert [value(result, f"active.rules.{c}") for c in ("new_made", "new_published", "total_published")] == [
        13, 13, 524]
    assert [value(result, f"active.licensing.{c}") for c in ("prev_items", "change", "decisions")] == [0, 0, 0]
    assert value(result, "active.procurement.projects") == 6
    assert value(result, "active.procurement.amount") == 25.1  # 251000元 in 万元
    # &nbsp; cells are null and keep their place
    assert [value(result, f"requests.new.{c}") for c in
            ("natural_person", "business", "research", "nonprofit", "legal", "other_org", "total")] == [
        821, 35, None, None, 2, 1, 859]
    assert value(result, "requests.granted.total") is None
    assert [value(result, f"review.{c}") for c in ("upheld", "corrected", "other", "pending", "total")] == [
        5, None, None, 2, 7]
    assert not any(c.uncertain for c in result.values)
    assert {c.name: c.status for c in result.checks}["review.total"] == "na"


RUN_ON_V2021_THEN_NARRATIVE = (
    "第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 1 0 2 "
    "行政规范性文件 3 1 4 第二十条第（八）项 信息内容 本年收费金额 行政事业性收费 52.7 "
    "(二)主动公开政府信息的主要类别本年度主动公开政府信息46条，其中政策解读9条；工作动态5条。"
    "三、收到和处理政府信息公开申请情况")


def test_a_table_flattened_into_a_line_ends_at_its_last_value_when_narrative_follows():
    # one line holds table 2 of the 2021 form and then the next section's narrative: the table area ends at the
    # last value, so the narrative figures stay visible to the span and link stages (constructed)
    doc = doc_of(RUN_ON_V2021_THEN_NARRATIVE)
    result = parse_tables(doc)
    assert value(result, "active.fees.amount") == 52.7
    narrative_start = doc.text.index("(二)")
    assert all(end <= narrative_start for _, end in result.areas)
    assert any(end > doc.text.index("52.7") for _, end in result.areas)
