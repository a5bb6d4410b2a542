"""Every kind of background job, and which of them the timers start (`manage.py run_scheduled`).

A runner is `run(job: Job) -> Outcome` (trellis.jobs.services), named by its dotted path so that
this table imports no app. Register only work that exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    title: str
    runner: str


KINDS: dict[str, Kind] = {
    "import_pupils": Kind("Import pupils", "trellis.transfer.jobs.import_pupils"),
    "document_batch": Kind("Make a PDF for each pupil", "trellis.documents.batch.run"),
    "prune_queue": Kind("Clear finished work from the job queue", "trellis.jobs.housekeeping.prune_queue"),
    "retention_review": Kind("List SEN files past retention", "trellis.dataprotection.jobs.retention_review"),
    "weekly_digest": Kind("Email the weekly to-do lists", "trellis.todo.digest.send_weekly_digests"),
    "expire_document_batches": Kind("Delete batch zips past their time", "trellis.documents.batch.delete_expired"),
}

SCHEDULED: dict[str, tuple[str, ...]] = {
    "daily": ("expire_document_batches",),
    "weekly": ("prune_queue", "weekly_digest"),
    "monthly": ("retention_review",),
}
