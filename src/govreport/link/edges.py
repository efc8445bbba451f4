"""The edges of a linked INDICATOR phrase, re-ranked by a model trained on gold.

The relation rules choose which phrase a figure measures and cut its edges by the guidelines (phrase_bounds.py).
The edge ranker scores other edges of that phrase: every start and end within a few characters that falls on a
word boundary of the dictionary segmentation (segment.py; the gold phrases of train+dev start and end on one
1454 times in 1458, so a cut inside a word, 安|装文化…, is never proposed), with features of the words on both
sides of each edge (the words themselves, their first and last characters, and their kind: verb, light verb,
adverb, preposition, scope, place, organ, date, punctuation), the words an edge move adds or drops, the words
between the phrase and its figure, and the phrase as a whole (length, balanced quotes and brackets, lexicon
phrase). A logistic regression scores each (figure, edges) pair; the best edges replace the rules' when their
probability beats the rules' own edges' by ``margin``. Figures that inherit their parent's phrase (enumeration
items, shares) follow it. Offsets are those of the rules' compact view (blanks out, wraps joined). Settings:
configs/learned_link.yml ``edges``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import load_config
from ..types import Span
from .phrase_bounds import load_bounds
from .rules import Link, View, compact_view, load_rules

if TYPE_CHECKING:
    import marisa_trie

EDGES_FILE = "edges.joblib"
SpanKey = tuple[int, int]


def edge_settings() -> dict[str, Any]:
    """configs/learned_link.yml ``edges``."""
    return load_config("learned_link.yml")["edges"]


# ---------------------------------------------------------------------------------------------------------
# Words and their kinds


@lru_cache(maxsize=1)
def _lexicon() -> tuple[marisa_trie.Trie, tuple[str, ...]]:
    from ..segment import silver_lexicon  # segment imports spaCy: 0.7 s of each start that never ranks edges

    return silver_lexicon()


class Words:
    """The dictionary words of a view text, segmented one line at a time as they are asked for."""

    def __init__(self, view: str, max_len: int):
        self.view = view
        self.max_len = max_len
        self.ending: dict[int, int] = {}  # word end → its start
        self.starting: dict[int, int] = {}  # word start → its end
        # the line breaks, to find a position's line by bisection (rfind walked back over long lines every time)
        self._breaks = [m.start() for m in re.finditer("\n", view)]
        self._line_starts: dict[int, list[int]] = {}  # line start → the word starts of that line, in order

    def _line(self, pos: int) -> tuple[int, int]:
        """Start and end of the line holding ``pos`` (a line's start holds it, and so does its end)."""
        k = bisect_left(self._breaks, pos)
        return (self._breaks[k - 1] + 1 if k else 0), (self._breaks[k] if k < len(self._breaks) else len(self.view))

    def line(self, pos: int) -> None:
        """Segment the line holding ``pos`` (once)."""
        lo, hi = self._line(pos)
        if lo in self._line_starts:
            return
        from ..segment import silver_word_spans

        lexicon, units = _lexicon()
        starts = self._line_starts[lo] = []
        for a, b in silver_word_spans(self.view[lo:hi], lexicon, units, self.max_len):
            self.starting[lo + a] = lo + b
            self.ending[lo + b] = lo + a
            starts.append(lo + a)

    def edge(self, pos: int) -> bool:
        """Whether ``pos`` falls between two words (or at a line end)."""
        if pos in self.starting or pos in self.ending:
            return True  # a known edge: its line is segmented already
        self.line(pos if pos < len(self.view) else max(0, pos - 1))
        return pos in self.starting or pos in self.ending or pos == 0 or pos == len(self.view)

    def plausible(self, pos: int) -> bool:
        """Whether ``pos`` may end or start a word: a word edge of the segmentation, or a dictionary word of two
        or more characters starts or ends there (项目|的 where the segmentation read 项|目的)."""
        if self.edge(pos):
            return True
        lexicon = _lexicon()[0]
        if any(len(word) > 1 for word in lexicon.prefixes(self.view[pos:pos + self.max_len])):
            return True
        return any(self.view[max(0, pos - k):pos] in lexicon for k in range(2, self.max_len + 1))

    def before(self, pos: int) -> str:
        """The word that ends at ``pos`` ('' at a line start)."""
        start = self.ending.get(pos)
        return self.view[start:pos] if start is not None else ""

    def after(self, pos: int) -> str:
        """The word that starts at ``pos`` ('' at a line end)."""
        end = self.starting.get(pos)
        return self.view[pos:end] if end is not None else ""

    def between(self, lo: int, hi: int) -> list[str]:
        """The words from ``lo`` to ``hi`` (both word edges; the words of ``lo``'s line that start before ``hi``)."""
        starts, first, last = self._span(lo, hi)
        return [self.view[a:self.starting[a]] for a in starts[first:last]]

    def count_between(self, lo: int, hi: int) -> int:
        """How many words ``between`` gives, without slicing them."""
        _, first, last = self._span(lo, hi)
        return last - first

    def _span(self, lo: int, hi: int) -> tuple[list[int], int, int]:
        """The word starts of ``lo``'s line and the range of them from ``lo`` up to ``hi``."""
        if lo not in self.starting:  # not a word start of a segmented line
            return [], 0, 0
        starts = self._line_starts[self._line(lo)[0]]
        first = bisect_left(starts, lo)
        return starts, first, max(first, bisect_left(starts, hi, first))


@dataclass(frozen=True)
class _Kinds:
    """Patterns that tell a word's kind (configs/link.yml, configs/phrase_bounds.yml, learned_link.yml)."""

    verb: re.Pattern[str]
    light: re.Pattern[str]
    adverb: re.Pattern[str]
    filler: re.Pattern[str]
    preposition: re.Pattern[str]
    scope: re.Pattern[str]
    place: re.Pattern[str]
    joiner: re.Pattern[str]
    phrase_char: re.Pattern[str]


@lru_cache(maxsize=1)
def _kinds() -> _Kinds:
    rules, bounds, cfg = load_rules(), load_bounds(), edge_settings()
    return _Kinds(rules.verbs, bounds.light_verbs, bounds.interior_adverbs, rules.filler_between,
                  bounds.frame_prepositions, rules.scope_any, re.compile(cfg["place"]), re.compile(cfg["joiner"]),
                  bounds.phrase_char)


@lru_cache(maxsize=65536)
def word_kinds(word: str) -> tuple[str, ...]:
    """The kinds of one word (empty: an ordinary word); cached: a ranker asks for the same few words thousands of
    times per document."""
    return tuple(_word_kinds(word))


def _word_kinds(word: str) -> list[str]:
    if not word:
        return ["none"]
    k = _kinds()
    if not k.phrase_char.fullmatch(word[0]):
        return ["digit" if word[0].isdigit() else "punct"]
    out = [name for name, pattern in (("verb", k.verb), ("light", k.light), ("adverb", k.adverb),
                                      ("prep", k.preposition), ("scope", k.scope), ("place", k.place),
                                      ("joiner", k.joiner)) if pattern.fullmatch(word)]
    if word not in ("", "的") and k.filler.fullmatch(word) and "adverb" not in out:
        out.append("filler")
    if word in ("的", "之"):
        out.append("de")
    return out


# ---------------------------------------------------------------------------------------------------------
# Candidates and features


# characters around a phrase and its figure beyond which no candidate edge reaches (the reach of configs
# learned_link.yml edges is at most 16 characters)
_NEAR = 64


@dataclass(frozen=True)
class DocSpans:
    """The ORG, DATE and lexicon INDICATOR spans of one view, in view offsets, indexed once for all its places."""

    orgs: tuple[SpanKey, ...]  # sorted
    dates: tuple[SpanKey, ...]  # sorted
    lexicon: frozenset[SpanKey]
    lexicon_starts: frozenset[int]
    lexicon_ends: frozenset[int]

    @classmethod
    def of(cls, orgs: Iterable[SpanKey], dates: Iterable[SpanKey], lexicon: Iterable[SpanKey]) -> DocSpans:
        lexicon = frozenset(lexicon)
        return cls(tuple(sorted(set(orgs))), tuple(sorted(set(dates))), lexicon,
                   frozenset(a for a, _ in lexicon), frozenset(b for _, b in lexicon))


def _near(spans: tuple[SpanKey, ...], lo: int, hi: int) -> frozenset[SpanKey]:
    """The sorted ``spans`` that lie within [lo, hi]."""
    out = []
    for k in range(bisect_left(spans, (lo,)), len(spans)):
        a, b = spans[k]
        if a > hi:
            break
        if b <= hi:
            out.append((a, b))
    return frozenset(out)


@dataclass
class EdgePlace:
    """One linked figure in the view: its phrase (the rules' edges), the other spans and the words."""

    view: str
    words: Words
    figure: SpanKey
    base: SpanKey
    rule: str
    spans: DocSpans

    def __post_init__(self) -> None:
        # only spans near the phrase and its figure can touch a candidate (the reach is a few words): the rest are
        # left out once here rather than tested for every candidate
        lo = min(self.base[0], self.figure[0]) - _NEAR
        hi = max(self.base[1], self.figure[1]) + _NEAR
        self.orgs = _near(self.spans.orgs, lo, hi)
        self.dates = _near(self.spans.dates, lo, hi)
        self.org_ends = frozenset(b for _, b in self.orgs)
        # every candidate stays on the rules' side of the figure (candidate_edges), so this holds for all of them
        self.before = self.base[1] <= self.figure[0]


def candidate_edges(place: EdgePlace, cfg: dict[str, Any]) -> list[SpanKey]:
    """The rules' edges and every other (start, end) within the configured reach that falls on word edges,
    crosses no stop character and leaves the figure outside."""
    view, words, (s0, e0), (fs, fe) = place.view, place.words, place.base, place.figure
    stop = re.compile(cfg["stop"])
    before = e0 <= fs
    lo_limit, hi_limit = (0, fs) if before else (fe, len(view))
    starts = _reach(view, words, s0, cfg["start_left"], cfg["start_right"], stop, lo_limit, hi_limit)
    ends = _reach(view, words, e0, cfg["end_left"], cfg["end_right"], stop, lo_limit, hi_limit)
    phrase_char = _kinds().phrase_char
    starts = [s for s in starts if s < len(view) and (phrase_char.match(view, s) or view[s] in cfg["openings"])]
    ends = [e for e in ends if e > 0 and (phrase_char.match(view, e - 1) or view[e - 1] in cfg["closings"])]
    kinds = frozenset(cfg.get("never_taken_in", ()))
    if kinds:
        # scope and subject words stay outside the INDICATOR (GUIDELINES section 1): an edge never moves to take
        # one in (the rules' own edges may hold one: 纳入全省…建设)
        starts = [s for s in starts if s >= s0 or not _holds_kind(words, s, s0, kinds)]
        ends = [e for e in ends if e <= e0 or not _holds_kind(words, e0, e, kinds)]
    out = {(s0, e0)}
    for s in starts:
        for e in ends:
            if e - s >= cfg["min_chars"] and not stop.search(view, s, e):
                out.add((s, e))
    return sorted(out)


def _holds_kind(words: Words, lo: int, hi: int, kinds: frozenset[str]) -> bool:
    """Whether a word from ``lo`` to ``hi`` is of one of ``kinds`` (scope: 全市, 区级, 各乡镇; place: …县, …区)."""
    return any(kinds.intersection(word_kinds(w)) for w in words.between(lo, hi))


def _reach(view: str, words: Words, pos: int, left: int, right: int, stop: re.Pattern[str], lo: int, hi: int
           ) -> list[int]:
    """Word edges from ``pos`` - left to ``pos`` + right inside [lo, hi], not across a stop character."""
    out = [pos] if words.edge(pos) else []
    for step, limit in ((-1, max(lo, pos - left)), (1, min(hi, pos + right))):
        p = pos
        while p != limit:
            crossed = view[p] if step > 0 else view[p - 1]
            if stop.match(crossed):
                break
            p += step
            if words.edge(p):
                out.append(p)
    return out


def edge_features(place: EdgePlace, cand: SpanKey, cfg: dict[str, Any]) -> dict[str, float]:
    """Features of one (figure, edges) candidate: those of its start, of its end and of the two together (the ranker
    scores each start's and each end's once per place, ``EdgeRanker.score``)."""
    s, e = cand
    return {**joint_features(place, s, e, cfg), **start_features(place, s, cfg), **end_features(place, e, cfg)}


def start_features(place: EdgePlace, s: int, cfg: dict[str, Any]) -> dict[str, float]:
    """Features that depend on a candidate's start alone: the words around it, its move from the rules' start and,
    for a phrase after its figure, the words between them."""
    f: dict[str, float] = {}
    _edge_words(f, place, place.base[0], s, "s", ("bs", "fs"), cfg)
    if not place.before:
        _gap(f, place, place.figure[1], s, cfg)
    f["org_before"] = float(s in place.org_ends)
    f["lexicon_start"] = float(s in place.spans.lexicon_starts)
    return f


def end_features(place: EdgePlace, e: int, cfg: dict[str, Any]) -> dict[str, float]:
    """Features that depend on a candidate's end alone (as ``start_features``)."""
    f: dict[str, float] = {}
    _edge_words(f, place, place.base[1], e, "e", ("le", "ae"), cfg)
    if place.before:
        _gap(f, place, e, place.figure[0], cfg)
    f["lexicon_end"] = float(e in place.spans.lexicon_ends)
    return f


def _edge_words(f: dict[str, float], place: EdgePlace, old: int, new: int, edge: str, sides: tuple[str, str],
                cfg: dict[str, Any]) -> None:
    """Features of one edge (``edge`` "s" for a start, "e" for an end) at ``new``: the words before and after it
    (named by ``sides``) and, against the rules' edge ``old``, how many words it moved and the words it took in
    ("+": a start moving left, an end moving right) or left out ("-")."""
    words = place.words
    _word(f, sides[0], words.before(new))
    _word(f, sides[1], words.after(new))
    if cfg["relative"]:
        moved = _moved(words, old, new)
        f[f"d{edge}={moved}"] = f[f"rule={place.rule}|d{edge}={moved}"] = 1.0
        taken_in = (new < old) == (edge == "s")
        for w in words.between(min(old, new), max(old, new)):
            _word(f, f"{edge}{'+' if taken_in else '-'}", w)


def joint_features(place: EdgePlace, s: int, e: int, cfg: dict[str, Any]) -> dict[str, float]:
    """Features of the phrase as a whole."""
    view, words = place.view, place.words
    f: dict[str, float] = {"bias": 1.0, "before": float(place.before)}
    if cfg["relative"]:
        f["base"] = float((s, e) == place.base)
    text = view[s:e]
    n_words = words.count_between(s, e) or 1
    f[f"n_words={min(n_words, cfg['max_words'])}"] = 1.0
    f["chars"] = len(text) / 10
    for name, opening, closing in (("quotes", "“", "”"), ("brackets", "(（", ")）"), ("title", "《", "》")):
        n_open = sum(text.count(c) for c in opening)
        n_close = sum(text.count(c) for c in closing)
        if n_open or n_close:
            f[f"{name}_balanced" if n_open == n_close else f"{name}_unbalanced"] = 1.0
    f["n_joiners"] = min(text.count("、"), 3) / 3
    f["has_de"] = float("的" in text)
    f["org_inside"] = float(any(s <= a and b <= e for a, b in place.orgs))
    f["date_inside"] = float(any(s <= a and b <= e for a, b in place.dates))
    f["lexicon"] = float((s, e) in place.spans.lexicon)
    return f


def _gap(f: dict[str, float], place: EdgePlace, lo: int, hi: int, cfg: dict[str, Any]) -> None:
    """Features of the text between a phrase and its figure (``lo``, ``hi``: the nearer edges of both)."""
    gap = place.view[lo:hi]
    f["gap_empty"] = float(not gap)
    f["gap_filler"] = float(bool(gap) and place_filler(gap))
    for w in place.words.between(lo, hi)[:cfg["gap_words"]]:
        f[f"gap:{w}"] = 1.0
        for kind in word_kinds(w):
            f[f"gap~{kind}"] = 1.0


def place_filler(gap: str) -> bool:
    """Whether the text between a phrase and its figure is nothing but filler words (共, 达, 为)."""
    return bool(load_rules().filler_between.fullmatch(gap))


def _word(f: dict[str, float], side: str, word: str) -> None:
    f[f"{side}:{word}"] = 1.0
    if word:
        f[f"{side}<{word[0]}"] = f[f"{side}>{word[-1]}"] = 1.0
    for kind in word_kinds(word):
        f[f"{side}~{kind}"] = 1.0


def _moved(words: Words, old: int, new: int) -> int:
    """Words an edge moved (negative: to the left), at most 3 either way."""
    if new == old:
        return 0
    lo, hi = min(old, new), max(old, new)
    n = max(1, len(words.between(lo, hi)))
    return max(-3, min(3, n if new > old else -n))


# ---------------------------------------------------------------------------------------------------------
# Places of a text's links


def link_places(text: str, links: Sequence[Link], spans: Sequence[Span], indicators: Sequence[Span],
                cfg: dict[str, Any]) -> tuple[View, list[tuple[int, EdgePlace]]]:
    """The compact view of ``text`` and, per link that reads its own phrase (not an inherited one), its place."""
    view = compact_view(text)
    v = view.text
    words = Words(v, cfg["max_word_length"])

    def key(span: Span) -> SpanKey:
        return view.view_start(span.start), view.view_end(span.end)

    doc_spans = DocSpans.of((key(s) for s in spans if s.label == "ORG"), (key(s) for s in spans if s.label == "DATE"),
                            (key(s) for s in indicators))
    out = []
    for n, lk in enumerate(links):
        if lk.indicator is None or lk.rule in cfg["inherited_rules"]:
            continue
        out.append((n, EdgePlace(v, words, key(lk.figure), key(lk.indicator), lk.rule, doc_spans)))
    return view, out


# ---------------------------------------------------------------------------------------------------------
# The ranker


class EdgeRanker:
    """DictVectorizer and logistic regression over (figure, edges) candidates."""

    def __init__(self, cfg: dict[str, Any] | None = None):
        self.cfg = cfg or edge_settings()
        self.vectorizer = None
        self.model = None
        self.n_train: dict[str, int] = {}
        self._linear: tuple[dict[str, float], float] | None = None  # the model's weights by feature name

    def fit(self, examples: Iterable[Any]) -> EdgeRanker:
        """Fit on link examples (features.LinkExample: text, the rules' links, spans, indicator spans and the gold
        figure → phrase): every rules phrase that overlaps its gold phrase gives a group of candidates, the gold
        edges positive."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        rows, labels = [], []
        groups = reachable = 0
        for example in examples:
            text, links, gold = example.text, list(example.rules.values()), example.gold
            view, places = link_places(text, links, example.spans, example.indicators, self.cfg)
            for n, place in places:
                lk = links[n]
                g = gold.get((lk.figure.start, lk.figure.end))
                if g is None:
                    continue
                gv = view.view_start(g[0]), view.view_end(g[1])
                if not (gv[0] < place.base[1] and place.base[0] < gv[1]):
                    continue  # another phrase altogether: not the edges' error
                groups += 1
                cands = candidate_edges(place, self.cfg)
                if gv not in cands:
                    continue
                reachable += 1
                for c in cands:
                    rows.append(edge_features(place, c, self.cfg))
                    labels.append(int(c == gv))
        if len(set(labels)) < 2:
            raise ValueError(f"the edge ranker needs positive and negative candidates; got {len(labels)}")
        p = self.cfg["logistic"]
        self.vectorizer = DictVectorizer()
        self.model = LogisticRegression(C=p["C"], max_iter=p["max_iter"], class_weight=p["class_weight"],
                                        random_state=0)
        self.model.fit(self.vectorizer.fit_transform(rows), labels)
        self._linear = None
        self.n_train = {"groups": groups, "reachable": reachable, "candidates": len(rows)}
        return self

    def score(self, place: EdgePlace) -> list[tuple[SpanKey, float]]:
        """The candidates of one place with their probabilities, best first: the logistic regression's, read from
        its weights per feature name, each start's and each end's features weighed once (DictVectorizer and
        predict_proba over every candidate made hybrid extraction three times slower)."""
        cands = candidate_edges(place, self.cfg)
        starts = {s: self._weigh(start_features(place, s, self.cfg)) for s in {s for s, _ in cands}}
        ends = {e: self._weigh(end_features(place, e, self.cfg)) for e in {e for _, e in cands}}
        scored = [((s, e), self._probability(starts[s], ends[e], self._weigh(joint_features(place, s, e, self.cfg))))
                  for s, e in cands]
        return sorted(scored, key=lambda x: -x[1])

    def base_probability(self, place: EdgePlace) -> float:
        """The probability of the rules' own edges, as ``score`` gives it, without the other candidates."""
        s, e = place.base
        for pos in place.base:
            place.words.line(pos)  # the features read the words around the edges (score's candidates segment them)
        return self._probability(self._weigh(start_features(place, s, self.cfg)),
                                 self._weigh(end_features(place, e, self.cfg)),
                                 self._weigh(joint_features(place, s, e, self.cfg)))

    def _probability(self, start: float, end: float, joint: float) -> float:
        """The logistic of the intercept and the weighed start, end and joint features (in this order)."""
        return 1.0 / (1.0 + math.exp(-(self._weights()[1] + start + end + joint)))

    def _weigh(self, features: dict[str, float]) -> float:
        """The weighted sum of ``features`` (names the model never saw weigh nothing)."""
        weights = self._weights()[0]
        return sum(weights[name] * value for name, value in features.items() if name in weights)

    def _weights(self) -> tuple[dict[str, float], float]:
        """Feature name → weight of the fitted model, and its intercept (built once)."""
        if self._linear is None:
            coef = self.model.coef_[0]
            self._linear = ({name: float(coef[i]) for name, i in self.vectorizer.vocabulary_.items() if coef[i]},
                            float(self.model.intercept_[0]))
        return self._linear

    def refine(self, text: str, links: Sequence[Link], spans: Sequence[Span], indicators: Sequence[Span],
               margin: float | None = None) -> list[Link]:
        """The links with each phrase moved to the ranker's best edges when they beat the rules' by ``margin``;
        links that share a moved phrase (enumeration items, shares) follow it; ids and scopes stay."""
        margin = self.cfg["margin"] if margin is None else margin
        view, places = link_places(text, links, spans, indicators, self.cfg)
        moved: dict[SpanKey, Span] = {}
        for n, place in places:
            old = links[n].indicator
            if (old.start, old.end) in moved:
                continue
            plausible = place.words.plausible(place.base[0]) and place.words.plausible(place.base[1])
            if plausible and 1.0 - self.base_probability(place) < margin:
                # no candidate's probability (at most 1) can beat the rules' edges' by the margin: four places in
                # five, whose other candidates need not be scored
                continue
            scored = self.score(place)
            base_p = next(p for c, p in scored if c == place.base)
            if not plausible:
                # the rules cut inside a word (安|装…): their edges are no reference, the best word edges win
                scored = [(c, p) for c, p in scored if c != place.base] or scored
                base_p = -1.0
            best, best_p = scored[0]
            if best != place.base and best_p - base_p >= margin:
                start, end = view.text_start(best[0]), view.text_end(best[1])
                moved[(old.start, old.end)] = Span(old.label, start, end, text[start:end], kb_id=old.kb_id)
        return [replace(lk, indicator=moved[(lk.indicator.start, lk.indicator.end)])
                if lk.indicator is not None and (lk.indicator.start, lk.indicator.end) in moved else lk
                for lk in links]

    # -- persistence
    def to_disk(self, path: str | Path) -> None:
        import joblib

        joblib.dump({"cfg": self.cfg, "vectorizer": self.vectorizer, "model": self.model, "n_train": self.n_train},
                    Path(path))

    @classmethod
    def from_disk(cls, path: str | Path) -> EdgeRanker:
        import joblib

        data = joblib.load(Path(path))
        ranker = cls(data["cfg"])
        ranker.vectorizer, ranker.model, ranker.n_train = data["vectorizer"], data["model"], data["n_train"]
        return ranker
