"""Suspensions and permanent exclusions: recorded by the SENCO or a senior leader, audited, kept beside
attendance and counted in the pupil's term tallies and the school's cohort tables.

Reasons come from a list the school extends: a short starting list in plain words, plus every reason
the school has typed before. They are not the DfE's reason codes (which Trellis does not hold), so
nothing here is labelled as one; a school that reports to the DfE uses its MIS for that return.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.versions import locked, require_version
from trellis.pupils.models import Pupil

from .models import Exclusion

# A single suspension is at most 45 school days (90 sessions): the legal limit for one academic year.
MAX_SESSIONS = 90
STARTING_REASONS = [
    "Physical harm to another pupil",
    "Physical harm to an adult",
    "Threatening or abusive words to a pupil",
    "Threatening or abusive words to an adult",
    "Bullying",
    "Damage to property",
    "Persistent disruption of learning",
    "Bringing a banned item into school",
]
FIELDS = ["kind", "starts_on", "sessions", "reason", "details"]


class ExclusionError(ValueError):
    """A suspension or exclusion that cannot be saved; the message says why."""


def reasons_for(school_id: int) -> list[str]:
    """The starting reasons, then the school's own earlier ones A-Z (one query)."""
    used = (
        Exclusion.objects.filter(pupil__school_id=school_id)
        .order_by("reason")
        .values_list("reason", flat=True)
        .distinct()
    )
    starting = {reason.casefold() for reason in STARTING_REASONS}
    return [*STARTING_REASONS, *[reason for reason in used if reason.casefold() not in starting]]


def _checked(kind: str, sessions: int | None, reason: str) -> tuple[int | None, str]:
    if kind not in Exclusion.Kind.values:
        raise ExclusionError(f"The kind must be one of {', '.join(Exclusion.Kind.values)}.")
    if kind == Exclusion.Kind.PERMANENT:
        sessions = None  # a permanent exclusion has no length
    elif sessions is None or not 1 <= sessions <= MAX_SESSIONS:
        raise ExclusionError(f"A suspension lasts from 1 to {MAX_SESSIONS} sessions (half a day to 45 school days).")
    reason = " ".join(reason.split())
    if not reason:
        raise ExclusionError("Enter the reason.")
    return sessions, reason


@transaction.atomic
def record_exclusion(
    *,
    pupil: Pupil,
    by,
    kind: str,
    starts_on: dt.date,
    sessions: int | None,
    reason: str,
    details: str = "",
    via: str = "web",
) -> Exclusion:
    """Record a suspension (with its length in sessions) or a permanent exclusion (none)."""
    sessions, reason = _checked(kind, sessions, reason)
    exclusion = Exclusion.objects.create(
        pupil=pupil,
        kind=kind,
        starts_on=starts_on,
        sessions=sessions,
        reason=reason,
        details=details,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="exclusion",
        pupil=pupil,
        record_id=exclusion.pk,
        summary=str(exclusion),
        changes=audit.diff({}, audit.snapshot(exclusion, FIELDS)),
        via=via,
    )
    return exclusion


@transaction.atomic
def change_exclusion(*, exclusion: Exclusion, by, version: int | None = None, via: str = "web", **fields) -> Exclusion:
    """Correct a recorded suspension or exclusion. EditConflict if it changed since `version`."""
    pupil = exclusion.pupil
    exclusion = locked(Exclusion, exclusion.pk, what="suspension or exclusion", record_type="exclusion")
    exclusion.pupil = pupil
    before = audit.snapshot(exclusion, FIELDS)
    if unknown := set(fields) - set(FIELDS):
        raise ExclusionError(f"A suspension or exclusion has no field {', '.join(sorted(unknown))}.")
    values = before | fields
    fields["sessions"], fields["reason"] = _checked(values["kind"], values["sessions"], values["reason"])
    for name, value in fields.items():
        setattr(exclusion, name, value)
    changes = audit.diff(before, audit.snapshot(exclusion, FIELDS))
    if changes:
        require_version(exclusion, version, what="suspension or exclusion", record_type="exclusion")
        exclusion.version += 1
        exclusion.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="exclusion",
        pupil=pupil,
        record_id=exclusion.pk,
        summary=str(exclusion),
        changes=changes,
        via=via,
    )
    return exclusion


def exclusions_between(pupil: Pupil, *, since: dt.date, until: dt.date) -> list[Exclusion]:
    """The pupil's suspensions and exclusions starting between the two dates, oldest first."""
    return list(pupil.exclusions.filter(starts_on__gte=since, starts_on__lte=until).order_by("starts_on", "pk"))
