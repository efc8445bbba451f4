"""Digit runs whose cell separators were lost: every way to cut them into cells, then the table's
arithmetic and the narrative pick among the ways.

`主动公开文件数条271064935` under 2017年度 | 历年累计 can be 2|71064935, 27|1064935 or 2710|64935
(271|064935 has a leading zero, 27106|4935 puts more in one year than in all years). The parent row
must equal the sum of its children in both columns, and the narrative says 2710: one split is left.
When more than one split survives, the value is uncertain and the alternatives are kept.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, product
from math import comb
from operator import itemgetter
from typing import Any

from ..config import load_config
from .checks import _TOLERANCE, Ref, Relation
from .shapes import Val

_PART = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")
_CORE = re.compile(r"^-?[\d,]*\.?\d*")


@dataclass(slots=True)
class Part:
    """One cell cut from a run: value and its offsets in the text."""

    value: int | float | None
    start: int
    end: int
    text: str
    unit: str | None = None


@dataclass(slots=True)
class SplitProblem:
    """The candidate cuttings of one row's runs into its cells."""

    refs: list[Ref]
    candidates: list[list[Part]] = field(default_factory=list)
    rules_used: bool = True  # False when no cutting satisfied the row's own rules
    capped: bool = False


@lru_cache(maxsize=1)
def _cfg() -> dict[str, Any]:
    """The split settings."""
    return load_config("tables.yml")["split"]


def _valid(text: str, decimal_ok: bool, signed_ok: bool, run_end: bool) -> bool:
    """Whether a cut piece is a number the cell may hold (no leading zero, decimals and sign where allowed)."""
    if not _PART.match(text) or (text.startswith("-") and not signed_ok):
        return False
    if "." in text:
        if not decimal_ok:
            return False
        if not run_end and len(text.split(".", 1)[1]) > _cfg()["max_fraction_digits"]:
            return False
    return True


def _number(text: str) -> int | float:
    """The value of a cut piece."""
    return float(text) if "." in text else int(text)


def rule_holds(rule: dict[str, Any], values: list[Any]) -> bool | None:
    """A row rule on cell values; None while a cell it needs is not known yet."""
    if "sum" in rule:
        idx = [*rule["sum"], rule["equals"]]
        if max(idx) >= len(values):
            return None
        nums = [values[i] for i in idx]
        if None in nums:  # (cells hold numbers or None: no other value equals None)
            return True
        return abs(sum(nums[:-1]) - nums[-1]) < 1e-6
    if "le" in rule:
        a, b = rule["le"]
        if max(a, b) >= len(values):
            return None
        return values[a] is None or values[b] is None or values[a] <= values[b] + 1e-6
    if "nonneg_sum" in rule:
        idx = rule["nonneg_sum"]
        if max(idx) >= len(values):
            return None
        nums = [values[i] for i in idx]
        return None in nums or sum(nums) >= 0
    return True


def _rule_end(rule: dict[str, Any]) -> int:
    """Index of the last cell a rule needs."""
    if "sum" in rule:
        return max(*rule["sum"], rule["equals"])
    return max(rule.get("le") or rule.get("nonneg_sum"))


def _rule_check(rule: dict[str, Any]) -> Callable[[list[Any]], bool]:
    """``rule_holds(rule, values) is not False`` for the values of a row cut up to the rule's last cell (which
    ``cuttings`` checks once per cutting step): the same arithmetic in the same order, without reading the rule."""
    if "sum" in rule:
        parts, total = tuple(rule["sum"]), rule["equals"]

        def holds_sum(values: list[Any]) -> bool:
            nums = [values[i] for i in parts]
            last = values[total]
            return last is None or None in nums or abs(sum(nums) - last) < 1e-6
        return holds_sum
    if "le" in rule:
        a, b = rule["le"]

        def holds_le(values: list[Any]) -> bool:
            va, vb = values[a], values[b]
            return va is None or vb is None or va <= vb + 1e-6
        return holds_le
    return lambda values: rule_holds(rule, values) is not False


