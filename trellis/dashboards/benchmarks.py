"""Benchmarks (issue 16): a school's progress beside its trust's and beside recorded figures,
progress by type of school across a trust, and leavers' destinations beside national figures.
(The page timings, `manage.py benchmark`, are trellis.dashboards.benchmark.)

Progress is compared in the dashboards' cross-scale units: the share of targets achieved or on
track, and planned progress achieved (each target's gain as a share of the gain it planned).
Recorded figures (NationalFigure) are data with their source and year: published ones, and those
a school entered for itself. None is invented: where none is recorded, the page says so.

For a suppressed audience every count goes through trellis.lib.disclosure. The trust's figure
beside a school's is the school's plus its peers': a reader who knows the school's figure could
subtract it, so the peers' counts are protected (a small peer count withholds the trust's cell).
The table by type of school adds up the table by school, and is protected after it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone

from trellis.lib.disclosure import WITHHELD, Figure, Relation, exposed, is_small, protect, suppressed_for
from trellis.lib.tables import csv_response, xlsx_response
from trellis.plans.models import Target
from trellis.plans.progress import Status, status_expression
from trellis.pupils.access import aggregate_filter, schools_for_aggregates, whole_schools
from trellis.pupils.models import Pupil
from trellis.schools.models import School

from . import withheld
from .comparison import DESTINATION_GROUPS
from .models import NationalFigure
from .overview import FILTERS, Dashboard
from .progress import Row, from_rollups, status_counts, total_of

GOOD = (Status.ACHIEVED, Status.ON_TRACK)
CELLS = ("total", "good", "rest", "shared")  # rest: targets neither achieved nor on track
PROGRESS_MEASURES = (NationalFigure.Measure.ON_TRACK, NationalFigure.Measure.PLANNED_PROGRESS)
SCHOOL_TABLE = ["region", "school"]


def _share(total: Decimal, n: int) -> int | None:
    return int((total * 100 / n).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) if n else None


@dataclass
class ProgressRow:
    """One row of a comparison: counted from targets (`targets` set), or a recorded figure."""

    label: str
    targets: Figure | None = None
    good: Figure | None = None  # achieved or on track, of the targets
    planned_share: int | None = None  # planned progress achieved, %
    planned_withheld: bool = False
    schools: int | None = None
    recorded: NationalFigure | None = None

    @property
    def targets_text(self) -> str:
        return self.targets.text if self.targets else "–"

    @property
    def good_text(self) -> str:
        if self.recorded is not None:
            measure = self.recorded.measure == NationalFigure.Measure.ON_TRACK
            return f"{self.recorded.percent}%" if measure else "–"
        if self.good is None:
            return "–"
        if self.good.suppressed:
            return WITHHELD
        return f"{self.good.text} ({self.good.percent_text})"

    @property
    def planned_text(self) -> str:
        if self.recorded is not None:
            measure = self.recorded.measure == NationalFigure.Measure.PLANNED_PROGRESS
            return f"{self.recorded.percent}%" if measure else "–"
        if self.planned_withheld:
            return WITHHELD
        return "–" if self.planned_share is None else f"{self.planned_share}%"

    @property
    def source_text(self) -> str:
        if self.recorded is None:
            return "Counted from targets here"
        return f"{self.recorded.source}, {self.recorded.year} ({self.recorded.scope.lower()})"

    def cells(self) -> list[str]:
        return [self.label, self.targets_text, self.good_text, self.planned_text, self.source_text]


HEADINGS = ["Compared with", "Targets", "Achieved or on track", "Planned progress achieved", "Source"]


def _cells_of(row: Row) -> dict[str, int]:
    good = sum(row.counts[s] for s in GOOD)
    return {"total": row.total, "good": good, "rest": row.total - good, "shared": row.shared}


def recorded_progress(school: School | None) -> list[NationalFigure]:
    """Recorded progress benchmarks: the published ones and this school's own, latest year first."""
    mine = Q(school__isnull=True) | Q(school=school) if school is not None else Q(school__isnull=True)
    figures = NationalFigure.objects.filter(mine, measure__in=PROGRESS_MEASURES).order_by("measure", "-year", "source")
    return list(figures)


