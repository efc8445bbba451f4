"""The id judge: a classifier over (figure, proposed canonical id) pairs that decides the combined policy's ids.

The rules and the learned linker each propose an id per figure (or none). Each proposal becomes features of
what decides an id beyond its phrase (issue 18): the report's form (is the id one of the form's rows), the
figure's scope (none, whole body, a part, the reporting organ, another organ or place), the kind of reporting
organ, the id and its family, who proposed it and whether both agree, the rule that linked it, the unit's fit,
and character n-grams of the phrase and of the words before the figure. A logistic regression trained on gold
(label: the proposal is the figure's gold id) scores them; per figure the best proposal is kept when its
probability reaches ``threshold``, else the figure keeps no id. Settings: configs/learned_link.yml ``id_judge``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from .features import _unit_compatible, form_indicator_ids, linker_config

SpanKey = tuple[int, int]


def judge_config() -> dict[str, Any]:
    """configs/learned_link.yml ``id_judge``."""
    return linker_config()["id_judge"]


def scope_kind(scope: str | None, organ: str | None) -> str:
    """none, whole, part (a normalised part of the body), body (the reporting organ named) or other (another
    organ or place). A feature of the judge, finer than rules.part_of_body (which decides ids): changing it
    changes what the trained judge has learned."""
    from ..records import is_partial_scope
    from .rules import load_rules, stands_for_body

    if not scope:
        return "none"
    if not is_partial_scope(scope):
        return "whole"
    if load_rules().scope_any.fullmatch(scope):
        return "part"
    if organ and stands_for_body(scope, organ):
        return "body"
    return "other"


def organ_kind(organ: str | None, cfg: dict[str, Any] | None = None) -> str:
    """The kind of the reporting organ by its name (configs/learned_link.yml ``id_judge.organ_kinds``)."""
    cfg = cfg or judge_config()
    for kind, pattern in cfg["organ_kinds"].items():
        if organ and re.search(pattern, organ):
            return kind
    return "unknown"


def _ngrams(text: str, n: int) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


@lru_cache(maxsize=1024)
def _name_ngrams(canonical_id: str, n: int) -> frozenset[str]:
    """Character n-grams of the spec names (label, aliases) of an id, normalised as table labels are, each part of
    a label apart."""
    from ..indicators import label_parts, load_indicators, normalize_label

    indicator = load_indicators().get(canonical_id)
    names = indicator.names if indicator is not None else ()
    return frozenset(g for name in names for part in label_parts(normalize_label(name)) for g in _ngrams(part, n))


def name_overlap(phrase: str, canonical_id: str) -> float:
    """The share of the phrase's character n-grams (``name_overlap_n``) found in the spec names of
    ``canonical_id``: a phrase that says the id's own words (自然人 for the applicants' row) against one that only
    resembles it (公议案件 for 行政复议)."""
    n = judge_config()["name_overlap_n"]
    grams = _ngrams(phrase, n)
    return len(grams & _name_ngrams(canonical_id, n)) / len(grams) if grams else 0.0


def proposal_features(link: Any, canonical_id: str, text: str, form: str | None, organ: str | None, source: str,
                      agree: bool, units: dict[str, str], cfg: dict[str, Any] | None = None,
                      rules_link: Any = None) -> dict[str, float]:
    """The features of one proposal: ``canonical_id`` for ``link``'s figure, proposed by ``source``; ``rules_link``
    (the rules' link of the figure, default ``link``) tells the rule that linked it and why the rules withheld an
    id (negative evidence: a part of the body, other work, outside the remit, a narrower count)."""
    cfg = cfg or judge_config()
    form_ids = form_indicator_ids(form)
    fig = link.figure
    rules_link = rules_link if rules_link is not None else link
    feats: dict[str, float] = {
        f"id={canonical_id}": 1.0, f"family={canonical_id.split('.')[0]}": 1.0, f"source={source}": 1.0,
        f"form={form or 'unknown'}": 1.0, f"scope={scope_kind(link.scope, organ)}": 1.0,
        f"organ={organ_kind(organ, cfg)}": 1.0, f"rule={getattr(rules_link, 'rule', 'none')}": 1.0,
        f"withheld={getattr(rules_link, 'withheld', None) or 'none'}": 1.0,
        "agree": float(agree), "in_form": float(form_ids is None or canonical_id in form_ids),
        "confidence": float(getattr(link, "confidence", 0.0) or 0.0),
        "unit_fits": float(_unit_compatible(fig.unit, units.get(canonical_id), linker_config()) is not False),
    }
    phrase = "".join((link.indicator.text if link.indicator is not None else "").split())
    feats["name_overlap"] = name_overlap(phrase, canonical_id)
    before = "".join(text[max(0, fig.start - cfg["context_chars"]):fig.start].split())
    for name, words in (("p", phrase), ("c", before)):
        for n in range(1, cfg["ngram_max"] + 1):
            for i in range(len(words) - n + 1):
                feats[f"{name}:{words[i:i + n]}"] = 1.0
    return feats


def proposals(rules_links: Sequence[Any], learned_links: Sequence[Any]
              ) -> dict[SpanKey, list[tuple[str, str, Any, bool]]]:
    """Per figure, its proposed ids: (id, source, link, whether both proposed it), the rules' first."""
    learned = {(lk.figure.start, lk.figure.end): lk for lk in learned_links}
    out: dict[SpanKey, list[tuple[str, str, Any, bool]]] = {}
    for rule in rules_links:
        key = (rule.figure.start, rule.figure.end)
        lk = learned.get(key)
        other = lk.canonical_id if lk is not None else None
        props = []
        if rule.canonical_id:
            props.append((rule.canonical_id, "rules", rule, other == rule.canonical_id))
        if other and other != rule.canonical_id:
            props.append((other, "learned", lk, False))
        out[key] = props
    return out


class IdJudge:
    """DictVectorizer + logistic regression over proposal features."""

    def __init__(self, cfg: dict[str, Any] | None = None):
        self.cfg = dict(cfg or judge_config())
        self.vectorizer = None
        self.model = None
        self.units: dict[str, str] = {}
        self.n_train: dict[str, int] = {}

    def _rows(self, rules_links: Sequence[Any], learned_links: Sequence[Any], text: str, form: str | None,
              organ: str | None) -> list[tuple[SpanKey, str, dict[str, float]]]:
        rows = []
        by_key = {(lk.figure.start, lk.figure.end): lk for lk in rules_links}
        for key, props in proposals(rules_links, learned_links).items():
            for canonical, source, link, agree in props:
                rows.append((key, canonical, proposal_features(link, canonical, text, form, organ, source, agree,
                                                               self.units, self.cfg, by_key.get(key))))
        return rows

    def fit(self, documents: Iterable[tuple[Sequence[Any], Sequence[Any], str, str | None, str | None,
                                            dict[SpanKey, str | None]]], units: dict[str, str]) -> IdJudge:
        """Fit on (rules links, learned links, text, form, organ, gold id per figure) of gold tasks."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        self.units = dict(units)
        feats, labels = [], []
        for rules_links, learned_links, text, form, organ, gold in documents:
            for key, canonical, f in self._rows(rules_links, learned_links, text, form, organ):
                feats.append(f)
                labels.append(int(gold.get(key) == canonical))
        self.n_train = {"proposals": len(labels), "right": int(sum(labels))}
        if len(set(labels)) < 2:
            raise ValueError(f"the id judge needs right and wrong proposals; got {self.n_train}")
        self.vectorizer = DictVectorizer()
        lr = self.cfg["logistic"]
        self.model = LogisticRegression(C=lr["C"], class_weight=lr["class_weight"], max_iter=lr["max_iter"],
                                        random_state=linker_config()["seed"])
        self.model.fit(self.vectorizer.fit_transform(feats), np.array(labels))
        return self

    def probabilities(self, rules_links: Sequence[Any], learned_links: Sequence[Any], text: str,
                      form: str | None = None, organ: str | None = None) -> dict[tuple[SpanKey, str], float]:
        """The probability of every proposal, by (figure offsets, id)."""
        rows = self._rows(rules_links, learned_links, text, form, organ)
        probs = self.model.predict_proba(self.vectorizer.transform([f for _, _, f in rows]))[:, 1] if rows else []
        return {(key, canonical): float(p) for (key, canonical, _), p in zip(rows, probs)}

    def judge(self, rules_links: Sequence[Any], learned_links: Sequence[Any], text: str, form: str | None = None,
              organ: str | None = None, threshold: float | None = None) -> list[Any]:
        """The rules' links with ids chosen by the judge: per figure the most probable proposal at or above
        ``threshold`` (default: configured), else none. A link whose id the rules withheld (a part of the body, a
        share, a narrower or coordinated count) keeps none: those are the guidelines' rules, not odds."""
        threshold = self.cfg["threshold"] if threshold is None else threshold
        best: dict[SpanKey, tuple[float, str]] = {}
        for (key, canonical), p in self.probabilities(rules_links, learned_links, text, form, organ).items():
            if p >= threshold and p > best.get(key, (-1.0, ""))[0]:
                best[key] = (p, canonical)
        out = []
        for link in rules_links:
            if getattr(link, "withheld", None):
                out.append(link)
                continue
            chosen = best.get((link.figure.start, link.figure.end))
            canonical = chosen[1] if chosen else None
            out.append(link if canonical == link.canonical_id else replace(link, canonical_id=canonical))
        return out


def gold_ids(task: dict[str, Any]) -> dict[SpanKey, str | None]:
    """Figure (start, end) → the gold id of its ``measures`` relation (None: linked without an id)."""
    from .phrase_map import span_canonical_id

    label = linker_config()["relation_label"]
    return {(r["head_span"]["start"], r["head_span"]["end"]): span_canonical_id(r)
            for r in task.get("relations") or [] if r.get("label") == label}


def fit_judge(tasks: Sequence[dict[str, Any]], examples: Sequence[Any], linker: Any) -> IdJudge:
    """An id judge fitted on gold tasks (their examples' rules links and ``linker``'s learned links)."""
    from ..indicators import indicator_units

    docs = []
    for task, ex in zip(tasks, examples):
        meta = task.get("meta") or {}
        docs.append((list(ex.rules.values()), linker.link_example(ex), task["text"], meta.get("form"),
                     meta.get("organ"), gold_ids(task)))
    return IdJudge().fit(docs, dict(indicator_units()))
