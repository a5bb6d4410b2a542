"""The one task on django-tasks' queue: run a Job. Everything else is in services."""

from __future__ import annotations

from django_tasks import TaskContext, task

from . import services


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> str:
    worker_ids = context.task_result.worker_ids
    return services.run(job_id, worker_id=worker_ids[-1] if worker_ids else "").state
