"""The one on-track rule (trellis.plans.progress) at its edges, and the stuck flag."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from trellis.assessment.scales import find_scale
from trellis.plans.models import Target
from trellis.plans.progress import (
    GLOSSARY,
    Progress,
    Status,
    Window,
    assess,
    current_window,
    expected_gain,
    share_of_planned,
    status_now,
    stored_status,
    summarise,
    summary_fields,
)

TODAY = dt.date(2026, 3, 1)
WINDOW = Window(starts_on=dt.date(2026, 2, 21), ends_on=dt.date(2026, 4, 14), today=TODAY)
START, DUE = TODAY - dt.timedelta(days=100), TODAY + dt.timedelta(days=100)  # today is half way


def target(baseline="2c", goal="3c", scale="nc-levels", **fields):
    return Target(
        scale=find_scale(scale), baseline_value=baseline, target_value=goal, starts_on=START, target_date=DUE, **fields
    )


def reviews(*values, on=TODAY):
    return [
        SimpleNamespace(value=v, date=on - dt.timedelta(days=7 * (len(values) - 1 - n))) for n, v in enumerate(values)
    ]


def status(t, values, **kw):
    return assess(t, reviews(*values, **kw), WINDOW)


pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_reaching_the_target_value_is_achieved():
    assert status(target(), ["3c"]).status == Status.ACHIEVED
    assert status(target(), ["3b"]).status == Status.ACHIEVED  # beyond it too


def test_an_achieved_target_stays_achieved_without_a_review_this_half_term():
    assert status(target(), ["3c"], on=WINDOW.starts_on - dt.timedelta(days=1)).status == Status.ACHIEVED


def test_gain_at_least_the_pro_rata_expectation_is_on_track():
    # 2c -> 3c is 3 steps; half way through, 1.5 are expected.
    result = status(target(), ["2a"])
    assert (result.status, result.gain, result.expected) == (Status.ON_TRACK, 2, 1.5)


def test_gain_exactly_the_expectation_is_on_track():
    assert status(target(goal="2a"), ["2b"]).status == Status.ON_TRACK  # 1 of 2 steps, half way


def test_moving_but_behind_is_at_risk():
    assert status(target(), ["2b"]).status == Status.AT_RISK  # 1 step, 1.5 expected


def test_no_movement_and_more_than_a_quarter_behind_is_off_track():
    assert status(target(), ["2c"]).status == Status.OFF_TRACK  # 0 steps, 1.5 expected > 3/4


def test_no_movement_but_within_a_quarter_of_the_planned_gain_is_at_risk():
    early = START + dt.timedelta(days=20)  # 0.3 steps expected; tolerance is 0.75
    t = target()
    window = Window(starts_on=early - dt.timedelta(days=3), ends_on=early, today=early)
    assert assess(t, [SimpleNamespace(value="2c", date=early)], window).status == Status.AT_RISK


def test_no_movement_exactly_a_quarter_behind_is_at_risk_and_a_day_later_off_track():
    # 2c -> 3c is 3 steps over 400 days; a quarter of them is 0.75. On day 100, 3 x 100/400 = 0.75
    # steps are expected: no movement is 0.75 behind, not more than a quarter, so at risk. On day 101,
    # 3 x 101/400 = 0.7575 are expected: more than a quarter behind, so off track.
    start = dt.date(2026, 1, 1)
    t = target()
    t.starts_on, t.target_date = start, start + dt.timedelta(days=400)
    window = Window(starts_on=start, ends_on=start + dt.timedelta(days=400), today=start + dt.timedelta(days=101))
    on_day_100 = assess(t, [SimpleNamespace(value="2c", date=start + dt.timedelta(days=100))], window)
    assert (on_day_100.status, on_day_100.expected) == (Status.AT_RISK, Decimal("0.75"))
    on_day_101 = assess(t, [SimpleNamespace(value="2c", date=start + dt.timedelta(days=101))], window)
    assert (on_day_101.status, on_day_101.expected) == (Status.OFF_TRACK, Decimal("0.7575"))


def test_going_backwards_is_off_track():
    assert status(target(), ["1a"]).status == Status.OFF_TRACK


def test_no_review_this_half_term_is_not_reviewed():
    assert status(target(), []).status == Status.NOT_REVIEWED
    last_half_term = WINDOW.starts_on - dt.timedelta(days=1)
    assert status(target(), ["2a"], on=last_half_term).status == Status.NOT_REVIEWED
    assert status(target(), ["2a"], on=WINDOW.starts_on).status == Status.ON_TRACK  # first day counts


def test_after_the_target_date_the_whole_gain_is_expected():
    late = target()
    late.target_date = START + dt.timedelta(days=50)
    assert status(late, ["3c"]).status == Status.ACHIEVED
    assert status(late, ["2a"]).status == Status.AT_RISK  # 2 of 3 steps, all 3 expected


def undated() -> Target:
    """85 to 95 on standardised scores: 10 steps, with no target date."""
    t = target(baseline="85", goal="95", scale="standardised")
    t.target_date = None
    return t


def test_with_no_target_date_the_whole_gain_is_due_at_the_end_of_the_school_year():
    t = undated()
    year = Window(WINDOW.starts_on, WINDOW.ends_on, TODAY, year_ends_on=START + dt.timedelta(days=400))
    result = assess(t, reviews("88"), year)  # a quarter of the way to the year end: 2.5 expected
    assert (result.status, result.expected) == (Status.ON_TRACK, Decimal("2.5"))


@pytest.mark.parametrize(
    ("value", "expected_status"),
    [("90", Status.ON_TRACK), ("89", Status.AT_RISK), ("87", Status.AT_RISK), ("85", Status.OFF_TRACK)],
)
def test_with_no_target_date_and_no_school_year_half_the_gain_is_expected_at_any_review(value, expected_status):
    """Nothing to pro-rate to: 5 of 10 steps expected whenever the review is (WINDOW has no year end)."""
    t = undated()
    for day in (START, TODAY, TODAY + dt.timedelta(days=300)):
        window = Window(day - dt.timedelta(days=3), day, day)
        result = assess(t, [SimpleNamespace(value=value, date=day)], window)
        assert (result.status, result.expected) == (expected_status, 5)


def test_the_status_help_says_what_happens_with_no_date():
    assert "half the planned gain is expected at every review" in GLOSSARY[Status.ON_TRACK.label]


def test_lower_is_better_scales_count_a_fall_as_progress():
    sdq = target(baseline="20", goal="12", scale="sdq-total")
    assert status(sdq, ["16"]).status == Status.ON_TRACK  # 4 of 8 steps half way
    assert status(sdq, ["22"]).status == Status.OFF_TRACK
    assert status(sdq, ["11"]).status == Status.ACHIEVED


def test_steps_to_gain_stand_in_for_a_target_value():
    t = target(baseline="85", goal="", scale="standardised", steps_to_gain=10)
    assert t.goal_value() == "95"
    assert status(t, ["90"]).status == Status.ON_TRACK
    assert status(t, ["95"]).status == Status.ACHIEVED


def test_no_movement_across_two_consecutive_reviews_is_stuck():
    assert status(target(), ["2c", "2c"]).stuck
    assert not status(target(), ["2b", "2b"]).stuck  # one review without movement
    assert status(target(), ["2b", "2b", "2b"]).stuck
    assert not status(target(), ["2b", "2b", "2a"]).stuck


def test_a_flat_target_at_or_above_the_expected_line_is_not_stuck():
    # Half way through: 2c -> 3c (3 steps) expects 1.5 steps; 2c -> 2a (2 steps) expects 1.
    above = status(target(), ["2a", "2a", "2a"])  # 2 steps, flat for two reviews, above 1.5
    assert (above.status, above.gain, above.expected, above.stuck) == (Status.ON_TRACK, 2, 1.5, False)
    on_the_line = status(target(goal="2a"), ["2b", "2b", "2b"])  # 1 step, exactly the 1 expected
    assert (on_the_line.gain, on_the_line.expected, on_the_line.stuck) == (1, 1, False)
    below = status(target(), ["2b", "2b", "2b"])  # 1 step, under the 1.5 expected
    assert (below.status, below.stuck) == (Status.AT_RISK, True)


def test_stuck_looks_at_the_line_even_without_a_review_this_half_term():
    last_half_term = WINDOW.starts_on - dt.timedelta(days=1)
    above = status(target(), ["2a", "2a", "2a"], on=last_half_term)
    assert (above.status, above.stuck) == (Status.NOT_REVIEWED, False)
    below = status(target(), ["2c", "2c"], on=last_half_term)
    assert (below.status, below.stuck) == (Status.NOT_REVIEWED, True)


def test_the_chart_line_ends_where_the_rule_expects_the_whole_gain():
    t = target()
    assert status(t, ["2b"]).due_on == DUE
    t.target_date = None
    year_end = dt.date(2026, 7, 31)
    assert assess(t, reviews("2b"), Window(WINDOW.starts_on, WINDOW.ends_on, TODAY, year_end)).due_on == year_end


def test_a_target_rolled_over_unchanged_is_stuck():
    earlier = target()
    earlier.pk = 1  # stands for a saved target
    again = target(rolled_over_from=earlier)
    assert status(again, ["2b"]).stuck  # 1 step, 1.5 expected
    assert not status(again, ["2a"]).stuck  # 2 steps: above the expected line this time
    changed = target(goal="2a", rolled_over_from=earlier)
    assert not status(changed, ["2b"]).stuck


def test_the_review_window_is_the_schools_half_term(world):
    year = world.school_a.academic_years.get()
    day = year.starts_on + dt.timedelta(days=80)
    window = current_window(world.school_a, day)
    half_term = year.half_terms.get(starts_on__lte=day, ends_on__gte=day)
    assert (window.starts_on, window.ends_on, window.year_ends_on) == (
        half_term.starts_on,
        half_term.ends_on,
        year.ends_on,
    )
    outside = current_window(world.school_a, year.ends_on + dt.timedelta(days=400))
    assert outside.ends_on - outside.starts_on == dt.timedelta(days=49)


def test_summary_fields_follow_every_recorded_review(world):
    """record_review keeps the target's summary (which dashboards aggregate) in step with the rule."""
    from fixtures_progress import make_target

    from trellis.plans import services

    today = timezone.localdate()
    window = current_window(world.school_a, today)
    t = make_target(
        world.in_class,
        baseline="2c",
        target_value="3c",
        starts_on=today - dt.timedelta(days=100),
        target_date=today + dt.timedelta(days=100),
    )
    assert (t.last_status, t.last_reviewed_on) == ("", None)
    for value, expected in [
        ("2c", Status.OFF_TRACK),
        ("2b", Status.AT_RISK),
        ("2a", Status.ON_TRACK),
        ("3c", Status.ACHIEVED),
    ]:
        services.record_review(target=t, by=world.teacher, date=today, value=value)
        t.refresh_from_db()
        assert status_now(t.last_status, t.last_reviewed_on, window) == expected
        assert t.reviews.order_by("-pk").first().status == expected


