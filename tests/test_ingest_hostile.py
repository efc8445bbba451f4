"""Hostile files (issue 13): each one is read, or refused with IngestError, quickly and with a warning naming it.

The files are built in each test (tests/hostile_files.py), so what they hold is known by construction.
Timings are not asserted here (see the report of the robust-ingest branch for the measured before/after);
growth is checked as a ratio where a quadratic path existed.

To time the formerly slow inputs by hand:
    PYTHONPATH=src:tests python -c "import hostile_files as h, pathlib, time; from govreport.ingest import \
read_document as r; p = pathlib.Path('/tmp/x.html'); p.write_text(h.spanned_html()); t = time.perf_counter(); \
r(p); print(time.perf_counter() - t)"
"""

from __future__ import annotations

import re
import socket
import threading
import time
import unicodedata

import docx
import opencc
import pytest

from govreport.config import CORPUS_DIR
from govreport.ingest import read_document
from govreport.ingest.builder import _config
from govreport.ingest.encoding import decode_bytes
from govreport.ingest.html import _DomBuilder
from govreport.ingest.text import _strip_markup
from govreport.normalize import map_offset, normalize_text
from hostile_files import PARAGRAPH, deep_html, grid_span_docx, spanned_html, unclosed_comment_html, xxe_docx

SEED = CORPUS_DIR / "000_cb4fdcd10949854b.txt"


def write(tmp_path, name: str, data: str | bytes):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------- HTML


def test_html_nested_5000_levels_reads_without_recursion(tmp_path):
    document = read_document(write(tmp_path, "deep.html", deep_html(5000)))
    assert PARAGRAPH in document.text
    (table,) = document.tables
    assert table.rows == [["项目", "数量"], ["办结7件", "7"]]


def test_unclosed_html_comment_runs_to_the_end_of_the_page(tmp_path):
    document = read_document(write(tmp_path, "comment.html", unclosed_comment_html(100_000)))
    assert PARAGRAPH in document.text
    assert "abcdefghij" not in document.text and "受理申请3件" not in document.text  # inside the comment


def test_unclosed_comment_in_a_text_file_stays_text(tmp_path):
    document = read_document(write(tmp_path, "pasted.txt", "受理申请5件<!--x-->共9件。\n<!-- 办结4件<span>。"))
    assert document.text == "受理申请5件共9件。\n<!-- 办结4件。"


