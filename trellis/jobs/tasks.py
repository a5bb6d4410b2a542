"""The one task on django-tasks' queue: run a Job. Everything else is in services."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    return services.run(job_id).state
