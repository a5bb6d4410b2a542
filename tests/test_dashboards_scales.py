"""Dashboards across scales (issue 16): planned progress achieved as the cross-scale unit, mean steps
per scale, EDSM targets by level each half term, and the scale, plan and school-type filters."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fixtures_progress import add_review, make_target
from test_dashboards_progress import TODAY, build, progress_fixture, target  # noqa: F401

from trellis.dashboards.overview import NO_FILTERS_FOR_SUPPRESSED
from trellis.dashboards.scales import ScaleRow
from trellis.plans.models import Plan


def edsm(pupil, **fields):
    return make_target(pupil, scale="edsm", baseline="emerging", target_value="secure", **fields)


@pytest.fixture(name="levels")
def levels_fixture(world, progress):
    """Three EDSM targets (emerging -> secure, 2 steps): A developing then secure this half term, B
    emerging this half term, C developing in the half term before."""
    a, b, c = edsm(world.in_class), edsm(world.in_class), edsm(world.other_class)
    add_review(a, "developing", date=TODAY - dt.timedelta(days=2))
    add_review(a, "secure", date=TODAY)
    add_review(b, "emerging", date=TODAY)
    add_review(c, "developing", date=TODAY - dt.timedelta(days=45))
    return a, b, c


def test_planned_progress_achieved_is_the_mean_of_each_targets_gain_over_its_planned_gain(world, progress):
    d = build(world.senco, world)
    # On NC levels from 2c: 2a of 2 planned = 1; 2b of 2 = 0.5; 2c of 3 = 0; 2b of 3 = 1/3. Two unreviewed
    # targets have no share. (1 + 0.5 + 0 + 0.3333) / 4 = 0.4583: 46%.
    assert d.total.planned_share == 46
    assert d.per_scale == [ScaleRow("NC levels", "", 4, Decimal("1.0"), 46)]  # (2 + 1 + 0 + 1) / 4 steps


def test_steps_are_averaged_per_scale_and_share_across_them(world, progress, levels):
    d = build(world.senco, world)
    # EDSM: A secure (2 of 2 = 1), B emerging (0), C developing (1 of 2 = 0.5): 1 step, 50%.
    assert d.per_scale == [
        ScaleRow("Developmental scale", "", 3, Decimal("1.0"), 50),
        ScaleRow("NC levels", "", 4, Decimal("1.0"), 46),
    ]
    # Across both: (1 + 0.5 + 0 + 0.3333 + 1 + 0 + 0.5) / 7 = 0.4762: 48%.
    assert d.total.planned_share == 48


def test_edsm_targets_by_level_each_half_term(world, progress, levels):
    d = build(world.senco, world, scale="edsm")
    assert d.by_level.levels == ["Emerging", "Developing", "Secure", "Mastery"]
    by_period = {row.period.label: row.counts for row in d.by_level.rows if row.total}
    now = next(r for r in d.by_level.rows if r.period.starts_on <= TODAY <= r.period.ends_on)
    before = TODAY - dt.timedelta(days=45)
    earlier = next(r for r in d.by_level.rows if r.period.starts_on <= before <= r.period.ends_on)
    # A counts once, at secure (its latest review this half term); B emerging; C developing before.
    assert by_period == {now.period.label: [1, 0, 1, 0], earlier.period.label: [0, 1, 0, 0]}
    assert d.total.total == 3  # the scale filter narrows every figure to the EDSM targets


def test_plan_and_school_type_filters_narrow_every_figure(world, progress, levels):
    assert build(world.senco, world, plan=Plan.Kind.SEN_SUPPORT).total.total == 9
    assert build(world.senco, world, plan=Plan.Kind.EHC).total.total == 0
    # Sam Otherclass's plan becomes EHC outcomes: off track, at risk, not reviewed and EDSM C.
    Plan.objects.filter(pupil=world.other_class).update(kind=Plan.Kind.EHC)
    assert build(world.senco, world, plan=Plan.Kind.EHC).total.total == 4
    assert build(world.senco, world, plan=Plan.Kind.SEN_SUPPORT).total.total == 5
    assert build(world.senco, world, school_type="primary").total.total == 9
    assert build(world.senco, world, school_type="special").total.total == 0


def test_the_page_shows_the_unit_the_tables_and_refuses_filters_to_governors(world, progress, levels, login):
    url = f"/dashboards/schools/{world.school_a.urn}/"
    text = html.unescape(login(world.senco).get(f"{url}?scale=edsm").content.decode())
    assert "Planned progress achieved" in text and "100% is the progress planned" in text
    assert "Developmental scale: targets by level each period" in text
    assert '<th scope="row">Developmental scale</th><td class="numeric">3</td>' in text
    governor = login(world.governor)
    for choice in ("scale=edsm", "plan=ehc", "school_type=primary"):
        page = governor.get(f"{url}?{choice}")
        assert page.status_code == 400 and NO_FILTERS_FOR_SUPPRESSED in html.unescape(page.content.decode())
    text = governor.get(url).content.decode()
    assert "Not shown with numbers withheld" in text and "Targets reviewed</th>" not in text


def test_a_plan_or_school_type_that_does_not_exist_is_named(world, login):
    page = login(world.senco).get(f"/dashboards/schools/{world.school_a.urn}/?plan=iep")
    assert page.status_code == 400 and "'plan' must be one of" in html.unescape(page.content.decode())


def test_queries_do_not_grow_with_the_scale_tables(world, progress, levels, login):
    client = login(world.senco)
    url = f"/dashboards/schools/{world.school_a.urn}/?scale=edsm"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # the first page after signing in also saves the session (on main too): not what is measured
    before = queries()
    for n in range(6):
        more = edsm(world.in_class, description=f"More {n}")
        add_review(more, "developing", date=TODAY - dt.timedelta(days=45))
        add_review(more, "mastery", date=TODAY)
    assert queries() == before
