"""Round trip: values rendered into each form's tables and each shape reports take, read back cell for cell.

Truth is known by construction: value sets are the expected files of tests/expected and random sets that
satisfy the tables' arithmetic (govreport.tables.render.random_values), rendered through a real file
(md, txt, html, docx, pdf) and read back through ingestion and parse_tables. No value may land in a wrong
cell; the share of cells read exactly is held to the floors below (measured, see the report test with -s).
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pytest

from govreport.config import SHARED_CORPUS_DIR
from govreport.ingest import read_document
from govreport.ingest.grid import find_text_tables
from govreport.tables import parse_tables
from govreport.tables.checks import run_checks
from govreport.tables.expected import expected_files, load_expected
from govreport.tables.render import (
    SHAPES,
    RoundTrip,
    Style,
    layout,
    pdf_from_docx,
    random_values,
    render_docx,
    score,
    soffice,
    with_nulls,
    write_rendering,
)

FORMS = ("v2021", "v2019", "pre2019")
TEMPLATE = SHARED_CORPUS_DIR / "templates" / "v2021_template.docx"
VARIANTS = {
    "plain": lambda rng: Style(),
    "nulls": lambda rng: Style(null=rng.choice(["", "-", "/", "无"])),
    "labels": lambda rng: Style(numbering=rng.choice(["half", "none"]), short_labels=True),
    "wrap": lambda rng: Style(wrap=8),
}
# Minimum share of cells read exactly (certain and right), per shape; every other cell must be uncertain or
# missing, never wrong. Below 1.0 where a shape loses information: one cell per line and space-aligned text
# cannot tell a last row of blank cells from the end of the table, nor which blank cells of a row with
# surplus blanks are values; in PDF a number wider than its column wraps inside the cell (319 → "31 9").
FLOOR = {"markdown": 0.99, "bar_text": 0.99, "tsv": 0.99, "spaces": 0.95, "fullwidth_spaces": 0.95,
         "cell_per_line": 0.9, "html": 0.99, "docx": 0.99, "pdf": 0.9}
# Space-aligned text whose table is mostly blank (zeros written blank) keeps rows that are only a label: they
# cannot be told from label lines whose numbers stand elsewhere, so their cells are missing (never guessed).
FLOOR_BY_VARIANT = {("spaces", "nulls"): 0.5, ("fullwidth_spaces", "nulls"): 0.5}
RESULTS: dict[tuple[str, str, str], RoundTrip] = {}


def value_sets(form: str, seed: int, n_random: int = 1, n_expected: int | None = 1) -> list[dict]:
    """The first ``n_expected`` (None: all) expected files of the form whose cells are all known, and
    ``n_random`` random sets."""
    rng = random.Random(seed)
    out = []
    for path in expected_files():
        data = load_expected(path)
        if data["form"] == form and not data["ambiguous"] and not data["undetermined"]:
            out.append({k: v for k, v in data["values"].items() if k[1] == "value"})
            if len(out) == n_expected:
                break
    return out + [random_values(form, rng) for _ in range(n_random)]


def round_trip(form: str, shape: str, variant: str, tmp: Path, seed: int = 0) -> RoundTrip:
    rng = random.Random(seed)
    total = RoundTrip()
    for i, values in enumerate(value_sets(form, seed)):
        style = VARIANTS[variant](rng)
        if variant == "nulls":
            values = with_nulls(values, rng)
        lay = layout(form, values, style, organ=rng.choice(["某某区人民政府", "某某市教育局", "某某县应急管理局"]),
                     year=rng.randint(2019, 2025))
        template = TEMPLATE if shape == "docx" and form == "v2021" and variant == "plain" and TEMPLATE.exists() else None
        path = write_rendering(lay, shape, tmp, f"{form}_{shape}_{variant}_{i}", style, template)
        total.add(score(parse_tables(read_document(path)), lay.values, form))
    return total


CASES = [(f, s, v) for f in FORMS for s in SHAPES for v in VARIANTS
         if v != "wrap" or s in ("spaces", "fullwidth_spaces")]


@pytest.mark.parametrize(("form", "shape", "variant"), CASES)
def test_round_trip(form, shape, variant, tmp_path):
    result = round_trip(form, shape, variant, tmp_path, seed=zlib.crc32(f"{form}{shape}{variant}".encode()) % 1000)
    RESULTS[(form, shape, variant)] = result
    assert result.wrong == 0, f"{result.wrong} values in a wrong cell"
    assert result.form_ok == result.documents
    assert result.exact >= FLOOR_BY_VARIANT.get((shape, variant), FLOOR[shape]), result


def test_random_values_obey_the_checks():
    for form in FORMS:
        for seed in range(5):
            values = random_values(form, random.Random(seed))
            row_keys = sorted({i.rsplit(".", 1)[0] for i, _ in values if i.startswith("requests.")})
            checks = run_checks(form, values, row_keys)
            assert checks and not [c.name for c in checks if c.status == "fail"]


@pytest.fixture(scope="session")
def pdf_renderings(tmp_path_factory):
    """One DOCX per form (v2021: the official template filled) turned into PDF once per session."""
    if soffice() is None:
        pytest.skip("LibreOffice is not installed: apt-get install -y libreoffice-writer-nogui to enable the PDF cases")
    tmp = tmp_path_factory.mktemp("pdf")
    rng = random.Random(3)
    lays, paths = [], []
    for form in FORMS:
        for n, values in enumerate(value_sets(form, 5)):
            values = with_nulls(values, rng, 0.5) if n else values
            lay = layout(form, values)
            template = TEMPLATE if form == "v2021" and TEMPLATE.exists() else None
            paths.append(render_docx(lay, tmp / f"{form}_{n}.docx", template))
            lays.append(lay)
    return list(zip(lays, pdf_from_docx(paths, tmp), strict=True))


@pytest.mark.parametrize("form", FORMS)
def test_round_trip_pdf(pdf_renderings, form):
    total = RoundTrip()
    for lay, pdf in pdf_renderings:
        if lay.form == form:
            total.add(score(parse_tables(read_document(pdf)), lay.values, form))
    RESULTS[(form, "pdf", "plain+nulls")] = total
    assert total.wrong == 0
    assert total.form_ok == total.documents
    assert total.exact >= FLOOR["pdf"], total


def test_report_round_trip(capsys):
    """Exact, uncertain, missing and wrong cells per form × shape × variant (shown with -s)."""
    if not RESULTS:
        pytest.skip("run with the round-trip tests")
    with capsys.disabled():
        print()
        for (form, shape, variant), r in sorted(RESULTS.items()):
            print(f"{form:8} {shape:17} {variant:12} cells={r.cells:5} exact={r.correct:5} ({r.exact:.1%}) "
                  f"uncertain={r.uncertain:3} missing={r.missing:3} wrong={r.wrong}")


# --- the reader's behaviours, on small renderings ---------------------------------------------------------------


def _read(tmp_path: Path, text: str, suffix: str = ".md"):
    path = tmp_path / f"report{suffix}"
    path.write_text(text, encoding="utf-8")
    return parse_tables(read_document(path))


T2_HEAD = "二、主动公开政府信息情况\n"


def test_a_lost_cell_is_never_split_from_a_neighbour(tmp_path):
    text = (T2_HEAD + "| 第二十条第（一）项 | | | |\n|---|---|---|---|\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
            "| 规章 | 0 | 0 | 0 |\n| 行政规范性文件 | 34 | 189 |\n三、收到和处理政府信息公开申请情况\n本年新收政府信息公开申请数量 3\n")
    result = _read(tmp_path, text)
    cells = {c.indicator: c for c in result.values}
    normative = [cells[f"active.normative.{k}"] for k in ("issued", "repealed", "in_force")]
    assert all(c.uncertain and c.confidence < 1 for c in normative)
    assert {34, 189} <= {a for c in normative for a in c.alternatives}
    assert not {3, 4, 18, 9, 89} & {a for c in normative for a in c.alternatives}
    assert cells["active.rules.issued"].value == 0 and not cells["active.rules.issued"].uncertain


def test_a_short_row_of_the_request_matrix_stays_unassigned(tmp_path):
    lay = layout("v2021", random_values("v2021", random.Random(1)))
    path = write_rendering(lay, "markdown", tmp_path, "full")
    text = path.read_text(encoding="utf-8")
    full = next(line for line in text.splitlines() if "（一）予以公开" in line)
    cells = [c.strip() for c in full.strip("|").split("|")]
    values = cells[-7:]
    short = "| " + " | ".join(cells[:-7] + values[:3] + values[4:]) + " |"  # the fourth number's cell is lost
    result = _read(tmp_path, text.replace(full, short))
    row = [c for c in result.values if c.indicator.startswith("requests.granted.")]
    assert len(row) == 7
    truth = [lay.values[(f"requests.granted.{k}", "value")] for k in
             ("natural_person", "business", "research", "nonprofit", "legal", "other_org", "total")]
    for cell, want in zip(sorted(row, key=lambda c: list(lay.values).index((c.indicator, "value"))), truth):
        assert cell.uncertain or cell.value == want  # never a certain value in a wrong cell
    others = [c for c in result.values if c.indicator.startswith("requests.partial.")]
    assert others and not any(c.uncertain for c in others)


def test_text_grid_keeps_blank_cells_in_place():
    text = ("项目      自然人    企业      总计\n"
            "予以公开  3                   3\n"
            "部分公开            2         2\n")
    (table,) = find_text_tables(text)
    rows = [[text[a:b] if (a, b) != (0, 0) and span else "" for span in row for a, b in [span or (0, 0)]]
            for row in table.cells]
    assert rows[1] == ["予以公开", "3", "", "3"]
    assert rows[2] == ["部分公开", "", "2", "2"]


def test_bars_without_edge_pipes_and_full_width_blanks_are_tables():
    bars = "信息内容 | 本年制发件数 | 本年废止件数\n规章 | 1 |  \n行政规范性文件 |  | 7\n"
    (table,) = find_text_tables(bars)
    assert table.cells[1][2] is None and bars[slice(*table.cells[2][2])] == "7"
    wide = "信息内容\u3000\u3000本年制发件数\u3000\u3000本年废止件数\n规章\u3000\u3000\u3000\u30001\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u30002\n"
    assert find_text_tables(wide) == [] or len(find_text_tables(wide)[0].cells) == 2


def test_a_heading_without_a_readable_table_is_reported(tmp_path):
    text = ("某某区2022年政府信息公开工作年度报告\n本年新收政府信息公开申请数量、上年结转政府信息公开申请数量均已统计。\n"
            "四、政府信息公开行政复议、行政诉讼情况\n（表格见附件）\n")
    result = _read(tmp_path, text, ".txt")
    t4 = next(c for c in result.coverage if c.table == "t4")
    assert not t4.found and t4.warning and "report.txt" in t4.warning and "行政诉讼情况" in t4.warning


def test_coverage_counts_the_cells_of_each_table(tmp_path):
    lay = layout("v2021", random_values("v2021", random.Random(2)))
    path = write_rendering(lay, "markdown", tmp_path, "report")
    result = parse_tables(read_document(path))
    by_table = {c.table: c for c in result.coverage}
    assert by_table["t3"].found and by_table["t3"].read == by_table["t3"].expected == 175
    assert by_table["t4"].read == 15 and by_table["t2"].read == 10
    assert not [c.warning for c in result.coverage if c.warning]
