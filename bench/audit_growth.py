"""How the audit trail's queries behave with tens of millions of events, on PostgreSQL.

    .venv/bin/python bench/audit_growth.py [--events 10000000] [--pupils 250000] [--keep]
    (or `make bench-audit`; BENCH_POSTGRES=postgres://user@host:port names the server)

Makes a throwaway database (trellis_audit_bench), migrates it and loads --events audit events in
chunks with generate_series: a year of events, a fifth of the pupils (those with SEN) drawing four
in five of them, nine in ten of them views. Then it times, with EXPLAIN ANALYZE and from Python, the
queries the app runs on the trail: the pupil page's "who has viewed or changed this record" list
(for the pupil with the most events and for a typical one), the edit-conflict lookup of the last
change to a record, retention's scrub of one pupil's rows, the subject access export's read of one
pupil's rows, and one new event written through the app's own service. It prints the table's and
each index's size and drops the database at the end unless --keep. Not a test: figures vary with
the machine and its load (printed first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHUNK = 1_000_000
USERS = 2_000  # staff of a large trust, so the pupil page's join to their names is a real one

USERS_SQL = """
INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                           date_joined, weekly_digest)
SELECT n, '!', false, 'staff' || n, 'Staff', 'Member ' || n, '', false, true, now(), false
FROM generate_series(1, %(users)s) AS n
"""
REPEAT = 21

# One chunk of events: ids come from the table's sequence; `at` runs forward through the year so the
# table is in time order, as a live trail is; pupil ids 1..pupils, a fifth of them (the SEN fifth)
# drawing 80% of the events, and pupil 1 (a complex EHC plan that a dozen staff open every day) one
# event in 2,000; each event by one of USERS staff; every thousandth event a change with old and new values.
LOAD_SQL = """
INSERT INTO audit_auditevent (at, actor_id, actor_name, school_id, pupil_id, action, record_type, record_id,
                              summary, changes, via)
SELECT timestamptz '2025-09-01' + (n::float8 / %(events)s) * interval '365 days',
       1 + n %% %(users)s, 'staff' || (1 + n %% %(users)s), NULL, p,
       CASE WHEN n %% 10 = 0 THEN 'update' ELSE 'view' END,
       CASE WHEN n %% 10 = 0 THEN 'target review' ELSE 'SEN record' END,
       p::text,
       CASE WHEN n %% 10 = 0 THEN 'Review of a target' ELSE '' END,
       CASE WHEN n %% 1000 = 0 THEN '{"rating": ["2", "3"]}'::jsonb ELSE '{}'::jsonb END,
       'web'
FROM (SELECT n, CASE WHEN n %% 2000 = 0 THEN 1
                     WHEN random() < 0.8 THEN 1 + floor(random() * %(sen)s)::bigint
                     ELSE 1 + floor(random() * %(pupils)s)::bigint END AS p
      FROM generate_series(%(start)s, %(stop)s) AS n) AS s
"""


def _server_url() -> str:
    return os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def _admin(sql: str) -> None:
    with psycopg.connect(f"{_server_url()}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _timed(run, repeat: int = REPEAT) -> tuple[float, float]:
    """Median and worst of `repeat` runs, in milliseconds (after one warm-up)."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def _explain(sql: str, params, runs: int = 5) -> str:
    """The plan of the last of `runs` runs, with the fastest run's execution time: on a shared
    machine the fastest is the nearest to the query's own cost (the pages it touched do not vary)."""
    from django.db import connection, transaction

    fastest = float("inf")
    with connection.cursor() as cursor:
        for _ in range(runs):
            with transaction.atomic():  # an INSERT or UPDATE explained is rolled back
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
                plan = [row[0] for row in cursor.fetchall()]
                transaction.set_rollback(True)
            fastest = min(fastest, *(float(line.split()[-2]) for line in plan if line.startswith("Execution Time")))
    return "\n".join("    " + line for line in plan) + f"\n  fastest of {runs} runs on the server: {fastest:.3f} ms"


def _load(events: int, pupils: int) -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(USERS_SQL, {"users": USERS})
        for first in range(1, events + 1, CHUNK):
            last = min(first + CHUNK - 1, events)
            params = {
                "users": USERS,
                "events": events,
                "sen": max(pupils // 5, 1),
                "pupils": pupils,
                "start": first,
                "stop": last,
            }
            cursor.execute(LOAD_SQL, params)
            print(f"  loaded {last:,} events ({time.perf_counter() - start:.0f} s)", flush=True)
        cursor.execute("VACUUM ANALYZE audit_auditevent")
    return time.perf_counter() - start


def _sizes() -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'table (heap and TOAST)', pg_size_pretty(pg_table_size('audit_auditevent')) UNION ALL "
            "SELECT indexrelid::regclass::text, pg_size_pretty(pg_relation_size(indexrelid)) "
            "FROM pg_index WHERE indrelid = 'audit_auditevent'::regclass"
        )
        return cursor.fetchall()


