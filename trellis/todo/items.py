"""The to-do list of a SENCO, teacher or TA: what needs doing at each school, as counts that link
to the list behind them.

Each provider is `(user, school, today) -> Counted` (the rows to count) or a list of TodoItems
(worked out in Python); `PROVIDERS` lists them in the order the page shows them, so a new kind of
work (statutory deadlines, specialist reports) is one more function and one more entry. Counts are
of the pupils the user may see (need to know: trellis.pupils.access), so a teacher's are for their
own classes.

Queries: a school's Counted items are counted together in one query, and the statutory steps read
the deadlines in a fixed few, so the list costs the same whatever the number of pupils.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, QuerySet
from django.urls import reverse

from trellis.accounts.models import Role
from trellis.dashboards.progress import STILL_STUCK
from trellis.identification.models import Concern
from trellis.meetings.models import Action
from trellis.plans.models import Plan, Target
from trellis.plans.progress import current_window
from trellis.provision.access import visible_groups
from trellis.pupils.access import scope_for, visible_pupil_filter
from trellis.pupils.models import Pupil
from trellis.schools.models import School

TODO_ROLES = {Role.SENCO, Role.TEACHER, Role.TA}


class Urgency:
    OVERDUE = "overdue"
    DUE = "due"
    INFO = "info"


@dataclass(frozen=True)
class TodoItem:
    label: str  # follows the count: "3 targets to review this half term"
    count: int
    url: str
    urgency: str = Urgency.DUE


@dataclass(frozen=True)
class Counted:
    """A to-do item still to be counted: how many `rows` there are is its count."""

    rows: QuerySet
    one: str  # the label for a count of 1
    many: str
    url: str
    urgency: str = Urgency.DUE

    def item(self, n: int) -> TodoItem:
        return TodoItem(self.one if n == 1 else self.many, n, self.url, self.urgency)


Provider = Callable[[object, School, dt.date], Counted | list[TodoItem]]


def count_together(counted: list[Counted]) -> list[int]:
    """How many rows each has, in one query: SELECT (SELECT COUNT(*) FROM (...)), ... . Each
    subquery is the ORM's own SQL for the rows' keys, so the counts are those of `rows.count()`."""
    if not counted:
        return []
    parts, params = [], []
    for entry in counted:
        try:
            sql, entry_params = entry.rows.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # the ORM knows there are none (e.g. pk__in=[])
            parts.append("0")
            continue
        # The SQL is the ORM's, with its values passed apart as parameters: nothing is pasted in.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_rows)")  # noqa: S608
        params += entry_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def resolve(found: Counted | list[TodoItem]) -> list[TodoItem]:
    """One provider's items, counted now (the page counts a school's together: `todo_for`)."""
    return [found.item(found.rows.count())] if isinstance(found, Counted) else found


def end_of_week(today: dt.date) -> dt.date:
    """The Sunday of today's week (Monday to Sunday)."""
    return today + dt.timedelta(days=6 - today.weekday())


def _pupils(user, school: School, today: dt.date):
    """The pupils on roll at `school` whose SEN record `user` may see on `today`, as a subquery."""
    return Pupil.objects.filter(visible_pupil_filter(user, today), school=school).on_roll().values("pk")


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def reviews_due(user, school: School, today: dt.date) -> Counted:
    """Current targets not yet reviewed this half term (the review entry page lists the same)."""
    window = current_window(school, today)
    rows = (
        Target.objects.current()
        .filter(pupil__in=_pupils(user, school, today))
        .exclude(last_reviewed_on__gte=window.starts_on)
    )
    return Counted(
        rows,
        "target to review this half term",
        "targets to review this half term",
        reverse("review-entry", args=[school.urn]),
    )


def stuck_targets(user, school: School, today: dt.date) -> Counted:
    """Current targets flagged stuck and below the expected line, as the dashboards count them."""
    rows = Target.objects.current().filter(STILL_STUCK, pupil__in=_pupils(user, school, today))
    return Counted(rows, "stuck target", "stuck targets", reverse("target-overview", args=[school.urn]) + "?stuck=yes")


def past_review_plans(user, school: School, today: dt.date):
    return Plan.objects.filter(
        state=Plan.State.ACTIVE, review_on__lt=today, pupil__in=_pupils(user, school, today)
    ).order_by("review_on", "pk")


def plans_past_review(user, school: School, today: dt.date) -> Counted:
    """Active plans whose review date has passed (a review date of today is not past yet)."""
    return Counted(
        past_review_plans(user, school, today),
        "plan past its review date",
        "plans past their review date",
        reverse("plans-past-review", args=[school.urn]),
        Urgency.OVERDUE,
    )


