"""govreport view: index, report pages whose figures carry their data, checked tables, organ panels."""

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="panel charts need matplotlib: pip install 'govreport[data]'")

from govreport.view import build_view, panel_page, report_pages
from govreport.view.text import mark_text


class Elements(HTMLParser):
    """Start tags with their attributes, and the text inside each <mark>."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.marks: list[tuple[dict, str]] = []
        self._mark: dict | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self._mark, self._text = dict(attrs), []

    def handle_data(self, data):
        if self._mark is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            self.marks.append((self._mark, "".join(self._text)))
            self._mark = None

    def having(self, tag: str, cls: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def view_dir(extract_out, tmp_path_factory):
    to = tmp_path_factory.mktemp("view")
    summary = build_view(extract_out, to)
    assert summary.reports == 9 and not summary.texts_missing[1:]  # only the empty report has no text
    return to


def test_index_lists_every_report_with_its_counts(extract_out, view_dir):
    docs = jsonl(extract_out / "documents.jsonl")
    page = (view_dir / "index.html").read_text(encoding="utf-8")
    links = {a["href"] for t, a in Elements(page).tags if t == "a"}
    pages = report_pages(docs)
    for doc in docs:
        assert f"reports/{pages[doc['doc']]}" in links
        assert (view_dir / "reports" / pages[doc["doc"]]).is_file()
    assert "requests.received.online" in page  # seed 001's conflict is listed
    assert "<script" not in page.replace('<script src="assets/view.js"></script>', "")
    assert {f"panels/{panel_page('平潭综合实验区管委会')}", f"panels/{panel_page('平潭县人民政府')}"} <= links


@pytest.mark.parametrize("doc_id", ["fujian_pingtan_zone_2020", "fujian_pingtan_zone_2020_web", "004_1b79cd5621e28327",
                                    "fujian_pingtan_zone_2013"])
def test_every_figure_is_an_element_with_its_data(extract_out, view_dir, doc_id):
    docs = {d["doc"]: d for d in jsonl(extract_out / "documents.jsonl")}
    mentions = [m for m in jsonl(extract_out / "mentions.jsonl") if m["doc"] == doc_id]
    page = Elements((view_dir / "reports" / report_pages(list(docs.values()))[doc_id]).read_text(encoding="utf-8"))
    marks = {int(a["data-start"]): (a, text) for a, text in page.marks}
    narrative = [m for m in mentions if m["source"] == "text"]
    assert narrative
    for m in narrative:  # every narrative figure: its own element with data-label and data-indicator
        attrs, text = marks[m["start"]]
        assert text == m["text"] and attrs["data-label"] == m["label"]
        assert attrs["data-indicator"] == (m["indicator"] or "")
        assert attrs["data-phrase"] == (m["indicator_text"] or "")
        assert str(m["value"]) in attrs["title"] and attrs["data-scope"] == (m["scope"] or "")
    phrases = {a["data-at"] for a in page.having("span", "phrase") if "data-at" in a}  # not the legend
    assert any(f"{m['indicator_start']}-{m['indicator_end']}" in phrases for m in narrative if m["indicator_start"])


def test_table_cells_carry_value_and_check_status(extract_out, view_dir):
    doc = next(d for d in jsonl(extract_out / "documents.jsonl") if d["doc"] == "fujian_pingtan_zone_2020")
    cells_out = {m["indicator"]: m for m in jsonl(extract_out / "mentions.jsonl")
                 if m["doc"] == doc["doc"] and m["source"] == "table" and m["indicator"]}
    page = Elements((view_dir / "reports" / "fujian_pingtan_zone_2020.html").read_text(encoding="utf-8"))
    cells = {a["data-indicator"]: a for a in page.having("td", "cell")}
    assert set(cells) == set(cells_out)
    involved = {}
    for check in doc["check_details"]:
        for key in check["numbers"]:
            involved.setdefault(key, set()).add(check["status"])
    for ind, attrs in cells.items():
        statuses = involved.get(ind, set())
        expected = next((s for s in ("fail", "pass", "na") if s in statuses), "none")
        assert attrs["data-status"] == expected, ind
        assert attrs["data-uncertain"] == ("true" if cells_out[ind]["uncertain"] else "false")
    assert any(a["data-status"] == "pass" for a in cells.values())


def test_uncertain_cell_is_marked(view_dir, extract_out):
    uncertain = [m for m in jsonl(extract_out / "mentions.jsonl") if m["source"] == "table" and m["uncertain"]]
    assert uncertain
    m = uncertain[0]
    page = Elements((view_dir / "reports" / f"{m['doc']}.html").read_text(encoding="utf-8"))
    assert any(a["data-indicator"] == m["indicator"] for a in page.having("td", "uncertain"))


def test_panel_shows_charts_and_the_cross_year_check(view_dir):
    page = (view_dir / "panels" / panel_page("平潭综合实验区管委会")).read_text(encoding="utf-8")
    assert page.count("<svg") >= 3  # new requests, appeals and disclosures have values in 2013-2020
    assert "2019-2020</td><td>pass" in page


def test_hostile_text_is_escaped_and_a_changed_source_is_not_shown(tmp_path):
    from govreport.extract.reports import extract_paths, write_outputs

    report = tmp_path / "hostile.txt"
    report.write_text("某市人民政府2020年政府信息公开工作年度报告\n全年共受理政府信息公开申请<script>alert(1)</script>"
                      "123件，主动公开政府信息456条。\n", encoding="utf-8")
    write_outputs(extract_paths([report], use_model=False), tmp_path / "out")
    build_view(tmp_path / "out", tmp_path / "view")
    page = (tmp_path / "view" / "reports" / "hostile.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    values = {a["data-value"] for a, _ in Elements(page).marks}
    assert {"123", "456"} <= values
    report.write_text(report.read_text(encoding="utf-8").replace("123", "124"), encoding="utf-8")
    summary = build_view(tmp_path / "out", tmp_path / "view2")
    assert summary.texts_missing and "hostile.txt" in summary.texts_missing[0]
    assert not Elements((tmp_path / "view2" / "reports" / "hostile.html").read_text(encoding="utf-8")).marks


def test_overlapping_figures_are_counted_not_lost():
    text = "申请123件"
    marked = mark_text(text, [{"start": 2, "end": 6, "label": "COUNT", "source": "text"},
                              {"start": 2, "end": 5, "label": "COUNT", "source": "text"}])
    assert marked.n_figures == 1 and marked.overlapping == 1
    assert "".join(s.text for s in marked.segments) == text


def test_view_reads_a_report_moved_under_source_root(extract_out, tmp_path):
    docs = jsonl(extract_out / "documents.jsonl")
    out = tmp_path / "out"
    shutil.copytree(extract_out, out)
    doc = next(d for d in docs if d["doc"] == "fujian_pingtan_zone_2019")
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.copy(doc["path"], moved)
    lines = [json.dumps({**d, "path": "gone/" + Path(d["path"]).name}, ensure_ascii=False) for d in docs]
    (out / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = build_view(out, tmp_path / "view", source_root=moved)
    assert not any("fujian_pingtan_zone_2019" in p for p in summary.texts_missing)
    assert any("fujian_pingtan_zone_2020" in p for p in summary.texts_missing)


def test_view_command(extract_out, tmp_path):
    from typer.testing import CliRunner

    from govreport.cli import app

    result = CliRunner().invoke(app, ["view", str(extract_out), "--to", str(tmp_path / "v")])
    assert result.exit_code == 0 and (tmp_path / "v" / "index.html").is_file()
    assert "warning: " in result.output and "empty.txt" in result.output  # the report shown without text
    bad = CliRunner().invoke(app, ["view", str(tmp_path / "nothing"), "--to", str(tmp_path / "w")])
    assert bad.exit_code == 1 and "documents.jsonl" in bad.output and "Traceback" not in bad.output
