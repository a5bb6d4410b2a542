"""The statutory date rules, with dates worked out by hand (calendar in hand, not by the code).

Statutory dates do not move for school holidays or weekends: several of these fall in the
Christmas or Easter holidays on purpose. Months end on the same day of the month, or the last day
of a shorter month (29 February 2024 + 12 months = 28 February 2025): see trellis/deadlines/rules.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from trellis.deadlines import rules
from trellis.deadlines.rules import DONE, DUE_SOON, OVERDUE, UPCOMING
from trellis.deadlines.schedule import support_review_chain

D = dt.date
TODAY = D(2026, 11, 18)


@pytest.mark.parametrize(
    ("due", "done_on", "expected"),
    [
        (D(2026, 11, 17), None, OVERDUE),  # yesterday
        (D(2026, 11, 18), None, DUE_SOON),  # today is not late yet
        (D(2026, 12, 16), None, DUE_SOON),  # 28 days ahead: the last day of "due soon"
        (D(2026, 12, 17), None, UPCOMING),  # 29 days ahead
        (D(2026, 1, 1), D(2026, 3, 1), DONE),  # done, even though late
        (D(2027, 6, 1), D(2026, 11, 1), DONE),  # done early
    ],
)
def test_status_at_each_boundary(due, done_on, expected):
    assert rules.status(due, done_on, TODAY, 28) == expected


def test_due_soon_follows_the_setting():
    assert rules.status(D(2026, 11, 25), None, TODAY, 7) == DUE_SOON  # 7 days ahead
    assert rules.status(D(2026, 11, 26), None, TODAY, 7) == UPCOMING  # 8 days ahead


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day: no 29 February in 2025, so the 28th
        (D(2023, 2, 28), 12, D(2024, 2, 28)),  # the 28th stays the 28th in a leap year
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # into a leap February
        (D(2026, 10, 31), 4, D(2027, 2, 28)),  # across the new year, to a short month
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2027, 3, 31), -1, D(2027, 2, 28)),
    ],
)
def test_months_end_on_the_same_day_or_the_end_of_a_shorter_month(start, months, expected):
    assert rules.add_months(start, months) == expected


def test_annual_review_is_due_twelve_months_after_the_plan_or_the_last_review():
    assert rules.annual_review_due(D(2024, 2, 29)) == D(2025, 2, 28)  # plan issued on a leap day
    assert rules.annual_review_due(D(2026, 3, 10)) == D(2027, 3, 10)  # the LA's decision on the last review
    assert rules.annual_review_due(D(2026, 12, 23)) == D(2027, 12, 23)  # in the Christmas holidays: not moved


def test_under_fives_are_reviewed_every_six_months_or_as_set():
    four_year_old = D(2022, 6, 1)
    assert rules.annual_review_due(TODAY, date_of_birth=four_year_old) == D(2027, 5, 18)
    assert rules.annual_review_due(TODAY, date_of_birth=four_year_old, under5_months=3) == D(2027, 2, 18)
    # Five on the day the period starts: no longer under 5, so 12 months.
    assert rules.annual_review_due(TODAY, date_of_birth=D(2021, 11, 18)) == D(2027, 11, 18)
    # Five tomorrow: still under 5 on the day.
    assert rules.annual_review_due(TODAY, date_of_birth=D(2021, 11, 19)) == D(2027, 5, 18)
    # Born on a leap day: fifth birthday 28 February 2029 by the same convention.
    assert rules.annual_review_due(D(2029, 2, 27), date_of_birth=D(2024, 2, 29)) == D(2029, 8, 27)
    assert rules.annual_review_due(D(2029, 2, 28), date_of_birth=D(2024, 2, 29)) == D(2030, 2, 28)


def test_ehc_assessment_steps_across_the_new_year_and_into_the_easter_holidays():
    due = rules.ehc_assessment_due(requested_on=D(2026, 11, 18))
    assert due == {
        "decision_to_assess": D(2026, 12, 30),  # 6 weeks: in the Christmas holidays, not moved
        "advice_requested": D(2026, 12, 30),  # asked for when the LA decides
        "draft_plan": D(2027, 3, 10),  # 16 weeks
        "final_plan": D(2027, 4, 7),  # 20 weeks: in the Easter holidays, not moved
    }
    later = rules.ehc_assessment_due(
        requested_on=D(2026, 11, 18),
        decided_on=D(2026, 12, 2),
        advice_requested_on=D(2026, 12, 9),
        draft_issued_on=D(2027, 2, 20),
    )
    assert later["advice_requested"] == D(2026, 12, 2)
    assert later["advice_given"] == D(2027, 1, 20)  # 6 weeks from 9 December
    assert later["parent_comments"] == D(2027, 3, 7)  # 15 days from 20 February (28 days in February)


def test_ehc_assessment_steps_in_a_leap_year():
    leap = rules.ehc_assessment_due(requested_on=D(2028, 1, 10), draft_issued_on=D(2028, 2, 20))
    assert leap["decision_to_assess"] == D(2028, 2, 21)
    assert leap["final_plan"] == D(2028, 5, 29)  # 140 days, one of them 29 February
    assert leap["parent_comments"] == D(2028, 3, 6)  # 15 days from 20 February over 29 February
    plain = rules.ehc_assessment_due(requested_on=D(2027, 1, 10))
    assert plain["final_plan"] == D(2027, 5, 30)  # the same request a year earlier: one day later


def test_annual_review_steps_run_back_from_the_meeting_and_forward_from_it():
    steps = rules.annual_review_steps(due=D(2027, 1, 12))
    assert steps == {
        "advice_requested": D(2026, 12, 15),  # 4 weeks before
        "invitations_sent": D(2026, 12, 29),  # 2 weeks before: in the holidays, not moved
        "meeting": D(2027, 1, 12),
        "report_sent": D(2027, 1, 26),  # 2 weeks after
        "la_decision": D(2027, 2, 9),  # 4 weeks after
    }
    planned = rules.annual_review_steps(due=D(2027, 1, 12), meeting_on=D(2027, 1, 5))
    assert planned["advice_requested"] == D(2026, 12, 8)
    assert planned["invitations_sent"] == D(2026, 12, 22)
    assert planned["meeting"] == D(2027, 1, 12)  # the statutory date stays
    held = rules.annual_review_steps(
        due=D(2027, 1, 12), meeting_on=D(2027, 1, 5), held_on=D(2027, 1, 8), la_decision_on=D(2027, 2, 3), amends=True
    )
    assert held["report_sent"] == D(2027, 1, 22)
    assert held["la_decision"] == D(2027, 2, 5)
    assert held["amended_plan"] == D(2027, 3, 31)  # 8 weeks from 3 February 2027
    leap = rules.annual_review_steps(due=D(2028, 1, 20), la_decision_on=D(2028, 2, 3), amends=True)
    assert leap["amended_plan"] == D(2028, 3, 30)  # a day earlier over 29 February
    assert "amended_plan" not in rules.annual_review_steps(due=D(2028, 1, 20), la_decision_on=D(2028, 2, 3))


@pytest.mark.parametrize(
    ("nc_year", "phase", "today", "expected"),
    [
        (6, "primary", D(2026, 11, 18), D(2027, 2, 15)),
        (6, "primary", D(2027, 2, 16), D(2027, 2, 15)),  # the same school year: now overdue
        (6, "primary", D(2027, 8, 31), D(2027, 2, 15)),  # the last day of the school year
        (6, "primary", D(2027, 9, 1), D(2028, 2, 15)),  # a new Year 6
        (11, "secondary", D(2026, 11, 18), D(2027, 3, 31)),  # to post-16
        (11, "special", D(2027, 1, 4), D(2027, 3, 31)),
        (6, "secondary", D(2026, 11, 18), None),
        (5, "primary", D(2026, 11, 18), None),
        (None, "primary", D(2026, 11, 18), None),
    ],
)
def test_phase_transfer_is_due_on_15_february_or_31_march_of_the_year_of_the_move(nc_year, phase, today, expected):
    assert rules.phase_transfer_due(nc_year, phase, today) == expected


def test_sen_support_reviews_are_due_four_months_after_the_last_that_counted():
    chain = support_review_chain(D(2026, 1, 10), [D(2026, 4, 1), D(2026, 9, 15)], TODAY)
    assert chain == [
        (D(2026, 5, 10), D(2026, 4, 1)),  # on time
        (D(2026, 8, 1), D(2026, 9, 15)),  # late: the next runs from the review held
        (D(2027, 1, 15), None),  # next, across the new year
    ]
    assert support_review_chain(D(2026, 10, 31), [], TODAY) == [(D(2027, 2, 28), None)]
    # A review on the day SEN support began, or after today, does not count.
    assert support_review_chain(D(2026, 10, 1), [D(2026, 10, 1), D(2026, 12, 1)], TODAY) == [(D(2027, 2, 1), None)]
    # A leap year: 29 October 2027 + 4 months = 29 February 2028.
    assert support_review_chain(D(2027, 10, 29), [], D(2027, 11, 1)) == [(D(2028, 2, 29), None)]


def test_every_rule_has_an_owner_and_a_source():
    for rule in rules.RULES:
        assert rule.owner in rules.OWNERS, rule
        assert rule.kind in rules.KINDS, rule
        assert "Regulations" in rule.source or "Code of Practice" in rule.source, rule
    owners = {(r.kind, r.step): r.owner for r in rules.RULES}
    assert owners[("ehc_assessment", "parent_comments")] == "parent"
    assert owners[("ehc_assessment", "final_plan")] == "LA"
    assert owners[("annual_review", "report_sent")] == "school"
