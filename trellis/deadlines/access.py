"""Who may record the dates of statutory steps (reads: trellis.pupils.access). Starts from need to
know (`works_with`), as every write rule does."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import works_with


def may_record_deadlines(user, pupil) -> bool:
    """Record the steps of EHC needs assessment requests, annual reviews and SEN support reviews:
    the SENCO, who deals with the LA for the school."""
    return works_with(user, pupil, {Role.SENCO})
