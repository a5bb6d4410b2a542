"""Progress per scale (issue 16): steps are only averaged within one scale, and on a level scale
(EDSM: emerging, developing, secure, mastery) the targets are split by the level they were at.

Across scales the dashboards use one unit, planned progress achieved (each target's gain / planned
gain at its latest review: `Target.last_share`), because a step means different things on NC
sub-levels, reading-age months and SDQ points.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet

from trellis.assessment.models import Scale
from trellis.plans import rollup
from trellis.plans.models import ProgressTally, Review, Target

from .progress import Period


@dataclass(frozen=True)
class ScaleRow:
    """The current targets on one scale with a review: how many, their mean steps and planned share."""

    name: str
    unit: str  # what a step is on this scale, e.g. "months"; "" for a place on an ordered scale
    targets: int  # with a gain at the latest review
    mean_steps: Decimal
    planned_share: int | None  # % of planned progress achieved, over targets with a planned gain


def per_scale(targets: QuerySet[Target]) -> list[ScaleRow]:
    """One query: the targets with a gain, grouped by scale."""
    rows = (
        targets.filter(last_gain__isnull=False)
        .values("scale__name", "scale__unit", "scale__kind")
        .annotate(n=Count("pk"), steps=Avg("last_gain"), share=Avg("last_share"))
        .order_by("scale__name")
    )
    return [
        ScaleRow(
            name=row["scale__name"],
            unit="" if row["scale__kind"] == Scale.Kind.ORDERED else row["scale__unit"],
            targets=row["n"],
            mean_steps=Decimal(str(row["steps"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            planned_share=None
            if row["share"] is None
            else int((Decimal(str(row["share"])) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)),
        )
        for row in rows
    ]


def per_scale_from_rollups(school_ids: list[int], today) -> list[ScaleRow]:
    """`per_scale` for whole schools without filters, from trellis.plans.rollup: two queries (the
    sums per scale, then the scales' names), however many targets."""
    M = ProgressTally.Measure
    sums = rollup.by_scale(school_ids, today=today)
    if not sums:
        return []
    grouped: dict[tuple, list] = {}
    for scale in Scale.objects.filter(pk__in=list(sums)).only("name", "unit", "kind"):
        gained, gain = sums[scale.pk].get(M.GAIN, (0, Decimal(0)))
        shared, share = sums[scale.pk].get(M.SHARE, (0, Decimal(0)))
        if not gained:
            continue
        # Grouped by name, unit and kind, as `per_scale` groups: a school's own copy of a scale is one row with it.
        totals = grouped.setdefault((scale.name, scale.unit, scale.kind), [0, Decimal(0), 0, Decimal(0)])
        totals[0] += gained
        totals[1] += gain
        totals[2] += shared
        totals[3] += share
    return [
        ScaleRow(
            name=name,
            unit="" if kind == Scale.Kind.ORDERED else unit,
            targets=gained,
            mean_steps=(gain / gained).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            planned_share=int((share * 100 / shared).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
            if shared
            else None,
        )
        for (name, unit, kind), (gained, gain, shared, share) in sorted(grouped.items())
    ]


@dataclass(frozen=True)
class LevelRow:
    period: Period
    counts: list[int]  # targets at each level, in the scale's order

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ByLevel:
    scale: Scale
    levels: list[str]  # labels, in order
    rows: list[LevelRow]


def by_level(targets: QuerySet[Target], scale: Scale, periods: list[Period]) -> ByLevel:
    """For each period, the targets on `scale` reviewed in it, by the level of their latest review in
    the period (a target reviewed twice in a half term counts once, at where it got to). Two queries
    (the steps and the reviews), however many periods."""
    steps = scale.ordered_steps
    index = {s.value.casefold(): n for n, s in enumerate(steps)}
    rows = []
    if periods:
        reviews = (
            Review.objects.filter(
                target__in=targets.filter(scale=scale),
                date__gte=periods[0].starts_on,
                date__lte=periods[-1].ends_on,
            )
            .order_by("target_id", "date", "pk")
            .values_list("target_id", "date", "value")
        )
        latest: dict[tuple[int, int], str] = {}
        for target_id, date, value in reviews:
            for n, period in enumerate(periods):
                if period.starts_on <= date <= period.ends_on:
                    latest[(n, target_id)] = value  # in date order, so the last one stays
                    break
        counts = Counter((n, index.get(value.casefold())) for (n, _), value in latest.items())
        rows = [LevelRow(period, [counts[(n, i)] for i in range(len(steps))]) for n, period in enumerate(periods)]
    return ByLevel(scale, [s.label or s.value for s in steps], rows)
