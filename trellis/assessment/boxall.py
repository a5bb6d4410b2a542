"""Reading a pupil's Boxall Profiles: cluster scores by date, each against the school's competent range,
which term it was in, whether this term's review is still to do, and a server-side SVG chart.

A profile is the Boxall assessments of one pupil on one date (one row per cluster scored).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trellis.schools.models import AcademicYear

from .models import Assessment, BoxallCluster, CompetentRange, Scale, _plain

CLUSTERS = list(BoxallCluster)


@dataclass
class ClusterScore:
    cluster: BoxallCluster
    value: Decimal | None
    competent: CompetentRange | None

    @property
    def standing(self) -> str:
        """ "below", "within" or "above" the competent range; "" without a score or a range."""
        if self.value is None or self.competent is None:
            return ""
        return self.competent.standing(self.value)

    @property
    def shown(self) -> str:
        return _plain(self.value) if self.value is not None else "–"


@dataclass
class Profile:
    date: dt.date
    term: str  # "Autumn 2026/27", or "" when the date is outside the school's terms
    scores: list[ClusterScore] = field(default_factory=list)


def cluster_scales() -> dict[BoxallCluster, Scale]:
    """The five shipped cluster scales (one query)."""
    by_code = {s.code: s for s in Scale.objects.filter(school=None, code__in=[c.scale_code for c in CLUSTERS])}
    return {c: by_code[c.scale_code] for c in CLUSTERS}


def competent_ranges(school) -> dict[BoxallCluster, CompetentRange]:
    """The school's competent ranges by cluster (clusters the school has not entered are missing)."""
    rows = CompetentRange.objects.filter(school=school, scale__school=None).select_related("scale")
    by_code = {r.scale.code: r for r in rows}
    return {c: by_code[c.scale_code] for c in CLUSTERS if c.scale_code in by_code}


def term_of(day: dt.date, years: list[AcademicYear]) -> str:
    """The term a date falls in ("Spring 2026/27"), from prefetched years and half-terms."""
    for year in years:
        for half in year.half_terms.all():
            if half.starts_on <= day <= half.ends_on:
                return f"{half.term_name} {year.name}"
    return ""


def profiles_for(pupil, ranges: dict[BoxallCluster, CompetentRange]) -> list[Profile]:
    """The pupil's profiles, newest first (three queries, however many profiles)."""
    codes = {c.scale_code: c for c in CLUSTERS}
    rows = (
        Assessment.objects.filter(pupil=pupil, scale__school=None, scale__code__in=codes)
        .select_related("scale")
        .order_by("date", "recorded_at", "pk")
    )
    by_date: dict[dt.date, dict[BoxallCluster, Decimal]] = {}
    for row in rows:  # oldest first, so a later correction on the same day wins
        by_date.setdefault(row.date, {})[codes[row.scale.code]] = Decimal(row.value)
    years = list(pupil.school.academic_years.prefetch_related("half_terms"))
    return [
        Profile(
            date=day,
            term=term_of(day, years),
            scores=[ClusterScore(c, values.get(c), ranges.get(c)) for c in CLUSTERS],
        )
        for day, values in sorted(by_date.items(), reverse=True)
    ]


def review_due(profiles: list[Profile], today: dt.date, years: list[AcademicYear]) -> str:
    """The termly review still to do: "" when a profile is already dated this term (or today is
    outside the school's terms), otherwise the term it is due in."""
    this_term = term_of(today, years)
    if not this_term or any(p.term == this_term for p in profiles):
        return ""
    return this_term


# The chart: one small panel per cluster, the competent range shaded, each profile a point.
PANEL_W, PANEL_H, GAP, LEFT, TOP, BOTTOM = 600, 70, 34, 40, 18, 14


def boxall_chart(profiles: list[Profile]) -> SafeString:
    """Each cluster's scores over time against its competent range. The page has the same numbers
    in a table, so the chart only needs a title; "" when there is nothing to draw."""
    if not profiles:
        return mark_safe("")
    dates = sorted(p.date for p in profiles)
    first, span = dates[0], max((dates[-1] - dates[0]).days, 1)
    height = len(CLUSTERS) * (PANEL_H + GAP)
    parts = [
        f'<svg viewBox="0 0 {LEFT + PANEL_W + 20} {height}" role="img" aria-labelledby="boxall-chart-title" '
        'class="chart" xmlns="http://www.w3.org/2000/svg">'
        '<title id="boxall-chart-title">Boxall cluster scores by date, each against the competent range '
        "(shaded); the table has the numbers</title>"
    ]

    def x(day: dt.date) -> float:
        return LEFT + 10 + (PANEL_W - 20) * ((day - first).days / span if len(dates) > 1 else 0.5)

    for n, cluster in enumerate(CLUSTERS):
        top = n * (PANEL_H + GAP) + TOP
        points = [(p.date, s) for p in sorted(profiles, key=lambda p: p.date) for s in p.scores if s.cluster == cluster]
        competent = points[0][1].competent
        values = [s.value for _, s in points if s.value is not None]
        edges = [competent.low, competent.high] if competent else []
        high = max([Decimal(1), *values, *edges])

        def y(value: Decimal, top: int = top, high: Decimal = high) -> float:
            return top + PANEL_H * float((high - value) / high)

        parts.append(f'<text x="{LEFT}" y="{top - 5}" font-size="12">{escape(cluster.label)}</text>')
        parts.append(f'<rect x="{LEFT}" y="{top}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#b1b4b6"/>')
        if competent:
            parts.append(
                f'<rect x="{LEFT}" y="{y(competent.high):.1f}" width="{PANEL_W}" '
                f'height="{max(y(competent.low) - y(competent.high), 1):.1f}" fill="#cce2d8"/>'
            )
        parts.append(f'<text x="{LEFT - 4}" y="{top + 4}" font-size="10" text-anchor="end">{_plain(high)}</text>')
        parts.append(f'<text x="{LEFT - 4}" y="{top + PANEL_H}" font-size="10" text-anchor="end">0</text>')
        line = " ".join(f"{x(d):.1f},{y(s.value):.1f}" for d, s in points if s.value is not None)
        if line:
            parts.append(f'<polyline points="{line}" fill="none" stroke="#1d70b8" stroke-width="2"/>')
        parts.extend(
            f'<circle cx="{x(d):.1f}" cy="{y(s.value):.1f}" r="4" fill="#1d70b8"/>'
            for d, s in points
            if s.value is not None
        )
    for day in dates:
        parts.append(
            f'<text x="{x(day):.1f}" y="{height - 4}" font-size="10" text-anchor="middle">{day:%d %b %Y}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped or a number)
