"""Every parent page, and a pupil's own page, is in plain English: Flesch reading ease of at least 60 (textstat), measured on
the demo trust's parents and their children, so real-looking plans, targets and notes count."""

from __future__ import annotations

import html
import io
import re

import pytest
import textstat
from django.core.management import call_command
from django.urls import reverse

from trellis.families import services
from trellis.families.models import Carer
from trellis.pupils.models import Pupil
from trellis.schools.models import School

PAGES = [
    "family-child",
    "family-targets",
    "family-report",
    "family-shared",
    "family-views",
    "family-agree",
    "family-consent",
]
PLAIN = 60


def main_text(page: str) -> str:
    """The words a parent reads in <main>: no markup, chart, table of numbers or page menu; each
    line a sentence (headings and list items are read as short sentences)."""
    main = re.search(r"<main[^>]*>(.*)</main>", page, re.S).group(1)
    main = re.sub(r"<(svg|table|nav)\b.*?</\1>", " ", main, flags=re.S)
    lines = [line.strip() for line in html.unescape(re.sub(r"<[^>]+>", "\n", main)).splitlines()]
    return "\n".join(line if line[-1] in ".!?:" else f"{line}." for line in lines if line)


def with_names_held_fixed(text: str, names: list[str], school_names: list[str]) -> str:
    """The wording with every child's name as "Sam" and every school's as "the school". The score is
    of our words: the demo picks a family by the day it is seeded on, and on a page of twenty words
    one syllable more in a child's name moved the score from 63 to 55."""
    for school_name in sorted(school_names, key=len, reverse=True):
        text = text.replace(school_name, "the school")
    return re.sub(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b", "Sam", text)


def test_names_are_held_fixed_and_the_wording_kept():
    text = "Luca Morris.\nOakfield Primary Academy.\nLuca's plan at Oakfield Primary Academy, not Lucas's."
    held = with_names_held_fixed(text, ["Luca", "Morris"], ["Oakfield Primary Academy"])
    assert held == "Sam Sam.\nthe school.\nSam's plan at the school, not Lucas's."


def test_main_text_keeps_the_words_and_drops_the_markup():
    page = (
        '<main><h1>Sam&#x27;s plan</h1><nav><a href="/">Plan</a></nav><p>He reads.</p><svg><text>3</text></svg></main>'
    )
    assert main_text(page) == "Sam's plan.\nHe reads."


@pytest.mark.dates
def test_every_parent_page_of_the_demo_reads_plainly(db, client):
    call_command("seed_demo", "--schools", "1", "--pupils-per-school", "150", stdout=io.StringIO())
    assert Carer.objects.filter(user__username="parent").count() == 2  # the demo login: two siblings
    names = {
        name
        for pupil in Pupil.objects.all()
        for name in (pupil.legal_forename, pupil.legal_surname, pupil.preferred_forename, pupil.preferred_surname)
        if name
    }
    school_names = list(School.objects.values_list("name", flat=True))

    def reading_ease(response) -> float:
        return textstat.flesch_reading_ease(
            with_names_held_fixed(main_text(response.content.decode()), names, school_names)
        )

    scores = {}
    for carer in Carer.objects.select_related("user").order_by("pk"):
        client.force_login(carer.user)
        urls = [reverse(name, args=[carer.pupil_id]) for name in PAGES] + [reverse("family-home")]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            scores[(carer.user.username, url)] = reading_ease(response)
    # A pupil's own page (their passport and targets), for the demo children who have a plan.
    for child in Pupil.objects.filter(carers__isnull=False, plans__state="active").distinct().order_by("pk")[:2]:
        services.set_pupil_sign_in(school=child.school, by=None, enabled=True, from_year=1)
        child.refresh_from_db()
        user = services.give_pupil_sign_in(pupil=child, by=None, username=f"pupil{child.pk}", password="x" * 12).user
        client.force_login(user)
        response = client.get(reverse("pupil-own"))
        assert response.status_code == 200
        scores[(user.username, reverse("pupil-own"))] = reading_ease(response)
    client.logout()
    pupil = Pupil.objects.filter(carers__isnull=False).first()
    _, token = services.invite(pupil=pupil, email="new@example.org", relationship="carer", by=None)
    for url in (reverse("family-sign-up", args=[token]), reverse("family-sign-up", args=["used"])):
        scores[("signed out", url)] = reading_ease(client.get(url))
    assert len(scores) >= 20
    hard = {page: score for page, score in scores.items() if score < PLAIN}
    assert not hard, f"pages below reading ease {PLAIN}: {hard}"
