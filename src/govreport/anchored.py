"""Faster regex scanning that finds exactly what the plain patterns find, read from the patterns' parse trees.

`re` searches fast only for patterns that start with a literal or a character class; an alternation of patterns
(with lookbehinds, or a hundred lexicon phrases) is tried at every position, and at each position every
alternative is tried in turn. So the first characters each pattern can start with are computed from its parse
tree, and:
- ``Alternation`` searches the text with one fast search for the first characters a pattern can start with
  and, at a position, matches only the patterns that can start with its character (span rules in spans/rules.py,
  indicator lexicon in link.py);
- ``guarded`` puts a look at that class before one pattern, which rejects most positions at once;
- ``reads_before_start`` says whether a substring can be matched on its own (and its matches cached).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

try:  # the parser of `re`, used to find the characters a pattern can start with
    from re import _parser as _re_parser
except ImportError:  # Python 3.10
    import sre_parse as _re_parser  # type: ignore[no-redef]


def _first_items(items, out: list[str]) -> bool:
    """Add to ``out`` the class items that can start ``items``; True when ``items`` can match the empty string."""
    c = _re_parser
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width
        if op is c.LITERAL:
            out.append(re.escape(chr(av)))
            return False
        if op is c.IN:
            source = class_source(av)
            if source is None:
                raise ValueError("unbounded start")
            out.append(source)
            return False
        if op is c.BRANCH:
            nullable = False
            for branch in av[1]:
                nullable |= _first_items(branch, out)
            if not nullable:
                return False
            continue
        if op is c.SUBPATTERN:
            if not _first_items(av[-1], out):
                return False
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, _, sub = av
            if not _first_items(sub, out) and lo > 0:
                return False
            continue
        raise ValueError(f"unbounded start: {op}")
    return True


def reads_before_start(pattern: str, flags: int = 0) -> bool:
    """Whether a match of ``pattern`` can depend on the text before it (lookbehind, ^, \\A, \\b, \\B): when it
    cannot, matching a substring on its own gives what matching it in place gives."""
    c = _re_parser
    ends = {c.AT_END, c.AT_END_LINE, c.AT_END_STRING}

    def walk(items) -> bool:
        for op, av in items:
            if op is c.AT and av not in ends:
                return True
            if op in (c.ASSERT, c.ASSERT_NOT) and av[0] < 0:
                return True
            if any(walk(sub) for sub in _nested(av)):
                return True
        return False

    return walk(_re_parser.parse(pattern, flags))


def _nested(av) -> list:
    """The sub-patterns held by the argument of a parsed op (groups, branches, repeats, assertions)."""
    if isinstance(av, _re_parser.SubPattern):
        return [av]
    if isinstance(av, (tuple, list)):
        return [sub for item in av for sub in _nested(item)]
    return []


def first_char_class(pattern: str, flags: int = 0) -> str | None:
    """The source of a class of the characters ``pattern`` can start with, or None when any could start it."""
    return _first_class(_re_parser.parse(pattern, flags))


def _first_class(parsed) -> str | None:
    """first_char_class of a parse tree."""
    out: list[str] = []
    try:
        if parsed.state.flags & re.IGNORECASE:
            return None  # the class would need every case of every character
        if _first_items(parsed, out):
            return None  # the pattern matches the empty string
    except ValueError:
        return None
    return f"[{''.join(dict.fromkeys(out))}]"


def class_source(items) -> str | None:
    """The source of a parsed character class (escaped characters, ranges, \\d, \\s), or None for one this module
    does not rewrite (negated, other categories): then any character is taken to be in it."""
    c = _re_parser
    out = []
    for kind, value in items:
        if kind is c.LITERAL:
            out.append(re.escape(chr(value)))
        elif kind is c.RANGE:
            out.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
            out.append("\\d")
        elif kind is c.CATEGORY and value is c.CATEGORY_SPACE:
            out.append("\\s")
        else:
            return None
    return "".join(out)


# A prefix is a tuple of class sources (None: any character), one per character the match starts with; a prefix
# shorter than _PREFIX_CHARS says that the match can end there. Three characters: against two, they halve the
# failed matches of the indicator lexicon (信息公开, 政府网站 start no phrase); four made the search regexes four
# times longer and cost half a second of start-up for no measurable gain.
_PREFIX_CHARS = 3
Prefix = tuple  # of str | None


def _then(heads: set[Prefix], tails: set[Prefix]) -> set[Prefix]:
    """The prefixes of a match of one thing and then another, cut at _PREFIX_CHARS characters."""
    k = _PREFIX_CHARS
    return {h if len(h) >= k else (h + t)[:k] for h in heads for t in (((),) if len(h) >= k else tails)}


def _prefixes(items) -> set[Prefix]:
    """Every prefix a match of the parsed ``items`` can start with (a superset: lookarounds are not read).
    ValueError for what is not read here (a back-reference, a case-insensitive group)."""
    found: set[Prefix] = {()}
    for op, av in items:
        if all(len(p) >= _PREFIX_CHARS for p in found):
            break
        found = _then(found, _item_prefixes(op, av))
    return found


def _item_prefixes(op, av) -> set[Prefix]:
    c = _re_parser
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return {()}  # zero-width
    if op is c.LITERAL:
        return {(re.escape(chr(av)),)}
    if op is c.IN:
        return {(class_source(av),)}
    if op in (c.ANY, c.NOT_LITERAL):
        return {(None,)}
    if op is c.SUBPATTERN:
        if av[1] & re.IGNORECASE:
            raise ValueError("case-insensitive group")
        return _prefixes(av[-1])
    if op is c.BRANCH:
        return set().union(*(_prefixes(branch) for branch in av[1]))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        lo, hi, sub = av
        once, repeated = _prefixes(sub), {()}
        found = {()} if lo == 0 else set()
        # more repetitions than _PREFIX_CHARS start like _PREFIX_CHARS of them (each one is a character or more,
        # or else can be empty and then those prefixes are there already)
        for n in range(1, min(hi, _PREFIX_CHARS) + 1):
            repeated = _then(repeated, once)
            if n >= lo:
                found |= repeated
        return found | (repeated if lo > _PREFIX_CHARS else set())
    raise ValueError(f"prefix not read: {op}")


def start_source(patterns: list[str], flags: int = 0, let_through: str = "") -> str | None:
    """A regex matching where one of ``patterns`` can start, read from the first _PREFIX_CHARS characters they can
    start with, or None when any position could start one. First characters of the class source ``let_through``
    are let through whatever follows them.

    A class of first characters alone lets through every 政, 公, 开 and 信 of 政府信息公开, and the regex of the
    patterns starting there is then tried and fails (at most positions of a report); the next characters rule
    most of them out inside `re`'s search."""
    return _start_source([_re_parser.parse(pattern, flags) for pattern in patterns], let_through)


