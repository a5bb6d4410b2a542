"""Writing plans, targets and reviews: audited, atomic, keyword-only."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from trellis.assessment.scales import ScaleError, parse_value, scales_by_id
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.idempotency import services as idempotency
from trellis.lib.models import LONG_TEXT
from trellis.lib.versions import locked, require_version

from . import rollup, tally
from .models import PLAN_CONTENT_FIELDS, Breadth, EhcOutcome, Plan, PlanVersion, Review, SmallStep, Target
from .progress import Window, assess, stored_status, summarise, summary_fields

TARGET_FIELDS = [
    "description",
    "area",
    "outcome_id",
    "scale_id",
    "baseline_value",
    "target_value",
    "steps_to_gain",
    "success_criteria",
    "strategies",
    "responsible",
    "starts_on",
    "target_date",
    "closed_on",
]


REVIEW_FIELDS = ["date", "value", "comment", "breadth", "evidence"]


class PlanError(ValueError):
    """A change that cannot be made; the message is for people."""


# --- Plans -----------------------------------------------------------------------------------


@transaction.atomic
def create_plan(*, pupil, by, kind: str, via: str = "web", **content) -> Plan:
    plan = Plan.objects.create(pupil=pupil, kind=kind, created_by=by, **content)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="plan",
        pupil=pupil,
        record_id=plan.pk,
        summary=f"Wrote a {plan.get_kind_display()}",
        via=via,
    )
    return plan


@transaction.atomic
@rollup.deferred()
def update_plan(*, plan: Plan, by, version: int | None = None, via: str = "web", **changes) -> PlanVersion | None:
    """Change a plan. An active plan first keeps a version of what it said until now. With the
    `version` its form was opened at (Plan.version, the count of changes; not a kept PlanVersion),
    EditConflict if someone changed the plan since."""
    unknown = set(changes) - set(PLAN_CONTENT_FIELDS)
    if unknown:
        raise PlanError(f"Unknown plan fields: {', '.join(sorted(unknown))}")
    plan = locked(Plan, plan.pk, what="plan", record_type="plan")
    before = plan.content()
    for name, value in changes.items():
        setattr(plan, name, value)
    changed = audit.diff(before, plan.content())
    if not changed:
        return None
    require_version(plan, version, what="plan", record_type="plan")
    kept = None
    now = timezone.now()
    if before["state"] == Plan.State.ACTIVE:
        number = (plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        kept = PlanVersion.objects.create(
            plan=plan, number=number, content=before, in_force_from=plan.updated_at, saved_at=now, saved_by=by
        )
    plan.updated_at = now
    plan.version += 1
    plan.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="plan",
        pupil=plan.pupil,
        record_id=plan.pk,
        summary=f"Changed the {plan.get_kind_display()}" + (f" (version {kept.number} kept)" if kept else ""),
        changes=changed,
        via=via,
    )
    return kept


def set_plan_state(*, plan: Plan, state: str, by, via: str = "web") -> None:
    """Draft -> active -> archived. Making a plan active archives the pupil's other active plan of its kind."""
    if state not in Plan.State.values:
        raise PlanError("Choose draft, active or archived")
    with transaction.atomic(), rollup.deferred():  # one refresh for both plans' targets
        if state == Plan.State.ACTIVE:
            for other in Plan.objects.filter(pupil=plan.pupil_id, kind=plan.kind, state=Plan.State.ACTIVE).exclude(
                pk=plan.pk
            ):
                update_plan(plan=other, by=by, via=via, state=Plan.State.ARCHIVED)
        update_plan(plan=plan, by=by, via=via, state=state)
        plan.refresh_from_db()


