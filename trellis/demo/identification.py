"""Demo stage: concerns for one school, at every stage: open, awaiting staff views, and decided each way.

Decided concerns agree with the register as the seeder left it (a pupil on SEN support has a
concern decided "SEN support" or "request an EHC needs assessment"; one being monitored,
"monitor" or "refer"; one with no SEN, "no SEN"), so no register history is rewritten here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from trellis.identification.models import AreaOfNeed, Concern, ConcernEvidence, StaffViewRequest
from trellis.pupils.models import Pupil, SenStatus, SenStatusEntry
from trellis.schools.models import School

from .staff import senco_id, staff_by_pupil
from .wording import about

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
        "Handwriting is laboured and fine motor tasks tire {them} quickly",
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
OPEN, VIEWS_AWAITED = "open", "views"  # the stages before a decision


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    """Create concerns at every stage for `school` (bulk, a few queries)."""
    pupils = list(
        Pupil.objects.filter(school=school).on_roll(today).order_by("pk").values_list("pk", "sen_status", "sex")
    )
    if not pupils:
        return
    senco = senco_id(school)
    current = dict(
        SenStatusEntry.objects.filter(pupil__school=school, ends_on__isnull=True).values_list("pupil_id", "starts_on")
    )
    staff_of = staff_by_pupil(school, today)
    stages = _stages(rng, [(pk, status) for pk, status, _ in pupils])
    sex_of = {pk: sex for pk, _, sex in pupils}
    concerns = [
        _concern(rng, pk, sex_of[pk], stage, staff_of.get(pk, []), senco=senco, since=current.get(pk), today=today)
        for pk, stage in stages
    ]
    Concern.objects.bulk_create(concerns, batch_size=500)
    evidence, requests = [], []
    for concern, (pk, stage) in zip(concerns, stages, strict=True):
        evidence += _evidence(rng, concern, stage, senco=senco, today=today)
        if stage != OPEN:
            requests += _view_requests(rng, concern, stage, staff_of.get(pk, [])[:3], senco=senco, today=today)
    ConcernEvidence.objects.bulk_create(evidence, batch_size=1000)
    StaffViewRequest.objects.bulk_create(requests, batch_size=1000)


def _stages(rng: random.Random, pupils: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Which pupils have a concern, and how far it got: (pupil, OPEN, VIEWS_AWAITED or a decision)."""
    by_status = defaultdict(list)
    for pk, status in pupils:
        by_status[status].append(pk)
    count = max(6, round(len(pupils) * SHARE))
    stages: list[tuple[int, str]] = []
    undecided = by_status[SenStatus.NONE] + by_status[SenStatus.MONITORING]
    rng.shuffle(undecided)
    for i, pk in enumerate(undecided[: count // 2]):
        stages.append((pk, OPEN if i % 2 == 0 else VIEWS_AWAITED))
    for status, decisions in DECISIONS_FOR.items():
        chosen = rng.sample(by_status[status], min(len(by_status[status]), max(len(decisions), count // 6)))
        stages += [(pk, decisions[i % len(decisions)]) for i, pk in enumerate(chosen)]
    return stages


def _concern(
    rng: random.Random,
    pk: int,
    sex: str,
    stage: str,
    teachers: list[int],
    *,
    senco,
    since: dt.date | None,
    today: dt.date,
) -> Concern:
    """An unsaved concern; a decided one was decided when the pupil's current status began (`since`)."""
    area = rng.choice(AreaOfNeed.values)
    decided = None
    if stage in {OPEN, VIEWS_AWAITED}:
        raised = today - dt.timedelta(days=rng.randint(3, 60))
    else:
        decided = since if stage != Concern.Decision.NO_SEN else None
        decided = min(decided or today - dt.timedelta(days=rng.randint(20, 200)), today)
        raised = decided - dt.timedelta(days=rng.randint(14, 50))
    concern = Concern(
        pupil_id=pk,
        area=area,
        what_seen=about(sex, rng.choice(SEEN[area])),
        contexts=rng.choice(CONTEXTS),
        noticed_since=raised - dt.timedelta(days=rng.randint(10, 90)),
        raised_on=raised,
        source=rng.choice([Concern.Source.STAFF] * 4 + [Concern.Source.PARENT, Concern.Source.BASELINE]),
        raised_by_id=(teachers[0] if teachers else senco),
    )
    if concern.source == Concern.Source.PARENT:
        concern.raised_by_id, concern.raised_by_name = senco, "Parent (recorded by the SENCO)"
    elif concern.source == Concern.Source.BASELINE:
        concern.raised_by_id = senco
    if decided is not None:
        concern.decision, concern.decision_reasons = stage, REASONS[stage]
        concern.decided_on, concern.decided_by_id = decided, senco
    return concern


def _evidence(rng: random.Random, concern: Concern, stage: str, *, senco, today: dt.date) -> list[ConcernEvidence]:
    """Up to three pieces of evidence gathered between raising and deciding (none yet for some open ones)."""
    end = concern.decided_on or today
    evidence = []
    for kind in rng.sample(list(EVIDENCE), rng.randint(0 if stage == OPEN else 1, 3)):
        summary, result = EVIDENCE[kind]
        day = concern.raised_on + dt.timedelta(days=rng.randint(0, max(0, (end - concern.raised_on).days)))
        evidence.append(
            ConcernEvidence(concern=concern, kind=kind, date=day, summary=summary, result=result, added_by_id=senco)
        )
    return evidence


def _view_requests(
    rng: random.Random, concern: Concern, stage: str, teachers: list[int], *, senco, today: dt.date
) -> list[StaffViewRequest]:
    """The pupil's teachers asked for their views; awaiting views: the first of several has answered,
    the rest (or a sole teacher) have not."""
    end = concern.decided_on or today
    requests = []
    for n, user_id in enumerate(teachers):
        asked = min(concern.raised_on + dt.timedelta(days=rng.randint(1, 7)), end)
        answered = stage != VIEWS_AWAITED or (n == 0 and len(teachers) > 1)
        requests.append(
            StaffViewRequest(
                concern=concern,
                staff_id=user_id,
                requested_by_id=senco,
                requested_on=asked,
                question="How does this show in your lessons?",
                response=rng.choice(VIEWS) if answered else "",
                answered_on=min(asked + dt.timedelta(days=rng.randint(0, 6)), end) if answered else None,
            )
        )
    return requests
