"""A record of every applied import: who, when, which file (name and checksum), what changed."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from trellis.lib.models import LONG_TEXT, SHORT_TEXT, LimitedTextField


class ImportRun(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="import_runs")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=8, default="web", help_text="web or command")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256 checksum", max_length=64)
    file_format = models.CharField(max_length=8)
    records = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0, help_text="pupils on roll not in the file (kept)")
    warnings = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} imported {self.at:%Y-%m-%d %H:%M} by {self.by_name}"


class StagedRow(models.Model):
    """One planned write of an import (a new pupil, a change, a history row, an audit event), kept
    until the import goes live, then deleted.

    An import is read and checked chunk by chunk, each chunk's rows staged here in a short
    transaction of its own; the live step then copies them into the live tables with a few
    INSERT ... SELECT and UPDATE statements in ONE short transaction, so the file's pupils arrive
    all or nothing while other saves wait a second or two at most (SQLite has one writer).
    """

    token = models.CharField(max_length=32)  # the import
    kind = models.CharField(max_length=16)  # pupil, update, status, need, member, event, end_status...
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["token", "kind"], name="staged_row_token_kind")]

    def __str__(self) -> str:
        return f"staged {self.kind} of import {self.token}"


class Arrival(models.Model):
    """A pupil who arrived with a transition package: where from, and the plans that came with it
    (previous plans: read-only history, never this school's to change)."""

    pupil = models.OneToOneField("pupils.Pupil", on_delete=models.CASCADE, related_name="arrival")
    run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    from_school_urn = models.CharField("previous school's URN", max_length=8)
    from_school_name = models.CharField("previous school", max_length=200)
    from_trust = models.CharField("previous school's trust", max_length=200, blank=True)
    exported_at = models.CharField(max_length=40, help_text="When the previous school made the package")
    plans = models.ManyToManyField("plans.Plan", blank=True, related_name="arrivals")
    # The parents and carers the package named who have no parent's account here: [{name, email,
    # relationship}], for the SENCO to invite from the pupil's parents and carers page.
    carers = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.pupil} from {self.from_school_name}"


class PastProvision(models.Model):
    """An intervention the pupil had at a previous school, with its impact for them: a record of
    the past, not joined to this school's groups (its other pupils never travel with it)."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="past_provision")
    arrival = models.ForeignKey(Arrival, on_delete=models.CASCADE, related_name="provision")
    intervention = models.CharField(max_length=120)
    area_of_need = models.CharField(max_length=80, blank=True)
    description = LimitedTextField(blank=True, max_length=LONG_TEXT)
    frequency = models.CharField(max_length=80, blank=True)
    group_size = models.CharField(max_length=10, blank=True)
    staff = models.CharField(max_length=150, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    target_description = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    outcome_notes = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    rating = models.CharField(max_length=16, blank=True)
    decision = models.CharField(max_length=12, blank=True)
    sessions_marked = models.PositiveSmallIntegerField(default=0)
    sessions_attended = models.PositiveSmallIntegerField(default=0)
    measures = models.JSONField(
        default=list, blank=True, help_text="[{scale, entry, target_steps, target_value, exit}]"
    )

    class Meta:
        ordering = ["pupil", "starts_on", "pk"]
        verbose_name_plural = "past provision"

    def __str__(self) -> str:
        return f"{self.intervention} from {self.starts_on} at {self.arrival.from_school_name}"
