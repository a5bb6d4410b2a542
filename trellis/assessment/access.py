"""Who may add scales and record assessments (reads: trellis.pupils.access)."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import scope_for, works_with
from trellis.schools.models import School

ASSESSORS = {Role.SENCO, Role.SENIOR_LEADER, Role.TEACHER, Role.TA}


def may_add_scale(user, school: School | int) -> bool:
    """Add one of the school's own scales: the SENCO."""
    return scope_for(user).has_role(school, {Role.SENCO})


def may_record_assessments(user, school: School | int) -> bool:
    """Open the assessment grid of the school (it lists only the pupils this user may see)."""
    return scope_for(user).has_role(school, ASSESSORS)


def may_record_boxall(user, pupil) -> bool:
    """Record a pupil's Boxall Profile: staff who assess and may see the pupil's SEN record."""
    return works_with(user, pupil, ASSESSORS)


def may_set_competent_ranges(user, school: School | int) -> bool:
    """Enter the school's Boxall competent ranges (from its own handbook): the SENCO."""
    return scope_for(user).has_role(school, {Role.SENCO})