def _measure() -> None:
    from django.db import connection, models, transaction

    from trellis.audit import services as audit
    from trellis.audit.models import AuditEvent
    from trellis.lib.versions import last_change

    with connection.cursor() as cursor:
        busiest = 1  # the pupil LOAD_SQL gives the most events
        cursor.execute("SELECT max(pupil_id) FROM audit_auditevent")
        typical = cursor.fetchone()[0] - 7  # outside the SEN fifth: a pupil with few events
        cursor.execute("SELECT count(*) FROM audit_auditevent WHERE pupil_id = %s", [busiest])
        busiest_rows = cursor.fetchone()[0]
    print(f"\nThe pupil with the most events has {busiest_rows:,}.")

    def pupil_page(pupil_id: int):
        # The pupil page's query, as trellis/pupils/views.py builds it.
        return AuditEvent.objects.filter(pupil_id=pupil_id).select_related("actor")[:100]

    for label, pupil_id in (("busiest pupil", busiest), ("typical pupil", typical)):
        sql, params = pupil_page(pupil_id).query.sql_with_params()
        print(f"\nPupil page audit list, {label}:\n{_explain(sql, params)}")
        median, worst = _timed(lambda pupil_id=pupil_id: list(pupil_page(pupil_id)))
        print(f"  from Python: median {median:.2f} ms, worst {worst:.2f} ms")

    record_id = str(busiest)
    sql, params = (
        AuditEvent.objects.filter(record_type="target review", record_id=record_id, action__in=["update", "delete"])
        .order_by("-at", "-pk")[:1]
        .query.sql_with_params()
    )
    print(f"\nLast change to a record (edit conflicts, trellis/lib/versions.py):\n{_explain(sql, params)}")
    median, worst = _timed(lambda: last_change("target review", busiest), repeat=5)
    print(f"  from Python: median {median:.2f} ms, worst {worst:.2f} ms")

    sql, params = AuditEvent.objects.filter(pupil_id__in=[busiest]).order_by("at", "pk").query.sql_with_params()
    print(f"\nSubject access export's read of one pupil's trail:\n{_explain(sql, params)}")

    def scrub():
        with transaction.atomic():
            models.QuerySet.update(AuditEvent.objects.filter(pupil_id=busiest), summary="", changes={})
            transaction.set_rollback(True)

    median, worst = _timed(scrub, repeat=5)
    print(
        f"\nRetention's scrub of the busiest pupil's rows (rolled back): median {median:.2f} ms, worst {worst:.2f} ms"
    )
    sql = "UPDATE audit_auditevent SET summary = '', changes = '{}' WHERE pupil_id = %s"
    print(f"On the server (rolled back):\n{_explain(sql, [busiest], runs=3)}")

    def insert():
        audit.record(actor=None, action="view", record_type="SEN record", pupil_id=typical, record_id=typical)

    median, worst = _timed(insert, repeat=200)
    print(f"\nOne new event (audit.record, autocommit): median {median:.2f} ms, worst {worst:.2f} ms")
    sql, params = (
        "INSERT INTO audit_auditevent (at, actor_id, actor_name, pupil_id, action, record_type, record_id, summary,"
        " changes, via) VALUES (now(), 1, 'staff1', %s, 'view', 'SEN record', %s, '', '{}', 'web')",
        [typical, str(typical)],
    )
    print(f"One new view event on the server (rolled back):\n{_explain(sql, params, runs=50)}")

    print("\nSizes:")
    for name, size in _sizes():
        print(f"  {name}: {size}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--pupils", type=int, default=250_000)
    parser.add_argument("--database", default="trellis_audit_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database (to measure again with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by an earlier --keep")
    args = parser.parse_args()
    print(f"Load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} cores")

    if not args.reuse:
        _admin(f'DROP DATABASE IF EXISTS "{args.database}"')
        _admin(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = f"{_server_url()}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            print(f"Loading {args.events:,} events for {args.pupils:,} pupils...")
            print(f"Loaded in {_load(args.events, args.pupils):.0f} s.")
        _measure()
    finally:
        connection.close()
        if not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{args.database}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
