"""Drawing a target's reviews so that the on-track rule (trellis.plans.progress) gives a wanted
status, and writing them: shared by this year's plans and the archived ones of earlier years."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import NamedTuple

from trellis.assessment.models import Scale
from trellis.plans.models import Review, SmallStep, Target
from trellis.plans.progress import stored_status, summarise, summary_fields
from trellis.pupils import bulk

from .plan_texts import ACROSS_CONTEXTS, COMMENTS

REVIEW_FIELDS = [
    "target_id",
    "date",
    "value",
    "comment",
    "breadth",
    "evidence",
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


class DrawnReview(NamedTuple):
    date: dt.date
    value: str
    comment: str
    user: int | None
    name: str
    breadth: str = ""
    evidence: str = ""


ACROSS_SHARE = 0.6  # of flat reviews on a non-linear scale that record horizontal progress


def across(target: Target, goal: Goal, date: dt.date) -> tuple[str, str]:
    """Horizontal progress (breadth, evidence) at a flat review on a non-linear scale, or ("", "").
    Drawn from its own generator seeded by the target and date, so the demo's other draws stay as they were."""
    local = random.Random(f"{target.description}|{goal.baseline}|{date.isoformat()}")
    if local.random() >= ACROSS_SHARE:
        return "", ""
    breadth = local.choice(sorted(ACROSS_CONTEXTS))
    return breadth, local.choice(ACROSS_CONTEXTS[breadth])


def draw_goal(rng: random.Random, idea: tuple, scales: dict[str, Scale]) -> Goal:
    """A baseline and a planned gain for a target idea, kept on the scale."""
    code, *_, (low, high), (g_low, g_high) = idea
    scale = scales[code]
    planned = rng.randint(g_low, g_high)
    if scale.is_ordered:
        high = min(high, len(scale.ordered_steps) - 1 - planned)
    return Goal(idea, scale, Decimal(rng.randint(low, max(low, high))), planned)


def value(scale: Scale, baseline: Decimal, gain: int) -> str:
    """The value `gain` steps on from `baseline`, as a review would record it."""
    if scale.is_ordered:
        return scale.ordered_steps[int(baseline) + gain].value
    number = baseline + gain if scale.higher_is_better else baseline - gain
    return f"{number.normalize():f}"


def moved(scale: Scale, baseline: Decimal, gain: int) -> Decimal:
    """The baseline `gain` steps on (for a target rolled over from where the pupil got to)."""
    return baseline + gain if scale.is_ordered or scale.higher_is_better else baseline - gain


def gains(profile: str, planned: int, fractions: list[float]) -> list[int]:
    """Steps gained at each review (at these fractions of the way to the target date), so that the
    on-track rule gives the wanted status."""
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


def review(rng: random.Random, target: Target, goal: Goal, dates, gains, people, years) -> tuple[list, list, list]:
    """Reviews of `target` on `dates` showing `gains`; sets the target's summary fields from them
    by the on-track rule, as refresh_summary would. Returns the reviews, the progress each left
    and the small steps, ticked as far as the pupil got."""
    rows, previous = [], 0
    for date, gain in zip(dates, gains, strict=True):
        user, name = rng.choice(people)
        comment = rng.choice(COMMENTS["up" if gain > previous else "flat"]) if rng.random() < 0.7 else ""
        breadth = across(target, goal, date) if not goal.scale.is_linear and gain == previous else ("", "")
        rows.append(DrawnReview(date, value(goal.scale, goal.baseline, gain), comment, user, name, *breadth))
        previous = gain
    target.scale = goal.scale
    # refresh_summary reads the year from the school's calendar on the latest review (or the start).
    progress = summarise(target, rows, _year_ends(years, dates[-1] if dates else target.starts_on))
    for name, field_value in summary_fields(progress).items():
        setattr(target, name, field_value)
    steps = goal.idea[4]
    ticked = round(len(steps) * min(1.0, previous / goal.planned)) if dates else 0
    return (
        rows,
        progress,
        [(n, text, dates[n - 1] if n <= ticked and n <= len(dates) else None) for n, text in enumerate(steps, 1)],
    )


def insert_reviews(targets: list[Target], drawn: list[tuple], created_at) -> None:
    """The reviews (with the status and gain each left) and small steps of saved targets."""
    reviews, small_steps = [], []
    for target, (rows, progress, steps) in zip(targets, drawn, strict=True):
        reviews += [
            (
                target.pk,
                r.date,
                r.value,
                r.comment,
                r.breadth,
                r.evidence,
                r.user,
                r.name,
                created_at(r.date),
                stored_status(p),
                p.gain,
            )
            for r, p in zip(rows, progress, strict=True)
        ]
        small_steps += [(target.pk, *step) for step in steps]
    bulk.insert_rows(Review, REVIEW_FIELDS, reviews)
    bulk.insert_rows(SmallStep, ["target_id", "position", "text", "achieved_on"], small_steps)


def _year_ends(years: list[tuple[dt.date, dt.date]], day: dt.date) -> dt.date | None:
    return next((ends for starts, ends in years if starts <= day <= ends), None)
