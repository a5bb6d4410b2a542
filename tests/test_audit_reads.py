"""Every page, API operation and Django admin page that shows a pupil's data writes an audit event.

The routes come from the URL resolver, the OpenAPI schema and the admin's registry, so a new route
fails `test_every_*_is_classified` until it is added to one of the tables in tests/pupil_routes.py:
how to open it (and whose data it shows), or why it shows no pupil's data.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pupil_routes import (
    ADMIN_WITH_PUPIL_DATA,
    ADMIN_WITHOUT_PUPIL_DATA,
    API_WITH_PUPIL_DATA,
    API_WITHOUT_PUPIL_DATA,
    API_WRITES,
    OPENED_BY,
    PAGE_STATUS,
    PAGES_WITH_PUPIL_DATA,
    PAGES_WITHOUT_PUPIL_DATA,
    POST_ONLY,
    POST_ONLY_URLS,
    SURNAMES,
    Shows,
    seed,
)

from trellis.audit.models import AuditEvent


@pytest.fixture
def seeded(world, settings, tmp_path):
    return seed(world, settings, tmp_path)


# The JSON API (namespace api-v1) is walked through its OpenAPI schema below; the admin through
# its registry.
WALKED_ELSEWHERE = {"api-v1", "admin"}


def page_names(patterns=None, namespace: str = "") -> set[str]:
    """Every named URL pattern of the site, outside the API and the admin."""
    names: set[str] = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in WALKED_ELSEWHERE:
                continue
            names |= page_names(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"unnamed URL pattern {entry.pattern}: name it, then classify it here"
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_every_page_is_classified():
    classified = [set(PAGES_WITH_PUPIL_DATA), set(PAGES_WITHOUT_PUPIL_DATA), POST_ONLY]
    assert sum(map(len, classified)) == len(set().union(*classified)), "a route is in two tables"
    unclassified = page_names() - set().union(*classified)
    assert not unclassified, f"say how each of these shows pupil data, or that it shows none: {unclassified}"
    assert set().union(*classified) <= page_names(), "a table names a route that no longer exists"
    assert set(POST_ONLY_URLS) == POST_ONLY


def _new_events(before: int, user, route: Shows, s) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(
        pk__gt=before, actor=user, action__in=[AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT]
    )
    if route.shows == "pupil":
        return list(events.filter(pupil_id=s.pupil.pk, school_id=s.world.school_a.pk))
    return list(events.filter(pupil_id=None))


def _last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("name", sorted(PAGES_WITH_PUPIL_DATA))
def test_opening_a_page_of_pupil_data_writes_an_audit_event(seeded, login, name):
    route = PAGES_WITH_PUPIL_DATA[name]
    user = getattr(seeded.world, route.user)
    client = login(user)
    before = _last_event()
    response = client.get(route.url(seeded))
    assert response.status_code == 200, (name, response.status_code)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    assert _new_events(before, user, route, seeded), f"{name} showed pupil data without an audit event"


@pytest.mark.parametrize("name", sorted(PAGES_WITHOUT_PUPIL_DATA))
def test_pages_without_pupil_data_name_no_pupil(seeded, login, name):
    user = getattr(seeded.world, OPENED_BY.get(name, "senco"))
    response = login(user).get(PAGES_WITHOUT_PUPIL_DATA[name](seeded))
    assert response.status_code in PAGE_STATUS.get(name, (200, 302)), (name, response.status_code)
    page = response.content.decode(errors="replace")  # a PDF's text is compressed: its web page is checked too
    assert not [surname for surname in SURNAMES if surname in page]


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_write_only_routes_refuse_a_read(seeded, login, name):
    assert login(seeded.world.senco).get(POST_ONLY_URLS[name](seeded)).status_code == 405


# --- The API, from its OpenAPI schema ---------------------------------------------------------


def api_operations(client) -> set[tuple[str, str]]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def test_every_api_operation_is_classified(world, login):
    operations = api_operations(login(world.senco))
    classified = set(API_WITH_PUPIL_DATA) | API_WITHOUT_PUPIL_DATA | API_WRITES
    assert operations - classified == set(), "say how each shows pupil data, or that it shows none"
    assert classified <= operations, "a table names an operation that no longer exists"
    assert all(method != "GET" for method, _ in API_WRITES)


@pytest.mark.parametrize("operation", sorted(API_WITH_PUPIL_DATA))
def test_an_api_read_of_pupil_data_writes_an_audit_event(seeded, login, operation):
    route = API_WITH_PUPIL_DATA[operation]
    user = getattr(seeded.world, route.user)
    before = _last_event()
    response = login(user).get(route.url(seeded))
    assert response.status_code == 200
    events = _new_events(before, user, route, seeded)
    assert events and all(event.via == "api" for event in events)


# --- The Django admin, from its registry ------------------------------------------------------


def test_every_admin_model_is_classified():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_WITH_PUPIL_DATA) | ADMIN_WITHOUT_PUPIL_DATA


@pytest.mark.parametrize("model", sorted(ADMIN_WITH_PUPIL_DATA))
def test_admin_pages_of_pupil_data_are_read_only_and_audited(seeded, login, model):
    obj = ADMIN_WITH_PUPIL_DATA[model](seeded)
    app, name = model.split(".")
    client = login(seeded.world.superuser)
    for view in ("change", "history"):
        before = _last_event()
        assert client.get(reverse(f"admin:{app}_{name}_{view}", args=[obj.pk])).status_code == 200
        route = Shows(lambda s: "", "pupil")
        assert _new_events(before, seeded.world.superuser, route, seeded), f"{model} {view} page not audited"
    before = _last_event()
    assert client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert _new_events(before, seeded.world.superuser, Shows(lambda s: "", "list"), seeded)
    assert client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403
    assert client.post(reverse(f"admin:{app}_{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
