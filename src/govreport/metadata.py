"""Document metadata: the reporting organ, the year the statistics cover, the publication date, a form hint.

The organ is the government body the report speaks for: an office that compiles the report for its
government (咸宁市人民政府办公室, 桃源县政务公开办) stands for that government, a bare place in the title
(咸宁市2016年…报告) for its people's government, a zone (平潭综合实验区) for its management committee.
Patterns live in configs/metadata.yml.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import load_config
from .values import parse_date

CONFIG = "metadata.yml"
_BLANKS = re.compile(r"[ \t\u00a0\u3000]+")
_ALL_SPACE = re.compile(r"\s+")
_SPACE_NEAR_CJK = re.compile(r"(?<=[\u3400-\u9fff（）《》“”])\s+|\s+(?=[\u3400-\u9fff（）《》“”])")


@dataclass
class _Patterns:
    """configs/metadata.yml compiled once."""

    cfg: dict[str, Any]
    title_label: re.Pattern[str]
    title_line: re.Pattern[str]
    title_prefix: re.Pattern[str]
    title_reject: re.Pattern[str]
    title: re.Pattern[str]
    title_noise: re.Pattern[str]
    period: re.Pattern[str]
    period_range: re.Pattern[str]
    year_of_report: re.Pattern[str]
    year_any: re.Pattern[str]
    date_label: re.Pattern[str]
    date_line: re.Pattern[str]
    compiler: re.Pattern[str]
    compiler_before: re.Pattern[str]
    source_label: re.Pattern[str]
    addressee_line: re.Pattern[str]  # a first line naming whom the report is sent to
    place: re.Pattern[str]
    organ_suffix: re.Pattern[str]
    office_suffix: re.Pattern[str]
    government_of: list[tuple[re.Pattern[str], str]]
    short_government: tuple[re.Pattern[str], str]
    abbreviations: re.Pattern[str]


@lru_cache(maxsize=1)
def load_patterns() -> _Patterns:
    """Compile configs/metadata.yml (cached)."""
    cfg = load_config(CONFIG)
    abbreviations = sorted(cfg["abbreviations"], key=len, reverse=True)
    return _Patterns(
        cfg=cfg,
        title_label=re.compile(cfg["title_label"]),
        title_line=re.compile(cfg["title_line"]),
        title_prefix=re.compile(cfg["title_prefix"]),
        title_reject=re.compile(cfg["title_reject"]),
        title=re.compile(cfg["title"]),
        title_noise=re.compile(cfg["title_noise"]),
        period=re.compile(cfg["period"]),
        period_range=re.compile(cfg["period_range"]),
        year_of_report=re.compile(cfg["year_of_report"]),
        year_any=re.compile(cfg["year_any"]),
        date_label=re.compile(cfg["date_label"]),
        date_line=re.compile(cfg["date_line"]),
        compiler=re.compile(cfg["compiler"]),
        compiler_before=re.compile(cfg["compiler_before"]),
        source_label=re.compile(cfg["source_label"]),
        addressee_line=re.compile(cfg["addressee_line"]),
        place=re.compile(cfg["place"]),
        organ_suffix=re.compile(cfg["organ_suffix"]),
        office_suffix=re.compile(cfg["office_suffix"]),
        government_of=[(re.compile(p), body) for p, body in cfg["government_of"]],
        short_government=(re.compile(cfg["short_government"][0]), cfg["short_government"][1]),
        abbreviations=re.compile("|".join(map(re.escape, abbreviations))),
    )


# --------------------------------------------------------------------------------------------------------
# title and year


def find_title(text: str) -> str | None:
    """The report title: a labelled title line, else the first line near the top that ends like a report title,
    with the organ line before it, else a short first line."""
    pat = load_patterns()
    head = text[: pat.cfg["head_chars"] * 2]
    m = pat.title_label.search(head)
    if m:
        return _ALL_SPACE.sub("", m.group("title"))
    return _title_lines(text)


def _title_lines(text: str) -> str | None:
    pat = load_patterns()
    cfg = pat.cfg
    lines = [pat.title_prefix.sub("", line).strip() for line in _nonempty_lines(text)[: cfg["title_head_lines"]]]
    usable = [bool(line) and not pat.title_reject.search(line) and not _is_date_line(line) for line in lines]
    for i, line in enumerate(lines):
        if not (usable[i] and pat.title_line.search(line) and len(line) <= cfg["title_max_chars"]):
            continue
        parts = [line]
        j = i - 1
        while (j >= 0 and usable[j] and len(parts) < cfg["title_max_lines"] and not pat.title_line.search(lines[j])
               and len(lines[j]) + sum(map(len, parts)) <= cfg["title_max_chars"]):
            parts.insert(0, lines[j])
            j -= 1
        return tidy_title("".join(parts))
    for i, line in enumerate(lines[: cfg["title_fallback_lines"]]):
        if usable[i] and len(line) <= cfg["title_max_chars"] and not pat.date_label.search(_BLANKS.sub("", line)):
            return tidy_title(line)
    return None


def _nonempty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def tidy_title(title: str) -> str:
    """A title without the blanks a layout put next to Chinese characters."""
    return _SPACE_NEAR_CJK.sub("", title).strip()


def _is_date_line(line: str) -> bool:
    return bool(load_patterns().date_line.match(_BLANKS.sub("", line)))


def _valid_year(year: int) -> bool:
    low, high = load_patterns().cfg["year_range"]
    return low <= year <= high


def report_year(text: str, title: str | None = None, published: str | None = None) -> int | None:
    """The year the statistics cover: title year, the statistical period, 'XXXX年度', else the year before publication."""
    pat = load_patterns()
    compact = _compact(text)
    pub_year = int(published[:4]) if published else None
    lag = pat.cfg["max_publication_lag"]

    def plausible(year: int) -> bool:
        return _valid_year(year) and (pub_year is None or pub_year - lag <= year <= pub_year)

    title = title or find_title(text)
    if title:
        m = pat.title.search(title)
        if m and plausible(int(m.group("year"))):
            return int(m.group("year"))
    for pattern in (pat.period_range, pat.period, pat.year_of_report):
        for m in pattern.finditer(compact):
            if plausible(int(m.group("year"))):
                return int(m.group("year"))
    if pub_year is not None:
        return pub_year - 1
    years = Counter(int(m.group("year")) for m in pat.year_any.finditer(compact) if _valid_year(int(m.group("year"))))
    return years.most_common(1)[0][0] if years else None


def _title_of(candidate: str | None) -> str | None:
    """A title kept outside the text, when it reads like a report title."""
    if not candidate:
        return None
    m = load_patterns().title.search(_ALL_SPACE.sub("", candidate))
    return m.group(0) if m else None


# --------------------------------------------------------------------------------------------------------
# publication date


def _iso_date(written: str) -> str | None:
    """2017-03-10, 2017年3月10日, 二〇一九年二月十一日 → ISO date, or None unless it is one valid day of a plausible
    year (read by values.parse_date, the one date reader)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", parse_date(written) or "")
    if m is None:
        return None
    year, month, day = (int(g) for g in m.groups())
    return m.group(0) if _valid_year(year) and 1 <= month <= 12 and 1 <= day <= 31 else None


