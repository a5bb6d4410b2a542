"""The preparation page's content: seed 000's five questions for one pupil, over the period since
their last progress meeting (or one term), with attendance, behaviour, the pupil's and parents'
views, and what was agreed last time. Reads only, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from trellis.assessment.models import Domain
from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord
from trellis.plans.models import Plan, Target
from trellis.plans.progress import Status, Window, assess
from trellis.plans.services import with_progress
from trellis.provision import reports
from trellis.provision.models import Enrolment

from .models import MeetingPupil

TERM = dt.timedelta(weeks=13)  # a school term, when the pupil has had no meeting before
BEHIND = {Status.AT_RISK, Status.OFF_TRACK}


def period_start(previous_meeting_on: dt.date | None, held_on: dt.date) -> dt.date:
    """The day the period under review starts: the pupil's previous meeting (the day after it),
    or 13 weeks (a term) before this one."""
    if previous_meeting_on is not None and previous_meeting_on < held_on:
        return previous_meeting_on + dt.timedelta(days=1)
    return held_on - TERM


def attendance_percent(attended: int, possible: int) -> Decimal | None:
    """Sessions attended out of sessions possible, as a percentage to one decimal place."""
    if not possible:
        return None
    return (Decimal(100) * attended / possible).quantize(Decimal("0.1"))


def _most_steps_first(pair) -> tuple[bool, Decimal]:
    row = pair[1]
    known = row is not None and row.steps is not None
    return (not known, -row.steps if known else Decimal(0))


@dataclass
class Preparation:
    discussion: MeetingPupil
    since: dt.date
    until: dt.date
    areas: list[tuple[str, list[Target]]] = field(default_factory=list)  # 1: progress by area of need
    reviews: list = field(default_factory=list)  # 2: quantitative evidence in the period
    notes: list[EvidenceNote] = field(default_factory=list)  # 2: qualitative evidence
    provision: list = field(default_factory=list)  # 3: support and interventions, most steps gained first
    new_targets: list[Target] = field(default_factory=list)  # 4
    behind: list[Target] = field(default_factory=list)  # 5: less than expected progress
    attendance: Decimal | None = None
    sessions: tuple[int, int] = (0, 0)
    behaviour: tuple[int, int] = (0, 0)  # positive, negative points
    voice: list[PupilVoiceEntry] = field(default_factory=list)
    plan: Plan | None = None
    previous: MeetingPupil | None = None


def prepare(discussion: MeetingPupil) -> Preparation:
    pupil, meeting = discussion.pupil, discussion.meeting
    until = meeting.held_on
    previous = (
        MeetingPupil.objects.filter(pupil=pupil, meeting__held_on__lt=until)
        .select_related("meeting")
        .prefetch_related("actions__owner", "decisions")
        .order_by("-meeting__held_on", "-meeting_id")
        .first()
    )
    since = period_start(previous.meeting.held_on if previous else None, until)
    prep = Preparation(discussion=discussion, since=since, until=until, previous=previous)
    window = Window(since, until, until)
    targets = with_progress(
        Target.objects.filter(pupil=pupil, plan__state=Plan.State.ACTIVE).filter(closed_on__isnull=True)
        | Target.objects.filter(pupil=pupil, closed_on__gte=since),
        window=window,
        school=pupil.school_id,
    )
    by_area: dict[str, list[Target]] = {}
    for target in sorted(targets, key=lambda t: (t.area, t.position, t.pk)):
        reviews = [r for r in target.review_list if r.date <= until]
        target.progress = assess(target, reviews, window)
        target.period_reviews = [r for r in reviews if r.date >= since]
        by_area.setdefault(target.area, []).append(target)
        prep.reviews += [(target, review) for review in target.period_reviews]
        if since <= target.starts_on <= until:
            prep.new_targets.append(target)
        if target.progress.status in BEHIND or target.progress.stuck:
            prep.behind.append(target)
    labels = dict(Domain.choices)
    prep.areas = [(labels.get(area, area), rows) for area, rows in by_area.items()]
    prep.reviews.sort(key=lambda pair: (pair[1].date, pair[1].pk))
    prep.notes = list(EvidenceNote.objects.filter(pupil=pupil, date__range=(since, until)).order_by("date", "pk")[:50])
    history = reports.pupil_enrolment_rows(
        pupil, Enrolment.objects.filter(pupil=pupil, starts_on__lte=until).exclude(ends_on__lt=since)
    )
    rows = [(enrolment, row) for enrolment, measures, _ in history for row in measures] + [
        (enrolment, None) for enrolment, measures, _ in history if not measures
    ]
    prep.provision = sorted(rows, key=_most_steps_first)
    weeks = WeeklyRecord.objects.filter(pupil=pupil, week_starting__range=(since, until)).aggregate(
        attended=Sum("sessions_attended"),
        possible=Sum("sessions_possible"),
        positive=Sum("behaviour_positive"),
        negative=Sum("behaviour_negative"),
    )
    prep.sessions = (weeks["attended"] or 0, weeks["possible"] or 0)
    prep.attendance = attendance_percent(*prep.sessions)
    prep.behaviour = (weeks["positive"] or 0, weeks["negative"] or 0)
    prep.voice = list(PupilVoiceEntry.objects.filter(pupil=pupil, date__lte=until)[:6])
    prep.plan = Plan.objects.filter(pupil=pupil, state=Plan.State.ACTIVE).order_by("-starts_on", "-pk").first()
    return prep
