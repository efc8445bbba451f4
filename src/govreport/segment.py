"""Tokenisation for the span model: one token per character, or a spacy-pkuseg segmenter trained offline.

No pretrained pkuseg model can be downloaded here, so we train one on our own corpus text. Its training
data is a silver segmentation: figures and the units after them are cut out first (so they are always
tokens of their own), the rest is split by a minimum-word-count dictionary match over our domain words
(indicator labels, organ words, the rules' units) and the general dictionary bundled with spacy-pkuseg.
The trained CRF then generalises beyond the dictionary; the domain words also go in as its user
dictionary, which pkuseg applies before the CRF.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import marisa_trie
from spacy.util import registry

from .config import load_config

SEGMENTERS = ("char", "pkuseg")
USER_DICT = "user_dict.txt"

_NUMERALS = "零〇○一二两三四五六七八九十百千万亿"
# a figure: an ASCII number (with decimals, thousands separators, percent) or a run of Chinese numerals
_FIGURE = re.compile(rf"[0-9]+(?:[.,][0-9]+)*%?|[{_NUMERALS}]{{2,}}")
_NOT_WORD = re.compile(r"[\sA-Za-z0-9\W_]")  # a dictionary word with these is no use to the silver segmentation
_SPLIT_LABEL = re.compile(r"[｜|、，,（）()：:/·“”\"《》\s]+")


def train_settings() -> dict[str, Any]:
    """The pkuseg block of configs/train.yml."""
    return load_config("train.yml")["pkuseg"]


def rule_units() -> list[str]:
    """The units of the rules' figure grammar (configs/patterns/figures.yml) and the configured extras."""
    from .values import figure_grammar

    units = set(figure_grammar().unit_label) | set(train_settings()["extra_units"])
    return sorted(units)


def domain_words() -> list[str]:
    """Indicator labels and aliases (cut at punctuation), organ words and the configured extra words."""
    words: set[str] = set(train_settings()["extra_words"])
    for ind in load_config("indicators.yml")["indicators"]:
        for phrase in [ind.get("label", "")] + list(ind.get("aliases", []) or []):
            words.update(p for p in _SPLIT_LABEL.split(phrase) if len(p) >= 2 and not _FIGURE.search(p))
    return sorted(words)


def bundled_dictionary() -> Iterator[str]:
    """The general word list shipped inside spacy-pkuseg (no download), without Latin or digit entries, one word
    at a time (a list of them all is 30 MB of small objects that a process keeps after it has freed them)."""
    import pickle

    import spacy_pkuseg

    path = Path(spacy_pkuseg.__file__).parent / "dicts" / "default.pkl"
    with open(path, "rb") as f:
        text = pickle.load(f)
    for match in re.finditer(r"[^\n]{2,}", text):
        if not _NOT_WORD.search(match.group()):
            yield match.group()


@lru_cache(maxsize=1)
def silver_lexicon() -> tuple[marisa_trie.Trie, tuple[str, ...]]:
    """Words for the silver segmentation, and the units (longest first) that follow figures. The words are a
    marisa trie, built without a Python set of them: it lists the words that open a stretch in one call, and a
    process that links holds 3 MB for it, against 102 MB for a set of the words and one of their beginnings."""
    settings = train_settings()
    units = tuple(sorted(rule_units(), key=len, reverse=True))
    words = chain(domain_words(), units, bundled_dictionary() if settings["use_bundled_dictionary"] else ())
    # a numeral with its count word (三次, 两会) is a figure and a unit, not one word
    counted = re.compile(rf"^[{_NUMERALS}]+(?:{'|'.join(map(re.escape, units))})?$")
    return marisa_trie.Trie(w for w in words if not counted.match(w)), units


def silver_words(text: str, lexicon: marisa_trie.Trie, units: tuple[str, ...], max_len: int) -> list[str]:
    """Words of ``text``: figures and their units first, the rest by fewest dictionary words."""
    words = (text[a:b] for a, b in silver_word_spans(text, lexicon, units, max_len))
    return [w for w in words if w.strip()]


