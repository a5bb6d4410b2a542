"""Production mode: it refuses to start half-configured, `check --deploy` is clean with the
documented environment, `/health/` for a load balancer, and the 404, 403 and 500 pages."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from trellis.settings import _refuse_unsafe_production

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / "deploy" / "trellis.env.example"


def documented_env(tmp_path: Path) -> dict[str, str]:
    """deploy/trellis.env.example as an operator fills it in: a real key, a writable var dir."""
    env = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    env.update(TRELLIS_SECRET_KEY=secrets.token_urlsafe(50), TRELLIS_VAR_DIR=str(tmp_path))
    return env


def run(code_or_command: list[str], **env: str) -> subprocess.CompletedProcess:
    """manage.py or a Python snippet in a fresh process with only the given Trellis settings."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("TRELLIS_", "DATABASE_URL"))}
    return subprocess.run(  # noqa: S603  (our own manage.py)
        [sys.executable, *code_or_command],
        cwd=ROOT,
        env={**environ, "DJANGO_SETTINGS_MODULE": "trellis.settings", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **documented_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"TRELLIS_SECRET_KEY": ""}, "TRELLIS_SECRET_KEY must be set"),
        ({"TRELLIS_SECRET_KEY": "ab" * 25}, "at least 50 random characters"),  # 50 long, 2 different
        ({"TRELLIS_SECRET_KEY": "abcdefghij" * 4 + "abcdefghi"}, "at least 50 random characters"),  # 49 long
        ({"TRELLIS_ALLOWED_HOSTS": ""}, "TRELLIS_ALLOWED_HOSTS must be set"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set"),
        ({"TRELLIS_DEBUG": "1"}, "TRELLIS_DEBUG must be off"),
    ],
)
def test_production_mode_refuses_each_unsafe_setting(tmp_path, monkeypatch, change, message):
    for name, value in {**documented_env(tmp_path), **change}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        _refuse_unsafe_production()


def test_production_mode_accepts_the_documented_environment(tmp_path, monkeypatch):
    for name, value in documented_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TRELLIS_SECRET_KEY", "abcdefghij" * 5)  # 50 long, 10 different: the edge
    _refuse_unsafe_production()


def test_production_mode_will_not_start_without_a_secret_key(tmp_path):
    result = run(["manage.py", "check"], **{**documented_env(tmp_path), "TRELLIS_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "TRELLIS_PRODUCTION is on, so TRELLIS_SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key of its own was written instead


def test_outside_production_mode_a_key_is_made_and_kept(tmp_path):
    result = run(["manage.py", "check"], TRELLIS_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "secret_key").read_text()) >= 50


def test_health_says_the_database_is_ok_without_signing_in(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the database, then the worker's heartbeat
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "worker": "not running"}
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies  # a balancer polling every few seconds makes no sessions


def test_health_is_503_when_the_database_does_not_answer(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("trellis.lib.health.connection", Unreachable())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "worker": "unknown"}
    assert "refused" not in response.content.decode()  # the reason is logged, not shown


HEALTH_SNIPPET = """
import django, json
django.setup()
from django.test import Client
client = Client()
health = client.get("/health/", HTTP_HOST="trellis.example-trust.org.uk")
sign_in = client.get("/sign-in/", HTTP_HOST="trellis.example-trust.org.uk")
print(json.dumps([health.status_code, health.content.decode(), sign_in.status_code]))
"""


def test_health_over_plain_http_with_no_database_server(tmp_path):
    """A real process whose PostgreSQL is not there (nothing listens on port 1), in production mode
    over HTTPS: the balancer's plain-HTTP check gets a 503 at once; other pages are redirected."""
    env = {**documented_env(tmp_path), "DATABASE_URL": "postgres://trellis@127.0.0.1:1/trellis"}
    result = run(["-c", HEALTH_SNIPPET], **env)
    assert result.returncode == 0, result.stderr
    status, body, sign_in_status = json.loads(result.stdout.strip().splitlines()[-1])
    assert (status, json.loads(body)) == (503, {"database": "unavailable", "worker": "unknown"})
    assert sign_in_status == 301  # to https://


def test_the_cache_is_shared_through_the_database(db):
    cache = caches["default"]
    assert isinstance(cache, DatabaseCache)  # not one per process (LocMem)
    cache.set("shared", 1)
    assert cache.get("shared") == 1


def _assert_error_page(response, status: int, heading: str, nav_label: str | None) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f'<a href="{reverse("home")}">Go to your home page</a>' in html
    assert 'class="skip-link"' in html  # the site's layout
    if nav_label:
        assert f">{nav_label}</a>" in html  # the signed-in person's navigation


def test_404_page_has_the_navigation_and_a_way_home(world, login, settings):
    assert not settings.DEBUG
    response = login(world.senco).get("/no-such-page/")
    _assert_error_page(response, 404, "Page not found", "SEN register")


def test_404_page_for_someone_not_signed_in(client, db):
    response = client.get("/no-such-page/")
    _assert_error_page(response, 404, "Page not found", None)
    assert 'aria-label="Main"' not in response.content.decode()


def test_403_page_has_the_navigation_and_a_way_home(world, login):
    response = login(world.teacher).get(reverse("sign-in-lockouts"))
    _assert_error_page(response, 403, "You cannot do this", "SEN register")


def test_a_form_sent_without_its_csrf_token_gets_the_sites_403_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.senco)
    response = client.post(reverse("api-tokens"), {"name": "x", "scope": "read", "days": "30"})
    _assert_error_page(response, 403, "The form could not be sent", "SEN register")
    assert not world.senco.api_tokens.exists()


@pytest.mark.urls("error_urls")
def test_500_page_has_the_navigation_and_a_way_home(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.senco)
    response = client.get("/fail/")
    _assert_error_page(response, 500, "Sorry, there is a problem with Trellis", "SEN register")
    assert "a bug" not in response.content.decode()


@pytest.mark.urls("error_urls")
def test_500_page_is_still_sent_when_the_navigation_fails_too(world, monkeypatch):
    def broken(user):
        raise OperationalError("the database went away")

    monkeypatch.setattr("trellis.accounts.context_processors.schools_for_aggregates", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.senco)
    response = client.get("/fail/")
    _assert_error_page(response, 500, "Sorry, there is a problem with Trellis", None)
    assert 'aria-label="Main"' not in response.content.decode()  # drawn bare, without the request
