"""Retention: a SEN file is kept until the pupil's 31st birthday, then listed monthly for the SENCO,
who approves deletion: the records and files go, the audit trail keeps only who, when and what kind."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEvent
from trellis.dataprotection import retention
from trellis.dataprotection.jobs import retention_review
from trellis.evidence import services as evidence
from trellis.evidence.models import EvidenceNote
from trellis.jobs.services import start_job
from trellis.pupils.models import Pupil, PupilNeed, SenStatusEntry

from conftest import make_pupil

pytestmark = pytest.mark.dates
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 64
D = dt.date


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def born(world, surname: str, day: dt.date) -> Pupil:
    pupil = make_pupil(world.school_a, surname=surname)
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=day)
    pupil.refresh_from_db()
    return pupil


@pytest.mark.parametrize(
    ("birth", "years", "until"),
    [
        (D(1995, 11, 18), 31, D(2026, 11, 18)),
        (D(2000, 2, 29), 31, D(2031, 3, 1)),  # 2031 has no 29 February: kept to 1 March, never a day short
        (D(2000, 2, 29), 32, D(2032, 2, 29)),  # a leap year: the birthday itself
        (D(2000, 2, 28), 31, D(2031, 2, 28)),
    ],
)
def test_kept_until_the_birthday_retention_years_on(settings, birth, years, until):
    settings.TRELLIS_RETENTION_YEARS = years
    assert retention.kept_until(birth) == until


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (D(2026, 11, 17), set()),  # the day before the 31st birthday
        (D(2026, 11, 18), {"nov"}),  # the birthday itself
        (D(2026, 11, 19), {"nov"}),
        (D(2027, 2, 28), {"nov", "feb28"}),  # born 29 Feb 1996: not yet in a year without it
        (D(2027, 3, 1), {"nov", "feb28", "leap"}),
    ],
)
def test_due_at_the_boundaries(world, today, due):
    pupils = {
        "nov": born(world, "Nov", D(1995, 11, 18)),
        "feb28": born(world, "Feb", D(1996, 2, 28)),
        "leap": born(world, "Leap", D(1996, 2, 29)),
    }
    found = set(retention.due(today).values_list("pk", flat=True))
    assert found == {pupils[name].pk for name in due}


def test_due_on_29_february(world):
    born_28 = born(world, "A", D(1997, 2, 28))
    born(world, "B", D(1997, 3, 1))
    assert list(retention.due(D(2028, 2, 29))) == [born_28]


def test_the_setting_moves_the_day(world, settings):
    pupil = born(world, "Old", D(1995, 11, 18))
    settings.TRELLIS_RETENTION_YEARS = 32
    assert not retention.due(D(2026, 11, 18)).exists()
    assert list(retention.due(D(2027, 11, 18))) == [pupil]


@pytest.fixture
def past(world):
    """The in-class pupil, born long enough ago, with a note, a photo and an audited change."""
    pupil = world.in_class
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=D(1990, 1, 1))
    pupil.refresh_from_db()
    note = evidence.create_note(
        pupil=pupil,
        by=world.senco,
        date=timezone.localdate(),
        learning_objective="Count to 20",
        activity="Counting bears",
        outcome="Counted to 14",
        upload=SimpleUploadedFile("bears.png", PNG),
    )
    return pupil, note


def trail(pupil_id: int) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(pupil_id=pupil_id)
        .order_by("pk")
        .values_list("pk", "at", "actor_name", "action", "record_type", "record_id")
    )


def test_deletion_removes_the_file_and_scrubs_the_trail(world, past, settings, django_capture_on_commit_callbacks):
    pupil, note = past
    path = settings.MEDIA_ROOT / note.attachment.name
    assert path.exists()
    before = trail(pupil.pk)
    other_changes = list(AuditEvent.objects.filter(pupil_id=world.other_class.pk).values_list("changes", flat=True))
    assert any(other_changes) and AuditEvent.objects.filter(pupil_id=pupil.pk).exclude(changes={}).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = retention.delete_sen_file(pupil, by=world.senco, today=timezone.localdate())

    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    assert not SenStatusEntry.objects.filter(pupil_id=pupil.pk).exists()
    assert not PupilNeed.objects.filter(pupil_id=pupil.pk).exists()
    assert not EvidenceNote.objects.filter(pk=note.pk).exists()
    assert not path.exists()
    assert (done.files, done.records["evidence notes"], done.records["pupils"]) == (1, 1, 1)
    # Who, when and what kind of record stay; what the record said goes.
    assert trail(pupil.pk)[:-1] == before
    old = AuditEvent.objects.filter(pk__in=[row[0] for row in before])
    assert set(old.values_list("summary", flat=True)) == {""}
    assert all(changes == {} for changes in old.values_list("changes", flat=True))
    last = AuditEvent.objects.filter(pupil_id=pupil.pk).order_by("pk").last()
    assert (last.action, last.record_type, last.actor_name) == ("delete", "SEN file (retention)", "senco")
    assert "1 evidence notes" in last.summary and "1 files" in last.summary and "Inclass" not in last.summary
    # Nobody else's trail is touched.
    assert (
        list(AuditEvent.objects.filter(pupil_id=world.other_class.pk).values_list("changes", flat=True))
        == other_changes
    )


def test_a_file_not_yet_due_is_not_deleted(world):
    pupil = world.in_class  # born 2017
    events = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="kept until 1 May 2048: nothing was deleted"):
        retention.delete_sen_file(pupil, by=world.senco, today=timezone.localdate())
    assert Pupil.objects.filter(pk=pupil.pk).exists() and AuditEvent.objects.count() == events


def test_the_senco_lists_confirms_and_deletes(world, past, login):
    pupil, _note = past
    client = login(world.senco)
    page = client.get(reverse("retention")).content.decode()
    assert "Sam Inclass" in page and "Otherclass" not in page
    url = reverse("retention-delete", args=[pupil.pk])
    assert url in page
    confirm = client.get(url).content.decode()
    assert "Evidence notes: 1" in confirm
    refused = client.post(url, {})
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert Pupil.objects.filter(pk=pupil.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("retention")
    assert not Pupil.objects.filter(pk=pupil.pk).exists()


@pytest.mark.parametrize("role", ["teacher", "head", "outsider", "superuser"])
def test_only_the_pupils_senco_may_approve(world, past, login, role):
    pupil, _note = past
    client = login(getattr(world, role))
    assert client.post(reverse("retention-delete", args=[pupil.pk]), {"confirm": "yes"}).status_code == 404
    assert Pupil.objects.filter(pk=pupil.pk).exists()
    if role != "outsider":
        assert client.get(reverse("retention")).status_code == 404


def test_a_pupil_not_yet_due_has_no_delete_page(world, login):
    assert login(world.senco).get(reverse("retention-delete", args=[world.in_class.pk])).status_code == 404


def test_retention_review_command_and_job(world, past):
    pupil, _note = past
    out = io.StringIO()
    call_command("retention_review", stdout=out)
    assert f"1 SEN file past retention on {timezone.localdate():%-d %B %Y}." in out.getvalue()
    assert pupil.upn in out.getvalue() and "kept until 2021-01-01" in out.getvalue()
    out = io.StringIO()
    call_command("retention_review", "--today", "2020-12-31", stdout=out)
    assert "0 SEN files past retention" in out.getvalue()
    outcome = retention_review(start_job("retention_review", None))
    assert outcome.summary.startswith("1 SEN file past retention") and outcome.result == {
        "past retention": {world.school_a.urn: 1}
    }


def test_the_list_asks_the_same_queries_however_many_are_due(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    born(world, "First", D(1990, 1, 1))
    client.get(reverse("retention"))  # warm the session and the sign-in
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("retention"))
    for number in range(5):
        born(world, f"More{number}", D(1990, 1, 2 + number))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("retention")).content.decode()
    assert page.count("Approve deletion") == 6


@pytest.mark.parametrize(("role", "linked"), [("senco", True), ("teacher", False), ("head", False), ("outsider", True)])
def test_the_header_links_the_senco_to_the_retention_page(world, login, role, linked):
    page = login(getattr(world, role)).get(reverse("account"))
    links = [(link["label"], link["url"]) for link in page.context["nav_links"]]
    assert (("Retention", "/retention/") in links) is linked
