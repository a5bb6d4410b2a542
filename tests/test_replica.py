"""Dashboards and the API's /dashboard read their figures from a replica (trellis/lib/replica.py)
when DATABASE_REPLICA_URL names one, and from the primary for a person (or API client) who has just
saved. Here the replica is a second alias on the test database itself: which connection ran each
query shows where it was routed."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fixtures_progress import make_target

from trellis.accounts import services as accounts
from trellis.accounts.models import Membership
from trellis.lib import replica
from trellis.plans.models import Review, Target

from conftest import SigningInClient

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.dates
ROUTER = ["trellis.lib.replica.ReplicaRouter"]
# A second connection sees only committed rows, as a real replica does; the data the migrations
# seed (needs, scales) are put back after each test.
WITH_REPLICA = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, replica.REPLICA]
)


@pytest.fixture(name="replica_alias", scope="class")
def replica_alias_fixture(django_db_setup):
    """`replica`: the test database again, under a connection of its own (a test mirror, so it is
    neither flushed nor serialized twice). Class-scoped: it must exist before the test's database
    access is set up, which checks the aliases a test uses."""
    settings_dict = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict["TEST"] = {**settings_dict["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    connections.settings[replica.REPLICA] = settings_dict
    try:
        yield
    finally:
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]
        del connections.settings[replica.REPLICA]


@pytest.fixture(name="router")
def router_fixture(settings):
    settings.DATABASE_ROUTERS = ROUTER


@pytest.fixture(name="empty_cache")
def empty_cache_fixture():
    """The cache table is not a model's, so a transactional test's flush leaves its rows: clear them."""
    yield
    cache.clear()


@pytest.fixture(name="api")
def api_fixture(world):
    """An API client of the SENCO's: a read-and-write bearer token, and no session cookie."""
    _, key = accounts.issue_api_token(user=world.senco, by=None, name="Power BI", scope="read-write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture(name="target")
def target_fixture(world):
    """A target of Sam Inclass (4B), not yet reviewed: 2c towards 2a."""
    today = timezone.localdate()
    return make_target(
        world.in_class, starts_on=today - dt.timedelta(days=60), target_date=today + dt.timedelta(days=60)
    )


def _dashboard(client, world) -> tuple[dict, list[str], list[str]]:
    """The school dashboard's total counts, and the SQL each connection ran for it."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
    ):
        response = client.get(f"/dashboards/schools/{world.school_a.urn}/")
    assert response.status_code == 200
    counts = {status.value: n for status, n in response.context["d"].total.counts.items() if n}
    return counts, [q["sql"] for q in primary], [q["sql"] for q in on_replica]


def _queries(client, url: str) -> tuple[list[str], list[str]]:
    """The SQL each connection ran for one GET of this page (200)."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
    ):
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return [q["sql"] for q in primary], [q["sql"] for q in on_replica]


