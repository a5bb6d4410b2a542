"""Parts of a pupil's record that the staff documents share (the annual review pack and the evidence
for an EHC needs assessment request): views, attendance and behaviour, provision tried, and the
professionals involved. Each reads a fixed number of queries however long the record is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from trellis.evidence.models import PupilVoiceEntry, WeeklyRecord
from trellis.families.models import ParentView
from trellis.lib.disclosure import WITHHELD, Relation, protect
from trellis.meetings.models import Decision
from trellis.plans.models import Plan
from trellis.provision import evaluation as ev
from trellis.provision import reports
from trellis.provision.access import visible_enrolments
from trellis.provision.models import Enrolment, InterventionGroup
from trellis.schools.models import HalfTerm


def percent(part: int | Decimal, whole: int | Decimal) -> str:
    """A share to one decimal place, rounded half up ("–" with nothing to divide by)."""
    if not whole:
        return "–"
    return f"{(100 * Decimal(part) / Decimal(whole)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


# --- Views of the pupil and their parents ---------------------------------------------------------


@dataclass
class Views:
    plan: Plan | None  # the newest plan that holds the pupil's own words
    parents: list[ParentView]
    voice: list[PupilVoiceEntry]

    @property
    def empty(self) -> bool:
        return self.plan is None and not self.parents and not self.voice


def views(pupil, *, since: dt.date | None) -> Views:
    """The pupil's words from their newest plan, their voice entries and their parents' written views
    (since `since`, or all of them)."""
    plans = pupil.plans.exclude(state=Plan.State.DRAFT).order_by("-starts_on", "-created_at")
    plan = next(
        (p for p in plans if p.pupil_good_at or p.pupil_find_hard or p.pupil_what_helps or p.parent_views), None
    )
    parents = ParentView.objects.filter(pupil=pupil).order_by("-created_at", "-pk")
    voice = PupilVoiceEntry.objects.filter(pupil=pupil).order_by("-date", "-pk")
    if since is not None:
        parents = parents.filter(created_at__date__gte=since)
        voice = voice.filter(date__gte=since)
    return Views(plan=plan, parents=list(parents), voice=list(voice))


# --- Attendance and behaviour (evidence: weekly records) ------------------------------------------


@dataclass
class WeeksRow:
    label: str
    weeks: int = 0
    attended: int = 0
    possible: int = 0
    positive: int = 0
    negative: int = 0

    def add(self, record: WeeklyRecord) -> None:
        self.weeks += 1
        self.attended += record.sessions_attended
        self.possible += record.sessions_possible
        self.positive += record.behaviour_positive
        self.negative += record.behaviour_negative

    @property
    def attendance(self) -> str:
        return percent(self.attended, self.possible)

    def per_week(self, points: int) -> str:
        if not self.weeks:
            return "–"
        return f"{(Decimal(points) / self.weeks).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"

    @property
    def positive_per_week(self) -> str:
        return self.per_week(self.positive)

    @property
    def negative_per_week(self) -> str:
        return self.per_week(self.negative)


@dataclass
class AttendanceBehaviour:
    since: dt.date
    until: dt.date
    rows: list[WeeksRow] = field(default_factory=list)  # one a half term with records
    total: WeeksRow = field(default_factory=lambda: WeeksRow("All weeks"))


SIX_DAYS = dt.timedelta(days=6)


def attendance_behaviour(pupil, *, since: dt.date, until: dt.date) -> AttendanceBehaviour:
    """Sessions attended of those possible and behaviour points, by half term and in all, over the
    weeks that start between the two dates. Two queries."""
    records = WeeklyRecord.objects.filter(pupil=pupil, week_starting__gte=since, week_starting__lte=until)
    half_terms = list(
        HalfTerm.objects.filter(academic_year__school_id=pupil.school_id, ends_on__gte=since, starts_on__lte=until)
        .select_related("academic_year")
        .order_by("starts_on")
    )
    summary = AttendanceBehaviour(since=since, until=until)
    rows: dict[int | None, WeeksRow] = {}
    for record in records.order_by("week_starting"):
        # A half term may start mid-week: its first week's Monday is up to six days before it.
        half = next((h for h in half_terms if h.starts_on - SIX_DAYS <= record.week_starting <= h.ends_on), None)
        key = half.pk if half else None
        if key not in rows:
            rows[key] = WeeksRow(f"{half} {half.academic_year.name}" if half else "Weeks outside the school's terms")
        rows[key].add(record)
        summary.total.add(record)
    summary.rows = list(rows.values())
    return summary


# --- Provision tried ------------------------------------------------------------------------------


@dataclass
class ProvisionTried:
    enrolment: Enrolment
    group: InterventionGroup
    starts_on: dt.date
    ends_on: dt.date | None
    attendance: ev.Attendance
    measures: list[ev.MeasureRow]

    @property
    def weeks(self) -> int:
        """How long: whole weeks from the start to the end (or to now, for one still running)."""
        end = self.ends_on or self.group.ends_on
        return 0 if end is None else max(1, round(((end - self.starts_on).days + 1) / 7))

    @property
    def how_often(self) -> str:
        group = self.group
        per_week = group.sessions_per_week or group.intervention.sessions_per_week
        return f"{per_week} x {group.minutes} minutes a week"

    @property
    def attendance_text(self) -> str:
        held = self.attendance.held
        if not held:
            return "No sessions logged"
        return f"{self.attendance.attended} of {held} sessions ({percent(self.attendance.attended, held)})"


def provision_tried(pupil, reader, *, until: dt.date, since: dt.date | None = None) -> list[ProvisionTried]:
    """Every group the pupil was in (that started by `until`, and ran after `since`), oldest first,
    with sessions attended of those held and their own measures. A fixed number of queries."""
    enrolments = Enrolment.objects.filter(pupil=pupil) if reader is None else visible_enrolments(reader)
    enrolments = enrolments.filter(pupil=pupil, starts_on__lte=until)
    if since is not None:
        enrolments = enrolments.exclude(ends_on__lt=since).exclude(group__ends_on__lt=since)
    history = reports.pupil_enrolment_rows(pupil, enrolments)
    groups = [enrolment.group for enrolment, _, _ in history]
    attendance = reports.attendance_by_enrolment(groups, [enrolment for enrolment, _, _ in history])
    tried = [
        ProvisionTried(
            enrolment=enrolment,
            group=enrolment.group,
            starts_on=enrolment.starts_on,
            ends_on=enrolment.ends_on or enrolment.group.ends_on,
            attendance=attendance[enrolment.pk],
            measures=rows,
        )
        for enrolment, rows, _ in history
    ]
    return sorted(tried, key=lambda t: (t.starts_on, t.group.intervention.name, t.enrolment.pk))


@dataclass
class WorkedForOthers:
    """An intervention where the pupil missed their target and most other pupils met theirs, with the
    other pupils' figures as disclosure control lets them be shown (the reader may pass it to the LA)."""

    intervention: str
    scale: str
    others_text: str
    met_text: str


def worked_for_others(pupil) -> list[WorkedForOthers]:
    """The comparison with other pupils through the one disclosure rule: no names, and a count of 1 to
    4 (with whatever would give it away) withheld."""
    found = []
    for item in reports.not_for_this_pupil(pupil):
        values = {"others": item.others, "met": item.others_met, "not met": item.others - item.others_met}
        hidden = protect(values, [Relation("others", ("met", "not met"))])
        text = {key: WITHHELD if key in hidden else f"{value:,}" for key, value in values.items()}
        found.append(WorkedForOthers(item.intervention, item.scale, text["others"], text["met"]))
    return found


# --- Professionals involved ----------------------------------------------------------------------


@dataclass
class Professionals:
    shares: list  # ExternalShare with the specialist
    referrals: list[Decision]  # decisions at pupil progress meetings to refer to a specialist


def professionals(pupil) -> Professionals:
    return Professionals(
        shares=list(pupil.shares.select_related("specialist").order_by("granted_at", "pk")),
        referrals=list(
            Decision.objects.filter(discussion__pupil=pupil, kind=Decision.Kind.REFER)
            .select_related("discussion__meeting")
            .order_by("discussion__meeting__held_on", "pk")
        ),
    )
