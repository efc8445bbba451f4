"""The linking policies: the rules alone, the learned linker alone, ``combined_linker``, which chooses per
figure between the rules and the model, and ``edges``: the rules' phrases with their edges moved by the edge
ranker (edges.py), which ``combined`` also applies. The policy is chosen by cross-validation (`govreport cv`) or
on dev (configs/learned_link.yml selection).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..types import Span
from .features import SpanKey, linker_config, mappable_ids

if TYPE_CHECKING:  # the learned linker loads numpy and scikit-learn, which the rules alone never need
    from .model import LearnedLinker

POLICIES = ("rules", "learned", "combined", "edges")
# where a policy's ids come from (combined_linker; fill also under the rules and edges policies, policy_linker)
IDS_FROM = ("rules", "fill", "learned")
# the policies whose phrases the edge ranker re-cuts
EDGE_POLICIES = ("combined", "edges")


def combined_linker(rules_links: Sequence[Any], learned_links: Sequence[Any], policy: str,
                    override_threshold: float | None = None, ids_from: str | None = None,
                    accepts: Callable[[Any], bool] | None = None) -> list[Any]:
    """Per figure, the rules' link, the learned link, or (``combined``) the learned link where it is confident.

    combined: the learned link replaces a rules link to another indicator only when its probability reaches
    ``override_threshold``; a figure the rules leave unlinked takes the learned link (already above the link
    threshold); otherwise the rules' link stays (taking the learned link's id when it has none). ``ids_from``
    (configs/learned_link.yml ``combined.ids_from``, or what cv chose) says where the ids come from:

    - rules: every combined link keeps the id the rules gave its figure;
    - fill: the rules' id, else the learned link's id where ``_fills`` allows (a phrase the lexicon lacks) and
      ``accepts`` (``fill_gate``) the learned link;
    - learned: the id of the chosen link.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown linking policy {policy!r}: use one of {POLICIES}")
    if policy in ("rules", "edges"):
        return list(rules_links)
    learned = {(lk.figure.start, lk.figure.end): lk for lk in learned_links}
    if policy == "learned":
        return [learned.get((r.figure.start, r.figure.end), r) for r in rules_links] + \
            _unmatched(learned, rules_links)
    if override_threshold is None:
        override_threshold = linker_config()["combined"]["override_threshold"]
    out = []
    ids_from = ids_from or linker_config()["combined"].get("ids_from", "learned")
    if ids_from not in IDS_FROM:
        raise ValueError(f"unknown ids_from {ids_from!r}: use one of {IDS_FROM}")
    for rule in rules_links:
        lk = learned.get((rule.figure.start, rule.figure.end))
        chosen = _choose(rule, lk, override_threshold)
        if ids_from != "learned" and chosen.canonical_id != rule.canonical_id:
            filled = ids_from == "fill" and _fills(rule, lk, accepts)
            chosen = replace(chosen, canonical_id=lk.canonical_id if filled else rule.canonical_id)
        out.append(chosen)
    return out + _unmatched(learned, rules_links)


def fill_ids(rules_links: Sequence[Any], learned_links: Sequence[Any], accepts: Callable[[Any], bool] | None = None
             ) -> list[Any]:
    """The rules' links, each taking its learned link's id where ``_fills`` allows and ``accepts`` (``fill_gate``)
    the learned link (``ids_from: fill``)."""
    learned = {(lk.figure.start, lk.figure.end): lk for lk in learned_links}
    out = []
    for rule in rules_links:
        lk = learned.get((rule.figure.start, rule.figure.end))
        out.append(replace(rule, canonical_id=lk.canonical_id) if _fills(rule, lk, accepts) else rule)
    return out


def filled_links(linker: LearnedLinker, gate: str, min_support: float, rules_links: Sequence[Any],
                 learned_links: Sequence[Any], text: str, form: str | None, organ: str | None,
                 eligible: Collection[SpanKey] | None = None) -> list[Any]:
    """The rules' links with learned ids filled in (``fill_ids``) where ``fill_gate`` lets them through, for the
    figures ``eligible`` (default: ``fill_candidates``)."""
    eligible = fill_candidates(linker, rules_links, form) if eligible is None else eligible
    return fill_ids(rules_links, learned_links,
                    fill_gate(linker, gate, min_support, rules_links, learned_links, text, form, organ, eligible))


