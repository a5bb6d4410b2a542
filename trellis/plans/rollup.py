"""Progress rollups: current targets and pupils by status, per school, for the trust dashboard.

Zero lag: `refresh` runs inside every transaction that changes a target's summary, a target, a
plan's state or a pupil's school or leaving date (services and signals: see apps.py), so a
saved review shows on the next page load. `rebuild` makes them afresh (after bulk loads).

**Once per change.** A service that saves a target and then its summary would refresh the pupil
twice (the save's signal, then refresh_summary). Inside `deferred()` a refresh only notes the
pupils, and the outermost block refreshes them all at its end, still inside the transaction:
one pass, and on PostgreSQL one lock of each pupil's row, taken last (after the targets' and the
review tallies' rows, in every service alike). Outside a block, a refresh happens at once, so
admin edits and ad-hoc saves stay right.

**Why rows carry dates.** A target's status today depends on the day: a review counts only in
the current half term (`trellis.plans.progress.status_now`), and "overdue" means no review for
eight weeks. Rather than key rows by half term (schools' calendars differ, and the dashboard
reads with its reference school's), each row says up to which window start it applies:

- a target reviewed as on track on day d counts as on track for windows starting on or before
  d and as not reviewed after: rows (not_reviewed, ALWAYS, +1), (not_reviewed, d, -1),
  (on_track, d, +1). Achieved (and never assessed) targets have one ALWAYS row.
- A pupil's status is their least good target's: a step function of the window start W that
  can change only at their targets' review dates. With breakpoints b1 < ... < bk, the pupil adds
  +1 to their status for W after bk (ALWAYS) and, at each bi where it differs,
  +1 to the status for W <= bi and -1 to the status just after it.
- Overdue: not achieved with the latest review (or, without one, the start) before the cut-off
  C: (ALWAYS, +1) and (that date, -1).

So the figure for window start W is the sum of rows with date >= W, which reads only the rows of
the current half term and the ALWAYS ones. A leaving date is the other day that matters: a
pupil's rows carry `until`, their last day on roll, and count while until >= today. The
figures are then right on any day without a nightly job.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import groupby

from asgiref.local import Local
from django.db import transaction
from django.db.models import Count, Q, Sum

from trellis.lib.upsert import add_to
from trellis.pupils.models import Pupil

from .models import Plan, ProgressTally, PupilRollup, Target
from .progress import Status

ALWAYS = dt.date(9999, 12, 31)
ONE_DAY = dt.timedelta(days=1)
M = ProgressTally.Measure
REVIEWED = (Status.ON_TRACK.value, Status.AT_RISK.value, Status.OFF_TRACK.value)
# A pupil's status is the worst of their targets' (the order of dashboards.progress.PUPIL_ORDER).
WORST_LAST = [Status.ACHIEVED, Status.ON_TRACK, Status.NOT_REVIEWED, Status.AT_RISK, Status.OFF_TRACK]
RANK = {status.value: n for n, status in enumerate(WORST_LAST)}
TARGET_FIELDS = (
    "pupil_id",
    "last_status",
    "last_reviewed_on",
    "starts_on",
    "last_gain",
    "last_share",
    "stuck",
    "scale_id",
)

# (measure, status, scale_key, date, until) -> [count, total]
Key = tuple[str, str, int, dt.date, dt.date]
Parts = dict[Key, list]


def _status_on(last_status: str, reviewed_on: dt.date | None, window_start: dt.date) -> str:
    """`progress.status_now` for one target and a window start."""
    if last_status == Status.ACHIEVED:
        return last_status
    if last_status and reviewed_on is not None and reviewed_on >= window_start:
        return last_status
    return Status.NOT_REVIEWED.value


def pupil_parts(targets: list[tuple], until: dt.date) -> Parts:
    """The tally rows one pupil adds, from their current targets (TARGET_FIELDS rows)."""
    parts: Parts = defaultdict(lambda: [0, Decimal(0)])

    def add(measure: str, status: str, date: dt.date, count: int, total: Decimal = Decimal(0), scale: int = 0):
        part = parts[(measure, status, scale, date, until)]
        part[0] += count
        part[1] += total

    for _, status, reviewed_on, starts_on, gain, share, stuck, scale_id in targets:
        if status in REVIEWED and reviewed_on is not None:  # (a status without a date counts as none, as in status_now)
            add(M.TARGETS, Status.NOT_REVIEWED, ALWAYS, 1)
            add(M.TARGETS, Status.NOT_REVIEWED, reviewed_on, -1)
            add(M.TARGETS, status, reviewed_on, 1)
        else:
            add(M.TARGETS, Status.ACHIEVED if status == Status.ACHIEVED else Status.NOT_REVIEWED, ALWAYS, 1)
        if status != Status.ACHIEVED:
            add(M.OVERDUE, "", ALWAYS, 1)
            add(M.OVERDUE, "", reviewed_on or starts_on, -1)
        if stuck and status not in (Status.ACHIEVED, Status.ON_TRACK):  # dashboards.progress.STILL_STUCK
            add(M.STUCK, "", ALWAYS, 1)
        if gain is not None:
            add(M.GAIN, "", ALWAYS, 1, gain, scale_id)
        if share is not None:
            add(M.SHARE, "", ALWAYS, 1, share, scale_id)
    if targets:
        breaks = sorted({t[2] for t in targets if t[1] in REVIEWED and t[2] is not None})

        def worst(window_start: dt.date) -> str:
            return max((_status_on(t[1], t[2], window_start) for t in targets), key=RANK.__getitem__)

        add(M.PUPILS, worst(breaks[-1] + ONE_DAY if breaks else ALWAYS), ALWAYS, 1)
        for day in breaks:
            before, after = worst(day), worst(day + ONE_DAY)
            if before != after:
                add(M.PUPILS, before, day, 1)
                add(M.PUPILS, after, day, -1)
    return {key: value for key, value in parts.items() if value[0] or value[1]}


def _current(which: Q, *extra: str) -> Iterator[tuple]:
    """Current targets (as Target.objects.current()), TARGET_FIELDS and `extra`, by pupil."""
    return (
        Target.objects.filter(which, plan__state=Plan.State.ACTIVE, closed_on__isnull=True)
        .order_by("pupil_id")
        .values_list(*TARGET_FIELDS, *extra)
        .iterator(chunk_size=5000)
    )


def _by_pupil(rows: Iterator[tuple]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


def _until(left_on: dt.date | None) -> dt.date:
    return left_on - ONE_DAY if left_on else ALWAYS


def _encode(parts: Parts) -> list:
    return [[m, s, scale, d.isoformat(), u.isoformat(), c, str(t)] for (m, s, scale, d, u), (c, t) in parts.items()]


def _decode(stored: list) -> Parts:
    return {
        (m, s, scale, dt.date.fromisoformat(d), dt.date.fromisoformat(u)): [c, Decimal(t)]
        for m, s, scale, d, u, c, t in stored
    }


# The pupils a `deferred()` block will refresh; None outside one. Local as Django keeps its
# connections (per thread and async context), so a block belongs to its connection's transaction.
_batch = Local()


@contextmanager
def deferred() -> Iterator[None]:
    """While open, `refresh` (and so the signals) only notes pupils; the outermost block refreshes
    them in one `refresh` as it ends, inside the transaction it joins (or opens). Nested blocks
    join the outermost. On an exception nothing is refreshed, and the transaction must roll back
    (atomic without a savepoint: a caller that carries on in it gets TransactionManagementError
    rather than committing saves the tallies never counted)."""
    with transaction.atomic(savepoint=False):
        if getattr(_batch, "ids", None) is not None:
            yield
            return
        pending = _batch.ids = set()
        try:
            yield
        finally:
            _batch.ids = None
        refresh(pending)


def refresh(pupil_ids: Iterable[int]) -> None:
    """Bring these pupils' share of the tallies up to date with their targets (call inside the
    transaction that changed them); inside `deferred()`, at the end of the outermost block. The
    pupils' rows are locked first, so two saves for one pupil take turns and the second counts the
    first's change."""
    ids = sorted({pk for pk in pupil_ids if pk is not None})
    if not ids:
        return
    pending = getattr(_batch, "ids", None)
    if pending is not None:
        pending.update(ids)
        return
    with transaction.atomic(savepoint=False):  # a transaction of its own only when called outside one
        pupils = {
            pk: (school_id, left_on)
            for pk, school_id, left_on in Pupil.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "school_id", "left_on")
        }
        stored = {r.pupil_id: r for r in PupilRollup.objects.filter(pupil_id__in=ids)}
        targets = _by_pupil(_current(Q(pupil_id__in=list(pupils))))
        changes: dict[tuple[int, Key], list] = defaultdict(lambda: [0, Decimal(0)])
        keep, drop = [], []
        for pk in ids:
            old = stored.get(pk)
            school_id, left_on = pupils.get(pk, (None, None))
            new = pupil_parts(targets.get(pk, []), _until(left_on)) if school_id is not None else {}
            if old is not None:
                if old.school_id == school_id and _decode(old.parts) == new:
                    continue
                for key, (count, total) in _decode(old.parts).items():
                    change = changes[(old.school_id, key)]
                    change[0] -= count
                    change[1] -= total
            for key, (count, total) in new.items():
                change = changes[(school_id, key)]
                change[0] += count
                change[1] += total
            if new:
                keep.append(PupilRollup(pupil_id=pk, school_id=school_id, parts=_encode(new)))
            elif old is not None:
                drop.append(pk)
        if drop:
            PupilRollup.objects.filter(pupil_id__in=drop).delete()
        if keep:
            PupilRollup.objects.bulk_create(
                keep, update_conflicts=True, unique_fields=["pupil_id"], update_fields=["school_id", "parts"]
            )
        _apply({key: value for key, value in changes.items() if value[0] or value[1]})


