"""Small hand-worked records for the annual review pack and the EHC needs assessment request
evidence (suite day: Wednesday 18 November 2026; the school's half terms are the defaults:
1 Sep–31 Oct, 1 Nov–31 Dec 2026, ...; no academic year before 2026/27).

`ehc_review` gives `other_class` (EHC plan, class 4C) a plan issued 1 June 2025 and last reviewed
on 20 November 2025, so the period under review is 20 November 2025 to 18 November 2026.
`ehc_request` gives `in_class` (SEN support, class 4B) two plan cycles and two provisions, one
beside six other pupils."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from trellis.assessment.scales import find_scale
from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord
from trellis.families.models import ParentView
from trellis.lib.upn import make_upn
from trellis.meetings.models import Decision, Meeting, MeetingPupil
from trellis.plans import services as plan_services
from trellis.plans.models import Plan, Review, Target
from trellis.provision import services as provision_services
from trellis.provision.models import EhcProvision, Intervention
from trellis.pupils import services as pupil_services
from trellis.pupils.models import GroupMembership, Pupil
from trellis.schools.models import TeachingGroup

D = dt.date
TERM_START = D(2026, 9, 1)


def add_target(plan: Plan, description: str, *, outcome=None, starts_on=TERM_START, closed_on=None, **fields):
    return Target.objects.create(
        plan=plan,
        pupil=plan.pupil,
        description=description,
        area="slc",
        outcome=outcome,
        scale=find_scale("nc-levels", plan.pupil.school),
        baseline_value=fields.pop("baseline_value", "2c"),
        target_value=fields.pop("target_value", "2a"),
        starts_on=starts_on,
        target_date=fields.pop("target_date", D(2027, 7, 1)),
        closed_on=closed_on,
        **fields,
    )


def review(target: Target, on: dt.date, value: str) -> None:
    Review.objects.create(target=target, date=on, value=value, reviewed_by_name="Ms Teach")
    plan_services.refresh_summary(target)


def note(pupil, on: dt.date, objective: str, targets=()) -> EvidenceNote:
    made = EvidenceNote.objects.create(
        pupil=pupil, date=on, learning_objective=objective, activity="Small group", outcome=f"{objective}: done"
    )
    made.targets.set(targets)
    return made


def group_with_sessions(school, name: str, pupils, *, starts_on, ends_on, dates, absent=None, by=None, measures=None):
    """An intervention group (3 x 30 minutes a week) with its pupils and a session on each date;
    `absent` pupils missed every session; `measures` maps a pupil to a MeasureInput list."""
    intervention = Intervention.objects.get_or_create(
        school=school, name=name, defaults={"sessions_per_week": 3, "session_minutes": 30}
    )[0]
    group = provision_services.create_group(
        intervention=intervention, by=by, starts_on=starts_on, ends_on=ends_on, sessions_per_week=3, session_minutes=30
    )
    enrolments = {
        pupil.pk: provision_services.enrol(group=group, pupil=pupil, by=by, measures=(measures or {}).get(pupil.pk, ()))
        for pupil in pupils
    }
    for day in dates:
        away = {p.pk for p in (absent or {}).get(day, ())}
        present = [e.pk for pk, e in enrolments.items() if pk not in away]
        provision_services.log_session(group=group, date=day, present=present, by=by)
    return group


@pytest.fixture
def ehc_review(world):
    pupil, senco = world.other_class, world.senco
    pupil_services.record_ehc_plan(
        pupil=pupil,
        by=senco,
        issued_on=D(2025, 6, 1),
        last_annual_review_on=D(2025, 11, 20),
        local_authority="Northshire",
    )
    plan = plan_services.create_plan(
        pupil=pupil,
        by=senco,
        kind=Plan.Kind.EHC,
        state=Plan.State.ACTIVE,
        title="EHC plan outcomes",
        starts_on=D(2025, 11, 20),
        pupil_good_at="Drawing animals",
        pupil_find_hard="Busy playtimes",
        pupil_what_helps="A quiet corner",
        parent_views="Mum says mornings are calmer",
        needs={"slc": "Finds it hard to follow long instructions"},
    )
    plan_services.set_outcomes(
        plan=plan, texts=["Say how he feels to a familiar adult", "Read a simple book"], by=senco
    )
    talk, read = plan.outcomes.order_by("position")
    world.achieved = add_target(plan, "Name four feelings", outcome=talk)
    review(world.achieved, D(2026, 10, 1), "2b")
    review(world.achieved, D(2026, 11, 10), "2a")
    world.stuck = add_target(plan, "Ask for help with a symbol card", outcome=talk, starts_on=D(2026, 3, 1))
    review(world.stuck, D(2026, 4, 1), "2c")
    review(world.stuck, D(2026, 11, 12), "2c")
    world.unreviewed = add_target(plan, "Read ten tricky words", outcome=read)
    world.old = add_target(plan, "An old target", outcome=read, starts_on=D(2025, 1, 1), closed_on=D(2025, 10, 1))
    world.loose = add_target(plan, "Line up calmly", starts_on=D(2026, 9, 1))
    for day in (D(2026, 9, 10), D(2026, 9, 20), D(2026, 9, 30), D(2026, 10, 10)):
        note(pupil, day, f"Feelings {day:%d %b}", [world.achieved])
    note(pupil, D(2025, 10, 1), "Before the period", [world.achieved])

    # Section F: 1.5 hours a week of Talk Boost for two school weeks (2-15 November: 14 days), and
    # 1 hour a week of speech therapy from 1 September with no sessions logged.
    group = group_with_sessions(
        world.school_a,
        "Talk Boost",
        [pupil],
        starts_on=D(2026, 11, 2),
        ends_on=D(2026, 11, 15),
        dates=[D(2026, 11, d) for d in (2, 4, 6, 9, 11, 13)],
        absent={D(2026, 11, 4): [pupil], D(2026, 11, 11): [pupil]},
        by=senco,
    )
    EhcProvision.objects.create(
        pupil=pupil,
        description="Talk Boost in a small group",
        hours_per_week=Decimal("1.5"),
        intervention=group.intervention,
        starts_on=D(2026, 11, 2),
        ends_on=D(2026, 11, 15),
    )
    EhcProvision.objects.create(
        pupil=pupil, description="Speech and language therapy", hours_per_week=Decimal("1"), starts_on=D(2026, 9, 1)
    )

    # Weeks: one before the period, one outside any half term on record, two in each autumn half term.
    for monday, attended, possible, positive, negative in [
        (D(2025, 11, 10), 2, 10, 0, 9),
        (D(2025, 12, 1), 6, 10, 0, 2),
        (D(2026, 10, 19), 9, 10, 5, 1),
        (D(2026, 10, 26), 10, 10, 3, 0),
        (D(2026, 11, 2), 7, 10, 2, 3),
        (D(2026, 11, 9), 8, 8, 4, 1),
    ]:
        WeeklyRecord.objects.create(
            pupil=pupil,
            week_starting=monday,
            sessions_attended=attended,
            sessions_possible=possible,
            behaviour_positive=positive,
            behaviour_negative=negative,
        )
    ParentView.objects.create(
        plan=plan, pupil=pupil, author_name="Mrs Otherclass", text="He talks more at home now", plan_version=1
    )
    ParentView.objects.filter(
        pk=ParentView.objects.create(
            plan=plan, pupil=pupil, author_name="Mr Otherclass", text="An old view", plan_version=1
        ).pk
    ).update(created_at=timezone.make_aware(dt.datetime(2025, 1, 1)))
    PupilVoiceEntry.objects.create(pupil=pupil, date=D(2026, 10, 5), statement="I can say how I feel", rating=2)

    for held_on, decisions in [
        (D(2026, 3, 1), [(Decision.Kind.STOP, "Stop the old group")]),
        (
            D(2026, 10, 15),
            [
                (Decision.Kind.REFER, "Ask the speech and language therapist to assess"),
                (Decision.Kind.CONTINUE, "Keep Talk Boost going"),
            ],
        ),
    ]:
        meeting = Meeting.objects.create(school=world.school_a, kind=Meeting.Kind.PUPIL, held_on=held_on)
        discussion = MeetingPupil.objects.create(meeting=meeting, pupil=pupil)
        for kind, summary in decisions:
            Decision.objects.create(discussion=discussion, kind=kind, summary=summary)
    world.ehc_plan_outcomes = plan
    return world


@pytest.fixture
def ehc_request(world):
    pupil, senco = world.in_class, world.senco
    first = plan_services.create_plan(
        pupil=pupil,
        by=senco,
        kind=Plan.Kind.SEN_SUPPORT,
        state=Plan.State.ARCHIVED,
        title="First plan",
        starts_on=D(2025, 9, 10),
        needs={"spld": "Slow to decode"},
    )
    a1 = add_target(
        first, "Read 20 words", starts_on=D(2025, 9, 10), closed_on=D(2026, 7, 1), target_date=D(2026, 3, 1)
    )
    review(a1, D(2026, 2, 1), "2a")
    a2 = add_target(
        first, "Spell 10 words", starts_on=D(2025, 9, 10), closed_on=D(2026, 7, 1), target_date=D(2026, 3, 1)
    )
    review(a2, D(2026, 2, 1), "2a")
    a3 = add_target(
        first, "Write a sentence", starts_on=D(2025, 9, 10), closed_on=D(2026, 7, 1), target_date=D(2026, 3, 1)
    )
    review(a3, D(2025, 12, 1), "2c")
    review(a3, D(2026, 6, 1), "2c")
    second = plan_services.create_plan(
        pupil=pupil,
        by=senco,
        kind=Plan.Kind.SEN_SUPPORT,
        state=Plan.State.ACTIVE,
        title="Second plan",
        starts_on=D(2026, 9, 1),
        strategies="Visual timetable",
    )
    plan_services.update_plan(plan=second, by=senco, strategies="Visual timetable and word mats")
    b1 = add_target(second, "Read 40 words")
    review(b1, D(2026, 11, 2), "2a")
    add_target(second, "Spell 20 words")
    plan_services.create_plan(pupil=pupil, by=senco, kind=Plan.Kind.PASSPORT, state=Plan.State.ACTIVE, title="Passport")

    # Catch Up Reading: in_class and six others; five of the others met their target (+1), in_class did not.
    edsm = find_scale("edsm", world.school_a)
    year = world.school_a.academic_years.get()
    others_class = TeachingGroup.objects.create(school=world.school_a, academic_year=year, name="5A", nc_year=5)
    others = []
    for n in range(6):  # UPNs of their own year of allocation (23): conftest's serial is its module's
        other = Pupil.objects.create(
            school=world.school_a,
            upn=make_upn("801", "2001", 23, n),
            legal_surname=f"Other{n}",
            legal_forename="Kim",
            date_of_birth=D(2016, 5, 1),
            nc_year=5,
        )
        GroupMembership.objects.create(pupil=other, group=others_class)
        others.append(other)
    measures = {
        p.pk: [provision_services.MeasureInput(edsm, "emerging", Decimal(1), exit="developing")] for p in others
    }
    measures[others[5].pk] = [provision_services.MeasureInput(edsm, "emerging", Decimal(1), exit="emerging")]
    measures[pupil.pk] = [provision_services.MeasureInput(edsm, "emerging", Decimal(1), exit="emerging")]
    group_with_sessions(
        world.school_a,
        "Catch Up Reading",
        [pupil, *others],
        starts_on=D(2026, 1, 5),
        ends_on=D(2026, 2, 13),
        dates=[],
        by=senco,
        measures=measures,
    )
    group_with_sessions(
        world.school_a,
        "Talk Boost",
        [pupil],
        starts_on=D(2026, 9, 7),
        ends_on=D(2026, 10, 16),
        dates=[D(2026, 9, 7), D(2026, 9, 9), D(2026, 9, 11), D(2026, 9, 14)],
        absent={D(2026, 9, 9): [pupil]},
        by=senco,
    )
    world.first_plan, world.second_plan = first, second
    return world
