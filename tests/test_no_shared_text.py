"""The repository quotes no text of the third-party reports in ../shared/corpus (they are read at run time only).

A line of a committed text file (configs/, src/, tests/, docs/, annotations/, the top-level files) quotes a shared
report when a stretch of it, blanks removed, occurs verbatim in one (raw or normalised text, blanks removed) and
not in our seeds (corpus/), and is long enough: QUOTE_WITH_DIGIT characters with a digit, QUOTE_WITHOUT_DIGIT
without. Stock wording is set apart first: dates and document numbers, the wording of the blank form template
(../shared/corpus/templates), and STOCK (form labels, law titles, common phrases). A match that starts or ends
inside a number does not quote that number (主动公开政府信息12 of "…123条" against "…122条").

Measured when this test was written: on the tree before the shared fragments were replaced it found 35 stretches
in 31 lines of comments, configs and tests, every one a quote (a fax and a postal number, sentences, a table
row; shorter ones it misses: a date and four characters, two organ names joined, 11 characters); after, none.
Without STOCK it reports 54 stretches of generic wording in 45 lines (29 distinct, all now in STOCK): that is its
false-positive rate on this repository. A stretch it reports is replaced by a constructed text of the same shape
(other figures, other names) or, when it is stock wording, added to STOCK.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govreport.config import CORPUS_DIR, PROJECT_ROOT
from govreport.ingest import extract, format_of, read_document

QUOTE_WITH_DIGIT = 6
QUOTE_WITHOUT_DIGIT = 12
SCANNED = ["configs", "src", "tests", "docs", "annotations", "README.md", "Makefile", "pyproject.toml"]
SKIPPED_SUFFIXES = {".pyc", ".pkl", ".bin", ".npy", ".onnx", ".safetensors", ".docx", ".pdf", ".png"}

# Generic wording that reports share with our code and tests: labels and headings of the statistical forms, report
# titles, law and decree titles, common phrases. Never a sentence, figure or name of one report.
STOCK = [
    "中华人民共和国政府信息公开条例", "国务院令第711号", "新中国成立70周年", "政府信息公开工作年度报告",
    "政府信息公开工作领导小组办公室", "政府信息公开工作存在的主要问题及改进情况", "政府信息公开情况统计表",
    "政府信息公开收费减免金额", "受理政府信息公开申请", "收到政府信息公开申请", "主动公开政府信息",
    "行政诉讼（未经复议直接起诉）", "行政诉讼未经复议直接起诉", "结果维持结果纠正其他结果尚未审结总计",
    "申请人情况自然人法人或其他组织总计", "商业企业科研机构社会公益组织法律服务机构其他",
    "项信息内容上一年项目数量本年增", "指标名称计量单位", "历年累计主动公开文件数条", "政府网站公开数",
    "政府公报公开数", "受理依申请公开信息总数", "当面申请数", "信函、传真申请数", "其它形式申请数",
    "不予公开1.属于国家秘密", "不予公开答复", "予以公开",
    "12345", "政府信息公开工作领导小组", "政府信息公开行政复议案件", "均在法定期限内予以答复", "保障性安居工程建设计划",
    "重大建设项目批准和实施领域", "上年结转政府信息公开申请",
    "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章", "第二十条第（八）项信息内容本年收费金额",
    "政府信息公开信息处理费管理办法",
]
# dates (2023年1月1日, 2024年度, 2024－2027年, 12月31日) and document numbers (〔2021〕30号)
DATES_AND_NUMBERS = (r"(?:19|20)\d{2}(?:[-－—–~至](?:19|20)\d{2})?年度?(?:\d{1,2}月(?:\d{1,2}日)?)?"
                     r"|\d{1,2}月\d{1,2}日|[〔\[(（]\d{4}[〕\])）]\d+号")
# a stretch of Chinese text: ideographs, CJK and full-width punctuation, digits and the signs between figures
RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef0-9.%\-—–~()（）]+")
IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")
BLANKS = re.compile(r"\s+")
SEPARATOR = "\x00"


def _texts(path: Path) -> list[str]:
    """A report's raw and normalised text, blanks removed."""
    return [BLANKS.sub("", extract(path).text), BLANKS.sub("", read_document(path).text)]


