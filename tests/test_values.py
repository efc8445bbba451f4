"""Values of figure and date texts (src/govreport/values.py): the cases named in issue 3."""

import pytest

from govreport.values import figure_label, parse_date, parse_figure


@pytest.mark.parametrize(
    "text, value, unit, multiplier, approx",
    [
        ("24.8万条", 248000, "条", 10000, None),
        ("2.5亿元", 250000000, "亿元", 100000000, None),
        ("3026.51万元", 30265100, "万元", 10000, None),
        ("1000多人次", 1000, "人次", None, "多"),
        ("12000余名", 12000, "名", None, "余"),
        ("11余万人次", 110000, "人次", 10000, "余"),
        ("5万余条", 50000, "条", 10000, "余"),
        ("接近2000名", 2000, "名", None, "接近"),
        ("约20万元", 200000, "万元", 10000, "约"),
        ("50%以上", 50, "%", None, "以上"),
        ("七期", 7, "期", None, None),
        ("二十三件", 23, "件", None, None),
        ("十一类", 11, "类", None, None),
        ("22场(次)", 22, "场(次)", None, None),
        ("2258 篇", 2258, "篇", None, None),
        ("94.94%", 94.94, "%", None, None),
        ("10分", 10, "分", None, None),
        ("1.6升", 1.6, "升", None, None),
        ("40万", 400000, "万", 10000, None),
        ("7.01 万人次", 70100, "人次", 10000, None),
        ("1,234件", 1234, "件", None, None),
        ("百分之九十", 90, "%", None, None),
        ("135000", 135000, None, None, None),
    ],
)
def test_parse_figure(text, value, unit, multiplier, approx):
    parsed = parse_figure(text)
    assert parsed["value"] == value
    assert type(parsed["value"]) is type(value)  # whole numbers stay int: 24.8万 is 248000, not 248000.00000000003
    assert (parsed["unit"], parsed["multiplier"], parsed["approx"], parsed["range"]) == (unit, multiplier, approx, None)


@pytest.mark.parametrize(
    "text, low, high, unit",
    [("2至3个", 2, 3, "个"), ("10-15人", 10, 15, "人"), ("10万元至50万元", 100000, 500000, "万元"), ("10至15万元", 100000, 150000, "万元")],
)
def test_parse_figure_range(text, low, high, unit):
    parsed = parse_figure(text)
    assert parsed["range"] == (low, high)
    assert parsed["value"] is None  # a range has no single value
    assert parsed["unit"] == unit


def test_parse_figure_rejects_text_without_a_number():
    with pytest.raises(ValueError):
        parse_figure("政府信息")


@pytest.mark.parametrize(
    "unit, label",
    [("条", "COUNT"), ("人次", "COUNT"), ("场(次)", "COUNT"), ("亿元", "MEASURE"), ("万元", "MEASURE"), ("%", "MEASURE"),
     ("分", "MEASURE"), ("升", "MEASURE"), (None, "COUNT")],
)
def test_figure_label(unit, label):
    assert figure_label(unit) == label


@pytest.mark.parametrize(
    "text, year, iso",
    [
        ("2017年3月19日", None, "2017-03-19"),
        ("2016年", None, "2016"),
        ("2016年度", None, "2016"),
        ("2016年6至7月", None, "2016-06/2016-07"),
        ("8月19日", 2016, "2016-08-19"),
        ("8月19日", None, "--08-19"),
        ("2016年1月1日起至2016年12月31日", None, "2016-01-01/2016-12-31"),
        ("2018年1月1日至12月31日", None, "2018-01-01/2018-12-31"),
        ("12月底", 2016, "2016-12"),
        ("2017年底", None, "2017-12"),
        ("2018年上半年", None, "2018-01/2018-06"),
        ("11月中旬", 2012, "2012-11"),
        ("10月份", 2016, "2016-10"),
        ("2015年-2020年", None, "2015/2020"),
        ("2015—2016年度", None, "2015/2016"),
        ("6-7月", 2016, "2016-06/2016-07"),
        ("2019-02-11", None, "2019-02-11"),
        ("二○一二年二月二十日", None, "2012-02-20"),
        ("二〇一三年一月", None, "2013-01"),
        ("2024 年 12 月\n31 日", None, "2024-12-31"),
        ("2023 年 1 月 1 日\n起至 2023 年 12 月 31 日", None, "2023-01-01/2023-12-31"),
        ("今年", 2016, "2016"),
        ("去年", 2016, "2015"),
        ("上半年", 2017, "2017-01/2017-06"),
        ("今年", None, None),
        # days no calendar has: unreadable, not a made-up ISO date
        ("2017年13月1日", None, None),
        ("2017年2月29日", None, None),
        ("2016年2月29日", None, "2016-02-29"),
        ("4月31日", 2016, None),
        ("2018年1月1日至12月32日", None, None),
    ],
)
def test_parse_date(text, year, iso):
    assert parse_date(text, year) == iso
