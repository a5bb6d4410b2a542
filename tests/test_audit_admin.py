"""The Django admin is no side door: pupil data there is read-only, and every read of it is audited."""

import datetime as dt

import pytest
from django.urls import reverse
from fixtures_progress import add_review, make_target

from trellis.audit.models import AuditEvent
from trellis.plans.models import Plan, Review, Target


@pytest.fixture
def reviewed(world):
    """A plan of `in_class` with one target on NC levels (2c to 2a) and two reviews."""
    target = make_target(world.in_class)
    first = add_review(target, "2c", date=target.starts_on, by=world.teacher)
    latest = add_review(target, "2b", date=target.starts_on + dt.timedelta(days=30), by=world.teacher)
    target.refresh_from_db()
    return target, first, latest


def admin_events(user):
    return AuditEvent.objects.filter(actor=user, via="admin")


def test_superuser_cannot_change_a_review_in_the_admin(world, login, reviewed):
    target, _, review = reviewed
    summary_before = Target.objects.filter(pk=target.pk).values().get()
    client = login(world.superuser)
    url = reverse("admin:plans_review_change", args=[review.pk])
    assert client.get(url).status_code == 200  # shown, read-only
    response = client.post(
        url,
        {
            "target": target.pk,
            "date": "2001-01-01",
            "value": "not on the scale",
            "reviewed_by": world.superuser.pk,
            "reviewed_by_name": "root",
        },
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert (review.value, review.date, review.reviewed_by) == ("2b", reviewed[2].date, world.teacher)
    assert Target.objects.filter(pk=target.pk).values().get() == summary_before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, actor=world.superuser).exists()


def test_superuser_cannot_delete_a_review_or_a_plan_in_the_admin(world, login, reviewed):
    target, _, review = reviewed
    client = login(world.superuser)
    assert client.post(reverse("admin:plans_review_delete", args=[review.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:plans_plan_delete", args=[target.plan_id]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:plans_plan_changelist"),
        {"action": "delete_selected", "_selected_action": [target.plan_id], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Plan.objects.filter(pk=target.plan_id).exists()
    assert Review.objects.filter(target=target).count() == 2


@pytest.mark.parametrize("model", ["plan", "planversion", "review"])
def test_no_pupil_data_is_added_in_the_admin(world, login, model):
    assert login(world.superuser).get(reverse(f"admin:plans_{model}_add")).status_code == 403


def test_opening_a_review_in_the_admin_is_a_view_of_that_pupil(world, login, reviewed):
    _, _, review = reviewed
    login(world.superuser).get(reverse("admin:plans_review_change", args=[review.pk]))
    event = admin_events(world.superuser).get()
    assert (event.action, event.pupil_id, event.school_id) == ("view", world.in_class.pk, world.school_a.pk)
    assert (event.record_type, event.record_id) == ("review", str(review.pk))


def test_opening_a_plan_and_its_history_in_the_admin_are_views(world, login, reviewed):
    plan_id = reviewed[0].plan_id
    client = login(world.superuser)
    client.get(reverse("admin:plans_plan_change", args=[plan_id]))
    client.get(reverse("admin:plans_plan_history", args=[plan_id]))
    events = list(admin_events(world.superuser).values_list("pupil_id", "record_type", "record_id"))
    assert events == [(world.in_class.pk, "plan", str(plan_id))] * 2


def test_a_list_of_plans_in_the_admin_is_one_audited_read(world, login, reviewed):
    make_target(world.other_class)
    login(world.superuser).get(reverse("admin:plans_plan_changelist"), {"q": "", "state__exact": "active"})
    event = admin_events(world.superuser).get()
    assert (event.action, event.record_type, event.pupil_id) == ("view", "plans list", None)
    assert event.summary == "Listed 2 in the Django admin"
    assert event.changes == {"filters": [None, {"q": "", "state__exact": "active"}]}


def test_reading_the_audit_trail_in_the_admin_is_itself_audited(world, login):
    shown = AuditEvent.objects.filter(pupil_id=world.other_class.pk).first()
    client = login(world.superuser)
    client.get(reverse("admin:audit_auditevent_change", args=[shown.pk]))
    event = admin_events(world.superuser).get()
    assert (event.pupil_id, event.school_id, event.record_id) == (
        world.other_class.pk,
        world.school_a.pk,
        str(shown.pk),
    )


def test_a_missing_object_in_the_admin_writes_no_event(world, login):
    response = login(world.superuser).get(reverse("admin:plans_review_change", args=[999999]))
    assert response.status_code == 302  # the admin goes back to the list with a message
    assert not admin_events(world.superuser).exists()


def test_the_office_grant_cannot_be_set_in_the_user_admin(world, login):
    page = login(world.superuser).get(reverse("admin:accounts_user_change", args=[world.administrator.pk]))
    assert page.status_code == 200
    assert 'name="memberships-0-sees_sen_records"' not in page.content.decode()


def test_scales_cannot_be_changed_under_recorded_values(world, login, reviewed):
    scale = reviewed[0].scale
    client = login(world.superuser)
    assert client.get(reverse("admin:assessment_scale_change", args=[scale.pk])).status_code == 200
    assert client.post(reverse("admin:assessment_scale_delete", args=[scale.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:assessment_scale_add")).status_code == 403
