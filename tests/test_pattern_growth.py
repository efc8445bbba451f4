"""Every regex of configs/ runs in linear time: timed on adversarial strings of n and 8n characters, the time may
grow about 8 times, not 64 (quadratic) or 512 (cubic) times. A ratio of times, not a wall-clock limit, with a
floor under which times are too small to compare (catastrophic backtracking shows far above it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import yaml

from govreport.config import CONFIG_DIR

# a pattern's fragments stand in for these when a config names them ({P} in link.yml, {units} in baseline.yml)
_PLACEHOLDERS = {"{P}": None, "{units}": "条|件|人次"}
_META = re.compile(r"[\\\[\](){}*+?|^$]")

# repeated units: runs of one class (Latin letters, digits, CJK, Chinese numerals, blanks, punctuation) and mixes
ADVERSARIAL = {
    "letters": "a",
    "Letters": "aB",
    "digits": "1",
    "decimal": "1.",
    "thousands": "1,",
    "cjk": "中",
    "numerals": "一",
    "organs": "市办",
    "dates": "1年",
    "spaces": " ",
    "lines": "\n",
    "punctuation": "，",
    "dashes": "-",
    "brackets": "（",
    "mixed": "a1 中，-.一年月市局(《",
}
SMALL, LARGE = 200, 1600  # characters: linear growth is 8x, quadratic 64x, cubic 512x
MAX_RATIO = 24.0  # three times linear, for noise on a shared machine
FLOOR = 0.02  # seconds: below this at the large size, no ratio is read


def _leaves(node: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def _compiled(source: str) -> re.Pattern[str] | None:
    try:
        return re.compile(source)
    except re.error:
        return None  # a string of the config that is no regex (a label, a template)


def config_patterns() -> list[tuple[str, re.Pattern[str], str]]:
    """Every string of configs/*.yml that compiles as a regex with a metacharacter, and the patterns the code
    assembles from fragments (span scanner, exclusions, link lexicon), which can backtrack where no fragment does.

    Each comes with how it is timed: ``finditer`` (tried at every position, the worst use of a pattern), or
    ``fullmatch`` for the figure parsers, which only ever read the text of one span whole.
    """
    from govreport.link.rules import load_rules
    from govreport.spans.rules import exclusion_scanner, scanner
    from govreport.values import _figure_parsers

    phrase_char = yaml.safe_load((CONFIG_DIR / "link.yml").read_text(encoding="utf-8"))["phrase_char"]
    out: list[tuple[str, re.Pattern[str], str]] = []
    for path in sorted(CONFIG_DIR.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, text in _leaves(data, path.relative_to(CONFIG_DIR).as_posix()):
            if not _META.search(text):
                continue
            for key, value in _PLACEHOLDERS.items():
                text = text.replace(key, value or phrase_char)
            compiled = _compiled(text)
            if compiled is not None:
                out.append((where, compiled, "finditer"))
    for name, source in scanner().parts:
        out.append((f"assembled {name}", re.compile(source), "finditer"))
    for name, source in exclusion_scanner().parts:  # compiled with re.MULTILINE, as spans/rules.py does
        out.append((f"assembled {name}", re.compile(source, re.MULTILINE), "finditer"))
    out += [(f"figure parser {i}", p, "fullmatch") for i, p in enumerate(_figure_parsers())]
    rules = load_rules()
    out += [(f"link.yml {name}", value, "finditer") for name, value in vars(rules).items()
            if isinstance(value, re.Pattern)]
    return out


def _time(pattern: re.Pattern[str], text: str, mode: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        if mode == "fullmatch":
            pattern.fullmatch(text)
        else:
            for _ in pattern.finditer(text):
                pass
        best = min(best, time.perf_counter() - start)
    return best


def growth(pattern: re.Pattern[str], unit: str, small: int, large: int, mode: str = "finditer",
           repeats: int = 3) -> tuple[float, float, float]:
    """(ratio, small time, large time) of scanning ``unit`` repeated to ``small`` and ``large`` characters."""
    t_small = _time(pattern, (unit * small)[:small], mode, repeats)
    t_large = _time(pattern, (unit * large)[:large], mode, repeats)
    return t_large / max(t_small, FLOOR / (large / small)), t_small, t_large


PATTERNS = config_patterns()


@pytest.mark.parametrize("where,pattern,mode", PATTERNS, ids=[w for w, _, _ in PATTERNS])
def test_config_pattern_grows_linearly(where: str, pattern: re.Pattern[str], mode: str) -> None:
    slow = []
    for kind, unit in ADVERSARIAL.items():
        ratio, _, t_large = growth(pattern, unit, SMALL, LARGE, mode)
        if t_large > FLOOR and ratio > MAX_RATIO:
            slow.append(f"{kind}: x{ratio:.0f} ({t_large * 1000:.1f} ms at {LARGE} chars)")
    assert not slow, f"{where} backtracks: " + "; ".join(slow)
