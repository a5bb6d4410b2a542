"""`make loadtest`: a bounded load test of the production server on a throwaway PostgreSQL database.

Creates the database, migrates it, seeds a demo trust, starts `make serve` (gunicorn with
deploy/gunicorn.conf.py, debug off) on 127.0.0.1, runs locust headless with a fixed number of users
for a fixed time (bench/loadtest/locustfile.py), stops everything and drops the database. Then it
reports p50/p95 per request type, the errors, and the reviews posted against the reviews stored.
It exits 1 on any error or any lost or doubled review.

Environment (defaults in brackets):
  LOAD_USERS [200]  LOAD_SECONDS [420]  LOAD_SPAWN_RATE [1 user a second: 200 sign-ins spread over
  the first 200 s, as a staff room's would be, not all at once]
  LOAD_THINK_MIN, LOAD_THINK_MAX [5, 15 seconds between one person's requests]
  LOAD_SCHOOLS [20]  LOAD_PUPILS_PER_SCHOOL [1000]  (seed_demo --seed 7)
  LOAD_DATABASE_SERVER [postgres://postgres@127.0.0.1:5432]  LOAD_OUT [var/loadtest]
  LOAD_KEEP_DATABASE [0: dropped at the end]  TRELLIS_WEB_WORKERS [gunicorn's default here]
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import requests
from loadplan import COMMENT_MARK, build_plan

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
SAVE_GOAL_MS = 500


def setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Run:
    def __init__(self):
        self.server = setting("LOAD_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
        self.database = f"trellis_load_{os.getpid()}_{secrets.token_hex(3)}"
        self.out = Path(setting("LOAD_OUT", str(ROOT / "var" / "loadtest"))).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(("TRELLIS_", "DATABASE_URL"))}
        self.env.update(
            DATABASE_URL=f"{self.server}/{self.database}",
            TRELLIS_SECRET_KEY=secrets.token_urlsafe(50),
            TRELLIS_ALLOWED_HOSTS="127.0.0.1",
            TRELLIS_VAR_DIR=str(self.out / "var"),
            TRELLIS_REQUIRE_2FA="0",  # the load users sign in with the demo password alone
            TRELLIS_ACCESS_LOG=str(self.out / "access.log"),
            PYTHONUNBUFFERED="1",
        )
        if workers := os.environ.get("TRELLIS_WEB_WORKERS"):
            self.env["TRELLIS_WEB_WORKERS"] = workers
        self.server_process: subprocess.Popen | None = None

    def say(self, text: str) -> None:
        print(f"[loadtest {time.strftime('%H:%M:%S')}] {text}", flush=True)

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True)  # noqa: S603

    def create_database(self) -> None:
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        if setting("LOAD_KEEP_DATABASE", "0") == "1":
            self.say(f"kept the database {self.env['DATABASE_URL']}")
            return
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def seed(self) -> float:
        started = time.monotonic()
        self.manage("migrate", "--noinput", "--verbosity", "0")
        schools, pupils = setting("LOAD_SCHOOLS", "20"), setting("LOAD_PUPILS_PER_SCHOOL", "1000")
        self.manage("seed_demo", "--schools", schools, "--pupils-per-school", pupils, "--seed", "7")
        return time.monotonic() - started

    def start_server(self) -> str:
        port = free_port()
        log = self.out / "server.log"
        (self.out / "access.log").unlink(missing_ok=True)
        with open(log, "w") as out:
            self.server_process = subprocess.Popen(
                # -o: the venv as it is (make loadtest installed the dev requirements), no reinstall
                ["make", "--no-print-directory", "-o", ".venv/.installed-runtime", "serve"],  # noqa: S607
                cwd=ROOT,
                env={**self.env, "TRELLIS_BIND": f"127.0.0.1:{port}"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # make, gunicorn and its workers stop together
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 600  # collectstatic and migrate first, on a busy machine
        while time.monotonic() < deadline:
            if self.server_process.poll() is not None:
                raise RuntimeError(log.read_text())
            try:
                if requests.get(f"{url}/health/", timeout=10).status_code == 200:
                    return url
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the server did not become healthy:\n{log.read_text()}")

    def stop_server(self) -> None:
        if self.server_process and self.server_process.poll() is None:
            os.killpg(self.server_process.pid, signal.SIGTERM)
            try:
                self.server_process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.server_process.pid, signal.SIGKILL)
                self.server_process.wait()

    def run_locust(self, url: str, plan: Path, saved: Path) -> None:
        users = setting("LOAD_USERS", "200")
        command = [
            str(VENV_BIN / "locust"),
            "--locustfile",
            str(HERE / "locustfile.py"),
            "--headless",
            "--host",
            url,
            "--users",
            users,
            "--spawn-rate",
            setting("LOAD_SPAWN_RATE", "1"),
            "--run-time",
            f"{setting('LOAD_SECONDS', '420')}s",
            "--stop-timeout",
            "120",  # a request in flight when the time is up finishes and is counted
            "--csv",
            str(self.out / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_SAVED": str(saved)}
        subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603  (exit 1 on failures: reported below)


def stored_reviews(mark: str) -> Counter:
    from trellis.plans.models import Review

    return Counter(Review.objects.filter(comment__startswith=mark).values_list("comment", flat=True))


def read_stats(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


ACCESS_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" \d+ \S+ (\d+)ms')


def server_times(access_log: Path) -> list[str]:
    """p50/p95 of the time each request spent in a gunicorn worker (the access log's %(M)s), by
    method and path with ids as N: the rest of a user's time was waiting for a free worker."""
    times: dict[str, list[int]] = {}
    for line in access_log.read_text().splitlines() if access_log.exists() else []:
        if match := ACCESS_LINE.search(line):
            method, path, ms = match.groups()
            times.setdefault(f"{method} {re.sub(r'[0-9]+', 'N', path.split('?')[0])}", []).append(int(ms))
    lines = ["| in the server | count | p50 ms | p95 ms |", "|---|---|---|---|"]
    for name, values in sorted(times.items(), key=lambda item: -len(item[1])):
        values.sort()
        p95 = values[max(0, math.ceil(len(values) * 0.95) - 1)]
        lines.append(f"| {name} | {len(values)} | {values[len(values) // 2]} | {p95} |")
    return lines


def report(stats: list[dict], *, posted: list[dict], stored: Counter, context: dict) -> tuple[str, bool]:
    """The figures as Markdown, and whether the run met its goals (no errors, no lost or doubled saves)."""
    lines = [
        f"Load test: {context['users']} users for {context['seconds']} s (spawned at {context['spawn_rate']} a "
        f"second), think time {context['think']} s, against `make serve` ({context['workers']} gunicorn workers) "
        f"on PostgreSQL, {context['pupils']:,} pupils in {context['schools']} schools; "
        f"{context['staff']} staff and {context['leaders']} leader logins.",
        f"Load average (1, 5, 15 min) before: {context['load_before']}; after: {context['load_after']}; "
        f"{os.cpu_count()} CPUs, shared with other work.",
        "",
        "| request (as the users saw it) | count | errors | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    errors, save_p95 = 0, None
    for row in stats:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} | "
            f"{float(row['Max Response Time']):.0f} |"
        )
        if row["Name"] == "Aggregated":
            errors = int(row["Failure Count"])
        if row["Name"] == "save review":
            save_p95 = float(row["95%"])
    posted_marks = Counter(save["comment"] for save in posted)
    lost = sum(1 for mark in posted_marks if mark not in stored)
    doubled = sum(count - 1 for count in stored.values() if count > 1)
    unconfirmed = sum(1 for mark in stored if mark not in posted_marks)
    lines += [
        "",
        *context["server_times"],
        "",
        f"Reviews posted and confirmed (302 to the target): {len(posted)}; stored: {sum(stored.values())}; "
        f"lost: {lost}; doubled: {doubled}; stored but still in flight when the run stopped: {unconfirmed}.",
        f"Errors: {errors}. Saves p95: {save_p95} ms (goal {SAVE_GOAL_MS} ms: "
        f"{'met' if save_p95 is not None and save_p95 <= SAVE_GOAL_MS else 'not met'}).",
    ]
    return "\n".join(lines), errors == 0 and lost == 0 and doubled == 0 and len(posted) > 0


