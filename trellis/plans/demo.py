"""Demo data for plans, targets, reviews and baseline assessments (called by seed_demo per school).

Believable and fast: bulk inserts only (trellis.demo.bulk), a few queries a school whatever its
size. For every pupil with SEN support (K) or an EHC plan (E): an active plan (SEN support plan,
ILP or, for EHC pupils, the EHC plan's outcomes), often a pupil passport, sometimes a kept
version; 2 to 4 targets on several scales with a year of half-termly reviews shaped so that every
status (achieved, on track, at risk, off track, not reviewed) and the stuck flag occur. Pupils
with earlier years on the register (from their SEN history) also have archived yearly plans for
up to two years before, with closed targets reviewed every half term, some met, some stopped and
some rolled over into the next plan. Every target's summary fields and every review's status are
worked out by the on-track rule (trellis.plans.progress), as refresh_summary would. Every pupil on
roll gets baseline assessments in reading, writing and maths.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import NamedTuple

from trellis.accounts.models import Membership, Role
from trellis.assessment.models import Assessment, Domain, Scale
from trellis.assessment.scales import scales_by_id
from trellis.demo import bulk
from trellis.demo.dates import at_noon, seeded_at, term_day
from trellis.pupils.models import Pupil, SenStatus, SenStatusEntry

from .models import EhcOutcome, Plan, PlanVersion, Review, SmallStep, Target
from .progress import Status, current_window, stored_status, summarise, summary_fields

BATCH = 5000

# (scale code, area, description, success criteria, small steps, baseline range, planned gain range)
TARGET_IDEAS = [
    (
        "nc-levels",
        Domain.COGNITION,
        "Read and understand a short book at his level, answering 3 of 4 questions",
        "Answers 3 of 4 questions about a new book on two occasions",
        ["Retells the story in order", "Answers 'who' and 'where' questions", "Answers 'why' questions"],
        (0, 7),
        (2, 3),
    ),
    (
        "nc-levels",
        Domain.COGNITION,
        "Add and subtract two-digit numbers using a number line without adult help",
        "8 of 10 sums right on a weekly check",
        ["Counts on in tens", "Adds ones to a two-digit number", "Subtracts using the number line"],
        (1, 7),
        (2, 3),
    ),
    (
        "pks",
        Domain.COGNITION,
        "Write two sentences with capital letters and full stops independently",
        "Two sentences in three pieces of independent writing",
        ["Says the sentence aloud first", "Leaves finger spaces", "Uses a capital letter and full stop"],
        (0, 5),
        (2, 3),
    ),
    (
        "edsm",
        Domain.SLC,
        "Use 10 new topic words correctly in class discussion each half term",
        "Uses the words unprompted in 3 lessons",
        ["Matches words to pictures", "Uses words with a prompt"],
        (0, 0),
        (2, 3),
    ),
    (
        "edsm",
        Domain.SOCIAL,
        "Take turns in a small-group game for 10 minutes with one reminder",
        "Observed in 3 of 4 sessions",
        ["Waits for a turn with a visual cue", "Says 'your turn'"],
        (0, 1),
        (1, 2),
    ),
    (
        "leuven-wellbeing",
        Domain.SEMH,
        "Settle calmly on arrival using her check-in routine 4 days a week",
        "Leuven well-being of 4 or more on 4 of 5 mornings",
        ["Uses the feelings chart", "Chooses a calm activity"],
        (0, 1),
        (2, 3),
    ),
    (
        "leuven-involvement",
        Domain.SEMH,
        "Stay on a chosen task for 10 minutes in the nurture group",
        "Involvement of 4 or more in 3 sessions",
        [],
        (0, 1),
        (2, 3),
    ),
    (
        "standardised",
        Domain.SPLD,
        "Raise his single-word reading score by 8 points through daily precision teaching",
        "Standardised score of 85 or more on the next test",
        ["Reads 20 high-frequency words", "Reads 40 high-frequency words"],
        (72, 86),
        (6, 10),
    ),
    (
        "reading-age",
        Domain.SPLD,
        "Increase reading age by 9 months with three phonics sessions a week",
        "Reading age test at the end of the spring term",
        [],
        (66, 100),
        (8, 12),
    ),
    (
        "sdq-total",
        Domain.SEMH,
        "Reduce difficulties in class to below the high band with a daily check-in",
        "SDQ total difficulties of 15 or less at review",
        [],
        (17, 24),
        (4, 7),
    ),
    (
        "p-scales",
        Domain.COGNITION,
        "Match objects to photographs in 4 of 5 trials",
        "4 of 5 trials on two days",
        ["Matches identical objects", "Matches object to photo"],
        (2, 6),
        (2, 2),
    ),
    (
        "engagement",
        Domain.COGNITION,
        "Anticipate the next step of the sensory story with a sound or gesture",
        "Seen in 3 sessions running",
        [],
        (0, 1),
        (1, 2),
    ),
    (
        "count",
        Domain.PHYSICAL,
        "Catch a large ball from 2 metres 8 times out of 10",
        "8 catches out of 10 in PE on two occasions",
        ["Catches from 1 metre"],
        (2, 4),
        (4, 6),
    ),
]

STRENGTHS = [
    "Kind to others and loves animals",
    "Good at building with Lego and construction",
    "Enjoys music and remembers songs",
    "Works hard and keeps trying",
    "Great sense of humour",
    "Loves drawing and art",
]
GOOD_AT = [
    "Drawing, football and helping in class",
    "Remembering facts about dinosaurs",
    "Making people laugh",
    "Computers and building things",
]
FIND_HARD = [
    "Reading long words and writing quickly",
    "Noisy rooms and changes to the day",
    "Waiting for my turn",
    "Remembering instructions",
]
WHAT_HELPS = [
    "A visual timetable and a quiet space",
    "Instructions one at a time and a word mat",
    "A movement break and a warning before changes",
    "Working with a partner I trust",
]
STRATEGIES = [
    "Seat near the front, away from the door. Give instructions one at a time and check understanding.",
    "Use the visual timetable; warn before transitions. Pre-teach topic vocabulary.",
    "Coloured overlay and cream paper. Allow extra time and a scribe for longer writing.",
]
PROVISION = [
    "Precision teaching 3 x 10 mins a week (TA)",
    "Small-group phonics 4 x 20 mins a week",
    "Nurture group twice a week",
    "Speech and language programme 2 x 15 mins a week (TA)",
]
OUTCOMES = [
    "By the end of key stage 2, read and understand age-appropriate texts with support",
    "Communicate needs and feelings to familiar adults using words or symbols",
    "Manage changes in routine with adult support and stay regulated",
    "Take part in group work and make a friend in class",
]
COMMENTS = {
    "up": ["Good progress this half term", "Much more confident", "Secure with support now", "Moving on well"],
    "flat": ["No change yet", "Absences affected progress", "Needs a new approach", "Finding this hard"],
}
# Share of targets shaped to each status (the rule decides; these shape the data).
PROFILES = [("achieved", 7), ("on_track", 36), ("at_risk", 20), ("off_track", 12), ("not_reviewed", 20)]


def _profile(rng: random.Random) -> str:
    return rng.choices([p for p, _ in PROFILES], weights=[w for _, w in PROFILES])[0]


def _value(scale: Scale, baseline: Decimal, gain: int) -> str:
    if scale.is_ordered:
        return scale.ordered_steps[int(baseline) + gain].value
    number = baseline + gain if scale.higher_is_better else baseline - gain
    return f"{number.normalize():f}"


def _gains(profile: str, planned: int, fractions: list[float]) -> list[int]:
    """Steps gained at each review, so that the on-track rule gives the wanted status."""
    gains = []
    for n, f in enumerate(fractions):
        if profile == "achieved":
            gain = planned if n == len(fractions) - 1 else min(planned - 1, math.ceil(planned * f))
        elif profile == "on_track":
            gain = math.ceil(planned * f)  # at least the pro rata share (reaching the target makes it achieved)
        elif profile == "not_reviewed":
            gain = min(planned - 1, math.ceil(planned * f))
        elif profile == "at_risk":
            gain = max(1, math.floor(planned * f * 0.4)) if n >= len(fractions) - 2 else math.floor(planned * f * 0.4)
            gain = min(gain, max(math.ceil(planned * f) - 1, 1), planned - 1)
        else:  # off track: early movement lost, then flat (and so stuck)
            gain = 1 if n == 1 and len(fractions) > 3 else 0
        gains.append(max(gain, 0))
    return gains


def seed_school(*, school, rng: random.Random, today: dt.date) -> None:
    """Plans, targets, reviews and assessments for one school whose pupils, SEN status, classes
    and staff already exist."""
    scales = {s.code: s for s in scales_by_id(None).values()}
    window = current_window(school, today)
    year = school.current_academic_year(today)
    baseline_point = year.assessment_points.filter(is_baseline=True).first() if year else None
    staff = list(
        Membership.objects.filter(school=school, role__in=[Role.TEACHER, Role.TA, Role.SENCO])
        .select_related("user")
        .order_by("pk")
    )
    people = [(m.user_id, m.user.get_full_name() or m.user.get_username()) for m in staff] or [(None, "system")]
    # In id order, not the model's by name: collations differ between databases, and the same seed
    # should make the same data on each.
    pupils = list(Pupil.objects.filter(school=school).on_roll(today).order_by("pk").values_list("pk", "sen_status"))
    years = list(school.academic_years.values_list("starts_on", "ends_on"))
    history = _register_spans(school, {pk for pk, _ in pupils})

    _seed_assessments(pupils, scales, baseline_point, today, rng, people)
    sen = [(pk, status) for pk, status in pupils if status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)]
    current_starts = _seed_current(
        rng, sen, scales=scales, window=window, today=today, people=people, years=years, history=history
    )
    _seed_history(
        rng, spans=history, current_starts=current_starts, today=today, scales=scales, people=people, years=years
    )


def _seed_current(rng, sen, *, scales, window, today, people, years, history) -> dict[int, dt.date]:
    """This year's plans with their targets and reviews; returns when each pupil's active plan started."""
    if not sen:
        return {}
    now = seeded_at(today)
    plans, plan_targets = [], []  # plan_targets: (plan index, outcome texts) for active plans
    current_starts = {}
    for pk, status in sen:
        started = today - dt.timedelta(days=rng.randint(300, 340))
        current_starts[pk] = started
        content = {
            "strengths": rng.choice(STRENGTHS),
            "pupil_good_at": rng.choice(GOOD_AT),
            "pupil_find_hard": rng.choice(FIND_HARD),
            "pupil_what_helps": rng.choice(WHAT_HELPS),
            "pupil_views_how": rng.choice(["Written by the pupil", "Written with the pupil by their TA"]),
            "parent_views": rng.choice(
                [
                    "Mum says homework is a struggle",
                    "Dad is pleased with progress in reading",
                    "Parents would like more information about phonics",
                ]
            ),
            "strategies": rng.choice(STRATEGIES),
            "provision": rng.choice(PROVISION),
            "written_by": "SENCO with class teacher, pupil and parents",
            "starts_on": started,
            "review_on": started + dt.timedelta(days=rng.choice([120, 180, 365])),
            "needs": {rng.choice(Domain.values): "Needs support with " + rng.choice(FIND_HARD).lower()},
        }
        if status == SenStatus.EHC_PLAN:
            kind = Plan.Kind.EHC
        else:
            kind = rng.choices([Plan.Kind.SEN_SUPPORT, Plan.Kind.ILP], weights=[3, 1])[0]
        plans.append(
            Plan(
                pupil_id=pk,
                kind=kind,
                state=Plan.State.ACTIVE,
                title=f"{Plan.Kind(kind).label} from {started:%B %Y}",
                created_at=now,
                updated_at=now,
                **content,
            )
        )
        plan_targets.append(len(plans) - 1)
        if rng.random() < 0.5:
            plans.append(
                Plan(
                    pupil_id=pk,
                    kind=Plan.Kind.PASSPORT,
                    state=Plan.State.ACTIVE,
                    title="Pupil passport",
                    created_at=now,
                    updated_at=now,
                    **(content | {"strategies": content["strategies"]}),
                )
            )
        if rng.random() < 0.2 and not _chunks(history.get(pk, []), started):  # else _seed_history writes them
            earlier = started - dt.timedelta(days=365)
            plans.append(
                Plan(
                    pupil_id=pk,
                    kind=Plan.Kind.SEN_SUPPORT,
                    state=Plan.State.ARCHIVED,
                    title="Previous support plan",
                    created_at=now,
                    updated_at=now,
                    **(content | {"starts_on": earlier, "review_on": started}),
                )
            )
        if rng.random() < 0.1:
            plans.append(
                Plan(
                    pupil_id=pk,
                    kind=Plan.Kind.SEN_SUPPORT,
                    state=Plan.State.DRAFT,
                    title="Draft for next year",
                    created_at=now,
                    updated_at=now,
                    **content,
                )
            )
    Plan.objects.bulk_create(plans, batch_size=BATCH)
    PlanVersion.objects.bulk_create(
        [
            PlanVersion(
                plan_id=p.pk,
                number=1,
                content=p.content() | {"strategies": "Seat near the front."},
                in_force_from=now - dt.timedelta(days=200),
                saved_at=now - dt.timedelta(days=60),
            )
            for p in plans
            if p.state == Plan.State.ACTIVE and rng.random() < 0.3
        ],
        batch_size=BATCH,
    )
    outcomes = []
    for index in plan_targets:
        if plans[index].kind == Plan.Kind.EHC:
            outcomes += [
                EhcOutcome(plan_id=plans[index].pk, position=n, text=text)
                for n, text in enumerate(rng.sample(OUTCOMES, 2), 1)
            ]
    EhcOutcome.objects.bulk_create(outcomes, batch_size=BATCH)
    outcomes_by_plan: dict[int, list[EhcOutcome]] = {}
    for outcome in outcomes:
        outcomes_by_plan.setdefault(outcome.plan_id, []).append(outcome)

    targets, shapes = [], []
    for index in plan_targets:
        plan = plans[index]
        for position, idea in enumerate(rng.sample(TARGET_IDEAS, rng.randint(2, 4)), 1):
            code, area, description, criteria, steps, (low, high), (g_low, g_high) = idea
            scale = scales[code]
            planned = rng.randint(g_low, g_high)
            if scale.is_ordered:
                high = min(high, len(scale.ordered_steps) - 1 - planned)
            baseline = Decimal(rng.randint(low, max(low, high)))
            profile = _profile(rng)
            # Most targets started with the plan, a year of reviews ago; some on track or at risk were
            # set later in the year. Achieved ones were due before now; the rest a year after they started.
            starts_on = plan.starts_on
            if profile in ("on_track", "at_risk") and rng.random() < 0.6:
                starts_on = today - dt.timedelta(days=rng.randint(120, 280))
            due = starts_on + dt.timedelta(days=rng.randint(220, 280) if profile == "achieved" else 365)
            ehc = outcomes_by_plan.get(plan.pk)
            targets.append(
                Target(
                    plan_id=plan.pk,
                    pupil_id=plan.pupil_id,
                    position=position,
                    description=description,
                    area=area,
                    outcome_id=rng.choice(ehc).pk if ehc else None,
                    scale_id=scale.pk,
                    baseline_value=_value(scale, baseline, 0),
                    target_value=_value(scale, baseline, planned),
                    success_criteria=criteria if rng.random() < 0.85 else "",
                    strategies=rng.choice(STRATEGIES),
                    responsible=rng.choice(["Class teacher", "TA", "SENCO", "HLTA"]),
                    starts_on=starts_on,
                    target_date=due if rng.random() < 0.92 else None,
                    created_at=now,
                )
            )
            shapes.append((Goal(idea, scale, baseline, planned), profile, due))
    # Reviews are drawn before the targets are saved so that each target's summary fields (what
    # the dashboards aggregate) go in with it, worked out by the same rule as a recorded review.
    drawn = []  # per target: [(date, value, comment, user, name, status, gain)], small steps
    for target, (goal, profile, due) in zip(targets, shapes, strict=True):
        last = today - dt.timedelta(days=rng.randint(0, max(0, min(10, (today - window.starts_on).days))))
        if profile == "not_reviewed":
            last = window.starts_on - dt.timedelta(days=rng.randint(5, 30))
        dates = []
        while last > target.starts_on + dt.timedelta(days=20):
            dates.append(
                last if last.month != 8 else last.replace(month=7, day=rng.randint(8, 20))
            )  # not in the holidays
            last -= dt.timedelta(days=rng.randint(52, 62))
        dates.reverse()
        span = max((due - target.starts_on).days, 1)
        gains = _gains(profile, goal.planned, [min(1.0, (d - target.starts_on).days / span) for d in dates])
        drawn.append(_review(rng, target, goal, dates, gains, people, years))
    Target.objects.bulk_create(targets, batch_size=BATCH)
    _insert_reviews(targets, drawn, lambda day: now)
    return current_starts


class DrawnReview(NamedTuple):
    date: dt.date
    value: str
    comment: str
    user: int | None
    name: str


def _seed_assessments(pupils, scales, point, today, rng, people) -> None:
    """Baseline reading, writing and maths (standardised scores) for every pupil on roll, lower
    on average for pupils with SEN; plus a Leuven well-being baseline for pupils with SEN."""
    if point is None or point.date > today:
        return
    standardised, wellbeing = scales["standardised"], scales["leuven-wellbeing"]
    rows = []
    for pk, status in pupils:
        mean = 84 if status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN) else 101
        user = rng.choice(people)[0]
        now = seeded_at(today)
        for subject in ("reading", "writing", "maths"):
            score = max(55, min(145, round(rng.gauss(mean, 12))))
            rows.append((pk, standardised.pk, str(score), Domain.COGNITION, subject, point.pk, point.date, user, now))
        if status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN):
            value = str(rng.randint(2, 4))
            rows.append((pk, wellbeing.pk, value, Domain.SEMH, "", point.pk, point.date, user, now))
    fields = [
        "pupil_id",
        "scale_id",
        "value",
        "domain",
        "subject",
        "assessment_point_id",
        "date",
        "recorded_by_id",
        "recorded_at",
    ]
    bulk.insert_rows(Assessment, fields, rows)


# --- Earlier years: archived plans with closed, reviewed targets ----------------------------

HISTORY_PLANS = 4  # archived yearly plans per pupil at most: the years before the active plan, since records
# moved into Trellis
MIN_PLAN_DAYS = 90  # a spell on the register shorter than this had no plan of its own
# How earlier targets ended: the rule decides their last status; these shape the data. "stopped"
# targets were dropped or replaced after a review or two.
HISTORY_PROFILES = [("achieved", 40), ("on_track", 14), ("at_risk", 23), ("off_track", 15), ("stopped", 8)]
ROLL_OVER_SHARE = 0.45  # unmet targets carried into the next plan, towards the same goal
UNCHANGED_SHARE = 0.3  # of those, rolled over with the same baseline (flagged stuck by the rule)
REVIEW_FIELDS = [
    "target_id",
    "date",
    "value",
    "comment",
    "reviewed_by_id",
    "reviewed_by_name",
    "created_at",
    "status",
    "gain",
]


class Goal(NamedTuple):
    """What a drawn target aims at: `planned` steps from `baseline` (a step index, or a number)."""

    idea: tuple
    scale: Scale
    baseline: Decimal
    planned: int


def _review(rng, target, goal: Goal, dates, gains, people, years) -> tuple[list, list, list]:
    """Reviews of `target` on `dates` showing `gains`; sets the target's summary fields from them
    by the on-track rule, as refresh_summary would. Returns the reviews, the progress each left
    and the small steps, ticked as far as the pupil got."""
    rows, previous = [], 0
    for date, gain in zip(dates, gains, strict=True):
        user, name = rng.choice(people)
        comment = rng.choice(COMMENTS["up" if gain > previous else "flat"]) if rng.random() < 0.7 else ""
        rows.append(DrawnReview(date, _value(goal.scale, goal.baseline, gain), comment, user, name))
        previous = gain
    target.scale = goal.scale
    # refresh_summary reads the year from the school's calendar on the latest review (or the start).
    progress = summarise(target, rows, _year_ends(years, dates[-1] if dates else target.starts_on))
    for name, value in summary_fields(progress).items():
        setattr(target, name, value)
    steps = goal.idea[4]
    ticked = round(len(steps) * min(1.0, previous / goal.planned)) if dates else 0
    return (
        rows,
        progress,
        [(n, text, dates[n - 1] if n <= ticked and n <= len(dates) else None) for n, text in enumerate(steps, 1)],
    )


def _insert_reviews(targets: list[Target], drawn: list[tuple], created_at) -> None:
    """The reviews (with the status and gain each left) and small steps of saved targets."""
    reviews, small_steps = [], []
    for target, (rows, progress, steps) in zip(targets, drawn, strict=True):
        reviews += [
            (target.pk, r.date, r.value, r.comment, r.user, r.name, created_at(r.date), stored_status(p), p.gain)
            for r, p in zip(rows, progress, strict=True)
        ]
        small_steps += [(target.pk, *step) for step in steps]
    bulk.insert_rows(Review, REVIEW_FIELDS, reviews)
    bulk.insert_rows(SmallStep, ["target_id", "position", "text", "achieved_on"], small_steps)


def _year_ends(years: list[tuple[dt.date, dt.date]], day: dt.date) -> dt.date | None:
    return next((ends for starts, ends in years if starts <= day <= ends), None)


def _register_spans(school, on_roll: set[int]) -> dict[int, list[tuple[dt.date, dt.date | None, dt.date | None]]]:
    """Pupil -> their unbroken spells on SEN support or an EHC plan, oldest first:
    (start, end or None, when the EHC plan began or None)."""
    spans: dict[int, list[list]] = {}
    periods = (
        SenStatusEntry.objects.filter(pupil__school=school, status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .order_by("pupil_id", "starts_on")
        .values_list("pupil_id", "status", "starts_on", "ends_on")
    )
    for pk, status, starts, ends in periods:
        if pk not in on_roll:
            continue
        mine = spans.setdefault(pk, [])
        if mine and mine[-1][1] == starts:  # K then E: one spell
            mine[-1][1] = ends
        else:
            mine.append([starts, ends, None])
        if status == SenStatus.EHC_PLAN and mine[-1][2] is None:
            mine[-1][2] = starts
    return {pk: [tuple(span) for span in mine] for pk, mine in spans.items()}


def _chunks(spans, until: dt.date) -> list[tuple[dt.date, dt.date, bool]]:
    """The yearly plans of a pupil's spells on the register before `until`, newest first:
    (start, end, under an EHC plan), at most HISTORY_PLANS."""
    chunks: list[tuple[dt.date, dt.date, bool]] = []
    for start, end, ehc_from in reversed(spans):
        stop = min(end or until, until)
        while len(chunks) < HISTORY_PLANS:
            begin = max(start, stop - dt.timedelta(days=365))
            if (stop - begin).days < MIN_PLAN_DAYS:
                break
            chunks.append((begin, stop, ehc_from is not None and ehc_from <= begin + dt.timedelta(days=60)))
            stop = begin
    return chunks


def _moved(scale: Scale, baseline: Decimal, gain: int) -> Decimal:
    """The baseline `gain` steps on (for a target rolled over from where the pupil got to)."""
    return baseline + gain if scale.is_ordered or scale.higher_is_better else baseline - gain


def _seed_history(rng, *, spans, current_starts, today, scales, people, years) -> None:
    """Archived plans for the years before each pupil's active plan (or before they came off the
    register), each with 2 to 4 targets reviewed half-termly and closed: met, stopped, or ended
    with the plan, some carried into the next year's plan."""
    plans, ages = [], []  # ages: per plan, 0 for the newest archived plan of its pupil
    for pk in sorted(spans):
        until = current_starts.get(pk, today)
        for age, (begin, stop, ehc) in reversed(list(enumerate(_chunks(spans[pk], until)))):
            begin = term_day(begin, forward=True)
            kind = Plan.Kind.EHC if ehc else rng.choices([Plan.Kind.SEN_SUPPORT, Plan.Kind.ILP], weights=[3, 1])[0]
            plans.append(
                Plan(
                    pupil_id=pk,
                    kind=kind,
                    state=Plan.State.ARCHIVED,
                    title=f"{Plan.Kind(kind).label} from {begin:%B %Y}",
                    strengths=rng.choice(STRENGTHS),
                    pupil_good_at=rng.choice(GOOD_AT),
                    pupil_find_hard=rng.choice(FIND_HARD),
                    pupil_what_helps=rng.choice(WHAT_HELPS),
                    pupil_views_how=rng.choice(["Written by the pupil", "Written with the pupil by their TA"]),
                    strategies=rng.choice(STRATEGIES),
                    provision=rng.choice(PROVISION),
                    written_by="SENCO with class teacher, pupil and parents",
                    starts_on=begin,
                    review_on=stop,
                    needs={rng.choice(Domain.values): "Needs support with " + rng.choice(FIND_HARD).lower()},
                    created_at=at_noon(begin),
                    updated_at=at_noon(stop),
                )
            )
            ages.append(age)
    Plan.objects.bulk_create(plans, batch_size=BATCH)
    earlier: dict[int, list[tuple[Target, Goal]]] = {}  # pupil -> last year's unmet targets
    for age in range(HISTORY_PLANS - 1, -1, -1):  # oldest first, so rolled-over targets can point back
        targets, drawn, unmet = [], [], {}
        for plan in (plan for plan, plan_age in zip(plans, ages, strict=True) if plan_age == age):
            for target, goal, rows in _history_targets(
                rng, plan, earlier.get(plan.pupil_id, []), scales, people, years
            ):
                targets.append(target)
                drawn.append(rows)
                if target.last_status != Status.ACHIEVED:
                    unmet.setdefault(plan.pupil_id, []).append((target, goal))
        Target.objects.bulk_create(targets, batch_size=BATCH)
        _insert_reviews(targets, drawn, at_noon)
        earlier = unmet


