"""Evidence notes linked to a pupil's targets: on the form, through the API, and shown on the target."""

import pytest
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import make_target

from trellis.evidence import services


def note(world, pupil, targets):
    return services.create_note(
        pupil=pupil,
        by=world.teacher,
        date=timezone.localdate(),
        learning_objective="Read CVC words",
        activity="Phonics game",
        outcome="Read 8 of 10",
        targets=targets,
    )


def test_a_note_links_to_the_pupils_own_targets(world):
    target = make_target(world.in_class)
    assert list(note(world, world.in_class, [target.pk]).targets.all()) == [target]


def test_another_pupils_target_is_refused_and_nothing_saved(world):
    theirs = make_target(world.other_class)
    with pytest.raises(services.EvidenceError, match=f"Target {theirs.pk} is not one of this pupil's targets"):
        note(world, world.in_class, [theirs.pk])
    assert not world.in_class.evidence_notes.exists()


def test_form_offers_the_pupils_current_targets_and_links_them(world, login):
    target = make_target(world.in_class)
    client = login(world.teacher)
    url = reverse("evidence-note-new", args=[world.in_class.pk])
    assert str(target) in client.get(url, {"target": target.pk}).content.decode()
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "date_0": today.day,
            "date_1": today.month,
            "date_2": today.year,
            "learning_objective": "Read CVC words",
            "activity": "Phonics game",
            "outcome": "Read 8 of 10",
            "targets": [target.pk],
        },
    )
    assert response.status_code == 302
    assert target.evidence_notes.get().outcome == "Read 8 of 10"
    page = client.get(reverse("target", args=[target.pk])).content.decode()
    assert "Read CVC words" in page


def test_api_creates_and_lists_links(world, login):
    target = make_target(world.in_class)
    client = login(world.teacher)
    body = {
        "date": timezone.localdate().isoformat(),
        "learning_objective": "Count to 20",
        "activity": "Number line",
        "outcome": "Counted to 17",
        "targets": [target.pk],
    }
    response = client.post(f"/api/v1/pupils/{world.in_class.pk}/evidence", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["targets"] == [target.pk]
    assert client.get(f"/api/v1/pupils/{world.in_class.pk}/evidence").json()[0]["targets"] == [target.pk]
    body["targets"] = [make_target(world.other_class).pk]
    response = client.post(f"/api/v1/pupils/{world.in_class.pk}/evidence", body, content_type="application/json")
    assert response.status_code == 422


def test_the_writer_or_the_senco_can_change_a_note_and_its_links_are_kept(world, login):
    import datetime as dt

    from django.utils import timezone
    from fixtures_progress import make_target

    from trellis.audit.models import AuditEvent
    from trellis.evidence import services
    from trellis.plans.models import Target

    today = timezone.localdate()
    old = make_target(world.in_class, description="Last term's target")
    Target.objects.filter(pk=old.pk).update(closed_on=today - dt.timedelta(days=3))
    note = services.create_note(
        pupil=world.in_class,
        by=world.teacher,
        date=today,
        learning_objective="Read CVC words",
        activity="Flash cards",
        outcome="8 of 10",
        targets=[old.pk],
    )
    url = f"/pupils/{world.in_class.pk}/evidence/notes/{note.pk}/"
    assert login(world.ta).get(url).status_code == 404  # not the writer, not the SENCO
    assert login(world.other_teacher).get(url).status_code == 404  # cannot see the pupil
    form = {
        "date_0": today.day,
        "date_1": today.month,
        "date_2": today.year,
        "learning_objective": "Read CVC words",
        "activity": "Flash cards",
        "outcome": "9 of 10",
        "targets": [old.pk],
    }
    assert login(world.teacher).post(url, form).status_code == 302
    note.refresh_from_db()
    assert note.outcome == "9 of 10" and list(note.targets.values_list("pk", flat=True)) == [old.pk]
    event = AuditEvent.objects.filter(record_type="evidence note", action="update").latest("at")
    assert event.changes == {"outcome": ["8 of 10", "9 of 10"]}
    assert login(world.senco).get(url).status_code == 200
