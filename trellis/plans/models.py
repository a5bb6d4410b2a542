"""Plans (SEN support plan, ILP, pupil passport, EHC plan), their SMART targets and reviews.

A plan is drafted, made active, then archived. Every change to an active plan first keeps an
immutable PlanVersion of what the plan said, so "what did the plan say on 3 March?" always has
an answer (`Plan.as_of`). Targets hang off a plan; each is reviewed every half term on its
scale. Whether a target is on track is decided in one place: trellis.plans.progress.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.assessment.models import Domain
from trellis.lib.models import LONG_TEXT, SHORT_TEXT, LimitedTextField
from trellis.pupils.areas import domain_label

# The plan fields a version keeps (everything a reader of the plan sees).
PLAN_CONTENT_FIELDS = [
    "kind",
    "state",
    "title",
    "strengths",
    "needs",
    "pupil_good_at",
    "pupil_find_hard",
    "pupil_what_helps",
    "pupil_views_how",
    "parent_views",
    "strategies",
    "provision",
    "starts_on",
    "review_on",
    "written_by",
]


class Plan(models.Model):
    class Kind(models.TextChoices):
        SEN_SUPPORT = "sen_support", "SEN support plan (IEP)"
        ILP = "ilp", "Individual learning plan (ILP)"
        PASSPORT = "passport", "Pupil passport"
        EHC = "ehc", "EHC plan outcomes"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    title = models.CharField(max_length=200, blank=True)
    strengths = LimitedTextField(blank=True, max_length=LONG_TEXT)
    needs = models.JSONField(default=dict, blank=True, help_text="Area of need (a Domain value) -> description")
    pupil_good_at = LimitedTextField("What I am good at", blank=True, max_length=LONG_TEXT)
    pupil_find_hard = LimitedTextField("What I find hard", blank=True, max_length=LONG_TEXT)
    pupil_what_helps = LimitedTextField("What helps me", blank=True, max_length=LONG_TEXT)
    pupil_views_how = models.CharField(
        "How the pupil's views were gathered",
        max_length=200,
        blank=True,
        help_text="e.g. written by Sam; written with Sam by his TA using symbols",
    )
    parent_views = LimitedTextField("Parents' and carers' views", blank=True, max_length=LONG_TEXT)
    strategies = LimitedTextField("Strategies for all staff", blank=True, max_length=LONG_TEXT)
    provision = LimitedTextField(blank=True, help_text="Interventions and support in place", max_length=LONG_TEXT)
    starts_on = models.DateField(null=True, blank=True)
    review_on = models.DateField("Next review", null=True, blank=True)
    written_by = models.CharField(
        "Written by, with", max_length=300, blank=True, help_text="e.g. Ms Khan (SENCO) with Sam and his mum"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Goes up by one with every change through the services; edit forms carry it (trellis.lib.versions).
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        indexes = [models.Index(fields=["pupil", "state"])]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def content(self) -> dict:
        """What the plan says now, as a version would keep it."""
        from trellis.audit.services import snapshot

        return snapshot(self, PLAN_CONTENT_FIELDS)

    def needs_by_area(self) -> list[tuple[str, str]]:
        return [(domain_label(area), text) for area, text in self.needs.items() if text]

    def as_of(self, on: dt.datetime) -> dict | None:
        """What the plan said at a moment: the version in force then, or None before it existed."""
        if on < self.created_at:
            return None
        version = self.versions.filter(saved_at__gt=on).order_by("saved_at").first()
        # A version keeps the content *before* a change, so the first version saved after the
        # moment holds what was in force at it; none saved after means the current content.
        return version.content if version else self.content()


class PlanVersion(models.Model):
    """An immutable copy of a plan's content as it was before a change (kept for active plans)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    in_force_from = models.DateTimeField(help_text="When this content started to apply")
    saved_at = models.DateTimeField(default=timezone.now, help_text="When it was replaced")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version")]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.plan}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Plan versions cannot be changed.")
        super().save(*args, **kwargs)


