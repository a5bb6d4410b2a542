"""Writing provision: each function is atomic and audits the pupil data it touches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from . import scales
from .models import Attendance, EhcProvision, Enrolment, Intervention, InterventionGroup, Measure, QftStrategy, Session


@dataclass
class MeasureInput:
    scale: scales.Scale
    entry: str
    target_steps: Decimal | None = None
    target_value: str = ""
    exit: str = ""


class JoiningDateError(ValueError):
    """A pupil joining a group outside its dates."""


def joining_date_problem(group: InterventionGroup, date: dt.date) -> str:
    """Why a pupil cannot join the group on `date` ("" if they can)."""
    if date < group.starts_on:
        return f"The joining date must be on or after the group's start date, {group.starts_on:%d/%m/%Y}"
    if group.ends_on and date > group.ends_on:
        return f"The joining date must be on or before the group's end date, {group.ends_on:%d/%m/%Y}"
    return ""


@transaction.atomic
def enrol(
    *,
    group: InterventionGroup,
    pupil,
    by,
    measures: Iterable[MeasureInput] = (),
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    target_description: str | None = None,
    outcome_notes: str | None = None,
    funding: str | None = None,
    via: str = "web",
) -> Enrolment:
    """Put a pupil in a group (or update their enrolment) with entry, target and exit on each scale.

    Texts left as None keep what an existing enrolment has; measures on other scales are kept.
    A pupil joins on the group's start unless `starts_on` says later; JoiningDateError (nothing
    written) for a joining date outside the group's dates."""
    group = InterventionGroup.objects.select_related("intervention").get(pk=group.pk)  # its dates as saved now
    defaults = {"starts_on": starts_on or group.starts_on, "ends_on": ends_on if ends_on is not None else group.ends_on}
    if problem := joining_date_problem(group, defaults["starts_on"]):
        raise JoiningDateError(problem)
    if funding is not None:
        defaults["funding"] = funding
    if target_description is not None:
        defaults["target_description"] = target_description
    if outcome_notes is not None:
        defaults["outcome_notes"] = outcome_notes
    if Enrolment.objects.filter(group=group, pupil=pupil).exists():
        defaults["version"] = F("version") + 1  # an open edit form of this place is now out of date
    enrolment, created = Enrolment.objects.update_or_create(group=group, pupil=pupil, defaults=defaults)
    if not created:
        enrolment.refresh_from_db(fields=["version"])
    changes = {}
    for item in measures:
        values = {
            "entry": scales.parse_value(item.scale, item.entry),
            "target_steps": item.target_steps,
            "target_value": scales.parse_value(item.scale, item.target_value) if item.target_value else "",
            "exit": scales.parse_value(item.scale, item.exit) if item.exit else "",
        }
        measure = Measure.objects.filter(enrolment=enrolment, scale=item.scale).first()
        before = audit.snapshot(measure, values) if measure else {}
        if measure is None:
            measure = Measure.objects.create(enrolment=enrolment, scale=item.scale, **values)
        else:
            for name, value in values.items():
                setattr(measure, name, value)
            measure.save()
        for name, change in audit.diff(before, audit.snapshot(measure, values)).items():
            changes[f"{item.scale.code}.{name}"] = change
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        record_type="intervention enrolment",
        pupil=pupil,
        record_id=enrolment.pk,
        summary=f"{group.intervention.name} from {group.starts_on:%d/%m/%Y}",
        changes=changes,
        via=via,
    )
    return enrolment


