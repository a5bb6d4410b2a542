"""The early-identification list: below expectations in reading, writing or maths, no SEN status, no open concern."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.assessment.models import Assessment, Domain
from trellis.assessment.scales import find_scale
from trellis.identification.early import early_identification
from trellis.identification.models import Concern
from trellis.pupils.models import Pupil

from conftest import make_pupil

pytestmark = pytest.mark.dates


def assess(pupil, scale, value, *, subject="reading", days_ago=10):
    return Assessment.objects.create(
        pupil=pupil,
        scale=find_scale(scale),
        value=value,
        domain=Domain.COGNITION,
        subject=subject,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def listed(world) -> dict[str, list[str]]:
    found = early_identification(Pupil.objects.filter(school=world.school_a))
    return {c.pupil.legal_surname: [f"{a.subject} {a.value}" for a in c.below] for c in found}


def test_a_low_standardised_score_without_sen_is_listed(world):
    low = make_pupil(world.school_a, surname="Low", group=world.class_4b)
    fine = make_pupil(world.school_a, surname="Fine", group=world.class_4b)
    assess(low, "standardised", "84")
    assess(low, "standardised", "92", subject="maths")
    assess(fine, "standardised", "85")
    assert listed(world) == {"Low": ["reading 84"]}


def test_only_the_latest_assessment_in_a_subject_counts(world):
    caught_up = make_pupil(world.school_a, surname="Caughtup")
    assess(caught_up, "standardised", "78", days_ago=100)
    assess(caught_up, "standardised", "96", days_ago=5)
    slipped = make_pupil(world.school_a, surname="Slipped")
    assess(slipped, "standardised", "96", days_ago=100)
    assess(slipped, "standardised", "80", subject="writing", days_ago=5)
    assert listed(world) == {"Slipped": ["writing 80"]}


def test_pupils_with_a_status_or_an_open_concern_are_left_out(world):
    assess(world.in_class, "standardised", "70")  # SEN support already
    concerned = make_pupil(world.school_a, surname="Concerned")
    assess(concerned, "standardised", "70")
    Concern.objects.create(pupil=concerned, area="cognition", what_seen="Struggles to decode")
    assert listed(world) == {}


def test_reading_age_is_judged_against_the_pupils_age(world):
    pupil = make_pupil(world.school_a, surname="Young")  # born 1 May 2017
    on = timezone.localdate() - dt.timedelta(days=10)
    age = (on.year - 2017) * 12 + on.month - 5 - (on.day < 1)
    assess(pupil, "reading-age", str(age - 12))
    assert listed(world) == {}
    assess(pupil, "reading-age", str(age - 13), days_ago=9)
    assert list(listed(world)) == ["Young"]


def test_scales_without_an_expectation_are_ignored(world):
    pupil = make_pupil(world.school_a, surname="Percent")
    assess(pupil, "percent", "10")
    assess(pupil, "standardised", "70", subject="science")
    assert listed(world) == {}


def test_teacher_sees_only_their_pupils_on_the_page(world, login):
    mine = make_pupil(world.school_a, surname="Mine", group=world.class_4b)
    theirs = make_pupil(world.school_a, surname="Theirs", group=world.class_4c)
    assess(mine, "standardised", "70")
    assess(theirs, "standardised", "70")
    page = login(world.teacher).get(reverse("early-identification", args=[world.school_a.urn])).content.decode()
    assert "Mine" in page and "Theirs" not in page
    assert "Raise a concern" in page


def test_page_is_404_for_governors_and_other_schools(world, login):
    url = reverse("early-identification", args=[world.school_a.urn])
    assert login(world.governor).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404


def test_page_queries_do_not_grow_with_pupils(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    url = reverse("early-identification", args=[world.school_a.urn])
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for n in range(20):
        assess(make_pupil(world.school_a, surname=f"Low{n}"), "standardised", "70")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["candidates"]) == 20