# --- A school beside its trust -----------------------------------------------------------------


def school_comparison(user, school: School, d: Dashboard) -> list[ProgressRow] | None:
    """The school's progress, the trust's (all its schools) and the recorded benchmarks; None
    where the reader does not see the whole school (a teacher's dashboard is their pupils)."""
    if not whole_schools(user, {school.pk}):
        return None
    school_total, school_status = d.row_figures(d.total, [])
    good_hidden = any(school_status[s].suppressed for s in GOOD)
    good = Figure(sum(d.total.counts[s] for s in GOOD), d.total.total, good_hidden, school_total.suppressed)
    rows = [
        ProgressRow(
            school.name,
            school_total,
            good,
            d.total.planned_share,
            planned_withheld=school_total.suppressed,
            schools=1,
        )
    ]
    if school.trust_id:
        trust_schools = list(School.objects.filter(trust_id=school.trust_id).values_list("pk", flat=True))
        if len(trust_schools) > 1:
            rows.append(_trust_row(user, school, trust_schools, d, good_hidden, school_total.suppressed))
    rows += [
        ProgressRow(f.get_measure_display() + f" ({f.get_group_display()})", recorded=f)
        for f in recorded_progress(school)
    ]
    return rows


def _filtered(targets: QuerySet, filters: dict[str, str]) -> QuerySet:
    for key, value in filters.items():
        targets = targets.filter(**{FILTERS[key][0]: value})
    return targets


def _current_targets(today: dt.date) -> QuerySet:
    on_roll = Q(pupil__left_on__isnull=True) | Q(pupil__left_on__gt=today)
    return Target.objects.current().filter(on_roll)


def _trust_row(user, school: School, trust_schools: list[int], d: Dashboard, good_hidden, total_hidden) -> ProgressRow:
    if d.choices.filters:
        targets = _filtered(
            _current_targets(d.window.today).filter(pupil__school__trust_id=school.trust_id), d.choices.filters
        )
        found = status_counts(targets, [], d.window)
        trust = found[0] if found else Row(())
    else:  # the whole trust as the trust dashboard counts it: the rollups, a few rows a school
        trust = total_of([p.row for p in from_rollups(sorted(trust_schools), d.window).values()])
    school_cells, trust_cells = _cells_of(d.total), _cells_of(trust)
    hidden: set[str] = set()
    if suppressed_for(user, trust_schools):
        school_hidden = set(CELLS) if total_hidden else ({"good", "rest"} if good_hidden else set())
        peers = [pk for pk in trust_schools if pk != school.pk]
        peers_known = schools_for_aggregates(user).filter(pk__in=peers).exists()
        hidden = trust_withheld(school_cells, trust_cells, school_hidden, peers_known=peers_known)
    n = trust_cells["total"]
    return ProgressRow(
        f"All {len(trust_schools)} schools of {school.trust.name}",
        Figure(n, n, "total" in hidden, "total" in hidden),
        Figure(trust_cells["good"], n, "good" in hidden, "total" in hidden),
        trust.planned_share,
        planned_withheld=bool(hidden & {"total", "shared"}),
        schools=len(trust_schools),
    )


def trust_withheld(
    school: dict[str, int], trust: dict[str, int], school_hidden: set[str], *, peers_known: bool = False
) -> set[str]:
    """The trust's cells to withhold beside a school's (its cells `school_hidden` withheld, the
    rest shown). The peers' counts (trust minus school) are not shown here: a reader may work out
    the large ones, but no small one, and none of the school's withheld cells. `peers_known`: the
    reader sees the peer schools' figures elsewhere (their dashboards), so only small ones are
    taken as unknown. The fewest trust cells that do it, none of them one that could be worked
    out itself."""
    peers = {name: trust[name] - school[name] for name in CELLS}
    relations = [Relation((tag, "total"), ((tag, "good"), (tag, "rest"))) for tag in ("school", "peers", "trust")]
    relations += [Relation(("trust", name), (("school", name), ("peers", name))) for name in CELLS]
    small_peers = {("peers", name) for name in CELLS if is_small(peers[name])}
    secret = {("school", name) for name in school_hidden} | small_peers
    unknown = secret if peers_known else secret | {("peers", name) for name in CELLS}
    # A small trust count is withheld, unless the reader sees the school's exactly: then it tells
    # them only the peers' count, which is checked above like the others.
    small = {name for name in CELLS if is_small(trust[name]) and name in school_hidden}
    for size in range(len(CELLS) + 1):
        for chosen in combinations(CELLS, size):
            if not small <= set(chosen):
                continue
            withheld_here = {("trust", name) for name in chosen}
            if not exposed(relations, unknown | withheld_here) & (secret | withheld_here):
                return set(chosen)
    return set(CELLS)