def _start_source(trees: list, let_through: str = "") -> str | None:
    """start_source of the patterns' parse trees."""
    prefixes: set[Prefix] = set()
    try:
        for parsed in trees:
            if parsed.state.flags & re.IGNORECASE:
                return None
            prefixes |= _prefixes(parsed)
    except ValueError:
        return None
    if any(not p or p[0] is None for p in prefixes):
        return None  # a pattern matches the empty string, or starts with any character
    # the class of first characters first, then a look back at the character it took and ahead at what follows:
    # a pattern that starts with a class lets `re`'s search skip in C to the next character in it (its charset
    # prefix), where one that starts with a lookahead is run at every position
    firsts = "".join(sorted({p[0] for p in prefixes}))
    groups = [("".join(group), f"[{''.join(group)}]" + (f"(?={rest})" if rest is not None else ""))
              for rest, group in _by_rest(prefixes, let_through).items()]
    # `re` tries the look's branches one by one, each after a test of its class: a hundred branches cost a
    # hundred tests at each first character. Runs of branches behind a test of their classes together take
    # about ten plus ten (the look asks only whether some branch holds, so grouping them changes no match).
    runs = [groups[i:i + _BRANCHES_PER_TEST] for i in range(0, len(groups), _BRANCHES_PER_TEST)]
    look = "|".join(run[0][1] if len(run) == 1 else
                    f"[{''.join(chars for chars, _ in run)}](?<={'|'.join(branch for _, branch in run)})"
                    for run in runs)
    return f"[{firsts}](?<={look})"


