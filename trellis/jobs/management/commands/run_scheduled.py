"""manage.py run_scheduled weekly|monthly: queue the jobs registered for that period
(trellis/jobs/kinds.py, SCHEDULED) for the worker. The systemd timers in deploy/ (or cron) call it;
running it twice on one day queues nothing new."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from trellis.jobs.kinds import SCHEDULED
from trellis.jobs.services import start_scheduled


class Command(BaseCommand):
    help = "Queue the weekly or monthly jobs for the background worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("period", choices=sorted(SCHEDULED))

    def handle(self, *, period: str, **options) -> None:
        jobs = start_scheduled(period, today=timezone.localdate())
        if not jobs:
            self.stdout.write(f"No {period} jobs are registered yet.")
        for job in jobs:
            self.stdout.write(f"Job {job.pk}: {job.title} ({job.get_state_display().lower()})")
