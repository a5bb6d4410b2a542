"""Progress across many pupils: targets by on-track status, broken down by up to two
dimensions, with trends across half terms or assessment points.

Every figure is one set-based query over the targets' summary fields, which
trellis.plans.services.refresh_summary keeps in the same transaction as each review: a review
saved shows on every dashboard at the next page load, with no nightly batch. The status rule
is the one in trellis.plans.progress (`status_expression` is its SQL form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When

from trellis.plans import rollup, tally
from trellis.plans.models import ProgressTally, Review, Target
from trellis.plans.progress import Status, Window, status_expression
from trellis.pupils.models import Pupil, SenStatus, nc_year_label
from trellis.schools.models import TeachingGroup

# A review is overdue when a target has gone more than this long without one (reviews are half-termly).
OVERDUE_AFTER = dt.timedelta(weeks=8)
REVIEWED = [Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK]
# A pupil's overall status is the worst of their targets' statuses, in this order (worst last).
PUPIL_ORDER = [Status.ACHIEVED, Status.ON_TRACK, Status.NOT_REVIEWED, Status.AT_RISK, Status.OFF_TRACK]


def _yes_no(value) -> str:
    return "Yes" if value else "No"


@dataclass(frozen=True)
class Dimension:
    """Something to break progress down by: a path from Target to the value, and how to label it."""

    key: str
    label: str
    path: str
    label_of: Callable[[object], str] = lambda value: str(value) if value not in (None, "") else "Not recorded"
    # Multi-valued paths (a pupil's class, their interventions) keep only the links of the window.
    current: Callable[[Window], Q] | None = None
    # Grouped with the school too (a class "4B" in two schools is two classes).
    per_school: bool = False


def _current_class(window: Window) -> Q:
    today = window.today
    return Q(
        Q(pupil__group_memberships__ends_on__isnull=True) | Q(pupil__group_memberships__ends_on__gte=today),
        pupil__group_memberships__group__kind=TeachingGroup.Kind.REGISTRATION,
        pupil__group_memberships__group__academic_year__starts_on__lte=today,
        pupil__group_memberships__group__academic_year__ends_on__gte=today,
    )


def _current_intervention(window: Window) -> Q:
    """Pupils' places in groups running at some point in the chosen period (today without one):
    interventions last about six weeks, so "running today" leaves most of a year's groups out."""
    starts_on, ends_on = window.period or (window.today, window.today)
    return Q(
        Q(pupil__provision_enrolments__ends_on__isnull=True) | Q(pupil__provision_enrolments__ends_on__gte=starts_on),
        pupil__provision_enrolments__starts_on__lte=ends_on,
    )


SEX_LABELS = dict(Pupil.Sex.choices)
SEN_LABELS = dict(SenStatus.choices)

DIMENSIONS = {
    d.key: d
    for d in [
        Dimension("trust", "Trust", "pupil__school__trust__name", lambda v: v or "No trust"),
        Dimension("region", "Region", "pupil__school__region__name", lambda v: v or "No region"),
        Dimension("school", "School", "pupil__school__name"),
        Dimension("need", "Primary need", "pupil__primary_need__name"),
        Dimension("area", "Broad area of need", "pupil__primary_need__broad_area"),
        Dimension("sex", "Sex", "pupil__sex", lambda v: SEX_LABELS.get(v, v or "Not recorded")),
        Dimension("year", "Year group", "pupil__nc_year", lambda v: nc_year_label(v) or "Not recorded"),
        Dimension("sen", "SEN status", "pupil__sen_status", lambda v: SEN_LABELS.get(v, v)),
        Dimension("fsm", "Free school meals", "pupil__fsm", _yes_no),
        Dimension("pp", "Pupil premium", "pupil__pupil_premium", _yes_no),
        Dimension("eal", "English as an additional language", "pupil__eal", _yes_no),
        Dimension("class", "Class", "pupil__group_memberships__group__name", current=_current_class, per_school=True),
        Dimension(
            "intervention",
            "Intervention",
            "pupil__provision_enrolments__group__intervention__name",
            current=_current_intervention,
        ),
    ]
}


class DimensionError(ValueError):
    """An unknown or repeated dimension; the message lists the ones there are."""


