"""Scales progress is measured on (kept as data) and assessments of pupils on them.

A scale is either a list of ordered steps (emerging < developing < ..., 2c < 2b < 2a) or a
numeric range (a standardised score, a reading age in months). Progress is counted in steps:
one place on an ordered scale, one unit on a numeric one, positive in the scale's direction
of improvement. The shipped scales have no school; a SENCO adds their school's own.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trellis.lib.models import SHORT_TEXT, LimitedTextField

WORD_CODE = re.compile(r"[a-z]+(-[a-z]+)*")  # a step value written as a code: "no-change", "secure"


class Domain(models.TextChoices):
    """The six baseline domains (seed 000), also used as a target's area of need."""

    COGNITION = "cognition", "Cognition and learning"
    SLC = "slc", "Speech, language and communication"
    SOCIAL = "social", "Social communication and interaction"
    SPLD = "spld", "Specific learning difficulties"
    SEMH = "semh", "Social, emotional and mental health"
    PHYSICAL = "physical", "Physical and medical (including vision and hearing)"


class ScaleQuerySet(models.QuerySet):
    def for_school(self, school) -> ScaleQuerySet:
        """The shipped scales plus the school's own."""
        school_id = school if isinstance(school, int) or school is None else school.pk
        return self.filter(models.Q(school__isnull=True) | models.Q(school_id=school_id))


