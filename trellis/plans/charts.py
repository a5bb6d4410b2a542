"""Progress charts drawn on the server as SVG. Every chart sits beside a table of the same numbers.

The y axis is steps gained from the baseline (so targets on different scales share one chart);
the dashed line is the expected gain, pro rata from the start date to the target date (the end of
the academic year without one): the same line the on-track rule and the stuck flag use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trellis.assessment.scales import ScaleError, steps_between

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP, PAD_RIGHT = 640, 240, 48, 32, 12, 16
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#912b88", "#b58840", "#28a197"]


@dataclass
class Series:
    label: str
    points: list[tuple[dt.date, Decimal]]
    planned: Decimal | None = None
    starts_on: dt.date | None = None
    due_on: dt.date | None = None


def _series(target) -> Series:
    points = [(target.starts_on, Decimal(0))]
    for review in target.review_list:
        try:
            points.append((review.date, steps_between(target.scale, target.baseline_value, review.value)))
        except ScaleError:
            continue
    progress = target.progress
    return Series(target.description[:60], points, progress.planned, target.starts_on, progress.due_on)


def _svg(series: list[Series], title: str, chart_id: str = "chart-title") -> SafeString:
    dates = [d for s in series for d, _ in s.points] + [s.due_on for s in series if s.due_on]
    values = [v for s in series for _, v in s.points] + [s.planned for s in series if s.planned is not None]
    if not dates:
        return mark_safe("")
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    low, high = min([Decimal(0), *values]), max([Decimal(1), *values])
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: dt.date) -> float:
        return PAD_LEFT + plot_w * (day - first).days / span

    def y(value: Decimal) -> float:
        return PAD_TOP + plot_h * float((high - value) / (high - low))

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}" class="chart chart-narrow" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}">{escape(title)}</title>',
        f'<line x1="{PAD_LEFT}" y1="{y(Decimal(0)):.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y(Decimal(0)):.1f}" '
        'stroke="#b1b4b6"/>',
        f'<text x="4" y="{y(high) + 4:.1f}" font-size="11">{high:g}</text>',
        f'<text x="4" y="{y(low) + 4:.1f}" font-size="11">{low:g}</text>',
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 8}" font-size="11">{first:%d %b %Y}</text>',
        f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 8}" font-size="11" text-anchor="end">{last:%d %b %Y}</text>',
    ]
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        if s.planned is not None and s.starts_on and s.due_on:
            parts.append(
                f'<line x1="{x(s.starts_on):.1f}" y1="{y(Decimal(0)):.1f}" x2="{x(s.due_on):.1f}" '
                f'y2="{y(s.planned):.1f}" stroke="{colour}" stroke-dasharray="4 4" opacity="0.6"/>'
            )
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in s.points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>' for d, v in s.points)
        if len(series) > 1:  # number each line, as the table does (colour is never the only key)
            end_x, end_y = s.points[-1]
            parts.append(
                f'<text x="{x(end_x) + 5:.1f}" y="{y(end_y) - 5:.1f}" font-size="12" fill="{colour}">{n + 1}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped text only


def target_chart(target, title: str = "", chart_id: str = "chart-title") -> SafeString:
    """One target's chart; a document with several charts gives each its own `chart_id` and a
    `title` in its reader's words (the title is the chart's alt text in a PDF)."""
    return _svg([_series(target)], title or f"Steps gained on {target.scale.name} since the baseline", chart_id)


def pupil_chart(targets) -> SafeString:
    return _svg([_series(t) for t in targets], "Steps gained since the baseline, one line a target")
