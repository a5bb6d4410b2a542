"""The EHC plan annual review pack: what the school brings to the review meeting, in the order of the
plan's sections (trellis.documents.ehc_sections). Staff read it and may send it to the LA.

The review period runs from the last annual review (or, before the first, the plan's issue date;
with no dates on record, the last 365 days) to the day the pack is made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.text import Truncator

from trellis.evidence.exclusions import exclusions_between
from trellis.evidence.models import EvidenceNote
from trellis.meetings.models import MeetingPupil
from trellis.plans.charts import target_chart
from trellis.plans.models import EhcOutcome, Plan, Target
from trellis.plans.progress import Status, current_window
from trellis.plans.services import with_progress
from trellis.provision.services import EhcHours, ehc_hours
from trellis.pupils.models import EhcPlan, PupilNeed, SenStatus

from . import ehc_sections, pupil_record

EVIDENCE_A_TARGET = 3  # the newest notes shown under each target; the count says how many more
BLANK_ROWS = 4  # lines for the meeting to write proposed changes on

# The narrative the SENCO may write in a draft, since each LA has its own form; the figures, tables
# and records beside each stay as Trellis makes them. Proposed changes replace the blank table.
SECTIONS = (
    ("views_summary", "Section A: a summary of the views (shown above the views recorded)"),
    ("needs_summary", "Section B: a summary of the special educational needs (shown above the needs recorded)"),
    ("provision_summary", "Section F: commentary on the provision (shown above the hours table)"),
    ("attendance_summary", "Attendance and behaviour: commentary (shown above the figures)"),
    ("proposed_changes", "Proposed changes to the EHC plan (replaces the blank table for the meeting)"),
)


def refusal(pupil) -> str:
    """Why the pack cannot be made for this pupil ("" when it can): it is for a pupil with an EHC plan."""
    if pupil.sen_status == SenStatus.EHC_PLAN or pupil.ehc_plans.filter(ceased_on__isnull=True).exists():
        return ""
    return (
        f"{pupil.full_name} has no EHC plan, so there is no annual review pack to make. "
        "For a pupil on SEN support, use the evidence for a request for an EHC needs assessment."
    )


@dataclass
class TargetProgress:
    target: Target
    evidence: list[EvidenceNote]
    evidence_count: int
    chart: SafeString

    @property
    def reviews_in_period(self) -> int:
        return len(self.target.period_reviews)


@dataclass
class OutcomeProgress:
    outcome: EhcOutcome | None  # None: the plan's targets not linked to an outcome
    targets: list[TargetProgress]

    @property
    def key(self) -> str:
        """The draft's wording key for this outcome's commentary ("" for the unlinked targets)."""
        return outcome_key(self.outcome) if self.outcome else ""

    @property
    def summary(self) -> str:
        """How many targets are achieved or on track, of how many."""
        good = sum(1 for t in self.targets if t.target.progress.status in (Status.ACHIEVED, Status.ON_TRACK))
        return f"{good} of {len(self.targets)} achieved or on track"


@dataclass
class HoursRow:
    hours: EhcHours

    @property
    def per_week(self) -> str:
        return f"{self.hours.provision.hours_per_week.normalize():f}"

    @property
    def delivered_share(self) -> str:
        return pupil_record.percent(self.hours.delivered, self.hours.specified)


def _ehc_outcomes_plan(pupil) -> Plan | None:
    """The plan holding the EHC plan's outcomes: the newest active one, else the newest kept."""
    plans = pupil.plans.filter(kind=Plan.Kind.EHC).exclude(state=Plan.State.DRAFT)
    return (
        plans.order_by("-starts_on", "-created_at").filter(state=Plan.State.ACTIVE).first()
        or plans.order_by("-starts_on", "-created_at").first()
    )


def outcome_key(outcome: EhcOutcome) -> str:
    return f"outcome-{outcome.pk}"


def outcome_sections(pupil) -> tuple[tuple[str, str], ...]:
    """A commentary for each outcome of the pupil's EHC plan, in the plan's order."""
    plan = _ehc_outcomes_plan(pupil)
    if plan is None:
        return ()
    return tuple(
        (outcome_key(o), f"Section E, outcome {o.position}: commentary ({Truncator(o.text).chars(70)})")
        for o in plan.outcomes.order_by("position", "pk")
    )


