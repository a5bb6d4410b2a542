"""Evidence for a request for an EHC needs assessment: the graduated approach over time.

Every plan cycle (assess, plan, do, review) with its versions and its targets' results, every
provision tried (how long, how often, attendance, effect), where it worked for other pupils but not
for this one (their figures through the one disclosure rule: the pack may go to the LA, so no other
pupil may be identifiable), the professionals involved and the views of the pupil and parents.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from trellis.families.models import Consent
from trellis.lib.charts import bar_chart
from trellis.lib.disclosure import NOTE
from trellis.plans.models import Plan, PlanVersion, Target
from trellis.plans.progress import Status, current_window
from trellis.plans.services import with_progress
from trellis.pupils.models import PupilNeed, SenStatusEntry

from . import pupil_record

CYCLE_KINDS = [Plan.Kind.SEN_SUPPORT, Plan.Kind.ILP, Plan.Kind.EHC]  # a passport is a profile, not a cycle
RESULT_ORDER = [Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK]
NOT_REVIEWED = "Not reviewed"

# The narrative the SENCO may write in a draft, since each LA has its own request form; the
# cycles, tables and records beside each stay as Trellis makes them.
SECTIONS = (
    ("why_request", "Why the school is asking for an assessment (shown at the start)"),
    ("graduated_summary", "A summary of the graduated approach (shown above the plan cycles)"),
    ("provision_summary", "What the provision tried shows (shown above the provision table)"),
    ("advice_summary", "A summary of the advice from professionals (shown above the list)"),
    ("views_summary", "A summary of the views of the pupil and parents (shown above the views recorded)"),
)


def result_label(target: Target) -> str:
    """The target's status as its latest review left it (not this half term's: old cycles are over)."""
    return Status(target.last_status).label if target.last_status else NOT_REVIEWED


@dataclass
class Cycle:
    plan: Plan
    ends_on: dt.date  # the next cycle's start, or today for the newest
    versions: list[PlanVersion] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    provision: list[str] = field(default_factory=list)  # interventions running during the cycle

    @property
    def achieved(self) -> int:
        return sum(1 for t in self.targets if t.last_status == Status.ACHIEVED)

    @property
    def results(self) -> list[tuple[str, int]]:
        """Targets by the status their latest review left them in, in a fixed order, none left out."""
        counts = Counter(result_label(t) for t in self.targets)
        labels = [s.label for s in RESULT_ORDER] + [NOT_REVIEWED]
        return [(label, counts[label]) for label in labels if counts[label]]


def cycles(pupil, provision: list[pupil_record.ProvisionTried], today: dt.date) -> list[Cycle]:
    """Every plan that was in force, oldest first, with its versions, targets and provision."""
    plans = list(
        pupil.plans.filter(kind__in=CYCLE_KINDS).exclude(state=Plan.State.DRAFT).order_by("starts_on", "created_at")
    )
    versions: dict[int, list[PlanVersion]] = {}
    for version in PlanVersion.objects.filter(plan__in=plans).order_by("number"):
        versions.setdefault(version.plan_id, []).append(version)
    targets = with_progress(
        Target.objects.filter(pupil=pupil, plan__in=plans).order_by("position", "pk"),
        window=current_window(pupil.school, today),
    )
    for target in targets:
        target.result = result_label(target)
    found = []
    for n, plan in enumerate(plans):
        starts = plan.starts_on or plan.created_at.date()
        following = plans[n + 1] if n + 1 < len(plans) else None
        ends = (following.starts_on or following.created_at.date()) if following else today
        found.append(
            Cycle(
                plan=plan,
                ends_on=max(ends, starts),
                versions=versions.get(plan.pk, []),
                targets=[t for t in targets if t.plan_id == plan.pk],
                provision=list(
                    dict.fromkeys(
                        p.group.intervention.name
                        for p in provision
                        if p.starts_on <= ends and (p.ends_on is None or p.ends_on >= starts)
                    )
                ),
            )
        )
    return found


def attendance_chart(provision: list[pupil_record.ProvisionTried]):
    """Sessions attended of those held in each provision tried, as a share (the table has the counts)."""
    rows = [
        (
            f"{p.group.intervention.name} ({p.starts_on:%b %Y})",
            None if p.attendance.rate is None else float(100 * p.attendance.rate),
            pupil_record.percent(p.attendance.attended, p.attendance.held)
            if p.attendance.held
            else "No sessions logged",
        )
        for p in provision
    ]
    return bar_chart("Sessions attended of those held, in each provision tried", rows)


def ehc_request(pupil, reader, today: dt.date) -> dict:
    provision = pupil_record.provision_tried(pupil, reader, until=today)
    consent = Consent.objects.filter(pupil=pupil, kind=Consent.Kind.EHC_ASSESSMENT).order_by("-at", "-pk").first()
    return {
        "name": pupil.forename,
        "ask_for_views": "ask for them before the request goes to the local authority.",
        "status_history": list(SenStatusEntry.objects.filter(pupil=pupil).order_by("starts_on", "pk")),
        "needs": list(
            PupilNeed.objects.filter(pupil=pupil, ends_on__isnull=True).select_related("need").order_by("rank")
        ),
        "cycles": cycles(pupil, provision, today),
        "provision": provision,
        "attendance_chart": attendance_chart(provision) if provision else None,
        "worked_for_others": pupil_record.worked_for_others(pupil),
        "professionals": pupil_record.professionals(pupil),
        "views": pupil_record.views(pupil, since=None),
        "consent": consent,
        "withheld_note": NOTE,
    }