def cuttings(vals: list[Val], k: int, decimals: list[bool], rules: list[dict[str, Any]],
             signed: list[bool] | None = None, relax: bool = False) -> tuple[list[list[Part]], bool, bool]:
    """Every cutting of ``vals`` into ``k`` cells that satisfies ``rules``, whether the search was capped, and
    whether the rules were used: with ``relax``, when no cutting satisfies them, every cutting without them.
    ``decimals`` and ``signed`` say per cell whether it may hold a decimal or a negative number."""
    signed = signed or [False] * k
    found = _one_run(vals, k, decimals, rules, signed, relax)
    return found if found is not None else _search(vals, k, decimals, rules, signed, relax)


def _piece(v: Val, core: str, pos: int, end: int, decimal_ok: bool, signed_ok: bool) -> Part | None:
    """The cell cut from the run ``v`` (its digits ``core``) at [pos, end), or None when the cell cannot hold it."""
    text = core[pos:end]
    last = end == len(core)  # the rest of the run: it may hold more decimals, and keeps the run's unit
    if not (last or not (text.endswith(".") or core[end:end + 1] == ".")) or not _valid(
            text, decimal_ok, signed_ok, last):
        return None
    return Part(_number(text), v.start + pos, v.start + end, text, v.unit if last else None)


def _one_run(vals: list[Val], k: int, decimals: list[bool], rules: list[dict[str, Any]], signed: list[bool],
             relax: bool) -> tuple[list[list[Part]], bool, bool] | None:
    """``cuttings`` of a row that is one digit run (most split rows), without the search's recursion: every choice
    of k-1 places to cut the run, in order (the search's depth-first order), the rules judged on whole cuttings
    (the search judges each as soon as its last cell is cut: the same cuttings pass). None for other rows, and where
    the search could stop at its caps (steps, candidates), which this does not count."""
    if len(vals) != 1 or vals[0].blank:
        return None
    cfg = _cfg()
    v = vals[0]
    core = _CORE.match(v.text).group(0).replace(",", "")
    n = len(core)
    if not 1 <= k <= max(1, len(core.replace("-", "").replace(".", ""))):
        return None
    # the search's calls: one per run of pieces cut so far and one per whole cutting, again when the rules leave
    # nothing (then it goes through the subtrees they cut off)
    calls = 2 * (1 + sum(comb(n - 1, j) for j in range(k)) + comb(n - 1, k - 1))
    if calls > cfg["max_steps"] or comb(n - 1, k - 1) >= cfg["max_candidates"]:
        return None
    longest = cfg["max_cell_chars"]
    pieces: dict[tuple[int, int, int], Part | None] = {}
    found: list[list[Part]] = []
    for cuts in combinations(range(1, n), k - 1):
        cells: list[Part] = []
        pos = 0
        for col, end in enumerate((*cuts, n)):
            if end - pos > longest:
                break
            key = (pos, end, col)
            if key not in pieces:
                pieces[key] = _piece(v, core, pos, end, decimals[col], signed[col])
            part = pieces[key]
            if part is None:
                break
            cells.append(part)
            pos = end
        else:
            found.append(cells)
    checks = [_rule_check(rule) for rule in rules if _rule_end(rule) < k]  # (a rule past the last cell never runs)
    passing = [c for c in found if all(check([p.value for p in c]) for check in checks)] if checks else found
    if passing or not rules or not relax:
        return passing, False, True
    return found, False, False