def concerns_awaiting_decision(user, school: School, today: dt.date) -> Counted:
    rows = Concern.objects.open().filter(pupil__in=_pupils(user, school, today))
    return Counted(
        rows, "concern awaiting a decision", "concerns awaiting a decision", reverse("concerns", args=[school.urn])
    )


def meeting_actions_due(user, school: School, today: dt.date) -> Counted:
    """The user's own open meeting actions due by the end of this week (overdue ones included)."""
    rows = Action.objects.open().filter(
        owner=user, due_on__lte=end_of_week(today), discussion__pupil__in=_pupils(user, school, today)
    )
    return Counted(rows, "meeting action due this week", "meeting actions due this week", reverse("my-actions"))


def groups_ending(user, school: School, today: dt.date) -> Counted:
    """Intervention groups ending between today and Sunday, of those the provision map shows the
    user (every group for the SENCO; otherwise those they run or one of their pupils is in)."""
    rows = visible_groups(user, school).filter(ends_on__range=(today, end_of_week(today)))
    return Counted(
        rows,
        "intervention group ending this week",
        "intervention groups ending this week",
        reverse("provision-map", args=[school.urn]) + "?ending=week",
    )


def statutory_steps(user, school: School, today: dt.date) -> list[TodoItem]:
    """Statutory steps (EHC assessment, annual review, phase transfer, SEN support review) overdue
    and due soon, of the pupils the user may see: two items from one reading of the deadlines."""
    from trellis.deadlines.schedule import counts, deadlines

    tally = counts(deadlines(Pupil.objects.filter(visible_pupil_filter(user, today), school=school), today=today))
    url = reverse("deadlines", args=[school.urn])
    overdue, soon = tally["overdue"], tally["due_soon"]
    return [
        TodoItem(
            _plural(overdue, "statutory step overdue", "statutory steps overdue"),
            overdue,
            url + "?status=overdue",
            Urgency.OVERDUE,
        ),
        TodoItem(_plural(soon, "statutory step due soon", "statutory steps due soon"), soon, url + "?status=due_soon"),
    ]


def specialist_referrals(user, school: School, today: dt.date) -> list[TodoItem]:
    """Specialist reports overdue (seen more than SPECIALIST_REPORT_WEEKS, 6, ago with no report) and
    referrals waiting a long time (not seen REFERRAL_LONG_WAIT_WEEKS, 18, after the referral): two
    items from one query."""
    from trellis.specialists.models import Referral, long_wait_q, report_overdue_q

    referrals = Referral.objects.filter(pupil__in=_pupils(user, school, today))
    tally = referrals.aggregate(
        overdue=Count("pk", filter=report_overdue_q(today)), waiting=Count("pk", filter=long_wait_q(today))
    )
    url = reverse("referral-waits", args=[school.urn])
    overdue, waiting = tally["overdue"], tally["waiting"]
    return [
        TodoItem(
            _plural(overdue, "specialist report overdue", "specialist reports overdue"), overdue, url, Urgency.OVERDUE
        ),
        TodoItem(_plural(waiting, "referral waiting a long time", "referrals waiting a long time"), waiting, url),
    ]


PROVIDERS: list[Provider] = [
    reviews_due,
    stuck_targets,
    plans_past_review,
    concerns_awaiting_decision,
    statutory_steps,
    meeting_actions_due,
    groups_ending,
    specialist_referrals,
]


@dataclass
class SchoolTodo:
    school: School
    items: list[TodoItem]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


def todo_school_ids(user) -> set[int]:
    """The schools where this person has a to-do list: SENCO, teacher or TA there."""
    return scope_for(user).schools_with(TODO_ROLES)


def todo_schools(user) -> list[School]:
    ids = todo_school_ids(user)
    return list(School.objects.filter(pk__in=ids).order_by("name")) if ids else []


def todo_for(user, today: dt.date, schools: list[School] | None = None) -> list[SchoolTodo]:
    """Every provider's item for each of the user's to-do schools (a fixed few queries each)."""
    schools = todo_schools(user) if schools is None else schools
    return [SchoolTodo(school, _items(user, school, today)) for school in schools]


def _items(user, school: School, today: dt.date) -> list[TodoItem]:
    found = [provider(user, school, today) for provider in PROVIDERS]
    counted = [entry for entry in found if isinstance(entry, Counted)]
    counts = dict(zip(map(id, counted), count_together(counted), strict=True))
    items: list[TodoItem] = []
    for entry in found:
        items += [entry.item(counts[id(entry)])] if isinstance(entry, Counted) else entry
    return items
