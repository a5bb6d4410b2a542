"""Progress dashboards: the trust, a school (the whole school, or a teacher's own pupils), with
breakdowns, trends and downloads. Every choice lives in the URL, so a view can be bookmarked."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from django.db.models import Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

from trellis.assessment.models import Scale
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.deadlines.rules import ANNUAL_REVIEW
from trellis.lib import replica
from trellis.lib.charts import percent_line_chart
from trellis.lib.disclosure import NOTE, suppressed_for
from trellis.lib.query import IdField, query_value
from trellis.lib.tables import csv_response, xlsx_response
from trellis.plans.models import Plan
from trellis.plans.progress import STATUS_TAG, Status
from trellis.pupils.access import (
    get_school_for_user,
    schools_for_aggregates,
    schools_with_pupil_access,
    whole_schools,
)
from trellis.pupils.models import NeedType, Pupil, nc_year_label
from trellis.schools.models import School

from . import benchmarks, overview
from .level_chart import level_chart
from .overview import (
    FILTERS,
    NO_FILTERS_FOR_SUPPRESSED,
    WHOLE_SCHOOL_DIMENSIONS,
    ChoiceError,
    Choices,
    Dashboard,
    years_offered,
)
from .progress import DIMENSIONS, REVIEWED, DimensionError, parse_group_by, stacked_shares

DEFAULT_GROUP_BY = ["need"]
MAX_TREND_SPAN = dt.timedelta(days=6 * 366)


def _date(params: QueryDict, name: str) -> dt.date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ChoiceError(f"'{name}' must be a date like 2026-09-01, not '{value}'") from None


def parse_choices(params: QueryDict, *, default_group_by: list[str] | None = None) -> Choices:
    """The dashboard choices in a query string (shared by the pages and the API)."""
    try:
        dimensions = parse_group_by(params.getlist("group_by") or (default_group_by or []))
    except DimensionError as error:
        raise ChoiceError(str(error)) from None
    filters = {}
    for key, (_, allowed) in FILTERS.items():
        value = params.get(key, "").strip()
        if value:
            if allowed is not None and value not in allowed:
                raise ChoiceError(f"'{key}' must be one of {', '.join(sorted(allowed))}, not '{value}'")
            if key == "year" and not re.fullmatch(r"-?[0-9]{1,2}", value):
                raise ChoiceError(f"'year' must be an NC year number (R is 0), not '{value}'")
            filters[key] = value
    periods = params.get("periods", "half_terms")
    if periods not in ("half_terms", "assessment_points"):
        raise ChoiceError("'periods' must be half_terms or assessment_points")
    choices = Choices(dimensions, filters, periods, _date(params, "from"), _date(params, "to"))
    if choices.starts_on and choices.ends_on and choices.starts_on > choices.ends_on:
        raise ChoiceError("'from' must be on or before 'to'")
    if choices.starts_on and (choices.ends_on or timezone.localdate()) - choices.starts_on > MAX_TREND_SPAN:
        raise ChoiceError("Trends go back at most 6 years: choose a later 'from'")
    return choices


def dashboard_home(request: HttpRequest) -> HttpResponse:
    """Straight to the dashboard for this person: the trust, or their school."""
    schools = list(schools_for_aggregates(request.user).order_by("name").values_list("urn", flat=True)[:2])
    if not schools:
        raise Http404("No such page")
    if len(schools) > 1:
        return redirect("dashboard-trust")
    return redirect("dashboard-school", urn=schools[0])


def trust_dashboard(request: HttpRequest) -> HttpResponse:
    """Every school the user may see in aggregate: by region and school, with a breakdown."""
    schools = schools_for_aggregates(request.user).select_related("trust", "region").order_by("name")
    if region := query_value(request, "region", IdField()):
        if suppressed_for(request.user, schools):
            # A region's schools beside all of them would give the others away by subtraction.
            return _choice_error(request, ChoiceError(NO_FILTERS_FOR_SUPPRESSED), "Progress")
        schools = schools.filter(region_id=region)
    schools = list(schools)
    if not schools:
        raise Http404("No such page")
    trusts = {s.trust.name for s in schools if s.trust_id}
    title = f"{', '.join(sorted(trusts)) or 'All schools'}: progress"
    regions = [] if suppressed_for(request.user, schools) else list(_regions(request.user))
    return _page(request, schools, title, regions=regions)


def school_dashboard(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=False)
    whole = whole_schools(request.user, {school.pk})
    title = f"{school.name}: progress" if whole else f"Your pupils at {school.name}: progress"
    return _page(request, [school], title, school=school)


def _one_school_choices(choices: Choices) -> None:
    """Trust, region and school are the same for every pupil of one school: a table by them is one row."""
    for dim in choices.dimensions:
        if dim.key in WHOLE_SCHOOL_DIMENSIONS:
            offered = ", ".join(key for key in DIMENSIONS if key not in WHOLE_SCHOOL_DIMENSIONS)
            raise ChoiceError(
                f"'group_by={dim.key}' does not vary within one school: "
                f"break its figures down by one or two of {offered}, or compare schools on the trust dashboard"
            )


def _regions(user):
    return (
        schools_for_aggregates(user)
        .exclude(region=None)
        .values_list("region_id", "region__name")
        .distinct()
        .order_by("region__name")
    )


def _reviews_link(user, school, hide_small: bool) -> str:
    """The school's deadlines list of annual reviews, for a reader who may open that list. None
    where figures are withheld (governors): the count stays text."""
    if school is None or hide_small or not schools_with_pupil_access(user).filter(pk=school.pk).exists():
        return ""
    return f"{reverse('deadlines', args=[school.urn])}?kind={ANNUAL_REVIEW}"


def _page(request: HttpRequest, schools: list, title: str, **extra) -> HttpResponse:
    today = timezone.localdate()
    try:
        # Across schools, the table by region and school is the breakdown until another is chosen.
        choices = parse_choices(request.GET, default_group_by=DEFAULT_GROUP_BY if len(schools) == 1 else [])
        if "school" in extra:
            _one_school_choices(choices)
        with replica.aggregate_reads(request):  # the figures, from a replica when there is one (not just after a save)
            dashboard = overview.build(request.user, schools, choices, today=today)
    except ChoiceError as error:
        return _choice_error(request, error, title)
    compared = benchmarks.school_comparison(request.user, extra["school"], dashboard) if "school" in extra else None
    phase_rows = benchmarks.by_phase(request.user, schools, dashboard) if len(schools) > 1 else []
    if download := request.GET.get("download"):
        table = request.GET.get("table", "breakdown")
        if table in ("compared", "phases"):
            return benchmarks.download(compared if table == "compared" else phase_rows, download, table)
        return _download(dashboard, download, table)
    if dashboard.attention:  # the one part of a dashboard that names pupils
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            record_type="pupils to discuss",
            school=schools[0],
            summary=f"{len(dashboard.attention)} pupils named on the dashboard",
            changes={"pupils": [None, [a.pupil_id for a in dashboard.attention]]},
        )
    query = request.GET.copy()
    query.pop("download", None)
    query.pop("table", None)
    keys = _keys(dashboard)
    links = _Links(schools, query, regions=extra.get("regions", []))
    # Chosen by school (with its region or trust): the table by region and school already is it.
    same_as_schools = bool(dashboard.school_rows) and "school" in keys and set(keys) <= set(WHOLE_SCHOOL_DIMENSIONS)
    context = {
        "title": title,
        "d": dashboard,
        "statuses": list(Status),
        "status_tag": STATUS_TAG,
        "status_table": _status_table(dashboard),
        "glance": {key: dashboard.figure(n, n) for key, n in dashboard.glance.items()},
        "breakdown": [] if same_as_schools else [links.add(_row(dashboard, row, keys), keys) for row in dashboard.rows],
        "same_as_schools": same_as_schools,
        "school_table": [links.add(_row(dashboard, row, SCHOOL_TABLE), SCHOOL_TABLE) for row in dashboard.school_rows],
        "total_row": _row(dashboard, dashboard.total, []),
        "trend": _trend(dashboard),
        "trend_chart": _trend_chart(dashboard),
        "level_chart": level_chart(dashboard.by_level) if dashboard.by_level else None,
        "dimensions": [d for d in DIMENSIONS.values() if "school" not in extra or d.key not in WHOLE_SCHOOL_DIMENSIONS],
        "chosen": [d.key for d in dashboard.choices.dimensions] + ["", ""],
        "needs": NeedType.objects.order_by("order", "name"),
        "scale_options": [] if dashboard.hide_small else _scale_options(schools),
        "plan_kinds": [
            (k.value, k.label) for k in (Plan.Kind.SEN_SUPPORT, Plan.Kind.EHC, Plan.Kind.ILP, Plan.Kind.PASSPORT)
        ],
        "school_types": School.Phase.choices if len(schools) > 1 else [],
        # (No year filter with numbers withheld: see NO_FILTERS_FOR_SUPPRESSED.)
        "years": [] if dashboard.hide_small else [(n, nc_year_label(n)) for n in _years(schools, today)],
        "query": query.urlencode(),
        "params": request.GET,
        "withheld_note": NOTE,
        "reviews_link": _reviews_link(request.user, extra.get("school"), dashboard.hide_small),
        # Spending on provision: for those who see every pupil of these schools by name (not governors).
        "money_link": not dashboard.hide_small and whole_schools(request.user, {s.pk for s in schools}),
        "compared": compared,
        "has_recorded": any(row.recorded for row in compared or []),
        "phase_rows": phase_rows,
        **extra,
    }
    return render(request, "dashboards/progress.html", context)


def _scale_options(schools: list) -> list:
    """The shipped scales and these schools' own, one per code (the filter is by code): one query."""
    found = Scale.objects.filter(Q(school__isnull=True) | Q(school__in=schools)).order_by("name", "school_id")
    by_code = {}
    for scale in found.only("code", "name"):
        by_code.setdefault(scale.code, scale)
    return list(by_code.values())


