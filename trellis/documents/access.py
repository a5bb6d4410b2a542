"""Who may open which school document, and who writes the SEN information report.

A school document that adds up pupils (the governors' report, the SEN information report's draft
figures) covers every pupil of the school, so only people whose aggregates cover the whole school
may open it (`whole_schools`: SENCO, senior leaders, the office, governors, the trust, superusers),
never a teacher or TA, whose figures are their own pupils'. The provision map is filtered to the
reader's pupils, so anyone with the register may open it. The published SEN information report is
public: it needs no rule.
"""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import WHOLE_SCHOOL_ROLES, scope_for, whole_schools
from trellis.schools.models import School


def _school_id(school: School | int) -> int:
    return school if isinstance(school, int) else school.pk


def may_open_governors_report(user, school: School | int) -> bool:
    """The governors' SEND report (aggregates of the whole school, small numbers withheld)."""
    return user.is_authenticated and whole_schools(user, {_school_id(school)})


def may_see_information_report_draft(user, school: School | int) -> bool:
    """This year's SEN information report before it is published: the SENCO and senior leaders."""
    return user.is_authenticated and scope_for(user).has_role(_school_id(school), WHOLE_SCHOOL_ROLES)


def may_write_information_report(user, school: School | int) -> bool:
    """Write the SEN information report's headings, contacts and training, and publish it: the SENCO."""
    return user.is_authenticated and scope_for(user).has_role(_school_id(school), {Role.SENCO})