# Branches of the look at the first characters behind one test of their classes (_start_source): on the bench
# corpus the anchor searches of the span, exclusion and lexicon scanners took 18% less time with 10 than with
# one test per branch (6: 10% less, 16: as 10 or worse).
_BRANCHES_PER_TEST = 10


def _by_rest(prefixes: set[Prefix], let_through: str = "") -> dict[str | None, list[str]]:
    """First characters grouped by the regex of what can follow them (None: anything, the prefix can end there)."""
    rests: dict[str, set[Prefix]] = {}
    for p in prefixes:
        rests.setdefault(p[0], set()).add(p[1:])
    grouped: dict[str | None, list[str]] = {None: [let_through] if let_through else []}
    for first in sorted(rests):
        grouped.setdefault(_prefix_tree(rests[first]), []).append(first)
    return {rest: group for rest, group in grouped.items() if group}


def _prefix_tree(prefixes: set[Prefix]) -> str | None:
    """Source of a regex matching one of ``prefixes``, or None when any text starts one (a prefix is empty or starts
    with any character)."""
    if any(not p or p[0] is None for p in prefixes):
        return None
    return "|".join(f"[{''.join(group)}]" + (f"(?:{rest})" if rest is not None else "")
                    for rest, group in _by_rest(prefixes).items())


def guarded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled behind a look at the next character: `re` tries an alternation of groups at every
    position, branch by branch; the look rejects most positions at once (same matches, same groups)."""
    return re.compile(guarded_source(pattern, flags), flags)


def guarded_source(pattern: str, flags: int = 0) -> str:
    """The source of ``pattern`` behind a look at the characters it can start with (see guarded), for a part of a
    larger pattern: an alternation tried at many positions of each match, such as the organ suffixes."""
    starts = first_char_class(pattern, flags)
    if starts is None or _INLINE_FLAGS.match(pattern):  # (?m) must stay first: no look in front of it
        return pattern
    return f"(?={starts})(?:{pattern})"


_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def anchor_regex(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A class of the characters ``pattern`` can start with, or None when any character could start it."""
    char_class = first_char_class(pattern.pattern, pattern.flags)
    return re.compile(char_class) if char_class is not None else None


# after an anchor's character: the rest of its digit run when it is a digit
_DIGIT_RUN_REST = r"(?:(?<=\d)\d*)?"


