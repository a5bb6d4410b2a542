"""The pupil voice page on a tablet (and at desktop and phone widths): started by the teacher, used
by the pupil with large answers, locked until the teacher's password, every page checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from trellis.demo.logins import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _pupil_with_a_current_target(visit) -> str:
    """The path of a pupil of the teacher's class who has a current target (from the review page)."""
    page = visit.page
    page.get_by_role("link", name="Review targets").first.click()
    page.get_by_role("link", name="Show every current target").click()
    target_id = page.locator("table.review-grid tbody tr").first.get_attribute("id").removeprefix("row-")
    visit.goto(f"/targets/{target_id}/")
    return page.locator("nav.breadcrumbs a[href^='/pupils/']").last.get_attribute("href")


@pytest.mark.parametrize("width", ["desktop", "tablet", "phone"])
def test_a_pupil_rates_their_targets_on_a_locked_tablet(sign_in, width):
    visit = sign_in("teacher")
    page = visit.page
    pupil = _pupil_with_a_current_target(visit)
    visit.goto(f"{pupil}evidence/")
    page.get_by_role("link", name="on a tablet").click()
    visit.check()
    page.get_by_role("button", name="Start and lock this device").click()
    visit.check()
    main = page.locator("main")
    assert "How am I doing?" in main.inner_text()
    choices = page.locator(".voice-choice")
    assert choices.count() >= 3
    box = choices.first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # large touch targets
    if page.evaluate("'speechSynthesis' in window"):
        assert page.get_by_role("button", name="Read it to me").count() == page.locator("fieldset").count()
    # The pupil answers with the keyboard: a focused answer is chosen with Space.
    first = page.locator(".voice-choice input").first
    first.focus()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    page.get_by_label("What the pupil says (optional)").first.fill("I can read it to my mum")
    page.get_by_role("button", name="Save my answers").click()
    visit.check()
    assert "Thank you! Your answers are saved." in main.inner_text()

    # Locked: any other page asks for the teacher's password.
    response = page.goto(visit.base_url + "/")
    assert response.status == 423
    visit.problems.clear()  # the expected 423 of the locked page
    visit.check()
    expect(page.get_by_role("heading", name="Unlock this tablet")).to_be_visible()
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Unlock").click()
    visit.check()
    expect(page.locator(".error-summary")).to_contain_text("That is not your password")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    visit.check()
    assert "The tablet is unlocked." in main.inner_text()
    assert "I can read it to my mum" in main.inner_text()  # the answer, on the evidence page
