"""Demo stage: specialists for one school: advice from its visiting specialists for pupils shared
with them, and the school's referrals to EP, SaLT, OT and CAMHS at every stage, some waiting a
long time and some reports overdue, so the waits page and the SENCO's to-do list have data.

The demo `specialist` login visits a second school of the trust too (a membership and shares
there), so their list spans two schools. Dates are relative to the demo's today. Bulk inserts only.
"""

from __future__ import annotations

import datetime as dt
import random

from trellis.accounts.models import Membership, Role, User
from trellis.pupils.models import ExternalShare, Pupil, SenStatus
from trellis.schools.models import School
from trellis.specialists.models import Advice, Recommendation, Referral, Service

from .dates import at_noon, seeded_at, term_day

# Service -> (summary, recommendations) a specialist might write; kept short and plain.
ADVICE = {
    Service.EP: (
        "Cognitive assessment shows verbal reasoning in the average range and working memory well below it. "
        "Difficulties with multi-step tasks are more about holding information than understanding it.",
        [
            "Give instructions in chunks of two steps, with a visual checklist",
            "Pre-teach key vocabulary before each new topic",
            "Check understanding by asking the pupil to repeat the task in their own words",
        ],
    ),
    Service.SALT: (
        "Receptive language is about two years below age; expressive language is closer to age-expected. "
        "Understanding of questions beyond who and what is not secure.",
        [
            "Use a visual timetable every morning and refer to it at each change",
            "Answer 4 who, what and where questions about a picture in a small group",
            "Use colourful semantics cards when building sentences",
        ],
    ),
    Service.OT: (
        "Fine motor control and pencil grip are below age-expected; sitting posture tires quickly. "
        "Handwriting speed limits how much is recorded.",
        [
            "Provide a writing slope and a pencil grip for written work",
            "Daily five-minute fine motor warm-up before writing",
            "Allow typed or scribed recording for longer pieces",
        ],
    ),
    Service.CAMHS: (
        "Anxiety is highest at transitions and at drop-off. A consistent adult and advance warning of changes help.",
        [
            "Named adult to meet the pupil at the gate each morning",
            "Give warning of changes to the day using a change card",
            "A calm space the pupil can ask to use, with a time-out card",
        ],
    ),
}
SHARE_SERVICE = {  # the demo share reasons (trellis.demo.sharing.REASONS) and their services
    "Educational psychology assessment": Service.EP,
    "Speech and language therapy block": Service.SALT,
    "Occupational therapy review": Service.OT,
    "CAMHS consultation": Service.CAMHS,
}
# Typical days from referral to being seen, per service (local waits vary widely; these are believable).
WAIT_DAYS = {
    Service.EP: (40, 150),
    Service.SALT: (50, 200),
    Service.OT: (60, 220),
    Service.CAMHS: (90, 330),
    Service.OTHER: (30, 120),
}
SERVICES = [Service.EP, Service.SALT, Service.SALT, Service.OT, Service.CAMHS, Service.EP, Service.OTHER]
REFERRED_SHARE = 0.2  # of pupils with SEN support or an EHC plan
# (service, days since referred, since seen, since the report came): a long wait, an overdue report, a full one.
SHOWCASE = [(Service.CAMHS, 190, None, None), (Service.EP, 120, 56, None), (Service.SALT, 200, 90, 40)]


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    _visit_second_school(school=school, rng=rng, today=today)
    _advice(school=school, rng=rng, today=today)
    _referrals(school=school, rng=rng, today=today)


