"""Who may open which school document, and who writes the SEN information report.

A school document that adds up pupils (the governors' report, the SEN information report's draft
figures) covers every pupil of the school, so only people whose aggregates cover the whole school
may open it (`whole_schools`: SENCO, senior leaders, the office, governors, the trust, superusers),
never a teacher or TA, whose figures are their own pupils'. The provision map is filtered to the
reader's pupils, so anyone with the register may open it. The published SEN information report is
public: it needs no rule.

Pupils' documents:
- Drafts: anyone on the staff who works with the pupil (SENCO, senior leaders, teachers and TAs
  who teach them) may start one and change its wording while it is a draft.
- Release and sending: the SENCO and senior leaders, who answer for what leaves the school.
- A batch of PDFs: school staff who see pupils' records (SENCO, senior leaders, teachers, TAs);
  need to know then applies pupil by pupil, so a teacher's batch holds their own pupils only.
"""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import WHOLE_SCHOOL_ROLES, scope_for, whole_schools, works_with
from trellis.schools.models import School

from .release_models import Draft, Release

DRAFTING_ROLES = {Role.SENCO, Role.SENIOR_LEADER, Role.TEACHER, Role.TA}
RELEASING_ROLES = {Role.SENCO, Role.SENIOR_LEADER}


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


def may_draft_document(user, pupil) -> bool:
    """Start a draft of a pupil's document."""
    return works_with(user, pupil, DRAFTING_ROLES)


def may_edit_draft(user, draft: Draft) -> bool:
    """Change a draft's wording: as for starting one, while it is not released."""
    return not draft.released and works_with(user, draft.pupil, DRAFTING_ROLES)


def may_release_document(user, draft: Draft) -> bool:
    """Release a draft (it is then fixed for good): the SENCO and senior leaders."""
    return not draft.released and works_with(user, draft.pupil, RELEASING_ROLES)


def may_send_document(user, release: Release) -> bool:
    """Hand a released version over (download for the post, email, the family pages) and log it."""
    return works_with(user, release.pupil, RELEASING_ROLES)


def may_batch_documents(user, school) -> bool:
    """Start a batch of one PDF per pupil for a class or the register (each pupil by need to know)."""
    return scope_for(user).has_role(school, DRAFTING_ROLES)