def _best_time(function, argument, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(argument)
        best = min(best, time.perf_counter() - start)
    return best


def _parse(source: str) -> None:
    parser = _DomBuilder(source)
    parser.feed(source)
    parser.close()


@pytest.mark.parametrize("unit", [
    "</span>",  # every unmatched end tag used to scan the stack of open elements
    "<li><span>",  # so did every implied end (li under many spans)
])
def test_html_parsing_grows_linearly(unit):
    # 8 times the input: linear growth measures 8 (up to 3 times more on a loaded shared machine), quadratic 64.
    # (_strip_markup is not checked this way: its scans take under a millisecond at sizes a quadratic path
    # survives, where cache effects alone moved the ratio of a linear regex scan by 3-10x.)
    small, large = ("<ul><li>" + "<span>" * 2000 + unit * n + "受理申请3件" for n in (2500, 20000))
    small_time = _best_time(_parse, small)
    assert small_time < 2.0, small_time  # a quadratic path takes seconds here: fail before the large one
    ratio = _best_time(_parse, large) / small_time
    assert ratio < 24, ratio


def test_unclosed_comments_and_conditionals_in_text_are_left_as_text():
    source = "<!--" * 3 + "受理<![if " * 3 + "<p>3件</p>"
    text, _ = _strip_markup(source)
    assert text == "<!--" * 3 + "受理<![if " * 3 + "3件"


def test_spanned_html_table_is_capped_and_warned_about(tmp_path):
    path = write(tmp_path, "spanned.html", spanned_html(rows=400, cols=10, span=50))
    document = read_document(path)
    (table,) = document.tables
    assert len(table.rows) * len(table.rows[0]) <= _config()["max_table_cells"]
    assert table.rows == [[str(c) for c in range(10)]] * 400  # read with the spans ignored
    assert "办结7件" in document.text and PARAGRAPH in document.text
    (warning,) = document.warnings
    assert "spanned.html" in warning and "table 1" in warning and "max_table_cells" in warning


def test_table_past_the_cap_without_spans_keeps_its_first_rows(tmp_path, monkeypatch):
    monkeypatch.setitem(_config(), "max_table_cells", 100)
    rows = "".join("<tr>" + "".join(f"<td>{r}-{c}</td>" for c in range(10)) + "</tr>" for r in range(20))
    document = read_document(write(tmp_path, "wide.html", f"<p>{PARAGRAPH}</p><table>{rows}</table>"))
    (table,) = document.tables
    assert table.rows == [[f"{r}-{c}" for c in range(10)] for r in range(10)]
    (warning,) = document.warnings
    assert "wide.html: table 1" in warning and "rows 11-20 of 20 dropped" in warning


def test_html_spans_are_kept_within_the_cap_and_clamped_with_a_warning(tmp_path):
    page = (f'<p>{PARAGRAPH}</p><table><tr><td colspan="0">项目</td><td colspan="99999">本年</td></tr>'
            '<tr><td rowspan="0">规章</td><td>1</td></tr><tr><td>2</td></tr></table>')
    document = read_document(write(tmp_path, "clamped.html", page))
    (table,) = document.tables
    assert table.rows[0][:2] == ["项目", "本年"] and len(table.rows[0]) == 1 + _config()["max_span"]
    assert [row[0] for row in table.rows] == ["项目", "规章", ""]  # rowspan 0: to the last row
    assert [row[1] for row in table.rows[1:]] == ["1", "2"]
    (warning,) = document.warnings
    assert "clamped.html: table 1" in warning and "colspan 0 in row 1" in warning and "colspan 99999" in warning


# ---------------------------------------------------------------- DOCX


def test_docx_huge_grid_span_is_clamped_quickly_with_a_warning(tmp_path):
    document = read_document(write(tmp_path, "huge.docx", grid_span_docx(1_000_000)))
    (table,) = document.tables
    assert len(table.rows) * len(table.rows[0]) <= _config()["max_table_cells"]
    assert len(table.rows[1]) <= 2 + _config()["max_span"]
    assert table.rows[1][0] == "规章1" and [row[:3] for row in table.rows[2:]] == [["规章2", "12", "22"],
                                                                                 ["规章3", "13", "23"]]
    (warning,) = document.warnings
    assert "huge.docx: table 1" in warning and "gridSpan 1000000" in warning


@pytest.mark.parametrize("span", [-3, 0])
def test_docx_grid_span_below_one_does_not_shift_the_row(tmp_path, span):
    document = read_document(write(tmp_path, "negative.docx", grid_span_docx(span)))
    (table,) = document.tables
    assert table.rows == [["项目", "本年", "上年"], ["规章1", "11", "21"], ["规章2", "12", "22"], ["规章3", "13", "23"]]
    (warning,) = document.warnings
    assert "negative.docx: table 1" in warning and f"gridSpan {span} in row 2" in warning


def test_docx_vertical_and_horizontal_merges(tmp_path):
    word = docx.Document()
    table = word.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "项目"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "数量"
    for r, c, value in ((1, 1, "本年"), (1, 2, "上年"), (2, 0, "规章"), (2, 1, "3"), (2, 2, "4")):
        table.cell(r, c).text = value
    path = tmp_path / "merged.docx"
    word.save(path)
    document = read_document(path)
    assert document.tables[0].rows == [["项目", "数量", ""], ["", "本年", "上年"], ["规章", "3", "4"]]
    assert document.warnings == []


class _Listener:
    """A TCP port that counts the connections made to it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()


def test_docx_entities_are_never_resolved_and_the_paragraph_stays(tmp_path):
    secret = write(tmp_path, "secret.txt", "机密文字99件")
    listener = _Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}/xxe"
        document = read_document(write(tmp_path, "xxe.docx", xxe_docx(secret, url)))
    finally:
        listener.close()
    assert listener.connections == 0
    assert "机密" not in document.text and "内部实体文字" not in document.text
    assert "受理申请共45件。" in document.text.split("\n")
    assert "办结7件。" in document.text
    (warning,) = document.warnings
    assert "xxe.docx" in warning and all(f"&{name};" in warning for name in ("ext", "int", "net"))


# ---------------------------------------------------------------- encodings


def traditional_seed() -> str:
    """The seed in traditional script, limited to what Big5 can encode."""
    simplified = SEED.read_text(encoding="utf-8")
    return opencc.OpenCC("s2t").convert(simplified).encode("big5", "ignore").decode("big5")


@pytest.mark.parametrize("encoding", ["big5", "utf-16-le", "utf-16-be", "gb18030"])
def test_other_encodings_read_as_their_utf8_original(tmp_path, encoding):
    original = traditional_seed()
    utf8 = read_document(write(tmp_path, "utf8.txt", original))
    document = read_document(write(tmp_path, f"{encoding}.txt", original.encode(encoding)))
    assert document.warnings == []
    assert document.text == utf8.text
    assert decode_bytes(original.encode(encoding), "x")[0] == original


def test_big5_html_page(tmp_path):
    original = f"<html><body><p>{traditional_seed()[:400]}</p></body></html>"
    document = read_document(write(tmp_path, "big5.html", original.encode("big5")))
    assert document.text == read_document(write(tmp_path, "utf8.html", original)).text
    assert document.meta["encoding"] == "big5"


def test_undecodable_bytes_are_warned_about_naming_the_file(tmp_path):
    noise = bytes((i * 7919 + 13) % 256 for i in range(4000))  # a fixed byte soup, no encoding fits it
    document = read_document(write(tmp_path, "noise.txt", noise))
    assert document.warnings and all("noise.txt" in w for w in document.warnings)
    assert any("undecodable" in w or "encoding" in w for w in document.warnings)


# ---------------------------------------------------------------- invisible characters and full-width forms

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202b", "\u202c", "\u2066", "\u2069", "\ufeff",
             "\u00ad", "\u2060"]
MARKS = ["\u0301", "\u0308", "\u20dd", "\ufe0f"]


def sprinkle(text: str) -> str:
    """Text with format characters inside and around every figure, and combining marks after digits."""
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        if ch.isdigit():
            out.append(MARKS[i % len(MARKS)] if i % 3 == 0 else INVISIBLE[i % len(INVISIBLE)])
        elif i % 11 == 0:
            out.append(INVISIBLE[i % len(INVISIBLE)])
    return "".join(out)


def test_invisible_characters_do_not_hide_figures(tmp_path):
    clean = SEED.read_text(encoding="utf-8")
    dirty = sprinkle(clean)
    document = read_document(write(tmp_path, "dirty.txt", dirty))
    assert document.text == read_document(SEED).text
    for i, ch in enumerate(document.text):  # every digit maps back onto the same digit of the source
        if ch.isdigit():
            assert dirty[document.source_offset(i)] == ch


def test_marks_away_from_digits_stay():
    text, _, _ = normalize_text("Cafe\u0301 受\u0301理3\u0301件")
    assert text == "Cafe\u0301 受\u0301理3件"


@pytest.mark.parametrize("raw,expected", [
    ("共受理１，２３４，５６７条", "共受理1,234,567条"),
    ("减少－5万元", "减少-5万元"),
    ("减少－５万元，－１２件", "减少-5万元，-12件"),
    ("下降−12件", "下降-12件"),
    ("共１２，３４５，６件", "共12，345，6件"),  # not groups of three: the comma lists figures
    ("第1，234条", "第1，234条"),  # ASCII digits: the full-width comma is read as punctuation
    ("（2024－2027年）", "（2024－2027年）"),  # a dash between figures is no sign
    ("＋３件", "+3件"),
])
def test_full_width_separators_and_signs(raw, expected):
    text, offset_map, _ = normalize_text(raw)
    assert text == expected
    for i, ch in enumerate(text):
        if ch.isdigit():
            assert unicodedata.digit(raw[map_offset(offset_map, i)]) == int(ch)


def test_format_characters_leave_no_trace_in_a_docx(tmp_path):
    word = docx.Document()
    word.add_paragraph("全年受理申请1\u200b2\u200f3件，办结４\u0301５件。")
    path = tmp_path / "zw.docx"
    word.save(path)
    document = read_document(path)
    assert "受理申请123件，办结45件。" in document.text
    assert not re.search("[\u200b-\u200f\u0301]", document.text)


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    import io
    import zipfile

    from govreport.ingest import IngestError

    monkeypatch.setitem(_config(), "max_docx_unpacked_mb", 4)  # a small limit keeps the test small
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" * (4 * 2**20 + 1))
    path = write(tmp_path, "bomb.docx", buffer.getvalue())
    assert path.stat().st_size < 2**16
    with pytest.raises(IngestError, match="bomb.docx.*max_docx_unpacked_mb"):
        read_document(path)
