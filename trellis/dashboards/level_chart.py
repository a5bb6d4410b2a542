"""The "targets by level" table as a stacked bar chart (issue 16): one bar per period, split into the
scale's levels in order, each segment its share of the targets reviewed in the period. Drawn on the
server as SVG from these numbers; the table beside it has the same figures."""

from __future__ import annotations

from dataclasses import dataclass

from .scales import ByLevel

LABEL_WIDTH, PLOT_WIDTH, BAR_HEIGHT, GAP, TOP = 150, 420, 22, 12, 8
# Light to dark for the scale's order (emerging lightest, mastery darkest); text colour for each.
FILLS = [("#d2e2f1", "#0b0c0c"), ("#8eb8dc", "#0b0c0c"), ("#2b7bbf", "#ffffff"), ("#0f3d66", "#ffffff")]
TEXT_MIN_WIDTH = 26  # a segment narrower than this has no number written in it (the table has it)


@dataclass(frozen=True)
class Segment:
    level: str
    count: int
    x: float
    width: float
    fill: str
    text_fill: str

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def labelled(self) -> bool:
        return self.width >= TEXT_MIN_WIDTH


@dataclass(frozen=True)
class LevelBar:
    label: str
    total: int
    y: int
    segments: list[Segment]


@dataclass(frozen=True)
class LevelChart:
    title: str
    bars: list[LevelBar]
    key: list[tuple[str, str]]  # (level, fill)
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 60

    @property
    def total_x(self) -> int:
        return self.label_width + self.plot_width + 6


def _fill(index: int, levels: int) -> tuple[str, str]:
    """Spread the palette over the levels so that the first is lightest and the last darkest."""
    if levels <= 1:
        return FILLS[-1]
    return FILLS[round(index * (len(FILLS) - 1) / (levels - 1))]


def level_chart(by_level: ByLevel) -> LevelChart | None:
    """Stacked bars of each period's split across levels; None when no period has a reviewed target."""
    if not any(row.total for row in by_level.rows):
        return None
    bars = []
    for n, row in enumerate(by_level.rows):
        x, segments = float(LABEL_WIDTH), []
        for i, (level, count) in enumerate(zip(by_level.levels, row.counts, strict=True)):
            if not count:
                continue
            width = round(PLOT_WIDTH * count / row.total, 1)
            fill, text_fill = _fill(i, len(by_level.levels))
            segments.append(Segment(level, count, round(x, 1), width, fill, text_fill))
            x += width
        bars.append(LevelBar(row.period.label, row.total, TOP + n * (BAR_HEIGHT + GAP), segments))
    levels = by_level.levels
    return LevelChart(
        title=f"Targets on the {by_level.scale.name} by level each period, as a share of the targets reviewed",
        bars=bars,
        key=[(level, _fill(i, len(levels))[0]) for i, level in enumerate(levels)],
        height=TOP + len(bars) * (BAR_HEIGHT + GAP) + 4,
    )
