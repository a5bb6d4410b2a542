"""Writing scales and assessments: audited, atomic, keyword-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .models import Assessment, Scale, ScaleStep
from .scales import parse_value


@transaction.atomic
def create_school_scale(
    *,
    school,
    by,
    code: str,
    name: str,
    kind: str,
    description: str = "",
    higher_is_better: bool = True,
    steps: list[str] | None = None,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    step: Decimal | None = None,
    unit: str = "",
) -> Scale:
    """A SENCO's own scale. Ordered steps are given lowest first as "value" or "value: label"."""
    scale = Scale.objects.create(
        school=school,
        code=code,
        name=name,
        kind=kind,
        description=description,
        higher_is_better=higher_is_better,
        min_value=min_value if kind == Scale.Kind.NUMERIC else None,
        max_value=max_value if kind == Scale.Kind.NUMERIC else None,
        step=step if kind == Scale.Kind.NUMERIC else None,
        unit=unit,
    )
    if kind == Scale.Kind.ORDERED:
        rows = []
        for n, line in enumerate(steps or [], 1):
            value, _, label = line.partition(":")
            rows.append(ScaleStep(scale=scale, position=n, value=value.strip(), label=label.strip()))
        ScaleStep.objects.bulk_create(rows)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="scale",
        school=school,
        record_id=scale.pk,
        summary=f"Added the scale {name} ({code})",
    )
    return scale


@transaction.atomic
def record_assessments(
    *,
    scale: Scale,
    domain: str,
    date: dt.date,
    values: dict,
    by,
    assessment_point=None,
    subject: str = "",
    via: str = "web",
) -> list[Assessment]:
    """Record one value per pupil ({pupil: raw value}; blanks skipped). Values are checked first,
    so a bad value saves nothing (ScaleValueError names the allowed values)."""
    parsed = {pupil: parse_value(scale, raw) for pupil, raw in values.items() if str(raw or "").strip()}
    rows = Assessment.objects.bulk_create(
        Assessment(
            pupil=pupil,
            scale=scale,
            value=value,
            domain=domain,
            date=date,
            subject=subject,
            assessment_point=assessment_point,
            recorded_by=by,
        )
        for pupil, value in parsed.items()
    )
    for pupil, value in parsed.items():
        audit.record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            record_type="assessment",
            pupil=pupil,
            summary=f"{scale.code} {value} ({domain}{', ' + subject if subject else ''})",
            changes={"value": [None, value]},
            via=via,
        )
    return rows
