"""Writing audit events. Services call these inside their transaction, so a change and its
audit row are saved together or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in after
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def _event(
    *,
    actor,
    action: str,
    record_type: str,
    pupil=None,
    pupil_id: int | None = None,
    school=None,
    record_id: Any = "",
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
    via: str = "web",
) -> AuditEvent:
    if school is None and pupil is not None:
        school = pupil.school_id
    signed_in = actor is not None and actor.is_authenticated
    return AuditEvent(
        actor=actor if signed_in else None,
        actor_name=(actor.get_username() if signed_in else "system")[:150],
        school_id=school.pk if isinstance(school, models.Model) else school,
        pupil_id=pupil.pk if pupil is not None else pupil_id,
        action=action,
        record_type=record_type,
        record_id=str(record_id),
        summary=summary[:300],
        changes=changes or {},
        via=via,
    )


def record(
    *,
    actor,
    action: str,
    record_type: str,
    pupil=None,
    pupil_id: int | None = None,
    school=None,
    record_id: Any = "",
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
    via: str = "web",
) -> AuditEvent:
    """Write one audit event. `actor` may be None for system work (seeding, scheduled jobs).
    `pupil_id` (with `school`) stands for `pupil` where only the ids are at hand."""
    event = _event(
        actor=actor,
        action=action,
        record_type=record_type,
        pupil=pupil,
        pupil_id=pupil_id,
        school=school,
        record_id=record_id,
        summary=summary,
        changes=changes,
        via=via,
    )
    event.save()
    return event


def record_many(entries: Iterable[dict[str, Any]]) -> list[AuditEvent]:
    """Several events (each given as `record`'s keyword arguments) written in one query, so a
    service that touches many pupils costs the same number of queries however many it touches."""
    return AuditEvent.objects.bulk_create([_event(**entry) for entry in entries])


def record_for_each(
    *,
    pupils: Iterable,
    actor,
    action: str,
    record_type: str,
    record_id: Any = "",
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
    via: str = "web",
) -> list[AuditEvent]:
    """The same event in each pupil's trail, written in one query (the provision map names many)."""
    return record_many(
        {
            "actor": actor,
            "action": action,
            "record_type": record_type,
            "pupil": pupil,
            "record_id": record_id,
            "summary": summary,
            "changes": changes,
            "via": via,
        }
        for pupil in pupils
    )


def record_view(*, actor, pupil, what: str = "SEN record", via: str = "web") -> AuditEvent:
    """A read of a pupil's SEN record (a page or an API call)."""
    return record(
        actor=actor, action=AuditEvent.Action.VIEW, record_type=what, pupil=pupil, record_id=pupil.pk, via=via
    )
