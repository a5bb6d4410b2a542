"""Earlier years of the demo's plans: archived yearly plans with closed, reviewed targets, some
met, some stopped and some rolled over into the next year's plan, drawn from each pupil's spells
on the register (their SEN history)."""

from __future__ import annotations

import datetime as dt
import random

from trellis.assessment.models import Domain
from trellis.plans.models import Plan, Target
from trellis.plans.progress import Status
from trellis.pupils import bulk
from trellis.pupils.models import SenStatus, SenStatusEntry

from . import plan_texts as texts
from .dates import at_noon, term_day
from .targets import Goal, draw_goal, gains, insert_reviews, moved, review, value
from .wording import about

HISTORY_PLANS = 4  # archived yearly plans per pupil at most: the years before the active plan, since records
# moved into Trellis
MIN_PLAN_DAYS = 90  # a spell on the register shorter than this had no plan of its own
# How earlier targets ended: the rule decides their last status; these shape the data. "stopped"
# targets were dropped or replaced after a review or two.
HISTORY_PROFILES = [("achieved", 40), ("on_track", 14), ("at_risk", 23), ("off_track", 15), ("stopped", 8)]
ROLL_OVER_SHARE = 0.45  # unmet targets carried into the next plan, towards the same goal
UNCHANGED_SHARE = 0.3  # of those, rolled over with the same baseline (flagged stuck by the rule)

Span = tuple[dt.date, dt.date | None, bool]  # start, end or None, under an EHC plan


