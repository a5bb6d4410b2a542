"""The demo stage: a realistic provision map per school, made in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from trellis.demo.provision import seed_school
from trellis.provision import reports
from trellis.provision.models import (
    Attendance,
    EhcProvision,
    Enrolment,
    Intervention,
    InterventionGroup,
    QftStrategy,
)
from trellis.pupils import services as pupil_services
from trellis.pupils.models import Pupil
from trellis.schools.models import GroupStaff

pytestmark = pytest.mark.dates


def test_demo_provision_has_costs_sessions_results_and_a_range_of_outcomes(world, django_assert_max_num_queries):
    school = world.school_a
    year = school.academic_years.get()
    today = min(year.ends_on, year.starts_on + dt.timedelta(days=300))
    from conftest import make_pupil

    for i in range(14):
        pupil = make_pupil(school, surname=f"Demo{i}", group=world.class_4b)
        pupil_services.set_sen_status(
            pupil=pupil, status="E" if i % 4 == 0 else "K", starts_on=year.starts_on, by=world.senco
        )
    assert GroupStaff.objects.filter(group=world.class_4b).exists()
    with django_assert_max_num_queries(60):
        seed_school(school=school, rng=random.Random(7), today=today)
    assert Intervention.objects.filter(school=school).count() == 8
    assert all(i.session_cost() is not None for i in Intervention.objects.filter(school=school))
    groups = InterventionGroup.objects.filter(intervention__school=school)
    assert groups.count() >= 8
    assert Attendance.objects.filter(present=False).exists() and Attendance.objects.filter(present=True).exists()
    assert QftStrategy.objects.filter(group=world.class_4b).count() == 3
    assert EhcProvision.objects.exists()
    evaluations = [e for e in reports.evaluate_groups(groups) if e.summary.total]
    shares = [e.summary.met / e.summary.total for e in evaluations]
    assert max(shares) >= 0.7 and min(shares) <= 0.4  # some interventions work, some don't
    assert groups.exclude(decision="").exists()
    pupil = InterventionGroup.objects.filter(intervention__school=school).first().enrolments.first().pupil
    assert any(c.before is not None for c in reports.counterfactuals(pupil).values())
    # Funding: mostly the notional SEN budget, some pupil premium, element 3 for exactly the EHC pupils' places.
    streams = list(groups.values_list("funding", flat=True))
    assert streams.count("notional") > len(streams) / 2 and "pupil_premium" in streams
    places = Enrolment.objects.filter(group__in=groups)
    assert set(places.filter(funding="element_3").values_list("pupil__sen_status", flat=True)) == {"E"}
    assert not places.filter(pupil__sen_status="E").exclude(funding="element_3").exists()


def test_demo_does_nothing_for_a_school_without_sen_pupils(world):
    Pupil.objects.filter(school=world.school_c).update(sen_status="N")
    seed_school(school=world.school_c, rng=random.Random(1), today=timezone.localdate())
    assert not Intervention.objects.filter(school=world.school_c).exists()
