"""No lost edits: a record's `version` travels in its edit form, and a save checks it.

A service locks the record (`locked`, then `require_version`) inside its transaction, so of two saves from
forms opened at the same version only the first wins; the second gets an EditConflict naming
who changed the record and when (from the audit trail written with that change), and saves
nothing. SQLite has no row locks, but its transactions are IMMEDIATE (settings), so writers
take turns there too.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date

from trellis.audit.models import AuditEvent

M = TypeVar("M", bound=models.Model)
TIME_FORMAT = "H:i \\o\\n j F Y"  # 14:05 on 3 March 2026


class EditConflict(Exception):
    """The record changed (or was removed) after the form was opened: nothing was saved."""

    def __init__(self, *, what: str, record: models.Model | None, by: str, at: dt.datetime | None) -> None:
        self.what, self.record, self.by, self.at = what, record, by, at
        when = f" at {format_date(timezone.localtime(at), TIME_FORMAT)}" if at else ""
        done = "removed" if record is None else "changed"
        super().__init__(f"This {what} was {done} by {by}{when} since you opened it.")

    @property
    def version(self) -> int | None:
        """The version now saved, which a second save (after checking) goes on from."""
        return getattr(self.record, "version", None)


def last_change(record_type: str, record_id: int) -> tuple[str, dt.datetime | None]:
    """Who made the latest change or removal of a record, and when (from the audit trail)."""
    event = (
        AuditEvent.objects.filter(
            record_type=record_type,
            record_id=str(record_id),
            action__in=[AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE],
        )
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return "someone else", None
    name = (event.actor.get_full_name() if event.actor else "") or event.actor_name
    return name, event.at


def locked(model: type[M], pk: int, *, what: str, record_type: str) -> M:
    """The record as saved now, locked until the transaction ends; EditConflict if it was removed."""
    current = model.objects.select_for_update().filter(pk=pk).first()
    if current is None:
        by, at = last_change(record_type, pk)
        raise EditConflict(what=what, record=None, by=by, at=at)
    return current


def require_version(current: models.Model, seen: int | None, *, what: str, record_type: str) -> None:
    """EditConflict unless the (locked) record is still at the version `seen` its form was opened at.
    None: a caller with no form (the API, a state change), which does not check. Services call it
    only when a save would change something: saving what is already saved (a double click on
    Save, or the same change made twice) loses nothing."""
    if seen is not None and current.version != seen:
        by, at = last_change(record_type, current.pk)
        saved = type(current)._default_manager.get(pk=current.pk)  # as saved, without the caller's changes
        raise EditConflict(what=what, record=saved, by=by, at=at)
