"""Which of a progress dashboard's figures a suppressed audience (a governor) sees withheld.

Every table a dashboard can show is one level of a cube: targets by status, counted by a set of
dimensions (none: the totals; "need": the need table; "need" and "sex": the two-way table). A
row's total is the sum of its statuses, and a level is the sum of a finer one over any
dimension that gives each target one value (not class or intervention: a pupil can be in two,
or none). `trellis.lib.disclosure.protect_levels` settles the levels one at a time, each with
the levels it adds up from or to fixed, so a table withholds the same cells on every page and
in every download and API answer that shows it:

- The school is always a dimension and its levels come first, so a school's own page and a
  trust page with that school in its table by school withhold the same cells.
- A level without the school is protected after the per-school levels it adds up from.
- A dimension that another decides (a need decides its broad area; a school its region and
  trust) is part of every level with that other: the table by need is the table by need and
  area, protected after the table by area, so a broad area minus its needs gives nothing away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import combinations

from django.db.models import QuerySet

from trellis.lib.disclosure import Relation, protect, protect_levels, unshowable
from trellis.plans.progress import Status, Window

from .progress import DIMENSIONS, REVIEWED, Row, TrendPoint, status_counts

SCHOOL = "school"
TOTAL = "total"
GOOD = "good"  # achieved or on track, a trend column shown as a percentage
COLUMNS = [*(s.value for s in Status), TOTAL]

Level = frozenset
# Targets by status for whole-school dimensions, without a query (progress.school_counts, bound).
Counts = Callable[[list], list[Row]]
SCHOOL_DECIDED = Level({"trust", "region", SCHOOL})


def coordinates(dims: Sequence[str], labels: Sequence[str], school: str | None = None) -> tuple:
    """A row's place in the cube: its (dimension, label) pairs in dimension order."""
    pairs = dict(zip(dims, labels, strict=False))
    if school is not None:
        pairs[SCHOOL] = school
    return tuple(sorted(pairs.items()))


def key(coords: tuple, column: str) -> tuple:
    return (Level(dim for dim, _ in coords), coords, column)


# A dimension's value decides these others' (one broad area per need; one region and trust per
# school; one trust per region: a region named alike in two trusts is counted as one row, and is
# withheld where either is).
DECIDES = {"need": {"area"}, SCHOOL: {"region", "trust"}, "region": {"trust"}}


def closure(dims: Iterable[str]) -> Level:
    dims = set(dims)
    while (more := dims.union(*(DECIDES.get(d, set()) for d in dims))) != dims:
        dims = more
    return Level(dims)


def _subsets(dims: Iterable[str]) -> set[Level]:
    dims = sorted(set(dims))
    return {closure(c) for n in range(len(dims) + 1) for c in combinations(dims, n)}


def order_of(levels: Iterable[Level]) -> list[Level]:
    """Levels with the school first (smallest first), then the others (smallest first)."""
    return sorted(set(levels), key=lambda level: (SCHOOL not in level, len(level), sorted(level)))


def context_of(level: Level, levels: Iterable[Level]) -> list[Level]:
    """The levels `level` adds up from or to that are settled before it."""
    within = closure(level | {SCHOOL})
    return [other for other in levels if other != level and other <= within]


def _multi(dim: str) -> bool:
    return DIMENSIONS[dim].current is not None


def level_rows(
    targets: QuerySet, levels: Iterable[Level], window: Window, counts: Counts | None = None
) -> dict[Level, dict[tuple, Row]]:
    """Rows of every level: one query for each set of multi-valued dimensions kept (usually one),
    the other levels summed from it. `counts`, when given, counts by the dimensions a school
    decides (from the rollups) instead of a query."""
    levels = list(levels)
    universe = Level().union(*levels)
    single = Level(d for d in universe if not _multi(d))
    fetched: dict[Level, dict[tuple, Row]] = {}
    result: dict[Level, dict[tuple, Row]] = {}
    for level in levels:
        finest = Level(d for d in level if _multi(d)) | single
        if finest not in fetched:
            dims = sorted(finest)
            chosen = [DIMENSIONS[d] for d in dims]
            if not dims:
                rows = []
            elif counts is not None and finest <= SCHOOL_DECIDED:
                rows = counts(chosen)
            else:
                rows = status_counts(targets, chosen, window)
            fetched[finest] = {coordinates(dims, row.labels): row for row in rows}
        summed: dict[tuple, Row] = {}
        for coords, row in fetched[finest].items():
            mine = tuple((d, label) for d, label in coords if d in level)
            summed.setdefault(mine, Row(tuple(label for _, label in mine))).add(row)
        if not level and not summed:
            summed[()] = Row(())
        result[level] = summed
    return result