def review_period(ehc: EhcPlan | None, today: dt.date) -> dt.date:
    """When the period under review starts."""
    if ehc is not None:
        return min(ehc.last_annual_review_on or ehc.issued_on, today)
    return today - dt.timedelta(days=365)


def _outcomes(plan: Plan | None, pupil, since: dt.date, today: dt.date) -> list[OutcomeProgress]:
    """Each outcome with its targets (those open during the period), their progress and evidence."""
    if plan is None:
        return []
    outcomes = list(plan.outcomes.order_by("position", "pk"))
    targets = Target.objects.filter(pupil=pupil, plan=plan).exclude(closed_on__lt=since)
    targets = with_progress(targets.order_by("position", "pk"), window=current_window(pupil.school, today))
    links = (
        EvidenceNote.targets.through.objects.filter(
            target_id__in=[t.pk for t in targets], evidencenote__date__gte=since
        )
        .select_related("evidencenote")
        .order_by("-evidencenote__date", "-evidencenote__pk")
    )
    notes: dict[int, list[EvidenceNote]] = {}
    for link in links:
        notes.setdefault(link.target_id, []).append(link.evidencenote)
    by_outcome: dict[int | None, list[TargetProgress]] = {}
    for n, target in enumerate(targets, start=1):
        target.period_reviews = [r for r in target.review_list if since <= r.date <= today]
        found = notes.get(target.pk, [])
        title = f"Chart of {pupil.forename}'s steps since the start on the target: {target.description[:80]}"
        chart = target_chart(target, title, f"ar-{n}")
        by_outcome.setdefault(target.outcome_id, []).append(
            TargetProgress(target, found[:EVIDENCE_A_TARGET], len(found), chart)
        )
    parts = [OutcomeProgress(outcome, by_outcome.get(outcome.pk, [])) for outcome in outcomes]
    known = {outcome.pk for outcome in outcomes}
    if unlinked := [t for key, linked in by_outcome.items() if key not in known for t in linked]:
        parts.append(OutcomeProgress(None, unlinked))
    return parts


def _latest_decisions(pupil) -> MeetingPupil | None:
    """The pupil's part of their latest pupil progress meeting, with its decisions and actions."""
    return (
        MeetingPupil.objects.filter(pupil=pupil)
        .select_related("meeting")
        .prefetch_related("decisions", "actions")
        .order_by("-meeting__held_on", "-pk")
        .first()
    )


def annual_review(pupil, reader, today: dt.date) -> dict:
    ehc = pupil.ehc_plans.filter(ceased_on__isnull=True).first()
    since = review_period(ehc, today)
    plan = _ehc_outcomes_plan(pupil)
    hours = [HoursRow(h) for h in ehc_hours(pupil, today=today)]
    specified = sum((h.hours.specified for h in hours), Decimal(0))
    delivered = sum((h.hours.delivered for h in hours), Decimal(0))
    return {
        "name": pupil.forename,
        "ask_for_views": "ask for them before the review meeting.",
        "ehc": ehc,
        "since": since,
        "sections": ehc_sections,
        "not_kept": ", ".join(ehc_sections.NOT_KEPT),
        "views": pupil_record.views(pupil, since=since),
        "needs": list(
            PupilNeed.objects.filter(pupil=pupil, ends_on__isnull=True).select_related("need").order_by("rank")
        ),
        "plan": plan,
        "outcomes": _outcomes(plan, pupil, since, today),
        "hours": hours,
        "hours_specified": specified,
        "hours_delivered": delivered,
        "hours_share": pupil_record.percent(delivered, specified),
        "provision": pupil_record.provision_tried(pupil, reader, until=today, since=since),
        "attendance": pupil_record.attendance_behaviour(pupil, since=since, until=today),
        "exclusions": exclusions_between(pupil, since=since, until=today),
        "professionals": pupil_record.professionals(pupil),
        "meeting": _latest_decisions(pupil),
        "blank_rows": range(BLANK_ROWS),
    }