def parse_group_by(values: list[str]) -> list[Dimension]:
    """`["need,sex"]` or `["need", "sex"]` -> up to two dimensions."""
    keys = [key.strip() for value in values for key in value.split(",") if key.strip()]
    unknown = [key for key in keys if key not in DIMENSIONS]
    if unknown:
        raise DimensionError(f"Unknown group_by '{unknown[0]}': use one or two of {', '.join(DIMENSIONS)}")
    if len(keys) > 2 or len(set(keys)) != len(keys):
        raise DimensionError("group_by takes one or two different dimensions, e.g. group_by=need,sex")
    return [DIMENSIONS[key] for key in keys]


# --- Results -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One group: its labels (one per dimension), target counts by status and the mean gain."""

    labels: tuple[str, ...]
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    gain_total: Decimal = Decimal(0)
    gained: int = 0  # targets with a gain (reviewed on a scale that counts steps)
    sort_key: tuple = ()
    share_total: Decimal = Decimal(0)  # sum of last_share (gain / planned gain) over `shared` targets
    shared: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean_gain(self) -> Decimal | None:
        return (self.gain_total / self.gained).quantize(Decimal("0.1")) if self.gained else None

    @property
    def planned_share(self) -> int | None:
        """Planned progress achieved, as a whole percentage: the mean of each target's gain / planned
        gain at its latest review (steps differ between scales; this share means the same on all)."""
        if not self.shared:
            return None
        return int((self.share_total * 100 / self.shared).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def add(self, other: Row) -> None:
        for status, count in other.counts.items():
            self.counts[status] += count
        self.gain_total += other.gain_total
        self.gained += other.gained
        self.share_total += other.share_total
        self.shared += other.shared


def _sort_value(value) -> tuple:
    return (value is None, value if not isinstance(value, str) else value.casefold())


def status_counts(targets: QuerySet[Target], dimensions: list[Dimension], window: Window) -> list[Row]:
    """Targets by status for each group of `dimensions` (none: one row for all): one query."""
    for dimension in dimensions:
        if dimension.current:
            targets = targets.filter(dimension.current(window))
    paths = [d.path for d in dimensions]
    schools = ["pupil__school__name"] if any(d.per_school for d in dimensions) else []
    query = (
        targets.annotate(status=status_expression(window))
        .values(*paths, *schools, "status")
        .annotate(
            n=Count("pk"),
            gain_total=Sum("last_gain"),
            gained=Count("last_gain"),
            share_total=Sum("last_share"),
            shared=Count("last_share"),
        )
        .order_by()
    )
    rows: dict[tuple, Row] = {}
    for item in query:
        school = item.get("pupil__school__name")
        raw = (*(item[path] for path in paths), school)
        row = rows.get(raw)
        if row is None:
            labels = tuple(
                f"{d.label_of(value)} ({school})" if d.per_school else d.label_of(value)
                for d, value in zip(dimensions, raw, strict=False)
            )
            row = rows[raw] = Row(labels, sort_key=tuple(_sort_value(v) for v in (school, *raw[:-1])))
        row.counts[Status(item["status"])] += item["n"]
        row.gain_total += item["gain_total"] or 0
        row.gained += item["gained"]
        row.share_total += item["share_total"] or 0
        row.shared += item["shared"]
    return sorted(rows.values(), key=lambda r: r.sort_key)


def total_of(rows: list[Row], label: str = "All") -> Row:
    total = Row((label,))
    for row in rows:
        total.add(row)
    return total


# Stuck and below the expected line at the latest review (neither achieved nor on track): what the
# dashboards count as stuck. The stored flag already says so; the status check also covers flags
# kept from before the rule looked at the line.
STILL_STUCK = Q(stuck=True) & ~Q(last_status__in=[Status.ACHIEVED, Status.ON_TRACK])


def reviewed_as(status: Status, window: Window) -> Q:
    """Targets whose status now is `status` (one of the reviewed ones), as in status_expression."""
    if status == Status.ACHIEVED:
        return Q(last_status=status.value)
    return Q(last_status=status.value, last_reviewed_on__gte=window.starts_on)


@dataclass
class PupilGroup:
    """Pupils of one school with the same overall status, and their targets counted by status."""

    school_id: int
    worst: Status
    pupils: int
    row: Row
    overdue: int
    stuck: int


def per_pupil(targets: QuerySet[Target], window: Window) -> list[PupilGroup]:
    """Targets by status per pupil, then pupils grouped by school and overall status, in one
    query: the source of the per-school table, the totals, pupils by status and the overdue and
    stuck counts. The outer grouping runs in the database (a derived table the ORM cannot
    express), so the rows that come back are at most schools x statuses."""
    not_achieved = ~Q(last_status=Status.ACHIEVED)
    counts = {s.value: Count("pk", filter=reviewed_as(s, window)) for s in REVIEWED}
    inner = (
        targets.values("pupil", school=F("pupil__school_id"))
        .annotate(
            n=Count("pk"),
            **counts,
            gain_total=Sum("last_gain"),
            gained=Count("last_gain"),
            share_total=Sum("last_share"),
            shared=Count("last_share"),
            overdue=Count("pk", filter=overdue_filter(window.today) & not_achieved),
            stuck_n=Count("pk", filter=STILL_STUCK),
        )
        .annotate(
            worst=Case(
                When(off_track__gt=0, then=Value(PUPIL_ORDER.index(Status.OFF_TRACK))),
                When(at_risk__gt=0, then=Value(PUPIL_ORDER.index(Status.AT_RISK))),
                When(n__gt=F("achieved") + F("on_track"), then=Value(PUPIL_ORDER.index(Status.NOT_REVIEWED))),
                When(on_track__gt=0, then=Value(PUPIL_ORDER.index(Status.ON_TRACK))),
                default=Value(PUPIL_ORDER.index(Status.ACHIEVED)),
                output_field=IntegerField(),
            )
        )
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    summed = ", ".join(
        f"SUM({column})"
        for column in ["n", *counts, "gain_total", "gained", "share_total", "shared", "overdue", "stuck_n"]
    )
    outer = f"SELECT school, worst, COUNT(*), {summed} FROM ({sql}) AS per_pupil GROUP BY school, worst"  # noqa: S608 - our own SQL
    groups = []
    with connections[inner.db].cursor() as cursor:  # inner.db: where the router reads (a replica, trellis.lib.replica)
        cursor.execute(outer, params)
        rows = cursor.fetchall()
        for school_id, worst, pupils, n, *by_status, gain_total, gained, share_total, shared, overdue, stuck in rows:
            row = Row(())
            for status, count in zip(REVIEWED, by_status, strict=True):
                row.counts[status] = int(count)
            row.counts[Status.NOT_REVIEWED] = int(n) - sum(row.counts[s] for s in REVIEWED)
            row.gain_total, row.gained = Decimal(str(gain_total or 0)), int(gained)
            row.share_total, row.shared = Decimal(str(share_total or 0)), int(shared)
            groups.append(PupilGroup(school_id, PUPIL_ORDER[worst], pupils, row, int(overdue), int(stuck)))
    return groups


# --- The same figures from the rollups (whole schools, no filters) ------------------------------


@dataclass
class SchoolProgress:
    """One school's current targets by status (with gains), pupils by status, overdue and stuck."""

    row: Row
    pupils: dict[Status, int]
    overdue: int
    stuck: int


def from_rollups(school_ids: list[int], window: Window) -> dict[int, SchoolProgress]:
    """What `per_pupil` finds, per school, read from trellis.plans.rollup (one query, a few rows a
    school). Schools without current targets are left out, as `per_pupil` leaves them out."""
    M = ProgressTally.Measure
    found = rollup.by_school(
        school_ids, window_start=window.starts_on, cutoff=window.today - OVERDUE_AFTER, today=window.today
    )
    result = {}
    for school_id, figures in found.items():
        row = Row(())
        for status in Status:
            row.counts[status] = figures.get((M.TARGETS, status.value), (0, 0))[0]
        if not row.total:
            continue
        row.gained, row.gain_total = figures.get((M.GAIN, ""), (0, Decimal(0)))
        row.shared, row.share_total = figures.get((M.SHARE, ""), (0, Decimal(0)))
        pupils = {status: figures.get((M.PUPILS, status.value), (0, 0))[0] for status in Status}
        overdue, stuck = figures.get((M.OVERDUE, ""), (0, 0))[0], figures.get((M.STUCK, ""), (0, 0))[0]
        result[school_id] = SchoolProgress(row, pupils, overdue, stuck)
    return result


def groups_of(found: dict[int, SchoolProgress]) -> list[PupilGroup]:
    """`per_pupil`'s groups from the rollups: each school's targets carried by one group of no
    pupils (every use sums them per school), then its pupils by status."""
    groups = []
    for school_id, progress in found.items():
        groups.append(PupilGroup(school_id, Status.ACHIEVED, 0, progress.row, progress.overdue, progress.stuck))
        groups += [PupilGroup(school_id, s, n, Row(()), 0, 0) for s, n in progress.pupils.items() if n]
    return groups


def school_counts(found: dict[int, SchoolProgress], schools: list, dimensions: list[Dimension]) -> list[Row]:
    """`status_counts` by dimensions a school decides (trust, region, school), from the rollups."""
    rows: dict[tuple, Row] = {}
    for school in schools:
        progress = found.get(school.pk)
        if progress is None:
            continue
        raw = tuple(_school_value(school, d.key) for d in dimensions)
        if raw not in rows:
            labels = tuple(d.label_of(value) for d, value in zip(dimensions, raw, strict=True))
            rows[raw] = Row(labels, sort_key=(_sort_value(None), *map(_sort_value, raw)))
        rows[raw].add(progress.row)
    return sorted(rows.values(), key=lambda r: r.sort_key)


def _school_value(school, key: str):
    if key == "trust":
        return school.trust.name if school.trust_id else None
    if key == "region":
        return school.region.name if school.region_id else None
    return school.name


def pupils_by_status(groups: list[PupilGroup]) -> dict[Status, int]:
    """Pupils by overall status: the worst status among their current targets."""
    counts = dict.fromkeys(Status, 0)
    for group in groups:
        counts[group.worst] += group.pupils
    return counts


def by_school(groups: list[PupilGroup], labels: dict[int, tuple[str, ...]]) -> list[Row]:
    """Per-school rows (labelled, e.g. region and school name)."""
    rows: dict[int, Row] = {}
    for group in groups:
        if group.school_id not in rows:
            label = labels[group.school_id]
            rows[group.school_id] = Row(label, sort_key=tuple(map(_sort_value, label)))
        rows[group.school_id].add(group.row)
    return sorted(rows.values(), key=lambda r: r.sort_key)


# --- Trends ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class TrendPoint:
    period: Period
    counts: dict[Status, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def trend(reviews: QuerySet[Review], periods: list[Period]) -> list[TrendPoint]:
    """Reviews recorded in each period by the status they left their target in (one query).
    Targets are reviewed once a half term, so this is how the picture moved from one to the next."""
    points = [TrendPoint(period, dict.fromkeys(REVIEWED, 0)) for period in periods]
    if not periods:
        return points
    bucket = Case(
        *[When(date__gte=p.starts_on, date__lte=p.ends_on, then=Value(n)) for n, p in enumerate(periods)],
        output_field=IntegerField(),
    )
    query = (
        reviews.filter(date__gte=min(p.starts_on for p in periods), date__lte=max(p.ends_on for p in periods))
        .exclude(status="")
        .annotate(bucket=bucket)
        .exclude(bucket=None)
        .values("bucket", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in query:
        points[item["bucket"]].counts[Status(item["status"])] += item["n"]
    return points


def trend_from_tally(school_ids: list[int], periods: list[Period]) -> list[TrendPoint]:
    """`trend` for whole schools, from the review tallies (a few rows a school week, not every review)."""
    points = [TrendPoint(period, dict.fromkeys(REVIEWED, 0)) for period in periods]
    counted = tally.counted_by_period(school_ids, [(p.starts_on, p.ends_on) for p in periods])
    for point, by_status in zip(points, counted, strict=True):
        for status, n in by_status.items():
            point.counts[Status(status)] += n
    return points


# --- At a glance -------------------------------------------------------------------------------


def overdue_filter(today: dt.date) -> Q:
    """Current targets with no review for more than a half term (or never, once started)."""
    cutoff = today - OVERDUE_AFTER
    return Q(last_reviewed_on__lt=cutoff) | Q(last_reviewed_on__isnull=True, starts_on__lt=cutoff)


def stacked_shares(counts: dict[Status, int]) -> list[tuple[Status, float]]:
    """Each status's share of the whole, for a stacked bar (empty when there is nothing)."""
    total = sum(counts.values())
    return [(status, 100 * counts[status] / total) for status in Status if counts[status]] if total else []