def _api_dashboard(api, world) -> tuple[dict, list[str], list[str]]:
    """The API dashboard's target counts for school A, and the SQL each connection ran for it."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
    ):
        response = api.get("/api/v1/dashboard", {"school": world.school_a.urn})
    assert response.status_code == 200, response.content
    counts = {k: v for k, v in response.json()["targets"].items() if isinstance(v, int) and v and k != "total"}
    return counts, [q["sql"] for q in primary], [q["sql"] for q in on_replica]


def _review_through_the_api(api, target, value: str):
    body = {"date": timezone.localdate().isoformat(), "value": value}
    posted = api.post(f"/api/v1/targets/{target.pk}/reviews", body, content_type="application/json")
    assert posted.status_code == 201, posted.content
    return posted


# Each aggregate page, who may open it, and a table its figures are counted from.
AGGREGATE_PAGES = {
    "identification": ("/dashboards/identification/", '"pupils_pupil"'),
    "destinations": ("/dashboards/destinations/", '"pupils_pupil"'),
    "cohort": ("/dashboards/cohort/", '"pupils_pupil"'),
    "money": ("/schools/100001/provision/money/", '"provision_interventiongroup"'),
    "trust money": ("/provision/money/", '"provision_interventiongroup"'),
}


def _review_through_the_page(client, target, value: str) -> None:
    today = timezone.localdate()
    posted = client.post(
        f"/targets/{target.pk}/",
        {"value": value, "date_0": today.day, "date_1": today.month, "date_2": today.year, "once": "one-save"},
    )
    assert posted.status_code == 302


@WITH_REPLICA
@pytest.mark.usefixtures("replica_alias", "router", "empty_cache")
class TestWithAReplica:
    def test_the_dashboard_figures_come_from_the_replica_and_the_rest_from_the_primary(self, world, target, login):
        counts, primary, on_replica = _dashboard(login(world.senco), world)
        assert counts == {"not_reviewed": 1}
        assert [sql for sql in on_replica if '"plans_target"' in sql]
        assert all(sql.lstrip().upper().startswith("SELECT") for sql in on_replica)
        # The figures are nowhere else: no query on the primary counts targets.
        assert not [sql for sql in primary if "COUNT(" in sql.upper() and '"plans_target"' in sql]
        # The session, who may see what, and the audit trail stay on the primary.
        assert any('"django_session"' in sql for sql in primary)
        assert not [sql for sql in on_replica if 'FROM "accounts_' in sql or '"django_session"' in sql]

    def test_the_page_runs_the_same_queries_with_or_without_the_router(self, world, target, login, settings):
        client = login(world.senco)
        settings.DATABASE_ROUTERS = []
        _, without, none_on_replica = _dashboard(client, world)
        settings.DATABASE_ROUTERS = ROUTER
        _, primary, on_replica = _dashboard(client, world)
        assert none_on_replica == [] and on_replica
        assert len(primary) + len(on_replica) == len(without)

    def test_after_a_save_that_persons_dashboard_reads_the_primary_and_shows_it(self, world, target, login):
        senco = login(world.senco)
        _review_through_the_page(senco, target, "2a")  # reaches the target: achieved
        counts, primary, on_replica = _dashboard(senco, world)
        assert counts == {"achieved": 1}
        assert on_replica == [] and any('"plans_target"' in sql for sql in primary)

        # Someone who has not saved reads the replica (no lag here: it is the same database).
        head = SigningInClient()
        head.force_login(world.head)
        counts, _, on_replica = _dashboard(head, world)
        assert counts == {"achieved": 1} and on_replica

        # The SENCO's dashboards go back to the replica once the after-save time has passed.
        later = timezone.now() + dt.timedelta(seconds=django_settings.REPLICA_AFTER_SAVE_SECONDS + 1)
        with time_machine.travel(later, tick=False):
            _, _, on_replica = _dashboard(senco, world)
        assert on_replica

    def test_the_after_save_time_is_counted_from_the_save(self, world, target, login, settings):
        settings.REPLICA_AFTER_SAVE_SECONDS = 60
        senco = login(world.senco)
        saved_at = timezone.now()
        _review_through_the_page(senco, target, "2b")
        for seconds, reads_replica in ((59, False), (61, True)):
            with time_machine.travel(saved_at + dt.timedelta(seconds=seconds), tick=False):
                assert bool(_dashboard(senco, world)[2]) is reads_replica, seconds

    @pytest.mark.parametrize("page", AGGREGATE_PAGES)
    def test_each_aggregate_page_reads_its_figures_from_the_replica(self, world, login, settings, page):
        url, table = AGGREGATE_PAGES[page]
        client = login(world.trustlead if page == "trust money" else world.senco)
        primary, on_replica = _queries(client, url)
        assert [sql for sql in on_replica if table in sql]
        assert not [sql for sql in primary if table in sql]
        assert all(sql.lstrip().upper().startswith("SELECT") for sql in on_replica)
        # Who may see what, and the session, stay on the primary.
        assert not [sql for sql in on_replica if 'FROM "accounts_' in sql or '"django_session"' in sql]
        settings.DATABASE_ROUTERS = []
        without, none_on_replica = _queries(client, url)
        assert none_on_replica == []
        assert len(primary) + len(on_replica) == len(without)

    def test_the_api_dashboard_reads_its_figures_from_the_replica(self, world, target, api, settings):
        counts, primary, on_replica = _api_dashboard(api, world)
        assert counts == {"not_reviewed": 1}
        # The whole school's counts come from its tallies (trellis/plans/tally.py), on the replica.
        assert [sql for sql in on_replica if '"plans_progresstally"' in sql]
        assert not [sql for sql in primary if '"plans_progresstally"' in sql]
        assert not [sql for sql in on_replica if 'FROM "accounts_' in sql]  # the token and who may see what
        settings.DATABASE_ROUTERS = []
        _, without, none_on_replica = _api_dashboard(api, world)
        assert none_on_replica == [] and len(primary) + len(on_replica) == len(without)

    def test_after_an_api_write_that_users_api_dashboard_reads_the_primary_and_shows_it(self, world, target, api):
        sessions = Session.objects.count()
        saved_at = timezone.now()
        posted = _review_through_the_api(api, target, "2a")  # reaches the target: achieved
        # No session is made for a client that never sends its cookie back.
        assert Session.objects.count() == sessions and django_settings.SESSION_COOKIE_NAME not in posted.cookies
        counts, primary, on_replica = _api_dashboard(api, world)
        assert counts == {"achieved": 1}
        assert on_replica == [] and any('"plans_progresstally"' in sql for sql in primary)

        # Another user's API client reads the replica (no lag here: it is the same database).
        _, key = accounts.issue_api_token(user=world.head, by=None, name="Power BI", scope="read")
        counts, _, on_replica = _api_dashboard(Client(HTTP_AUTHORIZATION=f"Bearer {key}"), world)
        assert counts == {"achieved": 1} and on_replica

        seconds = django_settings.REPLICA_AFTER_SAVE_SECONDS
        with time_machine.travel(saved_at + dt.timedelta(seconds=seconds - 1), tick=False):
            assert not _api_dashboard(api, world)[2]
        with time_machine.travel(saved_at + dt.timedelta(seconds=seconds + 1), tick=False):
            counts, _, on_replica = _api_dashboard(api, world)
        assert counts == {"achieved": 1} and on_replica

    def test_writes_reads_elsewhere_and_access_data_always_use_the_primary(self, world, target):
        router = replica.ReplicaRouter()
        assert router.db_for_read(Target) == DEFAULT_DB_ALIAS  # outside an aggregate block
        with replica.aggregate_reads(None) as on_replica:
            assert on_replica
            assert router.db_for_read(Target) == router.db_for_read(Review) == replica.REPLICA
            assert router.db_for_read(Membership) == DEFAULT_DB_ALIAS  # who may see what
            assert router.db_for_read(cache.cache_model_class) == DEFAULT_DB_ALIAS  # API clients' after-save times
            assert router.db_for_write(Review) == DEFAULT_DB_ALIAS
            assert Target.objects.get(pk=target.pk)._state.db == replica.REPLICA
        assert router.db_for_read(Target) == DEFAULT_DB_ALIAS
        assert router.allow_migrate(DEFAULT_DB_ALIAS, "plans") and not router.allow_migrate(replica.REPLICA, "plans")


def test_without_a_replica_nothing_changes(world, target, login):
    assert replica.REPLICA not in connections.settings and not django_settings.DATABASE_ROUTERS
    with replica.aggregate_reads(None) as on_replica:
        assert not on_replica
    senco = login(world.senco)
    _review_through_the_page(senco, target, "2a")
    assert replica.SESSION_KEY not in senco.session  # no flag kept when there is no replica


def _settings_with(tmp_path, **env) -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "r = settings.DATABASES.get('replica') or {}; "
        "print(json.dumps([r.get('HOST'), r.get('NAME'), r.get('TEST', {}).get('MIRROR'), "
        "r.get('OPTIONS', {}).get('connect_timeout'), settings.DATABASE_ROUTERS]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRELLIS_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "trellis.settings", "TRELLIS_VAR_DIR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_database_replica_url_adds_the_alias_and_the_router(tmp_path):
    configured = _settings_with(
        tmp_path,
        DATABASE_URL="postgres://trellis@db.internal:5432/trellis",
        DATABASE_REPLICA_URL="postgres://trellis@replica.internal:5432/trellis",
    )
    assert json.loads(configured.stdout) == [
        "replica.internal",
        "trellis",
        "default",  # under test, the replica is the test database
        5,  # the primary's connection settings
        ["trellis.lib.replica.ReplicaRouter"],
    ]
    mismatched = _settings_with(tmp_path, DATABASE_REPLICA_URL="postgres://trellis@replica.internal:5432/trellis")
    assert mismatched.returncode != 0 and "DATABASE_REPLICA_URL must name a replica" in mismatched.stderr
