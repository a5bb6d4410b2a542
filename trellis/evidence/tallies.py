"""Weekly behaviour and attendance added up per term, with suspensions and exclusions beside them,
for the pupil's evidence page.

A week counts in the term its Monday falls in: the weekly record holds one total for the week,
so a week that straddles two terms (Monday 28 December, say) cannot be split between them. A
suspension or exclusion counts in the term of its first day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trellis.assessment.boxall import term_of
from trellis.schools.models import AcademicYear

from .models import Exclusion, WeeklyRecord


@dataclass
class TermTally:
    term: str  # "Autumn 2026/27", or "Outside the school's terms"
    weeks: int = 0
    positive: int = 0
    negative: int = 0
    attended: int = 0
    possible: int = 0
    suspensions: int = 0
    suspended_sessions: int = 0
    permanent: int = 0

    @property
    def attendance_percent(self) -> float | None:
        return round(100 * self.attended / self.possible, 1) if self.possible else None


OUTSIDE = "Outside the school's terms"


def term_tallies(
    records: Sequence[WeeklyRecord], years: list[AcademicYear], exclusions: Sequence[Exclusion] = ()
) -> list[TermTally]:
    """One tally per term that has weeks or exclusions, in date order (years with prefetched half-terms)."""
    dated: list[tuple] = [(r.week_starting, 0, r) for r in records] + [(e.starts_on, 1, e) for e in exclusions]
    tallies: dict[str, TermTally] = {}
    for day, _, item in sorted(dated, key=lambda d: (d[0], d[1])):
        term = term_of(day, years) or OUTSIDE
        tally = tallies.setdefault(term, TermTally(term))
        if isinstance(item, Exclusion):
            if item.kind == Exclusion.Kind.PERMANENT:
                tally.permanent += 1
            else:
                tally.suspensions += 1
                tally.suspended_sessions += item.sessions or 0
            continue
        tally.weeks += 1
        tally.positive += item.behaviour_positive
        tally.negative += item.behaviour_negative
        tally.attended += item.sessions_attended
        tally.possible += item.sessions_possible
    return list(tallies.values())