# --- The numbers behind each status, and the rule's smaller parts, at their edges ---------------


def test_each_status_carries_the_numbers_it_was_decided_on():
    before = WINDOW.starts_on - dt.timedelta(days=1)
    assert status(target(), ["3c"]) == Progress(Status.ACHIEVED, False, 3, 3, 3, "3c", TODAY, DUE)
    assert status(target(), ["2a"]) == Progress(Status.ON_TRACK, False, 2, Decimal("1.5"), 3, "2a", TODAY, DUE)
    assert status(target(), ["2b"]) == Progress(Status.AT_RISK, False, 1, Decimal("1.5"), 3, "2b", TODAY, DUE)
    assert status(target(), ["2a"], on=before) == Progress(Status.NOT_REVIEWED, False, 2, None, 3, "2a", before, DUE)
    assert status(target(), []) == Progress(Status.NOT_REVIEWED, False, None, None, 3, None, None, DUE)
    # A value the scale does not know has no gain: not reviewed, with what was written kept.
    assert status(target(), ["zz"]) == Progress(Status.NOT_REVIEWED, False, None, None, 3, "zz", TODAY, DUE)
    stuck_before = status(target(), ["2c", "2c"], on=before)
    assert (stuck_before.status, stuck_before.stuck) == (Status.NOT_REVIEWED, True)