def _search(vals: list[Val], k: int, decimals: list[bool], rules: list[dict[str, Any]], signed: list[bool],
            relax: bool) -> tuple[list[list[Part]], bool, bool]:
    """``cuttings`` by a depth-first search over the runs, cut by cut."""
    cfg = _cfg()
    longest, max_steps, max_candidates = cfg["max_cell_chars"], cfg["max_steps"], cfg["max_candidates"]
    out: list[list[Part]] = []
    steps = 0
    capped = False
    checking = True  # off: the rules pass every cutting
    # where the rules cut the search off: the call they stopped, its arguments and the cells so far. Searching
    # without the rules visits the same calls plus these subtrees, in the same depth-first order, so when the
    # rules leave nothing, these subtrees alone give every cutting (the search is not made twice)
    pruned: list[tuple[Any, tuple[Any, ...], list[Part]]] = []
    cores = [_CORE.match(v.text).group(0).replace(",", "") if not v.blank else "" for v in vals]
    sizes = [1 if v.blank else max(1, len(c.replace("-", "").replace(".", ""))) for v, c in zip(vals, cores)]
    # how many cells the runs from i on can hold at most
    capacity = [sum(sizes[i:]) for i in range(len(vals) + 1)]
    blanks = [Part(None, v.start, v.end, v.text) if v.blank else None for v in vals]  # (parts are never changed)
    # rules are checked as soon as their last cell is filled, compiled once per row
    due: dict[int, list[Callable[[list[Any]], bool]]] = {}
    for rule in rules:
        due.setdefault(_rule_end(rule), []).append(_rule_check(rule))

    def ok(cells: list[Part]) -> bool:
        todo = due.get(len(cells) - 1)
        if not todo or not checking:
            return True
        values = [c.value for c in cells]
        for holds in todo:
            if not holds(values):
                return False
        return True

    # the cell cut from run i at [pos, end) into column col (None: not a number the cell may hold): the same
    # piece is reached by many earlier cuttings of the run
    pieces: dict[tuple[int, int, int, int], Part | None] = {}

    def piece(i: int, pos: int, end: int, col: int) -> Part | None:
        key = (i, pos, end, col)
        if key not in pieces:
            pieces[key] = _piece(vals[i], cores[i], pos, end, decimals[col], signed[col])
        return pieces[key]

    n_vals = len(vals)

    def go(i: int, cells: list[Part]) -> None:
        nonlocal steps, capped
        steps += 1
        if steps > max_steps or len(out) >= max_candidates:
            capped = True
            return
        if i == n_vals:
            if len(cells) == k:
                out.append(list(cells))
            return
        left = k - len(cells)
        blank = blanks[i]
        if blank is not None:
            cells.append(blank)
            if ok(cells):
                go(i + 1, cells)
            elif relax:
                pruned.append((go, (i + 1,), list(cells)))
            cells.pop()
            return
        low = max(1, left - capacity[i + 1])
        high = min(left - (n_vals - i - 1), sizes[i])
        for n in range(low, high + 1):
            cut(i, cores[i], 0, n, cells)

    def cut(i: int, core: str, pos: int, n: int, cells: list[Part]) -> None:
        """Cut core[pos:] into n parts, appending to cells, then continue with the next run."""
        nonlocal steps, capped
        steps += 1
        if steps > max_steps or len(out) >= max_candidates:
            capped = True
            return
        size = len(core)
        if size - pos > n * longest:  # the rest cannot fit in n cells
            return
        col = len(cells)
        if n == 1:
            part = piece(i, pos, size, col)
            if part is None:
                return
            cells.append(part)
            if col not in due or ok(cells):  # (most cells complete no rule: no call)
                go(i + 1, cells)
            elif relax:
                pruned.append((go, (i + 1,), list(cells)))
            cells.pop()
            return
        check = col in due
        for end in range(pos + 1, min(size - n + 2, pos + longest + 1)):
            key = (i, pos, end, col)
            part = pieces[key] if key in pieces else piece(i, pos, end, col)
            if part is None:
                continue
            cells.append(part)
            if not check or ok(cells):
                cut(i, core, end, n - 1, cells)
            elif relax:
                pruned.append((cut, (i, core, end, n - 1), list(cells)))
            cells.pop()

    go(0, [])
    if out or not rules or not relax:
        return out, capped, True
    checking = False
    if not capped:
        for call, args, cells in pruned:
            call(*args, cells)
        # the steps and candidates of the search without rules, in another order: the same result unless it was
        # capped somewhere
        if not capped and len(out) < max_candidates:
            return out, False, False
    out.clear()
    steps, capped = 0, False
    go(0, [])
    return out, capped, False


def split_row(refs: list[Ref], vals: list[Val], decimals: list[bool], signed: list[bool],
              rules: list[dict[str, Any]], soft_rules: list[dict[str, Any]]) -> SplitProblem:
    """The candidate cuttings of one row: its own rules, then its soft rules when they can be satisfied."""
    k = len(refs)
    found, capped, rules_used = cuttings(vals, k, decimals, rules, signed, relax=True)
    problem = SplitProblem(refs, found, rules_used, capped)
    if soft_rules and problem.candidates:
        kept = [c for c in problem.candidates
                if all(rule_holds(r, [p.value for p in c]) is not False for r in soft_rules)]
        if kept:
            problem.candidates = kept
    return problem


