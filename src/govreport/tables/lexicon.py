"""The phrases of each table form and what they mean: row labels, column headers, section markers.

A phrase (normalised, see ``normalize_label``) can have several roles: 总计 is a row of the request
matrix, its last column and a column of table 4; the parser picks the role by context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..anchored import class_source, guarded

try:
    from re import _parser as _re_parser
except ImportError:  # Python < 3.11
    import sre_parse as _re_parser  # type: ignore[no-redef]
from ..config import load_config
from ..indicators import FORMS, load_indicators, normalize_label, split_label

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class Role:
    """What a phrase means in a table: kind (row, col, group, heading, start, end), section and key."""

    kind: str
    section: str
    key: str


@dataclass
class Lexicon:
    """Phrases of one form with their roles, the canonical layout and the compiled text pattern."""

    form: str
    roles: dict[str, list[Role]] = field(default_factory=dict)
    # table 2: (section, row, column) → indicator id; default column order per section; row → section
    t2_cells: dict[tuple[str, str, str], str] = field(default_factory=dict)
    t2_columns: dict[str, list[str]] = field(default_factory=dict)
    t2_rows: dict[str, str] = field(default_factory=dict)
    # table 3: canonical rows (id prefix, optional) and row labels
    t3_rows: list[tuple[str, bool]] = field(default_factory=list)
    t3_labels: dict[str, list[str]] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None
    # for reading the anchors of a text lazily (shapes.stream_rows): a character no match of ``pattern`` can hold,
    # and patterns one of which matches inside every anchor that can open a region; None: read every anchor
    barrier: re.Pattern[str] | None = None
    starts: list[re.Pattern[str]] | None = None
    # roles of each text looked up: the same cells and labels are looked up again on every row and in every report,
    # and normalising a label takes several regex passes
    looked_up: dict[str, list[Role]] = field(default_factory=dict, repr=False, compare=False)

    def add(self, phrase: str, role: Role) -> None:
        """Register ``role`` for the normalised ``phrase``."""
        key = normalize_label(phrase)
        if key and role not in self.roles.setdefault(key, []):
            self.roles[key].append(role)
        self.looked_up.clear()

    def lookup(self, text: str) -> list[Role]:
        """Roles of a label as written."""
        roles = self.looked_up.get(text)
        if roles is None:
            if len(self.looked_up) >= 1 << 16:  # bounded: a hostile text may hold any number of distinct cells
                self.looked_up.clear()
            roles = self.looked_up[text] = self.roles.get(normalize_label(text), [])
        return roles


def t2_section(section_text: str) -> str | None:
    """'第二十条第（五）项' → 't2.5'."""
    match = re.search(load_config("tables.yml")["t2"]["marker"], section_text)
    if not match:
        return None
    numeral = match.group(1)
    value = sum(_NUMERALS[c] for c in numeral) if len(numeral) == 1 or numeral[0] != "十" else 10 + sum(
        _NUMERALS[c] for c in numeral[1:])
    return f"t2.{value}"


@lru_cache(maxsize=4)
def get_lexicon(form: str) -> Lexicon:
    """The lexicon of ``form`` (pre2019, v2019 or v2021)."""
    cfg = load_config("tables.yml")
    lex = Lexicon(form)
    if form == "pre2019":
        _add_pre2019(lex, cfg)
    else:
        _add_t2(lex, cfg)
        _add_t3(lex, cfg)
        _add_t4(lex, cfg)
        for phrase in cfg["region"]["start"]["new"]:
            lex.add(phrase, Role("start", "", phrase))
    for phrase in cfg["region"]["end"]:
        lex.add(phrase, Role("end", "", phrase))
    lex.pattern = _compile(lex, cfg)
    lex.barrier, lex.starts = _skipping(lex, cfg)
    return lex


def load_lexicons() -> None:
    """Build the lexicon of every form now (a few compiled patterns), so that no document pays for it."""
    for form in FORMS:
        get_lexicon(form)


def _add_pre2019(lex: Lexicon, cfg: dict) -> None:
    """Rows (spec labels and aliases) and header cells of the 政府信息公开情况统计表."""
    from ..indicators import label_index

    for phrase, ids in label_index("pre2019").items():
        for ind_id in ids:
            lex.add(phrase, Role("row", "pre2019", ind_id))
    for role, phrases in cfg["pre2019"]["columns"].items():
        for phrase in phrases:
            lex.add(phrase, Role("col", "pre2019", role))
    for phrase in cfg["region"]["start"]["pre2019"]:
        lex.add(phrase, Role("start", "", phrase))


def _add_t2(lex: Lexicon, cfg: dict) -> None:
    """Table 2 cells of both new formats (a report may keep the other format's columns, and the header says
    which); the default column order is the form's own."""
    aliases = cfg["t2"]["column_aliases"]
    for ind in load_indicators().values():
        if not {"v2019", "v2021"} & set(ind.forms) or not ind.section or "第二十条" not in ind.section:
            continue
        section = t2_section(ind.section)
        for n, name in enumerate(ind.names):
            row, col = split_label(name)
            if col is None:
                continue
            row_n, col_n = normalize_label(row), normalize_label(col)
            lex.t2_cells.setdefault((section, row_n, col_n), ind.id)
            lex.t2_rows.setdefault(row_n, section)
            lex.add(row, Role("row", section, row_n))
            lex.add(col, Role("col", "t2", col_n))
            for alias in aliases.get(col_n, []):
                lex.t2_cells.setdefault((section, row_n, normalize_label(alias)), ind.id)
                lex.add(alias, Role("col", "t2", normalize_label(alias)))
            if n == 0 and lex.form in ind.forms:
                columns = lex.t2_columns.setdefault(section, [])
                if col_n not in columns:
                    columns.append(col_n)
    for phrase in cfg["t2"]["label_headers"]:
        lex.add(phrase, Role("col", "t2", "label"))