class Scale(models.Model):
    class Kind(models.TextChoices):
        ORDERED = "ordered", "Ordered steps"
        NUMERIC = "numeric", "Numeric range"

    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scales",
        help_text="Empty for the scales Trellis ships; set for a school's own scale.",
    )
    code = models.SlugField(max_length=40, help_text="Short code used in files, the API and URLs, e.g. nc-levels")
    name = models.CharField(max_length=100)
    description = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    higher_is_better = models.BooleanField(
        "higher is better",
        default=True,
        help_text="Untick when a lower value is an improvement (e.g. SDQ difficulties)",
    )
    is_linear = models.BooleanField(
        default=True, help_text="Untick when progress is often horizontal (the same step in new contexts)"
    )
    min_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    step = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"), "The smallest difference must be more than 0")],
        help_text="Smallest recordable difference, e.g. 1 or 0.1",
    )
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. months, %")

    objects = ScaleQuerySet.as_manager()

    class Meta:
        ordering = ["school_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(school__isnull=True), name="unique_shipped_scale_code"
            ),
            models.UniqueConstraint(fields=["school", "code"], name="unique_school_scale_code"),
            # A zero or negative step would make every "steps gained" a division by zero or upside down.
            models.CheckConstraint(condition=Q(step__isnull=True) | Q(step__gt=0), name="scale_step_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ordered(self) -> bool:
        return self.kind == self.Kind.ORDERED

    @cached_property
    def ordered_steps(self) -> list[ScaleStep]:
        """Steps in order (uses prefetched steps when there are)."""
        return sorted(self.steps.all(), key=lambda s: s.position)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {s.value.casefold(): i for i, s in enumerate(self.ordered_steps)} | {
            s.label.casefold(): i for i, s in enumerate(self.ordered_steps) if s.label
        }

    @cached_property
    def bands_in_order(self) -> list[ScaleBand]:
        return sorted(self.bands.all(), key=lambda b: b.low)

    @property
    def called(self) -> str:
        """The scale in a sentence, after "the": "NC levels scale", but "Developmental scale", not
        "Developmental scale scale"."""
        return self.name if self.name.lower().endswith("scale") else f"{self.name} scale"

    def describe_allowed(self) -> str:
        """The allowed values in words, for error messages and hints (a word value by its label,
        which files and forms accept as well as the value)."""
        if self.is_ordered:
            return ", ".join(self.display_value(s.value) for s in self.ordered_steps)
        unit = f" {self.unit}" if self.unit and self.unit != "%" else self.unit
        return f"a number from {_plain(self.min_value)} to {_plain(self.max_value)}{unit}" + (
            f" in steps of {_plain(self.step)}" if self.step and self.step != 1 else ""
        )

    def describe_range(self) -> str:
        """The unit and range of a numeric scale, short enough to show beside a box ("months, 0 to 240")."""
        if self.is_ordered:
            return ""
        span = f"{_plain(self.min_value)} to {_plain(self.max_value)}" if self.min_value is not None else ""
        return ", ".join(part for part in (self.unit, span) if part)

    def label_for(self, value: str) -> str:
        """A value as people read it: the step's label, or the number with its unit."""
        if self.is_ordered:
            index = self._positions.get(str(value).casefold())
            return self.ordered_steps[index].label or value if index is not None else value
        return f"{value}{' ' + self.unit if self.unit and self.unit != '%' else self.unit}"

    def display_value(self, value: str) -> str:
        """A value as a page shows it: a step written as a code word ("try-something-different",
        "emerging") shows its label; a level, standard or score ("2b", "PK3", "3") stays as written,
        as staff know it; a number keeps its unit."""
        if not value:
            return value
        if not self.is_ordered:
            return self.label_for(value)
        return self.label_for(value) if WORD_CODE.fullmatch(str(value)) else value


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    return f"{number.normalize():f}"


class ScaleStep(models.Model):
    """One value of an ordered scale, in order."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    value = models.CharField(max_length=40, help_text="As written in files and the API, e.g. 2c, PK3, secure")
    label = models.CharField(max_length=100, blank=True)
    descriptor = LimitedTextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "position"], name="unique_step_position"),
            models.UniqueConstraint(fields=["scale", "value"], name="unique_step_value"),
        ]

    def __str__(self) -> str:
        return self.label or self.value


class ScaleBand(models.Model):
    """A named range of a numeric scale (e.g. SDQ teacher-report bands)."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="bands")
    low = models.DecimalField(max_digits=8, decimal_places=2)
    high = models.DecimalField(max_digits=8, decimal_places=2)
    label = models.CharField(max_length=60)

    class Meta:
        ordering = ["scale", "low"]

    def __str__(self) -> str:
        return f"{self.label} ({_plain(self.low)}–{_plain(self.high)})"


class Assessment(models.Model):
    """A pupil's value on a scale in a domain, usually at one of the school's assessment points."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="assessments")
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="assessments")
    value = models.CharField(max_length=40)
    domain = models.CharField(max_length=10, choices=Domain.choices)
    subject = models.CharField(max_length=60, blank=True, help_text="e.g. reading, writing, maths")
    assessment_point = models.ForeignKey(
        "schools.AssessmentPoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["pupil", "scale", "date"])]

    def __str__(self) -> str:
        return f"{self.scale.code} {self.value} on {self.date}"

    @property
    def is_baseline(self) -> bool:
        return bool(self.assessment_point_id and self.assessment_point.is_baseline)


class BoxallCluster(models.TextChoices):
    """The Boxall Profile's cluster groups (DOMAIN.md). Each is a shipped scale `boxall-<value>`;
    the item wording is copyright, so only cluster scores are ever stored."""

    ORGANISATION = "organisation", "Organisation of experience"
    INTERNALISATION = "internalisation", "Internalisation of controls"
    SELF_LIMITING = "self-limiting", "Self-limiting features"
    UNDEVELOPED = "undeveloped", "Undeveloped behaviour"
    UNSUPPORTED = "unsupported", "Unsupported development"

    @property
    def section(self) -> str:
        developmental = {BoxallCluster.ORGANISATION, BoxallCluster.INTERNALISATION}
        return "Developmental strands" if self in developmental else "Diagnostic profile"

    @property
    def scale_code(self) -> str:
        return f"boxall-{self.value}"


class CompetentRange(models.Model):
    """A school's competent range for one Boxall cluster, as the school enters it from its own
    Boxall handbook (Trellis ships no ranges: they are not ours to publish)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="competent_ranges")
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="competent_ranges")
    low = models.DecimalField(max_digits=8, decimal_places=2)
    high = models.DecimalField(max_digits=8, decimal_places=2)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["school", "scale"]
        constraints = [
            models.UniqueConstraint(fields=["school", "scale"], name="unique_competent_range"),
            models.CheckConstraint(condition=Q(high__gte=models.F("low")), name="competent_range_low_high"),
        ]

    def __str__(self) -> str:
        return f"{self.scale.name}: {_plain(self.low)} to {_plain(self.high)}"

    def describe(self) -> str:
        return f"{_plain(self.low)} to {_plain(self.high)}"

    def standing(self, value: Decimal) -> str:
        """Where a score sits: "below", "within" (the edges count as within) or "above"."""
        if value < self.low:
            return "below"
        return "above" if value > self.high else "within"
