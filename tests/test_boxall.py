"""Boxall Profile: cluster scores for both sections against the school's competent ranges (which the
school enters), reviewed termly, charted on the server. Frozen today: Wed 18 Nov 2026, in the Autumn
term of 2026/27 (the test school's default half-terms: Autumn 1 Sep to 31 Dec, Spring from 1 Jan)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.assessment import services
from trellis.assessment.boxall import competent_ranges, profiles_for
from trellis.assessment.models import Assessment, CompetentRange, Domain
from trellis.audit.models import AuditEvent
from trellis.demo.boxall import seed_school
from trellis.pupils.models import Pupil

ALL_FIVE = {"organisation": 30, "internalisation": 25, "self-limiting": 8, "undeveloped": 4, "unsupported": 12}


def ranges(world, **pairs):
    services.set_competent_ranges(
        school=world.school_a,
        by=world.senco,
        ranges={k.replace("_", "-"): (Decimal(a), Decimal(b)) for k, (a, b) in pairs.items()},
    )


def profile(world, day: dt.date, **scores):
    services.record_boxall_profile(
        pupil=world.in_class, by=world.teacher, date=day, scores={k.replace("_", "-"): v for k, v in scores.items()}
    )


def date_post(day: dt.date) -> dict:
    return {"date_0": day.day, "date_1": day.month, "date_2": day.year}


def standings(world) -> list[str]:
    [latest] = profiles_for(world.in_class, competent_ranges(world.school_a))[:1]
    return [s.standing for s in latest.scores]


def test_scores_at_the_edges_of_the_competent_range_are_within_it(world):
    # Organisation 10-15: 10 and 15 are the edges (within); 9 is below and 16 above.
    ranges(world, organisation=(10, 15), internalisation=(10, 15), self_limiting=(10, 15), undeveloped=(10, 15))
    profile(world, dt.date(2026, 11, 2), organisation=9, internalisation=10, self_limiting=15, undeveloped=16)
    # Unsupported development was not scored and has no range: no judgement either way.
    assert standings(world) == ["below", "within", "within", "above", ""]


def test_a_cluster_without_a_range_has_no_judgement(world):
    ranges(world, organisation=(10, 15))
    profile(world, dt.date(2026, 11, 2), organisation=12, internalisation=3)
    assert standings(world) == ["within", "", "", "", ""]


def test_recording_a_profile_stores_semh_assessments_and_audits_the_scores(world, login):
    client = login(world.teacher)
    response = client.post(reverse("boxall-new", args=[world.in_class.pk]), date_post(dt.date(2026, 11, 2)) | ALL_FIVE)
    assert response.status_code == 302
    rows = Assessment.objects.filter(pupil=world.in_class).order_by("scale__code")
    assert [(r.scale.code, r.value, r.domain) for r in rows] == [
        ("boxall-internalisation", "25", Domain.SEMH),
        ("boxall-organisation", "30", Domain.SEMH),
        ("boxall-self-limiting", "8", Domain.SEMH),
        ("boxall-undeveloped", "4", Domain.SEMH),
        ("boxall-unsupported", "12", Domain.SEMH),
    ]
    event = AuditEvent.objects.get(record_type="Boxall Profile", action=AuditEvent.Action.CREATE)
    assert event.pupil_id == world.in_class.pk
    assert event.changes["Organisation of experience"] == [None, "30"]
    assert event.changes["Unsupported development"] == [None, "12"]


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"organisation": "137"}, "The organisation of experience score must be 136 or less"),
        ({"undeveloped": "-1"}, "The undeveloped behaviour score must be 0 or more"),
        ({"organisation": "12.5"}, "Enter the organisation of experience score as a whole number"),
        ({"organisation": "ten"}, "Enter the organisation of experience score as a whole number"),
        ({}, "Enter a score for at least one cluster"),
    ],
)
def test_a_bad_score_says_which_cluster_and_saves_nothing(world, login, scores, message):
    client = login(world.teacher)
    good = {"internalisation": "20"} if scores else {}
    response = client.post(
        reverse("boxall-new", args=[world.in_class.pk]), date_post(dt.date(2026, 11, 2)) | good | scores
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(record_type="Boxall Profile", action=AuditEvent.Action.CREATE).exists()


def test_136_is_the_highest_score_a_cluster_can_have(world):
    profile(world, dt.date(2026, 11, 2), organisation=136)
    with pytest.raises(services.BoxallError, match="Organisation of experience: '137' is not on"):
        profile(world, dt.date(2026, 11, 3), organisation=137, internalisation=1)
    assert Assessment.objects.count() == 1  # the second profile saved nothing, not even internalisation


def test_staff_who_do_not_work_with_the_pupil_cannot_record(world, login):
    for user in (world.other_teacher, world.governor, world.outsider):
        response = login(user).get(reverse("boxall-new", args=[world.in_class.pk]))
        assert response.status_code == 404, user


def test_reading_the_page_is_audited_and_shows_scores_against_ranges(world, login):
    ranges(world, organisation=(18, 30))
    profile(world, dt.date(2026, 11, 2), organisation=17)
    profile(world, dt.date(2026, 9, 20), organisation=31)
    response = login(world.ta).get(reverse("pupil-boxall", args=[world.in_class.pk]))
    page = response.content.decode()
    assert AuditEvent.objects.filter(
        record_type="Boxall Profile", action=AuditEvent.Action.VIEW, pupil_id=world.in_class.pk, actor=world.ta
    ).exists()
    assert "Organisation of experience (developmental strands): 18 to 30" in page
    assert "Unsupported development (diagnostic profile): not entered yet" in page
    table = page[page.index("<tbody>") :]
    assert table.index("2 Nov 2026") < table.index("20 Sep 2026")  # newest first
    assert '17 <span class="tag tag-amber">below the range' in page
    assert '31 <span class="tag tag-amber">above the range' in page
    assert '<svg viewBox="0 0 660 520"' in page and 'fill="#cce2d8"' in page  # the shaded competent range


def test_profiles_are_placed_in_their_term_across_the_term_boundary(world):
    # Autumn runs to 31 Dec 2026 and Spring starts on 1 Jan 2027 (the school's half-terms).
    profile(world, dt.date(2026, 12, 31), organisation=10)
    profile(world, dt.date(2027, 1, 1), organisation=11)
    profile(world, dt.date(2026, 8, 31), organisation=9)  # before the school's first year in Trellis
    found = profiles_for(world.in_class, {})
    assert [(p.date, p.term) for p in found] == [
        (dt.date(2027, 1, 1), "Spring 2026/27"),
        (dt.date(2026, 12, 31), "Autumn 2026/27"),
        (dt.date(2026, 8, 31), ""),
    ]


@pytest.mark.parametrize(
    ("dated", "due"),
    [
        (dt.date(2026, 9, 1), False),  # the first day of the Autumn term: this term's review is done
        (dt.date(2026, 8, 31), True),  # the day before: still to do
    ],
)
def test_the_termly_review_is_due_until_a_profile_is_dated_this_term(world, login, dated, due):
    profile(world, dated, organisation=10)
    page = login(world.senco).get(reverse("pupil-boxall", args=[world.in_class.pk])).content.decode()
    assert ("This term's profile (Autumn 2026/27) is still to do." in page) is due


def test_the_senco_enters_competent_ranges_and_each_change_is_audited(world, login):
    client = login(world.senco)
    url = reverse("competent-ranges", args=[world.school_a.urn])
    response = client.post(url, {"organisation-low": "18", "organisation-high": "30"})
    assert response.status_code == 302
    client.post(
        url, {"organisation-low": "19", "organisation-high": "30", "unsupported-low": "0", "unsupported-high": "6"}
    )
    found = {r.scale.code: (r.low, r.high) for r in CompetentRange.objects.select_related("scale")}
    assert found == {"boxall-organisation": (19, 30), "boxall-unsupported": (0, 6)}
    changes = [e.changes for e in AuditEvent.objects.filter(record_type="competent ranges").order_by("pk")]
    assert changes == [
        {"Organisation of experience": [None, "18 to 30"]},
        {"Organisation of experience": ["18 to 30", "19 to 30"], "Unsupported development": [None, "0 to 6"]},
    ]
    client.post(url, {"unsupported-low": "0", "unsupported-high": "6"})  # organisation left blank: removed
    assert list(CompetentRange.objects.values_list("scale__code", flat=True)) == ["boxall-unsupported"]


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        (
            {"organisation-low": "31", "organisation-high": "30"},
            "organisation of experience highest score must not be below",
        ),
        ({"organisation-low": "18"}, "Enter both ends of the organisation of experience range"),
        ({"organisation-low": "18", "organisation-high": "137"}, "must be 136 or less"),
    ],
)
def test_a_bad_range_says_what_is_wrong_and_changes_nothing(world, login, posted, message):
    ranges(world, unsupported=(0, 6))
    response = login(world.senco).post(reverse("competent-ranges", args=[world.school_a.urn]), posted)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(CompetentRange.objects.values_list("scale__code", "low", "high")) == [("boxall-unsupported", 0, 6)]


def test_only_the_senco_enters_competent_ranges(world, login):
    for user in (world.teacher, world.head, world.outsider):
        assert login(user).get(reverse("competent-ranges", args=[world.school_a.urn])).status_code == 404


def test_page_queries_do_not_grow_with_profiles(world, login, django_assert_max_num_queries):
    ranges(world, organisation=(18, 30), undeveloped=(0, 5))
    client = login(world.senco)
    url = reverse("pupil-boxall", args=[world.in_class.pk])
    profile(world, dt.date(2026, 9, 10), **{k.replace("-", "_"): v for k, v in ALL_FIVE.items()})
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    for day in (3, 4, 5, 6):
        profile(world, dt.date(2026, 10, day), **{k.replace("-", "_"): v for k, v in ALL_FIVE.items()})
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


@pytest.mark.dates  # works from the school's own terms, whatever day it is
def test_demo_profiles_semh_pupils_last_term_and_this_term(world):
    today = timezone.localdate()
    Pupil.objects.filter(pk=world.in_class.pk).update(primary_need_id="SEMH")
    seed_school(school=world.school_a, rng=random.Random(1), today=today)
    assert CompetentRange.objects.filter(school=world.school_a).count() == 5
    found = profiles_for(world.in_class, competent_ranges(world.school_a))
    assert len(found) == 2 and all(s.value is not None for p in found for s in p.scores)
    this_term = world.school_a.current_academic_year(today).half_term_on(today)
    term_starts = min(h.starts_on for h in this_term.academic_year.half_terms.all() if h.term == this_term.term)
    assert found[1].date < term_starts <= found[0].date <= today
    assert not Assessment.objects.exclude(pupil=world.in_class).exists()  # only pupils whose primary need is SEMH
