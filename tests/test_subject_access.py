"""Subject access: manage.py export_pupil and the SENCO's button give one pupil's records, files
and audit trail as a zip, and nothing about anyone else; every export is audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.dataprotection.records import pupil_paths
from trellis.evidence import services as evidence
from trellis.evidence.models import EvidenceNote
from trellis.plans.models import Target
from trellis.pupils.models import ExternalShare, GroupMembership, PupilNeed, SenStatusEntry

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def note(world, pupil, objective: str, upload=None) -> EvidenceNote:
    return evidence.create_note(
        pupil=pupil,
        by=world.senco,
        date=timezone.localdate(),
        learning_objective=objective,
        activity="Counting bears",
        outcome="Counted to 14",
        upload=upload,
    )


@pytest.fixture
def held(world):
    """The in-class pupil with a note and photo, a view on the audit trail; another pupil's note."""
    mine = note(world, world.in_class, "Count to 20", SimpleUploadedFile("bears.png", PNG))
    note(world, world.other_class, "Someone else's objective")
    audit.record_view(actor=world.teacher, pupil=world.in_class)
    return mine


def export(tmp_path, upn: str) -> zipfile.ZipFile:
    out = tmp_path / "export.zip"
    call_command("export_pupil", "--upn", upn, "--out", str(out), stdout=io.StringIO())
    return zipfile.ZipFile(out)


def test_pupil_paths_reach_records_through_other_records():
    paths = pupil_paths()
    assert paths[SenStatusEntry] == "pupil"
    assert paths[EvidenceNote] == "pupil"
    assert paths[Target].endswith("pupil")
    assert paths[EvidenceNote.targets.through] in {"evidencenote__pupil", "target__pupil"}


def test_export_holds_every_record_file_and_audit_event_of_the_pupil(world, held, tmp_path):
    pupil = world.in_class
    archive = export(tmp_path, pupil.upn)
    names = set(archive.namelist())
    assert {"summary.html", "records.json", "audit.json", f"files/{held.attachment.name}"} <= names
    assert archive.read(f"files/{held.attachment.name}") == PNG

    records = json.loads(archive.read("records.json"))
    assert [row["pk"] for row in records["pupils.pupil"]] == [pupil.pk]
    assert records["pupils.pupil"][0]["fields"]["legal_surname"] == "Inclass"
    assert [row["pk"] for row in records["evidence.evidencenote"]] == [held.pk]
    expected = {
        "pupils.senstatusentry": SenStatusEntry.objects.filter(pupil=pupil),
        "pupils.pupilneed": PupilNeed.objects.filter(pupil=pupil),
        "pupils.groupmembership": GroupMembership.objects.filter(pupil=pupil),
    }
    for label, rows in expected.items():
        assert sorted(row["pk"] for row in records[label]) == sorted(rows.values_list("pk", flat=True)), label
    assert "pupils.externalshare" not in records  # the in-class pupil is shared with no one
    assert ExternalShare.objects.filter(pupil=world.other_class).exists()

    events = json.loads(archive.read("audit.json"))
    assert {(e["actor_name"], e["action"]) for e in events} >= {("teacher", "view"), ("senco", "create")}
    assert len(events) == AuditEvent.objects.filter(pupil_id=pupil.pk, action__in=["view", "create", "update"]).count()

    summary = archive.read("summary.html").decode()
    assert "What Trellis holds about Sam Inclass" in summary and "Count to 20" in summary
    assert f"<dt>School</dt><dd>{world.school_a}</dd>" in summary  # related rows by name, not by id
    everything = b"".join(archive.read(name) for name in names)
    assert b"Someone else" not in everything and b"Otherclass" not in everything


def test_export_is_audited(world, held, tmp_path):
    export(tmp_path, world.in_class.upn)
    event = AuditEvent.objects.filter(pupil_id=world.in_class.pk, action="export").get()
    assert (event.record_type, event.via, event.actor_name) == ("subject access export", "command", "system")


def test_export_refuses_unknown_upn_and_existing_file(world, tmp_path):
    with pytest.raises(CommandError, match="No pupil has the UPN"):
        export(tmp_path, "A123456789012")
    with pytest.raises(CommandError, match="--upn"):
        export(tmp_path, "not a upn")
    (tmp_path / "export.zip").write_text("kept")
    with pytest.raises(CommandError, match="already exists"):
        export(tmp_path, world.in_class.upn)
    assert (tmp_path / "export.zip").read_text() == "kept"
    assert not AuditEvent.objects.filter(action="export").exists()


def test_senco_button_downloads_the_zip(world, held, login):
    page = login(world.senco).get(reverse("pupil", args=[world.in_class.pk]))
    url = reverse("pupil-subject-access", args=[world.in_class.pk])
    assert f'action="{url}"' in page.content.decode()
    response = login(world.senco).post(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.read(f"files/{held.attachment.name}") == PNG
    event = AuditEvent.objects.filter(pupil_id=world.in_class.pk, action="export").get()
    assert (event.actor_name, event.via) == ("senco", "web")


@pytest.mark.parametrize("role", ["teacher", "head", "outsider", "administrator"])
def test_only_the_senco_may_export(world, login, role):
    url = reverse("pupil-subject-access", args=[world.in_class.pk])
    assert login(getattr(world, role)).post(url).status_code == 404
    assert (
        f'action="{url}"'
        not in login(getattr(world, role)).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    )
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_needs_a_post(world, login):
    assert login(world.senco).get(reverse("pupil-subject-access", args=[world.in_class.pk])).status_code == 405
