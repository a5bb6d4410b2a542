"""A progress dashboard for one audience: what the page, its downloads and the API show.

`build` takes the user, the schools in view and the choices from the URL, and returns plain
data; the views and the API only present it. Queries are fixed in number whatever the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import partial

from django.db.models import Count, FilteredRelation, Q, QuerySet

from trellis.assessment.models import Scale
from trellis.identification.models import Concern
from trellis.lib.disclosure import Figure, lone, suppressed_for, unshowable
from trellis.plans.models import Plan, Review, Target
from trellis.plans.progress import Status, Window, current_window
from trellis.provision.models import InterventionGroup
from trellis.pupils.access import aggregate_filter, prefixed, visible_pupil_filter, whole_schools
from trellis.pupils.models import EhcPlan, Pupil, SenStatus
from trellis.pupils.register import current_memberships
from trellis.schools.models import GroupStaff, School
from trellis.schools.services import academic_year_start, default_half_terms, year_name

from . import scales, withheld
from .progress import (
    REVIEWED,
    STILL_STUCK,
    Dimension,
    Period,
    Row,
    SchoolProgress,
    TrendPoint,
    by_school,
    from_rollups,
    groups_of,
    per_pupil,
    pupils_by_status,
    reviewed_as,
    school_counts,
    status_counts,
    total_of,
    trend,
    trend_from_tally,
)

ENDING_SOON = dt.timedelta(weeks=3)
EHC_REVIEW_NOTICE = dt.timedelta(weeks=8)
ATTENTION_LIMIT = 20
# Filters that narrow every figure on the page (and the API), kept in the URL.
FILTERS = {
    "sen": ("pupil__sen_status", {SenStatus.SEN_SUPPORT.value, SenStatus.EHC_PLAN.value}),
    "sex": ("pupil__sex", {"F", "M"}),
    "year": ("pupil__nc_year", None),
    "need": ("pupil__primary_need_id", None),
    # Issue 16: one scale's targets (steps then mean the same), one kind of plan, one type of school.
    "scale": ("scale__code", None),
    "plan": (
        "plan__kind",
        {Plan.Kind.SEN_SUPPORT.value, Plan.Kind.EHC.value, Plan.Kind.ILP.value, Plan.Kind.PASSPORT.value},
    ),
    "school_type": ("pupil__school__phase", set(School.Phase.values)),
}


class ChoiceError(ValueError):
    """A URL choice that cannot be used; the message says which and what would be accepted."""


NO_FILTERS_FOR_SUPPRESSED = (
    "Filters are not available with numbers withheld: a filtered table beside the whole one would "
    "let a withheld number be worked out by subtraction. Break the figures down by the same thing instead."
)

HALF_TERMS_FOR_SUPPRESSED = (
    "Trends are by half term with numbers withheld: spans between assessment points overlap half "
    "terms, and one beside the other would give the reviews of the days between them by subtraction."
)


# Dimensions that do not vary within one school: its own dashboard does not offer them.
WHOLE_SCHOOL_DIMENSIONS = ("trust", "region", "school")
# NC years (N1 is -2, R is 0) each phase teaches; special schools and alternative provision take
# pupils of any age, so their pupils' years decide.
PHASE_YEARS = {
    School.Phase.PRIMARY: (-2, 6),
    School.Phase.SECONDARY: (7, 13),
    School.Phase.ALL_THROUGH: (-2, 13),
}
ALL_YEARS = (-2, 14)


def years_offered(phases: list[str], pupils_span: tuple[int | None, int | None]) -> list[int]:
    """The year groups to offer for schools of these phases whose pupils on roll span these NC
    years (lowest, highest; None when none is recorded): the phases' years, widened to the pupils'."""
    spans = [PHASE_YEARS[phase] for phase in phases if phase in PHASE_YEARS]
    if None not in pupils_span:
        spans.append(pupils_span)
    if not spans:
        spans = [ALL_YEARS]
    low = max(min(lo for lo, _ in spans), ALL_YEARS[0])
    high = min(max(hi for _, hi in spans), ALL_YEARS[1])
    return list(range(low, high + 1))


@dataclass
class Choices:
    """What the URL asked for, checked."""

    dimensions: list[Dimension]
    filters: dict[str, str] = field(default_factory=dict)
    periods: str = "half_terms"  # or "assessment_points"
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass
class Attention:
    pupil_id: int
    name: str
    off_track: int
    stuck: int
    need: str = ""  # the primary need's name
    classes: list[str] = field(default_factory=list)  # current registration class (two while moving)
    teachers: list[str] = field(default_factory=list)  # those classes' teachers


@dataclass
class Dashboard:
    schools: list[School]
    window: Window
    choices: Choices
    hide_small: bool  # a governor (or anyone with aggregates only) sees suppressed numbers
    rows: list[Row]  # the chosen breakdown
    total: Row
    school_rows: list[Row]  # by region and school (trust view)
    pupils: dict[Status, int]
    glance: dict[str, int]
    trend: list[TrendPoint]
    attention: list[Attention]
    hidden: set = field(default_factory=set)  # withheld cells (trellis.dashboards.withheld keys)
    withheld_tables: list[str] = field(default_factory=list)  # "breakdown", "schools": not shown at all
    per_scale: list[scales.ScaleRow] = field(default_factory=list)  # none for a suppressed audience
    by_level: scales.ByLevel | None = None  # with a level scale chosen (filters: never when suppressed)
    # Each school's figures from the rollups (whole schools, no filters), for the other tables of
    # the page to reuse rather than read again; None when the figures were counted from targets.
    found: dict[int, SchoolProgress] | None = None

    def figure(self, count: int, total: int) -> Figure:
        """A lone count (at a glance): the primary rule only, as no published total includes it."""
        return lone(count, total, hide_small=self.hide_small)

    def _coordinates(self, dims: list[str], labels: tuple[str, ...]) -> tuple:
        school = self.schools[0].name if len(self.schools) == 1 else None
        return withheld.coordinates(dims, labels, school)

    def _hidden(self, key: tuple) -> bool:
        return self.hide_small and key in self.hidden

    def row_figures(self, row: Row, dims: list[str]) -> tuple[Figure, dict[Status, Figure]]:
        """A row of the totals (no dims), the breakdown or the table by school: its total and each status."""
        coords = self._coordinates(dims, row.labels)
        total_hidden = self._hidden(withheld.key(coords, withheld.TOTAL))
        total = Figure(row.total, row.total, suppressed=total_hidden, base_suppressed=total_hidden)
        figures = {
            s: Figure(row.counts[s], row.total, self._hidden(withheld.key(coords, s.value)), total_hidden)
            for s in Status
        }
        return total, figures

    def pupil_figures(self) -> tuple[Figure, dict[Status, Figure]]:
        n = sum(self.pupils.values())
        total_hidden = self._hidden(("pupils", withheld.TOTAL))
        figures = {s: Figure(self.pupils[s], n, self._hidden(("pupils", s.value)), total_hidden) for s in Status}
        return Figure(n, n, total_hidden, total_hidden), figures

    def trend_figures(self, point: TrendPoint) -> tuple[Figure, dict[Status, Figure], Figure]:
        """(reviews, each reviewed status, achieved or on track) for one period."""
        n = point.total
        total_hidden = self._hidden(withheld.trend_key(point, withheld.TOTAL))
        figures = {
            s: Figure(point.counts[s], n, self._hidden(withheld.trend_key(point, s.value)), total_hidden)
            for s in REVIEWED
        }
        good = point.counts[Status.ACHIEVED] + point.counts[Status.ON_TRACK]
        good_hidden = self._hidden(withheld.trend_key(point, withheld.GOOD))
        return Figure(n, n, total_hidden, total_hidden), figures, Figure(good, n, good_hidden, total_hidden)


def _filtered(targets: QuerySet, filters: dict[str, str], prefix: str = "") -> QuerySet:
    for key, value in filters.items():
        path = FILTERS[key][0]
        targets = targets.filter(**{prefix + path: value})
    return targets


def chosen_span(school: School, choices: Choices, today: dt.date) -> tuple[dt.date, dt.date]:
    """The chosen dates, or from the start of last academic year (the reference school's), up to today."""
    starts_on = choices.starts_on
    if starts_on is None:
        year = school.current_academic_year(today)
        starts_on = (year.starts_on if year else today) - dt.timedelta(days=365)
    return starts_on, min(choices.ends_on or today, today)


def periods_for(
    school: School, choices: Choices, today: dt.date, span: tuple[dt.date, dt.date] | None = None
) -> list[Period]:
    """Half terms (or the spans between assessment points) of the reference school's calendar
    from the start of last academic year, or the chosen dates, up to today."""
    starts_on, ends_on = span or chosen_span(school, choices, today)
    years = school.academic_years.filter(ends_on__gte=starts_on, starts_on__lte=ends_on).order_by("starts_on")
    periods = []
    if choices.periods == "assessment_points":
        points = [
            (point.name, point.date)
            for year in years.prefetch_related("assessment_points")
            for point in sorted(year.assessment_points.all(), key=lambda p: p.date)
        ]
        previous = starts_on
        for name, on in points:
            if on >= starts_on and previous <= ends_on:
                periods.append(Period(f"{name} ({on:%b %Y})", previous, min(on, ends_on)))
            previous = on + dt.timedelta(days=1)
    else:
        # The school's own half-terms; the default ones for years it has no calendar for (history).
        calendars = {y.starts_on.year: (y.name, list(y.half_terms.all())) for y in years.prefetch_related("half_terms")}
        for start_year in range(academic_year_start(starts_on), academic_year_start(ends_on) + 1):
            name, half_terms = calendars.get(start_year) or (year_name(start_year), default_half_terms(start_year))
            for half_term in sorted(half_terms, key=lambda h: h.starts_on):
                if half_term.ends_on >= starts_on and half_term.starts_on <= ends_on:
                    periods.append(Period(f"{half_term} {name}", half_term.starts_on, half_term.ends_on))
    return periods


def build(user, schools: list[School], choices: Choices, *, today: dt.date, with_names: bool = True) -> Dashboard:
    """Every figure of a progress dashboard over `schools`, as this user may see it: one pass over
    the targets per pupil, one for the chosen breakdown, the trend and four small counts."""
    ids = {school.pk for school in schools}
    reference = schools[0]
    span = chosen_span(reference, choices, today)
    # The breakdown by intervention counts groups running in the chosen period, not only today's.
    window = replace(current_window(reference, today), period=span)
    hide_small = suppressed_for(user, ids)
    if hide_small and choices.filters:
        raise ChoiceError(NO_FILTERS_FOR_SUPPRESSED)
    if hide_small and choices.periods != "half_terms":
        raise ChoiceError(HALF_TERMS_FOR_SUPPRESSED)
    in_scope = aggregate_filter(user, ids, prefix="pupil__", today=today)
    on_roll = Q(pupil__left_on__isnull=True) | Q(pupil__left_on__gt=today)
    targets = _filtered(Target.objects.current().filter(in_scope, on_roll), choices.filters)

    # Whole schools without filters (the trust page as it opens): the rollups, a few rows a school.
    rolled = not choices.filters and whole_schools(user, ids)
    found = from_rollups(sorted(ids), window) if rolled else {}
    counts = partial(school_counts, found, schools) if rolled else None
    groups = groups_of(found) if rolled else per_pupil(targets, window)
    labels = {s.pk: (s.region.name if s.region_id else "No region", s.name) for s in schools}
    school_rows = by_school(groups, labels) if len(ids) > 1 else []
    total = total_of([g.row for g in groups], "All")
    rows = []
    if counts is not None and {d.key for d in choices.dimensions} <= set(WHOLE_SCHOOL_DIMENSIONS):
        rows = counts(choices.dimensions) if choices.dimensions else []
    elif choices.dimensions:
        rows = status_counts(targets, choices.dimensions, window)
    periods = periods_for(reference, choices, today, span)
    if rolled:
        trend_points = trend_from_tally(sorted(ids), periods)
    else:
        reviews = _filtered(Review.objects.filter(prefixed(in_scope, "target__")), choices.filters, "target__")
        trend_points = trend(reviews, periods)
    pupil_scope = aggregate_filter(user, ids, today=today)
    glance = {
        "overdue": sum(g.overdue for g in groups),
        "stuck": sum(g.stuck for g in groups),
        "open_concerns": Concern.objects.filter(prefixed(pupil_scope, "pupil__"), decision="").count(),
        "interventions_ending": _ending_soon(user, ids, pupil_scope, today),
        "ehc_reviews_due": EhcPlan.objects.filter(
            prefixed(pupil_scope, "pupil__"),
            ceased_on__isnull=True,
            next_annual_review_due__lte=today + EHC_REVIEW_NOTICE,
        ).count(),
    }
    attention = []
    if with_names and not hide_small and len(ids) == 1:
        attention = _attention(targets.filter(prefixed(visible_pupil_filter(user, today), "pupil__")), window)
    pupils = pupils_by_status(groups)
    hidden, withheld_tables = set(), []
    if hide_small:
        dims = [d.key for d in choices.dimensions]
        # A school where this reader sees names is shown exactly on its own page: protect against it.
        open_schools = [s.name for s in schools if not suppressed_for(user, [s])]
        hidden = withheld.hidden_cells(
            targets, dims, window, several_schools=len(ids) > 1, open_schools=open_schools, counts=counts
        )
        hidden |= withheld.hidden_pupils(pupils) | withheld.hidden_trend(trend_points)
        _, breakdown, school_level = withheld.shown_levels(dims, several_schools=len(ids) > 1)
        if unshowable(breakdown) in hidden:  # even its rows would give a withheld number away
            rows, withheld_tables = [], ["breakdown"]
        if school_level is not None and unshowable(school_level) in hidden:
            school_rows, withheld_tables = [], [*withheld_tables, "schools"]
    per_scale, by_level = [], None
    if not hide_small:  # a split by scale beside the whole would be a subtraction
        per_scale = scales.per_scale_from_rollups(sorted(ids), today) if rolled else scales.per_scale(targets)
        chosen = Scale.objects.for_school(reference).filter(code=choices.filters.get("scale", "")).first()
        if chosen is not None and chosen.is_ordered:
            by_level = scales.by_level(targets, chosen, periods)
    return Dashboard(
        per_scale=per_scale,
        by_level=by_level,
        schools=schools,
        window=window,
        choices=choices,
        hide_small=hide_small,
        rows=rows,
        total=total,
        school_rows=school_rows,
        pupils=pupils,
        glance=glance,
        trend=trend_points,
        attention=attention,
        hidden=hidden,
        withheld_tables=withheld_tables,
        found=found if rolled else None,
    )


def _ending_soon(user, ids: set[int], pupil_scope: Q, today: dt.date) -> int:
    """Intervention groups ending in the next weeks: the schools' own, or those with the user's pupils."""
    groups = InterventionGroup.objects.filter(ends_on__gte=today, ends_on__lte=today + ENDING_SOON)
    if whole_schools(user, ids):
        return groups.filter(intervention__school_id__in=ids).count()
    return groups.filter(enrolments__pupil__in=_pupils(pupil_scope)).distinct().count()


def _pupils(pupil_scope: Q):
    return Pupil.objects.filter(pupil_scope).values("pk")


def _attention(targets: QuerySet[Target], window: Window) -> list[Attention]:
    """Pupils to talk about at the next pupil progress meeting: off-track or stuck targets, most
    first, with their class, primary need and class teacher (one more query for the classes)."""
    off_track, stuck = reviewed_as(Status.OFF_TRACK, window), STILL_STUCK
    rows = (
        targets.filter(off_track | stuck)
        .values(
            "pupil",
            "pupil__preferred_forename",
            "pupil__legal_forename",
            "pupil__legal_surname",
            "pupil__primary_need__name",
        )
        .annotate(off_track=Count("pk", filter=off_track), stuck=Count("pk", filter=stuck))
        .order_by("-off_track", "-stuck", "pupil__legal_surname")[:ATTENTION_LIMIT]
    )
    attention = [
        Attention(
            r["pupil"],
            f"{r['pupil__preferred_forename'] or r['pupil__legal_forename']} {r['pupil__legal_surname']}",
            r["off_track"],
            r["stuck"],
            need=r["pupil__primary_need__name"] or "",
        )
        for r in rows
    ]
    if attention:
        _add_classes(attention, window.today)
    return attention


def _add_classes(attention: list[Attention], today: dt.date) -> None:
    """Each pupil's current registration class and its teachers (not TAs), in one query."""
    by_pupil = {a.pupil_id: a for a in attention}
    rows = (
        current_memberships(today)
        .filter(pupil_id__in=by_pupil)
        .annotate(teacher=FilteredRelation("group__staff", condition=Q(group__staff__role=GroupStaff.Role.TEACHER)))
        .values_list(
            "pupil_id",
            "group__name",
            "teacher__user__first_name",
            "teacher__user__last_name",
            "teacher__user__username",
        )
        .order_by("group__name", "teacher__user__last_name", "teacher__user__first_name")
    )
    for pupil_id, group, first, last, username in rows:
        a = by_pupil[pupil_id]
        if group not in a.classes:
            a.classes.append(group)
        name = f"{first} {last}".strip() or username
        if name and name not in a.teachers:
            a.teachers.append(name)


# --- Figures per school (the "Your schools" list) ----------------------------------------------


@dataclass
class SchoolFigures:
    """One school's headline figures, from the queries the trust dashboard uses."""

    register: int  # pupils on roll on the SEN register (SEN support or EHC plan)
    ehc_plans: int  # of them, pupils with an EHC plan
    targets: int
    on_track: Figure
    off_track: Figure


def school_figures(user, schools: list[School], *, today: dt.date) -> dict[int, SchoolFigures]:
    """Figures for each of `schools` whose pupils this user sees whole and by name (a trust
    leader, a SENCO, a head): a fixed number of queries for any number of schools. The others
    (a governor's, a teacher's) get none here: their figures are on the school's own pages,
    withheld or narrowed as their role requires."""
    shown = [s for s in schools if whole_schools(user, {s.pk}) and not suppressed_for(user, [s])]
    if not shown:
        return {}
    ids = {s.pk for s in shown}
    window = current_window(shown[0], today)  # one reference calendar, as on the trust dashboard
    rows = {pk: progress.row for pk, progress in from_rollups(sorted(ids), window).items()}
    register = (
        Pupil.objects.filter(school_id__in=ids, sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .on_roll(today)
        .order_by()
        .values_list("school_id", "sen_status")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for school_id, status, n in register:
        counts[school_id][status] = n
    figures = {}
    for pk in ids:
        row = rows.get(pk) or Row(())
        figures[pk] = SchoolFigures(
            register=sum(counts[pk].values()),
            ehc_plans=counts[pk].get(SenStatus.EHC_PLAN, 0),
            targets=row.total,
            on_track=Figure(row.counts[Status.ON_TRACK], row.total),
            off_track=Figure(row.counts[Status.OFF_TRACK], row.total),
        )
    return figures
