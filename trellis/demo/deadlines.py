"""Demo data for statutory deadlines (a SCHOOL_STAGES stage of trellis.demo.builder).

Every EHC plan gets its annual reviews: the last one concluded (on the plan's last review date,
sometimes with the amended plan still to come) and the current one at the step its due date
puts it at (nothing yet, meeting planned, advice asked for, invitations sent, held late, report
sent); reviews held this school year name the next school for pupils in a transfer year. A few
pupils on SEN support have requests for an EHC needs assessment at every stage, and every pupil
on SEN support has reviews about three times a year, some without parents (which do not count).
Bulk inserts only: a few queries a school.
"""

from __future__ import annotations

import datetime as dt
import random

from trellis.deadlines import rules
from trellis.deadlines.models import AnnualReview, EhcAssessmentRequest, SupportReview
from trellis.pupils import bulk
from trellis.pupils.models import EhcPlan, Pupil, SenStatus, SenStatusEntry
from trellis.schools.models import School

from .dates import seeded_at, term_day

# Days since the request of the first requests, so that every stage is present in every school.
REQUEST_AGES = [3, 20, 45, 60, 95, 110, 130, 150]
NEXT_SCHOOLS = ["Hillside Academy", "St Anne's High School", "Riverside College", "Oak Lane School"]


def _on_or_before(day: dt.date | None, today: dt.date) -> dt.date | None:
    return day if day is not None and day <= today else None


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def _current_review(rng: random.Random, plan: EhcPlan, today: dt.date) -> dict:
    """The review due on the plan's next review date, as far on as that date puts it."""
    due = plan.next_annual_review_due
    review = {"due_on": due}
    showcase = getattr(plan, "showcase", None)
    if (due - today).days > 42:
        return review
    if showcase == (5, None):  # held early; the report is sent and the LA has not decided yet
        held = term_day(today - dt.timedelta(days=10))
        return review | {
            "meeting_on": held,
            "advice_requested_on": held - dt.timedelta(days=28),
            "invitations_sent_on": held - dt.timedelta(days=15),
            "held_on": held,
            "report_sent_on": held + dt.timedelta(days=6),
        }
    meeting = term_day(due - _days(rng, 0, 10))
    review["meeting_on"] = meeting
    steps = rules.annual_review_steps(due=due, meeting_on=meeting)
    if rng.random() < 0.85 or showcase:  # some schools ask late, or forget
        review["advice_requested_on"] = _on_or_before(steps["advice_requested"] - _days(rng, 0, 5), today)
    if (rng.random() < 0.85 and showcase != (25, None)) or showcase == (8, None):
        review["invitations_sent_on"] = _on_or_before(steps["invitations_sent"] - _days(rng, 0, 4), today)
    if due < today and rng.random() < 0.6:  # overdue: some held late, awaiting the report or the LA
        held = min(today, due + _days(rng, 1, 40))
        review["held_on"] = review["meeting_on"] = held
        review["report_sent_on"] = _on_or_before(held + _days(rng, 4, 20), today)
    return review


def _last_review(rng: random.Random, plan: EhcPlan, today: dt.date) -> dict | None:
    """The review concluded by the LA's decision on the plan's last review date."""
    decided = plan.last_annual_review_on
    if decided is None:
        return None
    held = term_day(decided - _days(rng, 14, 27))
    review = {
        "due_on": held + _days(rng, 0, 20),
        "meeting_on": held,
        "advice_requested_on": held - _days(rng, 25, 35),
        "invitations_sent_on": held - _days(rng, 14, 20),
        "held_on": held,
        "report_sent_on": held + _days(rng, 3, 14),
        "la_decision": "maintain" if rng.random() < 0.6 else "amend",
        "la_decision_on": decided,
    }
    if getattr(plan, "showcase", None) == (345, -20):
        review["la_decision"] = "amend"
    if review["la_decision"] == "amend":
        review["amended_plan_on"] = _on_or_before(decided + _days(rng, 30, 75), today)
    return review


def _request(rng: random.Random, pupil: Pupil, age: int, today: dt.date) -> dict:
    """A request made `age` days ago, at the stage that age (and a little chance) puts it."""
    requested = today - dt.timedelta(days=age)
    out = {"pupil_id": pupil.pk, "requested_on": requested, "requested_by": rng.choice(["school", "school", "parent"])}
    decided = _on_or_before(requested + _days(rng, 28, 46), today)
    if decided is None:
        return out
    if rng.random() < 0.12:
        return out | {"decision": "not_assess", "decided_on": decided}
    out |= {"decision": "assess", "decided_on": decided, "advice_requested_on": decided + _days(rng, 0, 3)}
    out["advice_requested_on"] = _on_or_before(out["advice_requested_on"], today)
    if out["advice_requested_on"]:
        out["advice_given_on"] = _on_or_before(out["advice_requested_on"] + _days(rng, 20, 50), today)
    draft = _on_or_before(requested + _days(rng, 95, 118), today)
    if draft and rng.random() < 0.1:
        return out | {"not_to_issue_on": draft}
    out["draft_issued_on"] = draft
    if draft:
        out["parent_comments_on"] = _on_or_before(draft + _days(rng, 6, 15), today)
        out["final_issued_on"] = _on_or_before(requested + _days(rng, 126, 145), today)
    return out