def test_a_one_step_target_reached_is_achieved():
    assert status(target(goal="2b"), ["2b"]).status == Status.ACHIEVED


def test_a_target_with_no_gain_planned_is_never_achieved_by_standing_still():
    assert status(target(goal="2c"), ["2c"]).status == Status.ON_TRACK  # 0 of 0 steps: nothing expected


def test_one_step_of_movement_is_at_risk_however_far_behind():
    late = target()
    late.target_date = START + dt.timedelta(days=50)  # all 3 steps expected by now; 2b is 2 behind
    assert status(late, ["2b"]) == Progress(Status.AT_RISK, False, 1, 3, 3, "2b", TODAY, late.target_date)


@pytest.mark.parametrize(
    ("due_on", "on", "expected"),
    [
        (dt.date(2026, 1, 11), dt.date(2026, 1, 1), Decimal(0)),  # the start day: nothing yet
        (dt.date(2026, 1, 11), dt.date(2026, 1, 6), Decimal("1.5")),  # half way: half of 3
        (dt.date(2026, 1, 11), dt.date(2026, 1, 11), Decimal(3)),  # the target date: all of it
        (dt.date(2026, 1, 11), dt.date(2026, 3, 1), Decimal(3)),  # later: still all of it, no more
        (dt.date(2026, 1, 11), dt.date(2025, 12, 1), Decimal(0)),  # a review before the start
        (None, dt.date(2026, 1, 6), Decimal("1.5")),  # no date and no school year: half
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), Decimal(3)),  # due on the start day, reviewed that day
        (dt.date(2025, 12, 1), dt.date(2025, 11, 1), Decimal("1.5")),  # due before the start, reviewed before
        (dt.date(2026, 1, 1), dt.date(2025, 12, 31), Decimal("1.5")),  # due on the start day, reviewed the day before
    ],
)
def test_expected_gain_is_pro_rata_from_start_to_target_date(due_on, on, expected):
    assert expected_gain(planned=Decimal(3), starts_on=dt.date(2026, 1, 1), due_on=due_on, on=on) == expected


