"""Review tallies: reviews by school, day and the status they left, for trends at trust scale.

`adjust` runs inside the transaction that changes a review's status (refresh_summary) or
deletes it (a signal), so the tallies always equal a fresh count; `rebuild` makes them from the
reviews in one set-based pass (after bulk loads such as the demo seed).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, F, Sum

from .models import Review, ReviewTally


def adjust(school_id: int, changes: Counter) -> None:
    """Apply +n/-n changes keyed by (date, status); statuses "" are not tallied. Rows in key order,
    and an addition as an upsert that adds to what is there: two reviews saved at once for one
    school and day take turns, rather than both inserting the day's row (one_tally_per_day)."""
    table = ReviewTally._meta.db_table
    for (date, status), delta in sorted(changes.items()):
        if not status or not delta:
            continue
        if delta < 0:
            ReviewTally.objects.filter(school_id=school_id, date=date, status=status).update(count=F("count") + delta)
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (school_id, date, status, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
                f"ON CONFLICT (school_id, date, status) DO UPDATE SET count = {table}.count + excluded.count",
                [school_id, connection.ops.adapt_datefield_value(date), status, delta],
            )


@transaction.atomic
def rebuild(school_ids: list[int] | None = None) -> int:
    """Count every review afresh (for these schools, or all); returns the number of tally rows."""
    tallies = ReviewTally.objects.all()
    reviews = Review.objects.exclude(status="")
    if school_ids is not None:
        tallies = tallies.filter(school_id__in=school_ids)
        reviews = reviews.filter(target__pupil__school_id__in=school_ids)
    tallies.delete()
    rows = [
        ReviewTally(school_id=row["target__pupil__school_id"], date=row["date"], status=row["status"], count=row["n"])
        for row in reviews.values("target__pupil__school_id", "date", "status").annotate(n=Count("pk")).order_by()
    ]
    ReviewTally.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def counted(school_ids: list[int], since: dt.date, until: dt.date) -> dict[tuple[dt.date, str], int]:
    """(date, status) -> reviews, over these schools."""
    rows = (
        ReviewTally.objects.filter(school_id__in=school_ids, date__gte=since, date__lte=until)
        .values_list("date", "status")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {(date, status): n for date, status, n in rows}


def forget_deleted_review(sender, instance: Review, **kwargs) -> None:
    """pre_delete: the target (and so the school) still exists when this runs, cascades included."""
    if instance.status:
        school_id = Review.objects.filter(pk=instance.pk).values_list("target__pupil__school_id", flat=True).first()
        if school_id is not None:
            adjust(school_id, Counter({(instance.date, instance.status): -1}))
