"""The share of annual reviews and SEN support reviews done on time, by school, over the 12 months
to a day; through trellis.lib.disclosure for anyone who may not see names (a governor).

An annual review counts when it was due in the period: on time if its meeting was held by the due
date. A SEN support review counts when it was due in the period (trellis.deadlines.schedule.
support_review_chain): on time if one that counts (a parent took part or was invited) was held by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from trellis.lib.disclosure import Figure, Relation, protect
from trellis.pupils.models import EhcPlan, Pupil, SenStatus
from trellis.schools.models import School

from . import rules
from .models import AnnualReview
from .schedule import support_review_chain, with_deadline_records

MEASURES = {rules.ANNUAL_REVIEW: "EHC plan annual reviews", rules.SEN_SUPPORT_REVIEW: "SEN support reviews"}
ALL = "all"


@dataclass
class Tally:
    on_time: int = 0
    due: int = 0

    def add(self, in_time: bool) -> None:
        self.due += 1
        self.on_time += in_time


def _in_period(due: dt.date, today: dt.date) -> bool:
    return rules.add_months(today, -12) < due <= today


def tallies(schools: Iterable[School], today: dt.date) -> dict[tuple[object, str], Tally]:
    """(school pk, measure) -> Tally, and (ALL, measure) over the schools. A fixed number of queries."""
    school_ids = [school.pk for school in schools]
    out = {(key, m): Tally() for key in [*school_ids, ALL] for m in MEASURES}

    def add(school_id: int, measure: str, in_time: bool) -> None:
        out[(school_id, measure)].add(in_time)
        out[(ALL, measure)].add(in_time)

    reviews = AnnualReview.objects.filter(pupil__school_id__in=school_ids, plan__ceased_on__isnull=True)
    seen = set()
    for school_id, plan_id, due, held in reviews.values_list("pupil__school_id", "plan_id", "due_on", "held_on"):
        seen.add((plan_id, due))
        if _in_period(due, today):
            add(school_id, rules.ANNUAL_REVIEW, rules.on_time(due, held))
    plans = EhcPlan.objects.filter(pupil__school_id__in=school_ids, ceased_on__isnull=True)
    for school_id, plan_id, due in plans.values_list("pupil__school_id", "pk", "next_annual_review_due"):
        if (plan_id, due) not in seen and _in_period(due, today):
            add(school_id, rules.ANNUAL_REVIEW, False)  # due, and not even started
    pupils = Pupil.objects.filter(school_id__in=school_ids, sen_status=SenStatus.SEN_SUPPORT).on_roll(today)
    for pupil in with_deadline_records(pupils):
        if not pupil.support_since:
            continue
        held = [r.held_on for r in pupil.support_reviews.all() if r.counts]
        for due, done_on in support_review_chain(pupil.support_since[0].starts_on, held, today):
            if _in_period(due, today):
                add(pupil.school_id, rules.SEN_SUPPORT_REVIEW, rules.on_time(due, done_on))
    return out


@dataclass(frozen=True)
class Row:
    label: str
    figures: list[Figure]  # per measure: count on time, of the total due


def on_time_rows(schools: list[School], today: dt.date, *, hide_small: bool) -> list[Row]:
    """A row per school and one for all of them (when several), each measure's on-time Figure;
    with `hide_small`, counts withheld by the disclosure rule (on time + late = due, and the
    schools' cells add up to the total row's)."""
    found = tallies(schools, today)
    keys = [school.pk for school in schools] + ([ALL] if len(schools) > 1 else [])
    hidden: set = set()
    if hide_small:
        values, relations = {}, []
        for key in keys:
            for m in MEASURES:
                tally = found[(key, m)]
                values |= {(key, m, "on"): tally.on_time, (key, m, "late"): tally.due - tally.on_time}
                values[(key, m, "due")] = tally.due
                relations.append(Relation((key, m, "due"), ((key, m, "on"), (key, m, "late"))))
        if ALL in keys:
            for m in MEASURES:
                for part in ("on", "late", "due"):
                    relations.append(Relation((ALL, m, part), tuple((s.pk, m, part) for s in schools)))
        hidden = protect(values, relations)
    rows = []
    labels = {school.pk: school.name for school in schools} | {ALL: "All these schools"}
    for key in keys:
        figures = [
            Figure(
                found[(key, m)].on_time,
                found[(key, m)].due,
                suppressed=(key, m, "on") in hidden,
                base_suppressed=(key, m, "due") in hidden,
            )
            for m in MEASURES
        ]
        rows.append(Row(labels[key], figures))
    return rows
