"""Scheduled upkeep of the job machinery itself."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import Job, WorkerHeartbeat
from .services import Outcome

QUEUE_KEEP = dt.timedelta(days=30)  # the queue's own rows (arguments, tracebacks); Jobs are kept
HEARTBEAT_KEEP = dt.timedelta(days=1)


def prune_queue(job: Job) -> Outcome:
    """Remove finished entries from django-tasks' queue table and heartbeats of workers long gone."""
    now = timezone.now()
    removed, _ = DBTaskResult.objects.finished().filter(finished_at__lt=now - QUEUE_KEEP).delete()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEEP).delete()
    return Outcome(summary=f"removed {removed} finished queue entr{'y' if removed == 1 else 'ies'} over 30 days old")
