"""Writing scales and assessments: audited, atomic, keyword-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .boxall import cluster_scales
from .models import Assessment, BoxallCluster, CompetentRange, Domain, Scale, ScaleStep
from .scales import ScaleError, parse_value


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
    audit.record_many(
        {
            "actor": by,
            "action": AuditEvent.Action.CREATE,
            "record_type": "assessment",
            "pupil": pupil,
            "summary": f"{scale.code} {value} ({domain}{', ' + subject if subject else ''})",
            "changes": {"value": [None, value]},
            "via": via,
        }
        for pupil, value in parsed.items()
    )
    return rows


class BoxallError(ValueError):
    """A Boxall Profile or competent range that cannot be saved. The message is for people."""


@transaction.atomic
def record_boxall_profile(*, pupil, by, date: dt.date, scores: dict[str, object], via: str = "web") -> list[Assessment]:
    """One Boxall Profile: a score per cluster ({cluster value: raw score}; blanks skipped), stored as
    SEMH assessments on the cluster scales. Every score is checked first, so a bad one saves nothing."""
    scales = cluster_scales()
    parsed = {}
    for cluster in BoxallCluster:
        raw = scores.get(cluster.value)
        if str(raw if raw is not None else "").strip():
            try:
                parsed[cluster] = parse_value(scales[cluster], raw)
            except ScaleError as error:
                raise BoxallError(f"{cluster.label}: {error}") from None
    if not parsed:
        raise BoxallError("Enter a score for at least one cluster")
    rows = Assessment.objects.bulk_create(
        Assessment(pupil=pupil, scale=scales[c], value=v, domain=Domain.SEMH, date=date, recorded_by=by)
        for c, v in parsed.items()
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="Boxall Profile",
        pupil=pupil,
        summary=f"Boxall Profile of {date:%d %b %Y}",
        changes={c.label: [None, v] for c, v in parsed.items()},
        via=via,
    )
    return rows


@transaction.atomic
def set_competent_ranges(*, school, by, ranges: dict[str, tuple[Decimal, Decimal] | None]) -> None:
    """The school's competent range for each cluster ({cluster value: (low, high)}, None to clear).
    Checked first: a range outside the scale or upside down saves nothing."""
    scales = cluster_scales()
    for cluster in BoxallCluster:
        if (pair := ranges.get(cluster.value)) is not None:
            low, high = pair
            scale = scales[cluster]
            if low > high:
                raise BoxallError(f"{cluster.label}: the lowest score must not be more than the highest")
            if low < scale.min_value or high > scale.max_value:
                raise BoxallError(f"{cluster.label}: use scores from {scale.describe_range()}")
    existing = {r.scale_id: r for r in CompetentRange.objects.filter(school=school, scale__in=scales.values())}
    changes = {}
    for cluster in BoxallCluster:
        scale, pair, old = scales[cluster], ranges.get(cluster.value), existing.get(scales[cluster].pk)
        if pair is None and old:
            old.delete()
            changes[cluster.label] = [old.describe(), None]
        elif pair is not None and (old is None or (old.low, old.high) != pair):
            new = CompetentRange(pk=old.pk if old else None, school=school, scale=scale, low=pair[0], high=pair[1])
            new.updated_by, new.updated_at = by, timezone.now()
            new.save()
            changes[cluster.label] = [old.describe() if old else None, new.describe()]
    if changes:
        audit.record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="competent ranges",
            school=school,
            summary="Changed the Boxall competent ranges",
            changes=changes,
        )
