"""A small server-side SVG of weekly attendance and behaviour; the page shows the same numbers in a table.

Two panels sharing the week axis: attendance % on top (0–100%), behaviour points below (paired
bars, positive solid and negative hatched, scaled to the most points in any week)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .models import WeeklyRecord

WIDTH, HEIGHT, LEFT, RIGHT = 640, 250, 56, 10
ATTEND_TOP, ATTEND_H = 10, 80  # attendance panel
POINTS_TOP, POINTS_H = 120, 90  # behaviour panel
LABEL_Y = 232


@dataclass
class WeeklyChart:
    width: int
    height: int
    left: int
    right: int
    label_y: int
    attendance_points: str  # polyline "x,y x,y"
    bars: list[dict]  # per week: positive and negative bar geometry
    y_ticks: list[dict]  # both panels' axis labels
    x_labels: list[dict]
    max_points: int


def weekly_chart(records: Sequence[WeeklyRecord]) -> WeeklyChart | None:
    if not records:
        return None
    step = (WIDTH - LEFT - RIGHT) / len(records)
    max_points = max(max(r.behaviour_positive, r.behaviour_negative) for r in records) or 1
    points, bars, labels = [], [], []
    every = max(1, len(records) // 8)
    bottom = POINTS_TOP + POINTS_H
    for i, record in enumerate(records):
        x = LEFT + step * i + step / 2
        if (percent := record.attendance_percent) is not None:
            points.append(f"{x:.1f},{ATTEND_TOP + ATTEND_H * (1 - percent / 100):.1f}")
        bar_w = max(1.0, step * 0.35)
        pos_h = POINTS_H * record.behaviour_positive / max_points
        neg_h = POINTS_H * record.behaviour_negative / max_points
        bars.append(
            {
                "pos_x": f"{x - bar_w:.1f}",
                "neg_x": f"{x:.1f}",
                "w": f"{bar_w:.1f}",
                "pos_y": f"{bottom - pos_h:.1f}",
                "pos_h": f"{pos_h:.1f}",
                "neg_y": f"{bottom - neg_h:.1f}",
                "neg_h": f"{neg_h:.1f}",
            }
        )
        if i % every == 0:
            day = record.week_starting
            labels.append({"x": f"{x:.1f}", "text": f"{day.day} {day:%b}"})
    ticks = [{"y": f"{ATTEND_TOP + ATTEND_H * (1 - p / 100):.1f}", "text": f"{p}%"} for p in (0, 50, 100)]
    ticks += [{"y": f"{bottom:.1f}", "text": "0 pts"}, {"y": f"{POINTS_TOP:.1f}", "text": f"{max_points} pts"}]
    return WeeklyChart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, LABEL_Y, " ".join(points), bars, ticks, labels, max_points)
