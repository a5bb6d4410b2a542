"""Setting up a school and its calendar."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .models import AcademicYear, AssessmentPoint, HalfTerm, Region, School, Trust

# Default half-terms, each running to the day before the next starts so that every day of the
# year (holidays included) falls in one; schools edit the dates to match their own calendar.
DEFAULT_HALF_TERMS = [
    ((9, 1), (10, 31)),
    ((11, 1), (12, 31)),
    ((1, 1), (2, 20)),
    ((2, 21), (4, 14)),
    ((4, 15), (5, 31)),
    ((6, 1), (8, 31)),
]
DEFAULT_ASSESSMENT_POINTS = [
    ("Baseline", (9, 30), True),
    ("Autumn", (12, 10), False),
    ("Spring", (3, 25), False),
    ("Summer", (7, 10), False),
]


def academic_year_start(on: dt.date) -> int:
    """The calendar year in which the academic year containing `on` began."""
    return on.year if on.month >= 9 else on.year - 1


def year_name(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def default_half_terms(start_year: int) -> list[HalfTerm]:
    """The default half-terms of an academic year, unsaved (for a year a school has no calendar for)."""

    def on(month_day: tuple[int, int]) -> dt.date:
        month, day = month_day
        return dt.date(start_year if month >= 9 else start_year + 1, month, day)

    return [
        HalfTerm(number=n, starts_on=on(start), ends_on=on(end)) for n, (start, end) in enumerate(DEFAULT_HALF_TERMS, 1)
    ]


@transaction.atomic
def create_academic_year(*, school: School, start_year: int) -> AcademicYear:
    """Create a year with the default half-terms and assessment points (4 a year, baseline first)."""
    year = AcademicYear.objects.create(
        school=school,
        name=year_name(start_year),
        starts_on=dt.date(start_year, 9, 1),
        ends_on=dt.date(start_year + 1, 8, 31),
    )

    def on(month_day: tuple[int, int]) -> dt.date:
        month, day = month_day
        return dt.date(start_year if month >= 9 else start_year + 1, month, day)

    half_terms = default_half_terms(start_year)
    for half_term in half_terms:
        half_term.academic_year = year
    HalfTerm.objects.bulk_create(half_terms)
    AssessmentPoint.objects.bulk_create(
        AssessmentPoint(academic_year=year, name=name, date=on(day), is_baseline=baseline)
        for name, day, baseline in DEFAULT_ASSESSMENT_POINTS
    )
    return year


@transaction.atomic
def create_school(
    *,
    urn: str,
    name: str,
    la_number: str = "",
    estab_number: str = "",
    phase: str = School.Phase.PRIMARY,
    trust_name: str | None = None,
    region_name: str | None = None,
    today: dt.date,
) -> School:
    """A school with its current academic year, optionally in a (new or existing) trust."""
    trust = Trust.objects.get_or_create(name=trust_name)[0] if trust_name else None
    region = Region.objects.get_or_create(trust=trust, name=region_name)[0] if trust and region_name else None
    school = School.objects.create(
        urn=urn,
        name=name,
        la_number=la_number,
        estab_number=estab_number,
        phase=phase,
        trust=trust,
        region=region,
    )
    create_academic_year(school=school, start_year=academic_year_start(today))
    return school
