"""Evaluating provision: pure arithmetic over plain rows, so every rule is tested without a database.

`reports.py` loads the rows; this module decides steps, targets met, attendance flags, costs per
pupil, small-n warnings, effect sizes, counterfactual rates and "worked for others, not for this pupil".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from trellis.lib.disclosure import THRESHOLD, Relation, protect_levels

from .eef import PUBLISHED_MONTHS, months_of_progress

POOR_ATTENDANCE_BELOW = Decimal("0.8")  # seed 001: "Amy – attendance poor"
SMALL_N_BELOW = THRESHOLD  # the same line as disclosure control: under 5 is too few to conclude from

StepsFn = Callable[[object, str, str], Decimal]


def _round(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def measure_outcome(
    *, steps_fn: StepsFn, scale, entry: str, exit: str, target_steps: Decimal | None, target_value: str
) -> tuple[Decimal | None, bool | None]:
    """(steps gained, target met) for one pupil on one scale; (None, None) before there is exit data.

    A target of +N is met by gaining at least N steps; a target value by reaching at least it.
    With no target, met is None (the group's `total` counts only measures with a target).
    """
    if not exit:
        return None, None
    gained = steps_fn(scale, entry, exit)
    if target_steps is not None:
        return gained, gained >= target_steps
    if target_value:
        return gained, steps_fn(scale, target_value, exit) >= 0
    return gained, None


@dataclass
class Attendance:
    attended: int
    held: int

    @property
    def rate(self) -> Decimal | None:
        return None if not self.held else Decimal(self.attended) / Decimal(self.held)

    @property
    def poor(self) -> bool:
        return self.rate is not None and self.rate < POOR_ATTENDANCE_BELOW

    @property
    def text(self) -> str:
        return f"{self.attended} of {self.held}" if self.held else "no sessions logged"


@dataclass
class MeasureRow:
    """One pupil on one scale in one group."""

    pupil_id: int
    upn: str
    name: str
    scale_code: str
    scale_name: str
    entry: str
    target: str
    exit: str
    steps: Decimal | None
    met: bool | None
    attendance: Attendance
    primary_need: str = ""
    sd: Decimal | None = None  # population SD of the scale, for effect sizes
    enrolment_id: int = 0
    measure_id: int = 0
    planned: Decimal | None = None  # steps the target asked for (+N, or entry to the target value)

    @property
    def share_of_planned(self) -> Decimal | None:
        """Gain / planned gain: the same meaning on every scale (1 = the progress planned)."""
        return None if self.steps is None or not self.planned or self.planned <= 0 else self.steps / self.planned


def planned_steps(
    *, steps_fn: StepsFn, scale, entry: str, target_steps: Decimal | None, target_value: str
) -> Decimal | None:
    """The steps a measure's target asks for: +N, or from the entry value to the target value."""
    if target_steps is not None:
        return target_steps
    if target_value and entry:
        return steps_fn(scale, entry, target_value)
    return None


@dataclass(frozen=True)
class ScaleSteps:
    """Mean steps gained on one scale: steps are only averaged within a scale (issue 16)."""

    scale: str
    n: int  # measures with exit data on the scale
    mean_steps: Decimal


def steps_per_scale(rows: Iterable[MeasureRow]) -> list[ScaleSteps]:
    by_scale: dict[str, list[Decimal]] = defaultdict(list)
    for row in rows:
        if row.steps is not None:
            by_scale[row.scale_name].append(row.steps)
    return [
        ScaleSteps(name, len(gains), _round(sum(gains, Decimal(0)) / len(gains)))
        for name, gains in sorted(by_scale.items())
    ]


def share_of_planned(rows: Iterable[MeasureRow]) -> Decimal | None:
    """The mean of each measure's gain / planned gain, as a whole percentage: the cross-scale summary
    (each measure counts once, whatever its scale's step size). None without a measure to count."""
    shares = [r.share_of_planned for r in rows if r.share_of_planned is not None]
    return _round(sum(shares, Decimal(0)) * 100 / len(shares), "1") if shares else None


@dataclass
class GroupSummary:
    met: int
    total: int
    mean_steps: Decimal | None
    pupils: int
    pupils_met: int
    cost: Decimal | None
    cost_per_pupil: Decimal | None
    cost_per_pupil_met: Decimal | None
    poor_attendance: list[str]
    pupils_judged: int = 0  # pupils with at least one target judged: the unit of pupils_met
    per_scale: list[ScaleSteps] = field(default_factory=list)  # mean steps within each scale
    planned_share: Decimal | None = None  # % of planned progress achieved (share_of_planned)

    @property
    def small_n(self) -> bool:
        """Too few measures judged against a target to draw conclusions from alone."""
        return self.total < SMALL_N_BELOW


def group_cost(*, session_cost: Decimal | None, sessions_held: int, sessions_planned: int) -> Decimal | None:
    """Sessions held (or, before any is logged, planned) x one session's cost."""
    if session_cost is None:
        return None
    return session_cost * (sessions_held or sessions_planned)


def summarise_group(rows: Sequence[MeasureRow], *, cost: Decimal | None) -> GroupSummary:
    """Met n of N (pupil-measures with a target and exit data), pupils who met every target they had
    of pupils with any target judged, mean steps, cost per pupil and per pupil who met (the same
    unit as pupils_met, so the page shows pupils), and the pupils whose attendance was under 80%."""
    judged = [r for r in rows if r.met is not None]
    gains = [r.steps for r in rows if r.steps is not None]
    by_pupil: dict[int, list[MeasureRow]] = defaultdict(list)
    for row in rows:
        by_pupil[row.pupil_id].append(row)
    pupils_met = sum(
        1
        for measures in by_pupil.values()
        if any(m.met is not None for m in measures) and all(m.met for m in measures if m.met is not None)
    )
    pupils = len(by_pupil)
    pupils_judged = sum(1 for measures in by_pupil.values() if any(m.met is not None for m in measures))
    poor = sorted({r.name for r in rows if r.attendance.poor})
    return GroupSummary(
        met=sum(1 for r in judged if r.met),
        total=len(judged),
        mean_steps=_round(sum(gains, Decimal(0)) / len(gains)) if gains else None,
        pupils=pupils,
        pupils_met=pupils_met,
        cost=_round(cost),
        cost_per_pupil=_round(cost / pupils) if cost is not None and pupils else None,
        cost_per_pupil_met=_round(cost / pupils_met) if cost is not None and pupils_met else None,
        poor_attendance=poor,
        pupils_judged=pupils_judged,
        per_scale=steps_per_scale(rows),
        planned_share=share_of_planned(rows),
    )


@dataclass
class Breakdown:
    """One intervention (all its groups) for one primary need, or for everyone ('All')."""

    intervention: str
    need: str
    n: int
    met: int | None  # None when no measure had a target
    mean_steps: Decimal | None
    small_n: bool
    effect_size: Decimal | None = None
    months: int | None = None
    eef_months: int | None = None
    scales: list[str] = field(default_factory=list)
    per_scale: list[ScaleSteps] = field(default_factory=list)
    planned_share: Decimal | None = None  # % of planned progress achieved (share_of_planned)

    @property
    def warning(self) -> str:
        return f"Only {self.n} – too few to draw conclusions" if self.small_n else ""

    @property
    def not_met(self) -> int | None:
        return None if self.met is None else self.n - self.met


def _breakdown(intervention: str, need: str, rows: list[MeasureRow], strand: str) -> Breakdown:
    judged = [r for r in rows if r.met is not None]
    gains = [r.steps for r in rows if r.steps is not None]
    standardised = [r for r in rows if r.steps is not None and r.sd]
    effect = None
    if standardised:
        effect = _round(sum((r.steps / r.sd for r in standardised), Decimal(0)) / len(standardised))
    n = len(judged) or len(gains)  # measures judged against a target, else measures with exit data
    return Breakdown(
        intervention=intervention,
        need=need,
        n=n,
        met=sum(1 for r in judged if r.met) if judged else None,
        mean_steps=_round(sum(gains, Decimal(0)) / len(gains)) if gains else None,
        small_n=n < SMALL_N_BELOW,
        effect_size=effect,
        months=months_of_progress(effect),
        eef_months=PUBLISHED_MONTHS.get(strand) if effect is not None else None,
        scales=sorted({r.scale_name for r in rows}),
        per_scale=steps_per_scale(rows),
        planned_share=share_of_planned(rows),
    )


def school_breakdown(per_intervention: Iterable[tuple[str, str, list[MeasureRow]]]) -> list[Breakdown]:
    """For each (intervention name, EEF strand, its rows across all groups): everyone, then each primary need."""
    result = []
    for name, strand, rows in per_intervention:
        result.append(_breakdown(name, "All", rows, strand))
        by_need: dict[str, list[MeasureRow]] = defaultdict(list)
        for row in rows:
            by_need[row.primary_need or "No primary need recorded"].append(row)
        result.extend(_breakdown(name, need, by_need[need], strand) for need in sorted(by_need))
    return result


@dataclass
class Counterfactual:
    """Progress a month during the intervention beside the pupil's own rate before it, same scale."""

    during: Decimal | None
    before: Decimal | None

    @property
    def verdict(self) -> str:
        if self.during is None or self.before is None:
            return "No earlier assessments to compare with"
        if self.during > self.before:
            return "Faster than before"
        if self.during < self.before:
            return "Slower than before"
        return "Same rate as before"


def _months(start: dt.date, end: dt.date) -> Decimal:
    return max(Decimal((end - start).days) / Decimal("30.44"), Decimal("0.5"))


def counterfactual(
    *,
    steps_fn: StepsFn,
    scale,
    entry: str,
    exit: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    earlier: Sequence[tuple[dt.date, str]],
) -> Counterfactual:
    """`earlier` is the pupil's assessments on the scale before the start (date, value). The rate
    before runs from the earliest of them to the entry value at the start."""
    during = None
    if exit and ends_on:
        during = _round(steps_fn(scale, entry, exit) / _months(starts_on, ends_on))
    before = None
    earlier = sorted((d, v) for d, v in earlier if d < starts_on)
    if earlier:
        first_date, first_value = earlier[0]
        before = _round(steps_fn(scale, first_value, entry) / _months(first_date, starts_on))
    return Counterfactual(during=during, before=before)


@dataclass
class NotForThisPupil:
    intervention: str
    scale: str
    others_met: int
    others: int


def worked_for_others(pupil_id: int, rows_by_intervention: dict[str, list[MeasureRow]]) -> list[NotForThisPupil]:
    """Interventions where this pupil missed a target but most other pupils (more than half) met theirs."""
    found = []
    for intervention, rows in sorted(rows_by_intervention.items()):
        mine = [r for r in rows if r.pupil_id == pupil_id and r.met is False]
        others = [r for r in rows if r.pupil_id != pupil_id and r.met is not None]
        for row in mine:
            same_scale = [r for r in others if r.scale_code == row.scale_code] or others
            met_same = sum(1 for r in same_scale if r.met)
            if same_scale and met_same * 2 > len(same_scale):
                found.append(NotForThisPupil(intervention, row.scale_name, met_same, len(same_scale)))
                break
    return found


# --- What a suppressed audience sees ------------------------------------------------------------


def need_key(b: Breakdown, column: str) -> tuple:
    return ("need", b.intervention, b.need, column)


def group_key(intervention: str, group_id: int, column: str) -> tuple:
    return ("group", intervention, group_id, column)


def _parts_relation(total: tuple, parts: list[tuple], values: dict) -> list[Relation]:
    """total = sum(parts), when it holds (n counts measures with a target, or failing that with exit
    data, so a need without targets can break the sum; a reader cannot use a sum that fails)."""
    if parts and all(p in values for p in parts) and values[total] == sum(values[p] for p in parts):
        return [Relation(total, tuple(parts))]
    return []


def withheld(breakdown: Sequence[Breakdown], groups: Sequence[tuple[str, int, GroupSummary]] = ()) -> set[tuple]:
    """The cells a suppressed audience may not see: n, met and the unpublished "not met" of each
    intervention and each need (the page), then each group's (the API). Each intervention's "All"
    is the sum of its needs and of its groups, so a hidden cell cannot come back by subtraction;
    the table by need is settled first, so the page and the API withhold the same cells."""
    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    needs: dict[str, list[Breakdown]] = defaultdict(list)
    everyone: dict[str, Breakdown] = {}
    for b in breakdown:
        columns = {"n": b.n} if b.met is None else {"n": b.n, "met": b.met, "not_met": b.not_met}
        values.update({need_key(b, c): v for c, v in columns.items()})
        if b.met is not None:
            relations.append(Relation(need_key(b, "n"), (need_key(b, "met"), need_key(b, "not_met"))))
        if b.need == "All":
            everyone[b.intervention] = b
        else:
            needs[b.intervention].append(b)
    for name, b in everyone.items():
        for column in ("n", "met", "not_met"):
            if need_key(b, column) in values:
                parts = [need_key(part, column) for part in needs[name]]
                relations += _parts_relation(need_key(b, column), parts, values)
    by_intervention: dict[str, list[int]] = defaultdict(list)
    for name, group_id, summary in groups:
        cells = {"total": summary.total, "met": summary.met, "not_met": summary.total - summary.met}
        cells |= {"pupils": summary.pupils, "pupils_met": summary.pupils_met}
        values.update({group_key(name, group_id, c): v for c, v in cells.items()})
        relations.append(
            Relation(
                group_key(name, group_id, "total"),
                (group_key(name, group_id, "met"), group_key(name, group_id, "not_met")),
            )
        )
        by_intervention[name].append(group_id)
    for name, ids in by_intervention.items():
        if (b := everyone.get(name)) is not None and b.met is not None:
            for column, group_column in (("n", "total"), ("met", "met"), ("not_met", "not_met")):
                parts = [group_key(name, i, group_column) for i in ids]
                relations += _parts_relation(need_key(b, column), parts, values)
    levels = {"need": [], "group": ["need"]}
    return protect_levels(values, relations, order=list(levels), context=levels.__getitem__)


@dataclass(frozen=True)
class Shown:
    """A breakdown row as its reader may see it: a withheld n takes its mean, effect size and note
    with it (the note would say how few)."""

    row: Breakdown
    n_withheld: bool = False
    met_withheld: bool = False

    @property
    def warning(self) -> str:
        return "" if self.n_withheld else self.row.warning


def shown(breakdown: Sequence[Breakdown], *, suppressed: bool) -> list[Shown]:
    if not suppressed:
        return [Shown(b) for b in breakdown]
    hidden = withheld(breakdown)
    return [
        Shown(b, n_withheld=need_key(b, "n") in hidden, met_withheld=need_key(b, "met") in hidden) for b in breakdown
    ]
