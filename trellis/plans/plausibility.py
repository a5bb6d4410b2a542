"""Is a review value plausible? Rules that ask the person to confirm a value before it is saved
(bulk review entry): a typing slip such as a reading age of 12 months for a Year 4 pupil."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from trellis.assessment.models import Scale
from trellis.assessment.scales import ScaleError, position

AGE_GAP_MONTHS = 48  # an age-in-months value further than this from the pupil's own age is queried
MAX_ORDERED_JUMP = 3  # steps on an ordered scale between one review and the next
MAX_NUMERIC_JUMP = Decimal("0.25")  # a share of a numeric scale's whole range


def age_in_months(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole months old on a date (9 years 2 months is 110)."""
    return (on.year - date_of_birth.year) * 12 + on.month - date_of_birth.month - (on.day < date_of_birth.day)


def warning_for(scale: Scale, value: str, *, previous: str = "", age_months: int | None = None) -> str:
    """Why `value` (already checked against the scale) looks wrong, in plain English, or "" if it
    looks fine. Rules: on a scale in months (reading age, spelling age), more than AGE_GAP_MONTHS
    from the pupil's age, unless the previous value was too (a pupil whose reading age is known to
    be far behind is not queried every half term); or a jump from the previous value of more than MAX_ORDERED_JUMP steps
    (ordered scales) or more than a quarter of the scale's range (numeric scales)."""
    number = position(scale, value)
    if (
        scale.unit == "months"
        and age_months is not None
        and _far_from(number, age_months)
        and not (previous and _far_from(_position_or_none(scale, previous), age_months))
    ):
        side = "below" if number < age_months else "above"
        return (
            f"{scale.label_for(value)} is more than {AGE_GAP_MONTHS // 12} years {side} the pupil's age "
            f"({age_months // 12} years {age_months % 12} months)."
        )
    before = _position_or_none(scale, previous) if previous else None
    if before is None:
        return ""  # no previous value, or one no longer on the scale: nothing to compare with
    jump = abs(number - before)
    if scale.is_ordered:
        too_far = jump > MAX_ORDERED_JUMP
    elif scale.min_value is not None and scale.max_value is not None and scale.max_value > scale.min_value:
        too_far = jump > (scale.max_value - scale.min_value) * MAX_NUMERIC_JUMP
    else:
        too_far = False
    if too_far:
        return f"{scale.label_for(value)} is a big change from the previous value, {scale.label_for(previous)}."
    return ""


def _far_from(number: Decimal | None, age_months: int) -> bool:
    return number is not None and abs(number - age_months) > AGE_GAP_MONTHS


def _position_or_none(scale: Scale, value: str) -> Decimal | None:
    try:
        return position(scale, value)
    except ScaleError:
        return None
