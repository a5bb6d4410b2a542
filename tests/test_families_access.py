"""Parents fit the one access layer: a parent of pupil A gets 404 for pupil B by every route in
tests/pupil_routes.py, never opens a staff page (not even for their own child: those show concerns
and staff-only notes), and the API lists their own children only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from pupil_routes import API_WITH_PUPIL_DATA, PAGES_WITH_PUPIL_DATA, POST_ONLY_URLS, seed

from trellis.accounts.models import ApiToken
from trellis.families.models import Carer, Consent, ParentView, PlanResponse
from trellis.pupils.models import ExternalShare

from conftest import make_user

FAMILY_ROUTES = {name for name, route in PAGES_WITH_PUPIL_DATA.items() if route.user == "parent"}
# Pages of one's own things (one's children, one's meeting actions): they answer, naming nobody else.
# The calendar feed answers whoever holds its secret link (the SENCO's), with initials only.
OWN_PAGES = {"family-home", "my-actions", "calendar-feed"}


@pytest.fixture
def seeded(world, settings, tmp_path):
    """`in_class` (pupil B) has every kind of record; `parent_a` is the mother of `other_class`
    (pupil A) and of `pupil_b` at another school of the trust."""
    s = seed(world, settings, tmp_path)
    world.parent_a = make_user("parenta")
    for child in (world.other_class, world.pupil_b):
        Carer.objects.create(user=world.parent_a, pupil=child, relationship="mother")
    return s


@pytest.mark.parametrize("name", sorted(PAGES_WITH_PUPIL_DATA))
def test_a_parent_of_a_gets_404_for_b_by_every_page(seeded, login, name):
    url = PAGES_WITH_PUPIL_DATA[name].url(seeded)
    response = login(seeded.world.parent_a).get(url)
    if name in OWN_PAGES:
        assert response.status_code == 200 and "Inclass" not in response.content.decode()
    else:
        assert response.status_code == 404, (name, response.status_code)


@pytest.mark.parametrize("name", sorted(POST_ONLY_URLS))
def test_a_parent_writes_nothing_by_any_staff_route(seeded, login, name):
    if name in ("logout", "weekly-email"):  # one's own sign-out and email choice: no pupil's record
        return
    assert login(seeded.world.parent_a).post(POST_ONLY_URLS[name](seeded)).status_code == 404


@pytest.mark.parametrize("name", sorted(set(PAGES_WITH_PUPIL_DATA) - FAMILY_ROUTES))
def test_a_parent_opens_no_staff_page_even_for_their_own_child(seeded, login, name):
    response = login(seeded.world.parent).get(PAGES_WITH_PUPIL_DATA[name].url(seeded))
    if name in OWN_PAGES:  # their own meeting actions: none here
        assert response.status_code == 200 and "Inclass" not in response.content.decode()
    else:
        assert response.status_code == 404, (name, response.status_code)


@pytest.mark.parametrize("operation", sorted(op for op in API_WITH_PUPIL_DATA if op != ("GET", "/api/v1/pupils")))
def test_a_parent_gets_404_for_b_by_every_api_read(seeded, client, operation):
    key, key_hash = ApiToken.new_key()
    ApiToken.objects.create(user=seeded.world.parent_a, key_hash=key_hash, expires_at="2099-01-01T00:00Z")
    url = API_WITH_PUPIL_DATA[operation].url(seeded)
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 404


def test_the_api_lists_a_parents_own_children_only(seeded, client):
    key, key_hash = ApiToken.new_key()
    ApiToken.objects.create(user=seeded.world.parent_a, key_hash=key_hash, expires_at="2099-01-01T00:00Z")
    response = client.get("/api/v1/pupils", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {seeded.world.other_class.pk, seeded.world.pupil_b.pk}
    Carer.objects.filter(user=seeded.world.parent_a, pupil=seeded.world.pupil_b).update(restricted=True)
    again = client.get("/api/v1/pupils", headers={"Authorization": f"Bearer {key}"})
    assert {item["id"] for item in again.json()["items"]} == {seeded.world.other_class.pk}


def test_the_api_gives_a_parent_their_own_childs_register_entry_and_nothing_staff_only(seeded, client):
    key, key_hash = ApiToken.new_key()
    ApiToken.objects.create(user=seeded.world.parent_a, key_hash=key_hash, expires_at="2099-01-01T00:00Z")
    bearer = {"Authorization": f"Bearer {key}"}
    own = seeded.world.other_class
    response = client.get(f"/api/v1/pupils/{own.pk}", headers=bearer)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["surname"], body["sen_status"]) == (own.pk, "Otherclass", "E")
    assert [need["code"] for need in body["needs"]] == ["ASD"]
    # Plans, targets and evidence are staff pages' data: a parent reads them on the family pages.
    for route in ("plans", "targets", "evidence"):
        assert client.get(f"/api/v1/pupils/{own.pk}/{route}", headers=bearer).status_code == 404, route
    assert client.get(f"/api/v1/pupils/{seeded.world.in_class.pk}", headers=bearer).status_code == 404
    Carer.objects.filter(user=seeded.world.parent_a, pupil=own).update(restricted=True)
    assert client.get(f"/api/v1/pupils/{own.pk}", headers=bearer).status_code == 404


def test_a_parent_counts_in_no_aggregate(seeded, login):
    """The parent role is not a school-wide role: no dashboards, no school overview."""
    client = login(seeded.world.parent_a)
    assert client.get(f"/schools/{seeded.urn}/").status_code == 404
    assert client.get("/dashboards/").status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("family-views", {"text": "My views"}),
        ("family-agree", {"answer": "agree", "version": "1"}),
        ("family-consent", {"kind": "share", "given": "0"}),
    ],
)
def test_a_parent_of_a_cannot_speak_for_b(seeded, login, name, data):
    url = PAGES_WITH_PUPIL_DATA[name].url(seeded)
    shares = ExternalShare.objects.filter(expires_on__gte=timezone.localdate())
    active = shares.count()  # other_class's, and in_class's with the seed's visiting specialist
    assert active == 2
    assert login(seeded.world.parent_a).post(url, data).status_code == 404
    assert not ParentView.objects.exists() and not PlanResponse.objects.exists() and not Consent.objects.exists()
    assert shares.count() == active  # no share ended