def main() -> int:
    run = Run()
    sys.path.insert(0, str(ROOT))
    os.environ.update({key: run.env[key] for key in ("DATABASE_URL", "TRELLIS_SECRET_KEY", "TRELLIS_VAR_DIR")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    run.say(f"creating the database {run.database}")
    run.create_database()
    try:
        seconds = run.seed()
        run.say(f"migrated and seeded in {seconds:.0f} s")
        import django

        django.setup()
        from django.db import connections

        from trellis.pupils.models import Pupil
        from trellis.schools.models import School

        plan = build_plan(int(setting("LOAD_USERS", "200")))
        pupils, schools = Pupil.objects.count(), School.objects.count()
        plan_file, saved_file = run.out / "plan.json", run.out / "saved.jsonl"
        plan_file.write_text(json.dumps(plan))
        saved_file.unlink(missing_ok=True)
        mark = COMMENT_MARK
        before = sum(stored_reviews(mark).values())
        connections.close_all()
        url = run.start_server()
        run.say(f"serving at {url}; locust starts")
        load_before = load_average()
        try:
            run.run_locust(url, plan_file, saved_file)
        finally:
            load_after = load_average()
            run.stop_server()
        posted = [json.loads(line) for line in saved_file.read_text().splitlines()] if saved_file.exists() else []
        stored = stored_reviews(mark)
        assert before == 0, "the database had load-test reviews before the run"
        context = {
            "users": setting("LOAD_USERS", "200"),
            "seconds": setting("LOAD_SECONDS", "420"),
            "spawn_rate": setting("LOAD_SPAWN_RATE", "1"),
            "think": f"{setting('LOAD_THINK_MIN', '5')} to {setting('LOAD_THINK_MAX', '15')}",
            "workers": run.env.get("TRELLIS_WEB_WORKERS", f"{2 * (os.cpu_count() or 1) + 1}"),
            "pupils": pupils,
            "schools": schools,
            "staff": len(plan["staff"]),
            "leaders": len(plan["leaders"]),
            "load_before": load_before,
            "load_after": load_after,
            "server_times": server_times(run.out / "access.log"),
        }
        text, ok = report(read_stats(run.out / "locust_stats.csv"), posted=posted, stored=stored, context=context)
        connections.close_all()
        (run.out / "report.md").write_text(text + "\n")
        print("\n" + text)
        failures = run.out / "locust_failures.csv"
        if failures.exists() and len(read_stats(failures)):
            print(f"\nFailures by kind: {failures}")
        return 0 if ok else 1
    finally:
        run.stop_server()
        run.drop_database()


if __name__ == "__main__":
    sys.exit(main())