def _add_t3(lex: Lexicon, cfg: dict) -> None:
    """Rows, row groups and applicant columns of the request matrix."""
    t3 = cfg["t3"]
    rows = [(r.rstrip("?"), r.endswith("?")) for r in t3["rows"][lex.form]]
    lex.t3_rows = rows
    keys = {r for r, _ in rows}
    inds = load_indicators()
    for ind in inds.values():
        if "｜" not in ind.label:
            continue
        row_key = ind.id.rsplit(".", 1)[0]
        if row_key not in keys:
            continue
        row_part, _ = split_label(ind.label)
        name = row_part.split("·")[-1]
        labels = lex.t3_labels.setdefault(row_key, [])
        if normalize_label(name) not in labels:
            labels.append(normalize_label(name))
            lex.add(name, Role("row", "t3", row_key))
    for row_key, aliases in t3.get("row_aliases", {}).items():
        for alias in aliases:
            lex.t3_labels.setdefault(row_key, []).append(normalize_label(alias))
            lex.add(alias, Role("row", "t3", row_key))
    for col_key, aliases in t3["column_aliases"].items():
        for alias in aliases:
            lex.add(alias, Role("col", "t3", col_key))
    for phrase in t3["column_groups"]:
        lex.add(phrase, Role("group", "t3", normalize_label(phrase)))
    for phrase in t3["row_groups"]:
        lex.add(phrase, Role("group", "t3", normalize_label(phrase)))


def _add_t4(lex: Lexicon, cfg: dict) -> None:
    """Column groups, headings and result columns of the review/litigation table."""
    t4 = cfg["t4"]
    for group, phrases in t4["groups"].items():
        for phrase in phrases:
            lex.add(phrase, Role("group", "t4", group))
    for phrase in t4["headings"]:
        lex.add(phrase, Role("heading", "t4", normalize_label(phrase)))
    for phrase in t4["columns"]:
        lex.add(phrase, Role("col", "t4", normalize_label(phrase)))


# --- the text pattern: every phrase as a trie, tolerant of blanks, quotes and list punctuation ----------

_JOIN = r"[\s“”\"'‘’、，,：:；;]*"
_CHAR_CLASSES = {"他": "[他它]", "/": "[/／]"}


def _char(ch: str) -> str:
    """A character of a phrase as a pattern (variant spellings included)."""
    return _CHAR_CLASSES.get(ch, re.escape(ch))