def silver_word_spans(text: str, lexicon: marisa_trie.Trie, units: tuple[str, ...], max_len: int
                      ) -> list[tuple[int, int]]:
    """(start, end) of every word of ``text`` as ``silver_words`` cuts it (blanks are words of their own)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in _FIGURE.finditer(text):
        spans += _fewest_words(text, pos, match.start(), lexicon, max_len)
        spans.append(match.span())
        pos = match.end()
        unit = _unit_pattern(units).match(text, pos)
        if unit and unit.end() > pos:
            spans.append((pos, unit.end()))
            pos = unit.end()
    return spans + _fewest_words(text, pos, len(text), lexicon, max_len)


@lru_cache(maxsize=4)
def _unit_pattern(units: tuple[str, ...]) -> re.Pattern[str]:
    """The units as one alternation, tried in their order (the first that matches wins, as a loop over them)."""
    return re.compile("|".join(map(re.escape, units)))


def _fewest_words(text: str, lo: int, hi: int, lexicon: marisa_trie.Trie, max_len: int) -> list[tuple[int, int]]:
    """Dynamic programme: the split of ``text[lo:hi]`` into the fewest pieces, each a word or a single
    character, as (start, end) offsets into ``text``; of equal splits, each piece starts as early as it can."""
    n = hi - lo
    if n <= 1:
        return [(lo, hi)] if n else []
    best = [0] + [n + 1] * n
    back = [0] * (n + 1)
    stretch, words_opening = text[lo:hi], lexicon.prefixes
    # forward: from each start, the single character, then the dictionary words that open there (the trie lists
    # them in one call; the same choice as trying every start for each end)
    for start in range(n):
        step = best[start] + 1
        if step < best[start + 1]:
            best[start + 1], back[start + 1] = step, start
        for word in words_opening(stretch[start:start + max_len]):
            end = start + len(word)
            if step < best[end] and end > start + 1:
                best[end], back[end] = step, start
    spans = []
    end = n
    while end > 0:
        spans.append((lo + back[end], lo + end))
        end = back[end]
    return spans[::-1]


def write_silver_segmentation(units: Iterable[str], path: Path) -> int:
    """Write units as pkuseg training lines (words separated by spaces); returns the character count."""
    lexicon, unit_words = silver_lexicon()
    max_len = train_settings()["max_word_length"]
    n_chars = 0
    with open(path, "w", encoding="utf-8") as f:
        for unit in units:
            for piece in unit.split():
                words = silver_words(piece, lexicon, unit_words, max_len)
                if words:
                    f.write(" ".join(words) + "\n")
                    n_chars += len(piece)
    return n_chars


def train_segmenter(units: list[str], out_dir: Path, passes: int | None = None, seed: int | None = None) -> Path:
    """Train a spacy-pkuseg model on the silver segmentation of ``units``; returns its folder."""
    import spacy_pkuseg

    settings = train_settings()
    passes = passes or settings["passes"]
    seed = load_config("train.yml")["seed"] if seed is None else seed
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    shuffled = list(units)
    rng.shuffle(shuffled)
    n_test = max(1, int(len(shuffled) * settings["test_share"]))
    write_silver_segmentation(shuffled[n_test:], out_dir / "train.txt")
    write_silver_segmentation(shuffled[:n_test], out_dir / "test.txt")
    random.seed(seed)  # pkuseg shuffles with the global random module
    stdout = sys.stdout
    try:
        sys.stdout = sys.stderr  # pkuseg prints its progress; keep stdout for results
        spacy_pkuseg.train(str(out_dir / "train.txt"), str(out_dir / "test.txt"), str(out_dir / "model"),
                           train_iter=passes)
    finally:
        sys.stdout = stdout
    write_user_dict(out_dir / USER_DICT)
    return out_dir / "model"


def write_user_dict(path: Path) -> Path:
    """Domain words of two or more characters, one a line, for pkuseg's user dictionary.

    Single-character units stay out: pkuseg forces user words by longest match, so 件 would split 文件.
    """
    words = [w for w in domain_words() if len(w) >= 2]
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return path


def without_dictionary_merges(nlp):
    """Turn off pkuseg's post-processing, which re-joins tokens found in its bundled dictionary (2017年,
    3件): figures and units must stay tokens of their own. Saved with the pipeline."""
    seg = getattr(nlp.tokenizer, "pkuseg_seg", None)
    if seg is not None:
        seg.postprocesser.do_process = False
        # its word lists are then unused: not saved with the model (about 4 MB)
        seg.postprocesser.common_words, seg.postprocesser.other_words = set(), set()
    return nlp


@registry.callbacks("govreport.pkuseg_without_merges.v1")
def pkuseg_without_merges() -> Callable:
    """[initialize] after_init callback of configs/ner_pkuseg.cfg (see without_dictionary_merges)."""
    return without_dictionary_merges


def tokenizer_overrides(segmenter: str, pkuseg_dir: Path | None = None) -> dict[str, Any]:
    """spaCy config overrides that select the tokenizer (pkuseg needs the folder train_segmenter wrote)."""
    if segmenter not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {segmenter!r}: use one of {', '.join(SEGMENTERS)}")
    if segmenter == "char":
        return {"nlp.tokenizer.segmenter": "char"}
    if pkuseg_dir is None or not (Path(pkuseg_dir) / "model" / "features.msgpack").exists():
        raise FileNotFoundError(f"no trained pkuseg model under {pkuseg_dir}: run train_segmenter first")
    return {
        "nlp.tokenizer.segmenter": "pkuseg",
        "initialize.tokenizer.pkuseg_model": str(Path(pkuseg_dir) / "model"),
        "initialize.tokenizer.pkuseg_user_dict": str(Path(pkuseg_dir) / USER_DICT),
    }
