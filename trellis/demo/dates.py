"""Date helpers for synthetic data: school days, random days, academic years."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day from start to end inclusive (start if end is earlier)."""
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def school_day(day: dt.date) -> dt.date:
    """The day itself, or the Friday before if it falls at a weekend."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


# School holidays, roughly, as ((month, day), (month, day)), for dates that should fall in term.
HOLIDAYS = [
    ((1, 1), (1, 4)),
    ((2, 14), (2, 22)),
    ((3, 30), (4, 13)),
    ((5, 23), (5, 31)),
    ((7, 22), (9, 3)),
    ((10, 24), (11, 1)),
    ((12, 20), (12, 31)),
]


def term_day(day: dt.date, *, forward: bool = False) -> dt.date:
    """The day, or the nearest weekday before it (after it if `forward`) outside the usual holidays."""
    step = dt.timedelta(days=1 if forward else -1)
    while day.weekday() > 4 or any(start <= (day.month, day.day) <= end for start, end in HOLIDAYS):
        day += step
    return day


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def seeded_at(today: dt.date) -> dt.datetime:
    """When demo rows say they were recorded: now, or the end of `today` if the demo is seeded as of an
    earlier day (`seed_demo --today`), so that nothing is recorded after the day the demo is set on."""
    end_of_day = dt.datetime.combine(today, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
    return min(timezone.now(), end_of_day)


def born_between(academic_start: int, nc_year: int) -> tuple[dt.date, dt.date]:
    """Birth dates of pupils in `nc_year` in the academic year starting September `academic_start`.

    Reception (0) in 2026/27 were born from 1 September 2021 to 31 August 2022.
    """
    first = academic_start - nc_year - 5
    return dt.date(first, 9, 1), dt.date(first + 1, 8, 31)
