"""Starting a background job, reporting its progress and recording how it ended (audited).

`start_job` writes the Job and puts it on django-tasks' queue in ONE transaction: the queue is a
table in the same database, so the worker never sees a job that was not saved, nor a saved job
that was not queued.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .kinds import KINDS, SCHEDULED
from .models import Job

logger = logging.getLogger(__name__)
RECORD_TYPE = "background job"


@dataclass
class Outcome:
    """What a runner returns: a line for people, anything else to keep, and the errors (if any,
    the job failed), each {"line", "upn", "field", "message", "accepted"} as an import's problems."""

    summary: str
    result: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


def error_row(message: str, *, accepted: str = "", line: int | None = None, upn: str = "", field: str = "") -> dict:
    return {"line": line, "upn": upn, "field": field, "message": message, "accepted": accepted}


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def start_job(kind: str, user, *, school=None, key: str | None = None, **args: Any) -> Job:
    """Queue a job of `kind` for `user` (None: the system, e.g. a timer). With `key`, starting the
    same work again returns the job already started (a double click, a timer run twice)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r} (known: {', '.join(sorted(KINDS))})")
    if key and (existing := Job.objects.filter(key=key).first()):
        return existing
    actor = _actor(user)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                started_by=actor,
                started_by_name=(actor.get_username() if actor else "system")[:150],
                school=school,
                args=args,
                key=key or None,
            )
            audit.record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                record_type=RECORD_TYPE,
                school=school,
                record_id=job.pk,
                summary=f"Started: {job.title}" + (f" ({args['file_name']})" if "file_name" in args else ""),
                via="web" if actor else "command",
            )
            from .tasks import run_job

            queued = run_job.enqueue(job.pk)  # the immediate backend (tests) runs it here and now
            Job.objects.filter(pk=job.pk).update(task_id=str(queued.id)[:64])
    except IntegrityError:
        if key and (existing := Job.objects.filter(key=key).first()):
            return existing
        raise
    job.refresh_from_db()
    return job


def report_progress(job: Job, done: int, total: int | None = None) -> None:
    """Save how far the job has got (each call is one small UPDATE, committed at once)."""
    job.done, job.total = done, total if total is not None else job.total
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total)


def run(job_id: int, *, worker_id: str = "") -> Job:
    """Run a queued job (the worker calls this through the task): mark it running, call its
    runner, record the outcome. An unexpected error fails the job, is logged, and is raised again
    so that the queue records it too."""
    job = Job.objects.select_related("started_by", "school").get(pk=job_id)
    if job.state != Job.State.QUEUED:
        return job  # run already (a task picked up twice): never do the work again
    job.state, job.started_at, job.worker_id = Job.State.RUNNING, timezone.now(), worker_id[:64]
    Job.objects.filter(pk=job.pk).update(state=job.state, started_at=job.started_at, worker_id=job.worker_id)
    try:
        outcome = import_string(KINDS[job.kind].runner)(job)
    except Exception:
        logger.exception("Background job %s (%s) stopped with an unexpected error", job.pk, job.kind)
        finish(
            job,
            Outcome(
                summary="stopped with an unexpected error",
                errors=[
                    error_row(
                        "The job stopped with an unexpected error (the worker's log says what).",
                        accepted="start it again; if it fails again, tell your Trellis administrator",
                    )
                ],
            ),
        )
        raise
    finish(job, outcome)
    return job


@transaction.atomic
def finish(job: Job, outcome: Outcome) -> None:
    job.state = Job.State.FAILED if outcome.errors else Job.State.SUCCEEDED
    job.summary, job.result, job.errors = outcome.summary[:300], outcome.result, outcome.errors
    job.finished_at = timezone.now()
    if job.state == Job.State.SUCCEEDED and job.total:
        job.done = job.total
    job.save(update_fields=["state", "summary", "result", "errors", "finished_at", "done"])
    audit.record(
        actor=job.started_by,
        action=AuditEvent.Action.UPDATE,
        record_type=RECORD_TYPE,
        school=job.school_id,
        record_id=job.pk,
        summary=f"{'Finished' if job.state == Job.State.SUCCEEDED else 'Failed'}: {job.title}: {job.summary}",
        changes={"state": [Job.State.RUNNING.value, job.state]},
        via="worker",
    )


LOST = error_row(
    "the background worker stopped while this job was running (a restart, or the machine went down)",
    accepted="start it again (an import is all or nothing: none of it was saved)",
)


def fail_lost_jobs(live_workers: set[str]) -> list[Job]:
    """Fail the running jobs whose worker is not among `live_workers` (it died: nothing else would
    ever finish them, and their pages would wait for ever)."""
    lost = list(
        Job.objects.filter(state=Job.State.RUNNING)
        .exclude(worker_id="")
        .exclude(worker_id__in=live_workers)
        .select_related("started_by")
    )
    for job in lost:
        logger.warning("Background job %s was running on worker %s, which stopped", job.pk, job.worker_id)
        finish(job, Outcome(summary="stopped when the background worker stopped", errors=[LOST]))
    return lost


def start_scheduled(period: str, *, today: dt.date) -> list[Job]:
    """Queue the jobs registered for `period` (weekly, monthly), once per day whatever the timers do."""
    if period not in SCHEDULED:
        raise ValueError(f"unknown period {period!r} (known: {', '.join(sorted(SCHEDULED))})")
    return [start_job(kind, None, key=f"{period} {kind} {today.isoformat()}") for kind in SCHEDULED[period]]
