"""Suspensions and permanent exclusions: who records them, the length in days or sessions, the school's
list of reasons, the audit, the pupil's term tallies and the annual review pack. The test school's
Autumn term runs 1 Sep to 31 Dec 2026 and Spring starts 1 Jan 2027."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from fixtures_identify import CASES, VISIBLE

from trellis.audit.models import AuditEvent
from trellis.evidence import exclusions
from trellis.evidence.exclusions import STARTING_REASONS, ExclusionError, record_exclusion
from trellis.evidence.models import Exclusion, WeeklyRecord
from trellis.evidence.tallies import term_tallies

from conftest import make_pupil

RECORDERS = {"senco", "head", "outsider", "superuser"}  # the outsider is another school's SENCO: not VISIBLE


def dated(name: str, day: dt.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def form(day=dt.date(2026, 11, 16), **extra) -> dict:
    return {
        "kind": "suspension",
        **dated("starts_on", day),
        "length": "2.5",
        "unit": "days",
        "reason": "Bullying",
    } | extra


def suspend(world, pupil="in_class", day=dt.date(2026, 11, 16), sessions=2, kind="suspension", reason="Bullying"):
    return record_exclusion(
        pupil=getattr(world, pupil), by=world.senco, kind=kind, starts_on=day, sessions=sessions, reason=reason
    )


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_only_the_senco_and_senior_leaders_who_see_the_pupil_record_them(world, login, role, pupil):
    response = login(getattr(world, role)).get(reverse("evidence-exclusion-new", args=[getattr(world, pupil).pk]))
    assert response.status_code == (200 if pupil in VISIBLE[role] and role in RECORDERS else 404)


def test_the_pupils_teacher_sees_them_but_may_not_record_them(world, login):
    suspend(world)
    client = login(world.teacher)
    page = client.get(reverse("pupil-evidence", args=[world.in_class.pk])).content.decode()
    assert "1 day (2 sessions)" in page and "Bullying" in page
    assert reverse("evidence-exclusion-new", args=[world.in_class.pk]) not in page
    profile = client.get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert "Suspensions and exclusions" in profile and "1 day (2 sessions)" in profile
    posted = client.post(reverse("evidence-exclusion-new", args=[world.in_class.pk]), form())
    assert posted.status_code == 404 and not Exclusion.objects.filter(reason="Bullying", sessions=5).exists()


@pytest.mark.parametrize(
    ("length", "unit", "sessions"),
    [("2.5", "days", 5), ("0.5", "days", 1), ("45", "days", 90), ("3", "sessions", 3), ("90", "sessions", 90)],
)
def test_a_suspension_is_kept_in_sessions_whichever_unit_is_typed(world, login, length, unit, sessions):
    response = login(world.senco).post(
        reverse("evidence-exclusion-new", args=[world.in_class.pk]), form(length=length, unit=unit)
    )
    assert response.status_code == 302
    saved = Exclusion.objects.get(pupil=world.in_class)
    assert (saved.kind, saved.starts_on, saved.sessions, saved.reason) == (
        "suspension",
        dt.date(2026, 11, 16),
        sessions,
        "Bullying",
    )
    assert saved.days == Decimal(sessions) / 2


@pytest.mark.parametrize(
    ("length", "unit", "message"),
    [
        ("", "days", "Enter how long the suspension is"),
        ("2.25", "days", "Enter whole sessions, or days in halves"),
        ("1.5", "sessions", "Enter whole sessions, or days in halves"),
        ("45.5", "days", "at most 45 school days"),
        ("91", "sessions", "at most 45 school days"),
        ("0", "sessions", "at least half a day"),
        ("1000", "sessions", "at most 45 school days"),
        ("two", "days", "Enter the length as a number"),
    ],
)
def test_a_suspension_outside_half_a_day_to_45_days_is_refused(world, login, length, unit, message):
    response = login(world.senco).post(
        reverse("evidence-exclusion-new", args=[world.in_class.pk]), form(length=length, unit=unit)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Exclusion.objects.exists()


def test_a_permanent_exclusion_has_no_length(world, login):
    client = login(world.head)
    url = reverse("evidence-exclusion-new", args=[world.in_class.pk])
    refused = client.post(url, form(kind="permanent", length="3"))
    assert "A permanent exclusion has no length" in refused.content.decode()
    assert client.post(url, form(kind="permanent", length="")).status_code == 302
    saved = Exclusion.objects.get()
    assert (saved.kind, saved.sessions, saved.length_text) == ("permanent", None, "Permanent")
    with pytest.raises(ExclusionError, match="from 1 to 90 sessions"):
        record_exclusion(
            pupil=world.in_class, by=None, kind="suspension", starts_on=saved.starts_on, sessions=91, reason="x"
        )


def test_a_new_reason_joins_the_schools_list_and_not_another_schools(world, login):
    client = login(world.senco)
    url = reverse("evidence-exclusion-new", args=[world.in_class.pk])
    both = client.post(url, form(new_reason="Leaving the site"))
    assert "not both" in both.content.decode()
    assert client.post(url, form(reason="", new_reason="  Leaving   the site ")).status_code == 302
    assert Exclusion.objects.get().reason == "Leaving the site"
    assert exclusions.reasons_for(world.school_a.pk) == [*STARTING_REASONS, "Leaving the site"]
    assert exclusions.reasons_for(world.school_b.pk) == STARTING_REASONS
    assert "Leaving the site</option>" in client.get(url).content.decode()
    neither = client.post(url, form(reason=""))
    assert "Choose the reason, or type one not in the list" in neither.content.decode()


def test_recording_and_correcting_are_audited(world, login):
    client = login(world.senco)
    client.post(reverse("evidence-exclusion-new", args=[world.in_class.pk]), form())
    saved = Exclusion.objects.get()
    created = AuditEvent.objects.get(record_type="exclusion", action=AuditEvent.Action.CREATE)
    assert (created.pupil_id, created.changes["sessions"]) == (world.in_class.pk, [None, 5])
    url = reverse("evidence-exclusion-change", args=[world.in_class.pk, saved.pk])
    assert 'value="5"' in client.get(url).content.decode()  # shown in sessions
    changed = client.post(url, form(length="4", unit="sessions", version=1))
    assert changed.status_code == 302
    saved.refresh_from_db()
    assert (saved.sessions, saved.version) == (4, 2)
    updated = AuditEvent.objects.get(record_type="exclusion", action=AuditEvent.Action.UPDATE)
    assert updated.changes == {"sessions": [5, 4]}
    stale = client.post(url, form(length="6", unit="sessions", version=1))
    assert stale.status_code == 200 and "changed" in stale.content.decode()
    saved.refresh_from_db()
    assert saved.sessions == 4


def test_another_pupils_exclusion_cannot_be_changed_through_this_pupil(world, login):
    other = suspend(world, pupil="other_class")
    url = reverse("evidence-exclusion-change", args=[world.in_class.pk, other.pk])
    assert login(world.senco).get(url).status_code == 404


def test_suspensions_are_tallied_in_the_term_of_their_first_day(world):
    """Hand count: Autumn has two suspensions (2 + 5 sessions); Spring one permanent exclusion and
    the week of 4 Jan; the suspension on 31 Dec is the Autumn term's last day."""
    WeeklyRecord.objects.create(
        pupil=world.in_class, week_starting=dt.date(2026, 11, 16), sessions_attended=8, sessions_possible=10
    )
    WeeklyRecord.objects.create(
        pupil=world.in_class, week_starting=dt.date(2027, 1, 4), sessions_attended=10, sessions_possible=10
    )
    suspend(world, day=dt.date(2026, 11, 17), sessions=2)
    suspend(world, day=dt.date(2026, 12, 31), sessions=5)
    suspend(world, day=dt.date(2027, 1, 1), sessions=None, kind="permanent")
    years = list(world.school_a.academic_years.prefetch_related("half_terms"))
    found = [
        (t.term, t.weeks, t.attended, t.suspensions, t.suspended_sessions, t.permanent)
        for t in term_tallies(list(world.in_class.weekly_records.all()), years, list(world.in_class.exclusions.all()))
    ]
    assert found == [("Autumn 2026/27", 1, 8, 2, 7, 0), ("Spring 2026/27", 1, 10, 0, 0, 1)]


