"""Loading spending on provision for a school or a trust: a fixed number of queries however many
groups or schools, then the arithmetic in money.py."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from trellis.pupils.models import NeedType, nc_year_label

from . import money, reports
from .models import FundingStream, InterventionGroup

STREAM_LABELS = dict(FundingStream.choices)
NO_NEED = "No primary need recorded"
ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def academic_year(name: str) -> tuple[dt.date, dt.date]:
    """'2026/27' -> 1 September 2026 to 31 August 2027 (an academy's financial year too).
    ValueError, saying what to enter, for anything else."""
    match = ACADEMIC_YEAR.match(name.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"The year {name!r} should be an academic year like 2026/27")
    start = int(match[1])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def year_name(on: dt.date) -> str:
    """The academic year (1 September to 31 August) a day falls in, e.g. '2026/27'."""
    start = on.year if on.month >= 9 else on.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _year_label(nc_year: int | None) -> str:
    label = nc_year_label(nc_year)
    return {"X": "Not recorded", "R": "Reception"}.get(label, label if label.startswith("N") else f"Year {label}")


@dataclass
class Spending:
    year: str
    places: list[money.Place]
    total: money.SpendRow
    by_stream: list[money.SpendRow]
    by_need: list[money.SpendRow]
    by_year: list[money.SpendRow]
    by_school: list[money.SpendRow]
    values: list[money.Value]
    compared: list[tuple[str, list[money.Value]]]
    steps: dict[str, str]  # scale name -> what one step on it is


def spending(schools, *, year: str) -> Spending:
    """Every group of these schools running at some point in the academic year `year`, costed.

    Whole schools: the callers (SENCO, leaders, the trust) count every pupil, and show no names."""
    starts_on, ends_on = academic_year(year)
    school_names = {school.pk: school.name for school in schools}
    groups = InterventionGroup.objects.filter(intervention__school__in=list(school_names)).in_term(starts_on, ends_on)
    evaluations = reports.evaluate_groups(groups)
    enrolments = [e for item in evaluations for e in item.enrolments]
    needs = reports.primary_needs(enrolments)
    need_names = dict(NeedType.objects.values_list("code", "name"))
    places, costed = [], []
    for item in evaluations:
        group, school = item.group, school_names[item.group.intervention.school_id]
        cost = money.share(item.summary.cost, item.places)
        for enrolment in item.enrolments:
            need = needs.get(enrolment.pupil_id)
            places.append(
                money.Place(
                    school=school,
                    intervention=group.intervention.name,
                    group_id=group.pk,
                    pupil_id=enrolment.pupil_id,
                    need=need_names.get(need, need) if need else NO_NEED,
                    year=_year_label(enrolment.pupil.nc_year),
                    stream=STREAM_LABELS[enrolment.funding or group.funding],
                    cost=cost,
                )
            )
        costed.append(money.GroupCosts(school, group.intervention.name, item.summary.cost, item.rows))
    steps = {name: words for item in evaluations for name, words in item.step_words.items()}
    values = money.value_for_money(costed, steps)
    need_order = [*need_names.values(), NO_NEED]
    return Spending(
        year=year,
        places=places,
        total=money.total(places),
        by_stream=money.spend_by(places, lambda p: p.stream, order=list(STREAM_LABELS.values())),
        by_need=money.spend_by(places, lambda p: p.need, order=need_order),
        by_year=money.spend_by(places, lambda p: p.year, order=[_year_label(y) for y in [*range(-2, 15), None]]),
        by_school=money.spend_by(places, lambda p: p.school) if len(school_names) > 1 else [],
        values=values,
        compared=money.compared_across_schools(values),
        steps={
            name: words for name, words in steps.items() if any(name == c.scale for v in values for c in v.by_scale)
        },
    )
