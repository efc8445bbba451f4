"""Rows matched to the canonical rows and columns of a form, by their labels.

Rows are recognised by label (exact after normalisation, else by string similarity), never by counting:
a row whose label was lost (OCR, PDF-to-markdown) is placed only between two recognised rows of the
request matrix, in order, and only when the numbers of missing rows and label-less rows agree.
Columns come from the table's header when it names them, else from the official column order; blank
cells keep their place, so a blank never shifts the following values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from ..config import load_config
from ..indicators import label_similarity, load_indicators, lookup_label, normalize_label
from ..types import Document
from .checks import Ref
from .lexicon import Lexicon, Role, get_lexicon, t2_section
from .shapes import Row, Val, document_rows


@dataclass(slots=True)
class Slot:
    """A row matched to canonical cells, before its values are read (or its digit runs split)."""

    table: str  # pre2019, t2, t3, t4
    refs: list[Ref]
    col_labels: list[str]
    vals: list[Val]
    row_label: str
    method: str = "label"  # label, fuzzy (similar label), order (placed between recognised rows)
    uncertain: bool = False
    rules: list[dict[str, Any]] = field(default_factory=list)
    soft_rules: list[dict[str, Any]] = field(default_factory=list)
    units: list[str | None] = field(default_factory=list)
    grid_map: dict[int, str] | None = None  # column index → column key, from the grid's header
    keys: list[str] | None = None  # column keys of ``refs`` as named in grid_map
    gaps: set[int] | None = None  # empty positions of the grid's header row (merged header cells)


@lru_cache(maxsize=1)
def _t2_marker() -> re.Pattern[str]:
    """The 第二十条第（X）项 marker."""
    return re.compile(load_config("tables.yml")["t2"]["marker"])


def fit(vals: list[Val], k: int, grid_map: dict[int, Any] | None = None,
        keys: list[Any] | None = None, gaps: set[int] | None = None) -> tuple[list[Val | None], bool]:
    """``k`` value slots for a row: by the header's column indices when they apply, else by dropping
    surplus blank cells (trailing first, then leading, then the empty places of merged cells).
    Returns the slots and whether the fit is doubtful."""
    cols = [v.col for v in vals if v.col is not None]
    # a row with fewer cells than its header lost a cell somewhere: its cells' positions are not columns
    if grid_map and keys and all(key in grid_map.values() for key in keys) and cols and max(cols) >= max(grid_map):
        by_col = {v.col: v for v in vals if v.col is not None}
        index = {key: i for i, key in grid_map.items()}
        if all(sum(1 for v in vals if v.col == c) <= 1 for c in by_col) and any(index[key] in by_col for key in keys):
            return [by_col.get(index[key]) for key in keys], False
    vals = list(vals)
    if grid_map:  # blank cells left of the header's first column are merged label cells, not values
        vals = [v for v in vals if not (v.blank and v.col is not None and v.col < min(grid_map))]
    while len(vals) > k and vals[-1].blank:
        vals.pop()
    while len(vals) > k and vals[0].blank:
        vals.pop(0)
    if len(vals) > k and gaps:  # empty where the header is empty: the rest of a merged cell
        kept = [v for v in vals if not (v.blank and v.col in gaps)]
        if len(kept) == k:
            return list(kept), False
    if len(vals) > k and sum(v.blank for v in vals) == len(vals) - k:
        # as many blanks as surplus cells: merged cells when the header has merged cells too
        return [v for v in vals if not v.blank], not gaps
    if len(vals) > k:
        return list(vals[:k]), True
    return list(vals), False


def _digits(vals: list[Val]) -> int:
    """Cells the values could fill at most (a digit each, a blank one)."""
    return sum(len(re.sub(r"\D", "", v.text)) if not v.blank else 1 for v in vals)


def can_fill(vals: list[Val], k: int) -> bool:
    """Whether a row's values can fill ``k`` cells (as they are, or by splitting digit runs)."""
    slots, _ = fit(vals, k)
    if not slots or all(v is None or v.blank for v in slots):
        return bool(slots) and len(slots) == k
    return len(slots) == k or (len(slots) < k and _digits([v for v in slots if v]) >= k)


def grid_roles(row: Row, lex: Lexicon) -> tuple[list[Role], str, str | None]:
    """Roles of a grid row's label (the rightmost label cell that the lexicon knows), its text, and a
    第二十条 section when a label cell is a marker."""
    for piece in reversed(row.labels):
        marker = _t2_marker().search(piece.text)
        if marker:
            return [Role("start", "", "marker")], piece.text, t2_section(marker.group(0))
    for piece in reversed(row.labels):
        roles = lex.lookup(piece.text)
        if roles:
            return roles, piece.text, None
    text = row.labels[-1].text if row.labels else ""
    return [], text, None


