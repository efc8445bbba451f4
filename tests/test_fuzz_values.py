"""Fuzzing (issue 13): values, rule spans, linking and annotation validation never raise on any input.

Bounded by the hypothesis profile of tests/conftest.py (``ci`` in ``make test``, ``fuzz`` in ``make fuzz``).
Values are also checked by construction: a number rendered in a figure parses back to itself.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is a dev dependency: pip install -e '.[dev]'")
from hypothesis import given
from hypothesis import strategies as st

from govreport.annotate.tasks import make_task
from govreport.annotate.validate import validate_files
from govreport.link.rules import find_indicator_spans, link_figures_to_indicators
from govreport.records import convert_value
from govreport.spans.rules import find_spans
from govreport.values import chinese_number, figure_config, number_value, parse_date, parse_figure

# characters the grammars read (digits, numerals, signs, separators, units, multipliers, markers), to reach deep
# paths more often than arbitrary text would; mixed with any character
GRAMMAR = ("0123456789０１２３４５６７８９.,，-－−—~至到eE +%年月日号底件条人次个项元万亿千百十零〇○一二两三四五六七八九"
           "余多约近超过以上左右第（）()《》〔〕:：；。、\n市县区人民政府办公室受理申请公开信息ABCZabcz")
grammar_text = st.text(alphabet=st.sampled_from(GRAMMAR), max_size=60)
any_text = st.one_of(grammar_text, st.text(max_size=60))
MAX = figure_config()["numbers"]["max_magnitude"]


@given(any_text)
def test_fuzz_values_parse_or_reject(text: str) -> None:
    """parse_figure, number_value, chinese_number: a value or a ValueError; parse_date: an ISO string or None."""
    try:
        parsed = parse_figure(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        if parsed["value"] is not None:
            assert abs(parsed["value"]) <= MAX
        assert parsed["uncertain"] == (parsed["value"] is None and parsed["range"] is None)
    for read in (number_value, chinese_number):
        try:
            assert isinstance(read(text), Decimal)
        except ValueError:
            pass
    iso = parse_date(text, 2020)
    assert iso is None or isinstance(iso, str)


# below ten digits: an eleven-digit 13000000000 is a mobile number and 4001234567 a service line (exclusions)
@given(st.integers(min_value=-(10**9 - 1), max_value=10**9 - 1), st.sampled_from(["件", "条", "人次", "万元", "亿元", "%"]),
       st.booleans())
def test_fuzz_values_render_and_parse_back(n: int, unit: str, grouped: bool) -> None:
    """A figure written from a known value reads back as that value (sign and thousands separators included);
    beyond max_magnitude (after 亿) it is kept without value, uncertain."""
    written = f"{n:,}" if grouped else str(n)
    text = f"本年度为{written}{unit}。"
    figures = [s for s in find_spans(text) if s.label in ("COUNT", "MEASURE")]
    assert len(figures) == 1, (text, figures)
    value = n * {"万元": 10**4, "亿元": 10**8}.get(unit, 1)
    assert figures[0].uncertain == (abs(value) > MAX)
    assert figures[0].value == (None if abs(value) > MAX else value)


@given(st.integers(min_value=16, max_value=2000), st.sampled_from(["1", "１", "9", "一"]), st.sampled_from(["件", "万件"]))
def test_fuzz_values_absurd_magnitudes_are_uncertain(digits: int, char: str, unit: str) -> None:
    """A number of any length (300-digit and beyond: no OverflowError, no int-string limit) is kept uncertain."""
    text = f"受理申请{char * digits}{unit}，"
    figures = [s for s in find_spans(text) if s.label == "COUNT"]
    assert figures and all(f.value is None and f.uncertain for f in figures)
    converted = convert_value(10 ** digits, "万件", "件")  # never an OverflowError: None beyond a float
    assert converted is None if digits + 4 > 308 else converted > 0


@given(any_text.map(lambda t: t * 3))
def test_fuzz_rule_spans_and_links(text: str) -> None:
    """Rule spans on random text never raise, lie inside the text, are non-empty, sorted and do not overlap; linking
    them never raises and gives one link per figure."""
    spans = find_spans(text, 2020)
    last_end = 0
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.text == text[s.start:s.end]
        assert s.start >= last_end or s.label == "ORG"  # an organ extends leftwards over its place name
        last_end = s.end
    figures = [s for s in spans if s.label in ("COUNT", "MEASURE")]
    links = link_figures_to_indicators(text, figures, find_indicator_spans(text))
    assert [link.figure for link in links] == sorted(figures, key=lambda s: (s.start, s.end))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | st.text(max_size=8) | st.sampled_from(["COUNT", "INDICATOR", "measures"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "tokens", "spans", "relations", "meta", "answer", "start", "end", "label", "doc",
                         "paragraph", "offset", "head_span", "child_span", "tables", "sha1", "scope", "indicator",
                         "id", "ws", "token_start", "token_end", "_input_hash", "_task_hash", "x"]),
        children, max_size=6),
    max_leaves=25,
)


def _valid_task() -> dict:
    text = "受理申请5件"
    return make_task(text, "fuzz_doc", 0, 0, [("INDICATOR", 0, 4), ("COUNT", 4, 6)],
                     [{"label": "measures", "head": (4, 6), "child": (0, 4)}])


@st.composite
def mutated_tasks(draw) -> dict:
    """A valid task with one field replaced by random JSON (deep in spans, relations, tokens, meta or at the top)."""
    task = _valid_task()
    where = draw(st.sampled_from(["top", "meta", "span", "relation", "head", "token", "table"]))
    key = draw(st.sampled_from(["text", "tokens", "spans", "relations", "meta", "answer", "start", "end", "label",
                                "doc", "paragraph", "offset", "head_span", "child_span", "tables", "scope",
                                "indicator", "id", "ws", "token_end", "head"]))
    value = draw(json_values)
    target = {"top": task, "meta": task["meta"], "span": task["spans"][0], "relation": task["relations"][0],
              "head": task["relations"][0]["head_span"], "token": task["tokens"][0], "table": task}[where]
    if where == "table":
        target["tables"] = [{"start": value, "end": value}] if draw(st.booleans()) else value
    elif draw(st.booleans()):
        target.pop(key, None)
    else:
        target[key] = value
    return task


@given(st.lists(st.one_of(mutated_tasks().map(json.dumps), json_values.map(json.dumps), st.text(max_size=30)),
                min_size=1, max_size=4))
def test_fuzz_annotation_validation_reports_never_raises(lines: list[str]) -> None:
    """`govreport annotate validate` on random JSON lines: problems are reported with their line, never a traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        path.write_text("\n".join(line.replace("\n", " ") for line in lines) + "\n", encoding="utf-8")
        n, problems = validate_files([path], committed_root=Path(tmp) / "none")
    assert n <= len(lines)
    for p in problems:
        assert p.level in ("error", "warning") and isinstance(p.message, str) and p.line >= 0


def test_fuzz_valid_task_has_no_problem() -> None:
    """The validation fuzzed above accepts the unmutated task (so its errors come from the mutations)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        path.write_text(json.dumps(_valid_task(), ensure_ascii=False) + "\n", encoding="utf-8")
        n, problems = validate_files([path], committed_root=Path(tmp) / "none")
    assert n == 1 and [p for p in problems if p.level == "error"] == []


@given(st.dates(min_value=datetime.date(1949, 1, 1), max_value=datetime.date(2099, 12, 31)), st.integers(0, 40),
       st.integers(0, 40))
def test_fuzz_dates_read_back_only_real_days(day: datetime.date, month: int, day_of_month: int) -> None:
    """A calendar day written as 年月日 reads back as itself; a month or day that calendar lacks reads as None."""
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day.isoformat()
    try:
        real = datetime.date(day.year, month, day_of_month).isoformat()
    except ValueError:
        real = None
    assert parse_date(f"{day.year}年{month}月{day_of_month}日") == real