class EhcOutcome(models.Model):
    """An outcome from the pupil's EHC plan, which targets work towards."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=1)
    text = LimitedTextField(max_length=LONG_TEXT)
    area = models.CharField(max_length=10, choices=Domain.choices, blank=True)

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class TargetQuerySet(models.QuerySet):
    def current(self) -> TargetQuerySet:
        """Targets of active plans that are still being worked on."""
        return self.filter(plan__state=Plan.State.ACTIVE, closed_on__isnull=True)


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    # The pupil again, so lists of targets filter by visible pupils without a join through plans.
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(default=1)
    description = LimitedTextField(max_length=SHORT_TEXT)
    area = models.CharField("Area of need", max_length=10, choices=Domain.choices)
    outcome = models.ForeignKey(
        EhcOutcome,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
        verbose_name="EHC plan outcome",
    )
    scale = models.ForeignKey("assessment.Scale", on_delete=models.PROTECT, related_name="targets")
    baseline_value = models.CharField(max_length=40)
    target_value = models.CharField(max_length=40, blank=True)
    steps_to_gain = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    success_criteria = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    strategies = LimitedTextField(blank=True, max_length=LONG_TEXT)
    responsible = models.CharField("Who is responsible", max_length=200, blank=True)
    starts_on = models.DateField()
    target_date = models.DateField("Review date", null=True, blank=True, help_text="When the target should be met")
    closed_on = models.DateField(null=True, blank=True, help_text="Stopped or replaced")
    rolled_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rolled_over_to"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    # Summary of the latest review, kept by trellis.plans.services.refresh_summary in the same
    # transaction as every change, so dashboards aggregate in SQL without reading every review.
    last_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    last_status = models.CharField(max_length=12, blank=True, editable=False, help_text="Status at the latest review")
    last_gain = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True, editable=False)
    # last_gain / planned gain: the share of planned progress achieved, the one unit that means the
    # same on every scale (issue 16); None without a review or a planned gain above 0.
    last_share = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True, editable=False)
    stuck = models.BooleanField(default=False, editable=False)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position", "pk"]
        indexes = [
            models.Index(fields=["pupil", "closed_on"]),
            models.Index(fields=["last_status", "last_reviewed_on"]),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def planned_gain(self) -> Decimal | None:
        """Steps from the baseline to the target value (or the steps to gain)."""
        from trellis.assessment.scales import ScaleError, steps_between

        if self.target_value:
            try:
                return steps_between(self.scale, self.baseline_value, self.target_value)
            except ScaleError:
                return None
        return self.steps_to_gain

    def goal_value(self) -> str:
        """The target value, or the value `steps_to_gain` above the baseline."""
        from trellis.assessment.scales import ScaleError, add_steps

        if self.target_value:
            return self.target_value
        if self.steps_to_gain is None:
            return ""
        try:
            return add_steps(self.scale, self.baseline_value, self.steps_to_gain) or ""
        except ScaleError:
            return ""


class SmallStep(models.Model):
    """One of a target's small steps, in order; ticked with the date it was achieved."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="small_steps")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    achieved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["target", "position"]

    def __str__(self) -> str:
        return self.text


class Breadth(models.TextChoices):
    """Horizontal progress at a review, on a scale where progress is often horizontal (Scale.is_linear
    off, e.g. the engagement model): the same step, shown more firmly or in new contexts."""

    CONSOLIDATING = "consolidating", "Consolidating"
    GENERALISED = "generalised", "Generalised"