def labelled_date(text: str) -> str | None:
    """The first labelled date (发布日期: …) of ``text`` as an ISO date, or None."""
    m = load_patterns().date_label.search(_BLANKS.sub("", text))
    return _iso_date(m.group("date")) if m else None


def _first_lines(lines: Iterable[str], n: int) -> list[str]:
    """The first ``n`` lines that are not blank, without their blanks (the lines in between are never read:
    a report has thousands)."""
    out: list[str] = []
    for line in lines:
        if len(out) >= n:
            break
        line = _BLANKS.sub("", line)
        if line:
            out.append(line)
    return out


def publication_date(text: str) -> str | None:
    """The publication date: a labelled date, else a date line near the top, else one near the end."""
    pat = load_patterns()
    date = labelled_date(text[: pat.cfg["head_chars"] * 2])
    if date:
        return date
    lines = text.splitlines()
    top = _first_lines(lines, pat.cfg["date_line_top_lines"])
    bottom = _first_lines(reversed(lines), pat.cfg["date_line_bottom_lines"])  # from the end
    for line in top + bottom:
        m = pat.date_line.match(line)
        if m:
            date = _iso_date(m.group("date"))
            if date:
                return date
    return None


# --------------------------------------------------------------------------------------------------------
# organ


def _government_of_place(place: str) -> str:
    """The government body of a place: 咸宁市 → 咸宁市人民政府, 平潭综合实验区 → 平潭综合实验区管委会."""
    for pattern, body in load_patterns().government_of:
        if pattern.search(place):
            return place + body
    return place


def organ_name(candidate: str) -> str | None:
    """The government body named by an organ or place string, or None when it names neither."""
    pat = load_patterns()
    name = pat.title_noise.sub("", _ALL_SPACE.sub("", candidate)).strip("“”\"'·:：")
    if len(name) < 2:
        return None
    name = pat.abbreviations.sub(lambda m: pat.cfg["abbreviations"][m.group(0)], name)
    office = pat.office_suffix.search(name)
    if office and office.start() > 0:
        rest = name[: office.start()]
        if pat.place.fullmatch(rest):
            return _government_of_place(rest)
        if re.search(r"(?:人民政府|政府|管委会|管理委员会)$", rest):
            return _full_government(rest)
    if pat.place.fullmatch(name):
        return _government_of_place(name)
    if pat.organ_suffix.search(name):
        return _full_government(name)
    return None


