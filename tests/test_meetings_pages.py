"""Progress meeting pages: who may see and do what, what the pages show, and their query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import make_target

from trellis.audit.models import AuditEvent
from trellis.meetings import services
from trellis.meetings.models import Action, Decision, Meeting
from trellis.provision import services as provision
from trellis.provision.models import Intervention, InterventionGroup

from conftest import make_pupil


def _date(name: str, day: dt.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def meeting(world):
    """A meeting about `in_class` (4B) and `other_class` (4C), the teacher of 4B attending."""
    return services.schedule_meeting(
        school=world.school_a,
        by=world.senco,
        kind=Meeting.Kind.GROUP,
        held_on=timezone.localdate(),
        pupils=[world.in_class, world.other_class],
        staff=[world.teacher],
    )


@pytest.fixture
def enrolment(world):
    intervention = Intervention.objects.create(school=world.school_a, name="Numeracy catch-up")
    group = InterventionGroup.objects.create(
        intervention=intervention, starts_on=timezone.localdate() - dt.timedelta(days=30)
    )
    return provision.enrol(group=group, pupil=world.in_class, by=world.senco)


def _url(name: str, meeting, pupil) -> str:
    return reverse(name, args=[meeting.pk, pupil.pk])


def test_the_teacher_schedules_a_class_meeting_and_emails_the_invitation(world, login):
    world.teacher.email = "teacher@alder.example"
    world.teacher.save()
    today = timezone.localdate()
    response = login(world.teacher).post(
        reverse("meeting-new", args=[world.school_a.urn]),
        {
            "kind": "class",
            "teaching_group": world.class_4b.pk,
            **_date("held_on", today + dt.timedelta(days=7)),
            "starts_at": "15:30",
            "staff": [world.teacher.pk, world.senco.pk],
            "invite": "on",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meeting", args=[meeting.pk])
    assert meeting.pupils.count() == 2  # in_class and confidential: the class on the day
    [message] = mail.outbox  # the SENCO has no address
    assert message.to == ["teacher@alder.example"]
    assert "25 November 2026 at 15:30" in message.subject
    assert f"http://testserver/meetings/{meeting.pk}/" in message.body
    assert "Inclass" not in message.body and "Private" not in message.body


def test_a_bad_date_says_so_and_schedules_nothing(world, login):
    response = login(world.senco).post(
        reverse("meeting-new", args=[world.school_a.urn]),
        {"kind": "pupil", "pupils": [world.in_class.pk], "held_on_0": "31", "held_on_1": "2", "held_on_2": "2027"},
    )
    assert response.status_code == 200
    assert "The date of the meeting must be a real date" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_schedule_form_offers_only_pupils_the_teacher_may_see(world, login):
    page = login(world.teacher).get(reverse("meeting-new", args=[world.school_a.urn])).content.decode()
    assert "Sam Inclass" in page and "Otherclass" not in page and "Birchpupil" not in page


@pytest.mark.parametrize("role", ["ta", "governor", "specialist", "administrator", "head"])
def test_only_the_senco_and_teachers_schedule(world, login, role):
    assert login(getattr(world, role)).get(reverse("meeting-new", args=[world.school_a.urn])).status_code == 404


def test_a_teacher_sees_only_their_own_pupils_of_a_meeting(world, login, meeting):
    page = login(world.teacher).get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "Sam Inclass" in page and "Otherclass" not in page
    assert "1 other pupil discussed at this meeting is not shown" in page
    assert login(world.teacher).get(_url("meeting-prepare", meeting, world.other_class)).status_code == 404


@pytest.mark.parametrize("role", ["outsider", "administrator", "governor"])
def test_a_meeting_is_404_to_those_who_see_none_of_its_pupils(world, login, meeting, role):
    client = login(getattr(world, role))
    assert client.get(reverse("meeting", args=[meeting.pk])).status_code == 404
    assert client.get(_url("meeting-parents", meeting, world.in_class)).status_code == 404


def test_another_schools_pupil_is_404_even_with_a_real_meeting(world, login, meeting):
    client = login(world.senco)
    assert client.get(_url("meeting-prepare", meeting, world.pupil_b)).status_code == 404
    assert client.get(_url("meeting-prepare", meeting, world.expired_share)).status_code == 404  # not in it


def test_staff_who_do_not_attend_read_but_do_not_record(world, login, meeting):
    """The TA of 4B sees in_class but neither scheduled nor attends this meeting."""
    client = login(world.ta)
    assert client.get(_url("meeting-prepare", meeting, world.in_class)).status_code == 200
    assert client.get(_url("meeting-record", meeting, world.in_class)).status_code == 404
    assert client.post(_url("meeting-record", meeting, world.in_class), {"discussion": "x"}).status_code == 404
    assert meeting.pupils.get(pupil=world.in_class).discussion == ""


def test_the_attending_teacher_records_the_discussion(world, login, meeting):
    response = login(world.teacher).post(
        _url("meeting-record", meeting, world.in_class),
        {"parent_attended": "yes", "parent_names": "Mum", "pupil_attended": "no", "discussion": "Reading up"},
    )
    assert response.status_code == 302
    part = meeting.pupils.get(pupil=world.in_class)
    assert (part.parent_attended, part.pupil_attended, part.discussion) == (True, False, "Reading up")


def test_a_teacher_may_decide_targets_but_not_provision_or_status(world, login, meeting, enrolment):
    client = login(world.teacher)
    page = client.get(_url("meeting-decision-new", meeting, world.in_class)).content.decode()
    assert "Set a new target" in page and "Stop a provision" not in page and "Raise the SEN status" not in page
    response = client.post(
        _url("meeting-decision-new", meeting, world.in_class), {"kind": "stop", "enrolment": enrolment.pk}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.ends_on is None and not Decision.objects.exists()


def test_the_senco_stops_a_provision_in_one_step(world, login, meeting, enrolment):
    response = login(world.senco).post(
        _url("meeting-decision-new", meeting, world.in_class), {"kind": "stop", "enrolment": enrolment.pk}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.ends_on == timezone.localdate()
    assert Decision.objects.get().enrolment == enrolment


def test_a_decision_the_service_refuses_is_shown_and_changes_nothing(world, login, meeting):
    response = login(world.senco).post(
        _url("meeting-decision-new", meeting, world.in_class), {"kind": "raise_status", "status": "N"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "No SEN is not higher than SEN support" in page and "Nothing was changed" in page
    world.in_class.refresh_from_db()
    assert world.in_class.sen_status == "K"


def test_an_action_is_added_then_done_by_its_owner_from_my_actions(world, login, meeting):
    client = login(world.senco)
    due = timezone.localdate() + dt.timedelta(days=14)
    response = client.post(
        _url("meeting-action-new", meeting, world.in_class),
        {"text": "Send home the word mat", "owner": world.teacher.pk, **_date("due_on", due)},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    teacher = login(world.teacher)
    page = teacher.get(reverse("my-actions")).content.decode()
    assert "Send home the word mat" in page and "2 Dec 2026" in page
    teacher.post(reverse("meeting-action-done", args=[action.pk]), {"next": "my-actions"})
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    page = teacher.get(reverse("my-actions")).content.decode()
    assert "“Send home the word mat” marked done" in page and "You have no open actions" in page


def test_an_action_with_no_owner_asks_for_one(world, login, meeting):
    response = login(world.senco).post(
        _url("meeting-action-new", meeting, world.in_class),
        {"text": "Something", **_date("due_on", timezone.localdate())},
    )
    assert "Choose who owns the action" in response.content.decode() and not Action.objects.exists()


def test_someone_else_cannot_mark_an_action_done(world, login, meeting):
    action = services.add_action(
        discussion=meeting.pupils.get(pupil=world.in_class),
        by=world.senco,
        text="x",
        owner=world.senco,
        due_on=timezone.localdate(),
    )
    assert login(world.ta).post(reverse("meeting-action-done", args=[action.pk])).status_code == 404
    assert login(world.outsider).post(reverse("meeting-action-done", args=[action.pk])).status_code == 404
    action.refresh_from_db()
    assert action.done_on is None


def test_the_parents_record_shows_what_was_agreed_and_names_only_their_child(world, login, meeting, enrolment):
    part = meeting.pupils.get(pupil=world.in_class)
    services.apply_decision(discussion=part, by=world.senco, kind="stop", enrolment=enrolment)
    services.add_action(
        discussion=part, by=world.senco, text="Read nightly", owner_parent="Mrs Inclass", due_on=timezone.localdate()
    )
    page = login(world.senco).get(_url("meeting-parents", meeting, world.in_class)).content.decode()
    assert "What we agreed for Sam" in page
    assert "Stop Numeracy catch-up from 18 November 2026" in page and "Mrs Inclass" in page
    assert "Otherclass" not in page


def test_the_preparation_page_prints_without_inline_styles(world, login, meeting):
    make_target(world.in_class)
    page = login(world.senco).get(_url("meeting-prepare", meeting, world.in_class)).content.decode()
    for question in ("1. What progress", "2. What is the evidence", "3. What support", "4. What, if any", "5. Where"):
        assert question in page
    assert 'media="print"' in page and "style=" not in page


def test_the_meeting_is_in_the_pupils_history(world, login, meeting):
    page = login(world.senco).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert "Progress meetings" in page and reverse("meeting", args=[meeting.pk]) in page


@pytest.mark.parametrize(("role", "shown"), [("senco", True), ("teacher", True), ("ta", False), ("governor", False)])
def test_the_navigation_links_meetings_for_the_senco_and_teachers(world, login, role, shown):
    page = login(getattr(world, role)).get(reverse("account")).content.decode()
    assert (reverse("meetings", args=[world.school_a.urn]) in page) is shown


def test_pages_read_in_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, enrolment):
    """Five pupils on a meeting cost no more queries than one, apart from one audit row each."""
    pupils = [world.in_class] + [make_pupil(world.school_a, surname=f"Extra{n}") for n in range(4)]
    one = services.schedule_meeting(
        school=world.school_a, by=world.senco, kind="pupil", held_on=timezone.localdate(), pupils=pupils[:1]
    )
    five = services.schedule_meeting(
        school=world.school_a, by=world.senco, kind="group", held_on=timezone.localdate(), pupils=pupils
    )
    for meeting in (one, five):
        for part in meeting.pupils.all():
            services.add_action(
                discussion=part, by=world.senco, text="x", owner=world.senco, due_on=timezone.localdate()
            )
    client = login(world.senco)
    with django_assert_max_num_queries(14):
        client.get(reverse("meeting", args=[one.pk]))
    with django_assert_max_num_queries(14 + 4):  # four more pupils, one audit row each
        client.get(reverse("meeting", args=[five.pk]))
    make_target(world.in_class)
    with django_assert_max_num_queries(33):  # with an intervention evaluated
        assert client.get(_url("meeting-prepare", five, world.in_class)).status_code == 200
    with django_assert_max_num_queries(7 + 5):  # ten actions, five pupils: one audit row each
        client.get(reverse("my-actions"))
    assert AuditEvent.objects.filter(actor=world.senco, record_type="meeting actions").count() == 5


# --- The write rules, role by role (trellis/meetings/access.py) -------------------------------------

ROLES = ["senco", "head", "teacher", "ta", "other_teacher", "governor", "specialist", "administrator", "outsider"]
# About `in_class` (4B) at a meeting scheduled by the SENCO with the teacher of 4B attending.
EXPECTED = {
    #                 schedule record  decide (kinds)                 add reason
    "senco": (True, True, "targets provision register", True),
    "head": (False, True, "provision", False),
    "teacher": (True, True, "targets", False),
    "ta": (False, False, "", False),  # sees the pupil, but neither scheduled nor attends
    "other_teacher": (True, False, "", False),  # attends no meeting, and does not teach the pupil
    "governor": (False, False, "", False),
    "specialist": (False, False, "", False),
    "administrator": (False, False, "", False),
    "outsider": (False, False, "", False),
}


@pytest.mark.parametrize("role", ROLES)
def test_write_rules_by_role(world, meeting, role):
    from trellis.meetings import access

    user = getattr(world, role)
    part = meeting.pupils.get(pupil=world.in_class)
    kinds = set(access.decision_kinds(user, part))
    groups = {
        "targets": {"new_target", "change_target"},
        "provision": {"continue", "extend", "adapt", "stop"},
        "register": {"raise_status", "lower_status", "refer", "request_ehc"},
    }
    got = (
        access.may_schedule_meeting(user, world.school_a),
        access.may_record_discussion(user, part),
        " ".join(name for name, members in groups.items() if members <= kinds),
        access.may_add_reason(user, world.school_a),
    )
    assert got == EXPECTED[role]
    assert kinds == set().union(*(groups[name] for name in EXPECTED[role][2].split()))


def test_the_list_counts_only_the_pupils_each_may_see_and_names_none(world, login, meeting):
    page = login(world.teacher).get(reverse("meetings", args=[world.school_a.urn])).content.decode()
    assert reverse("meeting", args=[meeting.pk]) in page
    assert '<td class="numeric">1</td>' in page  # in_class only: other_class is not the teacher's
    assert "Inclass" not in page and "Otherclass" not in page
    other = login(world.other_teacher).get(reverse("meetings", args=[world.school_a.urn])).content.decode()
    assert '<td class="numeric">1</td>' in other  # other_class, whom they teach
    assert login(world.outsider).get(reverse("meetings", args=[world.school_a.urn])).status_code == 404


def test_the_senco_adds_a_school_reason_and_a_repeat_is_refused(world, login):
    client = login(world.senco)
    url = reverse("meeting-reasons", args=[world.school_a.urn])
    assert client.post(url, {"text": "Building works"}).status_code == 302
    page = client.post(url, {"text": "building WORKS"}).content.decode()
    assert "“building WORKS” is already on the list" in page
    assert login(world.teacher).post(url, {"text": "Other"}).status_code == 404