def _years(schools: list, today: dt.date) -> list[int]:
    """Year groups for the filter: the schools' phases, widened to the years their pupils are in."""
    span = Pupil.objects.filter(school__in=schools).on_roll(today).aggregate(low=Min("nc_year"), high=Max("nc_year"))
    return years_offered([s.phase for s in schools], (span["low"], span["high"]))


class _Links:
    """Where a breakdown's school and region names lead: the school's dashboard, or the trust
    dashboard for that region, with the same choices. Names shared by two schools (or regions)
    lead nowhere rather than to the wrong one."""

    def __init__(self, schools: list, query: QueryDict, *, regions: list[tuple[int, str]]):
        self.query = query
        by_name: dict[str, list[str]] = {}
        for school in schools:
            by_name.setdefault(school.name, []).append(school.urn)
        self.schools = {name: urns[0] for name, urns in by_name.items() if len(urns) == 1}
        # The trust page's region filter (none with numbers withheld: it is refused then).
        by_region: dict[str, list[int]] = {}
        for pk, name in regions:
            by_region.setdefault(name, []).append(pk)
        self.regions = {name: pks[0] for name, pks in by_region.items() if len(pks) == 1}
        # Every school's link differs only by its URN: its query string and the URL around the URN
        # are worked out once, not for each of a trust's 200 rows.
        school_query = query.copy()
        school_query.pop("region", None)
        kept = [key for value in school_query.getlist("group_by") for key in value.split(",")]
        kept = [key.strip() for key in kept if key.strip() and key.strip() not in WHOLE_SCHOOL_DIMENSIONS]
        school_query.setlist("group_by", kept)
        self.school_query = school_query.urlencode()
        self.school_url = reverse("dashboard-school", args=["URN"]).rpartition("URN")
        self.cells: dict[tuple[str, str], str] = {}

    def add(self, row: dict, dims: list[str]) -> dict:
        """The row's names as the table shows them: each a link where it leads somewhere."""
        row["cells"] = [self._cell(dim, label) for dim, label in zip(dims, row["labels"], strict=False)]
        return row

    def _cell(self, dim: str, label: str) -> str:
        if (dim, label) not in self.cells:  # a region's name is on many rows
            href = self._href(dim, label)
            self.cells[dim, label] = format_html('<a href="{}">{}</a>', href, label) if href else escape(label)
        return self.cells[dim, label]

    def _href(self, dim: str, label: str) -> str | None:
        if dim == "school" and label in self.schools:
            before, _, after = self.school_url
            urn = quote(self.schools[label], safe=RFC3986_SUBDELIMS + "~:@")  # as reverse() quotes it
            url, encoded = f"{before}{urn}{after}", self.school_query
        elif dim == "region" and label in self.regions:
            query = self.query.copy()
            query["region"] = str(self.regions[label])
            url, encoded = reverse("dashboard-trust"), query.urlencode()
        else:
            return None
        return f"{url}?{encoded}" if encoded else url


