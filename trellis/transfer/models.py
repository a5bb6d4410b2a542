"""A record of every applied import: who, when, which file (name and checksum), what changed."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


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