def _history_targets(rng, plan: Plan, unmet, scales, people, years):
    """Targets of one archived plan with their reviews: some carried on from last year's unmet ones."""
    count = rng.randint(3, 5)
    carried = [pair for pair in unmet if rng.random() < ROLL_OVER_SHARE][:count]
    used = {goal.idea[2] for _, goal in carried}
    fresh = rng.sample([idea for idea in TARGET_IDEAS if idea[2] not in used], count - len(carried))
    begin, stop = plan.starts_on, plan.review_on
    made = []
    for position, (before, item) in enumerate([*carried, *((None, idea) for idea in fresh)], 1):
        if before is not None:  # carried on from where the pupil got to (or, now and then, unchanged)
            reached = 0 if rng.random() < UNCHANGED_SHARE else int(before.last_gain or 0)
            goal = Goal(item.idea, item.scale, _moved(item.scale, item.baseline, reached), item.planned - reached)
        else:
            goal = _goal(rng, item, scales)
        code, area, description, criteria = goal.idea[:4]
        profile = rng.choices([p for p, _ in HISTORY_PROFILES], weights=[w for _, w in HISTORY_PROFILES])[0]
        starts_on = begin
        if rng.random() < 0.15 and (stop - begin).days > 200:  # added to the plan later in the year
            starts_on = term_day(begin + dt.timedelta(days=rng.randint(40, 150)), forward=True)
        # Half-termly reviews, then one at the plan's review meeting.
        dates, last = [], starts_on + dt.timedelta(days=rng.randint(28, 45))
        while last < stop - dt.timedelta(days=25):
            day = term_day(last)
            if day > (dates[-1] if dates else starts_on):
                dates.append(day)
            last += dt.timedelta(days=rng.randint(52, 62))
        final = term_day(stop - dt.timedelta(days=rng.randint(3, 10)))
        if final > (dates[-1] if dates else starts_on):
            dates.append(final)
        due = stop if rng.random() < 0.95 else None
        span = max(((due or stop) - starts_on).days, 1)
        fractions = [min(1.0, (d - starts_on).days / span) for d in dates]
        if profile == "stopped":
            gains = _gains(rng.choice(["on_track", "at_risk"]), goal.planned, fractions)[: rng.randint(1, 3)]
            dates = dates[: len(gains)]
        else:
            gains = _gains(profile, goal.planned, fractions)
        target = Target(
            plan_id=plan.pk,
            pupil_id=plan.pupil_id,
            position=position,
            description=description,
            area=area,
            scale_id=goal.scale.pk,
            baseline_value=_value(goal.scale, goal.baseline, 0),
            target_value=_value(goal.scale, goal.baseline, goal.planned),
            success_criteria=criteria if rng.random() < 0.85 else "",
            strategies=rng.choice(STRATEGIES),
            responsible=rng.choice(["Class teacher", "TA", "SENCO", "HLTA"]),
            starts_on=starts_on,
            target_date=due,
            rolled_over_from=before,
            created_at=at_noon(starts_on),
        )
        rows = _review(rng, target, goal, dates, gains, people, years)
        if target.last_status == Status.ACHIEVED:
            target.closed_on = dates[-1]
        elif profile == "stopped":
            dropped = term_day(min(dates[-1] + dt.timedelta(days=rng.randint(7, 20)), stop))
            target.closed_on = max(dropped, dates[-1])
        else:
            target.closed_on = term_day(stop)
        made.append((target, goal, rows))
    return made


def _goal(rng, idea, scales) -> Goal:
    code, *_, (low, high), (g_low, g_high) = idea
    scale = scales[code]
    planned = rng.randint(g_low, g_high)
    if scale.is_ordered:
        high = min(high, len(scale.ordered_steps) - 1 - planned)
    return Goal(idea, scale, Decimal(rng.randint(low, max(low, high))), planned)
