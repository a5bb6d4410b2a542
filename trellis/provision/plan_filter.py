"""The dashboards' plan-type filter (`?plan=ehc`), reused on the provision evaluation: the same values
and labels. A target belongs to a plan, but a provision measure belongs to a pupil, so here the filter
keeps the pupils who have an active plan of that kind now."""

from __future__ import annotations

from collections.abc import Iterable

from trellis.dashboards.overview import FILTERS
from trellis.plans.models import Plan

ALLOWED = FILTERS["plan"][1]
CHOICES = [(kind.value, kind.label) for kind in Plan.Kind if kind.value in ALLOWED]


def pupils_with_plan(pupil_ids: Iterable[int], kind: str) -> set[int]:
    """Of these pupils, those with an active plan of `kind` (one query)."""
    return set(
        Plan.objects.filter(pupil_id__in=list(pupil_ids), kind=kind, state=Plan.State.ACTIVE).values_list(
            "pupil_id", flat=True
        )
    )
