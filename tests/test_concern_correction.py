"""Correcting a concern (issue 15 item 8): whoever raised it while it is open, or the SENCO; audited
with the old and new values; refused when it changed since the form was opened."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEvent
from trellis.identification import services
from trellis.identification.models import Concern

TODAY = timezone.localdate()
SEEN = "Reverses b and d"
ROW = r'<th scope="row">([^<]*)</th><td>(.*?)</td><td>(.*?)</td>'  # a row of the conflict table


@pytest.fixture
def concern(world) -> Concern:
    """Raised by the teacher of 4B about `in_class`, a week ago."""
    return services.raise_concern(
        pupil=world.in_class, by=world.teacher, area="cognition", what_seen=SEEN, raised_on=TODAY - dt.timedelta(days=7)
    )


def url(concern: Concern) -> str:
    return reverse("concern-correct", args=[concern.pk])


def form(**changes) -> dict:
    noticed = changes.pop("noticed_since", None)
    data = {"area": "cognition", "what_seen": SEEN, "contexts": "", "version": "1"}
    if noticed:
        data |= {"noticed_since_0": noticed.day, "noticed_since_1": noticed.month, "noticed_since_2": noticed.year}
    return data | changes


def corrections() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(record_type="concern", action=AuditEvent.Action.UPDATE))


CORRECTORS = {"senco", "teacher", "superuser"}  # the SENCO, the teacher who raised it, the administrator
ROLES = [
    "senco",
    "head",
    "teacher",
    "ta",
    "other_teacher",
    "administrator",
    "trustlead",
    "specialist",
    "governor",
    "outsider",
    "superuser",
]


@pytest.mark.dates  # the teacher teaches 4B this academic year
@pytest.mark.parametrize("role", ROLES)
def test_only_the_person_who_raised_it_and_the_senco_open_the_correction(world, login, concern, role):
    """Everyone else gets a 404, including staff who may see the concern (head, TA) and the SENCO
    of another school: a page that is not theirs does not exist for them."""
    client = login(getattr(world, role))
    assert client.get(url(concern)).status_code == (200 if role in CORRECTORS else 404)
    if role not in CORRECTORS:
        assert client.post(url(concern), form(what_seen="Changed")).status_code == 404
        assert Concern.objects.get(pk=concern.pk).what_seen == SEEN


def test_the_raiser_corrects_it_and_the_audit_keeps_old_and_new(world, login, concern):
    noticed = TODAY - dt.timedelta(days=30)
    changed = form(what_seen="Reverses b and d in independent writing", contexts="Phonics", noticed_since=noticed)
    response = login(world.teacher).post(url(concern), changed)
    assert response.status_code == 302 and response["Location"] == reverse("concern", args=[concern.pk])
    concern.refresh_from_db()
    assert (concern.what_seen, concern.contexts, concern.noticed_since, concern.version) == (
        "Reverses b and d in independent writing",
        "Phonics",
        noticed,
        2,
    )
    [event] = corrections()
    assert (event.actor, event.pupil_id, event.school_id, event.record_id) == (
        world.teacher,
        world.in_class.pk,
        world.school_a.pk,
        str(concern.pk),
    )
    assert event.changes == {
        "what_seen": [SEEN, "Reverses b and d in independent writing"],
        "contexts": ["", "Phonics"],
        "noticed_since": [None, noticed.isoformat()],
    }


def test_only_the_senco_changes_who_raised_it(world, login, concern):
    """The teacher's form has no source: a posted one is ignored. The SENCO's has it."""
    assert 'name="source"' not in login(world.teacher).get(url(concern)).content.decode()
    login(world.teacher).post(url(concern), form(source="parent", raised_by_name="Mrs Ahmed", contexts="Maths"))
    concern.refresh_from_db()
    assert (concern.source, concern.raised_by_name, concern.contexts) == ("staff", "", "Maths")

    senco = login(world.senco)
    assert 'name="source"' in senco.get(url(concern)).content.decode()
    changed = form(source="parent", raised_by_name="Mrs Ahmed", contexts="Maths", version="2")
    assert senco.post(url(concern), changed).status_code == 302
    assert corrections()[0].changes == {"source": ["staff", "parent"], "raised_by_name": ["", "Mrs Ahmed"]}


def test_once_decided_only_the_senco_corrects_it(world, login, concern):
    services.decide(concern=concern, by=world.senco, decision="monitor", reasons="Watch for a term", decided_on=TODAY)
    assert login(world.teacher).get(url(concern)).status_code == 404
    assert login(world.senco).post(url(concern), form(source="staff", contexts="Phonics")).status_code == 302
    assert Concern.objects.get(pk=concern.pk).contexts == "Phonics"


def test_a_correction_from_a_form_opened_before_another_is_refused_with_both_versions(world, login, concern):
    assert login(world.senco).post(url(concern), form(source="staff", contexts="Phonics")).status_code == 302

    page = login(world.teacher).post(url(concern), form(contexts="Writing"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "This concern was changed by Senco at " in text and "Your changes are not saved yet" in text
    assert re.findall(ROW, text) == [("In which lessons or situations?", "Phonics", "Writing")]
    assert re.search(r'<input type="hidden" name="version" value="2"', text)
    concern.refresh_from_db()
    assert (concern.contexts, concern.version) == ("Phonics", 2)
    assert len(corrections()) == 1


def test_a_date_noticed_after_it_was_raised_is_refused_and_changes_nothing(world, login, concern):
    page = login(world.teacher).post(
        url(concern), form(what_seen="Changed", noticed_since=TODAY - dt.timedelta(days=6))
    )
    assert page.status_code == 200
    assert "The date it was first noticed cannot be after the concern was raised." in page.content.decode()
    assert Concern.objects.get(pk=concern.pk).what_seen == SEEN and corrections() == []
    # The boundary: noticed on the day it was raised is fine.
    raised = TODAY - dt.timedelta(days=7)
    assert login(world.teacher).post(url(concern), form(noticed_since=raised)).status_code == 302


def test_saving_it_unchanged_records_nothing(world, login, concern):
    assert login(world.teacher).post(url(concern), form()).status_code == 302
    assert Concern.objects.get(pk=concern.pk).version == 1 and corrections() == []


@pytest.mark.dates  # the teacher teaches 4B this academic year
def test_the_correction_is_linked_where_the_concern_is_shown(world, login, concern):
    link = url(concern)
    assert link in login(world.teacher).get(reverse("concern", args=[concern.pk])).content.decode()
    assert link not in login(world.head).get(reverse("concern", args=[concern.pk])).content.decode()
    assert link in login(world.senco).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert link not in login(world.ta).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
