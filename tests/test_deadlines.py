"""Statutory deadlines as people see them: the command, the API, the pages, the SENCO's forms and the
calendar feed. Dates are fixed (and the command and rules take the day as a parameter), so the
expected values below are worked out by hand from the rules in trellis/deadlines/rules.py."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEvent
from trellis.deadlines import services
from trellis.deadlines.models import AnnualReview, CalendarFeed, EhcAssessmentRequest, SupportReview
from trellis.pupils.models import EhcPlan, SenStatusEntry
from trellis.schools.models import School

from conftest import make_pupil

D = dt.date
TODAY = D(2026, 11, 18)


def _json(urn: str, today: dt.date = TODAY) -> list[dict]:
    out = io.StringIO()
    call_command("deadlines", "--school", urn, "--json", "--today", today.isoformat(), stdout=out)
    return json.loads(out.getvalue())["deadlines"]


@pytest.fixture
def dated(world):
    """School A with fixed dates: `other_class` has an EHC plan due 1 December 2026; `in_class` (SEN
    support since 10 August 2026) has a request for an EHC needs assessment made on 7 October 2026."""
    SenStatusEntry.objects.filter(pupil__school=world.school_a, ends_on__isnull=True).update(starts_on=D(2026, 8, 10))
    world.plan = EhcPlan.objects.create(
        pupil=world.other_class, issued_on=D(2025, 12, 1), next_annual_review_due=D(2026, 12, 1)
    )
    world.request = EhcAssessmentRequest.objects.create(
        pupil=world.in_class,
        requested_on=D(2026, 10, 7),
        decision="assess",
        decided_on=D(2026, 11, 4),
        advice_requested_on=D(2026, 11, 4),
    )
    return world


def _of(rows: list[dict], surname: str) -> set[tuple]:
    return {(r["kind"], r["step"], r["due"], r["status"]) for r in rows if r["pupil"].endswith(surname)}


def test_the_command_prints_every_deadline_with_hand_worked_dates(dated):
    rows = _json("100001")
    assert set(rows[0]) == {"upn", "pupil", "kind", "step", "due", "status"}
    assert _of(rows, "Otherclass") == {
        ("annual_review", "advice_requested", "2026-11-03", "overdue"),  # 4 weeks before 1 December
        ("annual_review", "invitations_sent", "2026-11-17", "overdue"),  # 2 weeks before: yesterday
        ("annual_review", "meeting", "2026-12-01", "due_soon"),
        ("annual_review", "report_sent", "2026-12-15", "due_soon"),  # 27 days ahead
        ("annual_review", "la_decision", "2026-12-29", "upcoming"),  # 41 days ahead
    }
    assert _of(rows, "Inclass") == {
        ("ehc_assessment", "decision_to_assess", "2026-11-18", "done"),
        ("ehc_assessment", "advice_requested", "2026-11-04", "done"),
        ("ehc_assessment", "advice_given", "2026-12-16", "due_soon"),  # 6 weeks from 4 November: 28 days ahead
        ("ehc_assessment", "draft_plan", "2027-01-27", "upcoming"),  # 16 weeks from 7 October
        ("ehc_assessment", "final_plan", "2027-02-24", "upcoming"),  # 20 weeks
        ("sen_support_review", "review", "2026-12-10", "due_soon"),  # 4 months from 10 August
    }
    # SEN support reviews of the other pupils on SEN support, the confidential one too (the command sees all).
    assert _of(rows, "Private") == {("sen_support_review", "review", "2026-12-10", "due_soon")}
    order = [(r["status"] == "done", r["due"]) for r in rows]
    assert order == sorted(order) and order[-1][0]  # open ones soonest first, then those done
    # The day before, the advice is due 29 days ahead: upcoming, not yet due soon.
    assert ("ehc_assessment", "advice_given", "2026-12-16", "upcoming") in _of(
        _json("100001", D(2026, 11, 17)), "Inclass"
    )


def test_the_command_refuses_an_unknown_school_or_day(dated):
    with pytest.raises(Exception, match="No school has the URN"):
        call_command("deadlines", "--school", "999999", "--json")
    with pytest.raises(Exception, match="--today must be a date"):
        call_command("deadlines", "--school", "100001", "--today", "18/11/2026")


def test_a_decision_not_to_assess_ends_the_request_and_it_leaves_the_list_after_a_while(dated):
    dated.request.decision, dated.request.decided_on = "not_assess", D(2026, 11, 10)
    dated.request.advice_requested_on = None
    dated.request.save()
    assert {r["step"] for r in _json("100001") if r["kind"] == "ehc_assessment"} == {"decision_to_assess"}
    assert not [r for r in _json("100001", D(2026, 12, 9)) if r["kind"] == "ehc_assessment"]  # 29 days after


def test_a_review_that_does_not_involve_parents_does_not_count(dated):
    SupportReview.objects.create(pupil=dated.in_class, held_on=D(2026, 10, 1), parent="invited")
    SupportReview.objects.create(pupil=dated.in_class, held_on=D(2026, 11, 2), parent="not_involved")
    (review,) = [r for r in _json("100001") if r["kind"] == "sen_support_review" and r["pupil"].endswith("Inclass")]
    assert (review["due"], review["status"]) == ("2027-02-01", "upcoming")  # 4 months from 1 October


def test_a_year_6_pupil_with_a_plan_has_phase_transfer_deadlines(dated):
    dated.other_class.nc_year = 6
    dated.other_class.save()
    transfer = {(r["step"], r["due"]) for r in _json("100001") if r["kind"] == "phase_transfer"}
    assert transfer == {("review", "2027-02-15"), ("amended_plan", "2027-02-15")}
    AnnualReview.objects.create(
        plan=dated.plan,
        pupil=dated.other_class,
        due_on=D(2026, 12, 1),
        held_on=D(2026, 11, 16),
        la_decision="amend",
        la_decision_on=D(2026, 11, 17),
        amended_plan_on=D(2026, 11, 18),
        next_school="Hillside Academy",
    )
    statuses = {r["step"]: r["status"] for r in _json("100001") if r["kind"] == "phase_transfer"}
    assert statuses == {"review": "done", "amended_plan": "done"}


@pytest.mark.dates
def test_the_api_gives_the_same_as_the_command_to_the_senco_and_less_to_a_teacher(dated, login):
    today = timezone.localdate()
    answer = login(dated.senco).get("/api/v1/deadlines", {"school": "100001"})
    assert answer.status_code == 200
    assert answer.json()["deadlines"] == _json("100001", today)
    assert AuditEvent.objects.filter(record_type="deadline list", via="api", actor=dated.senco).exists()
    names = {
        r["pupil"] for r in login(dated.teacher).get("/api/v1/deadlines", {"school": "100001"}).json()["deadlines"]
    }
    assert names == {dated.in_class.full_name}  # not the confidential pupil of the same class, nor 4C


def test_the_api_answers_404_in_the_one_shape_for_a_school_not_yours(dated, login):
    for urn in ("100002", "999999"):
        answer = login(dated.senco).get("/api/v1/deadlines", {"school": urn})
        assert answer.status_code == 404
        assert answer.json() == {"detail": "Not found", "errors": []}
    answer = login(dated.senco).get("/api/v1/deadlines", {"school": "12"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "school"


@pytest.mark.dates
def test_the_school_page_lists_deadlines_in_constant_queries(dated, login, django_assert_max_num_queries):
    client = login(dated.senco)
    url = reverse("deadlines", args=["100001"])
    with django_assert_max_num_queries(20) as few:
        page = client.get(url)
    assert page.status_code == 200
    for n in range(6):  # more pupils with plans and requests: not one query more
        pupil = make_pupil(dated.school_a, surname=f"Extra{n}")
        EhcPlan.objects.create(pupil=pupil, issued_on=D(2025, 1, 1), next_annual_review_due=timezone.localdate())
        EhcAssessmentRequest.objects.create(pupil=pupil, requested_on=timezone.localdate())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    text = page.content.decode()
    assert "Otherclass" in text and "Extra5" in text and "Annual review meeting" in text
    assert AuditEvent.objects.filter(record_type="deadline list", actor=dated.senco, school=dated.school_a).exists()


def test_the_school_page_filters_by_status_and_refuses_a_status_it_does_not_know(dated, login):
    client = login(dated.senco)
    url = reverse("deadlines", args=["100001"])
    overdue = client.get(url, {"status": "overdue"}).content.decode()
    assert "Advice and views requested" in overdue and "Annual review meeting" not in overdue
    assert "Annual review meeting" in client.get(url, {"kind": "annual_review"}).content.decode()
    late = client.get(url, {"status": "late"})
    assert late.status_code == 400 and "&#x27;status&#x27;" in late.content.decode()


def test_a_teacher_sees_only_their_pupils_and_a_governor_or_outsider_nothing(dated, login):
    url = reverse("deadlines", args=["100001"])
    text = login(dated.teacher).get(url).content.decode()
    assert "Inclass" in text and "Otherclass" not in text and "Private" not in text
    assert login(dated.governor).get(url).status_code == 404
    assert login(dated.outsider).get(url).status_code == 404


def test_the_navigation_links_to_deadlines_for_the_senco_not_the_teacher(dated, login):
    assert (
        reverse("deadlines", args=["100001"]) in login(dated.senco).get(reverse("home"), follow=True).content.decode()
    )
    assert reverse("deadlines", args=["100001"]) not in login(dated.teacher).get(reverse("account")).content.decode()
    assert reverse("deadlines-trust") in login(dated.governor).get(reverse("account")).content.decode()


@pytest.mark.dates
def test_the_trust_page_names_overdue_pupils_to_the_trust_but_only_counts_to_a_governor(dated, login):
    today = timezone.localdate()
    dated.plan.next_annual_review_due = today - dt.timedelta(days=3)
    dated.plan.save()
    url = reverse("deadlines-trust")
    text = login(dated.trustlead).get(url).content.decode()
    assert "Otherclass" in text and "Alder Primary" in text and "Birch Primary" in text
    # One EHC review due in the last 12 months and not held: 0 of 1 on time, withheld for a governor.
    assert "0 of 1 (0.0%)" in text
    governor = login(dated.governor).get(url).content.decode()
    assert "Otherclass" not in governor and "0 of withheld (withheld)" in governor
    assert login(dated.teacher).get(url).status_code == 404


def test_the_senco_records_review_steps_and_the_las_decision_sets_the_next_review(dated, login):
    client = login(dated.senco)
    url = reverse("annual-review", args=[dated.other_class.pk])
    assert "Invite: Parents, The pupil, The local authority" in client.get(url).content.decode()
    data = _dates(held_on=D(2026, 11, 10), report_sent_on=D(2026, 11, 12), la_decision_on=D(2026, 11, 17))
    response = client.post(url, {**data, "la_decision": "amend", "health_involved": "on"})
    assert response.status_code == 302
    review = AnnualReview.objects.get()
    assert (review.due_on, review.held_on, review.la_decision) == (D(2026, 12, 1), D(2026, 11, 10), "amend")
    assert review.health_involved and not review.social_care_involved
    dated.plan.refresh_from_db()
    # The LA's decision on 17 November 2026 concludes the review: the next is due 12 months later.
    assert (dated.plan.last_annual_review_on, dated.plan.next_annual_review_due) == (D(2026, 11, 17), D(2027, 11, 17))
    changes = AuditEvent.objects.filter(action="update", pupil_id=dated.other_class.pk)
    assert {"annual review", "EHC plan"} <= set(changes.values_list("record_type", flat=True))
    # The amended plan is now due 8 weeks after the decision: 12 January 2027, across the new year.
    steps = {(r["step"], r["due"]) for r in _json("100001") if r["pupil"].endswith("Otherclass")}
    assert ("amended_plan", "2027-01-12") in steps and ("meeting", "2027-11-17") in steps


def test_bad_review_dates_say_what_is_wrong_and_save_nothing(dated, login):
    client = login(dated.senco)
    url = reverse("annual-review", args=[dated.other_class.pk])
    future = client.post(url, _dates(held_on=D(2026, 11, 19)))
    assert "The date the meeting was held cannot be in the future" in future.content.decode()
    half = client.post(url, {**_dates(held_on=D(2026, 11, 10)), "la_decision": "maintain"})
    assert "Give both the LA&#x27;s decision and its date, or neither" in half.content.decode()
    early = client.post(url, _dates(held_on=D(2026, 11, 10), report_sent_on=D(2026, 11, 9)))
    assert "cannot be before the meeting (10 November 2026)" in early.content.decode()
    assert not AnnualReview.objects.filter(held_on__isnull=False).exists()


def test_two_people_editing_one_review_do_not_lose_an_edit(dated, login):
    client = login(dated.senco)
    url = reverse("annual-review", args=[dated.other_class.pk])
    client.post(url, _dates(meeting_on=D(2026, 11, 25)))
    review = AnnualReview.objects.get()
    services.record_review(plan=dated.plan, review=review, by=dated.head, today=TODAY, meeting_on=D(2026, 11, 26))
    stale = client.post(
        reverse("annual-review-earlier", args=[dated.other_class.pk, review.pk]),
        {**_dates(meeting_on=D(2026, 11, 27)), "version": str(review.version)},
    )
    assert "since you opened it" in stale.content.decode()
    review.refresh_from_db()
    assert review.meeting_on == D(2026, 11, 26)


def test_only_the_senco_records_steps(dated, login):
    for name in ("annual-review", "ehc-request-new", "support-review-new"):
        url = reverse(name, args=[dated.other_class.pk])
        assert login(dated.teacher).get(url).status_code == 404
        assert login(dated.head).get(url).status_code == 404


def test_the_senco_records_a_request_and_its_steps(dated, login):
    client = login(dated.senco)
    response = client.post(
        reverse("ehc-request-new", args=[dated.other_class.pk]),
        {**_dates(requested_on=D(2026, 11, 2)), "requested_by": "parent"},
    )
    assert response.status_code == 302
    request = EhcAssessmentRequest.objects.get(pupil=dated.other_class)
    url = reverse("ehc-request", args=[request.pk])
    bad = client.post(
        url, {**_dates(requested_on=D(2026, 11, 2), draft_issued_on=D(2026, 11, 10)), "requested_by": "parent"}
    )
    assert "Steps after the decision need the LA&#x27;s decision to assess" in bad.content.decode()
    ok = client.post(
        url,
        {
            **_dates(requested_on=D(2026, 11, 2), decided_on=D(2026, 11, 16)),
            "requested_by": "parent",
            "decision": "assess",
            "version": "1",
        },
    )
    assert ok.status_code == 302
    request.refresh_from_db()
    assert (request.decision, request.decided_on, request.version) == ("assess", D(2026, 11, 16), 2)
    assert AuditEvent.objects.filter(record_type="EHC assessment request", action="update").exists()


def test_a_support_review_is_recorded_once_a_day(dated, login):
    client = login(dated.senco)
    url = reverse("support-review-new", args=[dated.in_class.pk])
    assert client.post(url, {**_dates(held_on=D(2026, 11, 16)), "parent": "took_part"}).status_code == 302
    again = client.post(url, {**_dates(held_on=D(2026, 11, 16)), "parent": "invited"})
    assert "A review on 16 November 2026 is recorded already" in again.content.decode()
    assert SupportReview.objects.get().parent == "took_part"


def test_the_pupil_page_is_audited_and_follows_need_to_know(dated, login):
    url = reverse("pupil-deadlines", args=[dated.other_class.pk])
    assert login(dated.senco).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="view", record_type="statutory deadlines", pupil_id=dated.other_class.pk)
    assert login(dated.teacher).get(url).status_code == 404  # 4C is not the teacher's class


def test_the_calendar_feed_carries_initials_only_and_stops_when_revoked(dated, client, login):
    login(dated.senco)
    page = client.post(reverse("calendar-link"), {"action": "new"})
    key = page.context["link"].rsplit("/", 1)[1].removesuffix(".ics")
    client.logout()
    feed = client.get(reverse("calendar-feed", args=[key]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    text = feed.content.decode().replace("\r\n ", "")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in feed.content.decode().split("\r\n"))
    assert "SUMMARY:SO: Advice and views requested (EHC plan annual review)" in text
    assert "DTSTART;VALUE=DATE:20261103" in text
    assert "Otherclass" not in text and "Inclass" not in text and "ASD" not in text
    assert "LA decides" not in text  # the LA's steps are not the SENCO's
    assert AuditEvent.objects.filter(record_type="calendar feed", actor=dated.senco).exists()
    login(dated.senco)
    client.post(reverse("calendar-link"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("calendar-feed", args=[key])).status_code == 404
    assert client.get(reverse("calendar-feed", args=["not-a-key"])).status_code == 404
    assert CalendarFeed.objects.get().revoked_at is not None


def test_a_new_calendar_link_stops_the_old_one(dated, client):
    first = services.new_calendar_link(user=dated.senco)
    second = services.new_calendar_link(user=dated.senco)
    assert client.get(reverse("calendar-feed", args=[first])).status_code == 404
    assert client.get(reverse("calendar-feed", args=[second])).status_code == 200


def _dates(**days: dt.date) -> dict[str, str]:
    """Three-box date fields as a form posts them."""
    out = {}
    for name, day in days.items():
        out |= {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}
    return out


def test_due_soon_and_the_under_5_review_interval_are_settings(dated, login, settings):
    settings.TRELLIS_DEADLINE_DUE_SOON_DAYS = 7
    (review,) = [r for r in _json("100001") if r["pupil"].endswith("Private")]
    assert (review["due"], review["status"]) == ("2026-12-10", "upcoming")  # 22 days: not within 7
    settings.TRELLIS_UNDER5_REVIEW_MONTHS = 3
    dated.other_class.date_of_birth = D(2022, 3, 1)  # 4 years old when the LA decides
    dated.other_class.save()
    AnnualReview.objects.create(plan=dated.plan, pupil=dated.other_class, due_on=D(2026, 12, 1))
    review = AnnualReview.objects.get()
    decided = {"held_on": D(2026, 11, 2), "la_decision": "maintain", "la_decision_on": D(2026, 11, 16)}
    services.record_review(plan=dated.plan, review=review, by=dated.senco, today=TODAY, **decided)
    dated.plan.refresh_from_db()
    assert dated.plan.next_annual_review_due == D(2027, 2, 16)  # 3 months after 16 November 2026


def test_the_trust_page_reads_a_fixed_number_of_queries(dated, login, django_assert_max_num_queries):
    client = login(dated.trustlead)
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse("deadlines-trust")).status_code == 200
    for n in range(5):
        pupil = make_pupil(dated.school_b, surname=f"More{n}")
        EhcPlan.objects.create(pupil=pupil, issued_on=D(2025, 1, 1), next_annual_review_due=D(2026, 1, 1))
        SupportReview.objects.create(pupil=dated.in_class, held_on=D(2026, 8, 20 + n), parent="took_part")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "More4" in client.get(reverse("deadlines-trust")).content.decode()


def test_the_demo_school_has_reviews_at_every_step_and_requests_in_progress(db):
    call_command("seed_demo", "--schools", "1", "--pupils-per-school", "420", "--today", "2026-11-18", verbosity=0)
    rows = _json(School.objects.get().urn)
    review_steps = {(r["step"], r["status"] == "done") for r in rows if r["kind"] == "annual_review"}
    for step in ("advice_requested", "invitations_sent", "meeting", "report_sent"):
        assert (step, True) in review_steps and (step, False) in review_steps, step
    assert ("amended_plan", False) in review_steps  # the LA decided to amend: the plan is awaited
    requests = EhcAssessmentRequest.objects.all()
    assert requests.filter(decided_on__isnull=True).exists()  # waiting for the LA's decision
    assert requests.filter(decision="assess", draft_issued_on__isnull=True).exists()  # assessing
    assert requests.filter(draft_issued_on__isnull=False, final_issued_on__isnull=True).exists()  # draft out
    parents = set(SupportReview.objects.values_list("parent", flat=True))
    assert parents == {"took_part", "invited", "not_involved"}
