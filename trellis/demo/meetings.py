"""Demo progress meetings for one school: last term's meeting for a class (who came, the discussion,
reasons for slower progress, actions some done and some open, decisions to continue provision) and
this term's meeting for the same class, scheduled and not yet held.

Written in bulk after the provision stage, without per-row audit events (see builder.py). The
decisions recorded are all "continue", so the provision map the earlier stage made stays as it is.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count, Q

from trellis.accounts.models import Membership, Role
from trellis.meetings.models import Action, Decision, Meeting, MeetingPupil, SlowProgressReason
from trellis.provision.models import Enrolment
from trellis.pupils.models import GroupMembership, Pupil
from trellis.schools.models import GroupStaff, School, TeachingGroup

DISCUSSIONS = [
    "Reading has moved on a sub-level; spelling is slower. The word mat helps in class.",
    "Settles better since the morning check-in. Maths facts still not secure.",
    "Much more confident speaking in small groups; still avoids whole-class answers.",
    "Good progress with phonics; handwriting tires quickly, so more typing.",
]
ACTIONS = [
    ("Share the word mat with home", "staff"),
    ("Read together for ten minutes each evening", "parent"),
    ("Ask the SaLT to observe a lesson", "staff"),
    ("Practise times tables with the app at home", "parent"),
]


def _class_with_most_sen(school: School, today: dt.date) -> TeachingGroup | None:
    """The demo teacher's class where there is one; otherwise the class with most pupils with SEN."""
    year = school.current_academic_year(today)
    classes = TeachingGroup.objects.filter(academic_year=year, kind=TeachingGroup.Kind.REGISTRATION)
    mine = classes.filter(staff__user__username="teacher").first()
    if mine is not None:
        return mine
    return (
        classes.annotate(sen=Count("memberships", filter=Q(memberships__pupil__sen_status__in=["K", "E"])))
        .order_by("-sen", "name")
        .first()
    )


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    group = _class_with_most_sen(school, today)
    senco = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first()
    if group is None or senco is None:
        return
    teacher = GroupStaff.objects.filter(group=group, role=GroupStaff.Role.TEACHER).select_related("user").first()
    staff = [senco.user] + ([teacher.user] if teacher else [])
    in_class = GroupMembership.objects.filter(group=group).values("pupil_id")
    pupils = list(Pupil.objects.filter(pk__in=in_class, sen_status__in=["K", "E"]).on_roll(today).order_by("pk"))
    if not pupils:
        return
    last_term = today - dt.timedelta(weeks=10)
    held = Meeting.objects.create(
        school=school,
        kind=Meeting.Kind.CLASS,
        teaching_group=group,
        held_on=last_term,
        place="SENCO's room",
        scheduled_by=senco.user,
        invited_at=None,
    )
    coming = Meeting.objects.create(
        school=school,
        kind=Meeting.Kind.CLASS,
        teaching_group=group,
        held_on=today + dt.timedelta(days=7),
        starts_at=dt.time(15, 30),
        place="SENCO's room",
        scheduled_by=senco.user,
    )
    for meeting in (held, coming):
        meeting.staff.set(staff)
    parts = MeetingPupil.objects.bulk_create(
        MeetingPupil(
            meeting=held,
            pupil=pupil,
            parent_attended=rng.random() < 0.8,
            pupil_attended=rng.random() < 0.4,
            discussion=rng.choice(DISCUSSIONS),
            recorded_by=senco.user,
        )
        for pupil in pupils
    )
    MeetingPupil.objects.bulk_create(MeetingPupil(meeting=coming, pupil=pupil) for pupil in pupils)
    reasons = list(SlowProgressReason.objects.for_school(school))
    through = MeetingPupil.reasons.through
    through.objects.bulk_create(
        through(meetingpupil_id=part.pk, slowprogressreason_id=reason.pk)
        for part in parts
        if rng.random() < 0.5
        for reason in rng.sample(reasons, k=rng.randint(1, 2))
    )
    actions, decisions = [], []
    enrolments = {}
    for enrolment in (
        Enrolment.objects.select_related("group__intervention")
        .filter(pupil__in=pupils, starts_on__lte=last_term)
        .exclude(ends_on__lt=last_term)
    ):
        enrolments.setdefault(enrolment.pupil_id, enrolment)
    for part in parts:
        for text, owner in rng.sample(ACTIONS, k=2):
            due = last_term + dt.timedelta(weeks=rng.randint(2, 12))
            actions.append(
                Action(
                    discussion=part,
                    text=text,
                    owner=rng.choice(staff) if owner == "staff" else None,
                    owner_parent="" if owner == "staff" else "Parent or carer",
                    due_on=due,
                    done_on=due - dt.timedelta(days=rng.randint(0, 10)) if due < today and rng.random() < 0.7 else None,
                    created_by=senco.user,
                )
            )
        if enrolment := enrolments.get(part.pupil_id):
            decisions.append(
                Decision(
                    discussion=part,
                    kind=Decision.Kind.CONTINUE,
                    summary=f"Continue {enrolment.group.intervention.name}",
                    enrolment=enrolment,
                    decided_by=senco.user,
                )
            )
    Action.objects.bulk_create(actions)
    Decision.objects.bulk_create(decisions)
