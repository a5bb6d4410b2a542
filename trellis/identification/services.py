"""Raising a concern, gathering evidence, asking staff for views and deciding. Each function is one
transaction that writes its audit; a decision that changes SEN status writes the register history
through trellis.pupils.services.set_sen_status in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.idempotency import services as idempotency
from trellis.lib.versions import locked, require_version
from trellis.pupils.models import GroupMembership, Pupil, SenStatus, SenStatusEntry
from trellis.pupils.services import RegisterError, set_sen_status
from trellis.schools.models import GroupStaff

from .access import may_answer_view
from .models import Concern, ConcernEvidence, StaffViewRequest


class IdentificationError(ValueError):
    """A step the concern cannot take; the message says why."""


# The SEN status each decision leads to. A decision only ever *raises* a status (N < M < K < E),
# except "No SEN", which ends monitoring: a concern about a new area of need for a pupil already on
# SEN support or with an EHC plan must not take their status away. Kept as data so it can be read.
DECISION_STATUS = {
    Concern.Decision.NO_SEN: SenStatus.NONE,
    Concern.Decision.MONITOR: SenStatus.MONITORING,
    Concern.Decision.SEN_SUPPORT: SenStatus.SEN_SUPPORT,
    Concern.Decision.REFER: SenStatus.MONITORING,  # monitored while the specialist assesses
    Concern.Decision.REQUEST_EHC: SenStatus.SEN_SUPPORT,  # on SEN support while the LA decides
}
STATUS_RANK = {SenStatus.NONE: 0, SenStatus.MONITORING: 1, SenStatus.SEN_SUPPORT: 2, SenStatus.EHC_PLAN: 3}


def status_after(decision: str, current: str) -> str:
    """The pupil's SEN status after `decision` when it is `current` now (see DECISION_STATUS)."""
    wanted = DECISION_STATUS[Concern.Decision(decision)]
    if decision == Concern.Decision.NO_SEN:
        return SenStatus.NONE if current == SenStatus.MONITORING else current
    return wanted if STATUS_RANK[wanted] > STATUS_RANK[SenStatus(current)] else current


@transaction.atomic
def raise_concern(
    *,
    pupil: Pupil,
    by,
    area: str,
    what_seen: str,
    contexts: str = "",
    noticed_since: dt.date | None = None,
    source: str = Concern.Source.STAFF,
    raised_by_name: str = "",
    raised_on: dt.date | None = None,
    via: str = "web",
    once: str = "",
) -> Concern:
    """Record a concern about a pupil (a member of staff's, or one the SENCO records for a parent or a test).
    The same `once` (the form's token) again raises AlreadySaved with the first concern, and saves nothing."""
    taken = idempotency.claim(user=by, key=once, kind="concern")
    today = timezone.localdate()
    raised_on = raised_on or today
    if noticed_since and noticed_since > raised_on:
        raise IdentificationError("The date it was first noticed cannot be after the concern is raised.")
    concern = Concern.objects.create(
        pupil=pupil,
        source=source,
        area=area,
        what_seen=what_seen,
        contexts=contexts,
        noticed_since=noticed_since,
        raised_on=raised_on,
        raised_by=by if by is not None and by.is_authenticated else None,
        raised_by_name=raised_by_name,
    )
    idempotency.settle(taken, concern.pk)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="concern",
        pupil=pupil,
        record_id=concern.pk,
        summary=f"{concern.get_source_display()}: {concern.get_area_display()}",
        changes={"area": [None, area], "source": [None, source]},
        via=via,
    )
    return concern


CONCERN_FIELDS = ["source", "raised_by_name", "area", "what_seen", "contexts", "noticed_since"]