def _apply(changes: dict[tuple[int, Key], list]) -> None:
    """Add the changes to the tallies in one statement (an upsert that adds to what is there, so
    two transactions adding to one row both count); rows in key order, against deadlocks."""
    add_to(
        ProgressTally,
        ["school_id", "measure", "status", "scale_key", "date", "until"],
        ["count", "total"],
        {
            (school_id, str(m), str(s), scale, d, u): (c, t)
            for (school_id, (m, s, scale, d, u)), (c, t) in changes.items()
        },
    )


@transaction.atomic
def rebuild(school_ids: Iterable[int] | None = None) -> int:
    """Count afresh for these schools' pupils (or every school's), in one pass over their current
    targets; returns the number of pupils counted."""
    tallies, kept, which = ProgressTally.objects.all(), PupilRollup.objects.all(), Q()
    if school_ids is not None:
        school_ids = list(school_ids)
        tallies = tallies.filter(school_id__in=school_ids)
        which = Q(pupil__school_id__in=school_ids)
        pupils = Pupil.objects.filter(school_id__in=school_ids).values("pk")
        kept = kept.filter(Q(school_id__in=school_ids) | Q(pupil_id__in=pupils))
    tallies.delete()
    kept.delete()
    rollups, totals = count_rows(_current(which, "pupil__school_id", "pupil__left_on"))
    PupilRollup.objects.bulk_create(
        (PupilRollup(pupil_id=pk, school_id=school_id, parts=parts) for pk, school_id, parts in rollups),
        batch_size=5000,
    )
    ProgressTally.objects.bulk_create(
        (ProgressTally(school_id=school_id, **fields) for school_id, fields in totals),
        batch_size=5000,
    )
    return len(rollups)