@transaction.atomic
@rollup.deferred()
def edit_plan(
    *, plan: Plan, by, version: int | None = None, outcomes: list[str] | None = None, via: str = "web", **changes
) -> PlanVersion | None:
    """Save the plan form: the plan's content (keeping a version of an active plan's) and, when
    `outcomes` is given (an EHC plan), its outcomes, all in one transaction: a PlanError or
    EditConflict from either part saves neither. The form's `version` is checked once, when
    anything would change; a change of outcomes alone counts as a change of the plan."""
    before = locked(Plan, plan.pk, what="plan", record_type="plan").version
    kept = update_plan(plan=plan, by=by, version=version, via=via, **changes)
    texts = [text.strip() for text in outcomes or () if text.strip()]
    if outcomes is not None and texts != [o.text for o in plan.outcomes.all()]:
        current = Plan.objects.get(pk=plan.pk)
        if current.version == before:  # the content was unchanged: the outcomes are the change
            require_version(current, version, what="plan", record_type="plan")
            Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1)  # not updated_at: content unchanged
        set_outcomes(plan=plan, texts=texts, by=by, via=via)  # checks them: a PlanError undoes the plan's save
    return kept


def checked_outcomes(texts: Iterable[str]) -> list[str]:
    """EHC plan outcomes as kept: one a line, trimmed, blank lines dropped. PlanError naming the
    outcome (by its number) that is too long or repeats an earlier one."""
    kept: list[str] = []
    for text in (t.strip() for t in texts):
        if not text:
            continue
        number = len(kept) + 1
        if len(text) > LONG_TEXT:
            raise PlanError(f"Outcome {number} has {len(text)} characters: it can have at most {LONG_TEXT}")
        if text in kept:
            raise PlanError(f"Outcome {number} repeats outcome {kept.index(text) + 1}: give each outcome once")
        kept.append(text)
    return kept


@transaction.atomic
def set_outcomes(*, plan: Plan, texts: Iterable[str], by, via: str = "web") -> None:
    """Replace an EHC plan's outcomes, keeping those whose text is unchanged (and their targets).
    PlanError (see `checked_outcomes`) changes nothing."""
    texts = checked_outcomes(texts)
    existing = {o.text: o for o in plan.outcomes.all()}
    keep = [existing[text] for text in texts if text in existing]
    plan.outcomes.exclude(pk__in=[o.pk for o in keep]).delete()
    for n, text in enumerate(texts, 1):
        if text in existing:
            EhcOutcome.objects.filter(pk=existing[text].pk).update(position=n)
        else:
            EhcOutcome.objects.create(plan=plan, position=n, text=text)
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="EHC outcomes",
        pupil=plan.pupil,
        record_id=plan.pk,
        changes={"outcomes": [list(existing), texts]},
        via=via,
    )


# --- Targets ---------------------------------------------------------------------------------


@transaction.atomic
@rollup.deferred()  # the save's signal and refresh_summary: one refresh, at the end
def save_target(
    *,
    plan: Plan,
    by,
    target: Target | None = None,
    small_steps: Iterable[str] | None = None,
    via: str = "web",
    version: int | None = None,
    **fields,
) -> Target:
    """Create or change a target (values are checked against its scale); small steps are replaced
    by `small_steps` (when given) in order, keeping the ticks of steps whose text is unchanged.
    A change with the `version` its form was opened at is refused (EditConflict) if the target
    changed since."""
    if target is not None:
        target = locked(Target, target.pk, what="target", record_type="target")
    scale = fields.get("scale") or (target.scale if target else None)
    if scale is None:
        raise PlanError("Choose the scale the target is measured on")
    try:
        fields["baseline_value"] = parse_value(scale, fields.get("baseline_value", target and target.baseline_value))
        if fields.get("target_value"):
            fields["target_value"] = parse_value(scale, fields["target_value"])
    except ScaleError as error:
        raise PlanError(str(error)) from error
    creating = target is None
    if not creating and scale.pk != target.scale_id and target.reviews.exists():
        raise PlanError("This target has reviews on its scale: roll it over to a new target to change the scale")
    before = audit.snapshot(target, TARGET_FIELDS) if target else {}
    if creating:
        position = plan.targets.count() + 1
        target = Target(plan=plan, pupil_id=plan.pupil_id, position=position, created_by=by)
    for name, value in fields.items():
        setattr(target, name, value)
    steps = [text.strip() for text in small_steps or () if text and text.strip()]
    existing = {s.text: s.achieved_on for s in target.small_steps.all()} if not creating else {}
    steps_changed = small_steps is not None and list(existing) != steps
    if not creating and (steps_changed or audit.diff(before, audit.snapshot(target, TARGET_FIELDS))):
        require_version(target, version, what="target", record_type="target")
        target.version += 1
    target.save()
    if steps_changed:
        target.small_steps.all().delete()
        SmallStep.objects.bulk_create(
            SmallStep(target=target, position=n, text=text, achieved_on=existing.get(text))
            for n, text in enumerate(steps, 1)
        )
    refresh_summary(target)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        record_type="target",
        pupil=plan.pupil,
        record_id=target.pk,
        summary=target.description[:200],
        changes=audit.diff(before, audit.snapshot(target, TARGET_FIELDS)),
        via=via,
    )
    return target


