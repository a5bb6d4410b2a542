"""Progress across scales (issue 16): steps are averaged only within a scale; across scales the unit is
the share of planned progress achieved (gain / planned gain)."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from fixtures_progress import add_review, make_target

from trellis.assessment.scales import find_scale
from trellis.plans.models import Target
from trellis.provision import evaluation as ev
from trellis.provision.scales import steps


def measure(pupil_id: int, scale: str, entry: str, exit: str, *, target_steps=None, target_value="", need=""):
    found = find_scale(scale)
    kwargs = {"target_steps": None if target_steps is None else Decimal(target_steps), "target_value": target_value}
    gained, met = ev.measure_outcome(steps_fn=steps, scale=found, entry=entry, exit=exit, **kwargs)
    return ev.MeasureRow(
        pupil_id=pupil_id,
        upn=f"U{pupil_id}",
        name=f"Pupil {pupil_id}",
        scale_code=found.code,
        scale_name=found.name,
        entry=entry,
        target="",
        exit=exit,
        steps=gained,
        met=met,
        attendance=ev.Attendance(10, 10),
        primary_need=need,
        planned=ev.planned_steps(steps_fn=steps, scale=found, entry=entry, **kwargs),
    )


@pytest.mark.django_db
def test_steps_per_scale_and_planned_progress_achieved_hand_worked():
    rows = [
        measure(1, "nc-levels", "2c", "2b", target_value="2a"),  # 1 of 2 sub-levels planned: 50%
        measure(2, "nc-levels", "2c", "2a", target_steps=2),  # 2 of 2: 100%
        measure(3, "sdq-total", "20", "16", target_value="16"),  # lower is better: 4 of 4 points: 100%
        measure(4, "standardised", "82", "91", target_steps=6),  # 9 of 6: 150%
        measure(5, "standardised", "85", "85", target_steps=5),  # 0 of 5: 0%
    ]
    [everyone, *_] = ev.school_breakdown([("Catch-up", "small-group", rows)])
    # The old cross-scale mean, (1 + 2 + 4 + 9 + 0) / 5 = 3.2 "steps", mixed sub-levels, points and scores.
    assert everyone.mean_steps == Decimal("3.20")
    assert everyone.per_scale == [
        ev.ScaleSteps("NC levels", 2, Decimal("1.50")),
        ev.ScaleSteps("SDQ total difficulties", 1, Decimal("4.00")),
        ev.ScaleSteps("Standardised score", 2, Decimal("4.50")),
    ]
    assert everyone.planned_share == Decimal("80")  # (50 + 100 + 100 + 150 + 0) / 5


@pytest.mark.django_db
def test_measures_without_a_planned_gain_or_exit_data_are_left_out_of_the_share():
    rows = [
        measure(1, "leuven-wellbeing", "3", "4"),  # no target: steps per scale only
        measure(2, "nc-levels", "2c", "", target_steps=1),  # no exit data yet
        measure(3, "nc-levels", "2c", "2b", target_value="2c"),  # a target of no gain: nothing to divide by
        measure(4, "nc-levels", "2c", "2c", target_steps=3),  # 0 of 3: 0%
    ]
    assert ev.share_of_planned(rows) == Decimal("0")
    assert ev.share_of_planned(rows[:3]) is None
    assert ev.steps_per_scale(rows) == [
        ev.ScaleSteps("Leuven well-being", 1, Decimal("1.00")),
        ev.ScaleSteps("NC levels", 2, Decimal("0.50")),
    ]


def test_a_third_rounds_to_a_whole_percentage():
    rows = [
        ev.MeasureRow(n, "", "", "s", "s", "", "", "x", Decimal(gain), None, ev.Attendance(0, 0), planned=Decimal(3))
        for n, gain in ((1, 1), (2, 1), (3, 2))
    ]  # 1/3, 1/3, 2/3: mean 4/9 = 44.4%
    assert ev.share_of_planned(rows) == Decimal("44")


def test_the_migration_fills_planned_progress_for_targets_reviewed_before_it(world):
    fill_share = importlib.import_module("trellis.plans.migrations.0007_target_share_of_planned").fill_share
    nc = make_target(world.in_class, baseline="2c", target_value="3c")  # 3 sub-levels planned
    add_review(nc, "2b")  # 1 of 3
    sdq = make_target(world.in_class, scale="sdq-total", baseline="20", target_value="16")  # lower is better: 4
    add_review(sdq, "17")  # 3 of 4
    edsm = make_target(world.in_class, scale="edsm", baseline="emerging", target_value="", steps_to_gain=Decimal(2))
    add_review(edsm, "Developing")  # by its label: 1 of 2
    kept = {t.pk: t.last_share for t in Target.objects.all()}
    assert kept == {nc.pk: Decimal("0.3333"), sdq.pk: Decimal("0.7500"), edsm.pk: Decimal("0.5000")}
    Target.objects.update(last_share=None)
    fill_share(apps, None)
    assert {t.pk: t.last_share for t in Target.objects.all()} == kept
