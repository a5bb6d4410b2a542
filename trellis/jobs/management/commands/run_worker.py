"""manage.py run_worker: the background worker (django-tasks' database worker, `db_worker`, with
all its options) plus a heartbeat for /health/. Any number may run, on any machines: each job is
claimed under a row lock, so only one worker runs it."""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from trellis.jobs.heartbeat import Heartbeat


class Command(DatabaseWorkerCommand):
    help = "Run Trellis's background worker: imports and other long jobs (see the README)."

    def handle(self, *args, **options) -> None:
        reloading = options["reload"] and not options["batch"]  # DEBUG: a parent that restarts a child
        heart = None
        if not reloading or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # --batch runs what is queued and stops: one beat, from this thread, is enough.
            heart = Heartbeat(options["worker_id"], periodic=not options["batch"])
            heart.start()
        try:
            super().handle(*args, **options)
        finally:
            if heart is not None:
                heart.stop()
