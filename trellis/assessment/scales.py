"""Reading values on scales: the one place that parses a value and counts steps between two.

- `find_scale("NC levels", school)` finds a scale by its code or its name, case-insensitively
  (a school's own scale first, then the shipped ones).
- `parse_value(scale, " 2C ")` returns the value as stored ("2c"), or raises ScaleValueError
  whose message names the allowed values.
- `steps_between(scale, "2c", "2a")` is +2: one place on an ordered scale, one unit on a
  numeric one, positive in the scale's direction of improvement.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Q

from .models import Scale


class ScaleError(ValueError):
    """No such scale, or a value that is not on it. The message is for people."""


class ScaleValueError(ScaleError):
    def __init__(self, scale: Scale, raw: object):
        self.scale = scale
        self.allowed = scale.describe_allowed()
        super().__init__(f"{str(raw).strip() or 'An empty value'!r} is not on the {scale.called}: use {self.allowed}")


def find_scale(code_or_name: str, school=None) -> Scale:
    """A scale by code or name (case-insensitive): the school's own first, then the shipped ones."""
    text = str(code_or_name).strip()
    matches = (
        Scale.objects.for_school(school)
        .filter(Q(code__iexact=text) | Q(name__iexact=text))
        .prefetch_related("steps", "bands")
    )
    found = sorted(matches, key=lambda s: s.school_id is None)
    if not found:
        raise ScaleError(f"There is no scale called {text!r}")
    return found[0]


def parse_value(scale: Scale | str, raw: object, *, school=None) -> str:
    """The value as stored (a step's value, or a plain number), or ScaleValueError. `scale` may be
    a Scale or its code or name (looked up with find_scale, for imports)."""
    if isinstance(scale, str):
        scale = find_scale(scale, school)
    text = str(raw if raw is not None else "").strip()
    if scale.is_ordered:
        index = scale._positions.get(text.casefold())
        if index is None:
            raise ScaleValueError(scale, raw)
        return scale.ordered_steps[index].value
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ScaleValueError(scale, raw) from None
    if not number.is_finite():
        raise ScaleValueError(scale, raw)
    if scale.min_value is not None and number < scale.min_value:
        raise ScaleValueError(scale, raw)
    if scale.max_value is not None and number > scale.max_value:
        raise ScaleValueError(scale, raw)
    if scale.step and (number - (scale.min_value or 0)) % scale.step != 0:
        raise ScaleValueError(scale, raw)
    return f"{number.normalize():f}"


def position(scale: Scale, value: str) -> Decimal:
    """Where a (stored) value sits: its index on an ordered scale, the number on a numeric one."""
    if scale.is_ordered:
        index = scale._positions.get(str(value).casefold())
        if index is None:
            raise ScaleValueError(scale, value)
        return Decimal(index)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ScaleValueError(scale, value) from None


def steps_between(scale: Scale, start: str, end: str) -> Decimal:
    """Steps of progress from `start` to `end`: negative when the pupil went backwards."""
    gain = position(scale, end) - position(scale, start)
    return gain if scale.higher_is_better else -gain


def add_steps(scale: Scale, start: str, steps: Decimal | int) -> str | None:
    """The value `steps` of progress after `start` (None when that falls off an ordered scale)."""
    signed = Decimal(steps) if scale.higher_is_better else -Decimal(steps)
    if scale.is_ordered:
        index = int(position(scale, start) + signed)
        if 0 <= index < len(scale.ordered_steps):
            return scale.ordered_steps[index].value
        return None
    number = position(scale, start) + signed
    if scale.max_value is not None:
        number = min(number, scale.max_value)
    if scale.min_value is not None:
        number = max(number, scale.min_value)
    return f"{number.normalize():f}"


def scales_by_id(school=None) -> dict[int, Scale]:
    """Every scale a school may use, with steps and bands: two queries, then no more per target."""
    return {s.pk: s for s in Scale.objects.for_school(school).prefetch_related("steps", "bands")}
