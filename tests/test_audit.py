"""Every change to pupil data and every read of a SEN record leaves an audit event that cannot be undone."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEvent
from trellis.lib.versions import last_change
from trellis.provision.models import Intervention, InterventionGroup
from trellis.provision.services import enrol, log_session
from trellis.pupils import services

from conftest import make_pupil


def events_for(pupil, action):
    return AuditEvent.objects.filter(pupil_id=pupil.pk, action=action)


def test_opening_a_pupil_page_is_audited_with_who_and_which_pupil(world, login):
    before = events_for(world.in_class, AuditEvent.Action.VIEW).count()
    login(world.teacher).get(reverse("pupil", args=[world.in_class.pk]))
    event = events_for(world.in_class, AuditEvent.Action.VIEW).latest("at")
    assert events_for(world.in_class, AuditEvent.Action.VIEW).count() == before + 1
    assert (event.actor, event.actor_name, event.via) == (world.teacher, "teacher", "web")
    assert event.school_id == world.school_a.pk


def test_reading_a_pupil_through_the_api_is_audited_as_api(world, login):
    login(world.senco).get(f"/api/v1/pupils/{world.in_class.pk}")
    event = events_for(world.in_class, AuditEvent.Action.VIEW).latest("at")
    assert (event.actor, event.via) == (world.senco, "api")


def test_a_refused_read_is_not_recorded_as_a_view(world, login):
    login(world.other_teacher).get(reverse("pupil", args=[world.in_class.pk]))
    assert not events_for(world.in_class, AuditEvent.Action.VIEW).filter(actor=world.other_teacher).exists()


def test_status_change_records_old_and_new_values(world):
    services.set_sen_status(pupil=world.in_class, status="E", starts_on=timezone.localdate(), by=world.senco)
    event = AuditEvent.objects.filter(pupil_id=world.in_class.pk, record_type="SEN status").latest("at")
    assert event.action == AuditEvent.Action.UPDATE
    assert event.changes["sen_status"] == ["K", "E"]
    assert event.actor == world.senco


def test_pupil_detail_change_records_only_changed_fields(world):
    services.update_pupil(pupil=world.in_class, by=world.senco, preferred_forename="Sammy", eal=False)
    event = AuditEvent.objects.filter(pupil_id=world.in_class.pk, record_type="pupil").latest("at")
    assert event.changes == {"preferred_forename": ["", "Sammy"]}


def test_audit_events_cannot_be_edited_or_deleted(world):
    event = AuditEvent.objects.filter(pupil_id=world.in_class.pk).first()
    event.summary = "tampered"
    with pytest.raises(Exception, match="append-only|cannot"):
        event.save()
    with pytest.raises(Exception, match="append-only|cannot"):
        event.delete()
    with pytest.raises(Exception, match="append-only|cannot"):
        AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")
    with pytest.raises(Exception, match="append-only|cannot"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary != "tampered"


def test_the_admin_offers_no_way_to_change_audit_events(world, login):
    event = AuditEvent.objects.first()
    client = login(world.superuser)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    response = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_senco_sees_who_viewed_and_changed_the_record_by_name(world, login):
    world.teacher.first_name, world.teacher.last_name = "Grace", "Hopper"
    world.teacher.save()
    login(world.teacher).get(reverse("pupil", args=[world.in_class.pk]))
    page = login(world.senco).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    trail = page.split('<h2 id="audit-trail">', 1)[1]  # the section, not the contents list's link to it
    # The person's name, not their username, on the row of their view (and on no other row).
    assert trail.count("<td>Grace Hopper</td>") == 1
    assert "<td>Grace Hopper</td><td>Viewed SEN record</td>" in trail
    assert "<td>teacher</td>" not in trail


@pytest.mark.parametrize("role", ["teacher", "ta", "specialist"])
def test_other_roles_do_not_see_the_audit_list(world, login, role):
    pupil = world.other_class if role == "specialist" else world.in_class
    page = login(getattr(world, role)).get(reverse("pupil", args=[pupil.pk])).content.decode()
    assert "Who has viewed or changed this record" not in page


def test_register_download_is_audited_as_an_export(world, login):
    login(world.senco).get(reverse("register-download", args=[world.school_a.urn, "csv"]))
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, record_type="register").get()
    assert event.school_id == world.school_a.pk and event.actor == world.senco


def test_a_failed_change_leaves_no_audit_event(world):
    count = AuditEvent.objects.count()
    with pytest.raises(services.RegisterError):
        services.set_sen_status(
            pupil=world.in_class, status="E", starts_on=dt.date(2000, 1, 1), by=world.senco
        )  # before the current status began
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize("group_size", [2, 7])
def test_a_session_register_audits_each_pupil_in_the_same_number_of_queries(world, group_size):
    """Every pupil of the group has their attendance in their own trail, written together: the
    register of a group of 7 costs what the register of a group of 2 costs."""
    intervention = Intervention.objects.create(school=world.school_a, name="Word wasp", cost_per_session=Decimal(5))
    group = InterventionGroup.objects.create(
        intervention=intervention, starts_on=dt.date(2026, 9, 7), ends_on=dt.date(2026, 12, 18)
    )
    pupils = [make_pupil(world.school_a, surname=f"Reg{i}") for i in range(group_size)]
    for pupil in pupils:
        enrol(group=group, pupil=pupil, by=world.senco, measures=[])
    present = [group.enrolments.get(pupil=pupils[0]).pk]
    with CaptureQueriesContext(connection) as queries:
        log_session(group=group, date=dt.date(2026, 11, 16), present=present, by=world.ta)
    trails = AuditEvent.objects.filter(record_type="intervention attendance")
    assert sorted(trails.values_list("pupil_id", flat=True)) == sorted(p.pk for p in pupils)
    assert trails.get(pupil_id=pupils[0].pk).summary == "Word wasp 16/11/2026: present"
    assert trails.get(pupil_id=pupils[1].pk).summary == "Word wasp 16/11/2026: absent"
    assert len(queries) == 6, [q["sql"] for q in queries]


def _event(pupil, at, record_type, *, action="view", actor=None, record_id=""):
    event = AuditEvent(
        at=at, actor=actor, actor_name="someone", pupil_id=pupil.pk, action=action, record_type=record_type
    )
    event.record_id = record_id
    event.save()
    return event


def test_the_pupil_page_lists_the_newest_100_events_later_written_first_within_a_second(world, login):
    # The list is read through the pupil-first index (pupil, newest, last written): the page reads
    # 100 rows however long the trail is; events of the same moment are listed last written first.
    moment = timezone.now() + dt.timedelta(hours=1)  # after the fixture's events and the SENCO's own view
    for number in range(1, 104):
        _event(world.other_class, moment, f"note {number:03}")
    page = login(world.senco).get(reverse("pupil", args=[world.other_class.pk])).content.decode()
    trail = page.split('<h2 id="audit-trail">', 1)[1]
    shown = [int(n) for n in re.findall(r"Viewed note (\d{3})", trail)]
    assert shown == list(range(103, 3, -1))  # 103 down to 4; nothing older


def test_the_last_change_to_a_record_is_the_latest_change_or_removal_not_a_later_view(world):
    moment = timezone.now() - dt.timedelta(hours=2)
    pupil = world.in_class
    _event(pupil, moment, "target review", action="update", actor=world.teacher, record_id="77")
    _event(pupil, moment, "target review", action="delete", actor=world.senco, record_id="77")  # same moment, later
    _event(pupil, moment + dt.timedelta(minutes=5), "target review", action="view", actor=world.ta, record_id="77")
    _event(pupil, moment + dt.timedelta(minutes=9), "target review", action="update", record_id="78")
    by, at = last_change("target review", 77)
    assert (by, at) == (world.senco.get_full_name() or world.senco.username, moment)
    assert last_change("target review", 79) == ("someone else", None)