def _choice_error(request: HttpRequest, error: ChoiceError, title: str) -> HttpResponse:
    return render(request, "dashboards/choice_error.html", {"error": error, "title": title}, status=400)


def _status_table(d: Dashboard) -> list:
    """(status, tag, targets figure, pupils figure) for each status."""
    _, targets = d.row_figures(d.total, [])
    _, pupils = d.pupil_figures()
    return [(status, STATUS_TAG[status], targets[status], pupils[status]) for status in Status]


def _row(d: Dashboard, row, dims: list[str]) -> dict:
    total, by_status = d.row_figures(row, dims)
    figures = list(by_status.values())
    return {
        "labels": row.labels,
        "total": total,
        "figures": figures,
        "figure_cells": _figure_cells(figures),
        # The mean of a withheld group is withheld with it.
        "mean_gain": None if total.suppressed else row.mean_gain,
        "planned_share": None if total.suppressed else row.planned_share,
        "planned_text": "–" if total.suppressed or row.planned_share is None else f"{row.planned_share}%",
        # A bar would show the share a withheld count hides, so a row with one has none.
        "bar": "" if total.suppressed or any(f.suppressed for f in figures) else _status_bar(row.counts),
    }


SCHOOL_TABLE = ["region", "school"]


def _keys(d: Dashboard) -> list[str]:
    return [dim.key for dim in d.choices.dimensions]


