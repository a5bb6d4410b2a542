"""Who may add specialist advice, keep referrals and act on recommendations (reads:
trellis.pupils.access). Each rule takes the user and the record and starts from `works_with`."""

from __future__ import annotations

from trellis.accounts.models import Role
from trellis.pupils.access import works_with

from .models import Recommendation


def may_add_advice(user, pupil) -> bool:
    """Add advice (a report, recommendations): a specialist the pupil is shared with, while the share
    lasts (need to know gives a specialist exactly the pupils of their active shares)."""
    return works_with(user, pupil, {Role.SPECIALIST})


def may_manage_referrals(user, pupil) -> bool:
    """Record and update the pupil's referrals to specialist services: the SENCO."""
    return works_with(user, pupil, {Role.SENCO})


def may_adopt_recommendation(user, recommendation: Recommendation) -> bool:
    """Turn a recommendation into a strategy or a target, once: the SENCO."""
    return not recommendation.became and works_with(user, recommendation.advice.pupil, {Role.SENCO})
