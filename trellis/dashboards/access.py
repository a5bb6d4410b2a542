"""Who may change the dashboards' recorded figures (reads: trellis.pupils.access)."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import scope_for
from trellis.schools.models import School


def may_enter_benchmark(user, school: School | int) -> bool:
    """Enter or remove one of the school's own benchmarks (a figure with its source and year): the SENCO."""
    return scope_for(user).has_role(school, {Role.SENCO})
