"""Map indicator phrases and table row labels to canonical ids when exact and alias matching fail.

A character n-gram TF-IDF space over labelled phrases (the spec's labels and aliases, and the phrase → id
pairs of the annotations). A phrase maps to the id of its nearest labelled phrase (``kind: knn``) or to the
id a logistic classifier prefers (``kind: logistic``), with that similarity or probability as confidence.
Below the threshold, or when two ids are nearly as close, the phrase stays unmapped rather than guessed.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import load_config

CONFIG_FILE = "learned_link.yml"
PHRASE_MAP_FILE = "phrase_map.joblib"

if TYPE_CHECKING:  # numpy is imported where a mapper computes: the rules alone (link/features.py) never do
    import numpy as np


@dataclass(frozen=True)
class PhraseMatch:
    """The canonical id of a phrase (None when unmapped), its confidence and how it was found."""

    id: str | None
    confidence: float
    method: str  # exact, knn, logistic or none
    phrase: str = ""


def phrase_map_config() -> dict[str, Any]:
    """The ``phrase_map`` section of configs/learned_link.yml."""
    return load_config(CONFIG_FILE)["phrase_map"]


def spec_phrase_pairs(indicators: Iterable[Any] | None = None) -> list[tuple[str, str]]:
    """(phrase, id) pairs from the spec: every label and alias, and the row part of a ``row｜总计`` label."""
    if indicators is None:
        from ..indicators import load_indicators

        indicators = load_indicators().values()
    cfg = phrase_map_config()
    return _unique(pair for pair, _ in spec_phrase_groups(indicators, cfg))


def spec_phrase_groups(indicators: Iterable[Any], cfg: dict[str, Any] | None = None) -> list[tuple[tuple[str, str], str]]:
    """((phrase, id), written label) for every variant of every spec label and alias."""
    cfg = cfg or phrase_map_config()
    rows = []
    for ind in indicators:
        ind_id = _field(ind, "id")
        for written in [_field(ind, "label")] + list(_field(ind, "aliases") or []):
            rows.extend(((variant, ind_id), written) for variant in label_variants(written, cfg))
    return rows


def label_variants(label: str, cfg: dict[str, Any] | None = None) -> list[str]:
    """A spec label and the shorter forms a report writes it in (row part of a total column, joined parts)."""
    cfg = cfg or phrase_map_config()
    col_sep, part_sep, total = cfg["column_separator"], cfg["part_separator"], cfg["total_column"]
    row, _, column = label.partition(col_sep)
    # a column other than the total names a kind of applicant, which the report's phrase rarely carries
    bases = [label, row] if column == total else [label]
    variants = bases + [b.replace(part_sep, "") for b in bases if part_sep in b]
    return _unique(variants)


def span_canonical_id(span: dict[str, Any] | None) -> str | None:
    """The canonical id an annotated span or relation carries, under any of the configured keys."""
    if not span:
        return None
    for key in load_config(CONFIG_FILE)["canonical_keys"]:
        value = span.get(key) or (span.get("meta") or {}).get(key)
        if value:
            return str(value)
    return None


def annotation_phrase_pairs(tasks: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(phrase, id) pairs of the annotated indicator phrases whose span or ``measures`` relation carries an id."""
    cfg = load_config(CONFIG_FILE)
    pairs = []
    for task in tasks:
        text = task.get("text", "")
        for span in task.get("spans") or []:
            if span.get("label") == cfg["indicator_label"] and span_canonical_id(span):
                pairs.append((text[span["start"]:span["end"]], span_canonical_id(span)))
        for rel in task.get("relations") or []:
            if rel.get("label") == cfg["relation_label"] and span_canonical_id(rel):
                child = rel["child_span"]
                pairs.append((text[child["start"]:child["end"]], span_canonical_id(rel)))
    return pairs


