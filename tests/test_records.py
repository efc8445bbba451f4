"""Merging table values and text figures into records (tiny hand-made fixtures)."""

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
