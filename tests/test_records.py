"""Merging table values and text figures into records (tiny hand-made fixtures)."""

from collections import Counter

from govreport.records import Candidate, convert_value, merge_records, split_unit, values_agree

UNITS = {"requests.received.online": "件", "fees.collected": "万元", "training.trainees": "人次"}


def test_split_unit_strips_multiplier_prefixes():
    assert split_unit("亿元") == ("元", 1e8)
    assert split_unit("万元") == ("元", 1e4)
    assert split_unit("条") == ("条", 1)
    assert split_unit("万") == ("万", 1)  # a bare prefix is not stripped to nothing


def test_convert_value_between_money_units():
    assert convert_value(250_000_000, "元", "万元") == 25000
    assert convert_value(3, "件", "元") is None


def test_table_value_wins_and_disagreeing_text_is_a_conflict():
    # seed 001: the text says 网上申请14件, the table says 网络申请数 24
    cands = [
        Candidate("requests.received.online", 24, "件", "table", 100, 102),
        Candidate("requests.received.online", 14, "件", "text", 10, 13, text="14件"),
    ]
    (rec,) = merge_records("001", "桃源县人民政府", 2017, cands, UNITS)
    assert (rec.value, rec.source, rec.conflict, rec.start) == (24, "table", True, 100)
    assert rec.evidence[0]["value"] == 14


def test_agreeing_text_is_no_conflict_and_approx_is_tolerated():
    table = Candidate("training.trainees", 1035, "人次", "table", 5, 9)
    approx = Candidate("training.trainees", 1000, "人次", "text", 1, 6, approx="多")
    assert values_agree(approx, 1035, "人次")
    (rec,) = merge_records("d", None, None, [table, approx], UNITS)
    assert not rec.conflict


def test_text_only_record_is_converted_to_the_indicator_unit():
    cand = Candidate("fees.collected", 250_000_000, "元", "text", 0, 6, text="2.5亿元")
    (rec,) = merge_records("d", None, 2016, [cand], UNITS)
    assert (rec.value, rec.unit, rec.source) == (25000, "万元", "text")


def test_partial_scope_text_does_not_become_a_record():
    cand = Candidate("training.trainees", 50, "人次", "text", 0, 3, scope="各乡镇")
    assert merge_records("d", None, None, [cand], UNITS) == []


def test_uncertain_table_cell_keeps_the_flag():
    cand = Candidate("requests.received.online", 7, "件", "table", uncertain=True)
    (rec,) = merge_records("d", None, None, [cand], UNITS)
    assert rec.uncertain


def test_organ_scope_is_whole_and_department_scope_is_partial():
    whole = Candidate("training.trainees", 50, "人次", "text", 0, 3, scope="咸宁市人民政府")
    dept = Candidate("training.trainees", 20, "人次", "text", 9, 12, scope="市教育局")
    (rec,) = merge_records("d", "咸宁市人民政府", None, [whole, dept], UNITS)
    assert (rec.value, rec.conflict, len(rec.evidence)) == (50, False, 1)


def test_table_value_confirmed_once_is_no_conflict():
    cands = [
        Candidate("requests.received.online", 24, "件", "table", 100, 102),
        Candidate("requests.received.online", 24, "件", "text", 10, 13),
        Candidate("requests.received.online", 3, "件", "text", 20, 22),
    ]
    (rec,) = merge_records("d", None, None, cands, UNITS)
    assert not rec.conflict


def test_units_that_count_the_same_thing_convert_where_the_indicator_allows():
    from govreport.records import units_compatible

    assert convert_value(455, "件", "条") == 455  # 主动公开政府信息455件, counted in 条 by the form
    assert convert_value(5, "期", "次") == 5 and convert_value(3, "场", "次") == 3
    assert convert_value(500, "人", "人次") == 500 and convert_value(2, "万件", "条") == 20000
    assert convert_value(63, "条", "件") is None  # a 件 indicator (requests, cases) takes no published 条
    assert convert_value(30, "人次", "人") is None  # staff are people, not attendances
    assert not units_compatible("件", "个") and units_compatible("名", "人")


def test_every_text_figure_that_gives_no_record_is_counted_by_reason():
    from collections import Counter

    units = {"active.total": "条", "capacity.offices": "个", "training.sessions": "次"}
    cands = [
        Candidate("active.total", 455, "件", "text", 0, 4, confidence=0.9, text="455件"),  # kept: 件 counts 条
        Candidate("capacity.offices", 3, "件", "text", 5, 7, confidence=0.9, text="3件"),  # 个 takes no 件
        Candidate("training.sessions", 5, "期", "text", 8, 10, confidence=0.2, text="5期"),  # too unsure
        Candidate("training.sessions", 105, "次", "text", 11, 15, scope="市本级", confidence=0.9, text="105次"),
    ]
    dropped = Counter()
    records = merge_records("d", "合肥市人民政府", 2012, cands, units, dropped)
    assert [(r.indicator, r.value, r.unit) for r in records] == [("active.total", 455, "条")]
    assert dropped == {"unit_mismatch": 1, "low_confidence": 1, "partial_scope": 1}


def test_the_merge_reads_part_of_the_body_as_the_linker_does():
    """市政府 in 淮安市人民政府's report, 市科委 in 上海市科学技术委员会's: the linker gave these figures the body's id
    (link.rules.body_id); the merge keeps them when the extract job passes it the linker's reading
    (link.rules.part_of_body). So does an organ subject when the report's organ is unknown: the linker kept its id,
    and a record must not then drop it."""
    from govreport.link.rules import body_id, part_of_body

    for organ, scope in (("淮安市人民政府", "市政府"), ("上海市科学技术委员会", "市科委"), (None, "市教育局")):
        cand = Candidate("fees.collected", 3940, "元", "text", 0, 6, scope=scope)
        assert merge_records("d", organ, 2024, [cand], UNITS) == []  # by default: a part of the body
        dropped = Counter()
        (rec,) = merge_records("d", organ, 2024, [cand], UNITS, dropped, part_of_body)
        assert (rec.value, rec.unit, dropped["partial_scope"]) == (0.394, "万元", 0)
        assert body_id("fees.collected", scope, organ) == "fees.collected"
    # a department of a known body, and a qualifier whatever the organ, stay parts either way
    for organ, scope in (("淮安市人民政府", "市教育局"), (None, "各乡镇"), ("淮安市人民政府", "市本级")):
        part = Candidate("fees.collected", 20, "元", "text", 9, 12, scope=scope)
        dropped = Counter()
        assert merge_records("d", organ, 2024, [part], UNITS, dropped, part_of_body) == []
        assert dropped["partial_scope"] == 1
        assert body_id("fees.collected", scope, organ) is None
