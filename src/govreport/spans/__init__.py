"""Span recognition: rule-based (rules.find_spans and the spaCy factory ``govreport_rules``)."""

from .rules import find_spans, make_rules_component

__all__ = ["find_spans", "make_rules_component"]
