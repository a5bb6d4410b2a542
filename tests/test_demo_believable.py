"""The demo trust is believable: dates that agree with each pupil's history."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from trellis.pupils.models import EhcPlan, SenStatusEntry


def seed(*args: str) -> None:
    call_command("seed_demo", *args, stdout=io.StringIO())


@pytest.fixture
def trust(db):
    seed("--schools", "2", "--pupils-per-school", "120", "--seed", "3")


@pytest.mark.dates
def test_only_a_pupil_who_joined_with_an_ehc_plan_has_one_issued_before_joining(trust):
    joined_as = {}
    for pk, status in SenStatusEntry.objects.order_by("pupil_id", "starts_on").values_list("pupil_id", "status"):
        joined_as.setdefault(pk, status)
    plans = list(EhcPlan.objects.select_related("pupil"))
    assert len(plans) >= 5
    for plan in plans:
        if joined_as[plan.pupil_id] != "E":
            assert plan.issued_on >= plan.pupil.enrolled_on, (plan.pupil_id, plan.issued_on, plan.pupil.enrolled_on)
    # Those who came with a plan from their previous setting may have had it for years.
    assert any(p.issued_on < p.pupil.enrolled_on for p in plans if joined_as[p.pupil_id] == "E")
