"""Changing pupils and the SEN register. Each function is one transaction that writes its audit.

Keyword-only, typed; views and the API come through here. Many new pupils at once (the demo
seeder) go through the bulk writer, `trellis.pupils.bulk`; imports are planned against the same
rules (`trellis.pupils.rules`) and made live in one set-based step (`trellis.transfer.services`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from trellis.accounts.models import Membership, Role
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .models import EhcPlan, ExternalShare, NeedType, Pupil, PupilNeed, SenStatus, SenStatusEntry
from .rules import RegisterError  # defined with the register's rules; callers catch it from here

PUPIL_FIELDS = [
    "upn",
    "legal_surname",
    "legal_forename",
    "middle_names",
    "preferred_surname",
    "preferred_forename",
    "date_of_birth",
    "sex",
    "nc_year",
    "ethnicity",
    "eal",
    "fsm",
    "pupil_premium",
    "looked_after",
    "has_medical_notes",
    "enrolled_on",
    "left_on",
    "destination",
    "destination_on",
    "is_confidential",
]


@transaction.atomic
def update_pupil(*, pupil: Pupil, by, via: str = "web", **fields: Any) -> dict[str, list[Any]]:
    """Change a pupil's details; returns (and audits) {field: [old, new]} for what changed."""
    unknown = set(fields) - set(PUPIL_FIELDS)
    if unknown:
        raise RegisterError(f"Unknown pupil fields: {', '.join(sorted(unknown))}")
    before = audit.snapshot(pupil, fields)
    for name, value in fields.items():
        setattr(pupil, name, value)
    changes = audit.diff(before, audit.snapshot(pupil, fields))
    if changes:
        pupil.full_clean(exclude=["primary_need"])
        pupil.save(update_fields=list(changes))
        audit.record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="pupil",
            pupil=pupil,
            record_id=pupil.pk,
            changes=changes,
            via=via,
        )
    return changes


