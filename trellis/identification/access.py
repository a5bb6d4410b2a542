"""Who may raise, correct and work on concerns (reads: trellis.pupils.access). Each rule takes the
user and the record, and starts from need to know (`works_with`)."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import works_with

from .models import Concern, StaffViewRequest

# Staff of the school who may raise a concern about a pupil they can see (not specialists, governors
# or trust leaders, who are not the school's staff).
RAISING_ROLES = {Role.SENCO, Role.SENIOR_LEADER, Role.TEACHER, Role.TA, Role.ADMINISTRATOR}


def may_raise_concern(user, pupil) -> bool:
    return works_with(user, pupil, RAISING_ROLES)


def may_record_others_concern(user, pupil) -> bool:
    """Record a concern raised by a parent, a test or the previous setting: the SENCO."""
    return works_with(user, pupil, {Role.SENCO})


def may_manage_concern(user, concern: Concern) -> bool:
    """Gather evidence, ask staff for their views and decide: the SENCO."""
    return works_with(user, concern.pupil, {Role.SENCO})


def may_correct_concern(user, concern: Concern) -> bool:
    """Whoever raised it may correct it while it is open; the SENCO may correct it at any stage
    (what the decision rested on stays in the audit trail)."""
    if works_with(user, concern.pupil, {Role.SENCO}):
        return True
    raiser = concern.raised_by_id is not None and concern.raised_by_id == user.pk
    return raiser and concern.is_open and may_raise_concern(user, concern.pupil)


def may_answer_view(user, view_request: StaffViewRequest) -> bool:
    """The member of staff asked gives their view (changed until the decision), while they may see the pupil."""
    return view_request.staff_id == user.pk and works_with(user, view_request.concern.pupil, RAISING_ROLES)
