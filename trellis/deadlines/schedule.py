"""Every pupil's statutory deadlines on a day: what is due, when, who owns it and its status.

`deadlines(pupils, today=...)` reads a fixed number of queries whatever the number of pupils
(everything is prefetched), then applies the rules in trellis.deadlines.rules in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from trellis.pupils.models import EhcPlan, Pupil, SenStatus, SenStatusEntry

from . import rules
from .models import AnnualReview, EhcAssessmentRequest, SupportReview
from .rules import ANNUAL_REVIEW, EHC_ASSESSMENT, PHASE_TRANSFER, SEN_SUPPORT_REVIEW


def due_soon_days() -> int:
    return settings.TRELLIS_DEADLINE_DUE_SOON_DAYS


def under5_months() -> int:
    return settings.TRELLIS_UNDER5_REVIEW_MONTHS


@dataclass(frozen=True)
class Deadline:
    pupil: Pupil
    kind: str
    step: str
    due: dt.date
    done_on: dt.date | None
    status: str
    record: EhcAssessmentRequest | AnnualReview | None = None

    @property
    def rule(self) -> rules.Rule:
        return rules.rule(self.kind, self.step)

    @property
    def kind_label(self) -> str:
        return rules.KINDS[self.kind]

    @property
    def status_label(self) -> str:
        return rules.STATUSES[self.status]

    @property
    def is_open(self) -> bool:
        return self.status != rules.DONE

    def as_json(self) -> dict[str, str]:
        return {
            "upn": self.pupil.upn,
            "pupil": self.pupil.full_name,
            "kind": self.kind,
            "step": self.step,
            "due": self.due.isoformat(),
            "status": self.status,
        }


def support_review_chain(
    start: dt.date, reviews: Iterable[dt.date], today: dt.date
) -> list[tuple[dt.date, dt.date | None]]:
    """The SEN support reviews due since `start` (SEN support began), each as (due, held on): each is
    due 4 months after the review before it that counted (or the start), and a late one starts the
    next period all the same. The last entry, not held yet, is the review due next."""
    chain: list[tuple[dt.date, dt.date | None]] = []
    anchor = start
    for day in sorted(day for day in set(reviews) if start < day <= today):
        chain.append((rules.support_review_due(anchor), day))
        anchor = day
    chain.append((rules.support_review_due(anchor), None))
    return chain


def _add(out: list, pupil, kind, step, due, done_on, today, soon, record=None) -> None:
    out.append(Deadline(pupil, kind, step, due, done_on, rules.status(due, done_on, today, soon), record))


def request_deadlines(request: EhcAssessmentRequest, pupil: Pupil, today: dt.date, soon: int) -> list[Deadline]:
    """The steps of an EHC needs assessment request that apply given its outcome so far."""
    due = rules.ehc_assessment_due(
        requested_on=request.requested_on,
        decided_on=request.decided_on,
        advice_requested_on=request.advice_requested_on,
        draft_issued_on=request.draft_issued_on,
    )
    out: list[Deadline] = []
    _add(
        out,
        pupil,
        EHC_ASSESSMENT,
        "decision_to_assess",
        due["decision_to_assess"],
        request.decided_on,
        today,
        soon,
        request,
    )
    if request.decision == EhcAssessmentRequest.Decision.NOT_ASSESS:
        return out
    if request.decision == EhcAssessmentRequest.Decision.ASSESS:
        _add(
            out,
            pupil,
            EHC_ASSESSMENT,
            "advice_requested",
            due["advice_requested"],
            request.advice_requested_on,
            today,
            soon,
            request,
        )
        if "advice_given" in due:
            _add(
                out,
                pupil,
                EHC_ASSESSMENT,
                "advice_given",
                due["advice_given"],
                request.advice_given_on,
                today,
                soon,
                request,
            )
        _add(
            out,
            pupil,
            EHC_ASSESSMENT,
            "draft_plan",
            due["draft_plan"],
            request.draft_issued_on or request.not_to_issue_on,
            today,
            soon,
            request,
        )
        if request.not_to_issue_on:
            return out
        if "parent_comments" in due:
            _add(
                out,
                pupil,
                EHC_ASSESSMENT,
                "parent_comments",
                due["parent_comments"],
                request.parent_comments_on or request.final_issued_on,
                today,
                soon,
                request,
            )
    _add(out, pupil, EHC_ASSESSMENT, "final_plan", due["final_plan"], request.final_issued_on, today, soon, request)
    return out


REVIEW_DONE = {
    "advice_requested": "advice_requested_on",
    "invitations_sent": "invitations_sent_on",
    "meeting": "held_on",
    "report_sent": "report_sent_on",
    "la_decision": "la_decision_on",
    "amended_plan": "amended_plan_on",
}


def review_deadlines(
    review: AnnualReview | None, due: dt.date, pupil: Pupil, today: dt.date, soon: int
) -> list[Deadline]:
    """The steps of one annual review (`review` None: not started, every step to do)."""
    steps = rules.annual_review_steps(
        due=due,
        meeting_on=review.meeting_on if review else None,
        held_on=review.held_on if review else None,
        la_decision_on=review.la_decision_on if review else None,
        amends=bool(review and review.amends),
    )
    out: list[Deadline] = []
    for step, step_due in steps.items():
        done = getattr(review, REVIEW_DONE[step]) if review else None
        _add(out, pupil, ANNUAL_REVIEW, step, step_due, done, today, soon, review)
    return out


def plan_deadlines(plan: EhcPlan, pupil: Pupil, today: dt.date, soon: int) -> list[Deadline]:
    """The current annual review (due on the plan's next review date), any earlier one not finished,
    and the phase transfer deadlines in a year of transfer."""
    reviews = list(plan.annual_reviews.all())
    current = next((r for r in reviews if r.due_on == plan.next_annual_review_due), None)
    out: list[Deadline] = []
    for review in reviews:
        if review is not current and review.due_on < plan.next_annual_review_due and not review.is_complete:
            out += review_deadlines(review, review.due_on, pupil, today, soon)
    out += review_deadlines(current, plan.next_annual_review_due, pupil, today, soon)
    transfer_due = rules.phase_transfer_due(pupil.nc_year, pupil.school.phase, today)
    if transfer_due is not None:
        year_start = dt.date(rules.academic_year_start(today), 9, 1)
        this_year = [r for r in reviews if r.held_on and r.held_on >= year_start]
        held = min((r.held_on for r in this_year), default=None)
        amended = min((r.amended_plan_on for r in this_year if r.amended_plan_on and r.next_school), default=None)
        _add(out, pupil, PHASE_TRANSFER, "review", transfer_due, held, today, soon)
        _add(out, pupil, PHASE_TRANSFER, "amended_plan", transfer_due, amended, today, soon)
    return out


def support_deadline(pupil: Pupil, start: dt.date, today: dt.date, soon: int) -> Deadline:
    held = [r.held_on for r in pupil.support_reviews.all() if r.counts]
    due, _ = support_review_chain(start, held, today)[-1]
    return Deadline(pupil, SEN_SUPPORT_REVIEW, "review", due, None, rules.status(due, None, today, soon))


def with_deadline_records(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """The pupils with everything `deadlines` reads, in a fixed number of queries."""
    return pupils.select_related("school").prefetch_related(
        Prefetch("ehc_requests", queryset=EhcAssessmentRequest.objects.order_by("requested_on", "pk")),
        Prefetch(
            "ehc_plans",
            queryset=EhcPlan.objects.filter(ceased_on__isnull=True).prefetch_related("annual_reviews"),
            to_attr="active_plans",
        ),
        Prefetch("support_reviews", queryset=SupportReview.objects.order_by("held_on")),
        Prefetch(
            "sen_history",
            queryset=SenStatusEntry.objects.filter(ends_on__isnull=True, status=SenStatus.SEN_SUPPORT),
            to_attr="support_since",
        ),
    )


def pupil_deadlines(pupil: Pupil, today: dt.date, soon: int) -> list[Deadline]:
    """One pupil's deadlines (from a pupil loaded through `with_deadline_records`)."""
    out: list[Deadline] = []
    for request in pupil.ehc_requests.all():
        closed = request.closed_on
        if closed is None or closed >= today - dt.timedelta(days=soon):  # a closed one shows a while, done
            out += request_deadlines(request, pupil, today, soon)
    for plan in pupil.active_plans[:1]:
        out += plan_deadlines(plan, pupil, today, soon)
    if pupil.sen_status == SenStatus.SEN_SUPPORT and pupil.support_since:
        out.append(support_deadline(pupil, pupil.support_since[0].starts_on, today, soon))
    return out


def _with_deadlines(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Only the pupils who can have a deadline: on SEN support, with an EHC plan, or with a request."""
    return pupils.filter(
        Q(sen_status=SenStatus.SEN_SUPPORT)
        | Q(pk__in=EhcPlan.objects.filter(ceased_on__isnull=True).values("pupil_id"))
        | Q(pk__in=EhcAssessmentRequest.objects.values("pupil_id"))
    )


def deadlines(
    pupils: QuerySet[Pupil], *, today: dt.date, soon: int | None = None, kind: str = "", status: str = ""
) -> list[Deadline]:
    """Every deadline of these pupils (those on roll on `today`): open ones soonest first, then those
    done; optionally of one kind or status."""
    soon = due_soon_days() if soon is None else soon
    out: list[Deadline] = []
    for pupil in with_deadline_records(_with_deadlines(pupils.on_roll(today))):
        out += pupil_deadlines(pupil, today, soon)
    out = [d for d in out if (not kind or d.kind == kind) and (not status or d.status == status)]
    # What is still to do first, soonest (most overdue) first; then what is done.
    out.sort(
        key=lambda d: (d.status == rules.DONE, d.due, d.pupil.surname, d.pupil.forename, d.pupil.pk, d.kind, d.step)
    )
    return out


def counts(found: Iterable[Deadline]) -> dict[str, int]:
    """How many deadlines are in each status."""
    tally = dict.fromkeys(rules.STATUSES, 0)
    for deadline in found:
        tally[deadline.status] += 1
    return tally