def cube(rows: dict[Level, dict[tuple, Row]]) -> tuple[dict[tuple, int], list[Relation]]:
    """The cells (level, coordinates, column) and the relations a reader knows between them."""
    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    for level_cells in rows.values():
        for coords, row in level_cells.items():
            for status in Status:
                values[key(coords, status.value)] = row.counts[status]
            values[key(coords, TOTAL)] = row.total
            relations.append(Relation(key(coords, TOTAL), tuple(key(coords, s.value) for s in Status)))
    # Every coarser level is the sum of every finer one over dimensions that give a target one value
    # (not just one dimension at a time: with a school's region and trust decided by the school,
    # the totals are the sum of the table by school directly).
    for level, level_cells in rows.items():
        for parent in rows:
            if not parent < level or any(_multi(dim) for dim in level - parent):
                continue
            children: dict[tuple, list[tuple]] = {}
            for coords in level_cells:
                children.setdefault(tuple(p for p in coords if p[0] in parent), []).append(coords)
            for coords, parts in children.items():
                for column in COLUMNS:
                    relations.append(Relation(key(coords, column), tuple(key(part, column) for part in parts)))
    return values, relations


def shown_levels(dims: Sequence[str], *, several_schools: bool) -> tuple[Level, Level, Level | None]:
    """(the totals, the breakdown, the table by region and school or None) as levels."""
    school = Level() if several_schools else Level({SCHOOL})
    breakdown = Level(dims) | school
    return school, breakdown, Level({"region", SCHOOL}) if several_schools else None


def hidden_cells(
    targets: QuerySet,
    dims: Sequence[str],
    window: Window,
    *,
    several_schools: bool,
    open_schools: Iterable[str] = (),
    counts: Counts | None = None,
) -> set:
    """The withheld cells of the totals, the breakdown and the table by school, keyed by the
    dimensions they are shown with (a need's broad area, decided by the need, left out).
    `open_schools`: names of schools whose figures this reader sees exactly on their own pages."""
    shown = [level for level in shown_levels(dims, several_schools=several_schools) if level is not None]
    levels = {sub for level in shown for sub in _subsets(closure(level | {SCHOOL}))}
    if not several_schools:  # one school: the levels without it add nothing and are not shown
        levels = {level for level in levels if SCHOOL in level}
    values, relations = cube(level_rows(targets, levels, window, counts))
    order = order_of(levels)
    open_schools = set(open_schools)
    public = [cell for cell in values if SCHOOL in cell[0] and dict(cell[1]).get(SCHOOL) in open_schools]
    hidden = protect_levels(
        values, relations, order=order, context=lambda level: context_of(level, order), public=public
    )
    result = set()
    for level in shown:
        if unshowable(closure(level)) in hidden:
            result.add(unshowable(level))
        for cell in hidden:
            if cell[0] == closure(level):
                result.add(key(tuple(pair for pair in cell[1] if pair[0] in level), cell[2]))
    return result


def hidden_pupils(counts: dict[Status, int]) -> set:
    """Pupils by overall status and their total."""
    values = {("pupils", s.value): counts[s] for s in Status} | {("pupils", TOTAL): sum(counts.values())}
    return protect(values, [Relation(("pupils", TOTAL), tuple(("pupils", s.value) for s in Status))])


def trend_key(point: TrendPoint, column: str) -> tuple:
    return ("trend", point.period.starts_on, point.period.ends_on, column)


def hidden_trend(points: list[TrendPoint]) -> set:
    """Each period's reviews by status, their total, and achieved-or-on-track (shown as a share)."""
    values, relations = {}, []
    for p in points:
        for status in REVIEWED:
            values[trend_key(p, status.value)] = p.counts[status]
        values[trend_key(p, TOTAL)] = p.total
        values[trend_key(p, GOOD)] = p.counts[Status.ACHIEVED] + p.counts[Status.ON_TRACK]
        relations.append(Relation(trend_key(p, TOTAL), tuple(trend_key(p, s.value) for s in REVIEWED)))
        relations.append(
            Relation(trend_key(p, GOOD), (trend_key(p, Status.ACHIEVED.value), trend_key(p, Status.ON_TRACK.value)))
        )
    return protect(values, relations)