# --- Progress by type of school (the trust dashboard) ------------------------------------------


@dataclass
class PhaseRow:
    phase: str
    label: str
    schools: int
    row: Row


def by_phase(user, schools: list[School], d: Dashboard) -> list[ProgressRow]:
    """Targets by type of school (phase) over the dashboard's schools, with the schools counted:
    from the dashboard's rollups, else one query. Protected after the table by school for a
    suppressed audience."""
    ids = {s.pk for s in schools}
    per_school: dict[int, Row] = defaultdict(lambda: Row(()))
    if d.found is not None:  # as the dashboard counted them: its rollups, not read again
        per_school.update({pk: p.row for pk, p in d.found.items()})
    else:
        today = d.window.today
        in_scope = aggregate_filter(user, ids, prefix="pupil__", today=today)
        targets = _filtered(_current_targets(today).filter(in_scope), d.choices.filters)
        query = (
            targets.annotate(status=status_expression(d.window))
            .values("pupil__school_id", "status")
            .annotate(n=Count("pk"), share_total=Sum("last_share"), shared=Count("last_share"))
            .order_by()
        )
        for item in query:
            row = per_school[item["pupil__school_id"]]
            row.counts[Status(item["status"])] += item["n"]
            row.share_total += item["share_total"] or 0
            row.shared += item["shared"]
    labels = dict(School.Phase.choices)
    phases: dict[str, PhaseRow] = {}
    for school in schools:
        phase = phases.setdefault(school.phase, PhaseRow(school.phase, labels[school.phase], 0, Row(())))
        phase.schools += 1
        phase.row.add(per_school.get(school.pk, Row(())))
    ordered = [phases[code] for code, _ in School.Phase.choices if code in phases]
    hidden = _phases_withheld(schools, per_school, ordered, d) if d.hide_small else set()
    rows = []
    for p in ordered:
        cells = _cells_of(p.row)
        total_hidden = (p.phase, "total") in hidden
        rows.append(
            ProgressRow(
                p.label,
                Figure(cells["total"], cells["total"], total_hidden, total_hidden),
                Figure(cells["good"], cells["total"], (p.phase, "good") in hidden, total_hidden),
                p.row.planned_share,
                planned_withheld=total_hidden,
                schools=p.schools,
            )
        )
    return rows


def _shown_cells(d: Dashboard, coords: tuple, whole_table_hidden: bool) -> dict[str, bool]:
    """Whether each of a dashboard row's cells (total, good, rest) is withheld there."""
    if whole_table_hidden:
        return dict.fromkeys(("total", "good", "rest"), True)
    status = {s: withheld.key(coords, s.value) in d.hidden for s in Status}
    total = withheld.key(coords, withheld.TOTAL) in d.hidden
    good = total or any(status[s] for s in GOOD)
    rest = total or good or any(status[s] for s in Status if s not in GOOD)
    return {"total": total, "good": good, "rest": rest}


