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


LINE_WIDTH, LINE_HEIGHT, LINE_PAD = 760, 240, 56


@dataclass(frozen=True)
class Line:
    label: str
    css_class: str
    points: str  # "x,y x,y" for an SVG polyline (gaps where a value is withheld)
    dots: list[tuple[float, float, str]]


@dataclass(frozen=True)
class LineChart:
    title: str
    lines: list[Line]
    x_labels: list[tuple[float, str, str]]  # x, then the label on two lines
    y_ticks: list[tuple[float, str]]
    width: int = LINE_WIDTH
    height: int = LINE_HEIGHT


def _two_lines(label: str) -> tuple[str, str]:
    """Split 'Autumn 1 2025/26' into ('Autumn 1', '2025/26'), so that labels side by side do not overlap."""
    first, _, last = label.rpartition(" ")
    return (first, last) if first else (label, "")


def percent_line_chart(title: str, labels: list[str], series: list[tuple[str, str, list[float | None]]]) -> LineChart:
    """Lines of percentages (0-100) across categories such as half terms; each series is
    (label, css class, values), a value None being withheld or unknown."""
    plot_w, plot_h = LINE_WIDTH - 2 * LINE_PAD, LINE_HEIGHT - 2 * LINE_PAD - 16
    step = plot_w / max(len(labels) - 1, 1)

    def y(value: float) -> float:
        return round(LINE_PAD + plot_h * (100 - value) / 100, 1)

    lines = []
    for label, css_class, values in series:
        dots = [(round(LINE_PAD + n * step, 1), y(v), f"{v:.0f}%") for n, v in enumerate(values) if v is not None]
        lines.append(Line(label, css_class, " ".join(f"{x},{yy}" for x, yy, _ in dots), dots))
    return LineChart(
        title=title,
        lines=lines,
        x_labels=[(round(LINE_PAD + n * step, 1), *_two_lines(label)) for n, label in enumerate(labels)],
        y_ticks=[(y(v), f"{v}%") for v in (0, 50, 100)],
    )