def fill_candidates(linker: LearnedLinker, rules_links: Sequence[Any], form: str | None) -> frozenset[SpanKey]:
    """The figures a fill may reach: rules links ``open_for_fill`` whose phrase the linker's phrase mapper maps to
    an id among the form's (the learned id of a phrase the lexicon lacks comes from the mapper). Found before any
    learned linking, so that extract links only these figures."""
    opened = [r for r in rules_links if open_for_fill(r)]
    if linker.mapper is None or not opened:
        return frozenset()
    matches = linker.mapper.map_many([r.indicator.text for r in opened], allowed=mappable_ids(form))
    return frozenset((r.figure.start, r.figure.end) for r, m in zip(opened, matches) if m.id is not None)


def fill_gate(linker: LearnedLinker, gate: str, min_support: float, rules_links: Sequence[Any],
              learned_links: Sequence[Any], text: str, form: str | None, organ: str | None,
              eligible: Collection[SpanKey] | None = None) -> Callable[[Any], bool]:
    """Whether a learned link's id may fill (``fill_ids``'s ``accepts``): its figure is ``eligible`` (default: any;
    ``fill_candidates``) and ``gate`` backs its id at least ``min_support``. ``support``: how surely its phrase
    names the id (LearnedLinker.id_support); ``judge``: the id judge's probability of the proposal
    (link/id_judge.py: id, family, form, scope, organ kind, phrase and context), 0 without a judge."""

    def reaches(link: Any) -> bool:
        return eligible is None or (link.figure.start, link.figure.end) in eligible

    if gate == "support":
        return lambda link: reaches(link) and linker.id_support(link, form) >= min_support
    if gate != "judge":
        raise ValueError(f"unknown fill gate {gate!r}: use support or judge")
    if linker.judge is None:
        return lambda link: reaches(link) and 0.0 >= min_support
    # only the figures a fill may reach are judged
    probs = linker.judge.probabilities([r for r in rules_links if open_for_fill(r) and reaches(r)], learned_links,
                                       text, form, organ)
    return lambda link: reaches(link) and probs.get(((link.figure.start, link.figure.end), link.canonical_id),
                                                    0.0) >= min_support


def _fills(rule: Any, learned: Any, accepts: Callable[[Any], bool] | None = None) -> bool:
    """Whether the learned link's id may stand where the rules gave none: the same phrase, nothing withheld, what
    configs/learned_link.yml ``combined.fill`` allows, and what ``accepts`` (``fill_gate``) lets through."""
    if (not open_for_fill(rule) or learned is None or learned.indicator is None or learned.canonical_id is None
            or (rule.indicator.start, rule.indicator.end) != (learned.indicator.start, learned.indicator.end)):
        return False
    if not linker_config()["combined"]["fill"]["family_heads"] and learned.canonical_id in family_heads():
        return False
    return accepts is None or accepts(learned)


def open_for_fill(rule: Any) -> bool:
    """Whether a rules link may take a learned id at all: a phrase without an id, nothing withheld, and (unless
    ``combined.fill.lexicon_phrases``) a phrase the lexicon does not know."""
    return (rule.canonical_id is None and rule.withheld is None and rule.indicator is not None
            and (rule.indicator.kb_id is None or linker_config()["combined"]["fill"]["lexicon_phrases"]))


@lru_cache(maxsize=1)
def family_heads() -> frozenset[str]:
    """Ids ``<family>.total`` of the spec with other ids under their family (active.total, review.total, ...)."""
    from ..indicators import load_indicators

    ids = list(load_indicators())
    return frozenset(i for i in ids if i.count(".") == 1 and i.endswith(".total")
                     and any(j != i and j.startswith(i.split(".")[0] + ".") for j in ids))


def _choose(rule: Any, learned: Any, override_threshold: float) -> Any:
    """The combined policy for one figure."""
    if learned is None or learned.indicator is None:
        return rule
    if rule.indicator is None:
        return learned
    if (rule.indicator.start, rule.indicator.end) == (learned.indicator.start, learned.indicator.end):
        # the same phrase: the rules' link, with the mapper's id where the rules found none
        return rule if rule.canonical_id or not learned.canonical_id else replace(rule, canonical_id=learned.canonical_id)
    return learned if learned.confidence >= override_threshold else rule