@transaction.atomic
@rollup.deferred()
def roll_over_target(*, target: Target, by, on: dt.date, via: str = "web") -> Target:
    """Close a target and start it again from its latest value with the same goal and length. If
    the pupil has not moved, the new target is 'rolled over unchanged' and flagged as stuck."""
    latest = target.reviews.order_by("-date", "-pk").first()
    length = (target.target_date - target.starts_on) if target.target_date else None
    new = Target.objects.create(
        plan=target.plan,
        pupil_id=target.pupil_id,
        position=target.position,
        description=target.description,
        area=target.area,
        outcome=target.outcome,
        scale=target.scale,
        baseline_value=latest.value if latest else target.baseline_value,
        target_value=target.goal_value(),
        success_criteria=target.success_criteria,
        strategies=target.strategies,
        responsible=target.responsible,
        starts_on=on,
        target_date=on + length if length else None,
        rolled_over_from=target,
        created_by=by,
    )
    SmallStep.objects.bulk_create(
        SmallStep(target=new, position=s.position, text=s.text) for s in target.small_steps.filter(achieved_on=None)
    )
    Target.objects.filter(pk=target.pk).update(closed_on=on)
    refresh_summary(new)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="target",
        pupil=target.pupil,
        record_id=new.pk,
        summary=f"Rolled over target {target.pk}: {target.description[:150]}",
        via=via,
    )
    return new


@transaction.atomic
def tick_small_step(*, step: SmallStep, achieved_on: dt.date | None, by) -> None:
    before = step.achieved_on
    step.achieved_on = achieved_on
    step.save(update_fields=["achieved_on"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="small step",
        pupil=step.target.pupil,
        record_id=step.pk,
        summary=step.text[:200],
        changes=audit.diff({"achieved_on": before}, {"achieved_on": achieved_on}),
    )


# --- Reviews ---------------------------------------------------------------------------------


@transaction.atomic
@rollup.deferred()
def record_review(
    *,
    target: Target,
    by,
    date: dt.date,
    value: str,
    comment: str = "",
    breadth: str = "",
    evidence: str = "",
    via: str = "web",
    once: str = "",
    request: str = "",
) -> Review:
    """Record a target's value on its scale. Raises ScaleValueError (naming the allowed values), or
    PlanError for a target that is closed or in an archived plan. `once` (a form token or an
    Idempotency-Key, with the API `request`'s fingerprint): the same key again raises AlreadySaved
    with the review the first use recorded, and records nothing. `breadth` (consolidating or
    generalised) only on a scale where progress is often horizontal, and only with `evidence`."""
    taken = idempotency.claim(user=by, key=once, kind="target review", request=request)
    if target.closed_on is not None or target.plan.state == Plan.State.ARCHIVED:
        closed = f"closed on {target.closed_on:%d/%m/%Y}" if target.closed_on else "in an archived plan"
        raise PlanError(
            f"This target is {closed}: it takes no new reviews. A review recorded in error can still be corrected."
        )
    stored = _checked_review(target, date, value)
    breadth, evidence = checked_breadth(target, breadth, evidence)
    name = (by.get_full_name() or by.get_username()) if by is not None else "system"
    review = Review.objects.create(
        target=target,
        date=date,
        value=stored,
        comment=comment.strip(),
        breadth=breadth,
        evidence=evidence,
        reviewed_by=by,
        reviewed_by_name=name,
    )
    idempotency.settle(taken, review.pk)
    refresh_summary(target)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="target review",
        pupil=target.pupil,
        record_id=review.pk,
        summary=f"{target.description[:120]}: {stored}",
        changes={"value": [None, stored], "date": [None, date.isoformat()]}
        | ({"breadth": [None, breadth], "evidence": [None, evidence]} if breadth else {}),
        via=via,
    )
    return review


