"""Review tallies: reviews by school, day (and week) and the status they left, for trends at trust scale.

`adjust` runs inside the transaction that changes a review's status (refresh_summary) or
deletes it (a signal), so the tallies always equal a fresh count; `rebuild` makes them from the
reviews in one set-based pass (after bulk loads such as the demo seed).

A trend period reads its whole weeks (Monday to Sunday) from the week tallies and only the days
of its part weeks from the day tallies: a 200-school trend over five terms reads about 40,000
rows instead of 175,000.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, Q, Sum

from trellis.lib.upsert import add_to

from .models import Review, ReviewTally, ReviewWeekTally

ONE_DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week `day` is in."""
    return day - dt.timedelta(days=day.weekday())


def adjust(school_id: int, changes: Counter) -> None:
    """Apply +n/-n changes keyed by (date, status); statuses "" are not tallied."""
    days, weeks = Counter(), Counter()
    for (date, status), delta in changes.items():
        if status and delta:
            days[(school_id, date, status)] += delta
            weeks[(school_id, week_of(date), status)] += delta
    add_to(ReviewTally, ["school_id", "date", "status"], ["count"], {k: (n,) for k, n in days.items() if n})
    add_to(ReviewWeekTally, ["school_id", "week", "status"], ["count"], {k: (n,) for k, n in weeks.items() if n})


@transaction.atomic
def rebuild(school_ids: list[int] | None = None) -> int:
    """Count every review afresh (for these schools, or all); returns the number of day tally rows."""
    tallies, week_tallies = ReviewTally.objects.all(), ReviewWeekTally.objects.all()
    reviews = Review.objects.exclude(status="")
    if school_ids is not None:
        tallies = tallies.filter(school_id__in=school_ids)
        week_tallies = week_tallies.filter(school_id__in=school_ids)
        reviews = reviews.filter(target__pupil__school_id__in=school_ids)
    tallies.delete()
    week_tallies.delete()
    rows = [
        ReviewTally(school_id=row["target__pupil__school_id"], date=row["date"], status=row["status"], count=row["n"])
        for row in reviews.values("target__pupil__school_id", "date", "status").annotate(n=Count("pk")).order_by()
    ]
    ReviewTally.objects.bulk_create(rows, batch_size=5000)
    ReviewWeekTally.objects.bulk_create(week_rows(rows), batch_size=5000)
    return len(rows)


def week_rows(day_rows) -> list[ReviewWeekTally]:
    """The week tallies of these day tallies (anything with school_id, date, status and count)."""
    weeks: Counter = Counter()
    for row in day_rows:
        weeks[(row.school_id, week_of(row.date), row.status)] += row.count
    return [ReviewWeekTally(school_id=s, week=w, status=st, count=n) for (s, w, st), n in weeks.items() if n]


def _whole_weeks(starts_on: dt.date, ends_on: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last Monday of the whole weeks inside these days, or None if there are none."""
    first = week_of(starts_on + dt.timedelta(days=6))  # starts_on itself when a Monday
    last = week_of(ends_on + ONE_DAY) - WEEK  # the week ending on or before ends_on
    return (first, last) if first <= last else None


def counted_by_period(school_ids: list[int], periods: Sequence[tuple[dt.date, dt.date]]) -> list[Counter]:
    """For each period (first day, last day; not overlapping), reviews by status over these
    schools: two queries, whole weeks from the week tallies and part weeks' days from the day ones."""
    weeks, days = Q(), Q()
    for starts_on, ends_on in periods:
        whole = _whole_weeks(starts_on, ends_on)
        if whole is None:
            days |= Q(date__gte=starts_on, date__lte=ends_on)
            continue
        weeks |= Q(week__gte=whole[0], week__lte=whole[1])
        if starts_on < whole[0]:
            days |= Q(date__gte=starts_on, date__lt=whole[0])
        if whole[1] + WEEK <= ends_on:
            days |= Q(date__gte=whole[1] + WEEK, date__lte=ends_on)
    found: dict[dt.date, Counter] = defaultdict(Counter)  # by the week's Monday or the day
    if weeks:
        for week, status, n in _summed(ReviewWeekTally, school_ids, weeks, "week"):
            found[week][status] += n
    if days:
        for day, status, n in _summed(ReviewTally, school_ids, days, "date"):
            found[day][status] += n
    counts = [Counter() for _ in periods]
    for when, by_status in found.items():
        for n, (starts_on, ends_on) in enumerate(periods):
            if starts_on <= when <= ends_on:  # a whole week's Monday lies in its period too
                counts[n].update(by_status)
                break
    return counts


def _summed(model, school_ids: list[int], which: Q, when: str):
    return (
        model.objects.filter(which, school_id__in=school_ids)
        .values_list(when, "status")
        .annotate(n=Sum("count"))
        .order_by()
    )


def forget_deleted_review(sender, instance: Review, **kwargs) -> None:
    """pre_delete: the target (and so the school) still exists when this runs, cascades included."""
    if instance.status:
        school_id = Review.objects.filter(pk=instance.pk).values_list("target__pupil__school_id", flat=True).first()
        if school_id is not None:
            adjust(school_id, Counter({(instance.date, instance.status): -1}))