class Alternation:
    """Named patterns tried in order at each position, like one regex ``(?P<a>...)|(?P<b>...)``, but each pattern
    only where its first characters (start_source) can start it: at a position the regex of just the patterns that
    can start with its character is matched. With ``skip_digit_runs``, the rest of a digit run is skipped after a
    failed match, and after a match that ends inside the run: only right when every pattern looks behind for a
    digit before one it starts with, as the span rules do (tests check that anchored and plain scanning agree on
    the corpus)."""

    def __init__(self, parts: list[tuple[str, str]], flags: int = 0, anchored: bool = True,
                 skip_digit_runs: bool = True, one_regex: bool = False):
        """``one_regex``: at every anchor, match one alternation of all parts, each behind a look at the
        characters it can start with (``guarded``), instead of the alternation of just the parts that can start
        with the anchor's character: the same matches, one compilation instead of one per group of parts (a few
        long patterns, such as the span rules, took a quarter of a second of each start-up to compile per group),
        at the cost of a look per part at each anchor (right for a few parts, not for a lexicon of many)."""
        self.parts = parts
        self.flags = flags
        self.skip_digit_runs = skip_digit_runs
        self.one_regex = one_regex
        # read from the parts' parse trees, not compiled: compiling these long patterns (then the union of them) to
        # read their first characters took a fifth of a second of each start-up; each part parsed once, for its
        # first characters and for its prefixes (the trees are not kept: those of the span rules take 3 MB)
        trees = [_re_parser.parse(pattern, flags) for _, pattern in parts]
        classes = [_first_class(tree) for tree in trees]
        self.part_anchors = [re.compile(c) if c is not None else None for c in classes]
        # the union can start where one of its parts can
        union = f"[{''.join(c[1:-1] for c in classes)}]" if None not in classes else None
        self.first_chars = re.compile(union) if union is not None else None
        # a digit stays an anchor whatever follows it, and takes the rest of its digit run: no position inside a
        # run is tried (the digit-run skip, see finditer), and the search does not stop at each of its digits
        starts = _start_source(trees, "\\d" if skip_digit_runs else "") if union is not None else None
        starts = starts if starts is not None else union
        if starts is not None and skip_digit_runs:
            starts += _DIGIT_RUN_REST
        self.anchors = re.compile(starts, flags) if anchored and starts is not None else None
        self._by_char: dict[str, re.Pattern[str] | None] = {}
        self._by_subset: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._guarded = self._guarded_regex(classes) if one_regex and self.anchors is not None else None

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The plain alternation of all parts (compiled when first needed: anchored scanning never needs it)."""
        return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in self.parts), self.flags)

    def _guarded_regex(self, classes: list[str | None]) -> re.Pattern[str]:
        """The alternation of all parts, each behind a look at the characters it can start with (``one_regex``)."""
        return re.compile("|".join(f"(?P<{name}>" + (f"(?={c})" if c is not None else "") + f"(?:{pattern}))"
                                   for (name, pattern), c in zip(self.parts, classes)), self.flags)

    def _regex_for(self, char: str) -> re.Pattern[str] | None:
        """The alternation of the parts that can start with ``char`` (``one_regex``: of all parts, guarded)."""
        regex = self._by_char.get(char, False)
        if regex is False and self.one_regex:
            regex = self._by_char[char] = self._guarded if self.first_chars.match(char) else None
        elif regex is False:
            subset = tuple(i for i, a in enumerate(self.part_anchors) if a is not None and a.match(char))
            if not subset:
                regex = None
            elif subset not in self._by_subset:
                pattern = "|".join(f"(?P<{self.parts[i][0]}>{self.parts[i][1]})" for i in subset)
                regex = self._by_subset[subset] = re.compile(pattern, self.flags)
            else:
                regex = self._by_subset[subset]
            self._by_char[char] = regex
        return regex

    def compile_all(self) -> None:
        """Compile now the alternation of every basic-plane character that can start a part, instead of on first
        use: a batch compiles them once before its workers fork, not once in each worker (a fifth of a second
        for the span scanner). Astral characters, if a part starts with one, stay compiled on first use."""
        if self.anchors is None:
            return
        if self.one_regex:  # compiled with the alternation: nothing per character
            return
        for code in range(0x10000):
            char = chr(code)
            if char not in self._by_char and self.first_chars.match(char):
                self._regex_for(char)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Non-empty, non-overlapping matches, leftmost first; ``match.lastgroup`` names the part."""
        if self.anchors is None:
            yield from (m for m in self.regex.finditer(text) if m.end() > m.start())
            return
        # the loop runs once per anchor (a fifth of the characters): lookups are hoisted out of it
        # with skip_digit_runs an anchor at a digit takes its whole run: after a failed match there the next
        # anchor is past the run; a match ending inside a run leaves the rest of it untried, which no part could
        # start (each looks behind for a digit before one it starts with)
        by_char, regex_for = self._by_char, self._regex_for
        pos = 0
        for a in self.anchors.finditer(text):
            start = a.start()
            if start < pos:
                continue
            char = text[start]
            regex = by_char.get(char, False)
            if regex is False:
                regex = regex_for(char)
            if regex is not None:
                m = regex.match(text, start)
                if m is not None and m.end() > start:
                    yield m
                    pos = m.end()
