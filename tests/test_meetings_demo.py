"""The meetings demo stage: last term's meeting recorded, this term's scheduled, in a few queries."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from trellis.demo.meetings import seed_school
from trellis.meetings.models import Action, Decision, Meeting, MeetingPupil
from trellis.meetings.services import open_actions_for
from trellis.provision.models import Intervention, InterventionGroup
from trellis.provision.services import enrol

pytestmark = pytest.mark.dates


def test_demo_meetings_for_the_class_with_sen_pupils(world, django_assert_max_num_queries):
    today = timezone.localdate()
    group = InterventionGroup.objects.create(
        intervention=Intervention.objects.create(school=world.school_a, name="Phonics"),
        starts_on=today - dt.timedelta(weeks=12),
    )
    enrol(group=group, pupil=world.in_class, by=world.senco)
    with django_assert_max_num_queries(25):
        seed_school(school=world.school_a, rng=random.Random(1), today=today)
    held, coming = Meeting.objects.order_by("held_on")
    assert held.held_on == today - dt.timedelta(weeks=10) and coming.held_on == today + dt.timedelta(days=7)
    assert held.teaching_group == world.class_4b and set(held.staff.all()) == {world.senco, world.teacher}
    # 4B's pupils with SEN: in_class and the confidential pupil
    assert set(MeetingPupil.objects.filter(meeting=held).values_list("pupil", flat=True)) == {
        world.in_class.pk,
        world.confidential.pk,
    }
    assert Action.objects.count() == 4 and all(a.due_on >= held.held_on for a in Action.objects.all())
    [decision] = Decision.objects.all()
    assert decision.kind == "continue" and decision.enrolment.pupil == world.in_class
    assert decision.summary == "Continue Phonics"
    assert all(a.owner == world.teacher for a in open_actions_for(world.teacher, today))


def test_demo_meetings_skip_a_school_without_pupils_with_sen(world):
    seed_school(school=world.school_c, rng=random.Random(1), today=timezone.localdate())
    assert not Meeting.objects.exists()
