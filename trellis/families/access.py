"""Who may act for a family (reads: trellis.pupils.access, `get_child_for_user`). Each rule takes
the user and the record and starts from `works_with`, where `Role.PARENT` is an active carer link."""

from __future__ import annotations

from django.utils import timezone

from trellis.accounts.models import Role
from trellis.plans.models import Plan
from trellis.pupils.access import works_with

from .age import decides_for_themselves


def may_manage_family(user, pupil) -> bool:
    """Invite parents and carers, restrict a carer, set who stands in for a looked-after child: the SENCO."""
    return works_with(user, pupil, {Role.SENCO})


def may_give_views(user, plan: Plan) -> bool:
    """Add views before a review or meeting: a parent or carer of the pupil, on the current plan."""
    return plan.state == Plan.State.ACTIVE and works_with(user, plan.pupil, {Role.PARENT})


def may_answer_plan(user, plan: Plan) -> bool:
    """Agree the current plan or ask for a change: as for views."""
    return may_give_views(user, plan)


def may_give_consent(user, pupil) -> bool:
    """Give or withdraw consent: a parent or carer, until the young person decides for themselves."""
    return works_with(user, pupil, {Role.PARENT}) and not decides_for_themselves(
        pupil.date_of_birth, timezone.localdate()
    )
