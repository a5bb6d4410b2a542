"""The demo seeders of identification and evidence: every stage present, consistent with the register, in bulk."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trellis.demo import evidence as evidence_demo
from trellis.demo import identification as identification_demo
from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord
from trellis.identification.models import Concern
from trellis.identification.services import status_after
from trellis.pupils.models import GroupMembership, Pupil, SenStatusEntry

from conftest import make_pupil

pytestmark = pytest.mark.dates


def add_pupils(world, n: int) -> None:
    """n more pupils at school A in 4B, every fifth on SEN support and every seventh monitored."""
    today = timezone.localdate()
    for i in range(n):
        pupil = make_pupil(world.school_a, surname=f"Demo{i}")
        GroupMembership.objects.create(pupil=pupil, group=world.class_4b if i % 2 else world.class_4c)
        status = "K" if i % 5 == 0 else "M" if i % 7 == 0 else None
        if status:
            SenStatusEntry.objects.create(pupil=pupil, status=status, starts_on=today - dt.timedelta(days=40))
            Pupil.objects.filter(pk=pupil.pk).update(sen_status=status)


def test_demo_concerns_cover_every_stage_and_agree_with_the_register(world):
    add_pupils(world, 120)
    today = timezone.localdate()
    identification_demo.seed_school(school=world.school_a, rng=random.Random(4), today=today)
    concerns = list(Concern.objects.filter(pupil__school=world.school_a).select_related("pupil"))
    decisions = {c.decision for c in concerns}
    assert decisions >= {"", "no_sen", "monitor", "refer", "sen_support", "request_ehc"}
    open_concerns = [c for c in concerns if c.is_open]
    waiting = [c for c in open_concerns if c.view_requests.filter(answered_on__isnull=True).exists()]
    assert waiting and len(waiting) < len(open_concerns)
    for concern in concerns:
        assert concern.raised_on <= (concern.decided_on or today)
        if concern.decision:
            # Deciding again would not change the pupil's status: the register already reflects it.
            assert status_after(concern.decision, concern.pupil.sen_status) == concern.pupil.sen_status
    assert not Concern.objects.filter(pupil__school=world.school_b).exists()


def test_demo_evidence_fills_the_year_so_far_for_register_pupils_only(world):
    add_pupils(world, 40)
    today = timezone.localdate()
    evidence_demo.seed_school(school=world.school_a, rng=random.Random(4), today=today)
    register = set(
        Pupil.objects.filter(school=world.school_a, sen_status__in=["M", "K", "E"]).values_list("pk", flat=True)
    )
    assert set(EvidenceNote.objects.values_list("pupil_id", flat=True)) == register
    assert set(PupilVoiceEntry.objects.values_list("pupil_id", flat=True)) == register
    year = world.school_a.current_academic_year(today)
    weeks = WeeklyRecord.objects.filter(pupil__in=register)
    if (today - year.starts_on).days >= 7:
        assert weeks.exists()
    assert all(w.week_starting.weekday() == 0 and w.sessions_attended <= w.sessions_possible for w in weeks)
    assert not weeks.filter(week_starting__gt=today).exists()


def test_demo_seeders_write_a_large_school_in_a_few_queries(world):
    today = timezone.localdate()
    pupils = [
        Pupil(
            school=world.school_a,
            upn=f"X{i:012d}",
            legal_surname=f"Big{i}",
            legal_forename="A",
            date_of_birth=dt.date(2015, 1, 1),
            sex="F",
            sen_status="K" if i % 5 == 0 else "N",
        )
        for i in range(1200)
    ]
    Pupil.objects.bulk_create(pupils)
    GroupMembership.objects.bulk_create(GroupMembership(pupil=p, group=world.class_4b) for p in pupils)
    with CaptureQueriesContext(connection) as concerns:
        identification_demo.seed_school(school=world.school_a, rng=random.Random(1), today=today)
    with CaptureQueriesContext(connection) as evidence:
        evidence_demo.seed_school(school=world.school_a, rng=random.Random(1), today=today)
    # Written in bulk: a few queries a table whatever the size of the school (8 and 20 on SQLite, whose
    # batches are smaller), never one a pupil; 50 such schools then seed in seconds.
    assert len(concerns) <= 15
    assert len(evidence) <= 40
