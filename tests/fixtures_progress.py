"""Helpers for the plans and progress tests: plans and targets for the conftest `world`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trellis.assessment.scales import find_scale
from trellis.plans import services
from trellis.plans.models import Plan, Review, Target


def make_target(
    pupil,
    *,
    by=None,
    scale="nc-levels",
    baseline="2c",
    target_value="2a",
    starts_on=None,
    target_date=None,
    description="Read 20 high-frequency words without help",
    **fields,
) -> Target:
    today = timezone.localdate()
    plan = Plan.objects.filter(pupil=pupil, state=Plan.State.ACTIVE).first() or Plan.objects.create(
        pupil=pupil, kind=Plan.Kind.SEN_SUPPORT, state=Plan.State.ACTIVE, title="Support plan"
    )
    return Target.objects.create(
        plan=plan,
        pupil=pupil,
        description=description,
        area="cognition",
        scale=find_scale(scale, pupil.school),
        baseline_value=baseline,
        target_value=target_value,
        starts_on=starts_on or today - dt.timedelta(days=60),
        target_date=target_date,
        **fields,
    )


def add_review(target, value, *, date=None, by=None) -> Review:
    """A review written directly (any date), with the target's summary kept as record_review keeps it."""
    review = Review.objects.create(
        target=target,
        value=value,
        date=date or timezone.localdate(),
        reviewed_by=by,
        reviewed_by_name=str(by or "system"),
    )
    services.refresh_summary(target)
    return review


@pytest.fixture(name="targets")
def targets_fixture(world):
    """Two targets for `in_class` (4B) and one for `other_class` (4C)."""
    return {
        "in_class": [
            make_target(world.in_class),
            make_target(world.in_class, scale="edsm", baseline="emerging", target_value="secure"),
        ],
        "other_class": [make_target(world.other_class)],
        "services": services,
    }
