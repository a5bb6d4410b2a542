"""Recording the dates of statutory steps: each change audited in the same transaction, edits
checked against the version their form was opened at (trellis.lib.versions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.versions import locked, require_version
from trellis.pupils.models import EhcPlan, Pupil

from . import rules
from .models import AnnualReview, CalendarFeed, EhcAssessmentRequest, SupportReview
from .schedule import under5_months

REQUEST_FIELDS = [
    "requested_on",
    "requested_by",
    "decision",
    "decided_on",
    "advice_requested_on",
    "advice_given_on",
    "draft_issued_on",
    "parent_comments_on",
    "not_to_issue_on",
    "final_issued_on",
    "appeal_lodged_on",
]
REVIEW_FIELDS = [
    "meeting_on",
    "advice_requested_on",
    "invitations_sent_on",
    "held_on",
    "report_sent_on",
    "la_decision",
    "la_decision_on",
    "amended_plan_on",
    "next_school",
    "health_involved",
    "social_care_involved",
]


class DeadlineError(ValueError):
    """A date or outcome that cannot be right; the message says which and why. Nothing is saved."""


def _no_later_than_today(values: dict[str, Any], today: dt.date, labels: dict[str, str]) -> None:
    for name, label in labels.items():
        if (day := values.get(name)) and day > today:
            raise DeadlineError(f"The date {label} cannot be in the future")


def check_request(values: dict[str, Any], today: dt.date) -> None:
    """Each step on or after the one it follows, none in the future, one outcome at a time."""
    requested = values["requested_on"]
    order = [
        ("decided_on", "of the LA's decision"),
        ("advice_requested_on", "advice was asked for"),
        ("advice_given_on", "advice was given"),
        ("draft_issued_on", "the draft plan was sent"),
        ("parent_comments_on", "parents commented"),
        ("not_to_issue_on", "the LA decided not to issue a plan"),
        ("final_issued_on", "the final plan was issued"),
        ("appeal_lodged_on", "of the appeal"),
    ]
    _no_later_than_today(values, today, {"requested_on": "of the request", **dict(order)})
    for name, label in order:
        if (day := values.get(name)) and day < requested:
            raise DeadlineError(f"The date {label} cannot be before the request ({requested:%-d %B %Y})")
    if bool(values.get("decision")) != bool(values.get("decided_on")):
        raise DeadlineError("Give both the LA's decision and its date, or neither")
    later = [n for n in REQUEST_FIELDS[4:10] if values.get(n)]
    if later and values.get("decision") != EhcAssessmentRequest.Decision.ASSESS:
        raise DeadlineError("Steps after the decision need the LA's decision to assess")
    if values.get("not_to_issue_on") and values.get("final_issued_on"):
        raise DeadlineError("A request ends with a final plan or a decision not to issue one, not both")


def check_review(values: dict[str, Any], today: dt.date) -> None:
    _no_later_than_today(
        values,
        today,
        {
            "advice_requested_on": "advice was asked for",
            "invitations_sent_on": "invitations were sent",
            "held_on": "the meeting was held",
            "report_sent_on": "the report was sent",
            "la_decision_on": "of the LA's decision",
            "amended_plan_on": "of the amended plan",
        },
    )
    if bool(values.get("la_decision")) != bool(values.get("la_decision_on")):
        raise DeadlineError("Give both the LA's decision and its date, or neither")
    held = values.get("held_on")
    for name, label in (("report_sent_on", "report was sent"), ("la_decision_on", "LA decided")):
        if values.get(name) and not held:
            raise DeadlineError(f"Give the date the meeting was held before the date the {label}")
        if values.get(name) and held and values[name] < held:
            raise DeadlineError(f"The date the {label} cannot be before the meeting ({held:%-d %B %Y})")
    if values.get("amended_plan_on"):
        if values.get("la_decision") != AnnualReview.Decision.AMEND:
            raise DeadlineError("An amended plan needs the LA's decision to amend the plan")
        if values["amended_plan_on"] < values["la_decision_on"]:
            raise DeadlineError("The amended plan cannot be dated before the LA's decision to amend")


@transaction.atomic
def start_request(*, pupil: Pupil, by, requested_on: dt.date, requested_by: str, today: dt.date, via: str = "web"):
    values = {"requested_on": requested_on, "requested_by": requested_by}
    check_request(values, today)
    if EhcAssessmentRequest.objects.filter(pupil=pupil, requested_on=requested_on).exists():
        raise DeadlineError(f"A request made on {requested_on:%-d %B %Y} is recorded already")
    request = EhcAssessmentRequest.objects.create(pupil=pupil, **values)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="EHC assessment request",
        pupil=pupil,
        record_id=request.pk,
        summary=f"Recorded a request for an EHC needs assessment made on {requested_on:%-d %B %Y}",
        changes=audit.diff({}, audit.snapshot(request, values)),
        via=via,
    )
    return request


@transaction.atomic
def update_request(
    *, request: EhcAssessmentRequest, by, today: dt.date, version: int | None = None, via="web", **values
):
    request = locked(EhcAssessmentRequest, request.pk, what="request", record_type="EHC assessment request")
    before = audit.snapshot(request, REQUEST_FIELDS)
    merged = {name: values.get(name, getattr(request, name)) for name in REQUEST_FIELDS}
    check_request(merged, today)
    for name, value in merged.items():
        setattr(request, name, value if value is not None or name.endswith("_on") else "")
    changed = audit.diff(before, audit.snapshot(request, REQUEST_FIELDS))
    if not changed:
        return request
    require_version(request, version, what="request", record_type="EHC assessment request")
    request.version += 1
    request.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="EHC assessment request",
        pupil=request.pupil,
        record_id=request.pk,
        summary="Recorded steps of the EHC needs assessment request",
        changes=changed,
        via=via,
    )
    return request


def current_plan(pupil: Pupil) -> EhcPlan | None:
    return pupil.ehc_plans.filter(ceased_on__isnull=True).first()


@transaction.atomic
def record_review(
    *,
    plan: EhcPlan,
    by,
    today: dt.date,
    review: AnnualReview | None = None,
    version: int | None = None,
    via="web",
    **values,
) -> AnnualReview:
    """Save the steps of the plan's current review (`review` None: start it) or of an earlier one.
    The LA's decision concludes the review: the next is due 12 months later (6 for an under-5),
    and the plan's review dates say so (audited as a change of the plan)."""
    check_review(values, today)
    if review is None:
        # The form of a review not started carries no version: the first save starts it.
        review, _ = AnnualReview.objects.get_or_create(
            plan=plan, due_on=plan.next_annual_review_due, defaults={"pupil_id": plan.pupil_id}
        )
    review = locked(AnnualReview, review.pk, what="annual review", record_type="annual review")
    before = audit.snapshot(review, REVIEW_FIELDS)
    for name in REVIEW_FIELDS:
        if name in values:
            setattr(review, name, values[name] if values[name] is not None or name.endswith("_on") else "")
    changed = audit.diff(before, audit.snapshot(review, REVIEW_FIELDS))
    if not changed:
        return review
    require_version(review, version, what="annual review", record_type="annual review")
    review.version += 1
    review.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="annual review",
        pupil_id=review.pupil_id,
        school=plan.pupil.school_id,
        record_id=review.pk,
        summary=f"Recorded steps of the annual review due {review.due_on:%-d %B %Y}",
        changes=changed,
        via=via,
    )
    if "la_decision_on" in changed and review.la_decision_on and review.due_on == plan.next_annual_review_due:
        _conclude(plan, review, by=by, via=via)
    return review


