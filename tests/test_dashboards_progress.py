"""Progress dashboards: figures checked by hand, scope per role, suppression, constant queries,
zero lag, downloads and the API."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fixtures_progress import add_review, make_target

from trellis.dashboards import overview
from trellis.dashboards.progress import DIMENSIONS, parse_group_by, per_pupil, pupils_by_status, status_counts
from trellis.dashboards.progress_views import _status_bar
from trellis.plans import services
from trellis.plans.models import Target
from trellis.plans.progress import Status, current_window
from trellis.pupils import services as pupil_services

from conftest import make_pupil

pytestmark = pytest.mark.dates

TODAY = timezone.localdate()
NAMES = ["Inclass", "Otherclass", "Private"]


def target(pupil, baseline="2c", goal="2a", **fields):
    return make_target(
        pupil,
        baseline=baseline,
        target_value=goal,
        starts_on=TODAY - dt.timedelta(days=60),
        target_date=TODAY + dt.timedelta(days=60),
        **fields,
    )


@pytest.fixture(name="progress")
def progress_fixture(world):
    """Alder Primary: Sam Inclass (boy, SLCN, K, 4B) has one target achieved and one on track;
    Sam Otherclass (girl, ASD, E, 4C) one off track, one at risk, one not reviewed; the
    confidential pupil (4B) one not reviewed. Half way through every target."""
    world.other_class.sex = "F"
    world.other_class.save()
    t = {
        "achieved": target(world.in_class),  # 2c -> 2a is 2 steps; 2a reaches it
        "on_track": target(world.in_class),  # 1 of 2 steps, half way: on track
        "off_track": target(world.other_class, goal="3c"),  # no movement, 1.5 expected
        "at_risk": target(world.other_class, goal="3c"),  # 1 of 3 steps, 1.5 expected
        "not_reviewed": target(world.other_class),
        "confidential": target(world.confidential),
    }
    add_review(t["achieved"], "2a", date=TODAY)
    add_review(t["on_track"], "2b", date=TODAY)
    add_review(t["off_track"], "2c", date=TODAY)
    add_review(t["at_risk"], "2b", date=TODAY)
    return t


def counts(row):
    return {status.value: n for status, n in row.counts.items() if n}


def build(user, world, group_by=(), schools=None, **filters):
    choices = overview.Choices(parse_group_by(list(group_by)), filters)
    return overview.build(user, schools or [world.school_a], choices, today=TODAY)


def test_status_counts_by_sex_match_the_hand_count(world, progress):
    d = build(world.senco, world, ["sex"])
    assert [(row.labels, counts(row)) for row in d.rows] == [
        (("Female",), {"off_track": 1, "at_risk": 1, "not_reviewed": 1}),
        (("Male",), {"achieved": 1, "on_track": 1, "not_reviewed": 1}),  # the confidential pupil is a boy
    ]
    assert counts(d.total) == {"achieved": 1, "on_track": 1, "at_risk": 1, "off_track": 1, "not_reviewed": 2}


def test_two_way_breakdown_need_by_sen_status(world, progress):
    d = build(world.senco, world, ["need", "sen"])
    assert {row.labels: counts(row) for row in d.rows} == {
        ("Autistic spectrum disorder", "EHC plan"): {"off_track": 1, "at_risk": 1, "not_reviewed": 1},
        ("Speech, language and communication needs", "SEN support"): {"achieved": 1, "on_track": 1},
        ("Not recorded", "SEN support"): {"not_reviewed": 1},
    }


def test_mean_steps_gained_is_over_reviewed_targets(world, progress):
    d = build(world.senco, world, ["class"])
    by_class = {row.labels[0]: row for row in d.rows}
    assert by_class["4B (Alder Primary)"].mean_gain == 1.5  # 2 steps and 1 step
    assert by_class["4C (Alder Primary)"].mean_gain == 0.5  # 0 and 1 step; the unreviewed target has no gain


def test_a_pupil_takes_the_worst_status_of_their_targets(world, progress):
    window = current_window(world.school_a, TODAY)
    by_pupil = pupils_by_status(per_pupil(Target.objects.current(), window))
    assert {s.value: n for s, n in by_pupil.items() if n} == {"on_track": 1, "off_track": 1, "not_reviewed": 1}


def test_each_role_sees_only_its_scope(world, progress):
    assert build(world.senco, world).total.total == 6
    assert build(world.head, world).total.total == 6
    assert build(world.teacher, world).total.total == 2  # 4B without the confidential pupil
    assert build(world.other_teacher, world).total.total == 3  # 4C
    assert build(world.trustlead, world).total.total == 6  # numbers of the whole school
    assert build(world.governor, world).total.total == 6


@pytest.mark.parametrize(
    ("user", "title"),
    [
        ("teacher", "Your pupils at Alder Primary"),
        ("trustlead", "Alder Primary: progress"),
        ("senco", "Alder Primary: progress"),
    ],
)
def test_the_page_says_whose_pupils_it_counts(world, progress, login, user, title):
    assert title in login(getattr(world, user)).get(f"/dashboards/schools/{world.school_a.urn}/").content.decode()


def test_pages_answer_404_outside_the_users_schools(world, progress, login):
    assert login(world.outsider).get(f"/dashboards/schools/{world.school_a.urn}/").status_code == 404
    assert login(world.specialist).get(f"/dashboards/schools/{world.school_a.urn}/").status_code == 404
    assert login(world.outsider).get("/api/v1/dashboard?school=" + world.school_a.urn).status_code == 404


def test_governor_sees_suppressed_numbers_and_no_names(world, progress, login):
    client = login(world.governor)
    page = client.get(f"/dashboards/schools/{world.school_a.urn}/?group_by=class")
    text = page.content.decode()
    assert page.status_code == 200
    assert "withheld" in text and "fewer than 5" not in text  # one marker, so no hint which are small
    assert not any(name in text for name in NAMES)
    data = client.get(f"/api/v1/dashboard?school={world.school_a.urn}&group_by=sex").json()
    assert data["small_numbers_suppressed"] is True
    assert data["targets"]["total"] == 6  # 6 targets is not a small number; 1 achieved is
    assert data["targets"]["achieved"] is None and data["targets"]["suppressed"] is True
    assert data["targets"]["percent"]["achieved"] is None
    assert not any(name in str(data) for name in NAMES)
    csv = client.get(f"/dashboards/schools/{world.school_a.urn}/?group_by=sex&download=csv").content.decode()
    assert "withheld" in csv and not any(name in csv for name in NAMES)


def test_the_status_bar_is_a_titled_segment_for_each_status_with_targets():
    # 1 achieved, 2 on track, 5 off track of 8: 12.5%, 25% and 62.5%; titles round half up.
    counts = dict.fromkeys(Status, 0) | {Status.ACHIEVED: 1, Status.ON_TRACK: 2, Status.OFF_TRACK: 5}
    assert _status_bar(counts) == (
        '<svg class="status-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        'aria-label="Share of targets by status; the figures are in this row">'
        '<rect x="0.0" y="0" width="12.5" height="10" class="seg-achieved"><title>Achieved: 13%</title></rect>'
        '<rect x="12.5" y="0" width="25.0" height="10" class="seg-on_track"><title>On track: 25%</title></rect>'
        '<rect x="37.5" y="0" width="62.5" height="10" class="seg-off_track"><title>Off track: 63%</title></rect>'
        "</svg>"
    )
    # 1 of 3 each: widths to two places, the last segment starting where the others end.
    thirds = dict.fromkeys(Status, 0) | {Status.ACHIEVED: 1, Status.AT_RISK: 1, Status.NOT_REVIEWED: 1}
    assert '<rect x="66.67" y="0" width="33.33" height="10" class="seg-not_reviewed">' in _status_bar(thirds)
    assert "<title>Not reviewed this half term: 33%</title>" in _status_bar(thirds)
    assert _status_bar(dict.fromkeys(Status, 0)) == ""


def test_governor_gets_no_status_bar_that_would_show_a_withheld_share(world, progress, login):
    for _ in range(3):
        target(world.other_class)  # 4C: 6 targets, of which 1 off track and 1 at risk
    url = f"/dashboards/schools/{world.school_a.urn}/?group_by=class"
    assert 'class="status-bar"' in login(world.senco).get(url).content.decode()
    assert 'class="status-bar"' not in login(world.governor).get(url).content.decode()


def test_senco_sees_exact_numbers_and_pupils_to_discuss(world, progress, login):
    text = login(world.senco).get(f"/dashboards/schools/{world.school_a.urn}/").content.decode()
    assert "withheld" not in text
    assert "Sam Otherclass" in text  # off track: to discuss at the pupil progress meeting


def test_ehc_reviews_due_link_to_the_deadlines_list_except_for_governors(world, progress, login):
    pupil_services.record_ehc_plan(
        pupil=world.other_class, by=world.senco, issued_on=TODAY - dt.timedelta(days=400)
    )  # due 35 days ago: overdue
    url = f"/dashboards/schools/{world.school_a.urn}/"
    link = f'<a href="/schools/{world.school_a.urn}/deadlines/?kind=annual_review"><span class="number">1</span>'
    client = login(world.senco)
    assert link in client.get(url).content.decode()
    listed = client.get(f"/schools/{world.school_a.urn}/deadlines/?kind=annual_review").content.decode()
    assert "Otherclass" in listed and "Inclass" not in listed  # her SEN support review is not an annual one
    governor = login(world.governor).get(url).content.decode()
    assert "EHC annual reviews due" in governor and "kind=annual_review" not in governor


def test_a_saved_review_shows_on_the_next_load(world, progress, login):
    client = login(world.senco)
    url = f"/api/v1/dashboard?school={world.school_a.urn}"
    assert client.get(url).json()["targets"]["achieved"] == 1
    services.record_review(target=progress["on_track"], by=world.senco, date=TODAY, value="2a")
    data = client.get(url).json()
    assert (data["targets"]["achieved"], data["targets"]["on_track"]) == (2, 0)


def test_the_api_gives_the_hand_counted_figures_the_page_gives(world, progress, login):
    client = login(world.senco)
    data = client.get(f"/api/v1/dashboard?school={world.school_a.urn}&group_by=need,sex").json()
    columns = ["need", "sex", "total", "achieved", "on_track", "at_risk", "off_track", "not_reviewed"]
    # Counted from the fixture's docstring: Otherclass (ASD, girl) has 3 targets, Inclass (SLCN, boy)
    # 2, the confidential boy with no need recorded 1.
    hand_count = [
        ["Autistic spectrum disorder", "Female", 3, 0, 0, 1, 1, 1],
        ["Speech, language and communication needs", "Male", 2, 1, 1, 0, 0, 0],
        ["Not recorded", "Male", 1, 0, 0, 0, 0, 1],
    ]
    assert [[g[c] for c in columns] for g in data["groups"]] == hand_count
    assert [g["mean_steps_gained"] for g in data["groups"]] == [0.5, 1.5, None]  # (0 + 1) / 2, (2 + 1) / 2
    assert [data["targets"][c] for c in columns[2:]] == [6, 1, 1, 1, 1, 2]
    assert [data["pupils"][c] for c in columns[2:]] == [3, 0, 1, 0, 1, 1]  # each pupil's worst status
    d = build(world.senco, world, ["need", "sex"])
    assert [[*row.labels, row.total, row.counts[Status.OFF_TRACK]] for row in d.rows] == [
        r[:3] + r[6:7] for r in hand_count
    ]
    # Two targets started 60 days ago have never been reviewed: overdue after 8 weeks.
    assert data["at_a_glance"]["stuck"] == 0 and data["at_a_glance"]["overdue"] == 2


def test_bad_choices_get_a_clear_message(world, login):
    client = login(world.senco)
    page = client.get(f"/dashboards/schools/{world.school_a.urn}/?group_by=colour")
    assert page.status_code == 400 and "Unknown group_by 'colour'" in html.unescape(page.content.decode())
    api = client.get("/api/v1/dashboard?group_by=need,sex,year")
    assert api.status_code == 422 and "one or two of trust, region" in api.json()["detail"]
    assert client.get("/api/v1/dashboard?from=yesterday").status_code == 422
    assert client.get("/api/v1/dashboard?from=1990-09-01").status_code == 400


def test_filters_narrow_every_figure(world, progress):
    assert counts(build(world.senco, world, sen="E").total) == {"off_track": 1, "at_risk": 1, "not_reviewed": 1}
    assert build(world.senco, world, sex="M", need="SLCN").total.total == 2


def test_trust_dashboard_breaks_down_by_region_and_school(world, progress, login):
    make_target(world.pupil_b)  # Birch Primary, South region
    d = build(world.trustlead, world, schools=[world.school_a, world.school_b])
    assert [(row.labels, row.total) for row in d.school_rows] == [
        (("North", "Alder Primary"), 6),
        (("South", "Birch Primary"), 1),
    ]
    page = login(world.trustlead).get("/dashboards/trust/?group_by=region,sex")
    assert page.status_code == 200 and "Birch Primary" in page.content.decode()


def test_trend_counts_reviews_in_each_half_term_by_their_outcome(world, progress):
    window = current_window(world.school_a, TODAY)
    earlier = window.starts_on - dt.timedelta(days=1)  # the last day of the half term before
    # Started before then (a long half term, such as the default summer one, began before the fixture's targets).
    Target.objects.filter(pk=progress["not_reviewed"].pk).update(starts_on=earlier - dt.timedelta(days=30))
    progress["not_reviewed"].refresh_from_db()
    add_review(progress["not_reviewed"], "2c", date=earlier)
    d = build(world.senco, world)
    current = next(p for p in d.trend if p.period.starts_on <= TODAY <= p.period.ends_on)
    assert {s.value: n for s, n in current.counts.items() if n} == {
        "achieved": 1,
        "on_track": 1,
        "off_track": 1,
        "at_risk": 1,
    }


def test_review_tallies_always_equal_a_fresh_count(world, progress):
    """The trust-wide trend reads tallies kept with each review; they must match the reviews."""
    from trellis.plans import tally
    from trellis.plans.models import ReviewTally, ReviewWeekTally

    def tallies():
        days = ReviewTally.objects.filter(count__gt=0).values_list("school_id", "date", "status", "count")
        weeks = ReviewWeekTally.objects.filter(count__gt=0).values_list("school_id", "week", "status", "count")
        return sorted(days), sorted(weeks)

    services.record_review(target=progress["not_reviewed"], by=world.senco, date=TODAY, value="2b")
    services.record_review(target=progress["on_track"], by=world.senco, date=TODAY, value="2a")  # now achieved
    progress["off_track"].delete()  # its review goes too
    kept = tallies()
    tally.rebuild()
    assert kept == tallies() and sum(row[3] for row in kept[0]) == sum(row[3] for row in kept[1]) == 5


def test_trend_is_the_same_from_tallies_and_from_reviews(world, progress):
    from trellis.dashboards.overview import periods_for
    from trellis.dashboards.progress import trend, trend_from_tally
    from trellis.plans.models import Review

    periods = periods_for(world.school_a, overview.Choices([]), TODAY)
    from_reviews = [p.counts for p in trend(Review.objects.all(), periods)]
    assert [p.counts for p in trend_from_tally([world.school_a.pk], periods)] == from_reviews
    assert sum(sum(c.values()) for c in from_reviews) == 4


def test_trends_reach_back_into_years_without_a_school_calendar(world, progress):
    """History imported from before the school joined has default half terms to fall in."""
    last_year = TODAY - dt.timedelta(days=365)
    add_review(progress["not_reviewed"], "2c", date=last_year)
    d = build(world.senco, world)
    earlier = [p for p in d.trend if p.period.starts_on <= last_year <= p.period.ends_on]
    assert len(earlier) == 1 and earlier[0].total == 1  # a half term of last year, from the default calendar
    assert d.trend[0].period.starts_on <= last_year


def test_downloads_carry_the_table(world, progress, login):
    client = login(world.senco)
    csv = client.get(f"/dashboards/schools/{world.school_a.urn}/?group_by=sex&download=csv").content.decode()
    assert csv.splitlines()[1].startswith("Female,3,0,0,1,1,1")
    xlsx = client.get(f"/dashboards/schools/{world.school_a.urn}/?group_by=sex&download=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["senco", "teacher", "governor", "trustlead"])
def test_queries_per_dashboard_do_not_grow_with_the_data(world, progress, login, user):
    client = login(getattr(world, user))
    url = (
        "/dashboards/trust/?group_by=intervention,sex"
        if user == "trustlead"
        else f"/dashboards/schools/{world.school_a.urn}/?group_by=need,class"
    )
    before = _queries(client, url)
    for n in range(8):
        pupil = make_pupil(world.school_a, surname=f"More{n}", group=world.class_4b, sex="F")
        pupil_services.set_sen_status(pupil=pupil, status="K", starts_on=TODAY - dt.timedelta(days=90), by=None)
        for goal in ("2a", "3c"):
            add_review(target(pupil, goal=goal), "2b", date=TODAY)
    assert _queries(client, url) == before


def test_every_dimension_can_be_chosen(world, progress, login):
    client = login(world.senco)
    for key in DIMENSIONS:
        status = client.get(f"/dashboards/schools/{world.school_a.urn}/?group_by={key}").status_code
        # Trust, region and school do not vary within one school: refused there, with a message.
        assert status == (400 if key in ("trust", "region", "school") else 200), key
        assert login(world.trustlead).get(f"/dashboards/trust/?group_by={key}").status_code == 200, key
        client = login(world.senco)


def test_status_counts_agree_with_the_rule_page_by_page(world, progress):
    """The SQL status (summary fields) is the full rule's status for every target."""
    window = current_window(world.school_a, TODAY)
    rows = services.with_progress(Target.objects.all(), window=window, school=world.school_a.pk)
    expected = {}
    for t in rows:
        expected[t.progress.status] = expected.get(t.progress.status, 0) + 1
    (row,) = status_counts(Target.objects.all(), [], window)
    assert {s: n for s, n in row.counts.items() if n} == expected


