"""Small-number suppression for aggregates that governors or published reports see."""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESS_BELOW = 5


@dataclass(frozen=True)
class Figure:
    """A count with its share of a total, as it may be shown: `text` and `percent_text`."""

    count: int
    total: int
    suppressed: bool

    @property
    def text(self) -> str:
        return "fewer than 5" if self.suppressed else f"{self.count:,}"

    @property
    def percent(self) -> float | None:
        if self.suppressed or not self.total:
            return None
        return 100 * self.count / self.total

    @property
    def percent_text(self) -> str:
        return "withheld" if self.suppressed else ("–" if self.percent is None else f"{self.percent:.1f}%")


def suppress(count: int, total: int, *, hide_small: bool) -> Figure:
    """A count under 5 shows as "fewer than 5" and its percentage is withheld, when hide_small."""
    return Figure(count=count, total=total, suppressed=hide_small and 0 < count < SUPPRESS_BELOW)