def _full_government(name: str) -> str:
    """X市政府 → X市人民政府 (other organ names unchanged)."""
    pattern, replacement = load_patterns().short_government
    return pattern.sub(replacement, name)


def _is_relative(name: str) -> bool:
    """Whether an organ name lacks its place (市政府办公室, 县政务公开办)."""
    m = load_patterns().place.match(name)
    return m is None or m.end() <= 1


def _with_parent_place(organ: str, compact: str) -> str:
    """洪泽区人民政府 → 淮安市洪泽区人民政府 when the text names the district under its city."""
    pat = load_patterns()
    m = pat.place.match(organ)
    if not m or not re.search(r"(?:区|县|旗)$", m.group(0)) or re.search(r"[省市州盟]", m.group(0)[:-1]):
        return organ
    place = m.group(0)
    counts: Counter[str] = Counter()
    for hit in re.finditer(re.escape(place), compact):
        before = compact[max(0, hit.start() - 5):hit.start()]
        for size in range(3, len(before) + 1):
            parent = before[-size:]
            if re.fullmatch(r"[\u4e00-\u9fff]{2,4}(?:市|州|盟|地区)", parent):
                counts[parent] += 1
    if not counts:
        return organ
    best = max(counts.items(), key=lambda kv: (kv[1], -len(kv[0])))[0]
    return best + organ


@lru_cache(maxsize=4)
def _compact(text: str) -> str:
    """The text without any whitespace (cached: the year, organ and form readers of a document all need it)."""
    return "".join(text.split())  # the characters of \s, three times faster than _ALL_SPACE.sub


def _compact_lines(lines: list[str], n: int) -> list[str]:
    """The first ``n`` non-blank ``lines`` without whitespace (every one when ``n`` is 0); lines after those are
    not compacted at all (the organ reader needs the first line and a few last ones of long texts)."""
    out = []
    for line in lines:
        compact = "".join(line.split())
        if compact:
            out.append(compact)
            if len(out) == n:
                break
    return out


def _organ_candidates(text: str, title: str | None) -> Iterator[str]:
    """Organ strings in order of trust: title, 由…编制, labelled source, first line, signature.

    Lazily: the reader stops at the first organ it accepts, mostly the title's, and the later sources cost more.
    """
    pat = load_patterns()
    compact = _compact(text)
    if title:
        m = pat.title.search(title)
        if m:
            yield from filter(None, (m.group("pre"), m.group("mid")))
    head, top = compact[: pat.cfg["head_chars"] * 2], compact[: pat.cfg["head_chars"] * 3]
    yield from filter(None, (m.group("org") for m in pat.compiler.finditer(top)))
    yield from filter(None, (m.group("org") for m in pat.source_label.finditer(head)))
    lines = text.splitlines()
    yield from (line for line in _compact_lines(lines, 1) if not pat.addressee_line.search(line))
    # the signature: the last organ-like line of the end of the text
    bottom = _compact_lines(lines[::-1], pat.cfg["date_line_bottom_lines"])
    yield from (line for line in bottom if pat.organ_suffix.search(line))
    yield from filter(None, (m.group("org") for m in pat.compiler_before.finditer(top)))


def reporting_organ(text: str, title: str | None = None) -> str | None:
    """The government body the report speaks for (with its parent city when the text names it)."""
    compact = _compact(text)
    title = title or find_title(text)
    relative = None
    for candidate in _organ_candidates(text, title):
        organ = organ_name(candidate)
        if organ is None:
            continue
        if _is_relative(organ):
            relative = relative or organ
            continue
        return _with_parent_place(organ, compact)
    return relative


def document_metadata(doc_text: str, path: str | Path | None = None, tables_form: str | None = None,
                      source_meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """organ, year, form, published (and title) of a report. The form is the table stage's (``tables_form``,
    from tables.parse_tables: the one form detection), passed through; None when not given.

    ``source_meta`` (Document.meta from ingestion) supplies the title and publication date a web page
    keeps outside its text (HTML <title>, <meta> dates) when the text itself has none.
    """
    source_meta = source_meta or {}
    title = find_title(doc_text) or _title_of(source_meta.get("title"))
    published = publication_date(doc_text) or source_meta.get("published")
    year = report_year(doc_text, title, published)
    if published and year and not (year <= int(published[:4]) <= year + load_patterns().cfg["max_publication_lag"]):
        published = None  # a date of something else
    return {"organ": reporting_organ(doc_text, title), "year": year, "form": tables_form, "published": published,
            "title": title}