@transaction.atomic
def correct_concern(*, concern: Concern, by, version: int | None = None, via: str = "web", **values) -> Concern:
    """Correct what a concern says (any of CONCERN_FIELDS; those not given stay). Audited with the
    old and new values. EditConflict if it changed since `version`; IdentificationError if wrong."""
    current = locked(Concern, concern.pk, what="concern", record_type="concern")
    unknown = set(values) - set(CONCERN_FIELDS)
    if unknown:
        raise IdentificationError(f"A concern has no {', '.join(sorted(unknown))} to correct.")
    noticed_since = values.get("noticed_since", current.noticed_since)
    if noticed_since and noticed_since > current.raised_on:
        raise IdentificationError("The date it was first noticed cannot be after the concern was raised.")
    before = audit.snapshot(current, CONCERN_FIELDS)
    changes = audit.diff(before, before | values)
    if not changes:
        return current
    require_version(current, version, what="concern", record_type="concern")
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save(update_fields=[*values, "version"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="concern",
        pupil=concern.pupil,
        record_id=current.pk,
        summary=f"Corrected the concern raised on {current.raised_on:%d %B %Y}",
        changes=changes,
        via=via,
    )
    current.pupil = concern.pupil
    return current


def _require_open(concern: Concern) -> None:
    if not concern.is_open:
        raise IdentificationError("This concern has been decided; raise a new concern to look again.")


@transaction.atomic
def add_evidence(
    *, concern: Concern, by, kind: str, date: dt.date, summary: str, result: str = "", via: str = "web"
) -> ConcernEvidence:
    """The SENCO adds an observation, a test result, the previous setting's information or parent meeting notes."""
    _require_open(concern)
    item = ConcernEvidence.objects.create(
        concern=concern,
        kind=kind,
        date=date,
        summary=summary,
        result=result,
        added_by=by if by is not None and by.is_authenticated else None,
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="concern evidence",
        pupil=concern.pupil,
        record_id=item.pk,
        summary=f"{item.get_kind_display()} for concern {concern.pk}",
        via=via,
    )
    return item


def teachers_of(pupil: Pupil, on: dt.date | None = None):
    """GroupStaff rows of the pupil's current groups (the staff whose views the SENCO can ask for)."""
    on = on or timezone.localdate()
    current = GroupMembership.objects.filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=on),
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        pupil=pupil,
        group__academic_year__starts_on__lte=on,
        group__academic_year__ends_on__gte=on,
    ).values("group_id")
    return (
        GroupStaff.objects.filter(group_id__in=current)
        .select_related("user", "group")
        .order_by("group__name", "user__last_name", "user__username")
    )


@transaction.atomic
def request_views(*, concern: Concern, by, staff: list, question: str = "", via: str = "web") -> list[StaffViewRequest]:
    """Ask each of `staff` (who must teach or support the pupil now) for their view. Already asked: skipped."""
    _require_open(concern)
    allowed = {row.user_id for row in teachers_of(concern.pupil)}
    if outside := [user for user in staff if user.pk not in allowed]:
        names = ", ".join(str(user) for user in outside)
        raise IdentificationError(f"{names} do(es) not teach or support this pupil now.")
    asked = set(concern.view_requests.values_list("staff_id", flat=True))
    made = [
        StaffViewRequest.objects.create(
            concern=concern,
            staff=user,
            question=question,
            requested_by=by if by is not None and by.is_authenticated else None,
        )
        for user in staff
        if user.pk not in asked
    ]
    if made:
        audit.record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            record_type="staff view request",
            pupil=concern.pupil,
            record_id=concern.pk,
            summary=f"Asked {', '.join(str(r.staff) for r in made)} for their views",
            via=via,
        )
    return made


@transaction.atomic
def answer_view(*, request: StaffViewRequest, by, response: str, via: str = "web") -> StaffViewRequest:
    """The member of staff asked gives their view (they can change it until the concern is decided)."""
    _require_open(request.concern)
    if by is None or not may_answer_view(by, request):
        raise IdentificationError("Only the member of staff asked can give this view.")
    old = request.response
    request.response = response
    request.answered_on = timezone.localdate()
    request.save(update_fields=["response", "answered_on"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE if old else AuditEvent.Action.CREATE,
        record_type="staff view",
        pupil=request.concern.pupil,
        record_id=request.pk,
        summary=f"View on concern {request.concern_id}",
        via=via,
    )
    return request


@transaction.atomic
def decide(
    *, concern: Concern, by, decision: str, reasons: str, decided_on: dt.date | None = None, via: str = "web"
) -> SenStatusEntry | None:
    """Record the decision with its reasons; if it changes the pupil's SEN status, write the register
    history (source: identification decision). Returns the new status entry, or None if unchanged."""
    # Locked and read again: of two decisions posted at once, the second finds the concern decided.
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    concern.decision, concern.decided_on = locked.decision, locked.decided_on
    _require_open(concern)
    if not reasons.strip():
        raise IdentificationError("Enter the reasons for the decision.")
    decided_on = decided_on or timezone.localdate()
    if decided_on < concern.raised_on:
        raise IdentificationError("The decision cannot be dated before the concern was raised.")
    pupil = Pupil.objects.select_for_update().get(pk=concern.pupil_id)
    concern.pupil = pupil
    concern.decision = decision
    concern.decision_reasons = reasons
    concern.decided_on = decided_on
    concern.decided_by = by if by is not None and by.is_authenticated else None
    concern.save(update_fields=["decision", "decision_reasons", "decided_on", "decided_by"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="concern decision",
        pupil=pupil,
        record_id=concern.pk,
        summary=reasons,
        changes={"decision": [None, decision]},
        via=via,
    )
    new_status = status_after(decision, pupil.sen_status)
    if new_status == pupil.sen_status:
        return None
    try:
        return set_sen_status(
            pupil=pupil,
            status=new_status,
            starts_on=decided_on,
            by=by,
            source=SenStatusEntry.Source.IDENTIFICATION,
            reason=f"{concern.get_decision_display()}: {reasons}"[:300],
            via=via,
        )
    except RegisterError as error:
        raise IdentificationError(str(error)) from error