@transaction.atomic
def set_sen_status(
    *,
    pupil: Pupil,
    status: str,
    starts_on: dt.date,
    by,
    reason: str = "",
    source: str = SenStatusEntry.Source.MANUAL,
    via: str = "web",
) -> SenStatusEntry | None:
    """Start a new SEN status period (closing the current one). No-op if the status is unchanged."""
    if status not in SenStatus.values:
        raise RegisterError(f"SEN status '{status}' is not one of {', '.join(SenStatus.values)}.")
    current = pupil.sen_history.filter(ends_on__isnull=True).first()
    if current and current.status == status:
        return None
    if current and starts_on < current.starts_on:
        raise RegisterError(
            f"The new status cannot start ({starts_on:%d/%m/%Y}) before the current one ({current.starts_on:%d/%m/%Y})."
        )
    if current:
        current.ends_on = starts_on
        current.save(update_fields=["ends_on"])
    entry = SenStatusEntry.objects.create(
        pupil=pupil,
        status=status,
        starts_on=starts_on,
        source=source,
        reason=reason,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    old_status = pupil.sen_status
    pupil.sen_status = status
    pupil.save(update_fields=["sen_status"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="SEN status",
        pupil=pupil,
        record_id=entry.pk,
        summary=reason,
        changes={"sen_status": [old_status, status], "starts_on": [None, starts_on.isoformat()]},
        via=via,
    )
    return entry


@transaction.atomic
def set_needs(*, pupil: Pupil, codes: Sequence[str], starts_on: dt.date, by, via: str = "web") -> dict[str, list[Any]]:
    """Make `codes` the pupil's ranked needs (first = primary). Changed ranks get new history rows."""
    codes = [code.strip().upper() for code in codes if code and code.strip()]
    if len(set(codes)) != len(codes):
        raise RegisterError("The same need cannot be given twice.")
    known = set(NeedType.objects.filter(code__in=codes).values_list("code", flat=True))
    if unknown := [code for code in codes if code not in known]:
        raise RegisterError(f"Unknown need code(s): {', '.join(unknown)}.")
    current = {need.rank: need for need in pupil.need_history.filter(ends_on__isnull=True)}
    wanted = dict(enumerate(codes, start=1))
    changes: dict[str, list[Any]] = {}
    for rank in sorted(set(current) | set(wanted)):
        old = current.get(rank)
        new_code = wanted.get(rank)
        if old and old.need_id == new_code:
            continue
        if old:
            old.ends_on = starts_on
            old.save(update_fields=["ends_on"])
        if new_code:
            PupilNeed.objects.create(
                pupil=pupil,
                need_id=new_code,
                rank=rank,
                starts_on=starts_on,
                recorded_by=by if by is not None and by.is_authenticated else None,
            )
        changes[f"need_rank_{rank}"] = [old.need_id if old else None, new_code]
    if changes:
        pupil.primary_need_id = wanted.get(1)
        pupil.save(update_fields=["primary_need"])
        audit.record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="SEN needs",
            pupil=pupil,
            record_id=pupil.pk,
            changes=changes | {"starts_on": [None, starts_on.isoformat()]},
            via=via,
        )
    return changes


@transaction.atomic
def record_ehc_plan(
    *,
    pupil: Pupil,
    by,
    issued_on: dt.date,
    last_annual_review_on: dt.date | None = None,
    next_annual_review_due: dt.date | None = None,
    local_authority: str = "",
    via: str = "web",
) -> EhcPlan:
    """Create or update the pupil's current EHC plan dates; the next review defaults to 12 months on
    (sooner for a child under 5 that day: the deadlines rule and TRELLIS_UNDER5_REVIEW_MONTHS)."""
    from trellis.deadlines.rules import annual_review_due
    from trellis.deadlines.schedule import under5_months

    if last_annual_review_on and last_annual_review_on < issued_on:
        raise RegisterError("The last annual review cannot be before the plan was issued.")
    due = next_annual_review_due or annual_review_due(
        last_annual_review_on or issued_on, date_of_birth=pupil.date_of_birth, under5_months=under5_months()
    )
    plan = pupil.ehc_plans.filter(ceased_on__isnull=True).first()
    fields = ["local_authority", "issued_on", "last_annual_review_on", "next_annual_review_due"]
    before = audit.snapshot(plan, fields) if plan else {}
    plan = plan or EhcPlan(pupil=pupil)
    plan.local_authority = local_authority
    plan.issued_on = issued_on
    plan.last_annual_review_on = last_annual_review_on
    plan.next_annual_review_due = due
    created = plan.pk is None
    plan.save()
    changes = audit.diff(before, audit.snapshot(plan, fields))
    if changes:
        audit.record(
            actor=by,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            record_type="EHC plan",
            pupil=pupil,
            record_id=plan.pk,
            changes=changes,
            via=via,
        )
    return plan


@transaction.atomic
def share_with_specialist(
    *, pupil: Pupil, specialist, expires_on: dt.date, by, reason: str = "", via: str = "web"
) -> ExternalShare:
    """Let an external specialist see this pupil until `expires_on` (inclusive)."""
    if expires_on < timezone.localdate():
        raise RegisterError("The share must end today or later.")
    if pupil.is_confidential:
        raise RegisterError("A confidential pupil cannot be shared outside the SENCO and senior leaders.")
    share = ExternalShare.objects.create(
        pupil=pupil,
        specialist=specialist,
        expires_on=expires_on,
        reason=reason,
        granted_by=by if by is not None and by.is_authenticated else None,
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="share with specialist",
        pupil=pupil,
        record_id=share.pk,
        summary=f"Shared with {specialist.get_username()} until {expires_on:%d/%m/%Y}",
        changes={"specialist": [None, specialist.get_username()], "expires_on": [None, expires_on.isoformat()]},
        via=via,
    )
    return share


@transaction.atomic
def end_share(*, share: ExternalShare, by, via: str = "web") -> None:
    """Stop sharing from today: the specialist loses access at once."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    old = share.expires_on
    share.expires_on = min(old, yesterday)
    share.save(update_fields=["expires_on"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="share with specialist",
        pupil=share.pupil,
        record_id=share.pk,
        changes={"expires_on": [old.isoformat(), share.expires_on.isoformat()]},
        via=via,
    )


@transaction.atomic
def set_office_access(*, membership: Membership, sees_sen_records: bool, by, via: str = "web") -> bool:
    """Let one member of the school office see (or stop seeing) pupils' plans, targets, evidence,
    concerns and provision, beyond the register they keep. Returns whether anything changed."""
    if membership.role != Role.ADMINISTRATOR:
        raise RegisterError("Only the school office's access is granted here; other roles follow their role.")
    old = membership.sees_sen_records
    if old == sees_sen_records:
        return False
    membership.sees_sen_records = sees_sen_records
    membership.save(update_fields=["sees_sen_records"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="office access",
        school=membership.school_id,
        record_id=membership.pk,
        changes={"sees_sen_records": [old, sees_sen_records]},
        via=via,
        summary=f"{membership.user} {'may now see' if sees_sen_records else 'no longer sees'} SEN records",
    )
    return True
