"""Demo stage: plans, targets, reviews and baseline assessments for one school.

Believable and fast: bulk inserts only, a few queries a school whatever its size. For every
pupil with SEN support (K) or an EHC plan (E): an active plan (SEN support plan, ILP or, for EHC
pupils, the EHC plan's outcomes), often a pupil passport, sometimes a kept version; 2 to 4
targets on several scales with a year of half-termly reviews shaped so that every status
(achieved, on track, at risk, off track, not reviewed) and the stuck flag occur. Pupils with
earlier years on the register also have archived yearly plans (trellis.demo.plan_history).
Every target's summary fields and every review's status are worked out by the on-track rule
(trellis.plans.progress), as refresh_summary would. Every pupil on roll gets baseline
assessments in reading, writing and maths.
"""

from __future__ import annotations

import datetime as dt
import random

from trellis.accounts.models import Membership, Role
from trellis.assessment.models import Domain
from trellis.assessment.scales import scales_by_id
from trellis.plans.models import EhcOutcome, Plan, PlanVersion, Target
from trellis.plans.progress import Window, current_window
from trellis.pupils import bulk
from trellis.pupils.models import Pupil, SenStatus
from trellis.schools.models import School

from . import plan_texts as texts
from .assessments import seed_baselines
from .dates import seeded_at
from .plan_history import chunks, register_spans, seed_history
from .targets import Goal, draw_goal, gains, insert_reviews, review, value
from .wording import about

BATCH = 5000
# Share of targets shaped to each status (the rule decides; these shape the data). A pupil counts as
# off track when any of their 2 to 4 targets is (at-risk ones with a one-step goal are too, once more
# than a quarter of their time has passed with no step gained), so these put about a fifth of pupils
# with SEN off track and most of the rest on track or nearly (at risk).
PROFILES = [("achieved", 10), ("on_track", 53), ("at_risk", 20), ("off_track", 8), ("not_reviewed", 9)]


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    """Plans, targets, reviews and assessments for one school whose pupils, SEN status, classes
    and staff already exist."""
    scales = {s.code: s for s in scales_by_id(None).values()}
    window = current_window(school, today)
    year = school.current_academic_year(today)
    baseline_point = year.assessment_points.filter(is_baseline=True).first() if year else None
    people = _reviewers(school)
    # In id order, not the model's by name: collations differ between databases, and the same seed
    # should make the same data on each.
    on_roll = list(
        Pupil.objects.filter(school=school)
        .on_roll(today)
        .order_by("pk")
        .values_list("pk", "sen_status", "sex", "enrolled_on", named=True)
    )
    years = list(school.academic_years.values_list("starts_on", "ends_on"))
    history = register_spans(school, {pupil.pk for pupil in on_roll})

    seed_baselines(rng, [(pupil.pk, pupil.sen_status) for pupil in on_roll], scales, baseline_point, today, people)
    sen = [pupil for pupil in on_roll if pupil.sen_status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)]
    sex_of = {pupil.pk: pupil.sex for pupil in on_roll}  # the pronouns of generated text
    common = {"today": today, "scales": scales, "people": people, "years": years, "sex_of": sex_of}
    current_starts = _seed_current(rng, sen, window=window, history=history, **common)
    seed_history(rng, spans=history, current_starts=current_starts, **common)


def _reviewers(school: School) -> list[tuple[int | None, str]]:
    """(user id, name) of the staff who write plans and reviews."""
    staff = (
        Membership.objects.filter(school=school, role__in=[Role.TEACHER, Role.TA, Role.SENCO])
        .select_related("user")
        .order_by("pk")
    )
    return [(m.user_id, m.user.get_full_name() or m.user.get_username()) for m in staff] or [(None, "system")]


