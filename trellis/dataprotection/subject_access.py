"""Subject access: everything Trellis holds about one pupil, as a zip a person can read.

summary.html   a readable page: each kind of record and its rows
records.json   every row about the pupil, in every table that leads to the pupil (records.py)
files/         the evidence files, under their stored names
audit.json     the audit trail: who saw or changed the record, when and how
"""

from __future__ import annotations

import json
import zipfile
from typing import BinaryIO

from django.core import serializers
from django.template.loader import render_to_string
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.models import Pupil

from .backup import _Encoder
from .records import file_fields, records_of

AUDIT_FIELDS = ("at", "actor_name", "action", "record_type", "record_id", "summary", "changes", "via")


def _names(model, data: list[dict]) -> dict[str, dict]:
    """For each foreign key of `model`, the related rows' own names by id: one query a field."""
    names = {}
    for field in model._meta.concrete_fields:
        if field.is_relation:
            ids = {row["fields"].get(field.name) for row in data} - {None}
            target = field.remote_field.field_name
            found = field.related_model._base_manager.in_bulk(ids, field_name=target) if ids else {}
            names[field.name] = {pk: str(obj) for pk, obj in found.items()}
    return names


def _readable(row: dict, labels: dict[str, str], names: dict[str, dict]) -> list[tuple[str, str]]:
    values = [("id", str(row["pk"]))]
    for name, value in row["fields"].items():
        if name in names and value in names[name]:
            values.append((labels.get(name, name), names[name][value]))
            continue
        text = (
            ""
            if value in (None, "", [], {})
            else (value if isinstance(value, str) else json.dumps(value, cls=_Encoder))
        )
        values.append((labels.get(name, name), text))
    return values


def write_export(pupils: list[Pupil], out: BinaryIO, *, by, via: str) -> dict[str, int]:
    """Write the zip for these pupil records (one person: the same UPN at several schools) and audit
    the export on each. Returns the number of rows of each kind, "files" and "audit events"."""
    ids = [p.pk for p in pupils]
    records: dict[str, list[dict]] = {}
    sections = []
    files: list[tuple[str, object]] = []
    for model, rows in records_of(ids):
        fields = [name for f in model._meta.concrete_fields for name in (f.name, f.attname)]
        data = serializers.serialize("python", rows.iterator(chunk_size=500), fields=fields)
        if not data:
            continue
        records[model._meta.label_lower] = data
        labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
        names = _names(model, data)
        sections.append(
            {
                "title": str(model._meta.verbose_name_plural).capitalize(),
                "rows": [_readable(r, labels, names) for r in data],
            }
        )
        for field in file_fields(model):
            files += [(row["fields"][field.name], field.storage) for row in data if row["fields"].get(field.name)]
    events = list(AuditEvent.objects.filter(pupil_id__in=ids).order_by("at", "pk").values(*AUDIT_FIELDS))
    made = timezone.now()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "summary.html",
            render_to_string(
                "dataprotection/subject_access.html",
                {"pupils": pupils, "sections": sections, "events": events, "made": made, "files": files},
            ),
        )
        archive.writestr("records.json", json.dumps(records, cls=_Encoder, indent=1, ensure_ascii=False))
        archive.writestr("audit.json", json.dumps(events, cls=_Encoder, indent=1, ensure_ascii=False))
        for name, storage in files:
            if storage.exists(name):
                with storage.open(name, "rb") as handle, archive.open(f"files/{name}", "w") as target:
                    while chunk := handle.read(1024 * 1024):
                        target.write(chunk)
    audit.record_many(
        {
            "actor": by,
            "action": AuditEvent.Action.EXPORT,
            "record_type": "subject access export",
            "pupil": pupil,
            "record_id": pupil.pk,
            "summary": f"Everything held about the pupil ({sum(len(v) for v in records.values())} records, "
            f"{len(files)} files)",
            "via": via,
        }
        for pupil in pupils
    )
    return {**{label: len(rows) for label, rows in records.items()}, "files": len(files), "audit events": len(events)}
