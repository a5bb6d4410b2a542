"""/api/v1/deadlines: a school's statutory deadlines, as `manage.py deadlines --json` prints them,
for the pupils the caller may see (need to know), the read audited."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Router, Schema

from trellis.api.common import ERRORS, Urn
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.access import get_school_for_user
from trellis.pupils.models import Pupil

from .schedule import deadlines

router = Router(tags=["deadlines"])


class DeadlineOut(Schema):
    upn: str
    pupil: str
    kind: Literal["ehc_assessment", "annual_review", "phase_transfer", "sen_support_review"]
    step: str
    due: dt.date
    status: Literal["upcoming", "due_soon", "overdue", "done"]


class DeadlinesOut(Schema):
    deadlines: list[DeadlineOut]


@router.get("/deadlines", response={200: DeadlinesOut, **ERRORS}, summary="A school's statutory deadlines")
def list_deadlines(request, school: Urn):
    """Every deadline of the pupils of `school` (URN) that you may see, soonest first."""
    found = get_school_for_user(request.auth, school, pupils=True)
    pupils = Pupil.objects.visible_to(request.auth).filter(school=found)
    rows = [d.as_json() for d in deadlines(pupils, today=timezone.localdate())]
    audit.record(
        actor=request.auth,
        action=AuditEvent.Action.VIEW,
        record_type="deadline list",
        school=found,
        summary="Read the statutory deadlines",
        via="api",
    )
    return {"deadlines": rows}
