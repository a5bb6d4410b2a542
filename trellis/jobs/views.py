"""The job page: progress while it runs (htmx polls the status fragment), then its result or errors."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .access import may_see_job
from .heartbeat import worker_status
from .models import Job
from .services import RECORD_TYPE


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.select_related("school"), pk=pk)
    if not may_see_job(request.user, job):
        raise Http404("No such job")
    context = {
        "job": job,
        # Only asked while the job waits or runs: it says why nothing moves.
        "worker": "" if job.finished else worker_status(),
        "problems": {"file_name": job.args.get("file_name", job.title), "problems": job.errors},
    }
    if request.htmx and not request.htmx.boosted:  # the poll; a boosted form's redirect wants the page
        return render(request, "jobs/job.html#status", context)
    # The page may list UPNs (an import's problems): opening it is a read. Polls by the same
    # person are not recorded again.
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type=RECORD_TYPE,
        school=job.school_id,
        record_id=job.pk,
        summary=f"Opened the job {job.title}",
    )
    return render(request, "jobs/job.html", context)
