"""SEN histories for synthetic pupils: status periods, ranked needs and EHC plan dates.

The rows obey the register's rules (trellis.pupils.services): every pupil's status periods run
without gaps from the day they joined (N until anything else), exactly one status period and at
most one need per rank is open, and the pupil's denormalised sen_status and primary_need match
the open rows. They are written in bulk, so seeding 60,000 pupils takes seconds, not the audited
one-row-at-a-time path, through the register's bulk writer (which checks these rules).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from trellis.deadlines.rules import annual_review_due
from trellis.pupils import bulk
from trellis.pupils.bulk import NeedPeriod, StatusPeriod
from trellis.pupils.models import EhcPlan, SenStatus, SenStatusEntry

from . import data
from .dates import at_noon, random_day, school_day

M, K, E, N = SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN, SenStatus.NONE
IMPORT, MANUAL = SenStatusEntry.Source.IMPORT, SenStatusEntry.Source.MANUAL
PATHS = {
    M: (((M,), 1),),
    K: (((K,), 0.6), ((M, K), 0.4)),
    E: (((E,), 0.45), ((K, E), 0.4), ((M, K, E), 0.15)),
    N: (((K, N), 0.6), ((M, N), 0.4)),  # once on the register, now off it
}
SPECIAL_PATHS = {E: (((E,), 0.7), ((K, E), 0.3)), K: (((K,), 1),)}
REASONS = {
    M: "Concern raised by the class teacher; monitoring before deciding.",
    K: "Needs identified through assess, plan, do, review; SEN support from the school's resources.",
    E: "EHC plan issued by the local authority.",
    N: "Good progress: needs now met by quality first teaching; removed from the register.",
}
ON_JOINING = {
    N: "No SEN recorded on joining.",
    M: "Joined with concerns noted by the previous setting; monitoring.",
    K: "Joined on SEN support (from the previous setting's records).",
    E: "Joined with an EHC plan (from the previous setting's records).",
}
# Days a status takes to follow the one before: an EHC needs assessment alone takes 20 weeks.
MIN_DAYS_BEFORE = {K: 42, E: 140, N: 180, M: 28}
NEED_CHANGE_SHARE = 0.25
OVERDUE_REVIEW_SHARE = 0.06


@dataclass
class SenHistory:
    """What one pupil's register record will hold; `status` and `primary_need` go on the pupil itself."""

    statuses: list[tuple[str, dt.date]] = field(default_factory=list)
    needs: list[tuple[str, int, dt.date, dt.date | None]] = field(default_factory=list)  # code, rank, from, to
    plan: tuple[dt.date, dt.date | None, dt.date] | None = None  # issued, last review, next due

    @property
    def status(self) -> str:
        return self.statuses[-1][0] if self.statuses else N

    @property
    def primary_need(self) -> str | None:
        return next((code for code, rank, _, ends in self.needs if rank == 1 and ends is None), None)


def _path(rng: random.Random, final: str, phase: str) -> tuple[str, ...]:
    options = (SPECIAL_PATHS if phase == data.SPECIAL else PATHS).get(final) or PATHS[final]
    return rng.choices([path for path, _ in options], weights=[weight for _, weight in options])[0]


def _weighted(rng: random.Random, weights: dict[str, float], exclude: set[str] = frozenset()) -> str:
    codes = [code for code in weights if code not in exclude]
    return rng.choices(codes, weights=[weights[code] for code in codes])[0]


def draft_history(
    rng: random.Random, *, final: str, phase: str, first_day: dt.date, last_day: dt.date, born: dt.date
) -> SenHistory:
    """A plausible history ending in `final` (N means 'came off the register'), within the dates."""
    history = SenHistory()
    if final == N and rng.random() >= data.PAST_SEN_SHARE:
        return history
    path = _path(rng, final, phase)
    days = _days(rng, path, first_day, last_day)
    if days is None:  # too new to have a history: arrived with this status
        if path[-1] == N:
            return history
        path, days = (path[-1],), [first_day]
    history.statuses = list(zip(path, days, strict=True))
    _draft_needs(rng, history, phase, last_day)
    if history.status == E:
        history.plan = _plan_dates(rng, history, born=born, joined=first_day, last_day=last_day)
    return history


def _days(rng: random.Random, path: tuple[str, ...], first_day: dt.date, last_day: dt.date) -> list[dt.date] | None:
    """A start day for each status of `path`, in order, at least MIN_DAYS_BEFORE apart, from first_day
    (half the time exactly: they joined with it) to last_day; None if there is not room."""
    gaps = [MIN_DAYS_BEFORE[status] for status in path[1:]]
    arrived_with_it = rng.random() < 0.5
    room = (last_day - first_day).days - sum(gaps) - (0 if arrived_with_it else 1)
    if room < 0:
        return None
    offsets = sorted(rng.randint(0, room) for _ in path)
    if arrived_with_it:
        offsets[0] = 0
    else:
        offsets = [offset + 1 for offset in offsets]
    days, gap_so_far = [], 0
    for index, offset in enumerate(offsets):
        gap_so_far += gaps[index - 1] if index else 0
        day = first_day + dt.timedelta(days=offset + gap_so_far)
        days.append(day if index == 0 and arrived_with_it else max(school_day(day), first_day))
    ordered = all(a < b for a, b in itertools.pairwise(days))
    return days if ordered and days[-1] <= last_day else None