@pytest.mark.parametrize(
    ("values", "stuck"),
    [
        (["2b", "2c", "2b", "2b", "2b"], True),  # the last three values (below the line), not the first and last
        (["2b", "2a", "2b"], False),  # equal values two apart are not three in a row
        (["2B", "2b"], False),
        (["2b", "2B", "2b"], True),  # capitals do not matter
        (["2b", "2b", "2c"], False),  # two equal values, then back to the baseline: the last three differ
    ],
)
def test_stuck_needs_the_last_three_values_equal(values, stuck):
    assert status(target(), values).stuck is stuck


def test_status_now_keeps_a_review_from_the_first_day_of_the_half_term():
    first_day, day_before = WINDOW.starts_on, WINDOW.starts_on - dt.timedelta(days=1)
    assert status_now("on_track", first_day, WINDOW) == Status.ON_TRACK
    assert status_now("on_track", day_before, WINDOW) == Status.NOT_REVIEWED
    assert status_now("achieved", day_before, WINDOW) == Status.ACHIEVED
    assert status_now("", first_day, WINDOW) == Status.NOT_REVIEWED
    assert status_now("at_risk", None, WINDOW) == Status.NOT_REVIEWED


def test_status_expression_gives_status_now_in_sql(world):
    """The dashboards' SQL twin of `status_now`, on targets whose summary fields are set by hand."""
    from fixtures_progress import make_target

    from trellis.plans.progress import status_expression

    first_day, day_before = WINDOW.starts_on, WINDOW.starts_on - dt.timedelta(days=1)
    cases = [
        ("on_track", first_day, "on_track"),  # reviewed on the half term's first day
        ("on_track", day_before, "not_reviewed"),  # the day before: not this half term
        ("achieved", day_before, "achieved"),  # achieved stays achieved
        ("achieved", None, "achieved"),
        ("", first_day, "not_reviewed"),  # reviewed, but nothing could be assessed
        ("at_risk", None, "not_reviewed"),
    ]
    for n, (last_status, reviewed_on, _) in enumerate(cases):
        make_target(world.in_class, description=f"target {n}", last_status=last_status, last_reviewed_on=reviewed_on)
    found = Target.objects.annotate(now=status_expression(WINDOW)).order_by("pk").values_list("now", flat=True)
    assert list(found) == [expected for _, _, expected in cases]
    assert [status_now(s, d, WINDOW).value for s, d, _ in cases] == list(found)