def _checked_review(target: Target, date: dt.date, value: str) -> str:
    """The value as stored; PlanError or ScaleError saying what is wrong."""
    stored = parse_value(target.scale, value)
    if date > timezone.localdate():
        raise PlanError("The review date must be today or in the past")
    if date < target.starts_on:
        raise PlanError("The review date must be on or after the target's start date")
    return stored


def checked_breadth(target: Target, breadth: str, evidence: str) -> tuple[str, str]:
    """Horizontal progress as stored, or PlanError: only on a scale where progress is often
    horizontal, and never without evidence of the new context (a bare tick would hide a stuck target)."""
    breadth, evidence = (breadth or "").strip(), (evidence or "").strip()
    if not breadth:
        return "", evidence
    if breadth not in Breadth.values:
        raise PlanError(f"Progress across contexts must be {' or '.join(b.label.lower() for b in Breadth)}")
    label = Breadth(breadth).label.lower()
    if target.scale.is_linear:
        raise PlanError(
            f"‘{label.capitalize()}’ is only for scales where progress is often horizontal; the "
            f"{target.scale.called} counts steps up the scale"
        )
    if not evidence:
        raise PlanError(f"Give the evidence for ‘{label}’: what the pupil did, where and with whom")
    return breadth, evidence


def _locked_review(review: Review) -> Review:
    current = locked(Review, review.pk, what="review", record_type="target review")
    current.target = review.target
    return current


@transaction.atomic
@rollup.deferred()
def correct_review(
    *,
    review: Review,
    by,
    date: dt.date,
    value: str,
    comment: str = "",
    breadth: str = "",
    evidence: str = "",
    via: str = "web",
    version: int | None = None,
) -> Review:
    """Change a review typed in error (a closed target's too); the target's summary and the tallies
    follow. EditConflict if the review changed or was removed since `version`."""
    review = _locked_review(review)
    target = review.target
    stored = _checked_review(target, date, value)
    breadth, evidence = checked_breadth(target, breadth, evidence)
    before = audit.snapshot(review, REVIEW_FIELDS)
    after = {"date": date, "value": stored, "comment": comment.strip(), "breadth": breadth, "evidence": evidence}
    if audit.diff(before, after):
        require_version(review, version, what="review", record_type="target review")
        review.version += 1
    tally.adjust(target.pupil.school_id, Counter({(review.date, review.status): -1}))
    review.date, review.value, review.comment, review.status = date, stored, comment.strip(), ""
    review.breadth, review.evidence = breadth, evidence
    review.save(update_fields=[*REVIEW_FIELDS, "status", "version"])
    refresh_summary(target)
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="target review",
        pupil=target.pupil,
        record_id=review.pk,
        summary=f"Corrected a review of {target.description[:100]}",
        changes=audit.diff(before, audit.snapshot(review, REVIEW_FIELDS)),
        via=via,
    )
    return review


@transaction.atomic
@rollup.deferred()
def delete_review(*, review: Review, by, via: str = "web", version: int | None = None) -> None:
    """Remove a review recorded in error (the audit trail keeps what it said). EditConflict if it
    changed since `version` (the person removing it saw something else)."""
    review = _locked_review(review)
    require_version(review, version, what="review", record_type="target review")
    target = review.target
    before = audit.snapshot(review, REVIEW_FIELDS)
    record_id = review.pk
    review.delete()  # the tally forgets it (a pre_delete signal)
    refresh_summary(target)
    audit.record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        record_type="target review",
        pupil=target.pupil,
        record_id=record_id,
        summary=f"Removed a review of {target.description[:100]}",
        changes={name: [old, None] for name, old in before.items()} | {"target": [target.pk, None]},
        via=via,
    )