def _unmatched(learned: dict[SpanKey, Any], rules_links: Sequence[Any]) -> list[Any]:
    """Learned links of figures the rules returned nothing for."""
    seen = {(r.figure.start, r.figure.end) for r in rules_links}
    return [lk for key, lk in learned.items() if key not in seen]


def choose_policy(results: dict[str, Any], cfg: dict[str, Any] | None = None) -> dict[str, Any]:
    """The policy ``extract`` should use by the dev results: another policy replaces the rules only when it
    beats them by ``selection.min_gain`` on ``selection.metric`` F1."""
    cfg = cfg or linker_config()
    metric, min_gain = cfg["selection"]["metric"], cfg["selection"]["min_gain"]
    best = "rules"
    for policy in ("edges", "combined", "learned"):
        if results[policy][metric]["f"] >= results[best][metric]["f"] + min_gain:
            best = policy
    threshold = results["combined"].get("override_threshold", cfg["combined"]["override_threshold"])
    return {"policy": best, "override_threshold": threshold, "metric": metric,
            "f": {p: round(results[p][metric]["f"], 4) for p in POLICIES}}


def policy_linker(linker: LearnedLinker | None, policy: str | None = None) -> Callable[..., list[Any]]:
    """A ``link(text, spans, indicator_spans, form, organ)`` function for ``extract``: the rules, then the policy
    (given, else the linker's: cross-validated by `govreport cv`, else measured on gold dev when it was trained;
    else configs/learned_link.yml). With
    ``ids_from: fill`` (the linker's measured choice, else configs) the rules and edges policies take the learned
    links' ids where the rules gave none (``fill_ids``)."""
    from .rules import link_figures_to_indicators

    chosen = linker.chosen if linker is not None else {}
    policy = policy or chosen.get("policy") or linker_config()["policy"]
    if policy not in POLICIES:
        raise ValueError(f"unknown linking policy {policy!r}: use one of {POLICIES}")
    threshold = chosen.get("override_threshold", linker.cfg["combined"]["override_threshold"]) if linker else None
    ids_from = chosen.get("ids_from") or linker_config()["combined"]["ids_from"]
    fill_cfg = linker_config()["combined"]["fill"]
    gate = chosen.get("fill_gate", fill_cfg["gate"])
    min_support = chosen.get("fill_min_support", fill_cfg["min_support"][gate])

    def link(text: str, spans: Sequence[Span], indicator_spans: Sequence[Span], form: str | None = None,
             organ: str | None = None) -> list[Any]:
        rules = link_figures_to_indicators(text, list(spans), list(indicator_spans), form, organ)
        if linker is None or (policy == "rules" and ids_from != "fill"):
            return rules
        if policy in ("rules", "edges"):
            eligible = fill_candidates(linker, rules, form) if ids_from == "fill" else frozenset()
            if eligible:  # the learned linker reads only the figures a fill may reach
                learned = linker.link(text, spans, indicator_spans, rules, form, organ, only=eligible)
                rules = filled_links(linker, gate, min_support, rules, learned, text, form, organ, eligible)
            return with_edges(linker, policy, text, rules, spans, indicator_spans)
        learned = linker.link(text, spans, indicator_spans, rules, form, organ)
        accepts = fill_gate(linker, gate, min_support, rules, learned, text, form, organ,
                            fill_candidates(linker, rules, form)) if ids_from == "fill" else None
        links = combined_linker(rules, learned, policy, threshold, ids_from, accepts)
        if policy == "combined" and linker.judge is not None and chosen.get("id_judge", linker.cfg["id_judge"]["enabled"]):
            links = linker.judge.judge(links, learned, text, form, organ)  # ids: the judge's pick of both proposals
        return with_edges(linker, policy, text, links, spans, indicator_spans)

    return link


def with_edges(linker: LearnedLinker | None, policy: str, text: str, links: Sequence[Any], spans: Sequence[Span],
               indicator_spans: Sequence[Span]) -> list[Any]:
    """The links with their phrases re-cut by the linker's edge ranker under the edges and combined policies
    (as they are without a ranker or under another policy)."""
    if linker is None or linker.edges is None or policy not in EDGE_POLICIES:
        return list(links)
    return linker.edges.refine(text, links, spans, indicator_spans)
