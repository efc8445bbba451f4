"""The indicator spec: loading, label normalisation and lookup."""

from govreport.indicators import (
    children_of,
    label_similarity,
    load_indicators,
    lookup_label,
    normalize_label,
    section_of,
    spec_checks,
    split_label,
)


def test_ids_are_unique_and_parents_exist():
    inds = load_indicators()
    assert len(inds) > 250
    for ind in inds.values():
        assert ind.parent is None or ind.parent in inds, ind.id
        assert ind.unit, ind.id
        assert set(ind.forms) <= {"pre2019", "v2019", "v2021"}, ind.id


def test_normalize_label_drops_numbering_notes_blanks_and_punctuation():
    # row labels of seed 001 (ours to quote)
    assert normalize_label("(一)主动公开政府信息数 (不同渠道和方式公开相同信息计1条)") == "主动公开政府信息数"
    assert normalize_label("其中:主动公开规范性文件数") == "主动公开规范性文件数"
    assert normalize_label("1.专职人员数(不包括政府公报及政府网站工作人员数)") == "专职人员数"
    assert normalize_label("四、行政复议数量") == "行政复议数量"
    # seed 002: stacked numbering, quotes, a note in brackets
    assert normalize_label("3.危及“三安全一稳定”") == "危及三安全一稳定"
    assert normalize_label("(二)部分公开(区分处理的,只计这一情形,不计其他情形)") == "部分公开"
    assert normalize_label("三、（一）予以公开") == "予以公开"
    # a note cut off at a line break, blanks inside a label, 其它 → 其他
    assert normalize_label("（二）部分公开（区分处理的，只") == "部分公开"
    assert normalize_label("社会公益 组织") == "社会公益组织"
    assert normalize_label("6.其它形式申请数") == "其他形式申请数"
    assert normalize_label("信函、传真申请数") == "信函传真申请数"


def test_lookup_label_exact_alias_and_ambiguous():
    assert lookup_label("（一）收到申请数") == [("requests.received", 1.0)]
    # Fujian variant row names are aliases of the national indicators
    assert lookup_label("受理依申请公开信息总数")[0][0] == "requests.received"
    assert lookup_label("其中：1、政府网站公开数")[0][0] == "active.via.website"
    assert lookup_label("3、信函、传真申请数")[0][0] == "requests.received.mail_fax"
    # the same label under 行政复议 and 行政诉讼: both are returned, the table context decides
    assert {i for i, _ in lookup_label("(二)被依法纠错数")} == {"review.corrected", "litigation.corrected"}
    assert lookup_label("不相干的说明文字") == []


def test_lookup_label_tolerates_small_damage_but_not_short_labels():
    found = lookup_label("当面申请数量")
    assert found and found[0][0] == "requests.received.in_person" and found[0][1] < 1.0
    # two-character labels match exactly or not at all
    assert label_similarity("其他", "其它") == 0.0
    assert label_similarity("总计", "总计") == 1.0


def test_children_sections_and_split_labels():
    assert "requests.received.other" in children_of()["requests.received"]
    assert children_of()["capacity.staff"] == ["capacity.staff.full_time", "capacity.staff.part_time"]
    assert section_of("review.corrected") == "行政复议"
    assert section_of("requests.received.fax") == "依申请公开情况"
    assert split_label("予以公开｜自然人") == ("予以公开", "自然人")
    assert split_label("不予公开·属于国家秘密｜总计") == ("不予公开·属于国家秘密", "总计")
    assert split_label("规章·本年新制作数量") == ("规章", "本年新制作数量")


def test_spec_lists_eight_checks():
    assert len(spec_checks()) == 8


def test_label_parts_split_at_every_separator_and_agree_with_split_label():
    from govreport.indicators import label_parts, split_label

    assert label_parts("不予公开·属于国家秘密｜自然人") == ["不予公开", "属于国家秘密", "自然人"]
    assert label_parts("予以公开") == ["予以公开"]
    for label in ("予以公开｜自然人", "不予公开·属于国家秘密"):
        assert label_parts(label) == [part for part in split_label(label) if part]
