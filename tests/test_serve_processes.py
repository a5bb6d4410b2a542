"""Two app processes, one trust: `make serve` started twice, on two ports, against one PostgreSQL
database. Nothing a person relies on may live in one process's memory, so a session, a save and a
sign-in lockout made through one process hold on the other (as behind a load balancer).

Needs PostgreSQL: it runs when the suite does (DATABASE_URL=postgres://..., as CI's second run),
with a database of its own on that server; on SQLite it is skipped.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings

pytestmark = pytest.mark.serve

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-serve-password"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_url() -> str:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.skip("needs PostgreSQL: run the suite with DATABASE_URL=postgres://... (CI's second run does)")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database of its own (dropped afterwards)."""
    server = _server_url()
    name = f"trellis_serve_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Servers:
    def __init__(self, database: str, var_dir: Path):
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(("TRELLIS_", "DATABASE_URL"))}
        self.env.update(
            TRELLIS_SECRET_KEY=secrets.token_urlsafe(50),  # shared, as every app machine's must be
            TRELLIS_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=database,
            TRELLIS_VAR_DIR=str(var_dir),
            TRELLIS_WEB_WORKERS="1",
            PYTHONUNBUFFERED="1",
        )
        self.var_dir = var_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, label: str) -> str:
        """`make serve` (collectstatic, migrate, gunicorn) on a free port; its address once healthy."""
        port = _free_port()
        log = self.var_dir / f"server-{label}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                # -o: use the venv as it is (the suite's), do not reinstall the requirements
                ["make", "--no-print-directory", "-o", ".venv/.installed-runtime", "serve"],  # noqa: S607
                cwd=ROOT,
                env={**self.env, "TRELLIS_BIND": f"127.0.0.1:{port}"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: make, gunicorn and its worker stop together
            )
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # a first migrate on a busy machine
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(log.read_text())
            try:
                if requests.get(f"{url}/health/", timeout=10).status_code == 200:
                    return url
            except requests.RequestException:  # not listening yet, or the first request still loading
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{label} did not become healthy:\n{log.read_text()}")

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True)  # noqa: S603

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def two_servers(database, tmp_path_factory) -> Iterator[tuple[str, str]]:
    servers = Servers(database, tmp_path_factory.mktemp("serve-var"))
    try:
        a = servers.start("a")  # migrates the empty database
        servers.manage(
            "shell",
            "-c",
            "from trellis.accounts.models import User\n"
            f"User.objects.create_user('senco', password='{PASSWORD}', first_name='Sam', last_name='Senco')\n"
            f"User.objects.create_user('target', password='{PASSWORD}')",
        )
        b = servers.start("b")
        yield a, b
    finally:
        servers.stop()


def _token(response: requests.Response) -> str:
    return CSRF.search(response.text).group(1)


def _sign_in(session: requests.Session, url: str, username: str, password: str) -> requests.Response:
    form = session.get(f"{url}/sign-in/")
    data = {"username": username, "password": password, "csrfmiddlewaretoken": _token(form)}
    return session.post(f"{url}/sign-in/", data=data, allow_redirects=False)


def test_both_processes_are_healthy_and_serve_static_files(two_servers):
    for url in two_servers:
        assert requests.get(f"{url}/health/", timeout=5).json() == {
            "database": "ok",
            "worker": "not running",
        }  # no worker started here
        page = requests.get(f"{url}/sign-in/", timeout=5)
        stylesheet = re.search(r'href="(/static/trellis/trellis\.[0-9a-f]+\.css)"', page.text).group(1)
        response = requests.get(f"{url}{stylesheet}", timeout=5)  # whitenoise, a name with its content's hash
        assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]


def test_a_session_from_one_process_works_on_the_other_and_a_save_on_it_shows_on_the_first(two_servers):
    a, b = two_servers
    session = requests.Session()
    signed_in = _sign_in(session, a, "senco", PASSWORD)
    assert signed_in.status_code == 302 and "sessionid" in session.cookies

    form = session.get(f"{b}/account/tokens/", allow_redirects=False)
    assert form.status_code == 200  # signed in on B with A's session, not sent to the sign-in page
    made = session.post(
        f"{b}/account/tokens/",
        data={"name": "Made on B", "scope": "read", "days": "30", "csrfmiddlewaretoken": _token(form)},
        allow_redirects=False,
    )
    assert made.status_code == 200 and "Your new token “Made on B”" in made.text  # saved on B

    listed = session.get(f"{a}/account/tokens/", allow_redirects=False)
    assert listed.status_code == 200 and "<td>Made on B</td>" in listed.text


def test_a_sign_in_lockout_counts_failures_on_both_processes(two_servers):
    """10 wrong passwords lock an account (AXES_FAILURE_LIMIT), wherever they were tried: 5 on each
    process. Counted per process, neither would have locked."""
    a, b = two_servers
    statuses = [
        _sign_in(requests.Session(), a if attempt % 2 else b, "target", "wrong-password").status_code
        for attempt in range(1, 11)
    ]
    assert statuses == [200] * 9 + [429]
    # Now locked on both, even with the right password.
    for url in two_servers:
        locked = _sign_in(requests.Session(), url, "target", PASSWORD)
        assert locked.status_code == 429 and "sessionid" not in locked.cookies