def _has_values(row: Row) -> bool:
    """Whether a row holds any number."""
    return any(not v.blank for v in row.values)


def _gaps(row: Row) -> set[int]:
    """Empty positions of a grid header row after its first text cell."""
    texts = {i for i, _ in row.cells}
    first = min(texts) if texts else 0
    return {i for i in range(first + 1, row.width) if i not in texts}


# --- 2019 and 2021 formats -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Obs:
    """A row of the request matrix as found."""

    row: Row
    keys: set[str]
    label: str
    grid_map: dict[int, str] | None


class NewFormReader:
    """Reads tables 2-4 of the 2019/2021 formats from the rows of a document."""

    def __init__(self, form: str):
        self.form = form
        self.lex = get_lexicon(form)
        self.cfg = load_config("tables.yml")
        self.section: str | None = None
        self.t2_header: list[str] = []
        self.t2_header_open = False
        self.grid_maps: dict[int, dict[int, str]] = {}
        self.grid_gaps: dict[int, set[int]] = {}
        self.grid_header_open: dict[int, bool] = {}
        self.t4_groups: list[str] = []
        self.t4_rows: list[tuple[Row, str | None]] = []
        self.t3_obs: list[_Obs] = []
        self.slots: list[Slot] = []
        self.warnings: list[str] = []

    def read(self, rows: list[Row]) -> None:
        """Process the rows in text order."""
        for row in rows:
            self.row(row)
        self.finish_t3()
        self.finish_t4()

    def roles(self, row: Row) -> tuple[list[Role], str, str | None]:
        """Roles of a row's label, the label as written, and the 第二十条 section it marks."""
        if row.grid is None:
            return row.roles or [], row.labels[0].text if row.labels else "", row.section
        return grid_roles(row, self.lex)

    def row(self, row: Row) -> None:
        """Route one row: marker, header, or a data row of table 2, 3 or 4 (by its label, else by section)."""
        roles, label, marker = self.roles(row)
        if marker:
            self.section = marker
            self.t2_header, self.t2_header_open = [], False
            return
        # a grid row with a known row label and only blank cells is a row of nulls (not a header)
        # (in running text, blank cells are only made explicit by one-cell-per-line layout or null markers)
        numbers = _has_values(row)
        has_vals = numbers or (bool(row.values) and any(r.kind == "row" for r in roles))
        r4 = [r for r in roles if r.section == "t4"]
        r3 = [r for r in roles if r.section == "t3"]
        r2 = [r for r in roles if r.section.startswith("t2")]
        if row.grid is not None and row.cells and (not has_vals or (not numbers and self._headers(row) >= 2)):
            # (blank cells under column headers such as 其他 and 总计 do not make a row of nulls)
            self.grid_header(row)
            return
        if row.grid is not None:
            self.grid_header_open[row.grid] = False  # a header after this row starts a new one
        if row.grid is not None and not row.labels and row.values and self.section == "t4":
            has_vals = True  # an empty line of table 4 is a line of nulls
        if any(r.kind in ("group", "heading") for r in r4) or (self.section == "t4" and (r4 or not roles)):
            self.section = "t4"
            self.t4_groups += [r.key for r in r4 if r.kind == "group"]
            if has_vals:
                group = self.t4_groups[-1] if len(set(self.t4_groups)) == 1 else None
                self.t4_rows.append((row, group))
                self.t4_groups = []
            return
        rows3 = [r for r in r3 if r.kind == "row"]
        if rows3 and has_vals:
            self.section = "t3"
            self.t3_obs.append(_Obs(row, {r.key for r in rows3}, label, self.grid_maps.get(row.grid)))
            return
        rows2 = [r for r in r2 if r.kind == "row"]
        if rows2:
            self.section = rows2[0].section
            if has_vals:
                self.t2_row(row, rows2[0], label)
            return
        if r3:
            # a lone 其他/总计 header inside table 4 is not the request matrix
            if any(r.kind == "group" for r in r3) or self.section != "t4":
                self.section = "t3"
            if has_vals and self.section == "t3":  # numbers after a group label: a row whose own label was lost
                self.t3_obs.append(_Obs(row, set(), "", self.grid_maps.get(row.grid)))
            return
        cols2 = [r for r in r2 if r.kind == "col"]
        if cols2:
            if not self.t2_header_open:
                self.t2_header, self.t2_header_open = [], True
            self.t2_header += [r.key for r in cols2 if r.key != "label"]
            return
        if not roles and has_vals:
            if self.section == "t3":
                self.t3_obs.append(_Obs(row, set(), label, self.grid_maps.get(row.grid)))
            elif self.section and self.section.startswith("t2"):
                self.t2_fuzzy(row, label)

    def _headers(self, row: Row) -> int:
        """Cells of a grid row that the lexicon knows as column headers."""
        return sum(1 for _, p in row.cells if any(r.kind == "col" for r in self.lex.lookup(p.text)))

    def grid_header(self, row: Row) -> None:
        """A grid row without numbers: section markers and headings, table 2 column order, table 3 column
        indices, table 4 column groups."""
        cols2, cols3, groups4, in_t4 = [], {}, [], False
        for idx, piece in row.cells:
            marker = _t2_marker().search(piece.text)
            if marker:
                self.section = t2_section(marker.group(0))
                self.t2_header, self.t2_header_open = [], False
                return
            for role in self.lex.lookup(piece.text):
                if role.kind == "col" and role.section == "t2" and role.key != "label":
                    cols2.append(role.key)
                elif role.kind == "col" and role.section == "t3":
                    cols3[idx] = role.key
                elif role.section == "t4" and role.kind in ("group", "heading"):
                    in_t4 = True
                    if role.kind == "group":
                        groups4.append(role.key)
        if in_t4:
            self.section = "t4"
            self.t4_groups += groups4
            return
        if len(set(cols3.values()) - {"total", "other_org"}) >= 2 or any(
                r.section == "t3" and r.kind == "group" for _, p in row.cells for r in self.lex.lookup(p.text)):
            self.section = "t3"
        if cols2:
            self.t2_header, self.t2_header_open = cols2, False
            self.grid_gaps[row.grid] = _gaps(row)
        if cols3:
            if not self.grid_header_open.get(row.grid):
                self.grid_maps[row.grid] = {}
            self.grid_maps[row.grid].update(cols3)
            self.grid_header_open[row.grid] = True

    # table 2

    def t2_row(self, row: Row, role: Role, label: str, method: str = "label") -> None:
        """A table-2 row: its columns from the header when they belong to the row, else the form's order."""
        section, name = role.section, role.key
        valid = [c for c in self.t2_header if (section, name, c) in self.lex.t2_cells]
        header = valid if valid and len(valid) == len(self.t2_header) else None
        cols = header or [c for c in self.lex.t2_columns.get(section, []) if (section, name, c) in self.lex.t2_cells]
        if not cols:
            return
        self.t2_header_open = False
        refs = [(self.lex.t2_cells[(section, name, c)], "value") for c in cols]
        rules = self.cfg["split"]["rules"]["t2"]
        soft = []
        for c, rule in rules.items():
            c = normalize_label(c)
            if c not in cols:
                continue
            if "le" in rule and normalize_label(rule["le"]) in cols:
                soft.append({"le": [cols.index(c), cols.index(normalize_label(rule["le"]))]})
            if "nonneg_sum_with" in rule and normalize_label(rule["nonneg_sum_with"]) in cols:
                soft.append({"nonneg_sum": [cols.index(normalize_label(rule["nonneg_sum_with"])), cols.index(c)]})
        self.slots.append(Slot("t2", refs, cols, row.values, label, method, soft_rules=soft,
                               gaps=self.grid_gaps.get(row.grid) if row.grid is not None else None))

    def t2_fuzzy(self, row: Row, label: str) -> None:
        """A table-2 row whose label is damaged: the most similar row label of the current section."""
        key = normalize_label(label)
        best, score = None, 0.0
        for name, section in self.lex.t2_rows.items():
            if section != self.section:
                continue
            s = label_similarity(key, name)
            if s > score:
                best, score = name, s
        if best and score >= self.cfg["labels"]["min_similarity"]:
            self.t2_row(row, Role("row", self.section, best), label, "fuzzy")

    # table 3

    def finish_t3(self) -> None:
        """Align the matrix rows found with the canonical rows, then place label-less rows between them."""
        k = len(self.cfg["t3"]["columns"])
        obs = [o for o in self.t3_obs if can_fill(o.row.values, k)]
        canon = self.lex.t3_rows
        # (a row with a recognised label scores 1 on its canonical rows and 0 elsewhere: no similarity to compute)
        scores = [[1.0 if key in o.keys else 0.0 for key, _ in canon] if o.keys else
                  [self._t3_score(o, key) for key, _ in canon] for o in obs]
        pairs = _align(scores)
        anchored = {i for i, _ in pairs}
        bounds = [(-1, -1)] + pairs + [(len(obs), len(canon))]
        assigned: list[tuple[int, int, str, bool]] = [(i, j, "label", False) for i, j in pairs]
        for (i0, j0), (i1, j1) in pairwise(bounds):
            orphans = [i for i in range(i0 + 1, i1) if i not in anchored]
            free = list(range(j0 + 1, j1))
            if not orphans or not free:
                continue
            required = [j for j in free if not canon[j][1]]
            if len(orphans) == len(required):
                targets, doubt = required, False
            elif len(orphans) == len(free):
                targets, doubt = free, False
            else:
                targets, doubt = required or free, True
                self.warnings.append(f"request matrix: {len(orphans)} rows without label for {len(targets)} places")
            for i, j in zip(orphans, targets):
                assigned.append((i, j, "order", doubt))
        cols = self.cfg["t3"]["columns"]
        inds = load_indicators()
        for i, j, method, doubt in sorted(assigned, key=lambda t: t[1]):
            o, key = obs[i], canon[j][0]
            refs = [(f"{key}.{c}", "value") for c in cols]
            if not all(r[0] in inds for r in refs):
                continue
            if method == "label" and key not in o.keys:
                method = "fuzzy"
            self.slots.append(Slot("t3", refs, cols, o.row.values, o.label, method, doubt,
                                   rules=self.cfg["split"]["rules"]["t3"], grid_map=o.grid_map,
                                   keys=list(cols)))

    def _t3_score(self, o: _Obs, key: str) -> float:
        """How well a found row's label matches a canonical matrix row (0 when it does not)."""
        if key in o.keys:
            return 1.0
        if o.keys or not o.label:
            return 0.0
        label = normalize_label(o.label)
        best = max((label_similarity(label, name) for name in self.lex.t3_labels.get(key, [])), default=0.0)
        return best if best >= self.cfg["labels"]["min_similarity"] else 0.0

    def row_keys(self) -> list[str]:
        """The request-matrix rows that were read."""
        seen = []
        for slot in self.slots:
            if slot.table == "t3":
                key = slot.refs[0][0].rsplit(".", 1)[0]
                if key not in seen:
                    seen.append(key)
        return seen

    # table 4

    def finish_t4(self) -> None:
        """Place the review/litigation numbers: 15 cells in the official order, or 5 per heading."""
        t4 = self.cfg["t4"]
        order, groups = t4["order"], t4["group_order"]
        rules = self.cfg["split"]["rules"]
        used: list[str] = []
        for row, group in self.t4_rows:
            vals = [v for v in row.values]
            # surplus blank cells are dropped by fit, trailing ones first: a blank first cell of the 15 is a
            # null, and dropping it would shift every neighbour
            if not can_fill(vals, 5):
                continue
            slots, doubt = fit(vals, len(order))
            whole = len(slots) == len(order) or (group is None and _digits([v for v in slots if v]) >= len(order))
            if whole:
                ids, rule = order, rules["t4"]
            else:
                group = group or next((g for g in groups if g not in used), None)
                if group is None:
                    continue
                ids, rule = [i for i in order if i.startswith(group + ".")], rules["t4_group"]
                used.append(group)
            cols = [i.rsplit(".", 1)[1] for i in ids]
            label = "" if whole else group or ""  # 15 cells span the three groups
            self.slots.append(Slot("t4", [(i, "value") for i in ids], cols, vals, label, "order", doubt, rules=rule))


