"""Which statistical form a report uses: pre2019, v2019, v2021 or none."""

from __future__ import annotations

import re
from functools import lru_cache

from ..config import load_config


@lru_cache(maxsize=1)
def _marker_patterns() -> dict[str, list[re.Pattern[str]]]:
    """Form markers as patterns that tolerate blanks and punctuation between characters."""
    cfg = load_config("tables.yml")["forms"]
    join = r"[\s“”\"、，,：:]*"
    return {
        name: [re.compile(join.join(re.escape(ch) for ch in phrase)) for phrase in cfg[name]]
        for name in ("v2021", "v2019", "new")
    }


def marker_counts(text: str) -> dict[str, int]:
    """How many distinct markers of each new form occur in ``text``."""
    return {name: sum(1 for p in pats if p.search(text)) for name, pats in _marker_patterns().items()}


def detect_new_form(text: str, year: int | None = None) -> str | None:
    """v2019 or v2021 when the text carries the 2019/2021 format's tables, else None."""
    cfg = load_config("tables.yml")["forms"]
    counts = marker_counts(text)
    if counts["new"] + counts["v2019"] + counts["v2021"] < cfg["min_new_markers"]:
        return None
    if counts["v2021"] != counts["v2019"]:
        return "v2021" if counts["v2021"] > counts["v2019"] else "v2019"
    if year is not None:  # a new form either way: the year's, with the old form's years read as 2019's
        return "v2021" if form_of_year(year) == "v2021" else "v2019"
    return "v2021"


def form_of_year(year: int | None) -> str | None:
    """The form a report of ``year`` uses by the years the State Council's forms took effect (configs/tables.yml
    ``forms.first_year_v2019`` and ``first_year_v2021``), or None without a year."""
    if not isinstance(year, int):
        return None
    cfg = load_config("tables.yml")["forms"]
    return "v2021" if year >= cfg["first_year_v2021"] else "v2019" if year >= cfg["first_year_v2019"] else "pre2019"
