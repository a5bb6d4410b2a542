"""Is a target on track? The one documented rule, used by every page, the API and reports.

Progress is counted in steps on the target's scale (one place on an ordered scale, one unit on
a numeric one, positive in the scale's direction of improvement). For a target with a planned
gain G steps from its baseline, started on S and due on D, and its latest review showing a
gain of A steps on date R:

1. **Not reviewed** when the target has no review in the current half term (the school's
   half-term containing today, or between half terms the one just ended), unless it is
   already achieved.
2. **Achieved** when the latest review reaches the target: A >= G.
3. Otherwise the expected gain by the latest review is E = G x (R - S) / (D - S), pro rata
   from the start date to the target date (capped at G once the target date has passed; with
   no target date, the whole of G is expected by the end of the academic year). With neither a
   target date nor an academic year on record for the review's date (a school whose calendar
   has run out), there is nothing to pro-rate to: E = G / 2 at every review, whatever its date.
   - **On track** when A >= E.
   - **At risk** when A < E but the pupil is moving (A > 0), or is behind by no more than a
     quarter of the planned gain (E - A <= G / 4).
   - **Off track** otherwise: no movement or backwards, and more than a quarter of G behind.

**Stuck** (a flag beside the status): below the expected line (neither achieved nor on track at
the latest review, A < E) and either no movement across two consecutive reviews (the last three
values, counting the baseline, are equal) or rolled over from an earlier target unchanged (same
scale, baseline and goal). A pupil who moved early and holds a value at or above the expected
line is not stuck: the chart's dashed line is the same E (see `charts.py`).

**Horizontal progress** (issue 16): on a scale where progress is often horizontal (the scale's
`is_linear` is off, e.g. the engagement model), a review may record the same step as
*consolidating* or *generalised*, with evidence of the new context (required: see
`services.record_review`). Either of the last two reviews recording it means the pupil moved
across, so the target is not stuck. It does not change the status: A counts steps up the scale.
A horizontal review three or more reviews back no longer counts, and on a scale that is linear
(or made linear later) it never does.

`GLOSSARY` says each status in a sentence; every page that shows a status shows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from trellis.assessment.scales import ScaleError, steps_between
from trellis.schools.models import HalfTerm

TOLERANCE_SHARE = Decimal("0.25")  # off track only when behind by more than this share of the planned gain
NO_DATE_SHARE = Decimal("0.5")  # the share expected when there is no date to pro-rate to (rule 3)
REVIEW_WINDOW_DAYS = 49  # without a school calendar, "this half term" means the last seven weeks


class Status(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NOT_REVIEWED = "not_reviewed", "Not reviewed this half term"


STATUS_TAG = {
    Status.ACHIEVED: "tag-blue",
    Status.ON_TRACK: "tag-green",
    Status.AT_RISK: "tag-amber",
    Status.OFF_TRACK: "tag-red",
    Status.NOT_REVIEWED: "",
}

STUCK = "Stuck"

# What each status means, in a sentence, shown wherever a status is (plans/status_glossary.html).
GLOSSARY: dict[str, str] = {
    Status.ACHIEVED.label: "The latest review reaches the target value. It stays achieved without further reviews.",
    Status.ON_TRACK.label: (
        "At the latest review the pupil had gained at least the steps expected by then, counting pro rata "
        "from the start date to the target date (the dashed line on the chart). Without a target date the "
        "whole gain is due by the end of the school year; if the school year is not set up either, half "
        "the planned gain is expected at every review."
    ),
    Status.AT_RISK.label: (
        "Below the expected line, but the pupil is moving, or is behind by no more than a quarter of the planned gain."
    ),
    Status.OFF_TRACK.label: (
        "Below the expected line with no movement from the baseline (or going backwards), and more than a "
        "quarter of the planned gain behind."
    ),
    Status.NOT_REVIEWED.label: (
        "No review has been recorded in the current half term (between half terms, the one just ended), "
        "so there is no status for now. Earlier reviews still show on the target."
    ),
    STUCK: (
        "Shown beside the status: below the expected line and either no movement across the last two "
        "reviews, or carried over unchanged from an earlier target. A target at or above the line is "
        "never stuck. On a scale where progress is often horizontal (the engagement model), a target whose "
        "last or last but one review recorded it as consolidating or generalised, with evidence, is not stuck."
    ),
    "Consolidating": (
        "On a scale where progress is often horizontal: the pupil shows the same step more reliably, "
        "with less support. Recorded with evidence; the target is then not stuck."
    ),
    "Generalised": (
        "On a scale where progress is often horizontal: the pupil shows the same step in a new context "
        "(a new place, person or activity). Recorded with evidence; the target is then not stuck."
    ),
}
PUPIL_STATUS = (
    "A pupil's status is their least good target's: a pupil counts as achieved only when every current "
    "target is achieved, so a pupil with some achieved targets is counted under another status."
)


@dataclass(frozen=True)
class Window:
    """The current review window (a half term) and today."""

    starts_on: dt.date
    ends_on: dt.date
    today: dt.date
    year_ends_on: dt.date | None = None
    name: str = ""  # the half term's, e.g. "Autumn 1"; "" for the last seven weeks
    # The dashboard's chosen period (its trend's span), for what counts "in the period" rather than today.
    period: tuple[dt.date, dt.date] | None = None

    @property
    def ended(self) -> bool:
        """Between half terms (a holiday in the school's calendar): the window is the half term just ended."""
        return self.today > self.ends_on


def current_window(school, today: dt.date) -> Window:
    """The school's half term containing today; between half terms, the one just ended (so the
    summer holiday shows the summer term, not an empty window); with no half term in the last
    year, the last seven weeks. One query, two without a calendar."""
    half_term = (
        HalfTerm.objects.filter(
            academic_year__school=school, starts_on__lte=today, ends_on__gte=today - dt.timedelta(days=365)
        )
        .select_related("academic_year")
        .order_by("-starts_on")
        .first()
    )
    if half_term is not None:
        return Window(half_term.starts_on, half_term.ends_on, today, half_term.academic_year.ends_on, str(half_term))
    year = school.current_academic_year(today)
    return Window(today - dt.timedelta(days=REVIEW_WINDOW_DAYS), today, today, year.ends_on if year else None)


@dataclass(frozen=True)
class Progress:
    status: Status
    stuck: bool
    gain: Decimal | None  # steps from the baseline at the latest review
    expected: Decimal | None  # steps expected by the latest review
    planned: Decimal | None
    latest_value: str | None
    latest_date: dt.date | None
    due_on: dt.date | None = None  # when the whole planned gain is expected: the end of the expected line

    @property
    def tag(self) -> str:
        return STATUS_TAG[self.status]

    @property
    def label(self) -> str:
        return self.status.label


def expected_gain(*, planned: Decimal, starts_on: dt.date, due_on: dt.date | None, on: dt.date) -> Decimal:
    """The share of the planned gain expected by `on`, pro rata from `starts_on` to `due_on` and all
    of it from `due_on`. With no `due_on` (no target date and no academic year on record), or a
    review before a `due_on` that is not after `starts_on`, there is no span to pro-rate over:
    NO_DATE_SHARE of it, whatever the date (rule 3 of this module)."""
    if due_on is None:
        return planned * NO_DATE_SHARE
    if on >= due_on:
        return planned
    if due_on <= starts_on:
        return planned * NO_DATE_SHARE
    share = Decimal((on - starts_on).days) / Decimal((due_on - starts_on).days)
    return planned * max(share, Decimal(0))


def assess(target, reviews: list, window: Window) -> Progress:
    """The status of `target` given its reviews (oldest first). Pure: no queries if the
    target's scale has its steps loaded (see trellis.assessment.scales.scales_by_id)."""
    scale = target.scale
    planned = target.planned_gain()
    latest = reviews[-1] if reviews else None
    gain = expected = None
    if latest is not None:
        try:
            gain = steps_between(scale, target.baseline_value, latest.value)
        except ScaleError:
            gain = None
    due_on = target.target_date or window.year_ends_on
    if latest is None or gain is None or planned is None:
        stuck = _is_stuck(target, reviews)  # no gain to set against the expected line
        return Progress(Status.NOT_REVIEWED, stuck, gain, None, planned, _value(latest), _date(latest), due_on)
    if planned > 0 and gain >= planned:
        return Progress(Status.ACHIEVED, False, gain, planned, planned, latest.value, latest.date, due_on)
    expected = expected_gain(planned=planned, starts_on=target.starts_on, due_on=due_on, on=latest.date)
    stuck = gain < expected and _is_stuck(target, reviews)  # at or above the expected line is never stuck
    if latest.date < window.starts_on:
        return Progress(Status.NOT_REVIEWED, stuck, gain, None, planned, latest.value, latest.date, due_on)
    if gain >= expected:
        status = Status.ON_TRACK
    elif gain > 0 or expected - gain <= planned * TOLERANCE_SHARE:
        status = Status.AT_RISK
    else:
        status = Status.OFF_TRACK
    return Progress(status, stuck, gain, expected, planned, latest.value, latest.date, due_on)


def summarise(target, reviews: list, year_ends_on: dt.date | None) -> list[Progress]:
    """The progress as each review left it (oldest first), ignoring today's window: what the
    summary fields keep. The status shown today then follows from `status_now`."""
    window = Window(dt.date.min, dt.date.max, dt.date.max, year_ends_on)
    return [assess(target, reviews[: n + 1], window) for n in range(len(reviews))]


def stored_status(progress: Progress | None) -> str:
    """The status as the summary fields and reviews keep it ("" for not assessable)."""
    return "" if progress is None or progress.status == Status.NOT_REVIEWED else progress.status.value


def summary_fields(progress: list[Progress], stuck_without_reviews: bool = False) -> dict:
    """Target summary fields from `summarise` of its reviews."""
    last = progress[-1] if progress else None
    return {
        "last_reviewed_on": last.latest_date if last else None,
        "last_status": stored_status(last),
        "last_gain": last.gain if last else None,
        "last_share": share_of_planned(last),
        "stuck": last.stuck if last else stuck_without_reviews,
    }


SHARE_PLACES = Decimal("0.0001")


def share_of_planned(progress: Progress | None) -> Decimal | None:
    """Gain / planned gain at a review (1 = the progress planned): the cross-scale unit the
    dashboards and the provision evaluation average, since steps differ from scale to scale."""
    if progress is None or progress.gain is None or not progress.planned or progress.planned <= 0:
        return None
    return (progress.gain / progress.planned).quantize(SHARE_PLACES)


def status_now(last_status: str, last_reviewed_on: dt.date | None, window: Window) -> Status:
    """Today's status from the summary fields; the same rule as `assess` (achieved stays achieved,
    anything else needs a review this half term). `status_expression` is its SQL twin."""
    if last_status == Status.ACHIEVED:
        return Status.ACHIEVED
    if last_status and last_reviewed_on is not None and last_reviewed_on >= window.starts_on:
        return Status(last_status)
    return Status.NOT_REVIEWED


def status_expression(window: Window) -> models.Case:
    """`status_now` in SQL, for aggregating targets."""
    status, reviewed = "last_status", "last_reviewed_on"
    return models.Case(
        models.When(**{status: Status.ACHIEVED}, then=models.Value(Status.ACHIEVED.value)),
        models.When(
            models.Q(**{f"{reviewed}__gte": window.starts_on}) & ~models.Q(**{status: ""}),
            then=models.F(status),
        ),
        default=models.Value(Status.NOT_REVIEWED.value),
        output_field=models.CharField(),
    )


def moved_across(scale, reviews: list) -> bool:
    """Horizontal progress at either of the last two reviews, on a scale where it counts."""
    return not scale.is_linear and any(r.breadth for r in reviews[-2:])


def _is_stuck(target, reviews: list) -> bool:
    if moved_across(target.scale, reviews):
        return False
    values = [target.baseline_value, *(r.value for r in reviews)]
    if len(values) >= 3 and values[-1].casefold() == values[-2].casefold() == values[-3].casefold():
        return True
    earlier = target.rolled_over_from if target.rolled_over_from_id else None
    return bool(
        earlier is not None
        and earlier.scale_id == target.scale_id
        and earlier.baseline_value == target.baseline_value
        and earlier.goal_value() == target.goal_value()
    )


def _value(review) -> str | None:
    return review.value if review is not None else None


def _date(review) -> dt.date | None:
    return review.date if review is not None else None
