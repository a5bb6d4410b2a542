"""Password sign-in with a code from an authenticator app, in Chromium at desktop and phone widths:
a parent sets it up (parents may, as anyone may), signs out, and signs in again with password and
code. Every page is checked with axe."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from time_machine import escape_hatch

from trellis.demo.logins import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# One parent per width: the server (and its database) is shared by the whole run.
PARENT = {"desktop": "parent3", "phone": "parent4"}


def authenticator_code(secret: str, periods_from_now: int = 0) -> str:
    """What the person's app shows. The server runs on the real clock, not the suite's fixed day."""
    return format_hotp_value(hotp_value(secret, int(escape_hatch.time.time()) // 30 + periods_from_now))


def test_a_parent_sets_up_an_authenticator_app_and_signs_in_with_a_code(sign_in, width):
    username = PARENT[width]
    visit = sign_in(username)
    page = visit.page
    assert "/family/" in page.url
    visit.goto("/accounts/2fa/")
    page.get_by_role("link", name="Set up an authenticator app").click()
    visit.check()  # confirm it is you
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Authenticator code").fill(authenticator_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert page.locator(".recovery-codes li").count() == 10

    page.get_by_role("button", name="Sign out").click()
    visit.check()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Enter the code from your authenticator app"
    assert page.get_by_role("button", name="Sign out").count() == 0  # not signed in yet
    # The next period's code: the one just used to set up may not be used twice.
    page.get_by_label("Code").fill(authenticator_code(secret, periods_from_now=1))
    page.get_by_role("button", name="Sign in", exact=True).click()
    visit.check()
    assert "/family/" in page.url
    assert page.get_by_role("button", name="Sign out").is_visible()
