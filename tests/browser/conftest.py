"""Browser tests: the demo trust served by a real server, driven in Chromium, checked with axe-core.

The server is a separate process on 127.0.0.1 with its own seeded SQLite database, so a test sees
the app as a person does. Chromium is the operating system's package (Playwright cannot download
its own here); without one these tests are skipped, and the run says so. CI sets
TRELLIS_REQUIRE_BROWSER=1 so that a missing Chromium fails rather than skips.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from trellis.demo.logins import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
# For pages used on a tablet (the pupil voice page): a test asks for it by parametrizing `width`.
TABLET = {"width": 820, "height": 1180}
SIZES = WIDTHS | {"tablet": TABLET}
# axe-core rule tags for WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no calls home: the network here is closed
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    if path := os.environ.get("TRELLIS_CHROMIUM"):
        return path
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


def _skip_reason() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright or axe-playwright-python is not installed (requirements-dev.txt)"
    if find_chromium() is None:
        return "no Chromium found: install the OS package (apt-get install chromium) or set TRELLIS_CHROMIUM"
    return None


SKIP_REASON = _skip_reason()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    if os.environ.get("TRELLIS_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"TRELLIS_REQUIRE_BROWSER is set but {SKIP_REASON}")
    skip = pytest.mark.skip(reason=f"browser tests skipped: {SKIP_REASON}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if SKIP_REASON:
        terminalreporter.write_line(f"Browser tests were skipped: {SKIP_REASON}.", yellow=True, bold=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(var_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TRELLIS_"))}
    # As `make run`: the demo logins sign in with their password alone (test_signin_2fa.py sets up a code).
    env.update(TRELLIS_VAR_DIR=str(var_dir), TRELLIS_DEBUG="0", TRELLIS_REQUIRE_2FA="0", PYTHONUNBUFFERED="1")
    return env | settings


MANAGE = [sys.executable, str(ROOT / "manage.py")]


@pytest.fixture(scope="session")
def demo_var_dir(tmp_path_factory) -> Path:
    """The demo trust, migrated and seeded into a throwaway SQLite database in this folder."""
    var_dir = tmp_path_factory.mktemp("browser-var")
    # As `make run`: the cache table holds allauth's rate limits (password reset, two-factor codes).
    for command in (["migrate", "--noinput"], ["createcachetable"], ["seed_demo"]):
        subprocess.run(MANAGE + command, env=_environment(var_dir), check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    return var_dir


@contextlib.contextmanager
def serve(var_dir: Path, host: str = "127.0.0.1", **settings: str) -> Iterator[str]:
    """Trellis on the database in `var_dir`, on a free port of 127.0.0.1, called `host` (passkeys
    need "localhost": browsers allow WebAuthn over plain HTTP only there)."""
    port = _free_port()
    log = open(var_dir / f"server-{port}.log", "w")  # noqa: SIM115  (closed after the server stops)
    server = subprocess.Popen(  # noqa: S603  (our own manage.py)
        MANAGE + ["runserver", "--noreload", "--nostatic", f"127.0.0.1:{port}"],
        env=_environment(var_dir, **settings),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Up to a minute: on a busy two-core machine Django can take well over ten seconds to start.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=5)  # our own server
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((var_dir / f"server-{port}.log").read_text()) from None
                time.sleep(0.1)
        yield f"http://{host}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def demo_server(request) -> Iterator[str]:
    """The demo trust served on 127.0.0.1 (`demo_var_dir`).

    TRELLIS_BROWSER_BASE_URL uses a server already running instead (quicker while writing tests).
    """
    if url := os.environ.get("TRELLIS_BROWSER_BASE_URL"):
        yield url.rstrip("/")
        return
    with serve(request.getfixturevalue("demo_var_dir")) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A signed-in person's tab: every page it reaches is checked with axe and for sideways scroll."""

    def __init__(self, page, base_url: str, width_name: str):
        self.page = page
        self.base_url = base_url
        self.width_name = width_name
        self.problems: list[str] = []
        self.checked: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console {message.type}: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("response", self._record_failed_page)
        page.route("**/*", self._only_our_server)

    def _record_failed_page(self, response):
        if response.request.resource_type == "document" and response.status >= 400:
            self.problems.append(f"{response.url} answered {response.status}")

    def _only_our_server(self, route):
        if route.request.url.startswith(self.base_url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        self.check()
        return response

    def check(self) -> None:
        """axe-core (WCAG 2.2 A and AA) finds nothing, and the page does not scroll sideways."""
        from axe_playwright_python.sync_playwright import Axe

        page = self.page
        page.wait_for_load_state("load")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = results.response["violations"]
        where = f"{page.url} at {self.width_name} width"
        assert not violations, f"axe found on {where}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}: " + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in violations
        )
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"
        assert not self.problems, f"on {where}: " + "; ".join(self.problems)
        self.checked.append(page.url)


@pytest.fixture(params=list(WIDTHS))
def width(request) -> str:
    return request.param


@pytest.fixture
def sign_in(chromium, demo_server, width):
    """sign_in("teacher") -> a Visit signed in as that demo login, at the test's width."""
    contexts = []

    def _sign_in(username: str) -> Visit:
        context = chromium.new_context(viewport=SIZES[width], locale="en-GB")
        contexts.append(context)
        visit = Visit(context.new_page(), demo_server, width)
        visit.goto("/sign-in/")
        visit.page.get_by_label("Username").fill(username)
        visit.page.get_by_label("Password").fill(DEMO_PASSWORD)
        visit.page.get_by_role("button", name="Sign in").click()
        visit.page.wait_for_load_state("load")
        return visit

    yield _sign_in
    for context in contexts:
        context.close()