def _eligible(school: School):
    return (
        Pupil.objects.filter(school=school, left_on__isnull=True, is_confidential=False)
        .filter(sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .order_by("pk")
    )


def _visit_second_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    """The demo `specialist` also works at the trust's next school: three pupils shared there."""
    specialist = User.objects.filter(username="specialist").first()
    if specialist is None:
        return
    home = specialist.memberships.values_list("school_id", flat=True).first()
    second = School.objects.filter(trust_id=school.trust_id).exclude(pk=home).order_by("pk").first()
    if second is None or second.pk != school.pk:
        return
    Membership.objects.create(user=specialist, school=school, role=Role.SPECIALIST)
    senco = User.objects.filter(memberships__school=school, memberships__role=Role.SENCO).first()
    eligible = list(_eligible(school)[:200])
    pupils = rng.sample(eligible, min(3, len(eligible)))
    ExternalShare.objects.bulk_create(
        ExternalShare(
            pupil=pupil,
            specialist=specialist,
            reason="Educational psychology assessment",
            expires_on=today + dt.timedelta(days=rng.randint(30, 150)),
            granted_by=senco,
            granted_at=at_noon(today - dt.timedelta(days=rng.randint(20, 60))),
        )
        for pupil in pupils
    )


def _advice(*, school: School, rng: random.Random, today: dt.date) -> None:
    """Advice for about two in three active shares, seen after the share began."""
    shares = ExternalShare.objects.filter(pupil__school=school, expires_on__gte=today).order_by("pk")
    written, recommendations = [], []
    for share in shares:
        if rng.random() > 0.67:
            continue
        service = SHARE_SERVICE.get(share.reason, Service.OTHER)
        summary, ideas = ADVICE.get(service, ADVICE[Service.EP])
        began = share.granted_at.date()
        seen = term_day(min(today, began + dt.timedelta(days=rng.randint(7, 40))))
        seen = max(seen, min(began, today))
        advice = Advice(
            pupil_id=share.pupil_id,
            service=service,
            seen_on=seen,
            summary=summary,
            written_by_id=share.specialist_id,
            written_at=min(seeded_at(today), at_noon(seen + dt.timedelta(days=rng.randint(0, 3)))),
        )
        written.append(advice)
        recommendations.append(rng.sample(ideas, rng.randint(2, len(ideas))))
    Advice.objects.bulk_create(written)
    Recommendation.objects.bulk_create(
        Recommendation(advice=advice, position=n, text=text)
        for advice, texts in zip(written, recommendations, strict=True)
        for n, text in enumerate(texts, 1)
    )


def _referrals(*, school: School, rng: random.Random, today: dt.date) -> None:
    """About one pupil in five with SEN referred in the last year, at every stage."""
    made = []
    pupil_ids = list(_eligible(school).values_list("pk", flat=True))
    # Every school shows each state at least once: a long wait, a report overdue, a report received.
    for pupil_id, (service, referred_ago, seen_ago, report_ago) in zip(pupil_ids, SHOWCASE, strict=False):
        referred = today - dt.timedelta(days=referred_ago)
        referral = Referral(pupil_id=pupil_id, service=service, referred_on=referred, created_at=seeded_at(today))
        referral.accepted_on = referred + dt.timedelta(days=10)
        referral.seen_on = today - dt.timedelta(days=seen_ago) if seen_ago is not None else None
        referral.report_received_on = today - dt.timedelta(days=report_ago) if report_ago is not None else None
        made.append(referral)
    for pupil_id in pupil_ids[len(SHOWCASE) :]:
        if rng.random() > REFERRED_SHARE:
            continue
        service = rng.choice(SERVICES)
        referred = term_day(today - dt.timedelta(days=rng.randint(5, 360)))
        low, high = WAIT_DAYS[service]
        seen = referred + dt.timedelta(days=rng.randint(low, high))
        accepted = referred + dt.timedelta(days=rng.randint(3, 21))
        referral = Referral(pupil_id=pupil_id, service=service, referred_on=referred, created_at=seeded_at(today))
        referral.accepted_on = accepted if accepted <= today else None
        if seen <= today:
            referral.seen_on = seen
            received = seen + dt.timedelta(days=rng.randint(10, 70))  # some later than six weeks
            referral.report_received_on = received if received <= today else None
        made.append(referral)
    Referral.objects.bulk_create(made)
