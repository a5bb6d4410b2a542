"""The monthly retention review, run by the worker (trellis/jobs/kinds.py, SCHEDULED["monthly"])."""

from __future__ import annotations

from collections import Counter

from django.urls import reverse
from django.utils import timezone

from trellis.jobs.models import Job
from trellis.jobs.services import Outcome

from . import retention


def retention_review(job: Job) -> Outcome:
    """Count the files past retention at each school; the SENCOs approve deletions on the page.
    Names stay out of the job's result: its page is seen by whoever started it."""
    pupils = list(retention.due(timezone.localdate()).values_list("pk", "school__urn"))
    by_school = Counter(urn for _pk, urn in pupils)
    return Outcome(
        summary=f"{len(pupils)} SEN file{'' if len(pupils) == 1 else 's'} past retention, for the SENCO to review "
        f"at {reverse('retention')}",
        result={"past retention": dict(sorted(by_school.items()))},
    )
