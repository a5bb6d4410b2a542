"""Passkeys in Chromium, with its virtual authenticator standing in for a security key, on a server
that requires two-factor sign-in (TRELLIS_REQUIRE_2FA on): a SENCO (a senior leader at phone width)
is sent to set it up, adds a passkey instead of an app, signs out, signs in with password and passkey,
cannot remove their only passkey, adds a second, removes the first, and the first no longer signs
them in. Every page is checked with axe. Without JavaScript the page says what to do instead."""

from __future__ import annotations

import os
import sqlite3

import pytest

from trellis.demo.logins import DEMO_PASSWORD

from .conftest import SIZES, Visit, serve

pytestmark = pytest.mark.browser

# One login per width: the server (and its database) is shared by the module.
STAFF = {"desktop": "senco", "phone": "head"}
HOME_HEADINGS_NOT = ("Set up two-factor sign-in", "Confirm it is you", "Use your passkey")


@pytest.fixture(scope="module")
def strict_server(request, tmp_path_factory):
    """The demo trust (a copy of the shared database) with two-factor sign-in required, as localhost."""
    if os.environ.get("TRELLIS_BROWSER_BASE_URL"):
        pytest.skip("needs its own server with TRELLIS_REQUIRE_2FA on")
    var_dir = tmp_path_factory.mktemp("browser-var-2fa")
    source = sqlite3.connect(request.getfixturevalue("demo_var_dir") / "trellis.sqlite3")
    copy = sqlite3.connect(var_dir / "trellis.sqlite3")
    source.backup(copy)  # consistent even while the shared server is writing
    source.close()
    copy.close()
    with serve(var_dir, host="localhost", TRELLIS_REQUIRE_2FA="1") as url:
        yield url


class Authenticators:
    """Chromium's virtual authenticators (DevTools WebAuthn domain): a security key that always says
    the person is present and verified."""

    OPTIONS = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")

    def plug_in(self, credentials: list[dict] = ()) -> str:
        key = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": self.OPTIONS})["authenticatorId"]
        for credential in credentials:
            self.cdp.send("WebAuthn.addCredential", {"authenticatorId": key, "credential": credential})
        return key

    def unplug(self, key: str) -> list[dict]:
        """Takes the key away, returning what it holds so that it can be plugged in again."""
        credentials = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"]
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": key})
        return credentials


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def sign_in_with_password(visit: Visit, username: str) -> None:
    page = visit.page
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visit.check()


def confirm_password(visit: Visit) -> None:
    """Changing how one signs in asks for the password again (allauth's reauthentication)."""
    page = visit.page
    assert heading(page) == "Confirm it is you"
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    visit.check()


def add_passkey(visit: Visit, name: str) -> None:
    page = visit.page
    visit.goto("/accounts/2fa/webauthn/add/")
    page.get_by_label("Name for this passkey").fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="Add a passkey").click()
    visit.check()


def test_staff_who_must_have_two_factor_use_a_passkey_after_their_password(chromium, strict_server, width):
    username = STAFF[width]
    context = chromium.new_context(viewport=SIZES[width], locale="en-GB")
    try:
        visit = Visit(context.new_page(), strict_server, width)
        page = visit.page
        keys = Authenticators(page)
        desk_key = keys.plug_in()

        # Sent to set up two-factor sign-in; a passkey instead of an app.
        visit.goto("/sign-in/")
        sign_in_with_password(visit, username)
        assert "Your role needs two-factor sign-in" in page.content()
        confirm_password(visit)
        assert heading(page) == "Set up two-factor sign-in"
        page.get_by_role("link", name="add a passkey").click()
        visit.check()
        assert heading(page) == "Add a passkey"
        assert page.get_by_role("button", name="Add a passkey").is_visible()  # JavaScript is on here
        assert not page.get_by_text("needs JavaScript").is_visible()
        page.get_by_label("Name for this passkey").fill("Desk key")
        with page.expect_navigation():
            page.get_by_role("button", name="Add a passkey").click()
        visit.check()
        assert heading(page) == "Your recovery codes"  # for a lost key
        page.get_by_role("link", name="Carry on to Trellis").click()
        visit.check()
        assert "/accounts/" not in page.url and heading(page) not in HOME_HEADINGS_NOT  # the requirement is met

        # Password, then passkey.
        page.get_by_role("button", name="Sign out").click()
        visit.check()
        sign_in_with_password(visit, username)
        assert heading(page) == "Use your passkey"
        assert page.get_by_role("button", name="Sign out").count() == 0  # not signed in yet
        with page.expect_navigation():
            page.get_by_role("button", name="Use your passkey").click()
        visit.check()
        assert "/accounts/" not in page.url
        assert page.get_by_role("button", name="Sign out").is_visible()

        # Their only passkey stays; with a second one, the first can go.
        visit.goto("/accounts/2fa/webauthn/")
        page.get_by_role("link", name="Remove Desk key").click()
        visit.check()
        confirm_password(visit)
        assert "You cannot remove your only passkey" in page.content()
        assert page.get_by_role("button", name="Remove the passkey").count() == 0
        desk_key_credentials = keys.unplug(desk_key)
        spare_key = keys.plug_in()
        add_passkey(visit, "Spare key")
        visit.goto("/accounts/2fa/webauthn/")
        page.get_by_role("link", name="Remove Desk key").click()
        visit.check()
        page.get_by_role("button", name="Remove the passkey").click()
        visit.check()
        assert heading(page) == "Your passkeys"
        assert page.get_by_role("cell", name="Desk key", exact=True).count() == 0
        assert page.get_by_role("cell", name="Spare key", exact=True).count() == 1

        # The removed passkey, back in the browser, no longer signs in; the other one does.
        spare_key_credentials = keys.unplug(spare_key)
        desk_key = keys.plug_in(desk_key_credentials)
        page.get_by_role("button", name="Sign out").click()
        sign_in_with_password(visit, username)
        page.get_by_role("button", name="Use your passkey").click()
        problem = page.get_by_role("alert").filter(has_text="Your passkey was not used")
        problem.wait_for(state="visible", timeout=15_000)
        visit.check()
        assert page.get_by_role("button", name="Sign out").count() == 0
        keys.unplug(desk_key)
        keys.plug_in(spare_key_credentials)
        with page.expect_navigation():
            page.get_by_role("button", name="Use your passkey").click()
        visit.check()
        assert page.get_by_role("button", name="Sign out").is_visible()
    finally:
        context.close()


def test_without_javascript_the_page_says_adding_a_passkey_needs_it_and_offers_an_app(chromium, demo_server):
    context = chromium.new_context(viewport=SIZES["desktop"], locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{demo_server}/sign-in/")
        page.get_by_label("Username").fill("teacher")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{demo_server}/accounts/2fa/webauthn/add/")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        assert heading(page) == "Add a passkey"
        assert page.get_by_text("Adding a passkey needs JavaScript").is_visible()
        assert page.get_by_role("button", name="Add a passkey").count() == 0  # hidden: it could do nothing
        page.get_by_role("link", name="set up an authenticator app").click()
        assert heading(page) == "Set up two-factor sign-in"
    finally:
        context.close()