def test_share_of_planned_is_the_gain_over_the_planned_gain_when_there_is_one():
    def share(gain, planned):
        return share_of_planned(Progress(Status.AT_RISK, False, gain, None, planned, None, None))

    assert share(Decimal(2), Decimal(3)) == Decimal("0.6667")  # rounded to four places
    assert share(Decimal(1), Decimal(1)) == Decimal(1)  # a one-step target reached: the progress planned
    assert share(Decimal(0), Decimal(2)) == Decimal(0)
    assert share(Decimal(-1), Decimal(4)) == Decimal("-0.25")  # backwards
    for gain, planned in [(None, Decimal(3)), (Decimal(1), None), (Decimal(1), Decimal(0)), (Decimal(1), Decimal(-2))]:
        assert share(gain, planned) is None, (gain, planned)
    assert share_of_planned(None) is None


def test_a_target_value_off_the_scale_has_no_planned_gain_but_keeps_the_reviews_gain():
    assert status(target(goal="zz"), ["2b"]) == Progress(Status.NOT_REVIEWED, False, 1, None, None, "2b", TODAY, DUE)


def test_stored_status_keeps_nothing_for_not_reviewed():
    assert stored_status(None) == ""
    assert stored_status(status(target(), [])) == ""
    assert stored_status(status(target(), ["2b"])) == "at_risk"


def test_summarise_gives_the_status_each_review_left_and_the_summary_keeps_the_last():
    # No target date: due at the end of the school year, 100 days after today (START is 100 days
    # before): the reviews 14 and 7 days ago and today are 86/200, 93/200 and 100/200 of the way.
    undated = target()
    undated.target_date = None
    history = reviews("2c", "2b", "2a")
    progress = summarise(undated, history, year_ends_on=DUE)
    assert [(p.status, p.gain, p.expected) for p in progress] == [
        (Status.OFF_TRACK, 0, Decimal("1.29")),
        (Status.AT_RISK, 1, Decimal("1.395")),
        (Status.ON_TRACK, 2, Decimal("1.5")),
    ]
    assert summary_fields(progress) == {
        "last_reviewed_on": TODAY,
        "last_status": "on_track",
        "last_gain": 2,
        "last_share": Decimal("0.6667"),  # 2 of the 3 steps planned (2c -> 3c)
        "stuck": False,
    }
    empty = {"last_reviewed_on": None, "last_status": "", "last_gain": None, "last_share": None, "stuck": False}
    assert summary_fields([]) == empty
    assert summary_fields([], stuck_without_reviews=True) == {**empty, "stuck": True}
    # The last review's stuck flag, not the one for a target without reviews.
    flat = summarise(undated, reviews("2c", "2c"), year_ends_on=DUE)
    assert summary_fields(flat)["stuck"] is True
    assert summary_fields(flat, stuck_without_reviews=False)["stuck"] is True
    assert summary_fields(progress, stuck_without_reviews=True)["stuck"] is False


def test_the_window_is_this_schools_half_term_found_in_one_query(world, django_assert_num_queries):
    autumn_2 = world.school_a.academic_years.get().half_terms.get(number=2)
    day = autumn_2.starts_on + dt.timedelta(days=17)
    # Another school's Autumn 2 starting later is not this school's window.
    world.school_b.academic_years.get().half_terms.filter(number=2).update(
        starts_on=autumn_2.starts_on + dt.timedelta(days=9)
    )
    with django_assert_num_queries(1):
        window = current_window(world.school_a, day)
        assert (window.starts_on, window.ends_on, window.name) == (autumn_2.starts_on, autumn_2.ends_on, "Autumn 2")


def test_the_last_half_term_stays_the_window_for_365_days(world):
    last_day = world.school_a.academic_years.get().ends_on  # the summer term's last day, 31 August 2027
    a_year_on = current_window(world.school_a, last_day + dt.timedelta(days=365))
    assert (a_year_on.ends_on, a_year_on.ended) == (last_day, True)
    a_day_more = current_window(world.school_a, last_day + dt.timedelta(days=366))
    assert (a_day_more.ends_on, a_day_more.starts_on) == (
        last_day + dt.timedelta(days=366),
        last_day + dt.timedelta(days=366 - 49),
    )  # no calendar that recent: the last seven weeks
