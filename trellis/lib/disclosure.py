"""Disclosure control: the one rule for every aggregate that a suppressed audience can reach.

Primary suppression hides counts from 1 to 4 (0 is shown: a true zero names no pupil, and
hiding zeros would hide the many empty cells of a two-way table for no gain). Secondary
(complementary) suppression then hides more cells until no hidden cell can be worked out from
the published ones: a table is a set of cells and of relations `total = part + part + ...`
(a row's total, a column's total, a broad area and its needs, an implicit "not met" beside
"met" and its n), and a hidden cell is exposed when the relations restricted to hidden cells
pin it down (one hidden cell in a relation, or any longer chain of them). Every hidden cell is
shown the same way ("withheld"), and so is any percentage, mean or effect size of a hidden
group or built on a hidden total.

Several tables on one page, or on pages a reader can combine, are protected in levels
(`protect_levels`): the cells of a table already published stay as they were, so a table
withholds the same cells whether it is shown alone or beside a finer one; and a finer table may
not reveal any combination of the cells its totals withheld that those totals did not (see
`newly_revealed`), so finer tables that share totals give nothing away side by side either.
Limits: the rule is about sums; it does not stop a reader bounding a withheld cell (it is at
least 0), and it does not cover differences between what a page showed yesterday and today.

Who is a suppressed audience is decided in one place, `suppressed_for`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = 5  # counts 1 to 4 are withheld (DfE practice)
WITHHELD = "withheld"
NOTE = (
    "Numbers from 1 to 4 are withheld, and so are as many others as it takes for none of them to be "
    "worked out from totals; percentages, means and effect sizes of a withheld group are withheld too, "
    "so that no pupil can be identified."
)

Key = Hashable


def is_small(count: int | None) -> bool:
    """The primary rule: 1 to 4 is small; 0 and 5 upwards are not."""
    return count is not None and 0 < count < THRESHOLD


def suppressed_for(user, schools: Iterable) -> bool:
    """Whether this person sees suppressed aggregates over these schools (School or pk): anyone
    who may not see the pupils' names in every one of them, that is, a governor."""
    from trellis.pupils.access import sees_names  # access imports models; keep lib importable alone

    return not all(sees_names(user, school) for school in schools)