def register_spans(school, on_roll: set[int]) -> dict[int, list[Span]]:
    """Pupil -> their spells on SEN support or an EHC plan, oldest first (SEN support then an EHC
    plan is two spells, so that no plan of the EHC plan's outcomes starts before it was issued)."""
    spans: dict[int, list[Span]] = {}
    periods = (
        SenStatusEntry.objects.filter(pupil__school=school, status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .order_by("pupil_id", "starts_on")
        .values_list("pupil_id", "status", "starts_on", "ends_on")
    )
    for pk, status, starts, ends in periods:
        if pk in on_roll:
            spans.setdefault(pk, []).append((starts, ends, status == SenStatus.EHC_PLAN))
    return spans


def chunks(spans: list[Span], until: dt.date) -> list[tuple[dt.date, dt.date, bool]]:
    """The yearly plans of a pupil's spells on the register before `until`, newest first:
    (start, end, under an EHC plan), at most HISTORY_PLANS."""
    found: list[tuple[dt.date, dt.date, bool]] = []
    for start, end, ehc in reversed(spans):
        stop = min(end or until, until)
        while len(found) < HISTORY_PLANS:
            begin = max(start, stop - dt.timedelta(days=365))
            if (stop - begin).days < MIN_PLAN_DAYS:
                break
            found.append((begin, stop, ehc))
            stop = begin
    return found


def seed_history(rng: random.Random, *, spans, current_starts, today, scales, people, years, sex_of) -> None:
    """Archived plans for the years before each pupil's active plan (or before they came off the
    register), each with 2 to 4 targets reviewed half-termly and closed: met, stopped, or ended
    with the plan, some carried into the next year's plan."""
    plans, ages = _archived_plans(rng, spans, current_starts, today)
    earlier: dict[int, list[tuple[Target, Goal]]] = {}  # pupil -> last year's unmet targets
    for age in range(HISTORY_PLANS - 1, -1, -1):  # oldest first, so rolled-over targets can point back
        targets, drawn, unmet = [], [], {}
        for plan in (plan for plan, plan_age in zip(plans, ages, strict=True) if plan_age == age):
            carried = earlier.get(plan.pupil_id, [])
            for target, goal, rows in _plan_targets(rng, plan, carried, scales, people, years, sex_of[plan.pupil_id]):
                targets.append(target)
                drawn.append(rows)
                if target.last_status != Status.ACHIEVED:
                    unmet.setdefault(plan.pupil_id, []).append((target, goal))
        bulk.insert_objects(Target, targets)
        insert_reviews(targets, drawn, at_noon)
        earlier = unmet


def _archived_plans(rng: random.Random, spans, current_starts, today) -> tuple[list[Plan], list[int]]:
    """The saved archived plans, and each one's age (0 for the newest archived plan of its pupil)."""
    plans, ages = [], []
    for pk in sorted(spans):
        until = current_starts.get(pk, today)
        for age, (begin, stop, ehc) in reversed(list(enumerate(chunks(spans[pk], until)))):
            begin = term_day(begin, forward=True)
            kind = Plan.Kind.EHC if ehc else rng.choices([Plan.Kind.SEN_SUPPORT, Plan.Kind.ILP], weights=[3, 1])[0]
            plans.append(_archived_plan(rng, pk, kind, begin, stop))
            ages.append(age)
    bulk.insert_objects(Plan, plans)
    return plans, ages


def _archived_plan(rng: random.Random, pk: int, kind: str, begin: dt.date, stop: dt.date) -> Plan:
    return Plan(
        pupil_id=pk,
        kind=kind,
        state=Plan.State.ARCHIVED,
        title=f"{Plan.Kind(kind).label} from {begin:%B %Y}",
        strengths=rng.choice(texts.STRENGTHS),
        pupil_good_at=rng.choice(texts.GOOD_AT),
        pupil_find_hard=rng.choice(texts.FIND_HARD),
        pupil_what_helps=rng.choice(texts.WHAT_HELPS),
        pupil_views_how=rng.choice(texts.VIEWS_HOW),
        strategies=rng.choice(texts.STRATEGIES),
        provision=rng.choice(texts.PROVISION),
        written_by=texts.WRITTEN_BY,
        starts_on=begin,
        review_on=stop,
        needs={rng.choice(Domain.values): "Needs support with " + rng.choice(texts.FIND_HARD).lower()},
        created_at=at_noon(begin),
        updated_at=at_noon(stop),
    )


def _plan_targets(rng: random.Random, plan: Plan, unmet, scales, people, years, sex: str) -> list[tuple]:
    """Targets of one archived plan with their reviews: some carried on from last year's unmet ones."""
    count = rng.randint(3, 5)
    carried = [pair for pair in unmet if rng.random() < ROLL_OVER_SHARE][:count]
    used = {goal.idea[2] for _, goal in carried}
    fresh = rng.sample([idea for idea in texts.TARGET_IDEAS if idea[2] not in used], count - len(carried))
    made = []
    for position, (before, item) in enumerate([*carried, *((None, idea) for idea in fresh)], 1):
        if before is not None:  # carried on from where the pupil got to (or, now and then, unchanged)
            reached = 0 if rng.random() < UNCHANGED_SHARE else int(before.last_gain or 0)
            goal = Goal(item.idea, item.scale, moved(item.scale, item.baseline, reached), item.planned - reached)
        else:
            goal = draw_goal(rng, item, scales)
        made.append(_closed_target(rng, plan, position, goal, before, people, years, sex))
    return made


def _closed_target(rng: random.Random, plan: Plan, position: int, goal: Goal, before, people, years, sex: str) -> tuple:
    """One target of an archived plan, reviewed half-termly and closed: (target, goal, drawn reviews)."""
    profile = rng.choices([p for p, _ in HISTORY_PROFILES], weights=[w for _, w in HISTORY_PROFILES])[0]
    begin, stop = plan.starts_on, plan.review_on
    starts_on = begin
    if rng.random() < 0.15 and (stop - begin).days > 200:  # added to the plan later in the year
        starts_on = term_day(begin + dt.timedelta(days=rng.randint(40, 150)), forward=True)
    dates = _review_dates(rng, starts_on, stop)
    due = stop if rng.random() < 0.95 else None
    span = max(((due or stop) - starts_on).days, 1)
    fractions = [min(1.0, (d - starts_on).days / span) for d in dates]
    if profile == "stopped":
        drawn_gains = gains(rng.choice(["on_track", "at_risk"]), goal.planned, fractions)[: rng.randint(1, 3)]
        dates = dates[: len(drawn_gains)]
    else:
        drawn_gains = gains(profile, goal.planned, fractions)
    _, area, description, criteria = goal.idea[:4]
    target = Target(
        plan_id=plan.pk,
        pupil_id=plan.pupil_id,
        position=position,
        description=about(sex, description),
        area=area,
        scale_id=goal.scale.pk,
        baseline_value=value(goal.scale, goal.baseline, 0),
        target_value=value(goal.scale, goal.baseline, goal.planned),
        success_criteria=criteria if rng.random() < 0.85 else "",
        strategies=rng.choice(texts.STRATEGIES),
        responsible=rng.choice(texts.RESPONSIBLE),
        starts_on=starts_on,
        target_date=due,
        rolled_over_from=before,
        created_at=at_noon(starts_on),
    )
    rows = review(rng, target, goal, dates, drawn_gains, people, years)
    target.closed_on = _closed_on(rng, target, profile, dates, stop)
    return target, goal, rows


def _review_dates(rng: random.Random, starts_on: dt.date, stop: dt.date) -> list[dt.date]:
    """Half-termly reviews in term time, then one at the plan's review meeting."""
    dates, last = [], starts_on + dt.timedelta(days=rng.randint(28, 45))
    while last < stop - dt.timedelta(days=25):
        day = term_day(last)
        if day > (dates[-1] if dates else starts_on):
            dates.append(day)
        last += dt.timedelta(days=rng.randint(52, 62))
    final = term_day(stop - dt.timedelta(days=rng.randint(3, 10)))
    if final > (dates[-1] if dates else starts_on):
        dates.append(final)
    return dates


def _closed_on(rng: random.Random, target: Target, profile: str, dates: list[dt.date], stop: dt.date) -> dt.date:
    """Met on the review that reached it; stopped a little after the last review; else with the plan."""
    if target.last_status == Status.ACHIEVED:
        return dates[-1]
    if profile == "stopped":
        dropped = term_day(min(dates[-1] + dt.timedelta(days=rng.randint(7, 20)), stop))
        return max(dropped, dates[-1])
    return term_day(stop)