def _draft_needs(rng: random.Random, history: SenHistory, phase: str, last_day: dt.date) -> None:
    on_register = [(status, day) for status, day in history.statuses if status in (K, E)]
    if not on_register:
        return
    started = on_register[0][1]
    removed = next((day for status, day in history.statuses if status == N), None)
    mix_status = history.status if history.status in (K, E) else K
    mix = data.NEED_MIX.get((phase, mix_status)) or data.NEED_MIX[(data.PRIMARY, mix_status)]
    primary = _weighted(rng, mix)
    changed_on = None
    earlier = data.EARLIER_NEEDS.get(primary)
    if earlier and len(on_register) > 1 and rng.random() < 0.6:
        changed_on = on_register[1][1]  # the assessment for the EHC plan named the need
    elif earlier and rng.random() < NEED_CHANGE_SHARE and removed is None:
        changed_on = _between(rng, started, last_day)
    if changed_on and changed_on > started:
        history.needs.append((earlier, 1, started, changed_on))
        history.needs.append((primary, 1, changed_on, removed))
    else:
        history.needs.append((primary, 1, started, removed))
    if primary != "NSA" and rng.random() < data.SECOND_NEED_SHARE:
        taken = {primary, earlier or ""}
        history.needs.append((_weighted(rng, data.SECOND_NEED_MIX, taken), 2, started, removed))


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date | None:
    """A school day at least four weeks after start (assessment takes time), or None if too soon."""
    first = start + dt.timedelta(days=28)
    return school_day(random_day(rng, first, end)) if first < end else None


def _plan_dates(
    rng: random.Random, history: SenHistory, *, born: dt.date, joined: dt.date, last_day: dt.date
) -> tuple[dt.date, dt.date | None, dt.date]:
    """Issue date, last annual review and next due; a few reviews are overdue. Only a pupil who
    joined with a plan has one issued before they joined; otherwise it was issued when their
    history says they went onto it."""
    became_e = history.statuses[-1][1]
    if became_e <= joined:  # arrived with a plan: issued before they came
        earliest = max(born + dt.timedelta(days=3 * 365), became_e - dt.timedelta(days=3 * 365))
        issued = random_day(rng, earliest, became_e) if earliest < became_e else became_e
    else:
        issued = became_e
    anniversaries = []
    due = annual_review_due(issued)
    while due <= last_day:
        anniversaries.append(due)
        due = annual_review_due(due)
    if not anniversaries:
        return issued, None, annual_review_due(issued)
    if rng.random() < OVERDUE_REVIEW_SHARE:
        anniversaries.pop()  # this year's review has not happened: overdue
        if not anniversaries:
            return issued, None, annual_review_due(issued)
    reviewed = school_day(anniversaries[-1] - dt.timedelta(days=rng.randint(7, 45)))
    reviewed = min(max(reviewed, issued + dt.timedelta(days=1)), last_day)
    return issued, reviewed, annual_review_due(reviewed)


def periods(draft, *, senco) -> tuple[list[StatusPeriod], list[NeedPeriod]]:
    """One pupil's status periods (from the day they joined: N until anything else) and needs."""
    pupil, history = draft.pupil, draft.history
    dated = list(history.statuses)
    if not dated or dated[0][1] > pupil.enrolled_on:  # the history runs from the day they joined
        dated.insert(0, (N, pupil.enrolled_on))
    statuses = []
    for index, (status, starts) in enumerate(dated):
        ends = dated[index + 1][1] if index + 1 < len(dated) else None
        if index == 0:
            statuses.append(StatusPeriod(status, starts, ends, IMPORT, ON_JOINING[status], None, at_noon(starts)))
        else:
            statuses.append(StatusPeriod(status, starts, ends, MANUAL, REASONS[status], senco.pk, at_noon(starts)))
    needs = [
        NeedPeriod(code, rank, starts, ends, senco.pk, at_noon(starts)) for code, rank, starts, ends in history.needs
    ]
    return statuses, needs


def insert_plans(drafts: Iterable, *, local_authority: str) -> None:
    """The EHC plans of pupils that have been saved."""
    plans = [(d.pupil.pk, local_authority, *d.history.plan) for d in drafts if d.history.plan]
    plan_fields = ["pupil_id", "local_authority", "issued_on", "last_annual_review_on", "next_annual_review_due"]
    bulk.insert_rows(EhcPlan, plan_fields, plans)