def _reports(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and format_of(p))


def _scanned_lines(root: Path, names: list[str]):
    for name in names:
        top = root / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in paths:
            if path.suffix in SKIPPED_SUFFIXES or "__pycache__" in path.parts:
                continue
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (UnicodeDecodeError, OSError):
                continue
            for number, line in enumerate(lines, 1):
                yield f"{path.relative_to(root)}:{number}", line


def _matches(run: str, shared: str, min_len: int):
    """Maximal stretches of ``run`` found in ``shared``, left to right, none inside another, no number cut."""
    i, n = 0, len(run)
    while i + min_len <= n:
        j = i + min_len
        if run[i:j] not in shared:
            i += 1
            continue
        while j < n and run[i:j + 1] in shared:
            j += 1
        start, end = i, j
        if end < n and run[end].isdigit():  # ends inside a number: that number is not quoted
            while end > start and run[end - 1].isdigit():
                end -= 1
        if start > 0 and run[start - 1].isdigit():
            while start < end and run[start].isdigit():
                start += 1
        if end - start >= min_len:
            yield run[start:end]
        i = j


def quotes(shared: str, exempt: str, root: Path = PROJECT_ROOT, names: list[str] = SCANNED) -> list[tuple[str, str]]:
    """(file:line, stretch) of every quote of ``shared`` in the files ``names`` under ``root``; stretches in
    ``exempt`` are ours."""
    stock = re.compile("|".join([DATES_AND_NUMBERS, *map(re.escape, sorted(STOCK, key=len, reverse=True))]))
    found = []
    for where, line in _scanned_lines(root, names):
        for run in RUN.findall(stock.sub(SEPARATOR, BLANKS.sub("", line))):
            if not IDEOGRAPH.search(run):
                continue
            for stretch in _matches(run, shared, QUOTE_WITH_DIGIT):
                has_digit = any(ch.isdigit() for ch in stretch)
                if len(stretch) < (QUOTE_WITH_DIGIT if has_digit else QUOTE_WITHOUT_DIGIT):
                    continue
                if IDEOGRAPH.search(stretch) and stretch not in exempt:
                    found.append((where, stretch))
    return found


def test_no_text_of_shared_reports_is_committed(shared_corpus_dir):
    reports = [p for p in _reports(shared_corpus_dir) if p.parent.name != "templates"]
    templates = [p for p in _reports(shared_corpus_dir) if p.parent.name == "templates"]
    if not reports:
        pytest.skip(f"{shared_corpus_dir} holds no reports")
    shared = SEPARATOR.join(t for p in reports for t in _texts(p))
    exempt = SEPARATOR.join(t for p in [*_reports(CORPUS_DIR), *templates] for t in _texts(p))
    found = quotes(shared, exempt)
    assert not found, "text of ../shared/corpus reports committed (replace by a constructed text):\n" + "\n".join(
        f"{where}: {stretch}" for where, stretch in found)


def test_a_quote_is_found_and_stock_wording_dates_and_other_figures_are_not(tmp_path):
    """The search on a constructed shared text: a quoted sentence is reported; stock wording, a date and a figure
    that only shares its first digits are not."""
    shared = SEPARATOR.join(["二〇二三年，某区共举办政务开放日活动17场，接待群众4825人次。",
                             "某区2023年政府信息公开工作年度报告", "数据统计期限自2023年1月1日起至"])
    lines = ["# 某区共举办政务开放日活动17场", "# 接待群众4826人次", "# 2023年1月1日起至12月31日",
             "# 政府信息公开工作年度报告", "# 共举办政务开放日"]
    (tmp_path / "f.py").write_text("\n".join(lines), encoding="utf-8")
    assert quotes(shared, exempt="", root=tmp_path, names=["f.py"]) == [("f.py:1", "某区共举办政务开放日活动17场")]
    assert quotes(shared, exempt="某区共举办政务开放日活动17场", root=tmp_path, names=["f.py"]) == []
