"""Every kind of background job, and which of them the timers start (`manage.py run_scheduled`).

A runner is `run(job: Job) -> Outcome` (trellis.jobs.services), named by its dotted path so that
this table imports no app. Register only work that exists: later issues add email digests (weekly)
here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    title: str
    runner: str


KINDS: dict[str, Kind] = {
    "import_pupils": Kind("Import pupils", "trellis.transfer.jobs.import_pupils"),
    "prune_queue": Kind("Clear finished work from the job queue", "trellis.jobs.housekeeping.prune_queue"),
    "retention_review": Kind("List SEN files past retention", "trellis.dataprotection.jobs.retention_review"),
}

SCHEDULED: dict[str, tuple[str, ...]] = {
    "weekly": ("prune_queue",),
    "monthly": ("retention_review",),
}
