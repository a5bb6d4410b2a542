"""Reading provision for the map, the evaluation, the API and the command: a fixed number of
queries however many groups, then the pure arithmetic in evaluation.py."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from . import evaluation as ev
from . import money, scales
from .models import Attendance, Enrolment, InterventionGroup, Measure, Session


@dataclass
class GroupEvaluation:
    group: InterventionGroup
    rows: list[ev.MeasureRow]
    enrolments: list[Enrolment]
    summary: ev.GroupSummary
    sessions_held: int
    places: int = 0  # pupils in the group, seen or not: the group's cost is shared between them
    step_words: dict[str, str] = field(default_factory=dict)  # scale name -> what one step on it is


def attendance_by_enrolment(groups: list[InterventionGroup], enrolments: list[Enrolment]) -> dict[int, ev.Attendance]:
    """Sessions attended of those held while the pupil was enrolled."""
    dates: dict[int, list[dt.date]] = defaultdict(list)
    for group_id, date in Session.objects.filter(group__in=groups).values_list("group_id", "date"):
        dates[group_id].append(date)
    present = dict(
        Attendance.objects.filter(enrolment__in=enrolments, present=True)
        .values_list("enrolment_id")
        .annotate(n=Count("pk"))
    )
    result = {}
    for enrolment in enrolments:
        held = sum(
            1
            for d in dates[enrolment.group_id]
            if d >= enrolment.starts_on and (enrolment.ends_on is None or d <= enrolment.ends_on)
        )
        result[enrolment.pk] = ev.Attendance(attended=present.get(enrolment.pk, 0), held=held)
    return result


def evaluate_groups(groups, enrolments=None) -> list[GroupEvaluation]:
    """Evaluate the given groups; `enrolments` (a queryset) limits which pupils are included (need to know)."""
    groups = list(groups.select_related("intervention", "staff").order_by("-starts_on", "intervention__name", "pk"))
    if not groups:
        return []
    enrolment_qs = enrolments if enrolments is not None else Enrolment.objects.all()
    enrolment_list = list(
        enrolment_qs.filter(group__in=groups)
        .select_related("pupil")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pk")
    )
    measures = list(Measure.objects.filter(enrolment__in=enrolment_list).order_by("enrolment_id", "scale__name"))
    scale_map = scales_of({group.intervention.school_id for group in groups})
    attendance = attendance_by_enrolment(groups, enrolment_list)
    held_by_group = dict(Session.objects.filter(group__in=groups).values_list("group_id").annotate(n=Count("pk")))
    places = dict(Enrolment.objects.filter(group__in=groups).values_list("group_id").annotate(n=Count("pk")))
    words = {scale.name: money.step_words(scale) for scale in scale_map.values()}
    needs = primary_needs(enrolment_list)
    by_enrolment: dict[int, list[Measure]] = defaultdict(list)
    for measure in measures:
        by_enrolment[measure.enrolment_id].append(measure)
    rows_by_group: dict[int, list[ev.MeasureRow]] = defaultdict(list)
    enrolments_by_group: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolment_list:
        enrolments_by_group[enrolment.group_id].append(enrolment)
        for measure in by_enrolment[enrolment.pk]:
            rows_by_group[enrolment.group_id].append(
                measure_row(measure, enrolment, scale_map[measure.scale_id], attendance[enrolment.pk], needs)
            )
    result = []
    for group in groups:
        held = held_by_group.get(group.pk, 0)
        cost = ev.group_cost(
            session_cost=group.intervention.session_cost(group.minutes),
            sessions_held=held,
            sessions_planned=group.planned_sessions,
        )
        rows = rows_by_group[group.pk]
        result.append(
            GroupEvaluation(
                group=group,
                rows=rows,
                enrolments=enrolments_by_group[group.pk],
                summary=ev.summarise_group(rows, cost=cost),
                sessions_held=held,
                places=places.get(group.pk, 0),
                step_words={name: words[name] for name in {row.scale_name for row in rows}},
            )
        )
    return result


def scales_of(school_ids: set[int]) -> dict[int, scales.Scale]:
    """The shipped scales and those of every school in the set (a trust's groups in one pass)."""
    if len(school_ids) == 1:
        return scales.scales_by_id(next(iter(school_ids)))
    found = scales.Scale.objects.filter(Q(school__isnull=True) | Q(school_id__in=school_ids))
    return {s.pk: s for s in found.prefetch_related("steps", "bands")}


def primary_needs(enrolments: list[Enrolment]) -> dict[int, str]:
    from trellis.pupils.models import PupilNeed

    pupils = {e.pupil_id for e in enrolments}
    return dict(
        PupilNeed.objects.filter(pupil_id__in=pupils, rank=1, ends_on__isnull=True).values_list("pupil_id", "need_id")
    )


def measure_row(measure: Measure, enrolment: Enrolment, scale, attendance: ev.Attendance, needs: dict[int, str]):
    steps, met = ev.measure_outcome(
        steps_fn=scales.steps,
        scale=scale,
        entry=measure.entry,
        exit=measure.exit,
        target_steps=measure.target_steps,
        target_value=measure.target_value,
    )
    return ev.MeasureRow(
        pupil_id=enrolment.pupil_id,
        upn=enrolment.pupil.upn,
        name=enrolment.pupil.full_name,
        scale_code=scale.code,
        scale_name=scale.name,
        entry=measure.entry,
        target=measure.target_text,
        exit=measure.exit,
        steps=steps,
        met=met,
        attendance=attendance,
        primary_need=needs.get(enrolment.pupil_id, ""),
        sd=scales.standard_deviation(scale),
        enrolment_id=enrolment.pk,
        measure_id=measure.pk,
        planned=ev.planned_steps(
            steps_fn=scales.steps,
            scale=scale,
            entry=measure.entry,
            target_steps=measure.target_steps,
            target_value=measure.target_value,
        ),
    )


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def group_json(item: GroupEvaluation, *, names: bool = True) -> dict[str, Any]:
    """One group as the command and the API print it (dates ISO, unknowns null)."""
    group, summary = item.group, item.summary
    return {
        "id": group.pk,
        "intervention": group.intervention.name,
        "staff": group.staff_name,
        "start": group.starts_on.isoformat(),
        "end": group.ends_on.isoformat() if group.ends_on else None,
        "met": summary.met,
        "total": summary.total,
        "mean_steps": _number(summary.mean_steps),
        "cost_per_pupil": _number(summary.cost_per_pupil),
        "cost_per_pupil_met": _number(summary.cost_per_pupil_met),
        # met/total count pupil-measures (a pupil on two scales counts twice); pupils_met/pupils_judged
        # count pupils, the unit cost_per_pupil_met divides by and the page shows.
        "pupils_met": summary.pupils_met,
        "pupils_judged": summary.pupils_judged,
        "units": {
            "met": "pupil-measures",
            "total": "pupil-measures",
            "pupils_met": "pupils",
            "pupils_judged": "pupils",
            "cost_per_pupil_met": "per pupil who met every target",
            "cost_per_step": "per step on the one scale the group's results are on (null with several: see by_scale)",
        },
        "cost": _number(summary.cost),
        "funding": {
            "group": group.funding,
            # Each place's share of the cost by the stream paying for it (the places this reader sees).
            "places": _stream_shares(item) if names else None,
        },
        "cost_per_step": _number(cost_per_step(item)),
        "by_scale": _by_scale(item) if names else None,
        "sessions_held": item.sessions_held,
        "sessions_planned": group.planned_sessions,
        "rating": group.rating or None,
        "decision": group.decision or None,
        "poor_attendance": summary.poor_attendance if names else None,
        "pupils": [
            {
                "upn": row.upn,
                "name": row.name,
                "scale": row.scale_code,
                "entry": row.entry or None,
                "target": row.target or None,
                "exit": row.exit or None,
                "steps": _number(row.steps),
                "met": row.met,
                "attendance": _number(ev._round(row.attendance.rate)),
            }
            for row in item.rows
        ]
        if names
        else [],
    }


def _scale_costs(item: GroupEvaluation) -> list[money.ScaleCost]:
    [value] = money.value_for_money(
        [money.GroupCosts("", item.group.intervention.name, item.summary.cost, item.rows)], item.step_words
    )
    return value.by_scale


def cost_per_step(item: GroupEvaluation) -> Decimal | None:
    """Cost per step when the group's results are all on one scale (steps on two scales do not add up)."""
    costs = _scale_costs(item)
    return costs[0].per_step if len(costs) == 1 else None


def _by_scale(item: GroupEvaluation) -> list[dict[str, Any]]:
    codes = {row.scale_name: row.scale_code for row in item.rows}
    return [
        {
            "scale": codes[c.scale],
            "step": c.step,
            "measures": c.measures,
            "steps": _number(c.steps),
            "cost": _number(c.cost),
            "cost_per_step": _number(c.per_step),
        }
        for c in _scale_costs(item)
    ]


def _stream_shares(item: GroupEvaluation) -> dict[str, float | int | None]:
    share = money.share(item.summary.cost, item.places)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for enrolment in item.enrolments:
        totals[enrolment.funding or item.group.funding] += share or 0
    return {
        stream: _number(money.round_money(amount) if share is not None else None) for stream, amount in totals.items()
    }


def school_breakdown(evaluations: list[GroupEvaluation]) -> list[ev.Breakdown]:
    per: dict[int, tuple[str, str, list[ev.MeasureRow]]] = {}
    for item in evaluations:
        intervention = item.group.intervention
        per.setdefault(intervention.pk, (intervention.name, intervention.eef_strand, []))[2].extend(item.rows)
    return ev.school_breakdown(sorted(per.values(), key=lambda t: t[0]))


def groups_in_term(school, term: str | None):
    """Groups of a school, optionally in a term written '2026/27 autumn' or 'autumn' (the current year)."""
    groups = InterventionGroup.objects.filter(intervention__school=school)
    if not term:
        return groups
    starts, ends = term_dates(school, term)
    return groups.in_term(starts, ends)


def term_dates(school, term: str) -> tuple[dt.date, dt.date]:
    """Dates of a term ('autumn', 'spring', 'summer', optionally after the year: '2026/27 spring')."""
    from django.utils import timezone

    parts = term.strip().lower().split()
    names = {"autumn": 1, "spring": 2, "summer": 3}
    if not parts or parts[-1] not in names:
        raise ValueError(
            f"Term {term!r} should be autumn, spring or summer, optionally after the year (2026/27 spring)"
        )
    years = school.academic_years.all()
    year = years.filter(name=parts[0]).first() if len(parts) > 1 else school.current_academic_year(timezone.localdate())
    if year is None:
        raise ValueError(f"No academic year for {term!r} at {school}")
    number = names[parts[-1]]
    halves = [h for h in year.half_terms.all() if h.term == number]
    if not halves:
        raise ValueError(f"{year} has no half-terms for the {parts[-1]} term")
    return min(h.starts_on for h in halves), max(h.ends_on for h in halves)


def pupil_enrolment_rows(pupil, enrolments) -> list[tuple[Enrolment, list[ev.MeasureRow], ev.GroupSummary]]:
    """A pupil's provision history: each enrolment, its measures and its group's summary (cost share)."""
    groups = InterventionGroup.objects.filter(pk__in=enrolments.values("group_id"))
    evaluations = evaluate_groups(groups, Enrolment.objects.filter(group__in=groups))
    history = []
    for item in evaluations:
        enrolment = next((e for e in item.enrolments if e.pupil_id == pupil.pk), None)
        if enrolment is not None:
            enrolment.group = item.group  # loaded with its intervention and staff already: no query a row
            history.append((enrolment, [r for r in item.rows if r.pupil_id == pupil.pk], item.summary))
    return history


def not_for_this_pupil(pupil) -> list[ev.NotForThisPupil]:
    """Interventions this pupil missed a target in while most others in the same intervention met theirs.

    Counts every pupil in the intervention (all groups): the comparison is anonymous."""
    interventions = InterventionGroup.objects.filter(enrolments__pupil=pupil).values("intervention_id")
    groups = InterventionGroup.objects.filter(intervention_id__in=interventions)
    by_intervention: dict[str, list[ev.MeasureRow]] = defaultdict(list)
    for item in evaluate_groups(groups):
        by_intervention[item.group.intervention.name].extend(item.rows)
    return ev.worked_for_others(pupil.pk, by_intervention)


def counterfactuals(pupil) -> dict[int, ev.Counterfactual]:
    """For each measure (by id): rate during the intervention beside the pupil's rate before it."""
    from trellis.assessment.models import Assessment

    measures = list(Measure.objects.filter(enrolment__pupil=pupil).select_related("enrolment", "enrolment__group"))
    earlier: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for scale_id, date, value in Assessment.objects.filter(pupil=pupil).values_list("scale_id", "date", "value"):
        earlier[scale_id].append((date, value))
    scale_map = scales.scales_by_id(pupil.school_id)
    return {
        m.pk: ev.counterfactual(
            steps_fn=scales.steps,
            scale=scale_map[m.scale_id],
            entry=m.entry,
            exit=m.exit,
            starts_on=m.enrolment.starts_on,
            ends_on=m.enrolment.ends_on or m.enrolment.group.ends_on,
            earlier=earlier[m.scale_id],
        )
        for m in measures
    }
