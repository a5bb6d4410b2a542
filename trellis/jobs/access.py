"""Who may see a background job: the person who started it, the SENCO of its school, superusers."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import scope_for

from .models import Job


def may_see_job(user, job: Job) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or (job.started_by_id is not None and job.started_by_id == user.pk):
        return True
    return job.school_id is not None and scope_for(user).has_role(job.school_id, {Role.SENCO})
