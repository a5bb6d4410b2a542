"""/api/v1/dashboard: the progress dashboard's aggregates as JSON, for Power BI and scripts.

The same query string as the pages (school, group_by, sen, sex, year, need, periods, from, to)
and the same figures; a count a governor may not see (under 5) is null with "suppressed": true.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from trellis.lib.stats import Figure
from trellis.plans.progress import Status
from trellis.pupils.access import get_school_for_user, schools_for_aggregates

from . import overview
from .progress import REVIEWED
from .progress_views import ChoiceError, parse_choices

router = Router(tags=["dashboards"])


def _count(figure: Figure) -> int | None:
    return None if figure.suppressed else figure.count


def _counts(d: overview.Dashboard, counts: dict, statuses=tuple(Status)) -> dict[str, Any]:
    total = sum(counts[s] for s in statuses)
    figures = {s.value: d.figure(counts[s], total) for s in statuses}
    return {
        "total": _count(d.figure(total, total)),
        **{key: _count(f) for key, f in figures.items()},
        "percent": {key: None if f.percent is None else round(f.percent, 1) for key, f in figures.items()},
        "suppressed": any(f.suppressed for f in figures.values()) or d.figure(total, total).suppressed,
    }


def _row(d: overview.Dashboard, row, keys: list[str]) -> dict[str, Any]:
    small = d.hide_small and 0 < row.total < 5
    return {
        **dict(zip(keys, row.labels, strict=False)),  # the total row has a label but no keys
        **_counts(d, row.counts),
        "mean_steps_gained": None if small or row.mean_gain is None else float(row.mean_gain),
    }


@router.get("/dashboard", summary="Targets by on-track status, broken down, with trends (as on the dashboards)")
def dashboard(request) -> dict[str, Any]:
    """Without `school`, every school the caller may see in aggregate (a trust leader: the trust).
    `group_by` takes one or two of: trust, region, school, need, area, sex, year, sen, fsm, pp, eal,
    class, intervention. `from` and `to` (YYYY-MM-DD) bound the trend periods."""
    user = request.auth
    if urn := request.GET.get("school"):
        schools = [get_school_for_user(user, urn, pupils=False)]
    else:
        schools = list(schools_for_aggregates(user).select_related("trust", "region").order_by("name"))
    if not schools:
        raise Http404("No school")
    try:
        choices = parse_choices(request.GET)
    except ChoiceError as error:
        raise HttpError(400, str(error)) from None
    today = timezone.localdate()
    d = overview.build(user, schools, choices, today=today, with_names=False)
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
        "pupils": _counts(d, d.pupils),
        "at_a_glance": {key: _count(d.figure(n, n)) for key, n in d.glance.items()},
        "groups": [_row(d, row, keys) for row in d.rows],
        "schools_breakdown": [_row(d, row, ["region", "school"]) for row in d.school_rows],
        "trend": [
            {
                "period": p.period.label,
                "from": p.period.starts_on.isoformat(),
                "to": p.period.ends_on.isoformat(),
                "reviews": _counts(d, p.counts, REVIEWED),
            }
            for p in d.trend
        ],  # fmt: skip
    }
