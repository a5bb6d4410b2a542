"""Charts drawn on the server as SVG, so they work without JavaScript and in PDFs.

Each chart is described by plain numbers here and drawn by a template; the page always shows
the same numbers in a table as well, so the chart is never the only way to read them.
"""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 18
BAR_GAP = 10
LABEL_WIDTH = 220
PLOT_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: withheld or not available, drawn as a gap with its reason
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    reference: float | None
    reference_label: str
    reference_x: float | None
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 70


def bar_chart(
    title: str, rows: list[tuple[str, float | None, str]], *, reference: float | None = None, reference_label: str = ""
) -> BarChart:
    """Horizontal bars for (label, value, text) rows; an optional reference line (e.g. national)."""
    values = [value for _, value, _ in rows if value is not None]
    top = max([*values, reference or 0, 1.0]) * 1.1
    bars = [
        Bar(label, value, text, y=i * (BAR_HEIGHT + BAR_GAP), width=0 if value is None else PLOT_WIDTH * value / top)
        for i, (label, value, text) in enumerate(rows)
    ]
    return BarChart(
        title=title,
        bars=bars,
        reference=reference,
        reference_label=reference_label,
        reference_x=None if reference is None else LABEL_WIDTH + PLOT_WIDTH * reference / top,
        height=max(1, len(rows)) * (BAR_HEIGHT + BAR_GAP) + 24,
    )
