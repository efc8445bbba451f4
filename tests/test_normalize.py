"""Normalisation and the offset map back to the source."""

from pathlib import Path

from govreport.config import CORPUS_DIR
from govreport.normalize import compose_maps, map_offset, normalize_text


def test_width_whitespace_and_map_round_trip():
    raw = "  合肥市２０１２年 ，網路  設定\u3000\u300024.8萬條 ９４．９４％ \r\n\u00a0\n 第二行\n"
    text, offset_map, traditional = normalize_text(raw)
    assert traditional
    assert text == "合肥市2012年 ，网络 设置 24.8万条 94.94%\n\n第二行\n"
    for i, ch in enumerate(text):
        if ch.isdigit():
            assert raw[map_offset(offset_map, i)] in (ch, chr(ord(ch) + 0xFEE0))


def test_simplified_text_keeps_mainland_words():
    text, _, traditional = normalize_text("线上线下同步设定目标，共3条。")
    assert not traditional
    assert text == "线上线下同步设定目标，共3条。"


def test_compose_maps_is_map_of_map():
    outer = [(0, 0), (5, 8)]  # text 5 → mid 8
    inner = [(0, 2), (10, 20)]  # mid 10 → source 20
    composed = compose_maps(outer, inner)
    for t in range(12):
        assert map_offset(composed, t) == map_offset(inner, map_offset(outer, t))


def test_seed_003_figures_unchanged():
    raw = next(Path(CORPUS_DIR).glob("003_*.txt")).read_text(encoding="utf-8")
    text, _, traditional = normalize_text(raw)
    assert traditional
    assert "政府信息公開" not in text and "政府信息公开" in text
    import re

    assert re.findall(r"\d+(?:\.\d+)?", raw) == re.findall(r"\d+(?:\.\d+)?", text)


def test_bracketed_pinyin_after_characters_is_removed_and_offsets_map_back():
    # as mirror sites print government pages (constructed): the words and figures join up again
    raw = "全年受理政府信息公开申请57件，政府行政复(fù)议3件，2件结(jié)果维持；附件(a)与Beijing(běijīng)不变。"
    text, offset_map, _ = normalize_text(raw)
    assert "行政复议3件，2件结果维持" in text and "附件(a)" in text and "Beijing(běijīng)" in text
    at = text.index("3件")
    assert raw[map_offset(offset_map, at):map_offset(offset_map, at) + 2] == "3件"
