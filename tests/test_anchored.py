"""govreport.anchored: the faster scans find exactly what the plain patterns find."""

from __future__ import annotations

import re

import pytest

from govreport.anchored import Alternation, first_char_class, guarded, reads_before_start, start_source
from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR
from govreport.ingest import read_document
from govreport.link.rules import compact_view, load_rules
from govreport.normalize import _LAYOUT, _LAYOUT_SOURCE


def corpus_files() -> list:
    shared = sorted(SHARED_CORPUS_DIR.glob("*.txt")) + sorted(SHARED_CORPUS_DIR.glob("*.md"))
    return sorted(CORPUS_DIR.glob("*.txt")) + shared


def found(matches) -> list[tuple[tuple[int, int], str | None, dict]]:
    return [(m.span(), m.lastgroup, m.groupdict()) for m in matches]


# ---------------------------------------------------------------- tiny fixtures


def test_first_char_class():
    assert first_char_class(r"(?<![\d.])(?:19|20)\d{2}年") == "[12]"
    assert first_char_class(r"(?:共|全部)?办结") == "[共全办]"
    assert first_char_class(r"a?") is None  # matches the empty string: any position can start it


def test_start_source_rules_out_by_the_next_characters():
    starts = re.compile(start_source([r"政务公开|公安局", r"(?<!\d)\d+件"]))
    text = "政府信息公开,公安局3件"
    assert [m.start() for m in starts.finditer(text)] == [7, 10]  # 公安局 and 3件; not 政府 nor 公开
    assert [m.start() for m in re.finditer(start_source([r"公安局"]), "公安厅公安局")] == [3]
    assert [m.start() for m in re.finditer(start_source([r"\d{3}年"]), "12年123年")] == [3]
    # a pattern whose match can be one character long lets its first characters through whatever follows
    assert [m.start() for m in re.finditer(start_source([r"\d件?"]), "1a2")] == [0, 2]
    assert start_source([r"a?b"]) is not None and start_source([r"a?"]) is None
    assert [m.start() for m in re.finditer(start_source([r"a?b"]), "xbaxb")] == [1, 4]


def test_guarded_keeps_matches_and_groups():
    source = r"(?P<nl>[ \t]*\n\s*)|(?P<h>[ \t]+)|(?P<x>共\d+件)"
    text = "全市共12件 申请\n\n  其中 3件\t办结"
    assert found(guarded(source).finditer(text)) == found(re.finditer(source, text))
    assert guarded(source).pattern.startswith("(?=")


def test_reads_before_start():
    assert not reads_before_start(r"(?:共|全部)?办结(?:了)?(?:件)?$")
    assert reads_before_start(r"(?<![\d.])\d+件")
    assert reads_before_start(r"a(?:b|\bc)")
    assert reads_before_start(r"^申请")


def test_alternation_without_digit_skip_is_the_plain_alternation():
    parts = [("n", r"12件"), ("m", r"2件")]
    text = "共12件,其中112件"
    plain = [(m.span(), m.lastgroup) for m in re.finditer(r"(?P<n>12件)|(?P<m>2件)", text)]
    scanned = [(m.span(), m.lastgroup) for m in Alternation(parts, skip_digit_runs=False).finditer(text)]
    assert scanned == plain == [((1, 4), "n"), ((8, 11), "n")]
    # the span rules' shortcut skips the run 112 after failing at its first digit
    assert [m.span() for m in Alternation(parts).finditer(text)] == [(1, 4)]


# ---------------------------------------------------------------- real reports


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_fast_scans_match_plain_scans_on_reports(path):
    text = read_document(path).text
    rules = load_rules()
    view = compact_view(text).text
    lexicon = "|".join(f"(?P<{name}>{pattern})" for name, pattern in rules.lexicon_scan.parts)
    plain = found(re.finditer(lexicon, view))
    assert plain, path.name
    assert found(guarded(lexicon).finditer(view)) == plain
    # each match of the alternation comes from the regex of a few parts: compare the part, not every group
    assert [(m.span(), m.lastgroup) for m in rules.lexicon_scan.finditer(view)] == [(s, g) for s, g, _ in plain]
    layout = re.compile(_LAYOUT_SOURCE, re.MULTILINE)
    assert found(_LAYOUT.finditer(text)) == found(layout.finditer(text))


@pytest.mark.parametrize("path", corpus_files()[:8], ids=lambda p: p.name)
def test_one_regex_matches_the_regexes_per_character_on_reports(path):
    """The span scanner's one guarded alternation (one_regex) finds what the alternations of just the parts that
    can start at each character find, groups included, and what the plain alternation finds."""
    from govreport.spans.rules import scanner

    text = read_document(path).text
    parts = scanner().parts
    assert scanner().one_regex
    def groups_found(alternation):  # the groups of the parts not in a regex per character are absent, not None
        return [(m.span(), m.lastgroup, {k: v for k, v in m.groupdict().items() if v is not None})
                for m in alternation.finditer(text)]

    one = groups_found(Alternation(parts, one_regex=True))
    assert one, path.name
    assert one == groups_found(Alternation(parts, one_regex=False))
    # the plain alternation tries every position of a digit run that the anchored scans skip: same spans
    plain = [(m.span(), m.lastgroup) for m in Alternation(parts, anchored=False).finditer(text)]
    assert [(s, g) for s, g, _ in one] == plain
