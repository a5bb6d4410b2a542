"""/api/v1/dashboard: the progress dashboard's aggregates as JSON, for Power BI and scripts.

The same query string as the pages (school, group_by, sen, sex, year, need, periods, from, to)
and the same figures, withheld by the same rule (trellis.lib.disclosure): a count a governor may not
see is null with "suppressed": true, and so is any percentage or mean built on it. The figures come
from a replica when there is one, and from the primary just after this token's user saved
(trellis/lib/replica.py).
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import Http404, QueryDict
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import create_model

from trellis.api.common import ERRORS, ApiError, Date, NeedCode, Urn, matching
from trellis.lib import replica
from trellis.lib.disclosure import Figure
from trellis.plans.progress import Status
from trellis.pupils.access import get_school_for_user, schools_for_aggregates

from . import overview
from .overview import ChoiceError
from .progress import DIMENSIONS
from .progress_views import SCHOOL_TABLE, parse_choices

router = Router(tags=["dashboards"])

_DIMENSION = "|".join(DIMENSIONS)
GroupBy = Annotated[
    str, matching(rf"^({_DIMENSION})(,({_DIMENSION}))?$", f"One or two of {', '.join(DIMENSIONS)}, e.g. need,sex")
]


class DashboardQuery(Schema):
    """The page's query string, typed; rules between parameters are checked by parse_choices (400)."""

    school: Urn | None = None
    group_by: list[GroupBy] = Field([], max_length=2, description="e.g. need,sex (two different dimensions at most)")
    sen: Literal["K", "E"] | None = None
    sex: Literal["F", "M"] | None = None
    year: int | None = Field(None, ge=-2, le=14, description="NC year (R is 0, N1 and N2 are -2 and -1)")
    need: NeedCode | None = None
    periods: Literal["half_terms", "assessment_points"] = "half_terms"
    from_: Date | None = Field(None, alias="from", description="Trend from (at most 6 years back, up to `to`)")
    to: Date | None = None

    def as_query_dict(self) -> QueryDict:
        """The checked values as the query string the pages parse, so both read them the same way."""
        params = QueryDict(mutable=True)
        params.setlist("group_by", self.group_by)
        for key in ("sen", "sex", "need"):
            if value := getattr(self, key):
                params[key] = value
        if self.year is not None:
            params["year"] = str(self.year)
        params["periods"] = self.periods
        if self.from_ is not None:
            params["from"] = self.from_.isoformat()
        if self.to is not None:
            params["to"] = self.to.isoformat()
        return params


Count = int | None  # null when the disclosure rule withholds it from this reader (a governor)


class CountsOut(Schema):
    """Targets (or reviews) by on-track status; a status is absent where it cannot occur."""

    total: Count
    achieved: Count = None
    on_track: Count = None
    at_risk: Count = None
    off_track: Count = None
    not_reviewed: Count = None
    percent: dict[str, float | None]
    suppressed: bool


# A row of a breakdown: the label of each `group_by` dimension (only those chosen), then the counts.
RowOut = create_model(
    "RowOut",
    __base__=CountsOut,
    mean_steps_gained=(float | None, ...),
    **{f"{key}_": (str | None, Field(None, alias=key)) for key in DIMENSIONS},
)


class HalfTermOut(Schema):
    starts_on: dt.date
    ends_on: dt.date
    ended: bool = Field(description="Between half terms: the figures are the half term just ended")


class TrendPointOut(Schema):
    period: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    reviews: CountsOut


class DashboardOut(Schema):
    schools: list[str]
    as_of: dt.date
    half_term: HalfTermOut
    small_numbers_suppressed: bool
    group_by: list[str]
    filters: dict[str, str]
    targets: RowOut
    pupils: CountsOut
    at_a_glance: dict[str, Count]
    groups: list[RowOut]
    schools_breakdown: list[RowOut]
    trend: list[TrendPointOut]
    withheld_tables: list[str] = Field(
        description="Tables not shown at all, as even empty rows would give a count away"
    )


def _count(figure: Figure) -> int | None:
    return figure.shown


def _counts(total: Figure, figures: dict[Status, Figure]) -> dict[str, Any]:
    return {
        "total": _count(total),
        **{status.value: _count(f) for status, f in figures.items()},
        "percent": {status.value: None if f.percent is None else round(f.percent, 1) for status, f in figures.items()},
        "suppressed": total.suppressed or any(f.suppressed for f in figures.values()),
    }


def _row(d: overview.Dashboard, row, keys: list[str]) -> dict[str, Any]:
    total, figures = d.row_figures(row, keys)
    return {
        **dict(zip(keys, row.labels, strict=False)),
        **_counts(total, figures),
        "mean_steps_gained": None if total.suppressed or row.mean_gain is None else float(row.mean_gain),
    }


def _trend(d: overview.Dashboard, point) -> dict[str, Any]:
    total, figures, _ = d.trend_figures(point)
    return {
        "period": point.period.label,
        "from": point.period.starts_on.isoformat(),
        "to": point.period.ends_on.isoformat(),
        "reviews": _counts(total, figures),
    }


@router.get(
    "/dashboard",
    response={200: DashboardOut, **ERRORS},
    summary="Targets by on-track status, broken down, with trends (as on the dashboards)",
    by_alias=True,
    exclude_unset=True,
)
def dashboard(request, query: Query[DashboardQuery]) -> dict[str, Any]:
    """Without `school`, every school the caller may see in aggregate (a trust leader: the trust).
    `group_by` takes one or two different dimensions: trust, region, school, need, area, sex, year, sen,
    fsm, pp, eal, class, intervention. `from` and `to` (YYYY-MM-DD) bound the trend periods: `from` on or
    before `to` and at most 6 years back (else a 400 says which)."""
    user = request.auth
    if urn := query.school:
        schools = [get_school_for_user(user, urn, pupils=False)]
    else:
        schools = list(schools_for_aggregates(user).select_related("trust", "region").order_by("name"))
    if not schools:
        raise Http404("No school")
    today = timezone.localdate()
    try:
        choices = parse_choices(query.as_query_dict())
        with replica.aggregate_reads(request):  # from a replica when there is one (not just after a save)
            d = overview.build(user, schools, choices, today=today, with_names=False)
    except ChoiceError as error:
        raise ApiError(400, str(error)) from None
    keys = [dim.key for dim in choices.dimensions]
    return {
        "schools": [s.urn for s in schools],
        "as_of": today.isoformat(),
        "half_term": {
            "starts_on": d.window.starts_on.isoformat(),
            "ends_on": d.window.ends_on.isoformat(),
            "ended": d.window.ended,  # between half terms: the figures are the half term just ended
        },
        "small_numbers_suppressed": d.hide_small,
        "group_by": keys,
        "filters": choices.filters,
        "targets": _row(d, d.total, []),
        "pupils": _counts(*d.pupil_figures()),
        "at_a_glance": {key: _count(d.figure(n, n)) for key, n in d.glance.items()},
        "groups": [_row(d, row, keys) for row in d.rows],
        "schools_breakdown": [_row(d, row, SCHOOL_TABLE) for row in d.school_rows],
        "trend": [_trend(d, point) for point in d.trend],
        # Tables that even with every number withheld would give one away (by which rows are empty).
        "withheld_tables": d.withheld_tables,
    }