def _seed_current(rng, sen, *, scales, window, today, people, years, history, sex_of) -> dict[int, dt.date]:
    """This year's plans with their targets and reviews; returns when each pupil's active plan started."""
    if not sen:
        return {}
    now = seeded_at(today)
    plans, targeted, current_starts = _draw_plans(rng, sen, today=today, now=now, history=history)
    bulk.insert_objects(Plan, plans)
    bulk.insert_objects(PlanVersion, _versions(rng, plans, now))
    outcomes = _outcomes(rng, [plans[index] for index in targeted])
    targets, shapes = [], []
    for index in targeted:
        plan = plans[index]
        for target, shape in _draw_targets(rng, plan, outcomes.get(plan.pk), scales, today, now, sex_of[plan.pupil_id]):
            targets.append(target)
            shapes.append(shape)
    # Reviews are drawn before the targets are saved so that each target's summary fields (what
    # the dashboards aggregate) go in with it, worked out by the same rule as a recorded review.
    drawn = [
        _draw_reviews(rng, target, shape, window=window, today=today, people=people, years=years)
        for target, shape in zip(targets, shapes, strict=True)
    ]
    bulk.insert_objects(Target, targets)
    insert_reviews(targets, drawn, lambda day: now)
    return current_starts


def _draw_plans(rng, sen, *, today, now, history) -> tuple[list[Plan], list[int], dict[int, dt.date]]:
    """Unsaved plans of every pupil with SEN; the indexes of those with targets (one active plan a
    pupil); when each pupil's active plan started: about a year ago, or when they went onto SEN
    support or their EHC plan if that was later (never before their history says)."""
    plans, targeted, current_starts = [], [], {}
    for pk, status, _, enrolled_on in sen:
        spells = history.get(pk, [])
        started = today - dt.timedelta(days=rng.randint(300, 340))
        started = max(started, spells[-1][0]) if spells else started
        current_starts[pk] = started
        content = _content(rng, started)
        if status == SenStatus.EHC_PLAN:
            kind = Plan.Kind.EHC
        else:
            kind = rng.choices([Plan.Kind.SEN_SUPPORT, Plan.Kind.ILP], weights=[3, 1])[0]
        title = f"{Plan.Kind(kind).label} from {started:%B %Y}"
        targeted.append(len(plans))
        plans.append(_plan(pk, kind, Plan.State.ACTIVE, title, now, content))
        if rng.random() < 0.5:
            plans.append(_plan(pk, Plan.Kind.PASSPORT, Plan.State.ACTIVE, "Pupil passport", now, content))
        # The previous setting's plan, for a pupil who joined with SEN and has no earlier years here.
        if rng.random() < 0.2 and not chunks(spells, started) and _joined_with_sen(spells, enrolled_on):
            earlier = content | {"starts_on": started - dt.timedelta(days=365), "review_on": started}
            plans.append(_plan(pk, Plan.Kind.SEN_SUPPORT, Plan.State.ARCHIVED, "Previous support plan", now, earlier))
        if rng.random() < 0.1:
            plans.append(_plan(pk, Plan.Kind.SEN_SUPPORT, Plan.State.DRAFT, "Draft for next year", now, content))
    return plans, targeted, current_starts


def _joined_with_sen(spells: list, enrolled_on: dt.date | None) -> bool:
    return bool(spells) and (enrolled_on is None or spells[0][0] <= enrolled_on)


def _content(rng: random.Random, started: dt.date) -> dict:
    """What a plan says, from the pupil's views to the provision."""
    return {
        "strengths": rng.choice(texts.STRENGTHS),
        "pupil_good_at": rng.choice(texts.GOOD_AT),
        "pupil_find_hard": rng.choice(texts.FIND_HARD),
        "pupil_what_helps": rng.choice(texts.WHAT_HELPS),
        "pupil_views_how": rng.choice(texts.VIEWS_HOW),
        "parent_views": rng.choice(texts.PARENT_VIEWS),
        "strategies": rng.choice(texts.STRATEGIES),
        "provision": rng.choice(texts.PROVISION),
        "written_by": texts.WRITTEN_BY,
        "starts_on": started,
        "review_on": started + dt.timedelta(days=rng.choice([120, 180, 365])),
        "needs": {rng.choice(Domain.values): "Needs support with " + rng.choice(texts.FIND_HARD).lower()},
    }


def _plan(pk: int, kind: str, state: str, title: str, now: dt.datetime, content: dict) -> Plan:
    return Plan(pupil_id=pk, kind=kind, state=state, title=title, created_at=now, updated_at=now, **content)


