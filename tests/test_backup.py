"""manage.py backup / restore: a seeded demo trust round-trips with every table's rows and every
uploaded file intact; a wrong passphrase, a changed byte or a non-empty database restores nothing."""

from __future__ import annotations

import hashlib
import importlib
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.dataprotection import crypto
from trellis.evidence import services as evidence
from trellis.evidence.models import EvidenceNote
from trellis.pupils.models import NeedType, Pupil
from trellis.schools.models import School

SHIPPED = [
    ("trellis.pupils.migrations.0002_need_types", "add_need_types"),
    ("trellis.assessment.migrations.0002_shipped_scales", "ship"),
    ("trellis.dashboards.migrations.0002_national_figures", "add"),
]
PASSPHRASE = "correct horse battery staple"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    monkeypatch.setenv("TRELLIS_BACKUP_PASSPHRASE", PASSPHRASE)


def seed_small_trust() -> EvidenceNote:
    call_command("seed_demo", "--schools", "1", "--pupils-per-school", "25", "--seed", "2", stdout=io.StringIO())
    pupil = Pupil.objects.order_by("pk").first()
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    return evidence.create_note(
        pupil=pupil,
        by=None,
        date=timezone.localdate(),
        learning_objective="Count to 20",
        activity="Counting bears",
        outcome="Counted to 14",
        upload=upload,
    )


def fingerprint() -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of every row's values, in id order."""
    result = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        rows = list(model._base_manager.order_by("pk").values_list(*names))
        result[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def backup(path) -> str:
    out = io.StringIO()
    call_command("backup", "--out", str(path), stdout=out)
    return out.getvalue()


def restore(path) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)
    return out.getvalue()


def wipe(settings) -> None:
    """An empty, migrated database and uploads folder, as on a new server: `migrate` ships need
    types, scales and national figures, which the restore must replace with the backup's."""
    call_command("flush", interactive=False, verbosity=0)
    for module, function in SHIPPED:
        getattr(importlib.import_module(module), function)(apps, None)
    assert NeedType.objects.exists()
    for path in sorted(settings.MEDIA_ROOT.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_round_trip_keeps_every_row_and_file(settings, tmp_path):
    note = seed_small_trust()
    before = fingerprint()
    assert before["pupils_pupil"][0] > 20 and before["audit_auditevent"][0] > 0
    file = tmp_path / "trust.backup"

    assert "files to" in backup(file)
    assert PNG not in file.read_bytes()  # encrypted
    assert b"Counting bears" not in file.read_bytes()
    wipe(settings)
    assert not School.objects.exists() and not (settings.MEDIA_ROOT / note.attachment.name).exists()

    assert "Restored" in restore(file)
    assert fingerprint() == before
    assert (settings.MEDIA_ROOT / note.attachment.name).read_bytes() == PNG
    # The counters carry on after the restored ids (PostgreSQL sequences are reset).
    event = audit.record(actor=None, action="view", record_type="pupil", pupil_id=1)
    assert event.pk > max(AuditEvent.objects.exclude(pk=event.pk).values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL sequences")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_round_trip_resets_every_sequence(settings, tmp_path):
    seed_small_trust()
    before = fingerprint()
    backup(tmp_path / "trust.backup")
    wipe(settings)
    restore(tmp_path / "trust.backup")
    assert fingerprint() == before
    pupil = Pupil.objects.order_by("pk").last()
    copy = Pupil.objects.get(pk=pupil.pk)
    copy.pk, copy.upn = None, "A" + pupil.upn[1:-1] + ("B" if pupil.upn[-1] != "B" else "C")
    copy.save()
    assert copy.pk > pupil.pk


@pytest.fixture
def made(db, tmp_path, settings):
    seed_small_trust()
    file = tmp_path / "trust.backup"
    backup(file)
    return file


def test_restore_refuses_a_database_with_data(made):
    pupils = Pupil.objects.count()
    with pytest.raises(
        CommandError,
        match=r"not empty.*accounts.user \(\d+\), audit.auditevent \(\d+\), pupils.pupil \(26\), schools.school \(1\)\.$",
    ):
        restore(made)
    assert Pupil.objects.count() == pupils


@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_changed_byte_restores_nothing(made, where):
    data = bytearray(made.read_bytes())
    data[len(data) // 2 if where == "middle" else len(data) - 1] ^= 0x01
    made.write_bytes(bytes(data))
    pupils = Pupil.objects.count()
    with pytest.raises(CommandError, match="changed or damaged between bytes .* nothing was restored"):
        restore(made)
    assert Pupil.objects.count() == pupils


def test_a_cut_off_file_restores_nothing(made):
    made.write_bytes(made.read_bytes()[:-1000])
    with pytest.raises(CommandError, match="cut short"):
        restore(made)


def test_a_wrong_passphrase_is_named(made, monkeypatch):
    monkeypatch.setenv("TRELLIS_BACKUP_PASSPHRASE", "not the right passphrase")
    with pytest.raises(CommandError, match="passphrase is wrong"):
        restore(made)


def test_not_a_backup(tmp_path, db):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(CommandError, match="not a Trellis backup"):
        restore(other)


def test_backup_needs_a_passphrase_and_a_new_file(made, monkeypatch):
    with pytest.raises(CommandError, match="already exists"):
        backup(made)
    monkeypatch.delenv("TRELLIS_BACKUP_PASSPHRASE")
    with pytest.raises(CommandError, match="TRELLIS_BACKUP_PASSPHRASE"):
        backup(made.with_name("other.backup"))


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK - 1, crypto.CHUNK, crypto.CHUNK + 1, 3 * crypto.CHUNK])
def test_encryption_round_trips_at_chunk_edges(size):
    plain = bytes(i % 251 for i in range(size))
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, PASSPHRASE)
    writer.write(plain)
    writer.close()
    out.seek(0)
    reader = crypto.DecryptingReader(out, PASSPHRASE)
    assert reader.read(7) + reader.read() == plain


def test_dropping_a_whole_chunk_is_caught():
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, PASSPHRASE)
    writer.write(b"x" * (crypto.CHUNK * 2 + 5))
    writer.close()
    data = out.getvalue()
    header = len(crypto.MAGIC) + 4 + 16 + 8 + 16
    chunk = 5 + crypto.CHUNK + 16
    without_second = data[: header + chunk] + data[header + 2 * chunk :]
    with pytest.raises(crypto.BackupError, match="changed or damaged"):
        crypto.DecryptingReader(io.BytesIO(without_second), PASSPHRASE).read()
