"""Changing a group after it started (issue 16): staff, dates, schedule, funding, and its pupils
joining and leaving with their entry, target and exit. Audited, versioned, and the evaluation follows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.provision import group_edits, reports, services
from trellis.provision.models import Enrolment, Intervention, InterventionGroup

from conftest import make_pupil

START, END = dt.date(2026, 9, 7), dt.date(2026, 10, 16)  # Monday to Friday: 40 days, 6 weeks


@pytest.fixture
def group(world):
    """£10 a session, 3 a week for 6 weeks: 18 planned sessions, £180 before any is logged.
    A 2c -> 2b (+1, met), B 2c -> 2c (not met), C 2b -> 2a (met)."""
    numeracy = Intervention.objects.create(
        school=world.school_a, name="Numeracy", cost_per_session=Decimal(10), sessions_per_week=3
    )
    group = services.create_group(intervention=numeracy, by=world.senco, staff=world.ta, starts_on=START, ends_on=END)
    levels = find_scale("nc-levels")
    for name, entry, exit in (("Ann", "2c", "2b"), ("Ben", "2c", "2c"), ("Cal", "2b", "2a")):
        pupil = make_pupil(world.school_a, surname=name, group=world.class_4b)
        services.enrol(
            group=group,
            pupil=pupil,
            by=world.senco,
            measures=[services.MeasureInput(levels, entry, Decimal(1), "", exit)],
        )
    return group


def _summary(group):
    [item] = reports.evaluate_groups(InterventionGroup.objects.filter(pk=group.pk))
    s = item.summary
    return (
        group.__class__.objects.get(pk=group.pk).planned_sessions,
        s.cost,
        s.pupils,
        s.pupils_met,
        s.cost_per_pupil_met,
    )


def _place(group, surname):
    return Enrolment.objects.get(group=group, pupil__legal_surname=surname)


def test_changing_dates_and_pupils_changes_the_evaluation_as_worked_by_hand(world, group):
    # 18 sessions x £10 = £180; 3 pupils, 2 met: £90 per pupil who met.
    assert _summary(group) == (18, Decimal("180.00"), 3, 2, Decimal("90.00"))
    # Ending a week early: 5 Oct to 9 Oct is 33 days, 34/7 rounds to 5 weeks, 15 sessions, £150.
    group_edits.edit_group(group=group, by=world.senco, ends_on=dt.date(2026, 10, 9))
    assert _summary(group) == (15, Decimal("150.00"), 3, 2, Decimal("75.00"))
    # Ben's exit corrected to 2b: all three met, £50 each.
    levels = find_scale("nc-levels")
    group_edits.edit_enrolment(
        enrolment=_place(group, "Ben"),
        by=world.senco,
        measures=[services.MeasureInput(levels, "2c", Decimal(1), "", "2b")],
    )
    assert _summary(group) == (15, Decimal("150.00"), 3, 3, Decimal("50.00"))
    # Dee joins on 21 September with 3c -> 3b: four pupils, four met, £37.50 each.
    dee = make_pupil(world.school_a, surname="Dee", group=world.class_4b)
    services.enrol(
        group=group,
        pupil=dee,
        by=world.senco,
        starts_on=dt.date(2026, 9, 21),
        measures=[services.MeasureInput(levels, "3c", Decimal(1), "", "3b")],
    )
    assert _summary(group) == (15, Decimal("150.00"), 4, 4, Decimal("37.50"))
    assert _place(group, "Dee").ends_on == dt.date(2026, 10, 9)  # with the group to its (new) end


def test_pupils_follow_the_groups_new_dates_and_each_change_is_audited_with_old_and_new(world, group):
    leaver = _place(group, "Cal")
    group_edits.edit_enrolment(enrolment=leaver, by=world.senco, ends_on=dt.date(2026, 9, 25))
    group_edits.edit_group(
        group=group, by=world.senco, starts_on=dt.date(2026, 9, 14), ends_on=dt.date(2026, 10, 9), staff=world.teacher
    )
    event = AuditEvent.objects.filter(record_type="intervention group", action=AuditEvent.Action.UPDATE).get()
    assert event.changes == {
        "staff_id": [world.ta.pk, world.teacher.pk],
        "starts_on": ["2026-09-07", "2026-09-14"],
        "ends_on": ["2026-10-16", "2026-10-09"],
    }
    assert (event.actor, event.school) == (world.senco, world.school_a)
    # Ann joined at the start and stayed to the end: both dates move. Cal left on 25 September: only the start.
    assert (_place(group, "Ann").starts_on, _place(group, "Ann").ends_on) == (
        dt.date(2026, 9, 14),
        dt.date(2026, 10, 9),
    )
    assert (_place(group, "Cal").starts_on, _place(group, "Cal").ends_on) == (
        dt.date(2026, 9, 14),
        dt.date(2026, 9, 25),
    )
    followed = AuditEvent.objects.filter(record_type="intervention enrolment", pupil_id=leaver.pupil_id).latest("pk")
    assert followed.changes == {"starts_on": ["2026-09-07", "2026-09-14"]}
    left = AuditEvent.objects.filter(
        record_type="intervention enrolment", pupil_id=leaver.pupil_id, changes__has_key="ends_on"
    )
    assert left.get().changes == {"ends_on": ["2026-10-16", "2026-09-25"]}


def test_shortening_a_group_below_a_session_held_is_refused_and_changes_nothing(world, group, login):
    services.log_session(group=group, date=dt.date(2026, 10, 12), present=[], by=world.ta)
    before = AuditEvent.objects.count()
    page = login(world.senco).post(
        f"/provision/groups/{group.pk}/change/",
        {"starts_on_0": "7", "starts_on_1": "9", "starts_on_2": "2026", "ends_on_0": "9", "ends_on_1": "10"}
        | {"ends_on_2": "2026", "funding": "notional", "staff": world.ta.pk, "version": "1"},
    )
    assert page.status_code == 200
    assert (
        "The group has a session on 12/10/2026: enter an end date on or after it "
        "(sessions already held stay in the group)" in page.content.decode()
    )
    assert InterventionGroup.objects.get(pk=group.pk).ends_on == END
    assert AuditEvent.objects.count() == before


def test_a_session_after_the_new_end_is_still_refused(world, group):
    group_edits.edit_group(group=group, by=world.senco, ends_on=dt.date(2026, 10, 9))
    group.refresh_from_db()
    with pytest.raises(services.SessionDateError, match="after the group ended on 09/10/2026"):
        services.log_session(group=group, date=dt.date(2026, 10, 12), present=[], by=world.ta)


def test_a_pupil_cannot_leave_before_a_session_they_came_to_nor_join_outside_the_group(world, group):
    ann = _place(group, "Ann")
    services.log_session(group=group, date=dt.date(2026, 9, 30), present=[ann.pk], by=world.ta)
    with pytest.raises(group_edits.ProvisionDateError, match="Ann came to the session on 30/09/2026"):
        group_edits.edit_enrolment(enrolment=ann, by=world.senco, ends_on=dt.date(2026, 9, 29))
    with pytest.raises(group_edits.ProvisionDateError, match="on or before the group's end date, 16/10/2026"):
        group_edits.edit_enrolment(enrolment=ann, by=world.senco, starts_on=dt.date(2026, 10, 19))
    late = make_pupil(world.school_a, surname="Late", group=world.class_4b)
    with pytest.raises(services.JoiningDateError, match="on or before the group's end date, 16/10/2026"):
        services.enrol(group=group, pupil=late, by=world.senco, starts_on=dt.date(2026, 10, 19))
    assert _place(group, "Ann").ends_on == END and not Enrolment.objects.filter(pupil=late).exists()


def test_shortening_a_group_before_a_pupil_joined_is_refused(world, group):
    dee = make_pupil(world.school_a, surname="Dee", group=world.class_4b)
    services.enrol(group=group, pupil=dee, by=world.senco, starts_on=dt.date(2026, 10, 12))
    with pytest.raises(group_edits.ProvisionDateError, match="joined on 12/10/2026, after that end date"):
        group_edits.edit_group(group=group, by=world.senco, ends_on=dt.date(2026, 10, 9))


def test_two_senco_edits_from_the_same_version_the_second_is_told_not_lost(world, group, login):
    client = login(world.senco)
    url = f"/provision/groups/{group.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="version" value="1"' in form
    base = {"starts_on_0": "7", "starts_on_1": "9", "starts_on_2": "2026", "ends_on_0": "16", "ends_on_1": "10"}
    base |= {"ends_on_2": "2026", "staff": world.ta.pk, "funding": "notional", "version": "1"}
    assert client.post(url, base | {"schedule": "Mon, Wed, Fri 9:00"}).status_code == 302
    page = client.post(url, base | {"funding": "pupil_premium"}).content.decode()
    assert "This group was changed by" in page and "since you opened it" in page
    group.refresh_from_db()
    assert (group.schedule, group.funding, group.version) == ("Mon, Wed, Fri 9:00", "notional", 2)
    # Saving again, having seen the other change, goes on from version 2.
    assert 'name="version" value="2"' in page
    client.post(url, base | {"schedule": "Mon, Wed, Fri 9:00", "funding": "pupil_premium", "version": "2"})
    group.refresh_from_db()
    assert (group.funding, group.version) == ("pupil_premium", 3)


def test_the_senco_changes_a_pupils_place_on_its_page_with_scale_checked(world, group, login):
    client = login(world.senco)
    ben = _place(group, "Ben")
    url = f"/provision/groups/{group.pk}/pupils/{ben.pk}/"
    assert "Exit on the" in client.get(url).content.decode()
    data = {"starts_on_0": "7", "starts_on_1": "9", "starts_on_2": "2026", "funding": "element_3", "version": "1"}
    data |= {"nc-levels-entry": "2c", "nc-levels-target": "+1", "nc-levels-exit": "9z"}
    page = client.post(url, data).content.decode()
    assert "The exit must be on the" in page
    assert Enrolment.objects.get(pk=ben.pk).funding == ""
    assert (
        client.post(
            url, data | {"nc-levels-exit": "2a", "ends_on_0": "2", "ends_on_1": "10"} | {"ends_on_2": "2026"}
        ).status_code
        == 302
    )
    ben.refresh_from_db()
    assert (ben.funding, ben.funding_stream, ben.ends_on, ben.version) == (
        "element_3",
        "element_3",
        dt.date(2026, 10, 2),
        2,
    )
    event = AuditEvent.objects.filter(record_type="intervention enrolment", pupil_id=ben.pupil_id).latest("pk")
    assert event.changes == {
        "ends_on": ["2026-10-16", "2026-10-02"],
        "funding": ["", "element_3"],
        "nc-levels.exit": ["2c", "2a"],
    }


@pytest.mark.parametrize("user", ["ta", "teacher", "governor"])
def test_only_the_senco_and_leaders_change_a_group_not_its_deliverer(world, group, login, user):
    client = login(getattr(world, user))
    assert client.get(f"/provision/groups/{group.pk}/change/").status_code == 404
    ann = _place(group, "Ann")
    assert client.get(f"/provision/groups/{group.pk}/pupils/{ann.pk}/").status_code == 404
