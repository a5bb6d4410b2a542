"""The annual review pack lists the suspensions and exclusions of the review period (since the last
annual review, 20 November 2025, to today) under attendance and behaviour."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from lxml import html as lxml_html

from trellis.documents import services
from trellis.documents.registry import get_kind
from trellis.evidence.exclusions import record_exclusion


def _rows(page: str, caption: str) -> list[list[str]]:
    tree = lxml_html.fromstring(page)
    [table] = [t for t in tree.xpath("//table") if t.xpath("caption")[0].text_content().startswith(caption)]
    return [[" ".join(c.text_content().split()) for c in row.xpath("th|td")] for row in table.xpath(".//tr")]


def _pack(pupil) -> str:
    return services.render_html(get_kind("annual-review"), pupil, None, today=timezone.localdate())


def test_the_pack_lists_the_periods_suspensions_only(world, ehc_review):
    pupil = world.other_class
    for day, sessions, reason in [
        (dt.date(2025, 11, 19), 4, "Bullying"),  # the day before the period starts
        (dt.date(2025, 11, 20), 1, "Damage to property"),
        (dt.date(2026, 10, 5), 5, "Persistent disruption of learning"),
    ]:
        record_exclusion(
            pupil=pupil, by=world.senco, kind="suspension", starts_on=day, sessions=sessions, reason=reason
        )
    assert _rows(_pack(pupil), "Suspensions and exclusions")[1:] == [
        ["20 November 2025", "Suspension (fixed-period exclusion)", "0.5 days (1 session)", "Damage to property"],
        [
            "5 October 2026",
            "Suspension (fixed-period exclusion)",
            "2.5 days (5 sessions)",
            "Persistent disruption of learning",
        ],
    ]


def test_the_pack_says_when_there_were_none(world, ehc_review):
    page = _pack(world.other_class)
    today = timezone.localdate()
    expected = f"No suspensions or exclusions from 20 November 2025 to {today.day} {today:%B %Y}."
    assert expected in " ".join(page.split())
