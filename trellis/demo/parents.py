"""Demo parents and carers at the first school: the `parent` login (two siblings) and invited
parents of other pupils who have given views, agreed plans and given consent, so that every family
page has data. Called once by the builder, after the schools' stages; writes in bulk."""

from __future__ import annotations

import datetime as dt
import random

from trellis.accounts.models import User
from trellis.evidence.models import EvidenceNote
from trellis.families.models import Carer, Consent, Invitation, ParentView, PlanResponse, Relationship
from trellis.plans.models import Plan
from trellis.pupils.models import Pupil
from trellis.schools.models import School

from .dates import at_noon
from .names import ADULT_MEN, ADULT_WOMEN
from .staff import EMAIL_DOMAIN

PARENT_USERNAME = "parent"
OTHER_FAMILIES = 8
VIEWS = [
    "Sam is happier at home since the reading group started. He still gets upset when homework is hard.",
    "She likes the new timetable on her desk. Mornings are still hard for us. Please keep the quiet start.",
    "He talks about his group every day. We practise the sums at home with the number line.",
    "Bedtime reading is going well. We would like more ideas to help with spelling at home.",
]
CHANGES = "Please add a target for making friends at play time. That is what worries us most."


def _sibling_pair(pupils: list[Pupil]) -> tuple[Pupil, Pupil]:
    """Two pupils with plans in different years, made siblings (the younger takes the older's surname)."""
    older = pupils[0]
    younger = next((p for p in pupils[1:] if p.nc_year != older.nc_year), pupils[1])
    Pupil.objects.filter(pk=younger.pk).update(legal_surname=older.legal_surname, preferred_surname="")
    younger.legal_surname, younger.preferred_surname = older.legal_surname, ""
    return older, younger


def seed_families(*, schools: list[School], password: str, today: dt.date, seed: int = 1) -> None:
    rng = random.Random(f"{seed}:families")
    school = schools[0]
    with_plans = list(
        Pupil.objects.on_roll(today)
        .filter(school=school, is_confidential=False, plans__state=Plan.State.ACTIVE)
        .distinct()
        .order_by("-nc_year", "pk")[: 2 + OTHER_FAMILIES + 2]
    )
    if len(with_plans) < 2:
        return
    older, younger = _sibling_pair(with_plans)
    others = [p for p in with_plans if p.pk not in {older.pk, younger.pk}][:OTHER_FAMILIES]
    users, links = [], []
    main = User(
        username=PARENT_USERNAME,
        first_name="Jo",
        last_name=older.legal_surname,
        email=f"{PARENT_USERNAME}@{EMAIL_DOMAIN}",
        password=password,
    )
    users.append(main)
    for n, pupil in enumerate(others, start=2):
        first = rng.choice(ADULT_WOMEN if n % 3 else ADULT_MEN)
        users.append(
            User(
                username=f"parent{n}",
                first_name=first,
                last_name=pupil.legal_surname,
                email=f"parent{n}@{EMAIL_DOMAIN}",
                password=password,
            )
        )
    User.objects.bulk_create(users)
    users = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    main = users[PARENT_USERNAME]
    links += [
        Carer(user=main, pupil=older, relationship=Relationship.MOTHER),
        Carer(user=main, pupil=younger, relationship=Relationship.MOTHER),
    ]
    for n, pupil in enumerate(others, start=2):
        relationship = Relationship.MOTHER if n % 3 else Relationship.FATHER
        links.append(Carer(user=users[f"parent{n}"], pupil=pupil, relationship=relationship))
    Carer.objects.bulk_create(links)
    children = [older, younger, *others]
    _family_records(children, {link.pupil_id: link.user for link in links}, rng, today)
    _pending_invitation(with_plans[len(children) :] or others[-1:], today)


def _family_records(children: list[Pupil], carer_of: dict[int, User], rng: random.Random, today: dt.date) -> None:
    plans = {}  # each child's current plan: the one the family pages show (Plan's own ordering)
    for plan in Plan.objects.filter(pupil__in=children, state=Plan.State.ACTIVE):
        plans.setdefault(plan.pupil_id, plan)
    now = at_noon(today)
    views, answers, consents = [], [], []
    for n, pupil in enumerate(children):
        parent, plan = carer_of[pupil.pk], plans.get(pupil.pk)
        name = parent.get_full_name()
        if plan is not None:
            views.append(
                ParentView(
                    plan=plan,
                    pupil=pupil,
                    author=parent,
                    author_name=name,
                    text=VIEWS[n % len(VIEWS)],
                    plan_version=plan.version,
                    created_at=now - dt.timedelta(days=rng.randint(3, 40)),
                )
            )
            change = n % 4 == 3
            answers.append(
                PlanResponse(
                    plan=plan,
                    pupil=pupil,
                    author=parent,
                    author_name=name,
                    answer=PlanResponse.Answer.CHANGE if change else PlanResponse.Answer.AGREE,
                    plan_version=plan.version,
                    comment=CHANGES if change else "",
                    created_at=now - dt.timedelta(days=rng.randint(1, 30)),
                )
            )
        consents.append(
            Consent(
                pupil=pupil,
                kind=Consent.Kind.SHARE_SPECIALIST,
                given=True,
                by=parent,
                by_name=name,
                at=now - dt.timedelta(days=60),
            )
        )
        if n % 3 == 0:
            consents.append(
                Consent(pupil=pupil, kind=Consent.Kind.EHC_ASSESSMENT, given=True, by=parent, by_name=name, at=now)
            )
    ParentView.objects.bulk_create(views)
    PlanResponse.objects.bulk_create(answers)
    Consent.objects.bulk_create(consents)
    shared = []
    for pupil in children:  # staff chose to share a few of each child's notes
        shared += list(EvidenceNote.objects.filter(pupil=pupil).order_by("-date").values_list("pk", flat=True)[:3])
    EvidenceNote.objects.filter(pk__in=shared).update(shared_with_family=True)


def _pending_invitation(pupils: list[Pupil], today: dt.date) -> None:
    """One invitation not used yet, so the SENCO's page shows one (its token is not kept anywhere)."""
    if not pupils:
        return
    _, token_hash = Invitation.new_token()
    now = at_noon(today)
    Invitation.objects.create(
        pupil=pupils[0],
        email=f"carer@{EMAIL_DOMAIN}",
        relationship=Relationship.CARER,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
