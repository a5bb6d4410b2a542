"""The review window on awkward days: half-term holidays, the summer holiday, a new year not yet set up."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from fixtures_progress import add_review, make_target

from trellis.plans.progress import Status, current_window, status_now
from trellis.schools.models import HalfTerm
from trellis.schools.services import create_academic_year, create_school

pytestmark = pytest.mark.dates

# A school's own 2026/27 calendar, with its holidays between the half terms (the defaults have none).
CALENDAR_2026 = [
    (dt.date(2026, 9, 3), dt.date(2026, 10, 23)),
    (dt.date(2026, 11, 2), dt.date(2026, 12, 18)),
    (dt.date(2027, 1, 5), dt.date(2027, 2, 12)),
    (dt.date(2027, 2, 22), dt.date(2027, 3, 26)),
    (dt.date(2027, 4, 12), dt.date(2027, 5, 28)),
    (dt.date(2027, 6, 7), dt.date(2027, 7, 22)),
]


def use_calendar(year, calendar=CALENDAR_2026) -> None:
    for number, (starts_on, ends_on) in enumerate(calendar, 1):
        HalfTerm.objects.filter(academic_year=year, number=number).update(starts_on=starts_on, ends_on=ends_on)


@pytest.fixture
def school(db):
    school = create_school(urn="100009", name="Holly Primary", today=dt.date(2026, 11, 18))
    use_calendar(school.academic_years.get())
    return school


def window_on(school, day: dt.date) -> tuple:
    window = current_window(school, day)
    return window.name, window.starts_on, window.ends_on, window.ended, window.year_ends_on


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # In term, first and last days included: the half term containing the day.
        ("2026-09-03", ("Autumn 1", dt.date(2026, 9, 3), dt.date(2026, 10, 23), False)),
        ("2026-10-23", ("Autumn 1", dt.date(2026, 9, 3), dt.date(2026, 10, 23), False)),
        ("2026-11-02", ("Autumn 2", dt.date(2026, 11, 2), dt.date(2026, 12, 18), False)),
        ("2027-03-26", ("Spring 2", dt.date(2027, 2, 22), dt.date(2027, 3, 26), False)),
        # The October half-term holiday, a Saturday and New Year's Day: the half term just ended.
        ("2026-10-24", ("Autumn 1", dt.date(2026, 9, 3), dt.date(2026, 10, 23), True)),
        ("2026-10-28", ("Autumn 1", dt.date(2026, 9, 3), dt.date(2026, 10, 23), True)),
        ("2027-01-01", ("Autumn 2", dt.date(2026, 11, 2), dt.date(2026, 12, 18), True)),
        ("2027-02-20", ("Spring 1", dt.date(2027, 1, 5), dt.date(2027, 2, 12), True)),
        # The last day of the summer holiday: the summer term.
        ("2027-08-31", ("Summer 2", dt.date(2027, 6, 7), dt.date(2027, 7, 22), True)),
    ],
)
def test_between_half_terms_the_window_is_the_half_term_just_ended(school, day, expected):
    assert window_on(school, dt.date.fromisoformat(day)) == (*expected, dt.date(2027, 8, 31))


def test_a_new_year_not_yet_set_up_still_shows_last_summer(school):
    # 1 September 2027: the school has no 2027/28 calendar yet, so its 2026/27 summer term is the latest.
    assert window_on(school, dt.date(2027, 9, 1)) == (
        "Summer 2",
        dt.date(2027, 6, 7),
        dt.date(2027, 7, 22),
        True,
        dt.date(2027, 8, 31),
    )
    # Once the new year exists, its first half term is the window from its first day.
    create_academic_year(school=school, start_year=2027)
    assert window_on(school, dt.date(2027, 9, 1)) == (
        "Autumn 1",
        dt.date(2027, 9, 1),
        dt.date(2027, 10, 31),
        False,
        dt.date(2028, 8, 31),
    )


def test_before_the_first_half_term_of_the_first_year_it_is_the_last_seven_weeks(school):
    # 2 September 2026: in the school's first year, before its first half term; nothing ended before it.
    assert window_on(school, dt.date(2026, 9, 2)) == (
        "",
        dt.date(2026, 7, 15),
        dt.date(2026, 9, 2),
        False,
        dt.date(2027, 8, 31),
    )
    # More than a year after the last half term ended: the last seven weeks, with no year.
    assert window_on(school, dt.date(2028, 7, 23)) == ("", dt.date(2028, 6, 4), dt.date(2028, 7, 23), False, None)


def test_a_review_in_the_half_term_just_ended_still_counts_in_the_holiday(school):
    holiday = current_window(school, dt.date(2026, 10, 28))
    # Reviewed in the first week of Autumn 1: more than seven weeks before the holiday, still this half term.
    assert status_now(Status.ON_TRACK, dt.date(2026, 9, 4), holiday) == Status.ON_TRACK
    assert status_now(Status.ON_TRACK, dt.date(2026, 9, 2), holiday) == Status.NOT_REVIEWED
    assert status_now(Status.ACHIEVED, dt.date(2026, 7, 1), holiday) == Status.ACHIEVED


@pytest.fixture
def october_holiday():
    """Wednesday 28 October 2026, inside the October half-term holiday of CALENDAR_2026."""
    with time_machine.travel(dt.datetime(2026, 10, 28, 10, tzinfo=ZoneInfo("Europe/London")), tick=True):
        yield


def test_pages_between_half_terms_show_the_half_term_just_ended_and_say_so(october_holiday, world, login):
    year = world.school_a.academic_years.get()
    use_calendar(year)
    reviewed = make_target(world.in_class, starts_on=dt.date(2026, 9, 7), target_date=dt.date(2027, 7, 16))
    add_review(reviewed, "2b", date=dt.date(2026, 10, 21))
    client = login(world.senco)
    note = "Between half terms: this page shows Autumn 1, the half term that ended on 23 October 2026."
    for url in (
        reverse("dashboard-school", args=[world.school_a.urn]),
        reverse("review-entry", args=[world.school_a.urn]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert note in response.content.decode(), url
    page = client.get(reverse("dashboard-school", args=[world.school_a.urn])).content.decode()
    assert "their status in the half term just ended (3 September to 23 October 2026)" in page
    api = client.get("/api/v1/dashboard", {"school": world.school_a.urn}).json()
    assert api["half_term"] == {"starts_on": "2026-09-03", "ends_on": "2026-10-23", "ended": True}


def test_pages_in_term_time_say_this_half_term(world, login):
    client = login(world.senco)
    page = client.get(reverse("dashboard-school", args=[world.school_a.urn])).content.decode()
    assert "Between half terms" not in page
    assert "their status this half term" in page