class PhraseMapper:
    """Char n-gram TF-IDF mapper from a phrase to a canonical id, with a confidence."""

    def __init__(self, cfg: dict[str, Any] | None = None):
        self.cfg = dict(cfg or phrase_map_config())
        self.vectorizer = None
        self.classifier = None
        self.matrix = None  # rows: the labelled phrases (knn)
        self.phrase_ids: list[str] = []
        self.ids: list[str] = []
        self.exact: dict[str, Counter[str]] = {}  # key → how often each id was given for it
        self._phrase_columns: np.ndarray | None = None
        self._cache: dict[tuple[str, frozenset[str] | None], PhraseMatch] = {}
        self._suffix = re.compile("(?:" + "|".join(map(re.escape, self.cfg["drop_suffixes"])) + ")$") \
            if self.cfg["drop_suffixes"] else None

    def key(self, phrase: str) -> str:
        """The form of a phrase that is compared: the tables' label normalisation (numbering, notes, blanks
        and punctuation dropped), then a trailing 数/总数/情况 dropped."""
        from ..indicators import normalize_label

        core = normalize_label(phrase)
        if self._suffix is not None:
            shorter = self._suffix.sub("", core)
            core = shorter or core
        return core

    def fit(self, pairs: Sequence[tuple[str, str]]) -> PhraseMapper:
        """Learn from (phrase, id) pairs; ids with fewer than ``min_examples_per_id`` phrases are left out."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        counts: dict[str, int] = defaultdict(int)
        for _, ind_id in pairs:
            counts[ind_id] += 1
        kept = [(p, i) for p, i in pairs if p and counts[i] >= self.cfg["min_examples_per_id"]]
        if not kept:
            raise ValueError("PhraseMapper.fit needs at least one (phrase, id) pair")
        exact: dict[str, Counter[str]] = defaultdict(Counter)
        for phrase, ind_id in kept:
            exact[self.key(phrase)][ind_id] += 1
        self.exact = dict(exact)
        phrases = [self.key(p) for p, _ in kept]
        self.phrase_ids = [i for _, i in kept]
        self.ids = sorted(set(self.phrase_ids))
        tf = self.cfg["tfidf"]
        self.vectorizer = TfidfVectorizer(analyzer=tf["analyzer"], ngram_range=tuple(tf["ngram_range"]),
                                          min_df=tf["min_df"], sublinear_tf=tf["sublinear_tf"], lowercase=False)
        self.matrix = self.vectorizer.fit_transform(phrases)
        if self.cfg["kind"] == "logistic" and len(self.ids) > 1:
            from sklearn.linear_model import LogisticRegression

            lr = self.cfg["logistic"]
            self.classifier = LogisticRegression(C=lr["C"], max_iter=lr["max_iter"])
            with warnings.catch_warnings():
                # few phrases per id is what this data is: sklearn's "looks like regression" hint does not apply
                warnings.filterwarnings("ignore", message="The number of unique classes", category=UserWarning)
                self.classifier.fit(self.matrix, self.phrase_ids)
        self._phrase_columns, self._cache = None, {}
        return self

    def map(self, phrase: str, allowed: Iterable[str] | None = None) -> PhraseMatch:
        """The canonical id of ``phrase`` (restricted to ``allowed`` ids when given), or None below threshold."""
        return self.map_many([phrase], allowed)[0]

    def map_many(self, phrases: Sequence[str], allowed: Iterable[str] | None = None) -> list[PhraseMatch]:
        """``map`` for many phrases at once (one sparse product for the phrases not mapped before)."""
        if self.vectorizer is None:
            raise RuntimeError("PhraseMapper is not fitted")
        allowed_set = frozenset(allowed) if allowed is not None else None
        todo = [p for p in dict.fromkeys(phrases) if (p, allowed_set) not in self._cache]
        if todo:
            if len(self._cache) + len(todo) > self.cfg["cache_size"]:
                self._cache.clear()
            keys = [self.key(p) for p in todo]
            scores = self._id_scores(keys)
            if allowed_set is not None:
                import numpy as np

                mask = np.array([i in allowed_set for i in self.ids])
                scores = np.where(mask[None, :], scores, -1.0)
            for phrase, key, row in zip(todo, keys, scores):
                self._cache[(phrase, allowed_set)] = self._decide(phrase, key, row, allowed_set)
        return [self._cache[(p, allowed_set)] for p in phrases]

    def _id_scores(self, keys: Sequence[str]) -> np.ndarray:
        """Per phrase, a score per id: best cosine over the id's phrases (knn) or the class probability."""
        vectors = self.vectorizer.transform(keys)
        if self.classifier is not None:
            proba = self.classifier.predict_proba(vectors)
            order = [list(self.classifier.classes_).index(i) for i in self.ids]
            return proba[:, order]
        import numpy as np

        sims = (vectors @ self.matrix.T).toarray()
        scores = np.zeros((len(keys), len(self.ids)))
        np.maximum.at(scores.T, self._columns(), sims.T)
        return scores

    def _columns(self) -> np.ndarray:
        """The id column of every labelled phrase (computed once)."""
        if self._phrase_columns is None:
            import numpy as np

            self._phrase_columns = np.searchsorted(self.ids, self.phrase_ids)  # self.ids is sorted
        return self._phrase_columns

    def _decide(self, phrase: str, key: str, row: np.ndarray, allowed: frozenset[str] | None) -> PhraseMatch:
        """Exact match first (the id most often given for this phrase, when it has a clear majority); else the
        best-scoring id when it is confident and clearly ahead of the next."""
        votes = [(n, i) for i, n in self.exact.get(key, Counter()).items() if allowed is None or i in allowed]
        if votes:
            votes.sort(reverse=True)
            share = votes[0][0] / sum(n for n, _ in votes)
            if share >= self.cfg["exact_min_share"] and (len(votes) == 1 or votes[0][0] > votes[1][0]):
                return PhraseMatch(votes[0][1], round(share, 4), "exact", phrase)
            return PhraseMatch(None, 0.0, "none", phrase)  # the spec (or the annotators) give it several ids
        if not key or row.max() <= 0:
            return PhraseMatch(None, 0.0, "none", phrase)
        order = (-row).argsort()
        best = float(row[order[0]])
        second = float(row[order[1]]) if len(order) > 1 else 0.0
        method = "logistic" if self.classifier is not None else "knn"
        kind = self.cfg["kind"]
        if best < self.cfg["threshold"][kind] or best - second < self.cfg["min_margin"][kind]:
            return PhraseMatch(None, best, "none", phrase)
        return PhraseMatch(self.ids[order[0]], best, method, phrase)

    def to_disk(self, path: str | Path) -> None:
        """Save the fitted mapper (joblib) to ``path``."""
        import joblib

        joblib.dump({"cfg": self.cfg, "vectorizer": self.vectorizer, "classifier": self.classifier,
                     "matrix": self.matrix, "phrase_ids": self.phrase_ids, "ids": self.ids,
                     "exact": self.exact}, path)

    @classmethod
    def from_disk(cls, path: str | Path) -> PhraseMapper:
        """A mapper saved by ``to_disk``."""
        import joblib

        data = joblib.load(path)
        # settings added since the mapper was saved take today's value; the saved ones win
        mapper = cls(merge_settings(phrase_map_config(), data["cfg"]))
        for name in ("vectorizer", "classifier", "matrix", "phrase_ids", "ids", "exact"):
            setattr(mapper, name, data[name])
        return mapper