FIGURE_CELL = '<td class="numeric">{} <span class="hint">{}</span></td>'


def _figure_cells(figures: list) -> str:
    """A row's count and share of each status, as table cells: one string, not two template
    variables a cell (on a trust's 200 rows those were much of the page's rendering time)."""
    cells = "".join(FIGURE_CELL.format(escape(f.text), escape(f.percent_text)) for f in figures)
    return mark_safe(cells)  # noqa: S308 - escaped texts in fixed markup


STATUS_BAR = (
    '<svg class="status-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
    'aria-label="Share of targets by status; the figures are in this row">{}</svg>'
)
# Each status's segment with its class and label escaped once; only numbers are put in later.
SEGMENTS = {
    status: format_html(
        '<rect x="{{x}}" y="0" width="{{width}}" height="10" class="seg-{}"><title>{}: {{percent}}%</title></rect>',
        status.value,
        status.label,
    )
    for status in Status
}


def _status_bar(counts: dict) -> str:
    """A row's status mix: a 100-wide stacked SVG bar, each segment titled with its share to the
    whole percent (rounded half up, as floatformat rounds). Built here, not in an included
    template: on a trust's 200 rows the include was most of the page's rendering time."""
    x, segments = 0.0, []
    for status, share in stacked_shares(counts):
        width = round(share, 2)
        percent = Decimal(str(width)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        segments.append(SEGMENTS[status].format(x=round(x, 2), width=width, percent=percent))
        x += share
    return mark_safe(STATUS_BAR.format("".join(segments))) if segments else ""  # noqa: S308 - numbers, escaped labels


def _trend(d: Dashboard) -> list[dict]:
    rows = []
    for point in d.trend:
        total, figures, good = d.trend_figures(point)
        rows.append({"period": point.period, "total": total, "figures": list(figures.values()), "good": good})
    return rows


def _trend_chart(d: Dashboard):
    rows = _trend(d)
    if len(rows) < 2:
        return None
    return percent_line_chart(
        "Reviews that found the target achieved or on track, and off track, % of reviews in each period",
        [r["period"].label for r in rows],
        [
            ("Achieved or on track", "line-good", [r["good"].percent for r in rows]),
            ("Off track", "line-off", [r["figures"][3].percent for r in rows]),
        ],
    )


def _download(d: Dashboard, kind: str, table: str) -> HttpResponse:
    if kind not in ("csv", "xlsx"):
        raise Http404("No such download")
    labels = [s.label for s in Status]
    if table == "trend":
        headings = ["Period", "From", "To", "Reviews", *[s.label for s in REVIEWED]]
        rows = [
            [
                r["period"].label,
                r["period"].starts_on,
                r["period"].ends_on,
                r["total"].text,
                *[f.text for f in r["figures"]],
            ]
            for r in _trend(d)
        ]
    else:
        keys = SCHOOL_TABLE if table == "schools" else _keys(d)
        dims = [DIMENSIONS[key] for key in keys]
        source = d.school_rows if table == "schools" else d.rows
        headings = [
            *[dim.label for dim in dims],
            "Targets",
            *labels,
            *[f"{label} %" for label in labels],
            "Planned progress achieved %",
        ]
        rows = []
        for row in [*source, d.total]:
            r = _row(d, row, keys if row is not d.total else [])
            labels_out = list(row.labels) + [""] * (len(dims) - len(row.labels))
            rows.append(
                [
                    *labels_out,
                    r["total"].text,
                    *[f.text for f in r["figures"]],
                    *[f.percent_text for f in r["figures"]],
                    r["planned_share"],
                ]
            )
    name = f"progress-{table}-{timezone.localdate():%Y-%m-%d}"
    return (csv_response if kind == "csv" else xlsx_response)(name, headings, rows)
