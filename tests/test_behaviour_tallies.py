"""Weekly behaviour and attendance added up per term on the evidence page. The test school's default
half-terms: Autumn runs 1 Sep to 31 Dec 2026, Spring starts 1 Jan 2027; 2026/27 is its first year."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from trellis.evidence.models import WeeklyRecord
from trellis.evidence.tallies import term_tallies

# Monday, positive, negative, attended, possible
WEEKS = [
    (dt.date(2026, 8, 31), 1, 0, 2, 2),  # the Monday before the school's first year in Trellis
    (dt.date(2026, 12, 14), 3, 1, 10, 10),
    (dt.date(2026, 12, 21), 0, 0, 0, 0),  # a holiday week: nothing possible
    (dt.date(2026, 12, 28), 2, 2, 8, 10),  # straddles 31 Dec / 1 Jan: its Monday is in the Autumn term
    (dt.date(2027, 1, 4), 5, 0, 7, 10),
]


def _weeks(world) -> list[WeeklyRecord]:
    return [
        WeeklyRecord.objects.create(
            pupil=world.in_class,
            week_starting=monday,
            behaviour_positive=positive,
            behaviour_negative=negative,
            sessions_attended=attended,
            sessions_possible=possible,
        )
        for monday, positive, negative, attended, possible in WEEKS
    ]


def test_weeks_are_added_up_in_the_term_their_monday_falls_in(world):
    years = list(world.school_a.academic_years.prefetch_related("half_terms"))
    found = [
        (t.term, t.weeks, t.positive, t.negative, t.attended, t.possible, t.attendance_percent)
        for t in term_tallies(_weeks(world), years)
    ]
    assert found == [
        ("Outside the school's terms", 1, 1, 0, 2, 2, 100.0),
        ("Autumn 2026/27", 3, 5, 3, 18, 20, 90.0),
        ("Spring 2026/27", 1, 5, 0, 7, 10, 70.0),
    ]


def test_a_term_with_no_sessions_possible_has_no_attendance_figure(world):
    WeeklyRecord.objects.create(
        pupil=world.in_class, week_starting=dt.date(2026, 12, 21), sessions_attended=0, sessions_possible=0
    )
    years = list(world.school_a.academic_years.prefetch_related("half_terms"))
    [tally] = term_tallies(list(world.in_class.weekly_records.all()), years)
    assert (tally.term, tally.weeks, tally.attendance_percent) == ("Autumn 2026/27", 1, None)


def test_the_evidence_page_shows_the_terms(world, login):
    _weeks(world)
    page = login(world.teacher).get(reverse("pupil-evidence", args=[world.in_class.pk])).content.decode()
    table = page[page.index("Behaviour and attendance by term") :]
    assert "<td>Autumn 2026/27</td><td>3</td><td>5</td><td>3</td><td>18 of 20</td><td>90.0%</td>" in table
    assert "<td>Spring 2026/27</td><td>1</td><td>5</td><td>0</td><td>7 of 10</td><td>70.0%</td>" in table


def test_the_evidence_page_queries_do_not_grow_with_weeks(world, login, django_assert_max_num_queries):
    _weeks(world)
    client = login(world.teacher)
    url = reverse("pupil-evidence", args=[world.in_class.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(1, 21):  # twenty more Mondays, into the Spring term
        WeeklyRecord.objects.create(
            pupil=world.in_class,
            week_starting=dt.date(2027, 1, 4) + dt.timedelta(weeks=n),
            sessions_attended=10,
            sessions_possible=10,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
