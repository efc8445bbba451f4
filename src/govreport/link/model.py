"""The learned figure → indicator linker: a scikit-learn classifier over the candidates' features (``features``);
per figure the best candidate wins when its probability reaches ``link_threshold``. The chosen phrase gets its
canonical id from the rules (same span), its lexicon id, or the phrase mapper (restricted to the report form's
ids). Building, training (with the policy measured on dev, which `make train` then replaces by the one
configs/cv.json cross-validated), saving and loading.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..indicators import indicator_units
from ..notices import GovreportWarning
from ..types import Span
from .edges import EDGES_FILE, EdgeRanker
from .features import (
    CONFIG_FILE,
    NUMERIC_FEATURES,
    TEXT_BAGS,
    Candidate,
    LinkExample,
    _form_ids,
    _span_key,
    _unit_compatible,
    generate_candidates,
    linker_config,
    mappable_ids,
    rules_links_by_figure,
)
from .phrase_map import PHRASE_MAP_FILE, PhraseMapper, merge_settings, spec_phrase_pairs

MODEL_FILE = "linker.joblib"
META_FILE = "meta.json"
JUDGE_FILE = "id_judge.joblib"


class LinkerMissingWarning(GovreportWarning):
    """No trained linker at the given path; linking falls back to the rules."""


# ---------------------------------------------------------------------------------------------------------
# The model


class LearnedLinker:
    """Vectorisers, scaler and classifier over (figure, candidate) pairs, plus the phrase mapper."""

    def __init__(self, cfg: dict[str, Any] | None = None, mapper: PhraseMapper | None = None,
                 units: dict[str, str] | None = None):
        self.cfg = cfg or linker_config()
        self.mapper = mapper
        self.units = units if units is not None else {}
        self.vectorizers: dict[str, Any] = {}
        self.scaler = None
        self.model = None
        self.feature_names: list[str] = []
        self.numeric_mask = np.ones(len(NUMERIC_FEATURES), dtype=bool)
        self.n_train: dict[str, int] = {}
        self.chosen: dict[str, Any] = {}  # the policy: cross-validated (configs/cv.json), else measured on dev
        self.judge: Any = None  # id_judge.IdJudge: the combined policy's ids, when trained on gold
        self.edges: EdgeRanker | None = None  # the edge ranker of the edges and combined policies
        self.meta: dict[str, Any] = {}  # meta.json once saved or loaded

    # -- features
    def candidates(self, example: LinkExample) -> list[list[Candidate]]:
        """Per figure, its candidates with features."""
        return generate_candidates(example, self.cfg, self.mapper, self.units)

    def _fit_vectorizers(self, cands: Sequence[Candidate]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import MaxAbsScaler

        tf = self.cfg["tfidf"]
        dense = self.cfg["model"]["kind"] == "hist_gradient_boosting"
        max_features = self.cfg["model"]["hist_gradient_boosting"]["dense_max_features"] if dense \
            else tf["max_features"]
        for bag in TEXT_BAGS:
            vec = TfidfVectorizer(analyzer=tf["analyzer"], ngram_range=tuple(tf["ngram_range"]), min_df=tf["min_df"],
                                  max_features=max_features, sublinear_tf=tf["sublinear_tf"], lowercase=False)
            vec.fit([getattr(c, bag) for c in cands])
            self.vectorizers[bag] = vec
        self.scaler = MaxAbsScaler().fit(np.array([c.numeric for c in cands]))
        self.feature_names = [f for f, keep in zip(NUMERIC_FEATURES, self.numeric_mask) if keep] + [
            f"{bag}:{g}" for bag in TEXT_BAGS for g in self.vectorizers[bag].get_feature_names_out()]

    def blocks(self, cands: Sequence[Candidate]) -> list[Any]:
        """The feature blocks of candidates: scaled numeric columns (dense), then one sparse block per bag."""
        numeric = self.scaler.transform(np.array([c.numeric for c in cands]).reshape(len(cands), -1))
        return [numeric[:, self.numeric_mask]] + [self._bag(bag, [getattr(c, bag) for c in cands])
                                                  for bag in TEXT_BAGS]

    def _bag(self, bag: str, texts: list[str]) -> Any:
        """TF-IDF rows of one bag; each distinct text is vectorised once (a figure's context is the same for
        all its candidates, and phrases repeat)."""
        unique, inverse = np.unique(np.array(texts, dtype=object).astype(str), return_inverse=True)
        return self.vectorizers[bag].transform(unique.tolist())[inverse.ravel()]

    def assemble(self, blocks: Sequence[Any]) -> Any:
        """One feature matrix from the blocks (sparse; dense for gradient boosting)."""
        import scipy.sparse as sp

        X = sp.hstack([sp.csr_matrix(blocks[0])] + list(blocks[1:]), format="csr")
        return X.toarray() if self.cfg["model"]["kind"] == "hist_gradient_boosting" else X

    def matrix(self, cands: Sequence[Candidate]) -> Any:
        """The feature matrix of candidates."""
        return self.assemble(self.blocks(cands))

    # -- training
    def fit(self, examples: Sequence[LinkExample]) -> LearnedLinker:
        """Fit on examples with gold links: each candidate is positive when it is the figure's gold indicator."""
        cands, labels = [], []
        n_figures = n_linked = n_reachable = 0
        for example in examples:
            for fig, fig_cands in zip(example.figures, self.candidates(example)):
                gold = example.gold.get((fig.start, fig.end))
                n_figures += 1
                n_linked += gold is not None
                n_reachable += any((c.indicator.start, c.indicator.end) == gold for c in fig_cands)
                for c in fig_cands:
                    cands.append(c)
                    labels.append(int((c.indicator.start, c.indicator.end) == gold))
        if not cands or len(set(labels)) < 2:
            raise ValueError(f"training needs positive and negative candidates; got {len(cands)} candidates, "
                             f"{sum(labels)} positive, from {len(examples)} examples")
        self.numeric_mask = np.array([self.cfg["use_rules_feature"] or not f.startswith("rules_")
                                      for f in NUMERIC_FEATURES])
        self._fit_vectorizers(cands)
        self.model = _make_model(self.cfg)
        self.model.fit(self.matrix(cands), np.array(labels))
        self.n_train = {"examples": len(examples), "figures": n_figures, "gold_links": n_linked,
                        "reachable_links": n_reachable, "candidates": len(cands), "positives": int(sum(labels))}
        return self

    # -- prediction
    # predict, set_annotations and scoring are kept apart, as spaCy's trainable components: predict gives the
    # model's probabilities and changes nothing; set_annotations turns them into links; scoring against gold
    # is compare_policies / evaluate_linking's
    def predict(self, example: LinkExample) -> list[list[tuple[Candidate, float]]]:
        """Per figure, its candidates with the model's probability, best first."""
        per_figure = self.candidates(example)
        flat = [c for cands in per_figure for c in cands]
        probs = self.model.predict_proba(self.matrix(flat))[:, 1] if flat else np.zeros(0)
        out, n = [], 0
        for cands in per_figure:
            scored = sorted(zip(cands, probs[n:n + len(cands)].tolist()), key=lambda x: -x[1])
            out.append(scored)
            n += len(cands)
        return out

    def link_example(self, example: LinkExample) -> list[Any]:
        """One ``Link`` per figure: its best candidate above ``link_threshold``, else no indicator."""
        return self.set_annotations(example, self.predict(example))

    def set_annotations(self, example: LinkExample, scores: list[list[tuple[Candidate, float]]]) -> list[Any]:
        """The links ``predict``'s ``scores`` give the example's figures."""
        threshold = self.cfg["link_threshold"]
        links = []
        for fig, scored in zip(example.figures, scores):
            rules_link = example.rules.get((fig.start, fig.end))
            best = scored[0] if scored and scored[0][1] >= threshold else None
            links.append(self._link(fig, best, rules_link, example.meta.get("form"), example.meta.get("organ"),
                                    example.text))
        return links

    def link(self, text: str, spans: Sequence[Span], indicator_spans: Sequence[Span],
             rules_links: Sequence[Any] | None = None, form: str | None = None, organ: str | None = None,
             only: Iterable[tuple[int, int]] | None = None) -> list[Any]:
        """Learned links of a text's figures (same call shape as ``link.link_figures_to_indicators``); with
        ``only``, candidates are found for those figures (start, end) alone, the others stay unlinked."""
        figures = [s for s in spans if s.label in self.cfg["figure_labels"]]
        example = LinkExample(text, figures, sorted(indicator_spans, key=lambda s: (s.start, s.end)),
                              spans=list(spans), meta={"form": form, "organ": organ},
                              only=frozenset(only) if only is not None else None)
        if rules_links is None:
            example.rules = rules_links_by_figure(example)
        else:
            example.rules = {(lk.figure.start, lk.figure.end): lk for lk in rules_links}
        return self.link_example(example)

    def _link(self, fig: Span, best: tuple[Candidate, float] | None, rules_link: Any, form: str | None = None,
              organ: str | None = None, text: str | None = None) -> Any:
        """A ``Link`` for a figure from its best candidate (scope and, for the same span, id from the rules;
        no id for a part of the body, as the rules)."""
        from .rules import Link, figure_sentence, whole_body_id

        relation = self.cfg["relation_label"]
        scope = getattr(rules_link, "scope", None)
        if best is None:
            return Link(fig, None, None, scope, relation, "learned", 0.0)
        cand, prob = best
        rules_ind = getattr(rules_link, "indicator", None)
        canonical = rules_link.canonical_id if _span_key(rules_ind) == _span_key(cand.indicator) else None
        if canonical is None:
            canonical = self.canonical_id(cand.indicator, fig, form)
        canonical, withheld = whole_body_id(canonical, scope, organ,
                                            figure_sentence(text, fig.start) if text is not None else None)
        return Link(fig, cand.indicator, canonical, scope, relation, "learned", round(prob, 4), withheld)

    def canonical_id(self, indicator: Span, fig: Span, form: str | None = None) -> str | None:
        """The id of an indicator phrase: its lexicon id, else the phrase mapper's; dropped when the unit
        cannot measure it; then the id of the same concept in the report's form."""
        canonical = indicator.kb_id
        if canonical is None and self.mapper is not None:
            canonical = self.mapper.map(indicator.text, allowed=mappable_ids(form)).id
        if canonical is None or "{" in canonical:
            return None
        if _unit_compatible(fig.unit, self.units.get(canonical), self.cfg) is False:
            return None
        return _form_ids(form).get(canonical, canonical)

    def id_support(self, link: Any, form: str | None = None) -> float:
        """How surely a link's phrase names its id: 1 for the lexicon's id of the phrase, else the phrase mapper's
        confidence (exact share, cosine or probability) when it maps the phrase to that id, else 0."""
        if link.indicator is None or not link.canonical_id:
            return 0.0
        if link.indicator.kb_id is not None or self.mapper is None:
            return 1.0
        match = self.mapper.map(link.indicator.text, allowed=mappable_ids(form))
        return match.confidence if match.id is not None and _form_ids(form).get(match.id, match.id) == link.canonical_id else 0.0

    # -- persistence
    def to_disk(self, path: str | Path, extra_meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """Save model (joblib), phrase mapper and meta.json into folder ``path``; returns the meta."""
        import joblib
        import sklearn

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        joblib.dump({"vectorizers": self.vectorizers, "scaler": self.scaler, "model": self.model,
                     "feature_names": self.feature_names, "numeric_mask": self.numeric_mask,
                     "units": self.units}, path / MODEL_FILE)
        if self.mapper is not None:
            self.mapper.to_disk(path / PHRASE_MAP_FILE)
        if self.judge is not None:
            joblib.dump(self.judge, path / JUDGE_FILE)
        if self.edges is not None:
            self.edges.to_disk(path / EDGES_FILE)
        meta = {"sklearn_version": sklearn.__version__, "config": self.cfg, "training_size": self.n_train,
                "edges_training_size": self.edges.n_train if self.edges is not None else None,
                "numeric_features": [f for f, k in zip(NUMERIC_FEATURES, self.numeric_mask) if k]}
        meta.update(extra_meta or {})
        (path / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return meta

    @classmethod
    def from_disk(cls, path: str | Path) -> LearnedLinker:
        """A linker saved by ``to_disk`` (its own config, not today's configs/, scores the candidates)."""
        import joblib

        path = Path(path)
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        data = joblib.load(path / MODEL_FILE)
        mapper = PhraseMapper.from_disk(path / PHRASE_MAP_FILE) if (path / PHRASE_MAP_FILE).exists() else None
        # settings added since the linker was saved take today's value; the saved ones win
        linker = cls(merge_settings(linker_config(), meta["config"]), mapper, data["units"])
        for name in ("vectorizers", "scaler", "model", "feature_names", "numeric_mask"):
            setattr(linker, name, data[name])
        linker.n_train = meta.get("training_size", {})
        linker.judge = joblib.load(path / JUDGE_FILE) if (path / JUDGE_FILE).exists() else None
        linker.edges = EdgeRanker.from_disk(path / EDGES_FILE) if (path / EDGES_FILE).exists() else None
        linker.chosen = meta.get("policy") or {}
        linker.meta = meta
        _check_sklearn_version(meta, path)
        return linker


def _make_model(cfg: dict[str, Any]):
    """The configured classifier."""
    kind = cfg["model"]["kind"]
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression

        p = cfg["model"]["logistic"]
        return LogisticRegression(C=p["C"], class_weight=p["class_weight"], max_iter=p["max_iter"],
                                  random_state=cfg["seed"])
    if kind == "hist_gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        p = cfg["model"]["hist_gradient_boosting"]
        return HistGradientBoostingClassifier(max_iter=p["max_iter"], learning_rate=p["learning_rate"],
                                              max_leaf_nodes=p["max_leaf_nodes"], random_state=cfg["seed"])
    raise ValueError(f"unknown model kind {kind!r} in configs/{CONFIG_FILE}: use logistic or hist_gradient_boosting")


def _check_sklearn_version(meta: dict[str, Any], path: Path) -> None:
    """Warn when the model was saved by another scikit-learn version (pickles may then misbehave)."""
    import sklearn

    saved = meta.get("sklearn_version")
    if saved and saved != sklearn.__version__:
        warnings.warn(f"{path}: linker saved with scikit-learn {saved}, running {sklearn.__version__}",
                      stacklevel=3)


# ---------------------------------------------------------------------------------------------------------
# Train, load, evaluate, combine


def build_linker(examples: Sequence[LinkExample], extra_pairs: Sequence[tuple[str, str]] = (),
                 cfg: dict[str, Any] | None = None) -> LearnedLinker:
    """Fit the phrase mapper (spec + ``extra_pairs``), then the linker and the edge ranker on examples with
    gold links."""
    cfg = cfg or linker_config()
    mapper = PhraseMapper(cfg["phrase_map"]).fit(spec_phrase_pairs() + list(extra_pairs))
    linker = LearnedLinker(cfg, mapper, dict(indicator_units())).fit(examples)
    try:
        linker.edges = EdgeRanker(cfg["edges"]).fit(examples)
    except ValueError as err:  # too few links whose edges the rules could have cut otherwise
        warnings.warn(f"{err}; the edges and combined policies keep the rules' edges", GovreportWarning, stacklevel=2)
    return linker


def load_linker(model_dir: str | Path | None) -> LearnedLinker | None:
    """The linker saved in ``model_dir``, or None with a warning naming the path when it is missing."""
    if model_dir is None:
        return None
    path = Path(model_dir)
    if not (path / MODEL_FILE).exists() or not (path / META_FILE).exists():
        warnings.warn(f"no trained linker at {path} ({MODEL_FILE} and {META_FILE} expected); "
                      f"figures are linked by the rules", LinkerMissingWarning, stacklevel=2)
        return None
    return LearnedLinker.from_disk(path)
