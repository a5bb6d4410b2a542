"""Changing a group after it started: its staff, dates, schedule and funding, and each pupil's
place in it (joining and leaving dates, funding, entry, target and exit).

Each change is atomic, audited with old and new values, and checked against the version its form
was opened at (trellis.lib.versions), so of two people editing at once the second is told, not lost.
Sessions already held fix the dates: a group cannot be shortened to leave a session outside it,
and a pupil's dates cannot leave out a session they came to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Min

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.versions import locked, require_version

from . import scales
from .models import Attendance, Enrolment, InterventionGroup, Measure
from .services import MeasureInput

GROUP_FIELDS = [
    "staff_id",
    "staff_label",
    "group_size",
    "frequency",
    "schedule",
    "sessions_per_week",
    "session_minutes",
    "starts_on",
    "ends_on",
    "funding",
]
ENROLMENT_FIELDS = ["starts_on", "ends_on", "funding", "target_description", "outcome_notes"]
GROUP_RECORD = "intervention group"
ENROLMENT_RECORD = "intervention enrolment"


class ProvisionDateError(ValueError):
    """Dates that would leave a session outside its group or a pupil's place: nothing was saved."""


def _day(date: dt.date) -> str:
    return f"{date:%d/%m/%Y}"


def group_dates_problem(group: InterventionGroup, starts_on: dt.date, ends_on: dt.date | None) -> str:
    """Why the group cannot run from `starts_on` to `ends_on` ("" if it can): its sessions and pupils must fit."""
    if ends_on is not None and ends_on < starts_on:
        return "The end date must be on or after the start date"
    held = group.sessions.aggregate(first=Min("date"), last=Max("date"))
    if held["first"] is not None and held["first"] < starts_on:
        return (
            f"The group has a session on {_day(held['first'])}: enter a start date on or before it "
            "(sessions already held stay in the group)"
        )
    if ends_on is not None and held["last"] is not None and held["last"] > ends_on:
        return (
            f"The group has a session on {_day(held['last'])}: enter an end date on or after it "
            "(sessions already held stay in the group)"
        )
    if ends_on is not None:
        late = group.enrolments.filter(starts_on__gt=ends_on).select_related("pupil").first()
        if late is not None:
            return (
                f"{late.pupil.full_name} joined on {_day(late.starts_on)}, after that end date: "
                "change their dates first, or enter a later end date"
            )
    return ""


def enrolment_dates_problem(enrolment: Enrolment, starts_on: dt.date, ends_on: dt.date | None) -> str:
    """Why the pupil's place cannot run between these dates ("" if it can)."""
    group, name = enrolment.group, enrolment.pupil.full_name
    if starts_on < group.starts_on:
        return f"The joining date must be on or after the group's start date, {_day(group.starts_on)}"
    if group.ends_on is not None and starts_on > group.ends_on:
        return f"The joining date must be on or before the group's end date, {_day(group.ends_on)}"
    if ends_on is not None and ends_on < starts_on:
        return "The leaving date must be on or after the joining date"
    if ends_on is not None and group.ends_on is not None and ends_on > group.ends_on:
        return f"The leaving date must be on or before the group's end date, {_day(group.ends_on)}"
    came = Attendance.objects.filter(enrolment=enrolment, present=True).aggregate(
        first=Min("session__date"), last=Max("session__date")
    )
    if came["first"] is not None and came["first"] < starts_on:
        return f"{name} came to the session on {_day(came['first'])}: enter a joining date on or before it"
    if ends_on is not None and came["last"] is not None and came["last"] > ends_on:
        return f"{name} came to the session on {_day(came['last'])}: enter a leaving date on or after it"
    return ""


@transaction.atomic
def edit_group(*, group: InterventionGroup, by, version: int | None = None, **fields: Any) -> InterventionGroup:
    """Change the group's staff, dates, schedule or funding (`fields` among GROUP_FIELDS, `staff`
    accepted for `staff_id`). Pupils whose dates were the group's follow the new dates, and no
    pupil's place runs past the group's end. ProvisionDateError or EditConflict saves nothing."""
    if "staff" in fields:
        staff = fields.pop("staff")
        fields["staff_id"] = staff.pk if staff is not None else None
    unknown = set(fields) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"edit_group cannot change {', '.join(sorted(unknown))}")
    current = locked(InterventionGroup, group.pk, what="group", record_type=GROUP_RECORD)
    before = audit.snapshot(current, fields)
    changes = audit.diff(before, fields)
    if not changes:
        return current
    require_version(current, version, what="group", record_type=GROUP_RECORD)
    starts_on, ends_on = fields.get("starts_on", current.starts_on), fields.get("ends_on", current.ends_on)
    if problem := group_dates_problem(current, starts_on, ends_on):
        raise ProvisionDateError(problem)
    old_dates = (current.starts_on, current.ends_on)
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type=GROUP_RECORD,
        school=current.intervention.school_id,
        record_id=current.pk,
        summary=str(current),
        changes=changes,
    )
    if old_dates != (current.starts_on, current.ends_on):
        _follow_group_dates(current, old_dates, by)
    return current


