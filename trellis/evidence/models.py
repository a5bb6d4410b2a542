"""Evidence of progress: quick notes (objective, activity, outcome), pupil voice and weekly
behaviour and attendance. Notes are designed to be linked to targets later (a many-to-many on
the target side or here) without changing what they hold.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.lib.models import LONG_TEXT, SHORT_TEXT, LimitedTextField
from trellis.pupils.areas import domain_label

from .storage import evidence_upload_to, private_storage


class EvidenceNote(models.Model):
    """A quick evidence note (seed 000): what was being learnt, what the pupil did, what came of it."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="evidence_notes")
    date = models.DateField()
    learning_objective = models.CharField(max_length=300)
    activity = LimitedTextField(max_length=LONG_TEXT)
    outcome = LimitedTextField(max_length=LONG_TEXT)
    areas = models.JSONField("areas of need", default=list, blank=True, help_text="AreaOfNeed codes")
    targets = models.ManyToManyField(
        "plans.Target", blank=True, related_name="evidence_notes", help_text="The pupil's targets this is evidence for"
    )
    attachment = models.FileField(storage=private_storage, upload_to=evidence_upload_to, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True, help_text="The file's name when uploaded")
    attachment_type = models.CharField(max_length=40, blank=True, help_text="Content type found from the file")
    attachment_size = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, db_default=1, editable=False, help_text="Goes up with every change"
    )
    # Staff-only unless staff choose to share it (notes written before this field stay staff-only).
    shared_with_family = models.BooleanField(
        "share with the family", default=False, help_text="Parents and carers see this note"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["pupil", "-date"])]

    def __str__(self) -> str:
        return f"{self.learning_objective} ({self.date})"

    @property
    def area_labels(self) -> list[str]:
        return [domain_label(code) for code in self.areas]


class PupilVoiceEntry(models.Model):
    """An "I can ..." statement rated by the pupil on a three-point scale."""

    class Rating(models.IntegerChoices):
        NOT_YET = 1, "Not yet"
        GETTING_THERE = 2, "Getting there"
        CAN_DO = 3, "I can do it"

    class Recorded(models.TextChoices):
        WITH_PUPIL = "with", "With the pupil"
        BY_PUPIL = "by", "By the pupil"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="voice_entries")
    # The target the pupil rated, from the voice page; free "I can" statements have none. A removed
    # target leaves the pupil's answer in place.
    target = models.ForeignKey(
        "plans.Target", null=True, blank=True, on_delete=models.SET_NULL, related_name="voice_entries"
    )
    date = models.DateField()
    statement = models.CharField(max_length=200, help_text='Starts "I can ...", in the pupil\'s words')
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    recorded = models.CharField(max_length=4, choices=Recorded.choices, default=Recorded.WITH_PUPIL)
    comment = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "pupil voice entries"

    def __str__(self) -> str:
        return f"{self.statement}: {self.get_rating_display()}"


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week containing `day` (weeks are stored by their Monday)."""
    return day - dt.timedelta(days=day.weekday())


class WeeklyRecord(models.Model):
    """One week of behaviour points and attendance sessions (two sessions a school day)."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered in Trellis"
        IMPORT = "import", "Imported"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="weekly_records")
    week_starting = models.DateField(help_text="The Monday of the week")
    behaviour_positive = models.PositiveSmallIntegerField(default=0)
    behaviour_negative = models.PositiveSmallIntegerField(default=0)
    sessions_attended = models.PositiveSmallIntegerField()
    sessions_possible = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["week_starting"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "week_starting"], name="one_weekly_record_per_week"),
            models.CheckConstraint(
                condition=models.Q(sessions_attended__lte=models.F("sessions_possible")), name="attended_le_possible"
            ),
        ]

    def __str__(self) -> str:
        return f"Week of {self.week_starting}"

    @property
    def attendance_percent(self) -> float | None:
        if not self.sessions_possible:
            return None
        return round(100 * self.sessions_attended / self.sessions_possible, 1)


class Exclusion(models.Model):
    """A suspension (a fixed-period exclusion) or a permanent exclusion, kept beside attendance.

    A suspension's length is in sessions, two a school day, as attendance is; a permanent exclusion
    has no length. The reason comes from the school's list (exclusions.reasons_for), not DfE codes."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "Suspension (fixed-period exclusion)"
        PERMANENT = "permanent", "Permanent exclusion"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="exclusions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    starts_on = models.DateField("first day")
    sessions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long a suspension is, in sessions (two a school day)"
    )
    reason = models.CharField(max_length=100)
    details = LimitedTextField(max_length=SHORT_TEXT, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, db_default=1, editable=False, help_text="Goes up with every change"
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["pupil", "starts_on"]), models.Index(fields=["starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="suspension", sessions__gte=1, sessions__lte=90)
                | models.Q(kind="permanent", sessions__isnull=True),
                name="exclusion_length_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on}"

    @property
    def days(self) -> Decimal | None:
        """The length in school days (a session is half a day)."""
        return None if self.sessions is None else Decimal(self.sessions) / 2

    @property
    def length_text(self) -> str:
        if self.sessions is None:
            return "Permanent"
        return f"{self.days:f} day{'s' if self.sessions != 2 else ''} ({self.sessions} session{'s' if self.sessions != 1 else ''})"
