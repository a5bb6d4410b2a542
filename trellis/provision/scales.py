"""The scale functions provision uses, in one place: all of them come from trellis.assessment.

Provision never reads a scale's steps itself; it asks here for a parsed value, the steps between
two values and, for effect sizes, the population standard deviation of a standardised score.
"""

from __future__ import annotations

from decimal import Decimal

from trellis.assessment.models import Scale
from trellis.assessment.scales import ScaleError, find_scale, parse_value, scales_by_id, steps_between

__all__ = ["Scale", "ScaleError", "find_scale", "parse_value", "scales_by_id", "standard_deviation", "steps"]

# Standardised scores have mean 100 and SD 15 (DOMAIN.md); other scales have no population SD.
STANDARD_DEVIATIONS = {"standardised": Decimal(15)}


def steps(scale: Scale, start: str, end: str) -> Decimal:
    """Steps of progress from start to end (negative when the pupil went backwards)."""
    return steps_between(scale, start, end)


def standard_deviation(scale: Scale) -> Decimal | None:
    """The population SD that turns mean gain into an effect size, or None when there is none."""
    return STANDARD_DEVIATIONS.get(scale.code)