def count_rows(rows: Iterable[tuple]) -> tuple[list[tuple[int, int, list]], list[tuple[int, dict]]]:
    """From current targets (TARGET_FIELDS, the pupil's school and leaving date; ordered by
    pupil): (pupil, school, stored parts) for each pupil and (school, ProgressTally fields) for
    each tally row. Pure, so the migration that adds the rollups fills them with it too."""
    totals: dict[tuple[int, Key], list] = defaultdict(lambda: [0, Decimal(0)])
    rollups = []
    for pupil, group in groupby(rows, key=lambda row: row[0]):
        group = list(group)
        school_id, left_on = group[0][-2:]
        parts = pupil_parts([row[:-2] for row in group], _until(left_on))
        if parts:
            rollups.append((pupil, school_id, _encode(parts)))
        for key, (n, total) in parts.items():
            part = totals[(school_id, key)]
            part[0] += n
            part[1] += total
    fields = [
        (school_id, {"measure": m, "status": s, "scale_key": k, "date": d, "until": u, "count": c, "total": t})
        for (school_id, (m, s, k, d, u)), (c, t) in totals.items()
        if c or t
    ]
    return rollups, fields


# --- Reading ---------------------------------------------------------------------------------


def _live(school_ids: Iterable[int], window_start: dt.date, cutoff: dt.date, today: dt.date):
    """The tally rows that count today for this window start and overdue cut-off."""
    return ProgressTally.objects.filter(
        Q(measure=M.OVERDUE, date__gte=cutoff) | (~Q(measure=M.OVERDUE) & Q(date__gte=window_start)),
        school_id__in=list(school_ids),
        date__gte=min(window_start, cutoff),
        until__gte=today,
    )


def by_school(
    school_ids: Iterable[int], *, window_start: dt.date, cutoff: dt.date, today: dt.date
) -> dict[int, dict[tuple[str, str], tuple[int, Decimal]]]:
    """school id -> (measure, status) -> (count, total), summed over scales: one query."""
    rows = (
        _live(school_ids, window_start, cutoff, today)
        .values_list("school_id", "measure", "status")
        .annotate(n=Sum("count"), t=Sum("total"))
        .order_by()
    )
    found: dict[int, dict] = defaultdict(dict)
    for school_id, measure, status, n, total in rows:
        if n or total:
            found[school_id][(measure, status)] = (int(n), Decimal(str(total or 0)))
    return found


