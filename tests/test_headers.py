"""Security headers on every page, download and API answer, and a clean `check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from trellis.accounts.services import issue_api_token

ROOT = Path(__file__).resolve().parent.parent


def csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def assert_private(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_page_allows_scripts_and_styles_only_from_trellis_itself(world, login):
    response = login(world.senco).get(reverse("pupil", args=[world.in_class.pk]))
    assert response.status_code == 200
    policy = csp(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert_private(response)


def test_the_sign_in_page_has_the_headers_too(client, db):  # it lists the sign-in services added in the admin
    response = client.get(reverse("login"))
    assert "script-src" in csp(response)
    assert_private(response)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_downloads_of_pupil_data_are_not_stored(world, login, kind):
    response = login(world.senco).get(reverse("register-download", args=[world.school_a.urn, kind]))
    assert response.status_code == 200
    assert_private(response)


def test_api_answers_are_not_stored(world, client):
    _, key = issue_api_token(user=world.senco, by=world.senco, name="Power BI", scope="read")
    response = client.get(f"/api/v1/pupils/{world.in_class.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert_private(response)


def test_static_files_hold_no_pupil_data_and_stay_cacheable(client):
    response = client.get(settings.STATIC_URL + "trellis/trellis.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|\shx-on", re.IGNORECASE)


def test_no_template_or_chart_has_inline_script_style_or_handlers():
    """CSP blocks all of these; a new one would silently break in the browser."""
    sources = [*(ROOT / "trellis").rglob("*.html"), *(ROOT / "trellis").rglob("charts.py")]
    offenders = [
        f"{path.relative_to(ROOT)}: {m.group(0)}" for path in sources for m in INLINE.finditer(path.read_text())
    ]
    assert offenders == []


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("TRELLIS_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_is_clean_over_https_with_debug_off_and_a_real_secret(tmp_path):
    result = _deploy_check(
        TRELLIS_HTTPS="1",
        TRELLIS_DEBUG="0",
        TRELLIS_SECRET_KEY=secrets.token_urlsafe(50),
        TRELLIS_ALLOWED_HOSTS="trellis.example.org",
        TRELLIS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_https(tmp_path):
    result = _deploy_check(
        TRELLIS_DEBUG="0",
        TRELLIS_SECRET_KEY=secrets.token_urlsafe(50),
        TRELLIS_ALLOWED_HOSTS="trellis.example.org",
        TRELLIS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):  # HSTS, redirect, cookies
        assert check in output
