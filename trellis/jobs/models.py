"""Long work done by the background worker: what it is, who started it, how far it has got, and
what came of it. The queue itself is django-tasks' (its own table); a Job is what people see."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, help_text="a name in trellis.jobs.kinds.KINDS")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_by_name = models.CharField(max_length=150, help_text="kept after the account goes; 'system' for timers")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    args = models.JSONField(default=dict, blank=True)
    # Starting the same work twice (a double click, a timer that fires again) gives the first job.
    key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="unknown until the work says")
    summary = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # Each {"line", "upn", "field", "message", "accepted"}, as an import lists its problems.
    errors = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="the queue's id for this run")
    worker_id = models.CharField(max_length=64, blank=True, help_text="the worker running it")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display().lower()})"

    @property
    def title(self) -> str:
        from .kinds import KINDS

        kind = KINDS.get(self.kind)
        return kind.title if kind else self.kind

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def kept_until(self) -> dt.datetime | None:
        """When a result kept for a time (a batch's zip) is deleted; None when nothing is kept."""
        return _when(self.result.get("kept_until")) if "file" in self.result else None

    @property
    def kept_until_passed(self) -> bool:
        return self.kept_until is not None and self.kept_until <= timezone.now()

    @property
    def deleted_at(self) -> dt.datetime | None:
        """When that result was deleted, its time being up."""
        return _when(self.result.get("deleted_at"))

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == self.State.SUCCEEDED else None
        return min(100, self.done * 100 // self.total)


class WorkerHeartbeat(models.Model):
    """Each running worker writes its row every few seconds; /health/ reads the newest."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host}, last seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