@dataclass(frozen=True)
class Relation:
    """`total` equals the sum of `parts`, and a reader knows it."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


Row = dict[Key, Fraction]


def _rows(relations: Iterable[Relation], hidden: set[Key]) -> list[Row]:
    """The relations written over hidden cells only (visible cells are constants)."""
    rows = []
    for relation in relations:
        row: Row = {}
        for sign, cell in [(1, relation.total), *((-1, part) for part in relation.parts)]:
            if cell in hidden:
                row[cell] = row.get(cell, Fraction(0)) + sign
        row = {cell: value for cell, value in row.items() if value}
        if row:
            rows.append(row)
    return rows


def _reduce(row: Row, pivots: dict[Key, Row]) -> Row:
    for pivot, pivot_row in pivots.items():
        if pivot in row:
            factor = row[pivot]
            for cell, value in pivot_row.items():
                row[cell] = row.get(cell, Fraction(0)) - factor * value
            row = {cell: value for cell, value in row.items() if value}
    return row


def _echelon(rows: Iterable[Row], first: Callable[[Key], tuple] = lambda cell: (repr(cell),)) -> dict[Key, Row]:
    """Exact rational reduced echelon form, pivot cell -> its row (pivot coefficient 1). Each row's
    pivot is its first cell by `first`, so a row whose pivot comes late holds only late cells."""
    pivots: dict[Key, Row] = {}
    for row in rows:
        row = _reduce(dict(row), pivots)
        if not row:
            continue
        pivot = min(row, key=first)
        scale = row[pivot]
        row = {cell: value / scale for cell, value in row.items()}
        for other in pivots.values():  # keep the earlier rows reduced
            if pivot in other:
                factor = other[pivot]
                for cell, value in row.items():
                    other[cell] = other.get(cell, Fraction(0)) - factor * value
                for cell in [cell for cell, value in other.items() if not value]:
                    del other[cell]
        pivots[pivot] = row
    return pivots


def exposed(relations: Iterable[Relation], hidden: set[Key]) -> set[Key]:
    """The hidden cells that the relations pin down, given every visible cell.

    A hidden cell is pinned down when its unit vector lies in the span of the relations written
    over hidden cells only. In the reduced echelon form such a cell is a row with a single
    non-zero entry, and only then."""
    return {pivot for pivot, row in _echelon(_rows(relations, hidden)).items() if len(row) == 1}


def newly_revealed(relations: Sequence[Relation], hidden: set[Key], earlier: set[Key]) -> set[Key]:
    """Cells withheld by an `earlier` table that this one reveals more about: the combinations of
    them that eliminating this table's withheld cells leaves, beyond those the earlier tables'
    own relations give (`earlier`: every cell of the earlier tables, shown or withheld). Tables
    that each reveal nothing new about the cells they share can be put side by side: a reader's
    sums over several of them give only what the earlier tables give."""
    new = hidden - earlier
    pivots = _echelon(_rows(relations, hidden), first=lambda cell: (cell not in new, repr(cell)))
    revealed = [row for pivot, row in pivots.items() if pivot not in new]
    if not revealed:
        return set()
    own = _echelon(_rows([r for r in relations if all(c in earlier for c in r.cells)], hidden))
    found: set[Key] = set()
    for row in revealed:
        found.update(_reduce(dict(row), own))
    return found


def _complement(relation: Relation, values: Mapping[Key, int], hidden: set[Key], fixed: set[Key]) -> Key | None:
    """The cell to withhold beside an exposed one: the smallest non-zero part still shown, else the
    total, else a zero part (a last resort: it protects the equations, not much more)."""
    candidates = [cell for cell in relation.cells if cell not in hidden and cell not in fixed and cell in values]
    if not candidates:
        return None

    def rank(cell: Key) -> tuple:
        value = values[cell]
        return (value == 0, cell == relation.total, value, repr(cell))

    return min(candidates, key=rank)


def protect(
    values: Mapping[Key, int],
    relations: Iterable[Relation],
    *,
    hidden: Iterable[Key] = (),
    published: Iterable[Key] = (),
) -> set[Key]:
    """The cells to withhold: every small cell, the `hidden` ones (withheld elsewhere already), and
    complementary cells until no withheld cell can be worked out. `published` cells are shown
    elsewhere already, so they stay shown. Deterministic: ties go by value, then by the key's repr.

    Raises ValueError when a withheld cell cannot be protected (a published cell gives it away)."""
    relations = sorted((r for r in relations if all(cell in values for cell in r.cells)), key=lambda r: repr(r.cells))
    fixed = set(published)
    earlier = fixed | set(hidden)
    must = {cell for cell, value in values.items() if is_small(value) and cell not in fixed} | set(hidden)
    withheld = set(must)
    by_cell: dict[Key, list[Relation]] = {}
    for relation in relations:
        for cell in relation.cells:
            by_cell.setdefault(cell, []).append(relation)
    while True:
        # The common case first, cheaply: a relation with exactly one withheld cell.
        changed = True
        while changed:
            changed = False
            for relation in relations:
                inside = [cell for cell in relation.cells if cell in withheld]
                if len(inside) == 1 and (extra := _complement(relation, values, withheld, fixed)) is not None:
                    withheld.add(extra)
                    changed = True
        involved = [r for r in relations if any(c in withheld for c in r.cells)]
        found = sorted(exposed(involved, withheld), key=repr)
        if not found and earlier:
            found = sorted(newly_revealed(involved, withheld, earlier), key=repr)
            if found and (extra := _nearest(found[0], by_cell, values, withheld, fixed)) is not None:
                withheld.add(extra)
                continue
            if found:
                raise ValueError(f"Cannot keep {found[0]!r} withheld: this table would give it away with others")
        if not found:
            return withheld
        cell = found[0]
        extra = _nearest(cell, by_cell, values, withheld, fixed)
        if extra is not None:
            withheld.add(extra)
        elif cell not in must:
            # A complementary cell that the published ones pin down protects nothing: show it, and
            # let the cell it was protecting take another.
            withheld.discard(cell)
            fixed.add(cell)
        else:
            raise ValueError(f"Cannot withhold {cell!r}: the cells published beside it give it away")


def _nearest(cell: Key, by_cell: dict, values: Mapping[Key, int], withheld: set, fixed: set) -> Key | None:
    """A cell to withhold for an exposed one: in a relation with it (the one with fewest withheld
    cells first), else in the nearest relation linked to it through withheld cells."""
    seen_cells, frontier, seen = {cell}, [cell], set()
    while frontier:
        relations = sorted(
            {r for c in frontier for r in by_cell.get(c, []) if r not in seen},
            key=lambda r: (sum(c in withheld for c in r.cells), repr(r.cells)),
        )
        for relation in relations:
            if (extra := _complement(relation, values, withheld, fixed)) is not None:
                return extra
        seen.update(relations)
        frontier = [c for r in relations for c in r.cells if c in withheld and c not in seen_cells]
        seen_cells.update(frontier)
    return None


def worked_out(relations: Sequence[Relation], cells: set[Key], published: set[Key], public: set[Key]) -> set[Key]:
    """The cells a reader can work out from the published ones only with the help of `public` ones
    (figures they see exactly elsewhere, such as a school where they may see names). Such a cell
    tells them nothing they do not know already, so it is shown, small or not: withholding it
    would protect nothing, and a withheld cell that can be worked out is a broken promise."""
    if not public & cells:
        return set()
    with_public = exposed(relations, cells - published)
    without = exposed(relations, cells - (published - public))
    return with_public - without


def unshowable(level: Hashable) -> tuple:
    """In `protect_levels`' answer: this level (table) may not be shown at all, not even its rows."""
    return ("unshowable", level)


