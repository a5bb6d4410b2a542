"""Who may change plans, targets and reviews (reads: trellis.pupils.access). Each rule takes the
user and the record, and starts from need to know (`works_with`)."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import scope_for, works_with
from trellis.schools.models import School

from .models import Plan, Review, Target

PLAN_WRITERS = {Role.SENCO, Role.TEACHER}
# Staff who work with the pupil record reviews; specialists and administrators read only.
REVIEWERS = {Role.SENCO, Role.SENIOR_LEADER, Role.TEACHER, Role.TA}


def may_write_plan(user, pupil) -> bool:
    """Write a new plan for the pupil: the SENCO, and the pupil's teachers."""
    return works_with(user, pupil, PLAN_WRITERS)


def may_edit_plan(user, plan: Plan) -> bool:
    """Change a plan, its state and its targets: as for a new plan. A previous school's plan, brought
    by a transition package, is history: nobody here changes it (it arrives archived)."""
    if plan.state == Plan.State.ARCHIVED and plan.arrivals.exists():
        return False
    return may_write_plan(user, plan.pupil)


def may_edit_target(user, target: Target) -> bool:
    return may_write_plan(user, target.pupil)


def may_roll_over(user, target: Target) -> bool:
    """Close a target and start the next from its latest value: an open target only."""
    return target.closed_on is None and may_edit_target(user, target)


def may_review(user, target: Target) -> bool:
    """Record a review of a target and tick its small steps."""
    return works_with(user, target.pupil, REVIEWERS)


def may_correct_review(user, review: Review) -> bool:
    """Whoever recorded a review may correct or remove it; the SENCO may correct any."""
    pupil = review.target.pupil
    return may_review(user, review.target) and (
        review.reviewed_by_id == user.pk or works_with(user, pupil, {Role.SENCO})
    )


def may_see_smart_list(user, school: School | int) -> bool:
    """The school's list of targets the SMART check warns about: the SENCO's."""
    return scope_for(user).has_role(school, {Role.SENCO})