def propagate(problems: list[SplitProblem], fixed: dict[Ref, Any], groups: list[list[Relation]]) -> list[str]:
    """Drop cuttings that no combination satisfying a group of relations uses; a group nothing satisfies
    is skipped. Relations of a group with a number missing do not count. Returns the skipped groups' names."""
    cap = _cfg()["max_combinations"]
    where: dict[Ref, tuple[int, int]] = {}
    for p, prob in enumerate(problems):
        for c, ref in enumerate(prob.refs):
            where[ref] = (p, c)
    broken: set[str] = set()
    # a group is judged again only when the candidates of one of its rows changed since its last judgement:
    # on the same candidates it would keep the same ones
    version = [0] * len(problems)
    judged: dict[str, tuple[int, ...]] = {}
    values = dict(fixed)  # every combination sets all the refs of its rows, so one dict serves them all
    # each candidate's values (in the order of its row's refs), built once per version of its row's candidates
    # rather than once per group judged (a row is in several groups)
    cached: dict[int, tuple[int, list[tuple[Any, ...]]]] = {}

    def assignments_of(p: int) -> list[tuple[Any, ...]]:
        if p not in cached or cached[p][0] != version[p]:
            cached[p] = (version[p], [tuple([part.value for part in cand]) for cand in problems[p].candidates])
        return cached[p][1]

    # each group's relations whose numbers are all there (in a row or fixed), and the rows they involve: the same
    # on every pass
    judgeable: list[tuple[str, list[Relation], list[int]]] = []
    for group in groups:
        rels = [r for r in group if all(ref in where or fixed.get(ref) is not None for ref in r.refs)]
        involved = sorted({where[ref][0] for r in rels for ref in r.refs if ref in where})
        if rels and involved:
            judgeable.append((group[0].name, rels, involved))
    changed = True
    while changed:
        changed = False
        for name, rels, involved in judgeable:
            if name in broken or all(len(problems[p].candidates) <= 1 for p in involved):
                continue
            state = tuple(version[p] for p in involved)
            if judged.get(name) == state:
                continue
            judged[name] = state
            sizes = [len(problems[p].candidates) for p in involved]
            total = 1
            for s in sizes:
                total *= s
            if total > cap or total == 0:
                continue
            assignments = [assignments_of(p) for p in involved]
            # a candidate that satisfies no combination of one relation alone is in no combination satisfying
            # them all: each relation first narrows its own rows, then the group's rows are combined
            options = _narrowed(rels, involved, assignments, where, values)
            keep = [set() for _ in involved]
            if all(options):
                keep = _combined(rels, involved, options, assignments, where, values,
                                 [problems[p].refs for p in involved])
            _restore(values, fixed, [problems[p].refs for p in involved])
            if not any(keep):
                broken.add(name)
                continue
            for n, p in enumerate(involved):
                if len(keep[n]) < sizes[n]:
                    problems[p].candidates = [c for i, c in enumerate(problems[p].candidates) if i in keep[n]]
                    version[p] += 1
                    changed = True
    return sorted(broken)


