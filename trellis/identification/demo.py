"""Demo concerns for one school, at every stage: open, awaiting staff views, and decided each way.

Called by seed_demo for each school after pupils, SEN status, classes and staff exist. Decided
concerns agree with the register as the seeder left it (a pupil on SEN support has a concern
decided "SEN support" or "request an EHC needs assessment"; one being monitored, "monitor" or
"refer"; one with no SEN, "no SEN"), so no register history is rewritten here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from trellis.accounts.models import Membership, Role
from trellis.pupils.models import GroupMembership, Pupil, SenStatus, SenStatusEntry
from trellis.schools.models import GroupStaff

from .models import AreaOfNeed, Concern, ConcernEvidence, StaffViewRequest

SEEN = {
    AreaOfNeed.COGNITION: [
        "Finds it hard to retain number facts from one day to the next",
        "Needs tasks broken into very small steps and still loses track",
    ],
    AreaOfNeed.SLC: [
        "Struggles to follow two-step instructions without a visual prompt",
        "Speech is hard for unfamiliar adults to understand; avoids answering in class",
    ],
    AreaOfNeed.SOCIAL: [
        "Finds group work very difficult and often leaves the table",
        "Becomes distressed at changes to the routine, e.g. a supply teacher",
    ],
    AreaOfNeed.SPLD: [
        "Reverses b/d and p/q and spelling is well below reading",
        "Reading is slow and effortful though comprehension when read to is good",
    ],
    AreaOfNeed.SEMH: [
        "Withdrawn since October; rarely speaks to peers at break",
        "Frequent outbursts when work is challenging; tears up work",
    ],
    AreaOfNeed.PHYSICAL: [
        "Squints at the board and holds books very close",
        "Handwriting is laboured and fine motor tasks tire him quickly",
    ],
}
CONTEXTS = ["English and phonics", "Maths", "Whole-class carpet time", "Playground and lunch", "PE", "Science, history"]
EVIDENCE = {
    ConcernEvidence.Kind.OBSERVATION: ("Observed a 20-minute lesson: on task 40% of the time; needed 6 prompts.", ""),
    ConcernEvidence.Kind.SCREENING: ("Screening test administered by the SENCO.", "Standardised score 79"),
    ConcernEvidence.Kind.PREVIOUS: ("Previous school's file: speech and language input in Reception.", ""),
    ConcernEvidence.Kind.PARENT: ("Met parents: similar difficulties at home with homework and routines.", ""),
}
VIEWS = [
    "Similar in my lessons: needs the instruction repeated and a visual.",
    "Much better with a TA nearby.",
    "I see this most in the afternoons.",
    "Not a concern in practical lessons; written work is hard.",
]
REASONS = {
    Concern.Decision.NO_SEN: "Difficulties are within the typical range; quality first teaching strategies to continue.",
    Concern.Decision.MONITOR: "Some difficulty; monitor for a term with class strategies and review.",
    Concern.Decision.SEN_SUPPORT: "Persistent difficulty despite quality first teaching; a plan with targets.",
    Concern.Decision.REFER: "Referred to the speech and language therapy service for assessment.",
    Concern.Decision.REQUEST_EHC: "Needs exceed what the school can provide; evidence pack sent to the LA.",
}
DECISIONS_FOR = {
    SenStatus.NONE: [Concern.Decision.NO_SEN],
    SenStatus.MONITORING: [Concern.Decision.MONITOR, Concern.Decision.REFER],
    SenStatus.SEN_SUPPORT: [Concern.Decision.SEN_SUPPORT, Concern.Decision.REQUEST_EHC],
}
SHARE = 0.02  # concerns for about 2% of pupils


def seed_school(*, school, rng: random.Random, today: dt.date) -> None:
    """Create concerns at every stage for `school` (bulk, a few queries)."""
    pupils = list(Pupil.objects.filter(school=school).on_roll(today).order_by("pk").values_list("pk", "sen_status"))
    if not pupils:
        return
    senco_id = (
        Membership.objects.filter(school=school, role=Role.SENCO)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    current = dict(
        SenStatusEntry.objects.filter(pupil__school=school, ends_on__isnull=True).values_list("pupil_id", "starts_on")
    )
    staff_of = staff_by_pupil(school, today)
    by_status = defaultdict(list)
    for pk, status in pupils:
        by_status[status].append(pk)
    count = max(6, round(len(pupils) * SHARE))
    plan: list[tuple[int, str]] = []  # (pupil, stage): "open", "views", or a decision
    undecided = by_status[SenStatus.NONE] + by_status[SenStatus.MONITORING]
    rng.shuffle(undecided)
    for i, pk in enumerate(undecided[: count // 2]):
        plan.append((pk, "open" if i % 2 == 0 else "views"))
    for status, decisions in DECISIONS_FOR.items():
        chosen = rng.sample(by_status[status], min(len(by_status[status]), max(len(decisions), count // 6)))
        plan += [(pk, decisions[i % len(decisions)]) for i, pk in enumerate(chosen)]

    concerns = []
    for pk, stage in plan:
        area = rng.choice(AreaOfNeed.values)
        teachers = staff_of.get(pk, [])
        if stage in {"open", "views"}:
            raised = today - dt.timedelta(days=rng.randint(3, 60))
        else:
            decided = current.get(pk) if stage != Concern.Decision.NO_SEN else None
            decided = min(decided or today - dt.timedelta(days=rng.randint(20, 200)), today)
            raised = decided - dt.timedelta(days=rng.randint(14, 50))
        concern = Concern(
            pupil_id=pk,
            area=area,
            what_seen=rng.choice(SEEN[area]),
            contexts=rng.choice(CONTEXTS),
            noticed_since=raised - dt.timedelta(days=rng.randint(10, 90)),
            raised_on=raised,
            source=rng.choice([Concern.Source.STAFF] * 4 + [Concern.Source.PARENT, Concern.Source.BASELINE]),
            raised_by_id=(teachers[0] if teachers else senco_id),
        )
        if concern.source == Concern.Source.PARENT:
            concern.raised_by_id, concern.raised_by_name = senco_id, "Parent (recorded by the SENCO)"
        elif concern.source == Concern.Source.BASELINE:
            concern.raised_by_id = senco_id
        if stage not in {"open", "views"}:
            concern.decision, concern.decision_reasons = stage, REASONS[stage]
            concern.decided_on, concern.decided_by_id = decided, senco_id
        concerns.append(concern)
    Concern.objects.bulk_create(concerns, batch_size=500)

    evidence, requests = [], []
    for concern, (pk, stage) in zip(concerns, plan, strict=True):
        end = concern.decided_on or today
        for kind in rng.sample(list(EVIDENCE), rng.randint(0 if stage == "open" else 1, 3)):
            summary, result = EVIDENCE[kind]
            day = concern.raised_on + dt.timedelta(days=rng.randint(0, max(0, (end - concern.raised_on).days)))
            evidence.append(
                ConcernEvidence(
                    concern=concern, kind=kind, date=day, summary=summary, result=result, added_by_id=senco_id
                )
            )
        if stage == "open":
            continue
        teachers = staff_of.get(pk, [])[:3]
        for n, user_id in enumerate(teachers):
            asked = min(concern.raised_on + dt.timedelta(days=rng.randint(1, 7)), end)
            # Awaiting views: the first of several has answered, the rest (or a sole teacher) have not.
            answered = stage != "views" or (n == 0 and len(teachers) > 1)
            requests.append(
                StaffViewRequest(
                    concern=concern,
                    staff_id=user_id,
                    requested_by_id=senco_id,
                    requested_on=asked,
                    question="How does this show in your lessons?",
                    response=rng.choice(VIEWS) if answered else "",
                    answered_on=min(asked + dt.timedelta(days=rng.randint(0, 6)), end) if answered else None,
                )
            )
    ConcernEvidence.objects.bulk_create(evidence, batch_size=1000)
    StaffViewRequest.objects.bulk_create(requests, batch_size=1000)


def staff_by_pupil(school, today: dt.date) -> dict[int, list[int]]:
    """Pupil id -> user ids of the staff of their current groups (two queries)."""
    staff = defaultdict(list)
    for group_id, user_id in (
        GroupStaff.objects.filter(
            group__school=school, group__academic_year__starts_on__lte=today, group__academic_year__ends_on__gte=today
        )
        .order_by("pk")
        .values_list("group_id", "user_id")
    ):
        staff[group_id].append(user_id)
    result: dict[int, list[int]] = defaultdict(list)
    for pupil_id, group_id in (
        GroupMembership.objects.filter(group_id__in=list(staff), ends_on__isnull=True)
        .order_by("pk")
        .values_list("pupil_id", "group_id")
    ):
        result[pupil_id] += [u for u in staff[group_id] if u not in result[pupil_id]]
    return result