def test_the_evidence_page_shows_terms_with_only_a_suspension(world, login):
    suspend(world, day=dt.date(2026, 11, 17), sessions=3)
    page = login(world.teacher).get(reverse("pupil-evidence", args=[world.in_class.pk])).content.decode()
    assert (
        "<td>Autumn 2026/27</td><td>0</td><td>0</td><td>0</td><td>0 of 0</td><td>–</td><td>1</td><td>3</td><td>0</td>"
        in page
    )
    assert "1.5 days (3 sessions)" in page


def test_the_evidence_page_queries_do_not_grow_with_exclusions(world, login, django_assert_max_num_queries):
    suspend(world)
    client = login(world.senco)
    url = reverse("pupil-evidence", args=[world.in_class.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(10):
        suspend(world, day=dt.date(2026, 9, 7) + dt.timedelta(days=n), sessions=1 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Change<span") == 11


def test_a_pupil_without_a_school_record_of_theirs_is_not_mixed_in(world):
    mine = suspend(world)
    other = make_pupil(world.school_a, surname="Zed")
    suspend(world, pupil="other_class")
    assert exclusions.exclusions_between(world.in_class, since=dt.date(2026, 9, 1), until=dt.date(2026, 12, 31)) == [
        mine
    ]
    assert exclusions.exclusions_between(other, since=dt.date(2026, 9, 1), until=dt.date(2026, 12, 31)) == []


def _demo_exclusions(seed: str) -> list[tuple]:
    with transaction.atomic():
        call_command("seed_demo", "--schools", "2", "--pupils-per-school", "120", "--seed", seed, stdout=io.StringIO())
        rows = list(
            Exclusion.objects.order_by("pupil__upn", "starts_on", "sessions").values_list(
                "pupil__upn", "pupil__sen_status", "kind", "starts_on", "sessions", "reason"
            )
        )
        transaction.set_rollback(True)
    return rows


def test_the_demo_has_a_believable_few_suspensions_the_same_for_the_same_seed(db):
    first = _demo_exclusions("4")
    assert first == _demo_exclusions("4") and first != _demo_exclusions("5")
    today = timezone.localdate()
    assert 2 <= len({upn for upn, *_ in first}) <= 12
    for _, status, kind, day, sessions, reason in first:
        assert status in ("K", "E") and kind == "suspension" and 1 <= sessions <= 6
        assert day < today and day.weekday() < 5 and reason in STARTING_REASONS
