"""The worker's heartbeat: a row per running worker, written every few seconds, that /health/
reads. A worker that stops cleanly removes its row; one that dies leaves it to go stale."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Max
from django.utils import timezone

from .models import WorkerHeartbeat
from .services import fail_lost_jobs

logger = logging.getLogger(__name__)
BEAT_SECONDS = 10


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "host": socket.gethostname()[:255], "pid": os.getpid()},
    )


def live_workers(now: dt.datetime | None = None) -> set[str]:
    """The workers that beat within TRELLIS_WORKER_STALE_SECONDS."""
    since = (now or timezone.now()) - dt.timedelta(seconds=settings.TRELLIS_WORKER_STALE_SECONDS)
    return set(WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True))


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat:
    """Beats once now, then (with `periodic`) every BEAT_SECONDS from a thread of its own, so that
    a long job does not make the worker look dead. Each beat also fails the jobs of workers that
    stopped beating (killed mid-job), so that no job page waits for ever."""

    def __init__(self, worker_id: str, *, periodic: bool = True):
        self.worker_id = worker_id
        self.periodic = periodic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        beat(self.worker_id)
        fail_lost_jobs(live_workers())
        if self.periodic:
            self._thread = threading.Thread(target=self._loop, name="trellis-heartbeat", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        try:
            while not self._stop.wait(BEAT_SECONDS):
                try:
                    beat(self.worker_id)
                    fail_lost_jobs(live_workers())
                except DatabaseError:  # a blip: the next beat tries again; /health/ shows "stale" meanwhile
                    logger.warning("Worker heartbeat could not be written", exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=BEAT_SECONDS)
        try:
            forget(self.worker_id)
        except DatabaseError:
            logger.warning("Worker heartbeat could not be removed", exc_info=True)


def uses_worker() -> bool:
    """True when jobs go to the database queue (so a worker must run); false with the immediate
    backend, which runs each job inside the request that starts it."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def worker_status(now: dt.datetime | None = None) -> str:
    """ "ok" (a worker beat within TRELLIS_WORKER_STALE_SECONDS), "stale" (one beat, longer ago: it
    died or hangs), "not running" (none is running), "not configured" (jobs run in the request),
    or "unknown" (the database cannot be read). One query."""
    if not uses_worker():
        return "not configured"
    try:
        last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    except DatabaseError:
        return "unknown"
    if last is None:
        return "not running"
    fresh = (now or timezone.now()) - last <= dt.timedelta(seconds=settings.TRELLIS_WORKER_STALE_SECONDS)
    return "ok" if fresh else "stale"