def _combined(rels: list[Relation], involved: list[int], options: list[list[int]],
              assignments: list[list[tuple[Any, ...]]], where: dict[Ref, tuple[int, int]],
              values: dict[Ref, Any], refs: list[list[Ref]]) -> list[set[int]]:
    """Per row of ``involved``, the candidates of ``options`` (those ``_narrowed`` kept) used by some combination
    (one candidate per row) that no relation of ``rels`` rejects. ``assignments``: per row, each candidate's values
    in the order of the row's ``refs``.

    Depth first over the rows, each relation judged as soon as the last of its rows is set: the verdicts of
    trying every combination, without going on with those a relation already rejected. On integers the relations
    are judged as running signed sums (the same verdicts as ``Relation.holds``, see ``_integer_sums``)."""
    position = {p: n for n, p in enumerate(involved)}
    rows_of = [sorted({position[where[ref][0]] for ref in rel.refs if ref in where}) for rel in rels]
    due: list[list[int]] = [[] for _ in involved]  # relations by the last of their rows
    for k, rows in enumerate(rows_of):
        due[rows[-1] if rows else 0].append(k)
    sums = _integer_sums(rels, rows_of, assignments, where, position, values)
    if sums is not None and len(rels) == 1:
        # _narrowed kept of each row the candidates some combination of the others lets this relation accept, so
        # each of them is in an accepted combination of the kept ones (its witnesses were kept too); on integers
        # its verdicts are those of Relation.holds
        return [set(o) for o in options]

    def by_holds(n: int, ci: int, state: Any) -> Any:
        values.update(zip(refs[n], assignments[n][ci]))
        return state if all(rels[k].holds(values) is not False for k in due[n]) else None

    def by_sums(n: int, ci: int, totals: list[int | None]) -> list[int | None] | None:
        totals = list(totals)
        for k, part in sums[1][n]:  # type: ignore[index]
            v = part[ci]
            totals[k] = None if v is None or totals[k] is None else totals[k] + v  # type: ignore[operator]
        for k in due[n]:
            t = totals[k]
            if t is not None and (t > 0 if rels[k].kind == "le" else t != 0):
                return None
        return totals

    step, start = (by_holds, ()) if sums is None else (by_sums, sums[0])
    keep: list[set[int]] = [set() for _ in involved]
    path: list[int] = []
    judged_by = max((n for n, rels_due in enumerate(due) if rels_due), default=-1)

    def walk(n: int, state: Any) -> None:
        if n > judged_by:  # no relation left to judge: every way to go on is accepted
            for m, ci in enumerate(path):
                keep[m].add(ci)
            for m in range(n, len(involved)):
                keep[m].update(options[m])
            return
        for ci in options[n]:
            after = step(n, ci, state)
            if after is not None:
                path.append(ci)
                walk(n + 1, after)
                path.pop()

    walk(0, start)
    return keep


def _integer_sums(rels: list[Relation], rows_of: list[list[int]], assignments: list[list[tuple[Any, ...]]],
                  where: dict[Ref, tuple[int, int]], position: dict[int, int],
                  values: dict[Ref, Any]) -> tuple[list[int | None], list[list[tuple[int, list[int | None]]]]] | None:
    """Each relation as a signed sum left − right (eq: 0, le: at most 0): its fixed part (None: a fixed number is
    missing), and per row the relations it enters with each candidate's part (None: a number missing).

    None unless every number is an integer and every sum stays under 2**53: there integer arithmetic gives
    ``Relation.holds``'s verdicts exactly (its tolerance of 1e-6 separates no two integers), while float sums
    depend on the order of their terms."""
    limit = 2 ** 53
    base: list[int | None] = []
    parts: list[list[tuple[int, list[int | None]]]] = [[] for _ in assignments]
    for k, rel in enumerate(rels):
        sign: dict[Ref, int] = {}
        terms: dict[Ref, int] = {}  # how often a ref stands in the relation: what the bound adds up
        for ref in rel.left:
            sign[ref] = sign.get(ref, 0) + 1
        for ref in rel.right:
            sign[ref] = sign.get(ref, 0) - 1
        for ref in rel.refs:
            terms[ref] = terms.get(ref, 0) + 1
        fixed: int | None = 0
        bound = 0
        for ref, s in sign.items():
            if ref in where:
                continue
            v = values.get(ref)
            if v is None:
                fixed = None
                continue
            if type(v) is not int:
                return None
            if fixed is not None:
                fixed += s * v
            bound += terms[ref] * abs(v)
        for m in rows_of[k]:
            cols = [(where[ref][1], s, terms[ref]) for ref, s in sign.items()
                    if ref in where and position[where[ref][0]] == m]
            part: list[int | None] = []
            largest = 0
            for cand in assignments[m]:
                nums = [cand[c] for c, _, _ in cols]
                if any(v is not None and type(v) is not int for v in nums):
                    return None
                if any(v is None for v in nums):
                    part.append(None)
                    continue
                part.append(sum(s * v for (_, s, _), v in zip(cols, nums)))
                largest = max(largest, sum(t * abs(v) for (_, _, t), v in zip(cols, nums)))
            bound += largest
            parts[m].append((k, part))
        if bound >= limit:
            return None
        base.append(fixed)
    return base, parts


