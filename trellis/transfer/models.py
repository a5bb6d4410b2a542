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


class StagedChunk(models.Model):
    """One chunk of an import's planned writes, kept until the import goes live (then deleted).

    An import is checked and planned chunk by chunk, each chunk staged here in its own short
    transaction; the live step then applies every chunk in one short transaction, so the file's
    pupils arrive all or nothing while other saves wait seconds at most (SQLite has one writer).
    """

    token = models.CharField(max_length=32)
    seq = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    ops = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "seq"], name="unique_staged_chunk")]

    def __str__(self) -> str:
        return f"staged chunk {self.seq} of import {self.token}"