def _phases_withheld(schools: list[School], per_school: dict[int, Row], phases: list[PhaseRow], d: Dashboard) -> set:
    """(phase, cell) pairs to withhold: each phase's cells add up its schools' (as shown in the
    table by school) and add up to the dashboard's totals; the school cells stay as they were."""
    names = ("total", "good", "rest")
    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    hidden, published = [], []
    schools_hidden = "schools" in d.withheld_tables
    parts: dict[str, list[tuple]] = defaultdict(list)
    for school in schools:
        tag = ("school", school.pk)
        cells = _cells_of(per_school.get(school.pk, Row(())))
        label = (school.region.name if school.region_id else "No region", school.name)
        shown = _shown_cells(d, withheld.coordinates(SCHOOL_TABLE, label), schools_hidden)
        for name in names:
            values[(tag, name)] = cells[name]
            (hidden if shown[name] else published).append((tag, name))
        relations.append(Relation((tag, "total"), ((tag, "good"), (tag, "rest"))))
        parts[school.phase].append(tag)
    totals = _shown_cells(d, withheld.coordinates([], ()), False)
    all_cells = _cells_of(d.total)
    for name in names:
        values[("all", name)] = all_cells[name]
        (hidden if totals[name] else published).append(("all", name))
    relations.append(Relation(("all", "total"), (("all", "good"), ("all", "rest"))))
    for phase in phases:
        cells = _cells_of(phase.row)
        for name in names:
            values[(phase.phase, name)] = cells[name]
            children = tuple((tag, name) for tag in parts[phase.phase])
            relations.append(Relation((phase.phase, name), children))
            if all(child in published for child in children):  # a sum of shown cells is no secret
                published.append((phase.phase, name))
        relations.append(Relation((phase.phase, "total"), ((phase.phase, "good"), (phase.phase, "rest"))))
    for name in names:
        relations.append(Relation(("all", name), tuple((p.phase, name) for p in phases)))
        # Known from the dashboard itself: its totals add up the table by school.
        relations.append(Relation(("all", name), tuple((("school", s.pk), name) for s in schools)))
    try:
        cells = protect(values, relations, hidden=hidden, published=published)
    except ValueError:
        return {(p.phase, name) for p in phases for name in names}
    return {cell for cell in cells if cell[0] in {p.phase for p in phases}}


# --- Destinations beside national figures ------------------------------------------------------

DESTINATION_LABELS = {label: kind for kind, label in Pupil.Destination.choices}


def destination_figures(school: School | None) -> dict[tuple[str, str], NationalFigure]:
    """(destination, group) -> the latest recorded share of leavers: a school's own figure (when
    one school is shown) over the published one."""
    mine = Q(school__isnull=True) | Q(school=school) if school is not None else Q(school__isnull=True)
    latest: dict[tuple[str, str], NationalFigure] = {}
    found = NationalFigure.objects.filter(mine, measure=NationalFigure.Measure.DESTINATION)
    for figure in sorted(found, key=lambda f: (f.school_id is not None, f.year)):
        latest[(figure.destination, figure.group)] = figure
    return latest


def destinations_compared(status_rows: list, school: School | None) -> list[tuple[str, list]]:
    """Each destination's row of the table by SEN status, its shares beside the recorded ones:
    (label, [(group label, here Figure, NationalFigure or None)])."""
    recorded = destination_figures(school)
    compared = []
    for label, figures in status_rows:
        kind = DESTINATION_LABELS.get(label, "")
        cells = [
            (group_label, figure, recorded.get((kind, group)))
            for (group, group_label), figure in zip(DESTINATION_GROUPS, figures, strict=True)
        ]
        compared.append((label, cells))
    return compared


def recorded_text(figure: NationalFigure | None) -> str:
    if figure is None:
        return "No national figure recorded"
    return f"{figure.percent}% ({figure.source}, {figure.year}{', entered by the school' if figure.school_id else ''})"


# --- Downloads ---------------------------------------------------------------------------------

PHASE_HEADINGS = ["Type of school", "Schools", "Targets", "Achieved or on track", "Planned progress achieved"]


def download(rows: list[ProgressRow] | None, kind: str, table: str) -> HttpResponse:
    """The comparison ("compared") or the table by type of school ("phases") as CSV or XLSX,
    with the same figures (and the same withheld cells) as the page."""
    if kind not in ("csv", "xlsx") or rows is None:
        raise Http404("No such download")
    if table == "phases":
        headings = PHASE_HEADINGS
        table_rows = [[r.label, r.schools, r.targets_text, r.good_text, r.planned_text] for r in rows]
    else:
        headings, table_rows = HEADINGS, [r.cells() for r in rows]
    name = f"progress-{table}-{timezone.localdate():%Y-%m-%d}"
    return (csv_response if kind == "csv" else xlsx_response)(name, headings, table_rows)
