"""Pupils shared with each school's external specialists: most shares current, a few expired."""

from __future__ import annotations

import datetime as dt
import random

from trellis.pupils.models import ExternalShare, SenStatus

from .dates import at_noon
from .pupils import Draft

REASONS = (
    "Educational psychology assessment",
    "Speech and language therapy block",
    "Occupational therapy review",
    "CAMHS consultation",
)


def draft_shares(
    rng: random.Random,
    *,
    specialists: list,
    drafts: list[Draft],
    senco,
    today: dt.date,
    active: int = 4,
    expired: int = 2,
) -> list[ExternalShare]:
    """For each specialist, `active` pupils shared until a future date and `expired` whose share has ended.

    Only pupils on roll with SEN, never confidential ones (the register's rule)."""
    eligible = [
        d.pupil
        for d in drafts
        if d.pupil.left_on is None
        and not d.pupil.is_confidential
        and d.pupil.sen_status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)
    ]
    shares = []
    for number, specialist in enumerate(specialists):
        reason = REASONS[number % len(REASONS)]
        chosen = rng.sample(eligible, min(len(eligible), active + expired))
        for index, pupil in enumerate(chosen):
            if index < active:
                expires = today + dt.timedelta(days=rng.randint(14, 180))
            else:
                expires = today - dt.timedelta(days=rng.randint(1, 90))
            granted = min(today, expires - dt.timedelta(days=rng.randint(60, 200)))
            shares.append(
                ExternalShare(
                    pupil=pupil,
                    specialist=specialist,
                    reason=reason,
                    expires_on=expires,
                    granted_by=senco,
                    granted_at=at_noon(granted),
                )
            )
    return shares
