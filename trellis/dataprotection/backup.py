"""Backups: every table and every uploaded file in one encrypted archive, and back again.

The archive (before encryption) is a tar stream: manifest.json (format, applied migrations, row
counts), data/<app.model>.jsonl (one row a line, Django's own serialisation, so a SQLite backup
restores into PostgreSQL and back) and media/<name> for each file a row refers to. Rows are read in
one consistent snapshot and written as they are read, a model at a time through a temporary file,
so a large trust never has to fit in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .crypto import BackupError, DecryptingReader, EncryptingWriter

FORMAT = 1
BATCH = 1000


def _real_data() -> list[type[models.Model]]:
    """Tables that `migrate` never fills: a database with rows in any of them is in use, and a
    restore refuses it. Every other table (content types, permissions, the need types, scales and
    national figures that migrations ship) is emptied and refilled from the backup, ids and all."""
    from django.contrib.auth import get_user_model

    from trellis.audit.models import AuditEvent
    from trellis.pupils.models import Pupil
    from trellis.schools.models import School

    return [get_user_model(), School, Pupil, AuditEvent]


def backed_up_models() -> list[type[models.Model]]:
    """Every table, parents before the rows that point at them. Many-to-many link tables are saved
    as tables of their own, so their rows come back with the same ids."""
    found = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    app_models = {}
    for model in found:
        app_models.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return serializers.sort_dependencies(app_models.items(), allow_cycles=True)


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but keeping times to the microsecond (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """One consistent read of the whole database while others go on writing."""
    if connection.in_atomic_block:  # already inside a transaction (a test): that is the snapshot
        yield
        return
    if connection.vendor == "sqlite":
        # atomic() would BEGIN IMMEDIATE (settings) and hold the write lock; a deferred read
        # transaction sees one snapshot (WAL) without stopping writers.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _rows(model: type[models.Model]) -> Iterator[dict]:
    # Only the table's own columns: links are saved with their link table (backed_up_models).
    fields = [name for f in model._meta.concrete_fields for name in (f.name, f.attname)]
    queryset = model._base_manager.order_by("pk").iterator(chunk_size=BATCH)
    yield from serializers.serialize("python", queryset, fields=fields)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def write_backup(out: BinaryIO, passphrase: str) -> dict[str, int]:
    """Write an encrypted backup of everything to `out`; returns the row count of each model and
    "files" (files saved) and "files missing" (named by a row but not on disk)."""
    writer = EncryptingWriter(out, passphrase)
    counts: dict[str, int] = {}
    with snapshot(), tarfile.open(fileobj=writer, mode="w|") as tar:
        media: list[tuple[models.FileField, str]] = []
        for model in backed_up_models():
            with tempfile.TemporaryFile() as spool:
                count = 0
                for row in _rows(model):
                    spool.write(json.dumps(row, cls=_Encoder, ensure_ascii=False).encode() + b"\n")
                    count += 1
                info = tarfile.TarInfo(f"data/{_label(model)}.jsonl")
                info.size, info.mtime = spool.tell(), int(timezone.now().timestamp())
                spool.seek(0)
                tar.addfile(info, spool)
            counts[_label(model)] = count
            for field in _file_fields(model):
                names = model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                media += [(field, name) for name in names.iterator() if name]
        saved = missing = 0
        for field, name in media:
            if not field.storage.exists(name):
                missing += 1
                continue
            with field.storage.open(name, "rb") as handle:
                info = tarfile.TarInfo(f"media/{name}")
                info.size, info.mtime = field.storage.size(name), int(timezone.now().timestamp())
                tar.addfile(info, handle)
            saved += 1
        manifest = {
            "format": FORMAT,
            "made": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": _applied_migrations(),
            "counts": counts,
            "files": saved,
        }
        _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
    writer.close()
    return {**counts, "files": saved, "files missing": missing}


def rows_present() -> dict[str, int]:
    """Tables of real data (users, schools, pupils, the audit trail) holding rows: a restore needs none."""
    found = {}
    for model in _real_data():
        if count := model._base_manager.count():
            found[_label(model)] = count
    return found


def _safe_media_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"This backup names a file outside the uploads folder ({name!r}): refused.")
    return str(path)


def _verify(path: str, passphrase: str) -> dict:
    """Read the whole archive once: every chunk authenticated, the manifest found and checked."""
    manifest = None
    with open(path, "rb") as source, tarfile.open(fileobj=DecryptingReader(source, passphrase), mode="r|") as tar:
        for member in tar:
            if member.name == "manifest.json":
                manifest = json.loads(tar.extractfile(member).read())
            elif member.name.startswith("media/"):
                _safe_media_name(member.name.removeprefix("media/"))
    if manifest is None or manifest.get("format") != FORMAT:
        raise BackupError("This backup has no manifest this version of Trellis understands: nothing was restored.")
    return manifest


def _load_model(model: type[models.Model], lines: BinaryIO) -> int:
    count = 0
    batch: list = []

    def flush() -> None:
        objects = [item.object for item in batch]
        if model._meta.parents:  # multi-table inheritance cannot bulk insert
            for item in batch:
                item.save()
        else:
            model._base_manager.bulk_create(objects, batch_size=BATCH)
        batch.clear()

    for line in lines:
        batch.extend(serializers.deserialize("python", [json.loads(line)]))
        count += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return count


def restore_backup(path: str, passphrase: str) -> dict[str, int]:
    """Bring a backup back into a database that `migrate` has just made, all or nothing."""
    manifest = _verify(path, passphrase)
    if manifest["migrations"] != _applied_migrations():
        raise BackupError(
            "This backup was made by a different version of Trellis (its migrations differ from this "
            "database's): restore it with the same version, then upgrade. Nothing was restored."
        )
    if present := rows_present():
        listed = ", ".join(f"{label} ({count})" for label, count in sorted(present.items())[:5])
        raise BackupError(f"The database is not empty, so nothing was restored: it has rows in {listed}.")
    by_label = {_label(m): m for m in backed_up_models()}
    counts: dict[str, int] = {}
    written: list[tuple] = []
    try:
        with transaction.atomic(), open(path, "rb") as source:
            tables = [m._meta.db_table for m in by_label.values()]
            connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
            with tarfile.open(fileobj=DecryptingReader(source, passphrase), mode="r|") as tar:
                for member in tar:
                    handle = tar.extractfile(member)
                    if member.name.startswith("data/"):
                        label = member.name.removeprefix("data/").removesuffix(".jsonl")
                        if label not in by_label:
                            raise BackupError(f"This backup holds a table Trellis does not have ({label}).")
                        counts[label] = _load_model(by_label[label], handle)
                    elif member.name.startswith("media/"):
                        written.append(_restore_file(member.name.removeprefix("media/"), handle))
            if counts != manifest["counts"]:
                raise BackupError("The rows restored do not match the backup's own counts: nothing was restored.")
            connection.check_constraints()
            _reset_sequences(list(by_label.values()))
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        ContentType.objects.clear_cache()
    return {**counts, "files": len(written)}


def _restore_file(name: str, handle: BinaryIO) -> tuple:
    storage = FileSystemStorage()  # every upload lives under MEDIA_ROOT
    name = _safe_media_name(name)
    if storage.exists(name):
        raise BackupError(f"An uploaded file is already at {name}: restore into an empty uploads folder.")
    saved = storage.save(name, File(handle, name=name))
    if saved != name:
        storage.delete(saved)
        raise BackupError(f"Could not put back the uploaded file {name}.")
    return storage, name


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """Restored rows keep their ids; PostgreSQL's counters must start after them."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def default_name(today: dt.date) -> str:
    return f"trellis-{today:%Y-%m-%d}.backup"
