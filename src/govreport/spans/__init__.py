"""Span recognition: rule-based (rules.find_spans and the spaCy factory ``govreport_rules``)."""

from typing import Any

from .rules import find_spans

__all__ = ["find_spans", "make_rules_component"]


def __getattr__(name: str) -> Any:
    """``make_rules_component`` imports spaCy: only when asked for (see spans.rules)."""
    if name == "make_rules_component":
        from .rules import make_rules_component

        return make_rules_component
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