def _narrowed(rels: list[Relation], involved: list[int], assignments: list[list[tuple[Any, ...]]],
              where: dict[Ref, tuple[int, int]], values: dict[Ref, Any]) -> list[list[int]]:
    """Per row of ``involved``, the candidates that satisfy every relation of ``rels`` taken one at a time
    (as ``Relation.holds`` judges: a combination with a number missing never fails)."""
    options = [set(range(len(a))) for a in assignments]
    position = {p: n for n, p in enumerate(involved)}
    for rel in rels:
        rows = sorted({position[where[ref][0]] for ref in rel.refs if ref in where})
        if not rows or not all(options[n] for n in rows):
            continue
        if any(values.get(ref) is None for ref in rel.refs if ref not in where):
            continue  # a fixed number is missing: the relation never fails
        for n, kept in zip(rows, _kept_by_relation(rel, rows, options, assignments, where, position, values)):
            options[n] = kept
    return [sorted(o) for o in options]


def _kept_by_relation(rel: Relation, rows: list[int], options: list[set[int]],
                      assignments: list[list[tuple[Any, ...]]], where: dict[Ref, tuple[int, int]],
                      position: dict[int, int], values: dict[Ref, Any]) -> list[set[int]]:
    """The candidates of each of ``rows`` used by some combination that ``rel`` does not reject.

    A relation is a signed sum (left − right) that must be 0 (eq) or at most 0 (le): each candidate adds its
    part of the sum, and the rows are matched by sorting the largest row's parts instead of trying all
    combinations with it."""
    sign: dict[Ref, int] = {}
    for ref in rel.left:
        sign[ref] = sign.get(ref, 0) + 1
    for ref in rel.right:
        sign[ref] = sign.get(ref, 0) - 1
    base = sum(s * values[ref] for ref, s in sign.items() if ref not in where)
    cols_of: dict[int, list[tuple[int, int]]] = {}  # row → (column, sign) of its numbers in the relation
    for ref, s in sign.items():
        if ref in where:
            p, c = where[ref]
            cols_of.setdefault(position[p], []).append((c, s))
    parts: list[dict[int, float | None]] = []  # row → candidate → its part of the sum (None: a number missing)
    for n in rows:
        cols = cols_of.get(n, [])
        cands = assignments[n]
        row_parts: dict[int, float | None] = {}
        if len(cols) == 1:  # a column relation: one number of the row (most of them)
            (c, s), = cols
            for ci in options[n]:
                v = cands[ci][c]
                row_parts[ci] = None if v is None else s * v
        else:
            for ci in options[n]:
                nums = [cands[ci][c] for c, _ in cols]
                row_parts[ci] = None if None in nums else sum(s * v for (_, s), v in zip(cols, nums))
        parts.append(row_parts)
    kept = [{ci for ci, v in row.items() if v is None} for row in parts]
    missing = [bool(k) for k in kept]
    for k in range(len(rows)):
        if any(missing[j] for j in range(len(rows)) if j != k):
            kept[k] = set(parts[k])  # another row can miss a number: every candidate of this one passes
    numbered = [[(ci, v) for ci, v in row.items() if v is not None] for row in parts]
    if _kept_by_integers(numbered, base, rel.kind == "le", kept):
        return kept
    largest = max(range(len(rows)), key=lambda k: len(parts[k]))
    others = [k for k in range(len(rows)) if k != largest]
    ordered = sorted((v, ci) for ci, v in parts[largest].items() if v is not None)
    sums = [v for v, _ in ordered]
    for combo in product(*(numbered[k] for k in others)):
        need = -(base + sum(map(itemgetter(1), combo)))  # the largest row's part that makes the sum 0
        lo = bisect_left(sums, need - _TOLERANCE) if rel.kind != "le" else 0
        hi = bisect_right(sums, need + _TOLERANCE)
        if lo < hi:
            for k, (ci, _) in zip(others, combo):
                kept[k].add(ci)
            kept[largest].update(ci for _, ci in ordered[lo:hi])
    return kept


