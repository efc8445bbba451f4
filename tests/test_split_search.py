"""The split search's combination step (tables.split._combined, after _narrowed as propagate runs them)
against trying every combination with Relation.holds, on generated rows whose candidates are integers, floats,
missing numbers and huge numbers."""

from __future__ import annotations

import random
from itertools import product

import pytest

from govreport.tables.checks import Relation
from govreport.tables.split import _combined, _narrowed


def _brute_force(rels, involved, options, assignments, values, refs):
    keep = [set() for _ in involved]
    for combo in product(*options):
        trial = dict(values)
        for n, ci in enumerate(combo):
            trial.update(zip(refs[n], assignments[n][ci]))
        if all(r.holds(trial) is not False for r in rels):
            for n, ci in enumerate(combo):
                keep[n].add(ci)
    return keep


def _number(rng: random.Random, kind: str):
    if rng.random() < 0.1:
        return None
    if kind == "float" and rng.random() < 0.3:
        return rng.choice([0.1, 0.2, 0.3, 1.5, 2.25])
    if kind == "huge" and rng.random() < 0.3:
        return 2 ** 53 + rng.randrange(3)
    return rng.randrange(6)


def _random_rows(rng: random.Random, kind: str, max_rows: int, max_cells: int):
    """Rows of 1..max_cells cell refs (1..max_rows rows), two fixed values, each ref's (row, cell) and all refs."""
    n_rows = rng.randrange(1, max_rows + 1)
    refs = [[(f"r{p}c{c}", "value") for c in range(rng.randrange(1, max_cells + 1))] for p in range(n_rows)]
    fixed = {(f"f{i}", "value"): _number(rng, kind) for i in range(2)}
    where = {ref: (p, c) for p, row in enumerate(refs) for c, ref in enumerate(row)}
    pool = [ref for row in refs for ref in row] + list(fixed)
    return refs, fixed, where, pool


@pytest.mark.parametrize("kind", ["int", "float", "huge"])
def test_combined_keeps_what_every_combination_keeps(kind):
    rng = random.Random(kind)
    for _ in range(300):
        refs, fixed, where, pool = _random_rows(rng, kind, max_rows=3, max_cells=3)
        rels = []
        for i in range(rng.randrange(1, 4)):
            left = tuple(rng.sample(pool, rng.randrange(1, 3)))
            right = tuple(rng.sample(pool, rng.randrange(1, 3)))
            rels.append(Relation(f"rel{i}", left, right, rng.choice(["eq", "le"])))
        involved = sorted({where[ref][0] for r in rels for ref in r.refs if ref in where})
        if not involved:
            continue
        assignments = [[tuple(_number(rng, kind) for ref in refs[p]) for _ in range(rng.randrange(1, 6))]
                       for p in involved]
        row_refs = [refs[p] for p in involved]
        values = dict(fixed)
        options = _narrowed(rels, involved, assignments, where, values)  # as propagate calls them
        if not all(options):
            continue
        expected = _brute_force(rels, involved, options, assignments, values, row_refs)
        assert _combined(rels, involved, options, assignments, where, values, row_refs) == expected


@pytest.mark.parametrize("kind", ["int", "float"])
def test_narrowed_keeps_what_each_relation_keeps(kind):
    """Each relation alone keeps of every row the candidates used by some combination it accepts (rows with one
    candidate and rows with several; integers summed exactly, floats by the tolerant search). Not on numbers beyond
    2**53, where the search's tolerance window and Relation.holds round differently."""
    rng = random.Random("narrowed-" + kind)
    for _ in range(400):
        refs, fixed, where, pool = _random_rows(rng, kind, max_rows=4, max_cells=2)
        left = tuple(rng.sample(pool, rng.randrange(1, 4)))
        right = tuple(rng.sample(pool, rng.randrange(1, 3)))
        rel = Relation("rel", left, right, rng.choice(["eq", "le"]))
        involved = sorted({where[ref][0] for ref in rel.refs if ref in where})
        if not involved:
            continue
        assignments = [[tuple(_number(rng, kind) for ref in refs[p]) for _ in range(rng.choice([1, 1, 2, 4, 6]))]
                       for p in involved]
        full = [list(range(len(a))) for a in assignments]
        expected = _brute_force([rel], involved, full, assignments, dict(fixed), [refs[p] for p in involved])
        assert _narrowed([rel], involved, assignments, where, dict(fixed)) == [sorted(k) for k in expected]


def test_one_run_cuts_as_the_search_does():
    """A row of one digit run is cut without the search's recursion: the same cuttings in the same order, the same
    flags, on runs with signs, decimals, thousands separators, units and leading zeros, under the forms' row rules."""
    from govreport.config import load_config
    from govreport.tables.shapes import Val
    from govreport.tables.split import _one_run, _search

    rules = load_config("tables.yml")["split"]["rules"]
    rng = random.Random("one-run")
    compared = 0
    for _ in range(1500):
        digits = "".join(rng.choice("0123456789" if rng.random() < 0.8 else "0") for _ in range(rng.randrange(1, 16)))
        if rng.random() < 0.2 and len(digits) > 2:
            cut = rng.randrange(1, len(digits) - 1)
            digits = digits[:cut] + rng.choice([".", ","]) + digits[cut:]
        text = ("-" if rng.random() < 0.1 else "") + digits + rng.choice(["", "", "万", "元"])
        start = rng.randrange(100)
        val = Val(text, start, start + len(text), unit="万" if text.endswith("万") else None)
        k = rng.randrange(1, len(digits) + 1) if rng.random() < 0.9 else rng.randrange(1, 16)
        row_rules = rng.choice([[], rules["t3"], rules["t4"], rules["t4_group"], rules["pre2019_cumulative"],
                                [{"nonneg_sum": [0, 1]}], [{"le": [0, 1]}, {"sum": [0, 1], "equals": 2}]])
        decimals = [rng.random() < 0.3 for _ in range(k)]
        signed = [rng.random() < 0.2 for _ in range(k)]
        relax = rng.random() < 0.7
        fast = _one_run([val], k, decimals, row_rules, signed, relax)
        if fast is None:
            continue
        assert fast == _search([val], k, decimals, row_rules, signed, relax), (text, k, row_rules, relax)
        compared += 1
    assert compared > 1000