@transaction.atomic
def record_exit(*, measure: Measure, exit: str, by, outcome_notes: str | None = None, via: str = "web") -> Measure:
    """Exit data for one measure (and, optionally, the enrolment's outcome notes)."""
    scale = measure.scale
    before = {"exit": measure.exit}
    measure.exit = scales.parse_value(scale, exit) if exit else ""
    measure.save(update_fields=["exit"])
    enrolment = measure.enrolment
    changes = audit.diff(before, {"exit": measure.exit})
    if outcome_notes is not None and outcome_notes != enrolment.outcome_notes:
        changes["outcome_notes"] = [enrolment.outcome_notes, outcome_notes]
        enrolment.outcome_notes = outcome_notes
        enrolment.save(update_fields=["outcome_notes"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="intervention result",
        pupil=enrolment.pupil,
        record_id=measure.pk,
        summary=f"{scale.name} exit",
        changes=changes,
        via=via,
    )
    return measure


class SessionDateError(ValueError):
    """A session dated when its group was not running."""


def session_date_problem(group: InterventionGroup, date: dt.date) -> str:
    """Why a session cannot be on `date` ("" if it can)."""
    if group.ends_on and date > group.ends_on:
        return (
            f"The session date {date:%d/%m/%Y} is after the group ended on {group.ends_on:%d/%m/%Y}: "
            "enter a date on or before the end date"
        )
    return ""


@transaction.atomic
def log_session(
    *,
    group: InterventionGroup,
    date: dt.date,
    present: Iterable[int],
    by,
    minutes: int | None = None,
    notes: str = "",
    via: str = "web",
) -> Session:
    """A session held on `date`; `present` are the ids of the enrolments that came. Others enrolled then were absent.

    SessionDateError (nothing written) for a date after the group ended: no pupil was enrolled then,
    so the session would count against everyone's attendance without a register."""
    if problem := session_date_problem(group, date):
        raise SessionDateError(problem)
    present = set(present)
    session = Session.objects.create(group=group, date=date, minutes=minutes, notes=notes, recorded_by=by)
    enrolled = group.enrolments.filter(starts_on__lte=date).exclude(ends_on__lt=date).select_related("pupil")
    Attendance.objects.bulk_create(Attendance(session=session, enrolment=e, present=e.pk in present) for e in enrolled)
    audit.record_many(
        {
            "actor": by,
            "action": AuditEvent.Action.CREATE,
            "record_type": "intervention attendance",
            "pupil": enrolment.pupil,
            "record_id": session.pk,
            "summary": f"{group.intervention.name} {date:%d/%m/%Y}: "
            + ("present" if enrolment.pk in present else "absent"),
            "via": via,
        }
        for enrolment in enrolled
    )
    return session


@transaction.atomic
def review_group(*, group: InterventionGroup, by, rating: str, decision: str, notes: str = "") -> InterventionGroup:
    """The teacher's effectiveness rating and the decision: continue, extend, adapt or discontinue."""
    fields = ["rating", "decision", "review_notes"]
    before = audit.snapshot(group, fields)
    group.rating, group.decision, group.review_notes = rating, decision, notes
    group.reviewed_by, group.reviewed_at = by, timezone.now()
    group.save(update_fields=[*fields, "reviewed_by", "reviewed_at"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="intervention review",
        school=group.intervention.school_id,
        record_id=group.pk,
        summary=str(group),
        changes=audit.diff(before, audit.snapshot(group, fields)),
    )
    return group


@transaction.atomic
def add_qft_strategy(*, teaching_group, text: str, by) -> QftStrategy:
    strategy = QftStrategy.objects.create(group=teaching_group, text=text.strip(), added_by=by)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="quality first teaching strategy",
        school=teaching_group.school_id,
        record_id=strategy.pk,
        summary=f"{teaching_group}: {strategy.text}",
    )
    return strategy


@dataclass
class EhcHours:
    provision: EhcProvision
    weeks: Decimal
    specified: Decimal
    delivered: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(self.specified - self.delivered, Decimal(0))


def ehc_hours(pupil, *, today: dt.date | None = None) -> list[EhcHours]:
    """Hours specified by the pupil's EHC plan against hours delivered (sessions attended x length).

    Specified hours count school weeks only: days inside the school's half-terms, over 7."""
    from trellis.schools.models import HalfTerm

    today = today or timezone.localdate()
    half_terms = list(
        HalfTerm.objects.filter(academic_year__school_id=pupil.school_id).values_list("starts_on", "ends_on")
    )
    attended = list(
        Attendance.objects.filter(enrolment__pupil=pupil, present=True)
        .select_related("session__group__intervention")
        .values_list(
            "session__group__intervention_id",
            "session__date",
            "session__minutes",
            "session__group__session_minutes",
            "session__group__intervention__session_minutes",
        )
    )
    result = []
    for provision in pupil.ehc_provisions.select_related("intervention"):
        start, end = provision.starts_on, min(provision.ends_on or today, today)
        days = sum(max(0, (min(end, e) - max(start, s)).days + 1) for s, e in half_terms)
        weeks = (Decimal(days) / 7).quantize(Decimal("0.1"))
        minutes = sum(
            m or gm or im
            for intervention_id, date, m, gm, im in attended
            if intervention_id == provision.intervention_id and start <= date <= end
        )
        result.append(
            EhcHours(
                provision=provision,
                weeks=weeks,
                specified=(provision.hours_per_week * weeks).quantize(Decimal("0.1")),
                delivered=(Decimal(minutes) / 60).quantize(Decimal("0.1")),
            )
        )
    return result


@transaction.atomic
def save_intervention(*, school, by, instance: Intervention | None = None, **fields) -> Intervention:
    """Add a catalogue entry or change one (audited with old and new values)."""
    intervention = instance or Intervention(school=school)
    before = audit.snapshot(intervention, fields) if instance else {}
    for name, value in fields.items():
        setattr(intervention, name, value)
    intervention.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE if instance else AuditEvent.Action.CREATE,
        record_type="intervention",
        school=school,
        record_id=intervention.pk,
        summary=intervention.name,
        changes=audit.diff(before, audit.snapshot(intervention, fields)),
    )
    return intervention


@transaction.atomic
def create_group(*, intervention: Intervention, by, **fields) -> InterventionGroup:
    """Start an intervention group (its pupils are added with `enrol`)."""
    group = InterventionGroup.objects.create(intervention=intervention, **fields)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="intervention group",
        school=intervention.school_id,
        record_id=group.pk,
        summary=str(group),
    )
    return group


@transaction.atomic
def add_ehc_provision(*, pupil, by, **fields) -> EhcProvision:
    """Hours a week of a provision the pupil's EHC plan specifies."""
    provision = EhcProvision.objects.create(
        pupil=pupil, ehc_plan=pupil.ehc_plans.filter(ceased_on__isnull=True).first(), **fields
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="EHC plan provision",
        pupil=pupil,
        record_id=provision.pk,
        summary=str(provision),
    )
    return provision
