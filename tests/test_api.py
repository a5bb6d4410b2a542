"""The versioned JSON API: bearer tokens, the pupil list and detail shapes, the OpenAPI schema."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from trellis.accounts.models import ApiToken
from trellis.pupils import services


def token_for(username: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, "--name", "Power BI", stdout=out)
    return out.getvalue().strip()


def test_bearer_token_from_the_command_opens_the_api(world, client):
    key = token_for("senco")
    response = client.get("/api/v1/pupils", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_tokens_are_stored_hashed_not_in_clear(world):
    key = token_for("senco")
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert ApiToken.objects.get(user=world.senco).name == "Power BI"


def test_missing_or_wrong_token_is_401(world, client):
    assert client.get("/api/v1/pupils").status_code == 401
    assert client.get("/api/v1/pupils", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_token_of_a_deactivated_user_stops_working(world, client):
    key = token_for("senco")
    world.senco.is_active = False
    world.senco.save()
    assert client.get("/api/v1/pupils", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_pupil_list_item_shape(world, login):
    items = login(world.senco).get("/api/v1/pupils", {"status": "K", "need": "SLCN"}).json()["items"]
    assert items == [
        {
            "id": world.in_class.pk,
            "upn": world.in_class.upn,
            "surname": "Inclass",
            "forename": "Sam",
            "school": "100001",
            "sen_status": "K",
            "needs": [{"code": "SLCN", "rank": 1}, {"code": "SPLD", "rank": 2}],
        }
    ]


def test_monitoring_is_reported_by_name(world, login):
    services.set_sen_status(pupil=world.in_class, status="M", starts_on=timezone.localdate(), by=world.senco)
    items = login(world.senco).get("/api/v1/pupils", {"status": "monitoring"}).json()["items"]
    assert [(item["surname"], item["sen_status"]) for item in items] == [("Inclass", "monitoring")]


def test_pupil_list_is_paginated(world, login):
    client = login(world.superuser)
    first = client.get("/api/v1/pupils", {"limit": 2}).json()
    rest = client.get("/api/v1/pupils", {"limit": 2, "offset": 2}).json()
    assert first["count"] == rest["count"] == 6
    assert len(first["items"]) == 2
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in rest["items"]})


def test_school_filter_uses_the_urn(world, login):
    items = login(world.trustlead).get("/api/v1/pupils", {"school": "100002"}).json()["items"]
    assert [item["surname"] for item in items] == ["Birchpupil"]


def test_pupil_detail_has_history_and_ehc_dates(world, login):
    services.record_ehc_plan(pupil=world.other_class, by=world.senco, issued_on=dt.date(2025, 5, 1))
    body = login(world.senco).get(f"/api/v1/pupils/{world.other_class.pk}").json()
    assert body["sen_status"] == "E"
    assert [entry["status"] for entry in body["sen_history"]] == ["E"]
    assert body["need_history"][0]["code"] == "ASD"
    assert body["ehc_plan"]["issued_on"] == "2025-05-01"
    assert body["ehc_plan"]["next_annual_review_due"] == "2026-05-01"


def test_unknown_pupil_is_404_like_a_forbidden_one(world, login):
    client = login(world.teacher)
    assert client.get("/api/v1/pupils/999999").status_code == 404
    assert client.get(f"/api/v1/pupils/{world.other_class.pk}").status_code == 404


def test_openapi_schema_describes_the_pupil_paths(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/pupils" in schema["paths"]
    assert "/api/v1/pupils/{pupil_id}" in schema["paths"]


def test_pupil_list_queries_do_not_grow_with_pupils(world, login, django_assert_max_num_queries):
    client = login(world.superuser)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/pupils").json()
    assert body["count"] == 6