@lru_cache(maxsize=1)
def spec_mapper() -> PhraseMapper:
    """A mapper fitted on the spec's labels and aliases only (no annotations), fitted once."""
    return PhraseMapper().fit(spec_phrase_pairs())


def load_phrase_mapper(model_dir: str | Path | None = None) -> PhraseMapper:
    """The mapper trained with the linker (``model_dir``/phrase_map.joblib, spec + annotations) when it is
    there, else the spec-only mapper."""
    path = Path(model_dir) / PHRASE_MAP_FILE if model_dir else None
    return PhraseMapper.from_disk(path) if path is not None and path.exists() else spec_mapper()


def evaluate_phrase_map(mapper: PhraseMapper, pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
    """Accuracy (correct / all), coverage (mapped / all) and precision (correct / mapped) on gold pairs."""
    matches = mapper.map_many([p for p, _ in pairs])
    mapped = sum(1 for m in matches if m.id)
    correct = sum(1 for m, (_, gold) in zip(matches, pairs) if m.id == gold)
    n = max(len(pairs), 1)
    return {"n": len(pairs), "accuracy": correct / n, "coverage": mapped / n,
            "precision": correct / mapped if mapped else 0.0}


def leave_one_out(pairs: Sequence[tuple[str, str]], groups: Sequence[Any] | None = None,
                  cfg: dict[str, Any] | None = None) -> dict[str, Any]:
    """Map each phrase with a mapper fitted on the pairs of all other groups (default: one group per phrase).

    Variants of one spec label form one group, so a held-out label never meets its own variants.
    Phrases whose id has no other group cannot be hit and are skipped.
    """
    groups = list(groups) if groups is not None else [p for p, _ in pairs]
    results = []
    for group in _unique(groups):
        rest = [p for p, g in zip(pairs, groups) if g != group]
        held = [p for p, g in zip(pairs, groups) if g == group]
        reachable = {i for _, i in rest}
        held = [(p, i) for p, i in held if i in reachable]
        if not held:
            continue
        mapper = PhraseMapper(cfg).fit(rest)
        results.extend((p, i, m) for (p, i), m in zip(held, mapper.map_many([p for p, _ in held])))
    n = max(len(results), 1)
    mapped = [r for r in results if r[2].id]
    correct = [r for r in mapped if r[2].id == r[1]]
    return {"n": len(results), "accuracy": len(correct) / n, "coverage": len(mapped) / n,
            "precision": len(correct) / len(mapped) if mapped else 0.0,
            "errors": [(p, g, m.id, round(m.confidence, 3)) for p, g, m in mapped if m.id != g]}


def merge_settings(current: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """``saved`` settings over ``current`` ones, section by section (keys only ``current`` has are kept)."""
    out = dict(current)
    for key, value in saved.items():
        out[key] = merge_settings(current[key], value) if isinstance(value, dict) and isinstance(
            current.get(key), dict) else value
    return out


def _field(entry: Any, name: str) -> Any:
    """A field of a spec entry, whether it is a mapping or an object."""
    return entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)


def _unique(items: Iterable[Any]) -> list[Any]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(items))
