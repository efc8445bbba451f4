"""The trained span model end to end on a tiny fixture: convert → train → load → predict → fall back.

The fixture sentences are from seed 001 (corpus/, ours); their spans are marked by hand below.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govreport.normalize import normalize_text
from govreport.segment import (
    silver_lexicon,
    silver_words,
    tokenizer_overrides,
    train_segmenter,
    without_dictionary_merges,
    write_user_dict,
)
from govreport.spans.hybrid import HybridFinder, ModelFallbackWarning, combine_spans, load_span_finder
from govreport.spans.model import ModelLoadError, load_model, model_units, predict_spans
from govreport.training.spans import train, unit_examples
from govreport.types import Span

FIXTURE = [
    ("2017年,桃源县累计主动公开政府信息135000条,全文电子化率达92%。",
     [("2017年", "DATE"), ("135000条", "COUNT"), ("92%", "MEASURE")]),
    ("桃源县2017年度共受理政府信息公开申请210件。", [("2017年度", "DATE"), ("210件", "COUNT")]),
    ("其中当面申请168件,传真申请2件,电子邮件申请10件,网上申请14件,信函申请16件。",
     [("168件", "COUNT"), ("2件", "COUNT"), ("10件", "COUNT"), ("14件", "COUNT"), ("16件", "COUNT")]),
    ("2017年度共接受群众咨询56200人次,其中公共查阅室接待22000人次、接听咨询电话2500人次。",
     [("2017年度", "DATE"), ("56200人次", "COUNT"), ("22000人次", "COUNT"), ("2500人次", "COUNT")]),
    ("安排政府信息公开经费约20万元,用于《条例》宣传。", [("约20万元", "MEASURE")]),
    ("年初我县专门配备了130名工作人员,设立了桃源县政务公开工作办公室。",
     [("130名", "COUNT"), ("桃源县政务公开工作办公室", "ORG")]),
]
# spaCy settings that keep the tiny run to a few seconds; the network is the configured one
TINY = {"training.max_epochs": 150, "training.eval_frequency": 25, "training.patience": 0}


def _example(text: str, marked: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int, str]], list]:
    """Character offsets of the marked strings, searched left to right."""
    spans, pos = [], 0
    for piece, label in marked:
        start = text.index(piece, pos)
        spans.append((start, start + len(piece), label))
        pos = start + len(piece)
    return text, spans, []


@pytest.fixture(scope="module")
def examples() -> list:
    return [_example(text, marked) for text, marked in FIXTURE]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, examples) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("models")
    summary = train(out, segmenter="char", examples={"train": examples, "dev": examples}, overrides=TINY,
                    work_dir=tmp_path_factory.mktemp("work"))
    return out / "ner", summary


@pytest.fixture(scope="module")
def seed_text(corpus_dir) -> str:
    return normalize_text((corpus_dir / "001_9aef50f578a0bdd8.txt").read_text(encoding="utf-8"))[0]


def test_units_keep_the_spans_inside_them(examples):
    units = unit_examples(examples, keep_empty=0.0, seed=0)
    assert sum(len(u[1]) for u in units) == sum(len(e[1]) for e in examples)
    for text, spans, _ in units:
        assert all(0 <= s < e <= len(text) for s, e, _ in spans)


def test_train_writes_a_loadable_model_with_its_summary(trained):
    model_dir, summary = trained
    assert (model_dir / "config.cfg").exists() and (model_dir / "training.json").exists()
    assert summary["segmenter"] == "char" and summary["train"]["spans"] == 17
    assert 0 < summary["model_bytes"] < 20_000_000
    nlp = load_model(model_dir)
    assert nlp.pipe_names == ["ner"] and set(nlp.get_pipe("ner").labels) == {"COUNT", "MEASURE", "DATE", "ORG"}


def test_model_predicts_the_spans_it_was_trained_on(trained, examples):
    model_dir, _ = trained
    nlp = load_model(model_dir)
    text = "\n".join(t for t, _, _ in examples)
    gold, offset = set(), 0
    for t, spans, _ in examples:
        gold |= {(offset + s, offset + e, label) for s, e, label in spans}
        offset += len(t) + 1
    pred = predict_spans(nlp, text)
    assert all(s.method == "model" and text[s.start:s.end] == s.text for s in pred)
    found = {(s.start, s.end, s.label) for s in pred}
    assert len(found & gold) >= 0.8 * len(gold)


def test_missing_model_falls_back_to_rules_with_a_warning(tmp_path, seed_text):
    with pytest.warns(ModelFallbackWarning, match="no span model at .*nowhere"):
        finder = load_span_finder(tmp_path / "nowhere")
    assert not finder.uses_model
    spans = finder(seed_text, 2017)
    assert spans and all(s.method == "rules" for s in spans)


def test_incomplete_or_corrupt_model_is_named_and_falls_back(trained, tmp_path):
    model_dir, _ = trained
    incomplete = tmp_path / "incomplete"
    shutil.copytree(model_dir, incomplete)
    (incomplete / "meta.json").unlink()
    with pytest.raises(ModelLoadError, match="meta.json missing"):
        load_model(incomplete)
    corrupt = tmp_path / "corrupt"
    shutil.copytree(model_dir, corrupt)
    (corrupt / "ner" / "model").write_bytes(b"not a model")
    with pytest.warns(ModelFallbackWarning, match="corrupt cannot be loaded"):
        assert not load_span_finder(corrupt).uses_model


def test_pkuseg_model_without_its_segmenter_fails_fast(trained, tmp_path):
    model_dir, _ = trained
    broken = tmp_path / "pkuseg_broken"
    shutil.copytree(model_dir, broken)
    cfg = broken / "config.cfg"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('segmenter = "char"', 'segmenter = "pkuseg"'),
                   encoding="utf-8")
    with pytest.raises(ModelLoadError, match="pkuseg_model/features.msgpack is missing"):
        load_model(broken)


def test_hybrid_finder_keeps_rules_spans_and_adds_model_spans(trained, seed_text):
    model_dir, _ = trained
    finder = load_span_finder(model_dir)
    assert isinstance(finder, HybridFinder)
    spans = finder(seed_text, 2017)
    assert spans == sorted(spans, key=lambda s: (s.start, s.end, s.label))
    assert all(seed_text[s.start:s.end] == s.text for s in spans)
    # a model figure carries a parsed value, like a rules figure
    assert all(s.value is not None or s.range is not None for s in spans if s.label == "COUNT")


def test_measured_all_rules_policy_skips_the_model(trained, tmp_path, seed_text):
    import srsly

    model_dir, _ = trained
    rules_only = tmp_path / "rules_only"
    shutil.copytree(model_dir, rules_only)
    srsly.write_json(rules_only / "hybrid.json", {"policy": {"COUNT": "rules", "MEASURE": "rules", "DATE": "rules",
                                                             "ORG": "rules"}})
    assert not load_span_finder(rules_only).uses_model
    srsly.write_json(rules_only / "hybrid.json", {"policy": {"ORG": "guess"}})
    with pytest.warns(ModelFallbackWarning, match="unknown hybrid policy"):
        assert not load_span_finder(rules_only).uses_model


def test_model_units_skip_tables_and_text_without_figures(seed_text):
    units = model_units(seed_text)
    texts = [seed_text[a:b] for a, b in units]
    assert any("135000条" in t for t in texts)
    assert not any(t.startswith("|") for t in texts)  # pipe-table rows belong to the table stage
    assert "一、概述" not in texts
    table = seed_text.index("| 统 计 指 标")
    assert all(b <= table for a, b in model_units(seed_text, exclude=[(table, len(seed_text))]))


def _span(label: str, start: int, end: int, method: str) -> Span:
    return Span(label, start, end, "x" * (end - start), method=method)


def test_combine_policies_per_label():
    rules = [_span("COUNT", 0, 4, "rules"), _span("DATE", 10, 15, "rules")]
    model = [_span("COUNT", 0, 5, "model"), _span("COUNT", 20, 23, "model"), _span("ORG", 11, 14, "model")]
    keys = lambda spans: [(s.label, s.start, s.end) for s in spans]
    assert keys(combine_spans(model, rules, {"COUNT": "rules_first", "DATE": "rules", "ORG": "model"})) == [
        ("COUNT", 0, 4), ("DATE", 10, 15), ("COUNT", 20, 23)]  # the model ORG overlaps a rules DATE
    assert keys(combine_spans(model, rules, {"COUNT": "model_first", "DATE": "rules"})) == [
        ("COUNT", 0, 5), ("DATE", 10, 15), ("COUNT", 20, 23)]
    assert keys(combine_spans(model, rules, {"COUNT": "both", "DATE": "rules"})) == [("DATE", 10, 15)]


def test_silver_segmentation_makes_figures_and_units_tokens():
    lexicon, units = silver_lexicon()
    words = silver_words("桃源县累计主动公开政府信息135000条,全文电子化率达92%。", lexicon, units, 8)
    assert "".join(words) == "桃源县累计主动公开政府信息135000条,全文电子化率达92%。"
    assert "135000" in words and "条" in words and "92%" in words


def _fewest_by_every_start(text: str, lexicon: frozenset[str], max_len: int) -> list[tuple[int, int]]:
    """The plain programme: for each end, every start within max_len (the earliest of equal splits)."""
    n = len(text)
    best, back = [0] + [n + 1] * n, [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(max(0, end - max_len), end):
            if (end - start == 1 or text[start:end] in lexicon) and best[start] + 1 < best[end]:
                best[end], back[end] = best[start] + 1, start
    spans, end = [], n
    while end > 0:
        spans.append((back[end], end))
        end = back[end]
    return spans[::-1]


@pytest.mark.parametrize("max_len", [8, 3])
def test_the_forward_programme_splits_as_the_plain_one(corpus_dir, max_len):
    from govreport.segment import _fewest_words

    lexicon, _ = silver_lexicon()
    lines = [line for path in sorted(corpus_dir.glob("*.txt"))
             for line in normalize_text(path.read_text(encoding="utf-8"))[0].splitlines() if line.strip()]
    assert len(lines) > 100
    for line in lines:
        assert _fewest_words(line, 0, len(line), lexicon, max_len) == _fewest_by_every_start(line, lexicon, max_len)


def test_a_figure_takes_the_first_unit_in_the_lexicons_order(corpus_dir):
    # the units are one alternation tried in order: the same unit as the first of the (longest-first) list that
    # the text continues with, after every figure of the corpus lines
    from govreport.segment import _FIGURE, silver_word_spans

    lexicon, units = silver_lexicon()
    n = 0
    for path in sorted(corpus_dir.glob("*.txt")):
        for line in normalize_text(path.read_text(encoding="utf-8"))[0].splitlines():
            spans = silver_word_spans(line, lexicon, units, 8)
            ends = {a: b for a, b in spans}
            for match in _FIGURE.finditer(line):
                unit = next((u for u in units if line.startswith(u, match.end())), None)
                if unit and match.start() in ends and ends[match.start()] == match.end():
                    assert ends.get(match.end()) == match.end() + len(unit), line[match.start():match.end() + 4]
                    n += 1
    assert n > 500


def test_pkuseg_segmenter_trains_offline_and_tokenizes_figures(tmp_path, seed_text):
    import spacy

    lines = [line for line in seed_text.splitlines() if line.strip() and not line.startswith("|")]
    seg_dir = tmp_path / "pkuseg"
    train_segmenter(lines, seg_dir, passes=2)
    user_dict = write_user_dict(tmp_path / "user_dict.txt").read_text(encoding="utf-8").split()
    assert "主动公开" in user_dict and "件" not in user_dict  # single units would split 文件
    overrides = tokenizer_overrides("pkuseg", seg_dir)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=overrides["initialize.tokenizer.pkuseg_model"],
                             pkuseg_user_dict=overrides["initialize.tokenizer.pkuseg_user_dict"])
    without_dictionary_merges(nlp)
    tokens = [t.text for t in nlp("桃源县2017年度共受理政府信息公开申请210件。")]
    assert "210" in tokens and "2017" in tokens
    with pytest.raises(FileNotFoundError, match="no trained pkuseg model"):
        tokenizer_overrides("pkuseg", tmp_path / "nothing")