class Review(models.Model):
    """A target's value on its scale on a date, with a comment: expected every half term."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField()
    value = models.CharField(max_length=40)
    comment = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    breadth = models.CharField(
        "Progress across contexts",
        max_length=14,
        choices=Breadth.choices,
        blank=True,
        help_text="Only on scales where progress is often horizontal; needs evidence",
    )
    evidence = LimitedTextField(
        blank=True, max_length=SHORT_TEXT, help_text="What the pupil did, where and with whom (the new context)"
    )
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    # The target's status and gain as this review left them (for trends across half terms).
    status = models.CharField(max_length=12, blank=True, editable=False)
    gain = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["target", "date", "pk"]
        indexes = [models.Index(fields=["target", "date"]), models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.value} on {self.date}"


class ReviewTally(models.Model):
    """How many reviews a school recorded on a day that left their target in each status: the
    trust-wide trends read these few rows instead of every review. Kept by trellis.plans.tally
    in the same transaction as the reviews it counts, so never stale."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    status = models.CharField(max_length=12)
    # Not negative, but no check constraint: changes are added in one upsert (trellis.lib.upsert),
    # which checks the row it would insert, a negative change included, before finding the row.
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "date", "status"], name="one_tally_per_day")]

    def __str__(self) -> str:
        return f"{self.count} {self.status} on {self.date}"


class ReviewWeekTally(models.Model):
    """ReviewTally summed by week (Monday to Sunday), so a trend over a year and more reads a row
    a school a week and status rather than one a school day: half terms begin and end with whole
    weeks, and only the days of a period's part weeks are read from ReviewTally. Kept with it."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday the week starts on")
    status = models.CharField(max_length=12)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "week", "status"], name="one_tally_per_week")]

    def __str__(self) -> str:
        return f"{self.count} {self.status} in the week of {self.week}"


class ProgressTally(models.Model):
    """Current targets and pupils of a school by on-track status (and the overdue, stuck, gain and
    share figures beside them), summed so the trust dashboard reads a few rows a school, not
    every target. Kept by trellis.plans.rollup in the same transaction as every change.

    Statuses depend on the day (a review counts only in the half term it falls in), so each row
    says from which days it counts: `date` is the last window start (or overdue cut-off) it
    applies to, ALWAYS for rows that apply whatever the window; `until` is the last day it
    applies (a pupil's last day on roll; ALWAYS while no leaving date is recorded). The figure
    for a window starting on W, on day T, is the sum of rows with date >= W and until >= T:
    see trellis.plans.rollup."""

    class Measure(models.TextChoices):
        TARGETS = "targets", "Current targets by status"
        PUPILS = "pupils", "Pupils by their least good target's status"
        OVERDUE = "overdue", "Targets without a review for more than eight weeks"
        STUCK = "stuck", "Stuck targets"
        GAIN = "gain", "Targets with a gain (count) and their steps (total)"
        SHARE = "share", "Targets with a planned gain (count) and their share of it achieved (total)"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=8, choices=Measure.choices)
    status = models.CharField(max_length=12, blank=True)
    # The scale's id for gain and share (averaged per scale); 0 for the others. Not a foreign key:
    # a tally row outlives nothing it counts (scales with targets cannot be deleted).
    scale_key = models.PositiveIntegerField(default=0)
    date = models.DateField()
    until = models.DateField()
    count = models.IntegerField(default=0)
    total = models.DecimalField(max_digits=16, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "measure", "status", "scale_key", "date", "until"], name="one_progress_tally"
            )
        ]
        indexes = [models.Index(fields=["school", "date"], name="progress_tally_read")]

    def __str__(self) -> str:
        return f"{self.measure} {self.status} {self.date}..{self.until}: {self.count}"


class PupilRollup(models.Model):
    """What one pupil adds to the progress tallies (ProgressTally rows as a list), so a change
    takes exactly that away before adding the new. A plain id, not a foreign key: when a pupil
    is deleted their targets' deletions take the contribution away first."""

    pupil_id = models.BigIntegerField(primary_key=True)
    school_id = models.BigIntegerField()
    parts = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Pupil {self.pupil_id}: {len(self.parts)} tally parts"
