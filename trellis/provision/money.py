"""Money for provision: what was spent, from which funding stream, on whom, and what it bought.
Pure arithmetic over plain rows (spending.py loads them), so every figure is tested by hand.

- A group's cost is its sessions held (or, before any is logged, planned) x one session's cost
  (evaluation.group_cost). It is shared equally between the pupils' places in the group, and each
  place is paid from the pupil's own funding stream if one is set, else the group's.
- Cost per pupil and per pupil who met every target are the evaluation's (pupils with a measure).
- A *step* is one unit of the scale's own progress measure (trellis.assessment.scales.steps_between):
  one value up an ordered scale (2c to 2b on NC levels; emerging to developing), one point on a
  numeric scale (a standardised score point, one month of reading age). Steps on different scales
  are different things, so cost per step is given per scale, never added up across scales. It is
  the cost of the places measured on that scale with exit data, over the steps they gained (net:
  a pupil who went back counts against it); none when no steps were gained. A pupil measured on
  two scales is counted on each, as their place bought progress on both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .evaluation import SMALL_N_BELOW, MeasureRow

PENNY = Decimal("0.01")


def round_money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Place:
    """One pupil's place in one group, with the share of the group's cost it carries."""

    school: str
    intervention: str
    group_id: int
    pupil_id: int
    need: str
    year: str
    stream: str
    cost: Decimal | None  # unrounded share; None when the catalogue has no cost for the intervention


def share(cost: Decimal | None, places: int) -> Decimal | None:
    """A place's share of its group's cost (unrounded, so the shares add up to the group's cost)."""
    return None if cost is None or not places else cost / places


@dataclass
class SpendRow:
    label: str
    amount: Decimal  # rounded to the penny
    places: int  # places with a cost
    uncosted: int = 0  # places in groups whose intervention has no cost

    @property
    def per_place(self) -> Decimal | None:
        return round_money(self.amount / self.places) if self.places else None


def spend_by(places: Iterable[Place], key: Callable[[Place], str], order: Sequence[str] = ()) -> list[SpendRow]:
    """Spending grouped by `key` (a stream, a need, a year, a school): labels in `order` first, then A-Z."""
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    costed: dict[str, int] = defaultdict(int)
    uncosted: dict[str, int] = defaultdict(int)
    for place in places:
        label = key(place)
        if place.cost is None:
            uncosted[label] += 1
        else:
            amounts[label] += place.cost
            costed[label] += 1
    labels = set(costed) | set(uncosted)
    ranked = sorted(labels, key=lambda label: (order.index(label) if label in order else len(order), label))
    return [SpendRow(label, round_money(amounts[label]), costed[label], uncosted[label]) for label in ranked]


def total(places: Iterable[Place]) -> SpendRow:
    [row] = spend_by(places, lambda _: "All") or [SpendRow("All", Decimal("0.00"), 0)]
    return row


@dataclass
class ScaleCost:
    """Cost per step on one scale, for one intervention."""

    scale: str
    step: str  # what one step is on this scale, in words
    measures: int  # pupil-measures with exit data
    steps: Decimal
    cost: Decimal

    @property
    def per_step(self) -> Decimal | None:
        return round_money(self.cost / self.steps) if self.steps > 0 else None


@dataclass
class GroupCosts:
    """What spending.py hands over for one group: its school, intervention, cost and evaluated rows."""

    school: str
    intervention: str
    cost: Decimal | None
    rows: list[MeasureRow]


@dataclass
class Value:
    """Value for money of one intervention (in one school, or across several)."""

    intervention: str
    school: str
    groups: int
    cost: Decimal | None
    pupils: int
    pupils_judged: int
    pupils_met: int
    by_scale: list[ScaleCost] = field(default_factory=list)

    @property
    def per_pupil(self) -> Decimal | None:
        return round_money(self.cost / self.pupils) if self.cost is not None and self.pupils else None

    @property
    def per_pupil_met(self) -> Decimal | None:
        return round_money(self.cost / self.pupils_met) if self.cost is not None and self.pupils_met else None

    @property
    def small_n(self) -> bool:
        return self.pupils_judged < SMALL_N_BELOW

    @property
    def warning(self) -> str:
        if not self.small_n:
            return ""
        return f"Only {self.pupils_judged} pupil{'s' if self.pupils_judged != 1 else ''} judged – too few to compare"


def value_for_money(groups: Iterable[GroupCosts], step_words: dict[str, str], *, by_school: bool = True) -> list[Value]:
    """Each intervention's cost per pupil, per pupil who met every target, and per step on each scale.

    `step_words` maps a scale's name to what one step on it is. Groups of the same intervention
    add up (by name, in each school when `by_school`); a pupil is counted once per group they were in."""
    found: dict[tuple[str, str], Value] = {}
    scale_totals: dict[tuple[str, str], dict[str, list]] = defaultdict(dict)
    for group in groups:
        school = group.school if by_school else ""
        value = found.setdefault(
            (group.intervention, school),
            Value(group.intervention, school, 0, None, 0, 0, 0),
        )
        pupils: dict[int, list[MeasureRow]] = defaultdict(list)
        for row in group.rows:
            pupils[row.pupil_id].append(row)
        judged = [rows for rows in pupils.values() if any(r.met is not None for r in rows)]
        value.groups += 1
        value.pupils += len(pupils)
        value.pupils_judged += len(judged)
        value.pupils_met += sum(1 for rows in judged if all(r.met for r in rows if r.met is not None))
        if group.cost is not None:
            value.cost = (value.cost or Decimal(0)) + group.cost
        place_cost = share(group.cost, len(pupils))
        for row in group.rows:
            if row.steps is None or place_cost is None:
                continue
            totals = scale_totals[(group.intervention, school)].setdefault(row.scale_name, [0, Decimal(0), Decimal(0)])
            totals[0] += 1
            totals[1] += row.steps
            totals[2] += place_cost
    for key, value in found.items():
        value.cost = round_money(value.cost)
        value.by_scale = [
            ScaleCost(name, step_words.get(name, "one step"), n, steps, round_money(cost))
            for name, (n, steps, cost) in sorted(scale_totals[key].items())
        ]
    return sorted(found.values(), key=lambda v: (v.intervention.casefold(), v.school))


def compared_across_schools(values: Sequence[Value]) -> list[tuple[str, list[Value]]]:
    """The interventions more than one school runs (same name), each with its schools' figures."""
    by_name: dict[str, list[Value]] = defaultdict(list)
    for value in values:
        by_name[value.intervention.casefold()].append(value)
    return [
        (rows[0].intervention, sorted(rows, key=lambda v: v.school))
        for _, rows in sorted(by_name.items())
        if len({v.school for v in rows}) > 1
    ]


def step_words(scale) -> str:
    """What one step is on a scale, in words, from the scale's own definition."""
    if scale.is_ordered:
        values = [step.value for step in scale.ordered_steps]
        example = f" (for example {values[0]} to {values[1]})" if len(values) > 1 else ""
        return f"one value up the {scale.name}{example}"
    direction = "" if scale.higher_is_better else " down (lower is better)"
    return f"one point{direction} on the {scale.name}"
