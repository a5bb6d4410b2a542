"""Benchmarks in the browser (issue 16): a SENCO compares the school with its trust and enters a
benchmark with its source and year; the trust leader reads progress by type of school; leavers'
destinations beside national figures. axe-core checks every page at both widths."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_senco_compares_the_school_and_enters_a_benchmark(sign_in):
    visit = sign_in("senco")
    page = visit.page
    visit.goto("/dashboards/")
    main = page.locator("main")
    assert "Compared with the trust and benchmarks" in main.inner_text()
    rows = main.locator("#compared ~ .table-scroll").first.locator("tbody tr")
    assert rows.count() >= 2, "the school and all the trust's schools"
    main.get_by_role("link", name="The figures this school is compared with").click()
    visit.check()
    page.get_by_label("Targets achieved or on track (% of targets)").check()
    page.get_by_label("All pupils").check()
    page.get_by_label("Figure (%)").fill("58")
    page.get_by_label("Academic year").fill("2024/25")
    page.get_by_label("Source", exact=True).fill("Local authority SEND report")
    page.get_by_role("button", name="Save benchmark").click()
    visit.check()
    assert "Local authority SEND report" in main.inner_text()
    page.locator("nav.breadcrumbs a").first.click()  # back to the school's dashboard
    visit.check()
    assert "Local authority SEND report, 2024/25 (entered by the school)" in main.inner_text()
    visit.goto("/dashboards/destinations/")
    assert "Compared with national figures" in main.inner_text()


def test_trust_leader_reads_progress_by_type_of_school(sign_in):
    visit = sign_in("trustlead")
    visit.goto("/dashboards/trust/")
    main = visit.page.locator("main")
    assert "By type of school" in main.inner_text()
    phases = main.locator("#phases ~ .table-scroll").first.locator("tbody th[scope=row]").all_text_contents()
    assert len(phases) >= 2 and "Primary" in phases, phases
