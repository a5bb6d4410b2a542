"""Who may move pupil data in and out of the school: imports and CTFs (reads: trellis.pupils.access)."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import scope_for
from trellis.schools.models import School

# The people who keep the school's pupil data in step with the MIS.
TRANSFER_ROLES = {Role.SENCO, Role.ADMINISTRATOR}


def may_import(user, school: School | int) -> bool:
    """Import pupils from a CTF or MIS spreadsheet into the school."""
    return scope_for(user).has_role(school, TRANSFER_ROLES)


def may_export_ctf(user, school: School | int) -> bool:
    """Download a CTF of the school's pupils this user may see (the register entry is enough)."""
    return scope_for(user).has_role(school, TRANSFER_ROLES)


def may_import_transition(user, school: School | int) -> bool:
    """Import a transition package: it brings a pupil's whole SEN record, so the SENCO only."""
    return scope_for(user).has_role(school, {Role.SENCO})