def _kept_by_integers(numbered: list[list[tuple[int, Any]]], base: Any, le: bool, kept: list[set[int]]) -> bool:
    """``_kept_by_relation``'s search when every number is an integer and no sum reaches 2**53: adds to ``kept`` the
    candidates (of ``numbered``: per row, each candidate with a number and its part) of the combinations whose parts
    and ``base`` add up to 0 (``le``: to at most 0), and returns True; False (nothing done) otherwise.

    There the tolerance of 1e-6 separates no two sums, so a combination is accepted by its exact sum whatever
    the order of the terms: a row with one candidate adds a constant, and ``le`` needs only the least part of each
    other row; the combinations of the rows with several candidates are still tried, against the sorted parts
    of the largest of them."""
    if type(base) is not int:
        return False
    bound = abs(base)
    for row in numbered:
        if not row:
            return True  # a row without a number: no combination to accept
        for _, v in row:
            if type(v) is not int:
                return False
        bound += max(abs(v) for _, v in row)
    if bound >= 2 ** 53:
        return False
    if le:
        least = [min(v for _, v in row) for row in numbered]
        total = base + sum(least)
        for k, row in enumerate(numbered):
            kept[k].update(ci for ci, v in row if total - least[k] + v <= 0)
        return True
    single = [k for k, row in enumerate(numbered) if len(row) == 1]
    several = [k for k, row in enumerate(numbered) if len(row) > 1]
    const = base + sum(numbered[k][0][1] for k in single)
    found = False
    if not several:
        found = const == 0
    else:
        largest = max(several, key=lambda k: len(numbered[k]))
        others = [k for k in several if k != largest]
        by_part: dict[int, list[int]] = {}
        for ci, v in numbered[largest]:
            by_part.setdefault(v, []).append(ci)
        for combo in product(*(numbered[k] for k in others)):
            match = by_part.get(-(const + sum(map(itemgetter(1), combo))))
            if match:
                found = True
                for k, (ci, _) in zip(others, combo):
                    kept[k].add(ci)
                kept[largest].update(match)
    if found:
        for k in single:
            kept[k].add(numbered[k][0][0])
    return True


def _restore(values: dict[Ref, Any], fixed: dict[Ref, Any], refs_of_rows: list[list[Ref]]) -> None:
    """Leave no candidate's values behind in ``values`` for the next group: back to the fixed ones."""
    for refs in refs_of_rows:
        for ref in refs:
            if ref in fixed:
                values[ref] = fixed[ref]
            else:
                values.pop(ref, None)


def _digits(value: Any) -> int:
    """Digits of a value (0 for null)."""
    return len(str(abs(int(value)))) if value is not None else 0


def _pvariance(xs: list[int]) -> float:
    """Population variance of integers, as statistics.pvariance gives it (exact, rounded once) but without
    its Fraction arithmetic, which cost more than the whole split search."""
    n, total = len(xs), sum(xs)
    return (n * sum(x * x for x in xs) - total * total) / (n * n)


def rank(problem: SplitProblem, narrative: set[int], local: set[int] = frozenset()) -> list[tuple[list[Part], int]]:
    """Candidates best first with their narrative support (digits of the numbers the narrative also states:
    large ones anywhere, smaller ones right after a label of the row), then balance."""
    floor, local_floor = _cfg()["narrative_min_value"], _cfg()["narrative_local_min_value"]

    def supported(v: Any) -> bool:
        if v is None or not float(v).is_integer():
            return False
        v = int(v)
        return (abs(v) >= floor and v in narrative) or (abs(v) >= local_floor and v in local)

    weight: dict[Any, int] = {}  # a value's digits when the narrative supports it, else 0: values recur in
    # thousands of candidates (1 and 1.0 share a weight, as they share the answer)

    def support(cand: list[Part]) -> int:
        total = 0
        for p in cand:
            if p.value not in weight:
                weight[p.value] = _digits(p.value) if supported(p.value) else 0
            total += weight[p.value]
        return total

    def balance(cand: list[Part]) -> float:
        lengths = [len(p.text.lstrip("-")) for p in cand if p.value is not None]
        return _pvariance(lengths) if len(lengths) > 1 else 0.0

    scored = [(c, support(c), balance(c), n) for n, c in enumerate(problem.candidates)]
    scored.sort(key=lambda t: (-t[1], t[2], t[3]))
    return [(c, s) for c, s, _, _ in scored]