def by_scale(school_ids: Iterable[int], *, today: dt.date) -> dict[int, dict[str, tuple[int, Decimal]]]:
    """scale id -> gain/share -> (targets, total) over these schools: one query."""
    rows = (
        ProgressTally.objects.filter(
            school_id__in=list(school_ids), measure__in=[M.GAIN, M.SHARE], date=ALWAYS, until__gte=today
        )
        .values_list("scale_key", "measure")
        .annotate(n=Sum("count"), t=Sum("total"))
        .order_by()
    )
    found: dict[int, dict] = defaultdict(dict)
    for scale, measure, n, total in rows:
        if n:
            found[scale][measure] = (int(n), Decimal(str(total or 0)))
    return found


def recount(school_ids: Iterable[int], *, window_start: dt.date, cutoff: dt.date, today: dt.date) -> dict:
    """`by_school` computed from the targets themselves (for checks and tests): the rules of
    dashboards.progress applied directly."""
    from trellis.dashboards.progress import PUPIL_ORDER

    targets = _by_pupil(
        Target.objects.filter(pupil__school_id__in=list(school_ids), plan__state=Plan.State.ACTIVE)
        .filter(closed_on__isnull=True)
        .filter(Q(pupil__left_on__isnull=True) | Q(pupil__left_on__gt=today))
        .order_by("pupil_id")
        .values_list(*TARGET_FIELDS)
        .iterator()
    )
    schools = dict(Pupil.objects.filter(pk__in=list(targets)).values_list("pk", "school_id"))
    counts: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: [0, Decimal(0)]))

    def add(school_id, measure, status, total=Decimal(0)):
        counts[school_id][(measure, status)][0] += 1
        counts[school_id][(measure, status)][1] += total

    for pk, rows in targets.items():
        school_id = schools[pk]
        statuses = []
        for _, status, reviewed_on, starts_on, gain, share, stuck, _ in rows:
            now = _status_on(status, reviewed_on, window_start)
            statuses.append(now)
            add(school_id, M.TARGETS, now)
            if status != Status.ACHIEVED and (reviewed_on or starts_on) < cutoff:
                add(school_id, M.OVERDUE, "")
            if stuck and status not in (Status.ACHIEVED, Status.ON_TRACK):
                add(school_id, M.STUCK, "")
            if gain is not None:
                add(school_id, M.GAIN, "", gain)
            if share is not None:
                add(school_id, M.SHARE, "", share)
        add(school_id, M.PUPILS, max(statuses, key=lambda s: PUPIL_ORDER.index(Status(s))))
    return {school_id: {key: (n, total) for key, (n, total) in found.items()} for school_id, found in counts.items()}


def pupils_counted(school_ids: Iterable[int]) -> int:
    """How many pupils have a share in the tallies (for the rebuild command's report)."""
    return PupilRollup.objects.filter(school_id__in=list(school_ids)).aggregate(n=Count("pk"))["n"]


# --- Signals (connected in apps.py) ------------------------------------------------------------

# The pupil fields the rollups depend on; a save that changes neither leaves them alone.
PUPIL_FIELDS = {"school", "school_id", "left_on"}


def target_saved(sender, instance: Target, raw: bool = False, **kwargs) -> None:
    if not raw:  # loading fixtures or a backup: the rollups come with them
        refresh([instance.pupil_id])


def target_deleted(sender, instance: Target, **kwargs) -> None:
    refresh([instance.pupil_id])


def plan_saved(sender, instance: Plan, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:  # a new plan has no targets yet
        refresh([instance.pupil_id])


def pupil_saved(sender, instance: Pupil, created: bool, update_fields=None, raw: bool = False, **kwargs) -> None:
    if not created and not raw and (update_fields is None or PUPIL_FIELDS & set(update_fields)):
        counted = _counted_as(instance.pk)
        if counted is not None and counted != (instance.school_id, _until(instance.left_on)):
            refresh([instance.pk])


def _counted_as(pupil_id: int) -> tuple[int, dt.date] | None:
    """The school and last day on roll the pupil's share was counted with; None when they have no
    share, as a pupil without current targets has none wherever they are. One read, against the
    refresh's several, as most saves of a pupil (a name, a need) change neither. Read after the
    save, in its transaction, so it compares with what the tallies hold, not with what this
    instance was loaded with (a stale instance may put back an old school)."""
    row = PupilRollup.objects.filter(pupil_id=pupil_id).values_list("school_id", "parts").first()
    if row is None or not row[1]:
        return None
    school_id, parts = row
    return school_id, dt.date.fromisoformat(parts[0][4])  # every part carries the same `until`