def _conclude(plan: EhcPlan, review: AnnualReview, *, by, via: str) -> None:
    plan = EhcPlan.objects.select_for_update().select_related("pupil").get(pk=plan.pk)
    fields = ["last_annual_review_on", "next_annual_review_due"]
    before = audit.snapshot(plan, fields)
    plan.last_annual_review_on = review.la_decision_on
    plan.next_annual_review_due = rules.annual_review_due(
        review.la_decision_on, date_of_birth=plan.pupil.date_of_birth, under5_months=under5_months()
    )
    plan.save(update_fields=fields)
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="EHC plan",
        pupil=plan.pupil,
        record_id=plan.pk,
        summary=f"Annual review concluded; the next is due {plan.next_annual_review_due:%-d %B %Y}",
        changes=audit.diff(before, audit.snapshot(plan, fields)),
        via=via,
    )


@transaction.atomic
def record_support_review(*, pupil: Pupil, by, held_on: dt.date, parent: str, today: dt.date, via: str = "web"):
    if held_on > today:
        raise DeadlineError("The date of the review cannot be in the future")
    if parent not in SupportReview.Parent.values:
        raise DeadlineError("Say whether a parent took part, was invited, or neither")
    if SupportReview.objects.filter(pupil=pupil, held_on=held_on).exists():
        raise DeadlineError(f"A review on {held_on:%-d %B %Y} is recorded already")
    review = SupportReview.objects.create(pupil=pupil, held_on=held_on, parent=parent, recorded_by=by)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="SEN support review",
        pupil=pupil,
        record_id=review.pk,
        summary=f"Recorded a SEN support review on {held_on:%-d %B %Y} ({review.get_parent_display().lower()})",
        changes=audit.diff({}, audit.snapshot(review, ["held_on", "parent"])),
        via=via,
    )
    return review


@transaction.atomic
def new_calendar_link(*, user) -> str:
    """A new private calendar link for `user` (the old one stops working); the key is shown once."""
    revoke_calendar_links(user=user)
    key, key_hash = CalendarFeed.new_key()
    feed = CalendarFeed.objects.create(user=user, key_hash=key_hash)
    audit.record(actor=user, action=AuditEvent.Action.CREATE, record_type="calendar link", record_id=feed.pk)
    return key


@transaction.atomic
def revoke_calendar_links(*, user) -> int:
    now = timezone.now()
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        audit.record(actor=user, action=AuditEvent.Action.UPDATE, record_type="calendar link", summary="Revoked")
    return revoked
