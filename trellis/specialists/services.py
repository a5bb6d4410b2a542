"""Writing specialist advice, referrals and what recommendations became. Each function is one
transaction that writes its audit; a recommendation becomes a strategy or a target through the
plans services, so the plan keeps its version, the target its SMART check and both their audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.evidence.services import EvidenceError, check_upload
from trellis.idempotency import services as idempotency
from trellis.lib.models import SHORT_TEXT
from trellis.plans import services as plans
from trellis.plans.models import Plan, Target
from trellis.pupils.models import Pupil

from .models import Advice, Recommendation, Referral, Service

REFERRAL_DATES = ["referred_on", "accepted_on", "seen_on", "report_received_on"]
REFERRAL_FIELDS = ["service", *REFERRAL_DATES, "notes"]


class SpecialistError(ValueError):
    """Advice or a referral that cannot be saved; the message says what and where."""


def recommendation_lines(text: str) -> list[str]:
    """One recommendation a line: trimmed, blank lines dropped; SpecialistError naming a line too long."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        if len(line) > SHORT_TEXT:
            raise SpecialistError(
                f"Recommendation {number} has {len(line)} characters: it can have at most {SHORT_TEXT}"
            )
    return lines


@transaction.atomic
def add_advice(
    *,
    pupil: Pupil,
    by,
    service: str,
    seen_on: dt.date,
    summary: str,
    recommendations: Iterable[str] = (),
    report: UploadedFile | None = None,
    via: str = "web",
    once: str = "",
) -> Advice:
    """A specialist's advice after seeing the pupil. A report file is checked as evidence files are
    (type by its content, size); with one, the pupil's referral to that service that was seen and
    still waits for its report is marked received today. `once` as for evidence notes: a form
    posted twice saves once (AlreadySaved)."""
    taken = idempotency.claim(user=by if by is not None and by.is_authenticated else None, key=once, kind="advice")
    if service not in Service.values:
        raise SpecialistError(f"Choose the service: {', '.join(Service.labels)}")
    today = timezone.localdate()
    if seen_on > today:
        raise SpecialistError("The date you saw the pupil must be today or in the past")
    advice = Advice(pupil=pupil, service=service, seen_on=seen_on, summary=summary, written_by=by)
    if report is not None:
        try:
            content_type, extension = check_upload(report)
        except EvidenceError as error:
            raise SpecialistError(str(error)) from error
        advice.report_name = (report.name or f"report.{extension}")[:200]
        advice.report_type = content_type
        advice.report_size = report.size
        advice.report.save(f"report.{extension}", report, save=False)
    advice.save()
    idempotency.settle(taken, advice.pk)
    texts = list(recommendations)
    Recommendation.objects.bulk_create(
        Recommendation(advice=advice, position=n, text=text) for n, text in enumerate(texts, 1)
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="specialist advice",
        pupil=pupil,
        record_id=advice.pk,
        summary=f"{advice.get_service_display()}: seen on {seen_on:%d %B %Y}",
        changes={"report": [None, advice.report_name or None], "recommendations": [None, texts]},
        via=via,
    )
    if advice.report:
        waiting = Referral.objects.filter(
            pupil=pupil, service=service, seen_on__isnull=False, report_received_on__isnull=True
        ).order_by("seen_on", "pk")
        if referral := waiting.first():
            update_referral(referral=referral, by=by, via=via, report_received_on=today)
    return advice


def _check_dates(values: dict) -> None:
    """Dates in order (referred <= accepted <= seen <= report received) and none in the future."""
    today = timezone.localdate()
    labels = {name: Referral._meta.get_field(name).verbose_name for name in REFERRAL_DATES}
    previous = None
    for name in REFERRAL_DATES:
        value = values.get(name)
        if value is None:
            continue
        if value > today:
            raise SpecialistError(f"{labels[name]} must be today or in the past")
        if previous is not None and value < values[previous]:
            raise SpecialistError(f"{labels[name]} must not be before the {labels[previous].lower()}")
        previous = name
    if values.get("report_received_on") and not values.get("seen_on"):
        raise SpecialistError("Give the date seen before the date the report was received")


@transaction.atomic
def add_referral(
    *,
    pupil: Pupil,
    by,
    service: str,
    referred_on: dt.date,
    accepted_on: dt.date | None = None,
    seen_on: dt.date | None = None,
    report_received_on: dt.date | None = None,
    notes: str = "",
    via: str = "web",
) -> Referral:
    values = {
        "service": service,
        "referred_on": referred_on,
        "accepted_on": accepted_on,
        "seen_on": seen_on,
        "report_received_on": report_received_on,
        "notes": notes,
    }
    if service not in Service.values:
        raise SpecialistError(f"Choose the service: {', '.join(Service.labels)}")
    _check_dates(values)
    referral = Referral.objects.create(pupil=pupil, created_by=by, **values)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="referral",
        pupil=pupil,
        record_id=referral.pk,
        summary=f"Referred to {referral.get_service_display()}",
        changes=audit.diff({}, audit.snapshot(referral, REFERRAL_FIELDS)),
        via=via,
    )
    return referral


