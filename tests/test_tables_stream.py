"""Tables in running text read with the anchors read lazily (tables.shapes.stream_rows passes over the text between
table regions) against reading every anchor of the text, the plain way: the same rows and regions, on the bundled
and the shared reports under every form's lexicon, and on generated texts that write the region starts and markers
with blanks, quotes, line breaks, variant characters, item numbers and notes around them."""

from __future__ import annotations

import random

import pytest
from tests.conftest import shared_files

from govreport.config import load_config
from govreport.ingest import IngestError, read_document
from govreport.tables.lexicon import get_lexicon
from govreport.tables.shapes import (
    _BRACKETS,
    _anchor_roles,
    _blank_gap,
    _ends,
    _in_note,
    _only_labels,
    _rows_from_tokens,
    _Spans,
    pipe_rows,
    stream_rows,
    tokenize_gap,
)

FORMS = ("pre2019", "v2019", "v2021")


def _every_anchor(text, lex, grid_spans):
    """stream_rows reading every anchor of the text (as it did before reading them lazily)."""
    cfg = load_config("tables.yml")["region"]
    spans = _Spans(sorted(grid_spans))
    notes = [m.span() for m in _BRACKETS.finditer(text)]
    note_starts = [a for a, _ in notes]
    anchors = [m for m in lex.pattern.finditer(text) if not spans.holds(m.start())
               and not (_in_note(m.start(), notes, note_starts) and _only_labels(m, lex))]
    roles_of = [_anchor_roles(m, lex) for m in anchors]
    pieces, regions, active = [], [], False
    for i, m in enumerate(anchors):
        roles, section = roles_of[i]
        if not roles:
            continue
        if _ends(roles):
            if active:
                regions[-1] = (regions[-1][0], m.start())
            active = False
            continue
        if not active and (section or any(r.kind == "start" for r in roles)):
            active = True
            regions.append((m.start(), m.end()))
        if not active:
            continue
        stop = anchors[i + 1].start() if i + 1 < len(anchors) else len(text)
        grid = spans.next_start(m.end())
        if grid is not None and grid < stop:
            stop = grid
        toks, cut = tokenize_gap(text[m.end():stop], m.end(), cfg["max_text_chars"])
        if cut:
            active = False
        if not active or i + 1 == len(anchors) or _ends(roles_of[i + 1][0]):
            while toks and toks[-1].kind == "nl":
                toks.pop()
        pieces.append((m, roles, section, toks))
        regions[-1] = (regions[-1][0], toks[-1].end if toks else m.end())
    blank_gap = _blank_gap(text, pieces, cfg["cell_per_line_share"])
    rows = [row for m, roles, section, toks in pieces for row in _rows_from_tokens(m, roles, section, toks, blank_gap)]
    return rows, regions


def _grid_spans(doc):
    spans = [(t.start, t.end) for t in doc.tables if t.end > t.start]
    _, more = pipe_rows(doc.text, spans, len(doc.tables))
    return spans + more


def _assert_same(text, lex, spans):
    rows, regions = stream_rows(text, lex, spans)
    expected_rows, expected_regions = _every_anchor(text, lex, spans)
    assert regions == expected_regions
    assert rows == expected_rows


def test_lexicons_can_pass_over_text():
    for form in FORMS:
        lex = get_lexicon(form)
        assert lex.barrier is not None and lex.starts, form  # (else every anchor is read: right, but slow)
        assert lex.barrier.match("。") and not lex.barrier.match("1") and not lex.barrier.match(" ")


@pytest.mark.parametrize("form", FORMS)
def test_bundled_reports_read_the_same(corpus_dir, form):
    files = sorted(p for p in corpus_dir.iterdir() if p.suffix in (".txt", ".md", ".html"))
    assert files
    for path in files:
        doc = read_document(path)
        _assert_same(doc.text, get_lexicon(form), _grid_spans(doc))


@pytest.mark.parametrize("form", FORMS)
def test_shared_reports_read_the_same(shared_corpus_dir, form):
    read = 0
    for path in shared_files(".txt", ".md", ".html", ".docx", ".pdf"):
        try:
            doc = read_document(path)
        except IngestError:  # (a report the ingest refuses has no text to read tables in)
            continue
        _assert_same(doc.text, get_lexicon(form), _grid_spans(doc))
        read += 1
    assert read


_NARRATIVE = ["本机关认真贯彻落实条例要求", "全年共办理", "情况良好。", "数量较上年有所增加，", "依法依规做好相关工作。",
              "人情往来", "勾稽", "指标体系建设", "单位：件", "二〇二三年", "第三季度", "复议", "（见附表）"]


def _written(phrase: str, rng: random.Random) -> str:
    """A phrase as a report may write it: blanks, quotes, list punctuation or line breaks between its characters,
    variant characters, an item number or a note before it."""
    out = []
    for ch in phrase:
        if ch == "他" and rng.random() < 0.5:
            ch = "它"
        out.append(ch)
        if rng.random() < 0.15:
            out.append(rng.choice([" ", "\n", "“", "、", "：", "  ", "\n\n", "。"]))
    text = "".join(out)
    if rng.random() < 0.3:
        text = rng.choice(["1.", "12.", "（一）", "一、", "\n3 . ", "其中："]) + text
    if rng.random() < 0.1:
        text = "（" + text + "）"
    return text


def _generated_text(lex, rng: random.Random) -> str:
    cfg = load_config("tables.yml")
    starts = [p for p, roles in lex.roles.items() if any(r.kind == "start" for r in roles)]
    phrases = sorted(lex.roles)
    parts = []
    for _ in range(rng.randrange(20, 80)):
        kind = rng.random()
        if kind < 0.3:
            parts.append(rng.choice(_NARRATIVE) * rng.randrange(1, 4))
        elif kind < 0.45:
            parts.append(_written(rng.choice(starts), rng))
        elif kind < 0.5:
            parts.append(rng.choice(["第二十条第（五）项", "第 二 十 条 第（十一）项", "第二十条（三）项"]))
        elif kind < 0.5 + 0.05 * len(cfg["region"]["end"]) / 8:
            parts.append(_written(rng.choice(cfg["region"]["end"]), rng))
        elif kind < 0.8:
            parts.append(_written(rng.choice(phrases), rng))
        else:
            parts.append(rng.choice(["", " ", "\n"]).join(str(rng.randrange(0, 3000)) for _ in range(rng.randrange(1, 8))))
        parts.append(rng.choice(["", "", " ", "\n", "\n\n", "。", "，"]))
    return "".join(parts)


@pytest.mark.parametrize("form", FORMS)
def test_generated_texts_read_the_same(form):
    lex = get_lexicon(form)
    rng = random.Random(form)
    opened = 0
    for _ in range(150):
        text = _generated_text(lex, rng)
        spans = []
        if rng.random() < 0.3:  # a grid table somewhere in the text
            a = rng.randrange(len(text))
            spans = [(a, min(len(text), a + rng.randrange(1, 200)))]
        _assert_same(text, lex, spans)
        opened += bool(stream_rows(text, lex, spans)[1])
    assert opened > 50  # the texts do hold table regions