def _support_reviews(rng: random.Random, pupil_id: int, start: dt.date, today: dt.date) -> list[dict]:
    day, out = max(start, today - dt.timedelta(days=730)), []
    while (day := term_day(day + _days(rng, 75, 135))) <= today:
        parent = rng.choices(["took_part", "invited", "not_involved"], weights=[70, 20, 10])[0]
        out.append({"pupil_id": pupil_id, "held_on": day, "parent": parent})
    return out


def transfer_year(pupil: Pupil, school: School, today: dt.date) -> bool:
    return rules.phase_transfer_due(pupil.nc_year, school.phase, today) is not None


# Plans moved so that each school shows an annual review at every step: (days from today to the
# next review, days from today to the last review's conclusion or None to keep it).
SHOWCASE = [(25, None), (8, None), (5, None), (345, -20)]


def _showcase(plans: list[EhcPlan], today: dt.date) -> None:
    """Move the review dates of a few plans not overdue, so that every school has reviews at the
    steps its own dates might not reach: about to invite, invitations out, held early and awaiting
    the LA, and an amended plan awaited after the LA's decision 20 days ago."""
    chosen = [plan for plan in plans if plan.next_annual_review_due >= today][: len(SHOWCASE)]
    for plan, (due_in, decided) in zip(chosen, SHOWCASE, strict=False):
        last = today + dt.timedelta(days=decided) if decided is not None else None
        due = rules.annual_review_due(last) if last else today + dt.timedelta(days=due_in)
        last = last or rules.add_months(due, -12)
        if last < plan.issued_on:
            continue
        plan.next_annual_review_due, plan.last_annual_review_on = due, last
        plan.showcase = (due_in, decided)
        EhcPlan.objects.filter(pk=plan.pk).update(next_annual_review_due=due, last_annual_review_on=last)


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    plans = list(
        EhcPlan.objects.filter(pupil__school=school, pupil__left_on__isnull=True, ceased_on__isnull=True)
        .select_related("pupil")
        .order_by("pupil__upn", "pk")
    )
    _showcase(plans, today)
    reviews = []
    year_start = dt.date(rules.academic_year_start(today), 9, 1)
    for plan in plans:
        last = _last_review(rng, plan, today)
        current = _current_review(rng, plan, today)
        for review in (last, current if len(current) > 1 else None):
            if review is None:
                continue
            held = review.get("held_on")
            if (
                transfer_year(plan.pupil, school, today)
                and held
                and held >= year_start
                and review.get("amended_plan_on")
            ):
                review["next_school"] = rng.choice(NEXT_SCHOOLS)
            reviews.append({"plan_id": plan.pk, "pupil_id": plan.pupil_id, **review})
    created = seeded_at(today)
    review_fields = ["plan_id", "pupil_id", "due_on", *REVIEW_DATES, "la_decision", "next_school"]
    bulk.insert_rows(
        AnnualReview,
        [*review_fields, "health_involved", "social_care_involved", "created_at", "version"],
        [
            [r.get(name, "" if name in {"la_decision", "next_school"} else None) for name in review_fields]
            + [rng.random() < 0.4, rng.random() < 0.15, created, 1]
            for r in reviews
        ],
    )
    support = list(
        SenStatusEntry.objects.filter(
            pupil__school=school, pupil__left_on__isnull=True, ends_on__isnull=True, status=SenStatus.SEN_SUPPORT
        )
        .order_by("pupil__upn")
        .values_list("pupil_id", "starts_on")
    )
    requested = rng.sample(support, min(len(support), max(len(REQUEST_AGES), len(support) // 25)))
    pupils = {p.pk: p for p in Pupil.objects.filter(pk__in=[pk for pk, _ in requested])}
    ages = [*REQUEST_AGES, *(rng.randint(1, 160) for _ in range(len(requested)))]
    requests = [_request(rng, pupils[pk], age, today) for (pk, _), age in zip(requested, ages, strict=False)]
    request_fields = ["pupil_id", "requested_on", "requested_by", "decision", *REQUEST_DATES]
    bulk.insert_rows(
        EhcAssessmentRequest,
        [*request_fields, "created_at", "version"],
        [[r.get(name, "" if name == "decision" else None) for name in request_fields] + [created, 1] for r in requests],
    )
    rows = [row for pk, start in support for row in _support_reviews(rng, pk, start, today)]
    bulk.insert_rows(
        SupportReview,
        ["pupil_id", "held_on", "parent", "recorded_at"],
        [[r["pupil_id"], r["held_on"], r["parent"], created] for r in rows],
    )


REVIEW_DATES = [
    "meeting_on",
    "advice_requested_on",
    "invitations_sent_on",
    "held_on",
    "report_sent_on",
    "la_decision_on",
    "amended_plan_on",
]
REQUEST_DATES = [
    "decided_on",
    "advice_requested_on",
    "advice_given_on",
    "draft_issued_on",
    "parent_comments_on",
    "not_to_issue_on",
    "final_issued_on",
]