def _follow_group_dates(group: InterventionGroup, old: tuple[dt.date, dt.date | None], by) -> None:
    """Pupils who joined at the start (or left at the end) move with it; none stays outside the group."""
    old_start, old_end = old
    for enrolment in group.enrolments.select_related("pupil").select_for_update():
        starts_on, ends_on = enrolment.starts_on, enrolment.ends_on
        if starts_on == old_start or starts_on < group.starts_on:
            starts_on = group.starts_on
        if ends_on == old_end or (group.ends_on is not None and (ends_on is None or ends_on > group.ends_on)):
            ends_on = group.ends_on
        if (starts_on, ends_on) == (enrolment.starts_on, enrolment.ends_on):
            continue
        changes = audit.diff(
            audit.snapshot(enrolment, ["starts_on", "ends_on"]),
            {"starts_on": starts_on, "ends_on": ends_on},
        )
        enrolment.starts_on, enrolment.ends_on = starts_on, ends_on
        enrolment.version += 1
        enrolment.save(update_fields=["starts_on", "ends_on", "version"])
        audit.record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type=ENROLMENT_RECORD,
            pupil=enrolment.pupil,
            record_id=enrolment.pk,
            summary=f"{group.intervention.name}: dates follow the group's",
            changes=changes,
        )


def _measure_values(item: MeasureInput) -> dict[str, Any]:
    return {
        "entry": scales.parse_value(item.scale, item.entry),
        "target_steps": None if item.target_steps is None else item.target_steps.quantize(Decimal("0.01")),
        "target_value": scales.parse_value(item.scale, item.target_value) if item.target_value else "",
        "exit": scales.parse_value(item.scale, item.exit) if item.exit else "",
    }


@transaction.atomic
def edit_enrolment(
    *,
    enrolment: Enrolment,
    by,
    version: int | None = None,
    measures: Iterable[MeasureInput] = (),
    **fields: Any,
) -> Enrolment:
    """Change a pupil's place: joining and leaving dates (leaving = an end date), funding stream
    (blank: the group's), target and outcome texts, and entry, target and exit on the scales they
    already have. ProvisionDateError, a ScaleError or EditConflict saves nothing."""
    unknown = set(fields) - set(ENROLMENT_FIELDS)
    if unknown:
        raise TypeError(f"edit_enrolment cannot change {', '.join(sorted(unknown))}")
    current = locked(Enrolment, enrolment.pk, what="pupil's place", record_type=ENROLMENT_RECORD)
    current = Enrolment.objects.select_related("group__intervention", "pupil").get(pk=current.pk)
    changes = audit.diff(audit.snapshot(current, fields), fields)
    existing = {m.scale_id: m for m in Measure.objects.filter(enrolment=current)}
    updates = []
    for item in measures:
        measure = existing.get(item.scale.pk)
        if measure is None:
            raise ValueError(f"{current.pupil.full_name} has no measure on the {item.scale.name} to change")
        values = _measure_values(item)
        for name, change in audit.diff(audit.snapshot(measure, values), values).items():
            changes[f"{item.scale.code}.{name}"] = change
        updates.append((measure, values))
    if not changes:
        return current
    require_version(current, version, what="pupil's place", record_type=ENROLMENT_RECORD)
    starts_on, ends_on = fields.get("starts_on", current.starts_on), fields.get("ends_on", current.ends_on)
    if problem := enrolment_dates_problem(current, starts_on, ends_on):
        raise ProvisionDateError(problem)
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    for measure, values in updates:
        for name, value in values.items():
            setattr(measure, name, value)
        measure.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type=ENROLMENT_RECORD,
        pupil=current.pupil,
        record_id=current.pk,
        summary=f"{current.group.intervention.name} from {current.group.starts_on:%d/%m/%Y}",
        changes=changes,
    )
    return current