def refresh_summary(target: Target) -> None:
    """Bring the target's summary fields, and the status kept with each review, up to date with
    its reviews. Called inside every transaction that changes a target or its reviews, so the
    dashboards (which aggregate these fields) are never stale."""
    reviews = list(target.reviews.order_by("date", "pk"))
    school = target.pupil.school
    latest_on = reviews[-1].date if reviews else target.starts_on
    year = school.current_academic_year(latest_on)
    progress = summarise(target, reviews, year.ends_on if year else None)
    changed, tallies = [], Counter()
    for review, state in zip(reviews, progress, strict=True):
        if (review.status, review.gain) != (stored_status(state), state.gain):
            tallies[(review.date, review.status)] -= 1
            review.status, review.gain = stored_status(state), state.gain
            tallies[(review.date, review.status)] += 1
            changed.append(review)
    Review.objects.bulk_update(changed, ["status", "gain"])
    tally.adjust(school.pk, tallies)
    stuck = not reviews and assess(target, [], Window(latest_on, latest_on, latest_on)).stuck
    fields = summary_fields(progress, stuck_without_reviews=stuck)
    for name, value in fields.items():
        setattr(target, name, value)
    Target.objects.filter(pk=target.pk).update(**fields)
    rollup.refresh([target.pupil_id])


# --- Reading targets with their progress, in a fixed number of queries ------------------------


def with_progress(targets, *, window: Window, school=None) -> list[Target]:
    """Targets (a queryset) with reviews, small steps, scale and `progress` attached: four queries
    however many targets there are."""
    scales = scales_by_id(school)
    rows = list(
        targets.select_related("pupil", "plan", "rolled_over_from").prefetch_related(
            Prefetch("reviews", queryset=Review.objects.order_by("date", "pk")), "small_steps"
        )
    )
    for target in rows:
        target.scale = scales.get(target.scale_id) or target.scale
        if target.rolled_over_from is not None and target.rolled_over_from.scale_id in scales:
            target.rolled_over_from.scale = scales[target.rolled_over_from.scale_id]
        target.review_list = list(target.reviews.all())
        target.progress = assess(target, target.review_list, window)
    return rows


# --- The SMART check --------------------------------------------------------------------------

VAGUE_WORDS = re.compile(
    r"\b(improve|improved|improving|better|more|less|try|trying|work on|working on|understand|understanding|"
    r"be aware|develop|developing|increase|confidence|confident|engage|support)\b",
    re.IGNORECASE,
)
MEASURE_HINTS = re.compile(r"\d|\b(times|out of|per|each|every|independently|without|minutes|words)\b", re.IGNORECASE)


def smart_warnings(
    *,
    description: str,
    success_criteria: str = "",
    target_value: str = "",
    steps_to_gain: Decimal | None = None,
    target_date: dt.date | None = None,
    scale=None,
) -> list[str]:
    """Warnings (never errors) for a target that is not SMART; empty when it looks fine."""
    warnings = []
    if scale is None or (not target_value and not steps_to_gain):
        warnings.append("No measure: give the target value on its scale, or the steps to gain.")
    if not success_criteria.strip():
        warnings.append("No success criteria: say what the pupil will do when the target is met.")
    if target_date is None:
        warnings.append("No date: give the date by which the target should be met.")
    words = description.split()
    if len(words) < 5 or (VAGUE_WORDS.search(description) and not MEASURE_HINTS.search(description)):
        warnings.append(
            "Vague wording: say what the pupil will do, how often or how well, and in which situation "
            "(e.g. 'read 20 high-frequency words without help')."
        )
    return warnings


def target_smart_warnings(target: Target) -> list[str]:
    return smart_warnings(
        description=target.description,
        success_criteria=target.success_criteria,
        target_value=target.target_value,
        steps_to_gain=target.steps_to_gain,
        target_date=target.target_date,
        scale=target.scale,
    )
