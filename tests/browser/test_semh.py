"""Suspensions and exclusions, cohort analysis by need, the targets-by-level chart, the plan filter and
money downloads, in Chromium at desktop and phone widths, every page checked with axe."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_senco_records_a_suspension_and_sees_it_beside_attendance(sign_in):
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    page.locator("table a[href^='/pupils/']").first.click()
    visit.check()
    page.get_by_role("link", name="Record a suspension or exclusion").first.click()
    visit.check()
    page.get_by_role("button", name="Save").click()  # nothing chosen: the error summary
    visit.check()
    assert "Choose a suspension or a permanent exclusion" in page.locator("main").inner_text()
    page.get_by_label("Suspension (fixed-period exclusion)").check()
    page.get_by_label("Day", exact=True).fill("16")
    page.get_by_label("Month", exact=True).fill("11")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_label("Length of a suspension").fill("1.5")
    page.get_by_label("Reason", exact=True).select_option(label="Bullying")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/evidence/"))
    visit.check()
    main = page.locator("main").inner_text()
    assert "1.5 days (3 sessions)" in main and "Suspensions" in main


def test_leader_reads_the_cohort_by_need_the_level_chart_and_money(sign_in):
    visit = sign_in("head")
    page = visit.page
    visit.goto("/dashboards/cohort/")
    visit.check()
    assert "Autumn term" in page.locator("main").inner_text()
    page.get_by_label("Group pupils by").select_option(label="SEN status")
    page.get_by_role("button", name="Show").last.click()
    visit.check()
    assert "EHC plan" in page.locator("main").inner_text()
    page.get_by_role("link", name="Dashboards").first.click()
    dashboard = page.url.removeprefix(visit.base_url).split("?")[0]
    visit.goto(dashboard + "?scale=edsm")
    visit.check()
    assert page.locator("figure.chart svg[role=img]").count() >= 1  # the level chart (or the trend) has alt text
    visit.goto(dashboard)
    page.get_by_role("link", name=re.compile("^Money for provision")).click()
    visit.check()
    assert "Download this table" in page.locator("main").inner_text()
    page.go_back()
    visit.goto(dashboard.replace("/dashboards/schools/", "/schools/") + "provision/evaluation/?plan=ehc")
    visit.check()
    assert page.get_by_label("Pupils' plan").input_value() == "ehc"


def test_governor_gets_the_cohort_with_numbers_withheld(sign_in):
    visit = sign_in("governor")
    visit.goto("/dashboards/cohort/")
    visit.check()
    assert "withheld" in visit.page.locator("main").inner_text()
