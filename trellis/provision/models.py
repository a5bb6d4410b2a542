"""Provision mapping (seed 001): the intervention catalogue, groups running in a term, each
pupil's enrolment with entry, target and exit on a scale, sessions with attendance, the class's
quality first teaching strategies, and the hours of provision an EHC plan specifies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.lib.models import LONG_TEXT, SHORT_TEXT, LimitedTextField

from .eef import STRAND_CHOICES


class Intervention(models.Model):
    """A school's catalogue entry: what the intervention is and what a session costs."""

    class Role(models.TextChoices):
        TA = "TA", "Teaching assistant"
        HLTA = "HLTA", "Higher level teaching assistant"
        TEACHER = "teacher", "Teacher"
        SENCO = "SENCO", "SENCO"
        SPECIALIST = "specialist", "External specialist"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="interventions")
    name = models.CharField(max_length=120)
    area_of_need = models.CharField(max_length=80, blank=True, help_text="e.g. Cognition and learning")
    description = LimitedTextField(blank=True, max_length=LONG_TEXT)
    evidence_base = LimitedTextField(blank=True, max_length=LONG_TEXT)
    default_group_size = models.PositiveSmallIntegerField(default=6)
    sessions_per_week = models.PositiveSmallIntegerField(default=3)
    session_minutes = models.PositiveSmallIntegerField(default=15)
    duration_weeks = models.PositiveSmallIntegerField(default=6)
    delivering_role = models.CharField(max_length=12, choices=Role.choices, blank=True)
    cost_per_session = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    hourly_rate = models.DecimalField(
        "staff hourly rate",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Used when there is no cost per session: rate x session length.",
    )
    eef_strand = models.CharField("EEF toolkit strand", max_length=24, choices=STRAND_CHOICES, blank=True)

    class Meta:
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="unique_intervention_name")]

    def __str__(self) -> str:
        return self.name

    def session_cost(self, minutes: int | None = None) -> Decimal | None:
        """One session's cost: the set cost, or the hourly rate for the session's length."""
        if self.cost_per_session is not None:
            return self.cost_per_session
        if self.hourly_rate is not None:
            return (self.hourly_rate * Decimal(minutes or self.session_minutes) / 60).quantize(Decimal("0.01"))
        return None


class FundingStream(models.TextChoices):
    """Where the money for provision comes from (the school's budget lines for SEN)."""

    NOTIONAL = "notional", "Notional SEN budget"
    PUPIL_PREMIUM = "pupil_premium", "Pupil premium"
    ELEMENT_3 = "element_3", "High-needs top-up (element 3)"
    OTHER = "other", "Other"


class GroupQuerySet(models.QuerySet):
    def in_term(self, starts_on: dt.date, ends_on: dt.date) -> GroupQuerySet:
        """Groups running at some point between the two dates."""
        return self.filter(starts_on__lte=ends_on).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=starts_on)
        )


