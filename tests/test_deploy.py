"""deploy/: the systemd units pass `systemd-analyze verify` (and a lint of our own that runs
anywhere), and gunicorn's settings come from the environment."""

from __future__ import annotations

import configparser
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/trellis"
ENV_FILE = "/etc/trellis/trellis.env"
UNITS = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])
SERVICES = {
    "trellis-web.service": "/opt/trellis/.venv/bin/gunicorn --config /opt/trellis/deploy/gunicorn.conf.py",
    "trellis-worker.service": "/opt/trellis/.venv/bin/python /opt/trellis/manage.py run_worker",
    "trellis-daily.service": "/opt/trellis/.venv/bin/python /opt/trellis/manage.py run_scheduled daily",
    "trellis-weekly.service": "/opt/trellis/.venv/bin/python /opt/trellis/manage.py run_scheduled weekly",
    "trellis-monthly.service": "/opt/trellis/.venv/bin/python /opt/trellis/manage.py run_scheduled monthly",
}


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)  # strict: a key set twice fails
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def test_the_expected_units_are_there():
    assert {path.name for path in UNITS} == {
        *SERVICES,
        "trellis-daily.timer",
        "trellis-weekly.timer",
        "trellis-monthly.timer",
    }


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_units_pass_systemd_analyze_verify(tmp_path):
    """Verified as installed: the checkout stands in for /opt/trellis (so every command must exist
    in it) and the example environment for /etc/trellis/trellis.env."""
    for unit in UNITS:
        text = unit.read_text().replace(ENV_FILE, str(DEPLOY / "trellis.env.example"))
        (tmp_path / unit.name).write_text(text.replace(INSTALL_DIR, str(ROOT)))
    result = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", *sorted(str(path) for path in tmp_path.iterdir())],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # warnings too: an unknown or misspelt key is only a warning


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_runs_the_app_as_its_own_user_with_the_environment_file(name):
    unit = read_unit(DEPLOY / name)
    assert {"Unit", "Service"} <= set(unit.sections())
    service = unit["Service"]
    assert service["ExecStart"] == SERVICES[name]
    assert service["ExecStart"].startswith("/")
    assert service["User"] == "trellis" and service["WorkingDirectory"] == INSTALL_DIR
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert unit["Unit"]["Description"]


@pytest.mark.parametrize(
    ("period", "calendar"),
    [("daily", "*-*-* 04:00:00"), ("weekly", "Mon *-*-* 02:00:00"), ("monthly", "*-*-01 03:00:00")],
)
def test_timers_start_their_jobs_in_london_time_and_catch_up(period, calendar):
    unit = read_unit(DEPLOY / f"trellis-{period}.timer")
    timer = unit["Timer"]
    assert timer["OnCalendar"] == f"{calendar} Europe/London"
    assert timer["Unit"] == f"trellis-{period}.service"
    assert timer["Persistent"] == "true"
    assert unit["Install"]["WantedBy"] == "timers.target"
    assert read_unit(DEPLOY / f"trellis-{period}.service")["Service"]["Type"] == "oneshot"


def test_long_running_services_start_at_boot_and_restart_on_failure():
    for name in ("trellis-web.service", "trellis-worker.service"):
        unit = read_unit(DEPLOY / name)
        assert unit["Install"]["WantedBy"] == "multi-user.target"
        assert unit["Service"]["Restart"] == "on-failure"


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRELLIS_BIND", "0.0.0.0:8001,unix:/run/trellis.sock")
    monkeypatch.setenv("TRELLIS_WEB_WORKERS", "7")
    monkeypatch.setenv("TRELLIS_ACCESS_LOG", "/var/log/trellis/access.log")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == ["0.0.0.0:8001", "unix:/run/trellis.sock"]
    assert config["workers"] == 7
    assert config["accesslog"] == "/var/log/trellis/access.log"
    assert config["wsgi_app"] == "trellis.wsgi:application"


def test_gunicorn_defaults_listen_only_locally_and_log_access(monkeypatch):
    for name in ("TRELLIS_BIND", "TRELLIS_WEB_WORKERS", "TRELLIS_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] == 5  # 2 per CPU plus 1
    assert config["accesslog"] == "-"
    assert config["control_socket_disable"] is True  # two app processes on one machine must not share one