def protect_levels(
    values: Mapping[Key, int],
    relations: Iterable[Relation],
    *,
    order: Sequence[Hashable],
    context: Callable[[Hashable], Iterable[Hashable]],
    level_of: Callable[[Key], Hashable] = lambda key: key[0],
    public: Iterable[Key] = (),
) -> set[Key]:
    """`protect` one level (one table) at a time, in `order`. Each level is protected with the
    cells of its `context` levels (settled before it) fixed as they were, so that the cells a
    level withholds depend only on itself and its context, never on what else a page shows.
    A level that cannot be protected so is withheld whole. `public` cells the reader sees exactly
    elsewhere (a school where they may see names): never withheld, and protected against; a cell
    they can work out with their help is shown too (`worked_out`)."""
    relations = list(relations)
    public = set(public)
    cells_of: dict[Hashable, list[Key]] = {}
    for key in values:
        cells_of.setdefault(level_of(key), []).append(key)
    withheld: set[Key] = set()
    settled: set[Hashable] = set()
    for level in order:
        around = [other for other in context(level) if other in settled and other != level]
        known = [key for other in around for key in cells_of.get(other, [])]
        scope = {key: values[key] for key in [*known, *cells_of.get(level, [])]}
        mine = [r for r in relations if all(cell in scope for cell in r.cells)]
        hidden = [key for key in known if key in withheld]
        published = [key for key in known if key not in withheld] + [k for k in cells_of.get(level, []) if k in public]
        mine_cells = set(cells_of.get(level, []))
        published += sorted(worked_out(mine, set(scope), set(published), public) & mine_cells, key=repr)
        try:
            withheld |= protect(scope, mine, hidden=hidden, published=published)
        except ValueError:
            # The tables settled before this one leave no way to protect it cell by cell (a
            # three-way table with every two-way total fixed can be like that): withhold it all,
            # but for the cells the settled tables pin down (a row with one part): those are no
            # secret, and a withheld cell that can be worked out is a broken promise. If one of
            # them is small, or the table would give away more of the settled ones, it is not shown.
            withheld |= mine_cells - set(published)
            now = {key for key in scope if key in withheld}
            small = {key for key in scope if is_small(values[key])}
            given_away = exposed(mine, now)
            if given_away & small or given_away - mine_cells or newly_revealed(mine, now, set(known)):
                withheld.add(unshowable(level))
            else:
                withheld -= given_away
        settled.add(level)
    return withheld


@dataclass(frozen=True)
class Figure:
    """A count and its share of a total, as a reader may see them: `text` and `percent_text`.

    `suppressed`: the count is withheld. `base_suppressed`: the total is withheld, so the share
    (which would give the total away) is withheld too."""

    count: int
    total: int
    suppressed: bool = False
    base_suppressed: bool = False

    @property
    def text(self) -> str:
        return WITHHELD if self.suppressed else f"{self.count:,}"

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.count

    @property
    def percent(self) -> float | None:
        if self.suppressed or self.base_suppressed or not self.total:
            return None
        return 100 * self.count / self.total

    @property
    def percent_text(self) -> str:
        if self.suppressed or self.base_suppressed:
            return WITHHELD
        return "–" if self.percent is None else f"{self.percent:.1f}%"


def lone(count: int, total: int, *, hide_small: bool) -> Figure:
    """A count that no published relation ties to others (an at-a-glance number): the primary
    rule alone, when `hide_small`."""
    return Figure(
        count, total, suppressed=hide_small and is_small(count), base_suppressed=hide_small and is_small(total)
    )
