"""Review tallies by day and by week: a trend period reads its whole weeks from the week tallies
and the days of its part weeks from the day tallies, and must count exactly the reviews dated in
the period. Hand-worked around week boundaries (16 November 2026 is a Monday)."""

import datetime as dt
import random
from collections import Counter

from trellis.plans import tally
from trellis.plans.models import ReviewTally, ReviewWeekTally

D = dt.date


def _add(school, *dated: tuple[dt.date, str]) -> None:
    tally.adjust(school.pk, Counter(dated))


def test_week_of_is_the_monday():
    assert tally.week_of(D(2026, 11, 16)) == D(2026, 11, 16)  # a Monday
    assert tally.week_of(D(2026, 11, 22)) == D(2026, 11, 16)  # the Sunday after
    assert tally.week_of(D(2026, 11, 23)) == D(2026, 11, 23)
    assert tally.week_of(D(2028, 3, 1)) == D(2028, 2, 28)  # across a leap day


def test_whole_weeks_inside_a_period():
    assert tally._whole_weeks(D(2026, 11, 2), D(2026, 11, 15)) == (D(2026, 11, 2), D(2026, 11, 9))
    assert tally._whole_weeks(D(2026, 11, 3), D(2026, 11, 15)) == (D(2026, 11, 9), D(2026, 11, 9))
    assert tally._whole_weeks(D(2026, 11, 2), D(2026, 11, 14)) == (D(2026, 11, 2), D(2026, 11, 2))
    assert tally._whole_weeks(D(2026, 11, 2), D(2026, 11, 8)) == (D(2026, 11, 2), D(2026, 11, 2))  # one week
    assert tally._whole_weeks(D(2026, 11, 3), D(2026, 11, 9)) is None  # seven days, no whole week
    assert tally._whole_weeks(D(2026, 11, 4), D(2026, 11, 4)) is None


def test_whole_weeks_count_from_monday_to_sunday(world):
    school = world.school_a
    _add(school, (D(2026, 11, 1), "off_track"), (D(2026, 11, 2), "on_track"), (D(2026, 11, 15), "at_risk"))
    _add(school, (D(2026, 11, 16), "off_track"))
    [counts] = tally.counted_by_period([school.pk], [(D(2026, 11, 2), D(2026, 11, 15))])
    assert counts == Counter({"on_track": 1, "at_risk": 1})


def test_part_weeks_count_only_their_days_in_the_period(world):
    """Wednesday 4 to Tuesday 17 November: the Tuesday before and the Wednesday after share a
    week with days in the period, and must not count."""
    school = world.school_a
    _add(
        school,
        (D(2026, 11, 3), "off_track"),  # Tuesday, the week of the first day
        (D(2026, 11, 4), "on_track"),  # the first day
        (D(2026, 11, 10), "on_track"),  # a whole week
        (D(2026, 11, 10), "at_risk"),
        (D(2026, 11, 17), "achieved"),  # the last day
        (D(2026, 11, 18), "off_track"),  # Wednesday, the week of the last day
    )
    [counts] = tally.counted_by_period([school.pk], [(D(2026, 11, 4), D(2026, 11, 17))])
    assert counts == Counter({"on_track": 2, "at_risk": 1, "achieved": 1})


def test_a_week_split_between_two_periods_counts_each_day_once(world):
    school = world.school_a
    _add(school, (D(2026, 11, 11), "on_track"), (D(2026, 11, 12), "at_risk"), (D(2026, 11, 12), "at_risk"))
    first, second = tally.counted_by_period(
        [school.pk], [(D(2026, 11, 2), D(2026, 11, 11)), (D(2026, 11, 12), D(2026, 11, 22))]
    )
    assert (first, second) == (Counter({"on_track": 1}), Counter({"at_risk": 2}))


def test_only_the_schools_asked_for_count(world):
    _add(world.school_a, (D(2026, 11, 10), "on_track"))
    _add(world.school_b, (D(2026, 11, 10), "on_track"), (D(2026, 11, 11), "off_track"))
    period = [(D(2026, 11, 9), D(2026, 11, 15))]
    assert tally.counted_by_period([world.school_a.pk], period) == [Counter({"on_track": 1})]
    both = tally.counted_by_period([world.school_a.pk, world.school_b.pk], period)
    assert both == [Counter({"on_track": 2, "off_track": 1})]


def test_changes_add_and_take_away_in_both_tallies(world):
    school = world.school_a
    _add(school, (D(2026, 11, 10), "on_track"), (D(2026, 11, 10), "on_track"), (D(2026, 11, 12), "on_track"))
    tally.adjust(school.pk, Counter({(D(2026, 11, 10), "on_track"): -1, (D(2026, 11, 10), "at_risk"): 1}))
    days = sorted(ReviewTally.objects.filter(count__gt=0).values_list("date", "status", "count"))
    weeks = sorted(ReviewWeekTally.objects.filter(count__gt=0).values_list("week", "status", "count"))
    assert days == [(D(2026, 11, 10), "at_risk", 1), (D(2026, 11, 10), "on_track", 1), (D(2026, 11, 12), "on_track", 1)]
    assert weeks == [(D(2026, 11, 9), "at_risk", 1), (D(2026, 11, 9), "on_track", 2)]


def test_any_periods_count_what_the_days_hold(world):
    """Random reviews over a year and random runs of periods (gaps between them, as holidays):
    each period's count equals the sum of the day tallies dated in it."""
    school = world.school_a
    rng = random.Random(17)
    start = D(2025, 9, 1)
    reviews = Counter(
        (start + dt.timedelta(days=rng.randrange(400)), rng.choice(["on_track", "at_risk", "off_track", "achieved"]))
        for _ in range(600)
    )
    tally.adjust(school.pk, reviews)
    for _ in range(30):
        periods, day = [], start + dt.timedelta(days=rng.randrange(10))
        while day < start + dt.timedelta(days=400):
            length = rng.choice([1, 3, 6, 7, 8, 13, 14, 20, 40])
            periods.append((day, day + dt.timedelta(days=length - 1)))
            day += dt.timedelta(days=length + rng.choice([0, 0, 1, 2, 9]))
        expected = [
            sum((Counter({s: n}) for (d, s), n in reviews.items() if a <= d <= b), Counter()) for a, b in periods
        ]
        assert tally.counted_by_period([school.pk], periods) == expected
