"""Weekly behaviour and attendance added up per term, for the pupil's evidence page.

A week counts in the term its Monday falls in: the weekly record holds one total for the week,
so a week that straddles two terms (Monday 28 December, say) cannot be split between them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trellis.assessment.boxall import term_of
from trellis.schools.models import AcademicYear

from .models import WeeklyRecord


@dataclass
class TermTally:
    term: str  # "Autumn 2026/27", or "Outside the school's terms"
    weeks: int = 0
    positive: int = 0
    negative: int = 0
    attended: int = 0
    possible: int = 0

    @property
    def attendance_percent(self) -> float | None:
        return round(100 * self.attended / self.possible, 1) if self.possible else None


def term_tallies(records: Sequence[WeeklyRecord], years: list[AcademicYear]) -> list[TermTally]:
    """One tally per term that has weeks, in date order (years with prefetched half-terms)."""
    tallies: dict[str, TermTally] = {}
    for record in sorted(records, key=lambda r: r.week_starting):
        term = term_of(record.week_starting, years) or "Outside the school's terms"
        tally = tallies.setdefault(term, TermTally(term))
        tally.weeks += 1
        tally.positive += record.behaviour_positive
        tally.negative += record.behaviour_negative
        tally.attended += record.sessions_attended
        tally.possible += record.sessions_possible
    return list(tallies.values())