def test_benchmark_prints_the_json_the_readme_describes(world, progress, settings):
    settings.TRELLIS_REQUIRE_2FA = True  # as `make bench` runs it: the pages, not the set-up redirect
    import io
    import json

    from django.core.management import call_command

    from trellis.audit.models import AuditEvent

    events = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("benchmark", "--json", "--repeat", "2", "--school", world.school_a.urn, stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"pupils", "targets", "reviews", "database", "pages", "sql_ratio"}
    assert result["database"] in ("sqlite", "postgresql") and result["targets"] == Target.objects.count()
    assert set(result["pages"]) == {"trust_dashboard", "school_dashboard", "pupil", "bulk_review", "register"}
    for timing in result["pages"].values():
        assert set(timing) == {"median_ms", "p95_ms", "queries"} and timing["queries"] > 0
        assert 0 < timing["median_ms"] <= timing["p95_ms"]
    assert set(result["sql_ratio"]) == {"trust_dashboard", "school_dashboard"}
    assert AuditEvent.objects.count() == events  # the reads it audits are rolled back


def _place(world, pupil, name: str, starts: int, ends: int) -> None:
    """`pupil` in a group of `name` running from TODAY + starts to TODAY + ends (days)."""
    from trellis.provision.models import Enrolment, Intervention, InterventionGroup

    intervention, _ = Intervention.objects.get_or_create(school=world.school_a, name=name)
    dates = {"starts_on": TODAY + dt.timedelta(days=starts), "ends_on": TODAY + dt.timedelta(days=ends)}
    group = InterventionGroup.objects.create(intervention=intervention, **dates)
    Enrolment.objects.create(group=group, pupil=pupil, **dates)


def test_the_breakdown_by_intervention_counts_groups_running_in_the_chosen_period_not_only_today(world, progress):
    _place(world, world.in_class, "Numeracy", -70, -30)  # ended a month ago
    _place(world, world.other_class, "Talk Boost", -10, 20)  # running today
    _place(world, world.other_class, "Lego therapy", -200, -150)  # before the period below

    def rows(days_back: int):
        choices = overview.Choices(
            parse_group_by(["intervention"]), starts_on=TODAY - dt.timedelta(days=days_back), ends_on=TODAY
        )
        d = overview.build(world.senco, [world.school_a], choices, today=TODAY)
        return [(row.labels, counts(row)) for row in d.rows]

    assert rows(100) == [
        (("Numeracy",), {"achieved": 1, "on_track": 1}),
        (("Talk Boost",), {"off_track": 1, "at_risk": 1, "not_reviewed": 1}),
    ]
    assert rows(20) == [(("Talk Boost",), {"off_track": 1, "at_risk": 1, "not_reviewed": 1})]
