"""Who may act for a family (reads: trellis.pupils.access, `get_child_for_user`). Each rule takes
the user and the record and starts from `works_with`, where `Role.PARENT` is an active carer link."""

from __future__ import annotations

from django.utils import timezone

from trellis.accounts.models import Role
from trellis.plans.models import Plan
from trellis.pupils.access import scope_for, works_with
from trellis.schools.models import School

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


def may_manage_pupil_sign_in(user, school: School | int) -> bool:
    """Switch older pupils' own sign-ins on or off for the school, and set the youngest year: the SENCO."""
    return scope_for(user).has_role(school, {Role.SENCO})


def may_give_sign_in(user, pupil) -> bool:
    """Make (or end) a pupil's own sign-in: the SENCO, where the school allows it for the pupil's year
    and the pupil is on roll."""
    school = pupil.school
    old_enough = pupil.nc_year is not None and pupil.nc_year >= school.pupil_sign_in_from_year
    on_roll = pupil.left_on is None or pupil.left_on > timezone.localdate()
    return school.pupil_sign_in and old_enough and on_roll and works_with(user, pupil, {Role.SENCO})