class InterventionGroup(models.Model):
    """An intervention running for a period with its staff and pupils, and its review."""

    class Rating(models.TextChoices):
        NO_CHANGE = "no_change", "No change"
        OK = "ok", "OK"
        TRY_DIFFERENT = "try_different", "Need to try something different"

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue"
        EXTEND = "extend", "Extend"
        ADAPT = "adapt", "Adapt"
        DISCONTINUE = "discontinue", "Discontinue"

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="groups")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="intervention_groups"
    )
    staff_label = models.CharField(max_length=60, blank=True, help_text="As the map shows it, e.g. HLTA")
    group_size = models.CharField(max_length=10, blank=True, help_text="Staff to pupil ratio, e.g. 1:6")
    frequency = models.CharField(max_length=80, blank=True, help_text="e.g. 3 x 15 mins x 6 weeks")
    schedule = models.CharField(max_length=120, blank=True, help_text="e.g. Mon, Wed, Fri 9:00 (early am)")
    sessions_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    session_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    rating = models.CharField("effectiveness", max_length=16, choices=Rating.choices, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    review_notes = LimitedTextField(blank=True, max_length=LONG_TEXT)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    funding = models.CharField(
        "funding stream", max_length=16, choices=FundingStream.choices, default=FundingStream.NOTIONAL
    )
    # Goes up by one with every change to the group or its pupils; edit forms carry it (trellis.lib.versions).
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "intervention__name"]

    def __str__(self) -> str:
        return f"{self.intervention} from {self.starts_on:%d/%m/%Y}"

    @property
    def staff_name(self) -> str:
        if self.staff_id:
            return self.staff.get_full_name() or self.staff.get_username()
        return self.staff_label

    @property
    def minutes(self) -> int:
        return self.session_minutes or self.intervention.session_minutes

    @property
    def planned_sessions(self) -> int:
        """Sessions a week x weeks between the dates (or the catalogue's duration)."""
        per_week = self.sessions_per_week or self.intervention.sessions_per_week
        if self.ends_on:
            weeks = max(1, round(((self.ends_on - self.starts_on).days + 1) / 7))
        else:
            weeks = self.intervention.duration_weeks
        return per_week * weeks


class Enrolment(models.Model):
    """A pupil in a group, with the target in words and the outcome notes; measures hold the numbers."""

    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="enrolments")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="provision_enrolments")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    target_description = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    outcome_notes = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    # Blank: the group's stream pays. Set when this pupil's place is paid otherwise (element 3 for an EHC pupil).
    funding = models.CharField("funding stream", max_length=16, choices=FundingStream.choices, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["group", "pupil__legal_surname", "pupil__legal_forename"]
        constraints = [models.UniqueConstraint(fields=["group", "pupil"], name="unique_enrolment")]

    def __str__(self) -> str:
        return f"{self.pupil} in {self.group}"

    @property
    def funding_stream(self) -> str:
        """The stream paying for this pupil's place: their own, else the group's."""
        return self.funding or self.group.funding


class Measure(models.Model):
    """Entry, target and exit of one enrolment on one scale (two rows for Leuven well-being and involvement).

    The target is either steps to gain (`target_steps`, "+1 sub-level") or a value to reach at least.
    """

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="measures")
    scale = models.ForeignKey("assessment.Scale", on_delete=models.PROTECT, related_name="+")
    entry = models.CharField(max_length=40)
    target_steps = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    target_value = models.CharField(max_length=40, blank=True)
    exit = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["enrolment", "scale__name"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "scale"], name="unique_measure_per_scale")]

    def __str__(self) -> str:
        return f"{self.scale}: {self.entry} -> {self.exit or '?'}"

    @property
    def target_text(self) -> str:
        if self.target_steps is not None:
            return f"+{self.target_steps.normalize():f}"
        return self.target_value


class Session(models.Model):
    """A session held, with who came (Attendance rows)."""

    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["group", "date"]

    def __str__(self) -> str:
        return f"{self.group.intervention} on {self.date:%d/%m/%Y}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="unique_attendance")]


class QftStrategy(models.Model):
    """A quality first teaching strategy used in a class (visual timetables, word banks, seating...)."""

    group = models.ForeignKey("schools.TeachingGroup", on_delete=models.CASCADE, related_name="qft_strategies")
    text = models.CharField(max_length=200)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "added_at", "pk"]
        verbose_name = "quality first teaching strategy"
        verbose_name_plural = "quality first teaching strategies"

    def __str__(self) -> str:
        return self.text


class EhcProvision(models.Model):
    """Hours a week of a provision an EHC plan specifies, to compare with what was delivered."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="ehc_provisions")
    ehc_plan = models.ForeignKey("pupils.EhcPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(max_length=200)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2)
    intervention = models.ForeignKey(
        Intervention,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ehc_provisions",
        help_text="The intervention that delivers it, so delivered hours can be counted.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pupil", "starts_on"]

    def __str__(self) -> str:
        return f"{self.description} ({self.hours_per_week} h/week)"
