"""Identification of need: concerns, evidence, staff views, decisions and the register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from fixtures_identify import CASES, SENCOS, STAFF, VISIBLE

from trellis.audit.models import AuditEvent
from trellis.identification import services
from trellis.identification.models import Concern, StaffViewRequest
from trellis.pupils.models import SenStatusEntry
from trellis.pupils.services import set_sen_status

from conftest import make_pupil

TODAY = timezone.localdate()


def concern_about(world, pupil_name: str, **extra) -> Concern:
    pupil = getattr(world, pupil_name)
    by = world.outsider if pupil_name == "pupil_c" else world.senco
    fields = {"area": "slc", "what_seen": "Struggles to follow two-step instructions"} | extra
    return services.raise_concern(pupil=pupil, by=by, **fields)


def decide_post(client, concern, decision="sen_support", reasons="Evidence from three teachers", on=TODAY):
    return client.post(
        reverse("concern-decide", args=[concern.pk]),
        {
            "decision": decision,
            "reasons": reasons,
            "decided_on_0": on.day,
            "decided_on_1": on.month,
            "decided_on_2": on.year,
        },
    )


# ---- Access: every role on every page ----


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_concern_page_follows_need_to_know(world, login, role, pupil):
    concern = concern_about(world, pupil)
    response = login(getattr(world, role)).get(reverse("concern", args=[concern.pk]))
    assert response.status_code == (200 if pupil in VISIBLE[role] else 404)


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_only_staff_who_see_the_pupil_can_raise_a_concern(world, login, role, pupil):
    response = login(getattr(world, role)).get(reverse("concern-new", args=[getattr(world, pupil).pk]))
    allowed = pupil in VISIBLE[role] and role in STAFF
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("page", ["concern-evidence", "concern-request-views", "concern-decide"])
@pytest.mark.parametrize("role", list(VISIBLE))
def test_only_the_senco_gathers_evidence_and_decides(world, login, role, page):
    concern = concern_about(world, "in_class")
    response = login(getattr(world, role)).get(reverse(page, args=[concern.pk]))
    allowed = role in SENCOS and role != "outsider"
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("role", list(VISIBLE))
def test_concern_list_shows_only_concerns_about_visible_pupils(world, login, role):
    for name in ("in_class", "other_class", "confidential", "expired_share"):
        concern_about(world, name, what_seen=f"Concern about {name}")
    response = login(getattr(world, role)).get(reverse("concerns", args=[world.school_a.urn]))
    if role in {"governor", "outsider"}:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("in_class", "other_class", "confidential", "expired_share"):
        assert (getattr(world, name).legal_surname in page) == (name in VISIBLE[role]), name


def test_a_ta_cannot_raise_or_see_a_concern_about_a_pupil_outside_their_groups(world, login):
    concern = concern_about(world, "other_class")
    client = login(world.ta)
    assert client.get(reverse("concern", args=[concern.pk])).status_code == 404
    response = client.post(reverse("concern-new", args=[world.other_class.pk]), {"area": "semh", "what_seen": "Upset"})
    assert response.status_code == 404
    assert Concern.objects.count() == 1


# ---- Raising ----


def test_teacher_raises_a_concern_and_it_is_audited(world, login):
    client = login(world.teacher)
    response = client.post(
        reverse("concern-new", args=[world.in_class.pk]),
        {
            "area": "spld",
            "what_seen": "Reverses letters b and d",
            "contexts": "Phonics; writing",
            "noticed_since_0": "1",
            "noticed_since_1": "9",
            "noticed_since_2": str(TODAY.year - 1),
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert (concern.raised_by, concern.source, concern.area, concern.contexts) == (
        world.teacher,
        "staff",
        "spld",
        "Phonics; writing",
    )
    assert AuditEvent.objects.filter(record_type="concern", action="create", pupil_id=world.in_class.pk).exists()


def test_raising_a_concern_without_what_was_seen_shows_a_clear_error(world, login):
    response = login(world.teacher).post(reverse("concern-new", args=[world.in_class.pk]), {"area": "spld"})
    assert response.status_code == 200
    assert "Enter what you have noticed" in response.content.decode()
    assert not Concern.objects.exists()


def test_senco_records_a_concern_raised_by_a_parent(world, login):
    client = login(world.senco)
    page = client.get(reverse("concern-new", args=[world.in_class.pk])).content.decode()
    assert "Who or what raised the concern" in page
    client.post(
        reverse("concern-new", args=[world.in_class.pk]),
        {"source": "parent", "raised_by_name": "Mrs Inclass", "area": "semh", "what_seen": "Anxious at home"},
    )
    concern = Concern.objects.get()
    assert (concern.source, concern.raiser) == ("parent", "Mrs Inclass")


def test_a_teacher_cannot_set_the_source(world, login):
    login(world.teacher).post(
        reverse("concern-new", args=[world.in_class.pk]),
        {"source": "parent", "raised_by_name": "Someone", "area": "semh", "what_seen": "Anxious"},
    )
    concern = Concern.objects.get()
    assert (concern.source, concern.raised_by_name) == ("staff", "")


# ---- Staff views ----


def test_senco_asks_the_pupils_teachers_who_see_and_answer_their_request(world, login):
    concern = concern_about(world, "in_class")
    senco = login(world.senco)
    page = senco.get(reverse("concern-request-views", args=[concern.pk])).content.decode()
    assert "Teacher (teacher, 4B)" in page and "Ta (teaching assistant, 4B)" in page
    assert "Otherteacher" not in page  # teaches 4C, not this pupil
    senco.post(
        reverse("concern-request-views", args=[concern.pk]),
        {"staff": [world.teacher.pk, world.ta.pk], "question": "How is reading?"},
    )
    assert set(concern.view_requests.values_list("staff__username", flat=True)) == {"teacher", "ta"}

    teacher = login(world.teacher)
    listing = teacher.get(reverse("concerns", args=[world.school_a.urn])).content.decode()
    assert "Your views have been asked for" in listing
    response = teacher.post(reverse("concern-answer-view", args=[concern.pk]), {"response": "Reads slowly"})
    assert response.status_code == 302
    view = StaffViewRequest.objects.get(staff=world.teacher)
    assert (view.response, view.answered_on) == ("Reads slowly", TODAY)
    assert AuditEvent.objects.filter(record_type="staff view", actor=world.teacher).exists()
    listing = teacher.get(reverse("concerns", args=[world.school_a.urn])).content.decode()
    assert "Your views have been asked for" not in listing
    detail = login(world.senco).get(reverse("concern", args=[concern.pk])).content.decode()
    assert "Reads slowly" in detail and "Waiting" in detail  # the TA has not answered yet


def test_staff_who_were_not_asked_cannot_answer(world, login):
    concern = concern_about(world, "in_class")
    services.request_views(concern=concern, by=world.senco, staff=[world.teacher])
    assert login(world.ta).get(reverse("concern-answer-view", args=[concern.pk])).status_code == 404
    assert login(world.head).get(reverse("concern-answer-view", args=[concern.pk])).status_code == 404


def test_views_cannot_be_asked_of_staff_who_do_not_teach_the_pupil(world):
    concern = concern_about(world, "in_class")
    with pytest.raises(services.IdentificationError, match="does not teach|do\\(es\\) not teach"):
        services.request_views(concern=concern, by=world.senco, staff=[world.other_teacher])
    assert not StaffViewRequest.objects.exists()


def test_a_request_made_before_the_pupil_moved_class_can_no_longer_be_answered(world, login):
    concern = concern_about(world, "in_class")
    services.request_views(concern=concern, by=world.senco, staff=[world.teacher])
    world.in_class.group_memberships.update(ends_on=TODAY - dt.timedelta(days=1))
    assert login(world.teacher).get(reverse("concern-answer-view", args=[concern.pk])).status_code == 404


# ---- Evidence ----


def test_senco_adds_evidence_shown_on_the_timeline(world, login):
    concern = concern_about(world, "in_class")
    client = login(world.senco)
    client.post(
        reverse("concern-evidence", args=[concern.pk]),
        {
            "kind": "screening",
            "summary": "Dyslexia screener",
            "result": "Moderate risk",
            "date_0": TODAY.day,
            "date_1": TODAY.month,
            "date_2": TODAY.year,
        },
    )
    page = client.get(reverse("concern", args=[concern.pk])).content.decode()
    assert "Screening or test result" in page and "Moderate risk" in page
    assert AuditEvent.objects.filter(record_type="concern evidence").count() == 1


# ---- Decisions and the register ----


def test_a_decision_that_changes_status_writes_register_history_and_audit(world, login):
    pupil = make_pupil(world.school_a, surname="Newconcern", group=world.class_4b)
    concern = services.raise_concern(pupil=pupil, by=world.teacher, area="cognition", what_seen="Behind in maths")
    response = decide_post(login(world.senco), concern, decision="sen_support")
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.sen_status == "K"
    entry = pupil.sen_history.get()
    assert (entry.status, entry.source, entry.starts_on, entry.recorded_by) == (
        "K",
        SenStatusEntry.Source.IDENTIFICATION,
        TODAY,
        world.senco,
    )
    assert "SEN support: Evidence from three teachers" in entry.reason
    assert AuditEvent.objects.filter(pupil_id=pupil.pk, record_type="concern decision").exists()
    assert AuditEvent.objects.filter(pupil_id=pupil.pk, record_type="SEN status").exists()
    concern.refresh_from_db()
    assert (concern.decision, concern.decided_by, concern.is_open) == ("sen_support", world.senco, False)


def test_a_decision_that_leaves_status_unchanged_writes_no_history(world, login):
    concern = concern_about(world, "in_class")  # already on SEN support
    before = world.in_class.sen_history.count()
    decide_post(login(world.senco), concern, decision="monitor")
    world.in_class.refresh_from_db()
    assert world.in_class.sen_status == "K"
    assert world.in_class.sen_history.count() == before
    assert Concern.objects.get().decision == "monitor"


@pytest.mark.parametrize(
    ("decision", "before", "after"),
    [
        ("no_sen", "N", "N"),
        ("no_sen", "M", "N"),
        ("no_sen", "K", "K"),
        ("no_sen", "E", "E"),
        ("monitor", "N", "M"),
        ("monitor", "M", "M"),
        ("monitor", "K", "K"),
        ("sen_support", "N", "K"),
        ("sen_support", "M", "K"),
        ("sen_support", "E", "E"),
        ("refer", "N", "M"),
        ("refer", "K", "K"),
        ("request_ehc", "N", "K"),
        ("request_ehc", "M", "K"),
        ("request_ehc", "K", "K"),
        ("request_ehc", "E", "E"),
    ],
)
def test_decisions_only_raise_status_except_no_sen_ending_monitoring(decision, before, after):
    assert services.status_after(decision, before) == after


def test_a_decided_concern_cannot_be_decided_again_or_take_more_evidence(world, login):
    concern = concern_about(world, "in_class")
    services.decide(concern=concern, by=world.senco, decision="monitor", reasons="Watch")
    with pytest.raises(services.IdentificationError):
        services.decide(concern=concern, by=world.senco, decision="no_sen", reasons="Again")
    with pytest.raises(services.IdentificationError):
        services.add_evidence(concern=concern, by=world.senco, kind="other", date=TODAY, summary="Late")
    response = decide_post(login(world.senco), concern, decision="no_sen")
    assert response.status_code == 200
    assert "has been decided" in response.content.decode()


def test_a_decision_dated_before_the_current_status_is_rejected_and_saves_nothing(world, login):
    pupil = make_pupil(world.school_a, surname="Backdated", group=world.class_4b)
    services.raise_concern(
        pupil=pupil, by=world.teacher, area="semh", what_seen="x", raised_on=TODAY - dt.timedelta(30)
    )
    set_sen_status(pupil=pupil, status="M", starts_on=TODAY - dt.timedelta(days=5), by=world.senco)
    concern = Concern.objects.get(pupil=pupil)
    response = decide_post(login(world.senco), concern, decision="sen_support", on=TODAY - dt.timedelta(days=10))
    assert response.status_code == 200
    assert "cannot start" in response.content.decode()
    concern.refresh_from_db()
    pupil.refresh_from_db()
    assert (concern.decision, pupil.sen_status) == ("", "M")


def test_missing_reasons_give_a_clear_error(world, login):
    concern = concern_about(world, "in_class")
    response = decide_post(login(world.senco), concern, reasons="")
    assert "Enter the reasons for the decision" in response.content.decode()


# ---- Lists, age, timeline, profile ----


def test_open_concerns_show_their_age_in_days_and_stage(world, login):
    old = concern_about(world, "in_class", raised_on=TODAY - dt.timedelta(days=12))
    services.request_views(concern=old, by=world.senco, staff=[world.teacher])
    decided = concern_about(world, "other_class")
    services.decide(concern=decided, by=world.senco, decision="no_sen", reasons="Fine")
    page = login(world.senco).get(reverse("concerns", args=[world.school_a.urn])).content.decode()
    assert "<td>12</td>" in page
    assert "Awaiting staff views" in page
    assert "Decided in the last 90 days" in page
    assert old.age_in_days(TODAY) == 12
    assert AuditEvent.objects.filter(record_type="concern list", actor=world.senco).exists()


def test_concern_list_query_count_does_not_grow_with_concerns(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    url = reverse("concerns", args=[world.school_a.urn])
    concern_about(world, "in_class")
    client.get(url)
    for i in range(30):
        pupil = make_pupil(world.school_a, surname=f"Many{i}", group=world.class_4b)
        concern = services.raise_concern(pupil=pupil, by=world.teacher, area="semh", what_seen="x")
        services.request_views(concern=concern, by=world.senco, staff=[world.teacher])
        if i % 3 == 0:
            services.decide(concern=concern, by=world.senco, decision="monitor", reasons="r")
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.content.decode().count("Many") >= 30


def test_concern_page_is_audited_and_shows_the_timeline_in_order(world, login):
    concern = concern_about(world, "in_class", raised_on=TODAY - dt.timedelta(days=3))
    services.add_evidence(
        concern=concern,
        by=world.senco,
        kind="parent",
        date=TODAY - dt.timedelta(days=2),
        summary="Parent meeting: worried about reading",
    )
    services.decide(concern=concern, by=world.senco, decision="monitor", reasons="Review in 6 weeks")
    page = login(world.head).get(reverse("concern", args=[concern.pk])).content.decode()
    assert page.index("Concern raised by") < page.index("Parent meeting") < page.index("Review in 6 weeks")
    assert AuditEvent.objects.filter(record_type="concern", action="view", actor=world.head).exists()


def test_profile_shows_concerns_only_when_there_are_some_or_the_user_may_raise_one(world, login):
    specialist = login(world.specialist)
    page = specialist.get(reverse("pupil", args=[world.other_class.pk])).content.decode()
    assert 'id="concerns-heading"' not in page
    concern_about(world, "other_class", what_seen="Very quiet")
    page = specialist.get(reverse("pupil", args=[world.other_class.pk])).content.decode()
    assert 'id="concerns-heading"' in page and "Raise a concern" not in page
    page = login(world.other_teacher).get(reverse("pupil", args=[world.other_class.pk])).content.decode()
    assert "Raise a concern" in page and "Open" in page
