"""Document metadata on the seeds (against their manifest) and on every ../shared/corpus report at run time."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR
from govreport.metadata import _iso_date, document_metadata, find_title, organ_name, publication_date, report_year


def _rows(folder) -> list[dict]:
    if not (folder / "manifest.jsonl").is_file():
        return []  # ../shared absent: nothing to parametrize (conftest skips the tests that open it)
    with open(folder / "manifest.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@cache
def _metadata(folder_name: str, file: str) -> dict:
    from govreport.ingest import read_document
    from govreport.tables import parse_tables

    folder = CORPUS_DIR if folder_name == "corpus" else SHARED_CORPUS_DIR
    doc = read_document(folder / file)
    return document_metadata(doc.text, doc.path, parse_tables(doc).form, source_meta=doc.meta)


def government_body(issuing_body: str) -> str:
    """The manifest's issuing body as the government it speaks for.

    The shared manifest names the compiling office (…管委会办公室) or adds how the report was
    made (淮安市人民政府（办公室编制）); our organ is the government body itself.
    """
    name = re.sub(r"[（(][^)）]*[)）]", "", issuing_body)
    return re.sub(r"(人民政府|管委会|管理委员会)办公室$", r"\1", name)


def same_organ(ours: str | None, theirs: str) -> bool:
    """Equal, or equal but for one character (a source that misspells its own county, 沐阳 for 沭阳)."""
    if ours is None:
        return False
    if ours == theirs:
        return True
    return len(ours) == len(theirs) and sum(a != b for a, b in zip(ours, theirs)) == 1


@pytest.mark.parametrize("row", _rows(CORPUS_DIR), ids=lambda r: r["doc"])
def test_seed_metadata_matches_manifest(row):
    meta = _metadata("corpus", row["file"])
    assert (meta["organ"], meta["year"], meta["published"]) == (row["organ"], row["report_year"], row["published"])
    # the form is the table stage's (tables.parse_tables), the one form detection
    assert meta["form"] == row["form"]


@pytest.mark.parametrize("row", _rows(SHARED_CORPUS_DIR), ids=lambda r: r["name"])
def test_shared_metadata_matches_manifest(row):
    meta = _metadata("shared", row["file"])
    assert meta["year"] == row["report_year"]
    assert meta["form"] == row["form"]
    assert same_organ(meta["organ"], government_body(row["issuing_body"])), (meta["organ"], row["issuing_body"])
    if meta["published"]:
        assert row["report_year"] < int(meta["published"][:4]) <= row["report_year"] + 3


def test_exact_organ_on_all_but_a_misspelt_source():
    exact = [_metadata("shared", r["file"])["organ"] == government_body(r["issuing_body"]) for r in _rows(SHARED_CORPUS_DIR)]
    assert sum(exact) >= len(exact) - 1


def test_the_form_is_the_table_stages():
    text = "临沧市2018年政府信息公开工作年度报告\n正文"
    assert document_metadata(text, tables_form="pre2019")["form"] == "pre2019"
    assert document_metadata(text)["form"] is None  # metadata detects no form of its own


# --------------------------------------------------------------------------------------------------------
# the pieces, on seed wordings


def test_organ_from_compiling_office_and_places():
    assert organ_name("桃源县政务公开办") == "桃源县人民政府"
    assert organ_name("咸宁市人民政府办公室") == "咸宁市人民政府"
    assert organ_name("咸宁市") == "咸宁市人民政府"
    assert organ_name("平潭综合实验区") == "平潭综合实验区管委会"
    assert organ_name("咸宁高新区管委会办公室") == "咸宁高新区管委会"
    assert organ_name("上海市科委") == "上海市科学技术委员会"
    assert organ_name("市政府") == "市人民政府"  # relative: used only when nothing better names the place
    assert organ_name("根据") is None


def test_organ_without_a_title_comes_from_the_compiler():
    text = "2018年3月19日\n本年度报告是根据《中华人民共和国政府信息公开条例》和省、市政务公开工作要求,由桃源县政务公开办编制。"
    meta = document_metadata(text)
    assert (meta["organ"], meta["published"]) == ("桃源县人民政府", "2018-03-19")
    # no title year: the year before publication
    assert meta["year"] == 2017


def test_parent_city_is_added_when_the_text_names_it():
    text = "梁子湖区\n\n信息来源:鄂州市梁子湖区 日期:2021-01-28\n\n2020年度,梁子湖区坚持以习近平新时代中国特色社会主义思想为指导"
    meta = document_metadata(text)
    assert (meta["organ"], meta["year"], meta["published"]) == ("鄂州市梁子湖区人民政府", 2020, "2021-01-28")


def test_year_is_the_covered_year_not_the_publication_year():
    text = "临沧市2018年政府信息公开工作年度报告\n\n发布日期: 2019-02-11 11:30 信息来源: 市政府办公室\n\n临沧市人民政府\n\n(2019年2月11日)"
    assert report_year(text) == 2018
    assert publication_date(text) == "2019-02-11"


def test_date_lines_at_the_end_and_in_chinese_numerals():
    text = "咸宁市2016年政府信息公开工作年度报告\n正文。\n咸宁市人民政府办公室\n\n二〇一七年二月二十日\n"
    assert publication_date(text) == "2017-02-20"


def test_statistical_period_gives_the_year():
    text = "本报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止。2017年工作安排如下。"  # seed 000
    assert report_year(text) == 2016


@pytest.mark.parametrize("written,iso", [("2018年3月19日", "2018-03-19"), ("二〇一七年三月十日", "2017-03-10"),
                                         ("二○二四年十二月三十一日", "2024-12-31"), ("2019-02-11", "2019-02-11"),
                                         ("2019年13月1日", None)])
def test_iso_date(written, iso):
    assert _iso_date(written) == iso


def test_the_title_line_leaves_out_label_prefixes_and_what_is_no_title():
    """The one title reader (ingestion and the organ/year readers share it): a markdown heading mark or a 正文
    line before the title is not part of it, and the organ line above a wrapped title is."""
    assert find_title("# 某县人民政府2025年政府信息公开工作年度报告\n正文\n一、总体情况") == "某县人民政府2025年政府信息公开工作年度报告"
    assert find_title("正文\n2024年某市科委政府信息公开工作年度报告\n") == "2024年某市科委政府信息公开工作年度报告"
    assert find_title("某区人民政府\n2023 年政府信息公开工作年度报告\n") == "某区人民政府2023年政府信息公开工作年度报告"
