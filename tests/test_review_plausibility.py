"""Bulk review entry (issue 15): three-box dates, the unit and range on screen, and a warning to
confirm an implausible value before it is saved."""

import datetime as dt

import pytest
from django.utils import timezone
from fixtures_progress import make_target, targets_fixture  # noqa: F401

from trellis.assessment.scales import find_scale
from trellis.plans.models import Review
from trellis.plans.plausibility import age_in_months, warning_for

pytestmark = pytest.mark.dates


def test_age_in_months_counts_whole_months():
    born = dt.date(2017, 1, 15)
    assert age_in_months(born, dt.date(2026, 3, 15)) == 110  # 9 years 2 months
    assert age_in_months(born, dt.date(2026, 3, 14)) == 109  # a day short of the month


def test_a_reading_age_more_than_four_years_from_the_pupils_age_is_queried(world):
    scale = find_scale("reading-age", world.school_a)
    # Pupil aged 110 months: 62 to 158 is within 48 months; 61 and 159 are not.
    assert warning_for(scale, "62", age_months=110) == ""
    assert warning_for(scale, "158", age_months=110) == ""
    assert warning_for(scale, "61", age_months=110) == (
        "61 months is more than 4 years below the pupil's age (9 years 2 months)."
    )
    assert "more than 4 years above" in warning_for(scale, "159", age_months=110)
    assert warning_for(scale, "12", age_months=None) == ""  # no age, no age rule
    # Already far behind last time (110 - 61 = 49 months): a small change is not queried again.
    assert warning_for(scale, "64", previous="61", age_months=110) == ""
    assert "4 years below" in warning_for(scale, "61", previous="62", age_months=110)


def test_a_jump_from_the_previous_value_is_queried(world):
    reading = find_scale("reading-age", world.school_a)  # 0 to 240: a quarter is 60 months
    assert warning_for(reading, "160", previous="100") == ""
    assert warning_for(reading, "40", previous="100") == ""
    assert warning_for(reading, "161", previous="100") == (
        "161 months is a big change from the previous value, 100 months."
    )
    assert warning_for(reading, "39", previous="100") != ""
    levels = find_scale("nc-levels", world.school_a)  # 1c 1b 1a 2c 2b 2a 3c 3b ...
    assert warning_for(levels, "3c", previous="2c") == ""  # 3 steps up
    assert warning_for(levels, "1c", previous="2c") == ""  # 3 steps down
    assert warning_for(levels, "3b", previous="2c") == "3b is a big change from the previous value, 2c."
    assert warning_for(levels, "3b", previous="gone") == ""  # previous value no longer on the scale


def test_review_page_has_day_month_year_boxes_per_row_and_shows_the_unit_and_range(world, login):
    target = make_target(world.in_class, scale="reading-age", baseline="100", target_value="110")
    page = login(world.teacher).get(f"/schools/{world.school_a.urn}/reviews/").content.decode()
    today = timezone.localdate()
    assert 'type="date"' not in page
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        assert (
            f'id="date-{part}-{target.pk}" name="date_{part}" form="review-{target.pk}" '
            f'inputmode="numeric" autocomplete="off" value="{value}"'
        ) in page
    assert f'<span class="hint" id="range-{target.pk}">months, 0 to 240</span>' in page
    assert '<th scope="col" class="review-target">Target</th>' in page


def test_a_row_saves_the_date_from_its_three_boxes_and_shows_a_bad_date_in_the_row(world, login, targets):
    client = login(world.teacher)
    target = targets["in_class"][0]
    day = timezone.localdate() - dt.timedelta(days=3)
    bad = client.post(
        f"/targets/{target.pk}/review/",
        {"value": "2b", "date_day": "31", "date_month": "2", "date_year": str(day.year)},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'id="date-error-{target.pk}" role="alert"><span class="visually-hidden">Error:</span> ' in bad
    assert "The review date must be a real date" in bad
    assert 'aria-invalid="true" id="date-day-' in bad and 'value="31"' in bad  # what was typed is kept
    assert not Review.objects.exists()
    client.post(
        f"/targets/{target.pk}/review/",
        {"value": "2b", "date_day": str(day.day), "date_month": str(day.month), "date_year": str(day.year)},
        HTTP_HX_REQUEST="true",
    )
    assert Review.objects.get(target=target).date == day


def test_an_implausible_value_is_held_until_the_person_confirms_it(world, login):
    target = make_target(world.in_class, scale="reading-age", baseline="100", target_value="110")
    client = login(world.teacher)
    posted = {"value": "12", "comment": "Typed in a hurry", "once": "t1"}
    row = client.post(f"/targets/{target.pk}/review/", posted, HTTP_HX_REQUEST="true").content.decode()
    assert "12 months is more than 4 years below the pupil&#x27;s age" in row and "Not saved yet." in row
    assert (
        f'<input type="checkbox" name="confirm" value="yes" form="review-{target.pk}" id="confirm-{target.pk}">'
        f'<label for="confirm-{target.pk}">Yes, this value is right</label>'
    ) in row
    assert 'value="Typed in a hurry"' in row and "Saved" not in row
    assert not Review.objects.exists()
    row = client.post(
        f"/targets/{target.pk}/review/", posted | {"confirm": "yes"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Saved" in row and "Yes, this value is right" not in row
    assert Review.objects.get(target=target).value == "12"


def test_without_javascript_an_implausible_value_is_not_saved_and_the_page_says_why(world, login):
    target = make_target(world.in_class, scale="reading-age", baseline="100", target_value="110")
    url = f"/schools/{world.school_a.urn}/reviews/"
    response = login(world.teacher).post(f"/targets/{target.pk}/review/", {"value": "12", "next": url}, follow=True)
    assert "not saved. 12 months is more than 4 years below" in response.content.decode()
    assert not Review.objects.exists()
