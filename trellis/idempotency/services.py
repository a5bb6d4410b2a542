"""Create once: the same one-time key from the same user creates one record, however often (and
however concurrently) it is sent. Called by the creating services inside their transaction, so the
key and the record are saved together or not at all; keys are kept for KEEP_FOR."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OneTimeKey

KEEP_FOR = dt.timedelta(hours=24)


class AlreadySaved(Exception):
    """The key was used before: nothing new was created; `record_id` is what the first use made."""

    def __init__(self, *, kind: str, record_id: int | None, at: dt.datetime) -> None:
        self.kind, self.record_id, self.at = kind, record_id, at
        super().__init__("This was already saved.")


class KeyReused(ValueError):
    """The key was used before for a different request; the message is for the API client."""


def fingerprint(*parts: Any) -> str:
    """A hash of a request (its path and JSON body), to tell a repeat from a different request."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def claim(*, user, key: str, kind: str, request: str = "") -> OneTimeKey | None:
    """Take `key` for this `user` (None when there is no key or no user: nothing to check).

    Raises AlreadySaved when the key was used for the same request within KEEP_FOR, KeyReused
    when for another. Call it first in the creating transaction: a concurrent second use waits
    on the unique constraint until the first commits (PostgreSQL), or for its turn to write
    (SQLite), and then finds the first's record."""
    if not key or user is None or not user.is_authenticated:
        return None
    OneTimeKey.objects.filter(user=user, created_at__lt=timezone.now() - KEEP_FOR).delete()
    try:
        with transaction.atomic():
            return OneTimeKey.objects.create(user=user, key=key, kind=kind, fingerprint=request)
    except IntegrityError:
        first = OneTimeKey.objects.get(user=user, key=key)
    if (first.kind, first.fingerprint) != (kind, request):
        used = f"{first.created_at:%Y-%m-%d %H:%M} UTC"
        raise KeyReused(f"This Idempotency-Key was used at {used} for a different request; use a new key for each.")
    raise AlreadySaved(kind=kind, record_id=first.record_id, at=first.created_at)


def settle(taken: OneTimeKey | None, record_id: int) -> None:
    """Remember what the key created (in the same transaction as the record)."""
    if taken is not None:
        taken.record_id = record_id
        taken.save(update_fields=["record_id"])