def _versions(rng: random.Random, plans: list[Plan], now: dt.datetime) -> list[PlanVersion]:
    """An earlier version of some active plans that began long enough ago, as kept when a plan is edited."""
    in_force_from = now - dt.timedelta(days=200)
    return [
        PlanVersion(
            plan_id=p.pk,
            number=1,
            content=p.content() | {"strategies": "Seat near the front."},
            in_force_from=in_force_from,
            saved_at=now - dt.timedelta(days=60),
        )
        for p in plans
        if p.state == Plan.State.ACTIVE and rng.random() < 0.3 and p.starts_on <= in_force_from.date()
    ]


def _outcomes(rng: random.Random, plans: list[Plan]) -> dict[int, list[EhcOutcome]]:
    """Two outcomes for each saved EHC plan: plan id -> its outcomes."""
    outcomes = [
        EhcOutcome(plan_id=plan.pk, position=n, text=text)
        for plan in plans
        if plan.kind == Plan.Kind.EHC
        for n, text in enumerate(rng.sample(texts.OUTCOMES, 2), 1)
    ]
    EhcOutcome.objects.bulk_create(outcomes, batch_size=BATCH)
    by_plan: dict[int, list[EhcOutcome]] = {}
    for outcome in outcomes:
        by_plan.setdefault(outcome.plan_id, []).append(outcome)
    return by_plan


def _draw_targets(rng, plan: Plan, outcomes, scales, today: dt.date, now: dt.datetime, sex: str) -> list[tuple]:
    """2 to 4 unsaved targets of an active plan, each with its (goal, profile, due date)."""
    made = []
    for position, idea in enumerate(rng.sample(texts.TARGET_IDEAS, rng.randint(2, 4)), 1):
        goal = draw_goal(rng, idea, scales)
        _, area, description, criteria = idea[:4]
        profile = rng.choices([p for p, _ in PROFILES], weights=[w for _, w in PROFILES])[0]
        # Most targets started with the plan, a year of reviews ago; some on track or at risk were
        # set later in the year (never before the plan). Achieved ones were due before now; the rest a
        # year after they started.
        starts_on = plan.starts_on
        if profile in ("on_track", "at_risk") and rng.random() < 0.6:
            starts_on = max(today - dt.timedelta(days=rng.randint(120, 280)), plan.starts_on)
        due = starts_on + dt.timedelta(days=rng.randint(220, 280) if profile == "achieved" else 365)
        target = Target(
            plan_id=plan.pk,
            pupil_id=plan.pupil_id,
            position=position,
            description=about(sex, description),
            area=area,
            outcome_id=rng.choice(outcomes).pk if outcomes else None,
            scale_id=goal.scale.pk,
            baseline_value=value(goal.scale, goal.baseline, 0),
            target_value=value(goal.scale, goal.baseline, goal.planned),
            success_criteria=criteria if rng.random() < 0.85 else "",
            strategies=rng.choice(texts.STRATEGIES),
            responsible=rng.choice(texts.RESPONSIBLE),
            starts_on=starts_on,
            target_date=due if rng.random() < 0.92 else None,
            created_at=now,
        )
        made.append((target, (goal, profile, due)))
    return made


def _draw_reviews(rng, target: Target, shape: tuple[Goal, str, dt.date], *, window: Window, today, people, years):
    """A year of half-termly reviews up to this half term (or, not reviewed, up to the one before)."""
    goal, profile, due = shape
    last = today - dt.timedelta(days=rng.randint(0, max(0, min(10, (today - window.starts_on).days))))
    if profile == "not_reviewed":
        last = window.starts_on - dt.timedelta(days=rng.randint(5, 30))
    dates = []
    while last > target.starts_on + dt.timedelta(days=20):
        dates.append(last if last.month != 8 else last.replace(month=7, day=rng.randint(8, 20)))  # not in the holidays
        last -= dt.timedelta(days=rng.randint(52, 62))
    dates.reverse()
    span = max((due - target.starts_on).days, 1)
    drawn_gains = gains(profile, goal.planned, [min(1.0, (d - target.starts_on).days / span) for d in dates])
    return review(rng, target, goal, dates, drawn_gains, people, years)