@transaction.atomic
def update_referral(*, referral: Referral, by, via: str = "web", **changes) -> Referral:
    """Change a referral's dates, service or notes (checked as for a new one); audited with old and new."""
    if unknown := set(changes) - set(REFERRAL_FIELDS):
        raise SpecialistError(f"A referral has no field {', '.join(sorted(unknown))}")
    referral = Referral.objects.select_for_update().select_related("pupil").get(pk=referral.pk)
    before = audit.snapshot(referral, REFERRAL_FIELDS)
    if changes.get("service", referral.service) not in Service.values:
        raise SpecialistError(f"Choose the service: {', '.join(Service.labels)}")
    _check_dates({name: getattr(referral, name) for name in REFERRAL_FIELDS} | changes)
    for name, value in changes.items():
        setattr(referral, name, value)
    changed = audit.diff(before, audit.snapshot(referral, REFERRAL_FIELDS))
    if changed:
        referral.save(update_fields=list(changes))
        audit.record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="referral",
            pupil=referral.pupil,
            record_id=referral.pk,
            summary=f"Referral to {referral.get_service_display()}",
            changes=changed,
            via=via,
        )
    return referral


def current_plans(pupil: Pupil) -> list[Plan]:
    """The pupil's active plans that take strategies and targets (a passport has neither), newest first."""
    return list(
        Plan.objects.filter(pupil=pupil, state=Plan.State.ACTIVE)
        .exclude(kind=Plan.Kind.PASSPORT)
        .order_by("-starts_on", "-pk")
    )


def _locked_recommendation(recommendation: Recommendation) -> Recommendation:
    current = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if current.became:
        raise SpecialistError(f"This recommendation is already {current.get_became_display().lower()}")
    return current


def _check_plan(plan: Plan, pupil: Pupil) -> None:
    if plan.pupil_id != pupil.pk or plan.state != Plan.State.ACTIVE or plan.kind == Plan.Kind.PASSPORT:
        raise SpecialistError("Choose one of the pupil's active plans")


def _record_adoption(recommendation: Recommendation, *, by, pupil: Pupil, via: str, what: str) -> None:
    recommendation.adopted_by = by
    recommendation.adopted_on = timezone.localdate()
    recommendation.save(update_fields=["became", "plan", "target", "adopted_by", "adopted_on"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="specialist recommendation",
        pupil=pupil,
        record_id=recommendation.pk,
        summary=f"Made a recommendation {what}",
        changes={"became": ["", recommendation.became]},
        via=via,
    )


@transaction.atomic
def make_strategy(*, recommendation: Recommendation, plan: Plan, by, via: str = "web") -> Plan:
    """Add the recommendation to the plan's strategies for all staff (the plan keeps a version of
    what it said before, through plans.update_plan)."""
    pupil = recommendation.advice.pupil
    recommendation = _locked_recommendation(recommendation)
    _check_plan(plan, pupil)
    strategies = "\n".join(part for part in (plan.strategies.rstrip(), recommendation.text) if part)
    plans.update_plan(plan=plan, by=by, via=via, strategies=strategies)
    recommendation.became, recommendation.plan = Recommendation.Became.STRATEGY, plan
    _record_adoption(recommendation, by=by, pupil=pupil, via=via, what="a strategy of the plan")
    return plan


@transaction.atomic
def make_target(*, recommendation: Recommendation, plan: Plan, by, via: str = "web", **fields) -> Target:
    """A new target of the plan described by the recommendation, through plans.save_target (its
    values checked on its scale, audited); the caller shows its SMART warnings."""
    pupil = recommendation.advice.pupil
    recommendation = _locked_recommendation(recommendation)
    _check_plan(plan, pupil)
    fields.setdefault("starts_on", timezone.localdate())
    try:
        target = plans.save_target(plan=plan, by=by, via=via, description=recommendation.text, **fields)
    except plans.PlanError as error:
        raise SpecialistError(str(error)) from error
    recommendation.became, recommendation.plan, recommendation.target = Recommendation.Became.TARGET, plan, target
    _record_adoption(recommendation, by=by, pupil=pupil, via=via, what="a target")
    return target
