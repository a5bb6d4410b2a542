"""The SEN information report in Chromium at desktop and phone widths: the SENCO writes and
publishes it, and anyone reads the public page, and the year's own page, without signing in; every
page checked with axe."""

from __future__ import annotations

import re

import pytest

from trellis.documents.information_report import WRITTEN

from .conftest import WIDTHS, Visit

pytestmark = pytest.mark.browser


def test_senco_publishes_the_report_and_the_public_read_it_without_signing_in(sign_in, chromium, demo_server, width):
    visit = sign_in("senco")
    page = visit.page
    href = page.locator("a[href^='/schools/']").first.get_attribute("href")
    urn = re.match(r"/schools/(\d+)/", href).group(1)
    visit.goto(f"/schools/{urn}/sen-information-report/draft/")
    start = page.get_by_role("button", name=re.compile("Start the report for"))
    if start.count():  # the other width's run may have started it already
        start.click()
        visit.check()
    for n, heading in enumerate(WRITTEN):
        page.goto(f"{demo_server}/schools/{urn}/sen-information-report/draft/headings/{heading.key}/")
        if n == 0:
            visit.check()
        page.get_by_label("What the school does").fill(f"At our school: {heading.title.lower()}.")
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state("load")
    page.get_by_role("link", name="Change the contacts").click()
    visit.check()
    page.get_by_label("SENCO's name").fill("Ms Rowan Ash")
    page.get_by_label("SENCO's email address").fill("senco@school.example")
    page.get_by_label("Name of the local SENDIASS").fill("Northshire SENDIASS")
    page.get_by_label("SENDIASS website").fill("https://sendiass.example")
    page.get_by_label("Where the local offer is published").fill("https://localoffer.example")
    page.get_by_role("button", name="Save").click()
    visit.check()
    page.get_by_role("button", name=re.compile("Publish the")).click()
    visit.check()
    assert "Published." in page.content()

    context = chromium.new_context(viewport=WIDTHS[width], locale="en-GB")  # nobody signed in
    try:
        public = Visit(context.new_page(), demo_server, width)
        public.goto(f"/schools/{urn}/sen-information-report/")
        text = public.page.inner_text("main")
        assert "Ms Rowan Ash" in text and "Northshire SENDIASS" in text and "Sign in" not in text
        assert public.page.get_by_role("table").count() >= 1
        # The same year at its own address, where it stays once a later year's is published.
        year = re.search(r"SEN information report (\d{4})/(\d{2})", public.page.inner_text("h1")).groups()
        public.goto(f"/schools/{urn}/sen-information-report/{year[0]}-{year[1]}/")
        assert "Ms Rowan Ash" in public.page.inner_text("main")
        assert (
            public.page.get_by_role("link", name="Download as PDF")
            .get_attribute("href")
            .endswith(f"/sen-information-report/{year[0]}-{year[1]}.pdf")
        )
        public.page.goto(f"{demo_server}/schools/{urn}/sen-information-report/draft/")
        assert "/sign-in/" in public.page.url  # the draft pages ask for sign-in
    finally:
        context.close()