def _trie_pattern(phrases: list[str]) -> str:
    """One regex alternation matching any phrase, longest first, as a character trie."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = []
        for ch in sorted(k for k in node if k):
            child = node[ch]
            rest = [k for k in child if k]
            if not rest:
                alts.append(_char(ch))
                continue
            inner = _JOIN + build(child)
            alts.append(_char(ch) + (f"(?:{inner})?" if "" in child else f"(?:{inner})"))
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return build(trie)


# an item number glued to the label belongs to the label (…0000002.其他法律行政法规禁止公开); two digits only
# where a line starts (10.涉及商业秘密), since a value may stand right before a one-digit item number
_ITEM_NUMBER = r"(?:(?:(?<=\n)\d{1,2}|\d)\s*[.、．]\s*)?"


def _compile(lex: Lexicon, cfg: dict) -> re.Pattern[str]:
    """Markers, year columns and every phrase of the lexicon in one pattern."""
    parts = [f"(?P<marker>{cfg['t2']['marker']})"]
    if lex.form == "pre2019":
        parts.append(f"(?P<year>{cfg['pre2019']['year_column']})")
    parts.append(_ITEM_NUMBER + "(?P<label>" + _trie_pattern(sorted(lex.roles)) + ")")
    # positions no phrase starts at are passed over without trying the trie's alternatives one by one
    return guarded("|".join(parts))


def _skipping(lex: Lexicon, cfg: dict) -> tuple[re.Pattern[str] | None, list[re.Pattern[str]] | None]:
    """What lets ``shapes.stream_rows`` pass over the text between table regions without reading its anchors:

    - a class of the characters that no match of ``lex.pattern`` holds (read from the parts ``_compile`` joins:
      marker, year column, item number, blanks and quotes between characters, and the phrases' characters). No
      match spans such a character, so the pattern's matches after it are those of a scan started right after it;
    - per phrase with a start role, a pattern matching inside any label that ``lookup`` gives that role:
      ``normalize_label`` drops blanks and the ``labels.drop`` characters, unifies the ``labels.variants`` and cuts
      leading numbering and notes, so the phrase's characters (or their variants) stand in the label in order with
      only dropped characters between them; and the marker pattern, for the 第二十条 markers.

    (None, None) when a part holds a class this does not read, or a variant changes a label's length."""
    variants = load_config("tables.yml")["labels"]["variants"]
    if any(len(old) != len(new) for old, new in variants.items()):
        return None, None
    sources: dict[str, set[str]] = {}  # a character of a normalised label → the characters it may be written as
    for old, new in variants.items():
        for o, n in zip(old, new):
            sources.setdefault(n, {n}).add(o)
    held = [_contained(cfg["t2"]["marker"]), _contained(_ITEM_NUMBER), _contained(_JOIN)]
    if lex.form == "pre2019":
        held.append(_contained(cfg["pre2019"]["year_column"]))
    chars = {ch for phrase in lex.roles for ch in phrase}
    held += [_contained(_char(ch)) for ch in sorted(chars)]
    if any(h is None for h in held):
        return None, None
    barrier = re.compile("[^" + "".join(dict.fromkeys(h for h in held if h)) + "]")
    dropped = f"(?:{load_config('tables.yml')['labels']['drop']}|\\s)*"

    def written(ch: str) -> str:
        alts = sorted(sources.get(ch, {ch}))
        return re.escape(alts[0]) if len(alts) == 1 else "[" + "".join(map(re.escape, alts)) + "]"

    starts = [re.compile(cfg["t2"]["marker"])]
    for phrase, roles in sorted(lex.roles.items()):
        if any(r.kind == "start" for r in roles):
            starts.append(re.compile(dropped.join(written(ch) for ch in phrase)))
    return barrier, starts


def _contained(source: str) -> str | None:
    """The body of a character class of every character a match of ``source`` can hold (its look-arounds' too),
    or None when it holds a class this does not read (negated, any character, a category other than \\d, \\s)."""
    c = _re_parser
    out: list[str] = []

    def walk(parsed: Any) -> bool:
        for op, av in parsed:
            if op is c.LITERAL:
                out.append(re.escape(chr(av)))
            elif op is c.IN:
                items = class_source(av)
                if items is None:
                    return False
                out.append(items)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)):
                if not walk(av[2]):
                    return False
            elif op is c.SUBPATTERN:
                if not walk(av[-1]):
                    return False
            elif op is c.BRANCH:
                if not all(walk(alt) for alt in av[1]):
                    return False
            elif op in (c.ASSERT, c.ASSERT_NOT):
                if not walk(av[1]):
                    return False
            elif op is not c.AT:
                return False
        return True

    parsed = _re_parser.parse(source)
    if parsed.state.flags & re.IGNORECASE or not walk(parsed):
        return None
    return "".join(out)
