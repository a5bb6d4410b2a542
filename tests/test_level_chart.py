"""The "targets by level" stacked bar chart: each period's bar is 420 wide, split by level in the
scale's order; worked by hand from made-up counts, then drawn on the dashboard beside its table."""

from __future__ import annotations

import datetime as dt
import html
from types import SimpleNamespace

from test_dashboards_progress import progress_fixture, target  # noqa: F401
from test_dashboards_scales import levels_fixture  # noqa: F401

from trellis.dashboards.level_chart import FILLS, level_chart
from trellis.dashboards.progress import Period
from trellis.dashboards.scales import ByLevel, LevelRow

EDSM = ["Emerging", "Developing", "Secure", "Mastery"]


def _by_level(*counts: list[int]) -> ByLevel:
    periods = [
        Period(f"Autumn {n + 1} 2026/27", dt.date(2026, 9, 1), dt.date(2026, 10, 23)) for n in range(len(counts))
    ]
    return ByLevel(
        SimpleNamespace(name="Developmental scale"),
        EDSM,
        [LevelRow(p, c) for p, c in zip(periods, counts, strict=True)],
    )


def test_each_bar_is_split_by_share_of_the_periods_targets():
    chart = level_chart(_by_level([1, 2, 1, 0], [0, 0, 0, 0], [0, 0, 3, 1]))
    first, empty, last = chart.bars
    # 4 targets: 1/4 of 420 = 105 from x 150; 2/4 = 210 from 255; 1/4 = 105 from 465. Mastery 0: no segment.
    assert [(s.level, s.count, s.x, s.width) for s in first.segments] == [
        ("Emerging", 1, 150.0, 105.0),
        ("Developing", 2, 255.0, 210.0),
        ("Secure", 1, 465.0, 105.0),
    ]
    assert (empty.total, empty.segments) == (0, [])
    # 3 of 4 = 315 wide, 1 of 4 = 105; bars 34 apart from 8 down.
    assert [(s.level, s.x, s.width) for s in last.segments] == [("Secure", 150.0, 315.0), ("Mastery", 465.0, 105.0)]
    assert [bar.y for bar in chart.bars] == [8, 42, 76]
    # Lightest first, darkest last; a dark segment has white text.
    assert [fill for _, fill in chart.key] == [fill for fill, _ in FILLS]
    assert last.segments[1].text_fill == "#ffffff" and first.segments[0].text_fill == "#0b0c0c"


def test_a_segment_too_narrow_for_its_number_has_none_written():
    [bar] = level_chart(_by_level([1, 19, 0, 0])).bars
    # 1 of 20 = 21 wide: under 26, left to the table; 19 of 20 = 399 wide.
    assert [(s.width, s.labelled) for s in bar.segments] == [(21.0, False), (399.0, True)]


def test_no_chart_when_no_target_was_reviewed():
    assert level_chart(_by_level([0, 0, 0, 0])) is None


def test_the_dashboard_draws_the_chart_with_its_alt_text_beside_the_table(world, progress, levels, login):
    text = html.unescape(
        login(world.senco).get(f"/dashboards/schools/{world.school_a.urn}/?scale=edsm").content.decode()
    )
    figure = text[text.index('<figure class="chart"', text.index("targets by level each period")) :]
    figure = figure[: figure.index("</figure>")]
    # This half term: A secure and B emerging (one each); the half term before: C developing.
    assert "1 emerging, 1 secure" in figure and "1 developing" in figure
    assert figure.count("n 2</text>") == 1 and figure.count("n 1</text>") == 1
    assert "Targets on the" in text[text.index("</figure>", text.index("targets by level each period")) :]
