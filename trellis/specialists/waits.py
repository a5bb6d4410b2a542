"""How long pupils wait for each specialist service: the rule behind the school's referrals page.

Per service: the median days from referral to the pupil being seen (over referrals seen, with
their number: a median of 2 is not a median of 40), and the referrals still waiting with how long
each has waited so far. Days are calendar days; a referral seen the day it was made waited 0.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from .models import Referral, Service


@dataclass
class ServiceWaits:
    service: str
    label: str
    seen: list[int] = field(default_factory=list)  # days referred -> seen, one a referral seen
    waiting: list[Referral] = field(default_factory=list)  # not yet seen, longest wait first

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.seen) if self.seen else None


def waits_by_service(referrals: list[Referral], today: dt.date) -> list[ServiceWaits]:
    """One row per service (in the order of `Service`), each referral counted once."""
    rows = {value: ServiceWaits(value, label) for value, label in Service.choices}
    for referral in referrals:
        row = rows[referral.service]
        if referral.seen_on is not None:
            row.seen.append((referral.seen_on - referral.referred_on).days)
        else:
            row.waiting.append(referral)
    for row in rows.values():
        row.waiting.sort(key=lambda r: (r.referred_on, r.pk))
        for referral in row.waiting:
            referral.days = referral.days_waiting(today)
    return list(rows.values())