def _align(scores: list[list[float]]) -> list[tuple[int, int]]:
    """Monotone alignment of observed rows to canonical rows maximising the summed label scores."""
    n = len(scores)
    m = len(scores[0]) if scores else 0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        here, below, moves, row = best[i], best[i + 1], move[i], scores[i]
        for j in range(m - 1, -1, -1):
            # the best of (value, move) pairs: the higher value, on a tie the higher move (diagonal, right, down)
            value, step = below[j], 1
            if here[j + 1] >= value:
                value, step = here[j + 1], 2
            if row[j] > 0 and below[j + 1] + row[j] >= value:
                value, step = below[j + 1] + row[j], 3
            here[j], moves[j] = value, step
    pairs = []
    i = j = 0
    while i < n and j < m:
        if move[i][j] == 3:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif move[i][j] == 1:
            i += 1
        else:
            j += 1
    return pairs


# --- pre2019 -----------------------------------------------------------------------------------------------


class Pre2019Reader:
    """Reads the 政府信息公开情况统计表 (national form and provincial variants) from a document's rows."""

    def __init__(self) -> None:
        self.lex = get_lexicon("pre2019")
        self.cfg = load_config("tables.yml")
        self.scheme: list[str] = ["value"]
        self.header_open = False
        self.grid_maps: dict[int, dict[int, str]] = {}
        self.grid_width: dict[int, int] = {}
        self.col_labels: dict[str, str] = {}
        self.recent: list[str] = []
        self.used: set[str] = set()
        self.slots: list[Slot] = []
        self.warnings: list[str] = []

    def read(self, rows: list[Row]) -> None:
        """Process the rows in text order."""
        for row in rows:
            self.row(row)

    def row(self, row: Row) -> None:
        """A header row sets the columns; a data row is matched to an indicator by its label."""
        has_vals = _has_values(row)
        if row.grid is not None:
            if not has_vals and self.grid_header(row):
                return
            roles, label, _ = grid_roles(row, self.lex)
        else:
            roles, label = row.roles or [], row.labels[0].text if row.labels else ""
        cols = [r for r in roles if r.kind == "col"]
        ids = [r.key for r in roles if r.kind == "row"]
        if cols and not ids and row.grid is None:
            if not self.header_open:
                self.scheme, self.header_open = [], True
            for r in cols:
                if r.key in ("value", "cumulative") and r.key not in self.scheme:
                    self.scheme.append(r.key)
                    self.col_labels[r.key] = label
            if has_vals:  # numbers right after a header cell belong to no known row
                self.header_open = False
            return
        if not self.scheme:
            self.scheme = ["value"]
        self.header_open = False
        if not has_vals and not row.values:
            if not (ids and row.units and row.grid is None):
                return
            # a known row with its unit but no number: a blank cell
            row.values.append(Val("", row.end, row.end, blank=True))
        method = "label"
        if not ids and label:
            found = lookup_label(label, "pre2019")
            ids = [i for i, s in found if s == found[0][1]] if found else []
            method = "fuzzy"
        if not ids:
            return
        chosen = self.choose(ids)
        self.recent.append(chosen)
        self.used.add(chosen)
        scheme = list(self.scheme)
        grid_map = self.grid_maps.get(row.grid) if row.grid is not None else None
        self.slots.append(Slot(
            "pre2019", [(chosen, m) for m in scheme], [self.col_labels.get(m, m) for m in scheme], row.values, label,
            method, rules=self.cfg["split"]["rules"]["pre2019_cumulative"] if scheme == ["value", "cumulative"] else [],
            units=[row.units[0] if row.units else None] * len(scheme), grid_map=grid_map, keys=list(scheme)))

    def grid_header(self, row: Row) -> bool:
        """A grid header row: the role of each column (label, unit, value, cumulative)."""
        year = re.compile(self.cfg["pre2019"]["year_column"])
        roles: dict[int, str] = {}
        for idx, piece in row.cells:
            found = [r.key for r in self.lex.lookup(piece.text) if r.kind == "col"]
            if not found and year.fullmatch(re.sub(r"\s+", "", piece.text)):
                found = ["value"]
            if found:
                roles[idx] = found[0]
                if found[0] in ("value", "cumulative"):
                    self.col_labels[found[0]] = piece.text
        if not roles or not any(k in ("value", "cumulative") for k in roles.values()):
            return False
        self.grid_maps[row.grid] = roles
        self.scheme = [k for _, k in sorted(roles.items()) if k in ("value", "cumulative")]
        return True

    def choose(self, ids: list[str]) -> str:
        """Of several indicators with the same label, the one whose family was read most recently."""
        if len(ids) == 1:
            return ids[0]
        inds = load_indicators()

        def root(i: str) -> str:
            while inds[i].parent:
                i = inds[i].parent
            return i

        def recency(i: str) -> int:
            r = root(i)
            for n in range(len(self.recent) - 1, -1, -1):
                if root(self.recent[n]) == r:
                    return n
            return -1

        return max(ids, key=lambda i: (i not in self.used, recency(i), -ids.index(i)))


def read_slots(doc: Document, form: str) -> tuple[list[Slot], list[tuple[int, int]], list[str], list[str]]:
    """Matched rows of ``doc`` read as ``form``, the table areas, the matrix rows and warnings."""
    lex = get_lexicon(form)
    rows, areas = document_rows(doc, lex)
    if form == "pre2019":
        reader: Any = Pre2019Reader()
        reader.read(rows)
        return reader.slots, areas, [], reader.warnings
    reader = NewFormReader(form)
    reader.read(rows)
    return reader.slots, areas, reader.row_keys(), reader.warnings
