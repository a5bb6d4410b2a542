"""API errors: one shape ({"detail": str, "errors": [{"field", "message"}]}) for every status, query and
body limits at their edges, ids within the database's integer range, and the schema saying all of it."""

import datetime as dt

import pytest
from django.utils import timezone
from fixtures_progress import make_target

from trellis.api.common import MAX_ID
from trellis.evidence.models import EvidenceNote
from trellis.plans.models import Review

TODAY = timezone.localdate()


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The one error shape; `field` is the first field named in `errors`, if any is expected."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert set(error) == {"field", "message"} and isinstance(error["message"], str)
    if field is not None:
        assert body["errors"][0]["field"] == field
    return body


# ---- The pupil list: limit 1 to 500, offset 0 to 1,000,000 ----


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=25545982143&offset=3586256", "limit"),  # the request that answered 500
        ("offset=-1", "offset"),
        ("offset=1000001", "offset"),
        ("offset=99999999999999999999999", "offset"),
        ("limit=ten", "limit"),
        ("school=10001", "school"),
        ("school=", "school"),
        ("status=k", "status"),
        ("need=S1", "need"),
    ],
)
def test_out_of_range_list_parameters_are_422_naming_the_parameter(world, login, query, field):
    body = assert_error(login(world.senco).get(f"/api/v1/pupils?{query}"), 422, field)
    assert body["detail"].startswith(f"{field}: ")


def test_limit_and_offset_at_their_edges_are_accepted(world, login):
    client = login(world.senco)  # sees the 4 pupils of school A
    assert len(client.get("/api/v1/pupils?limit=1").json()["items"]) == 1
    assert len(client.get("/api/v1/pupils?limit=500").json()["items"]) == 4
    assert client.get("/api/v1/pupils?offset=3").json() == {
        "items": [client.get("/api/v1/pupils").json()["items"][3]],
        "count": 4,
    }
    assert client.get("/api/v1/pupils?offset=1000000").json() == {"items": [], "count": 4}


def test_the_limit_message_says_what_is_allowed(world, login):
    body = assert_error(login(world.senco).get("/api/v1/pupils?limit=-1"), 422, "limit")
    assert body["detail"] == "limit: Input should be greater than or equal to 1"
    body = assert_error(login(world.senco).get("/api/v1/pupils?school=abc"), 422, "school")
    assert body["errors"][0]["message"] == "Should be a school's unique reference number (6 digits)"


# ---- Ids: 1 to 2**63 - 1 (BigAutoField on both databases) ----


@pytest.mark.parametrize(
    "path",
    [
        "/pupils/{}",
        "/pupils/{}/plans",
        "/pupils/{}/targets",
        "/pupils/{}/evidence",
        "/interventions/{}",
        "/interventions/{}/evaluation",
    ],
)
def test_ids_outside_the_integer_range_are_422_and_the_largest_is_a_plain_404(world, login, path):
    client = login(world.senco)
    for bad in (0, -1, MAX_ID + 1, "abc"):
        assert_error(client.get("/api/v1" + path.format(bad)), 422)
    body = assert_error(client.get("/api/v1" + path.format(MAX_ID)), 404)
    assert body == {"detail": "Not found", "errors": []}


def test_evidence_with_out_of_range_target_ids_is_422_and_saves_nothing(world, login):
    note = {"date": TODAY.isoformat(), "learning_objective": "Count", "activity": "Game", "outcome": "Counted to 5"}
    client = login(world.teacher)
    url = f"/api/v1/pupils/{world.in_class.pk}/evidence"
    for targets, field in [([MAX_ID + 1], "targets.0"), ([1, 0], "targets.1"), (["1"], "targets.0")]:
        assert_error(client.post(url, note | {"targets": targets}, content_type="application/json"), 422, field)
    other = make_target(world.other_class)
    body = assert_error(client.post(url, note | {"targets": [other.pk]}, content_type="application/json"), 422)
    assert body["detail"] == f"Target {other.pk} is not one of this pupil's targets."
    assert not EvidenceNote.objects.exists()


# ---- Text fields: not blank, and at most the length a field holds ----


def test_note_texts_must_not_be_blank_and_have_length_limits(world, login):
    client = login(world.teacher)
    url = f"/api/v1/pupils/{world.in_class.pk}/evidence"
    note = {"date": TODAY.isoformat(), "learning_objective": "Count", "activity": "Game", "outcome": "Counted"}
    for field, value in [("learning_objective", ""), ("activity", "   "), ("outcome", "\n")]:
        body = assert_error(client.post(url, note | {field: value}, content_type="application/json"), 422, field)
        assert body["errors"][0]["message"] in ("Should not be blank", "String should have at least 1 character")
    for field, limit in [("learning_objective", 300), ("activity", 5000), ("outcome", 5000)]:
        too_long = note | {field: "a" * (limit + 1)}
        assert_error(client.post(url, too_long, content_type="application/json"), 422, field)
        assert client.post(url, note | {field: "a" * limit}, content_type="application/json").status_code == 201
    assert EvidenceNote.objects.count() == 3


def test_review_comment_is_at_most_2000_characters(world, login):
    target = make_target(world.in_class)
    client = login(world.teacher)
    url = f"/api/v1/targets/{target.pk}/reviews"
    review = {"date": TODAY.isoformat(), "value": "2b"}
    assert_error(client.post(url, review | {"comment": "a" * 2001}, content_type="application/json"), 422, "comment")
    assert not Review.objects.exists()
    assert client.post(url, review | {"comment": "a" * 2000}, content_type="application/json").status_code == 201


def test_api_text_loses_nul_and_bidirectional_overrides_as_form_text_does(world, login):
    client = login(world.teacher)
    target = make_target(world.in_class)
    review = {"date": TODAY.isoformat(), "value": "2b", "comment": "Read\x00 well \u202egnikool"}
    response = client.post(f"/api/v1/targets/{target.pk}/reviews", review, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Review.objects.get().comment == "Read well gnikool"
    note = {"date": TODAY.isoformat(), "learning_objective": "\u2066Count\u2069", "activity": "Game", "outcome": "Ok"}
    response = client.post(f"/api/v1/pupils/{world.in_class.pk}/evidence", note, content_type="application/json")
    assert response.status_code == 201, response.content
    assert EvidenceNote.objects.get().learning_objective == "Count"


@pytest.mark.parametrize("date", [0, "0", "2026-9-1", "01/09/2026", "2026-02-30", ""])
def test_review_dates_must_be_real_yyyy_mm_dd_dates(world, login, date):
    target = make_target(world.in_class)
    response = login(world.teacher).post(
        f"/api/v1/targets/{target.pk}/reviews", {"date": date, "value": "2b"}, content_type="application/json"
    )
    assert_error(response, 422, "date")
    assert not Review.objects.exists()


def test_a_review_before_the_targets_start_is_422_in_the_one_shape(world, login):
    target = make_target(world.in_class, starts_on=TODAY - dt.timedelta(days=10))
    response = login(world.teacher).post(
        f"/api/v1/targets/{target.pk}/reviews",
        {"date": (TODAY - dt.timedelta(days=11)).isoformat(), "value": "2b"},
        content_type="application/json",
    )
    body = assert_error(response, 422)
    assert body["detail"] == "The review date must be on or after the target's start date"
    assert not Review.objects.exists()
    on_the_day = {"date": (TODAY - dt.timedelta(days=10)).isoformat(), "value": "2b"}
    assert (
        login(world.teacher)
        .post(f"/api/v1/targets/{target.pk}/reviews", on_the_day, content_type="application/json")
        .status_code
        == 201
    )


def test_a_value_off_the_scale_names_the_field_and_the_allowed_values(world, login):
    target = make_target(world.in_class)
    response = login(world.teacher).post(
        f"/api/v1/targets/{target.pk}/reviews",
        {"date": TODAY.isoformat(), "value": "7z"},
        content_type="application/json",
    )
    body = assert_error(response, 422, "value")
    assert body["allowed"].startswith("1c, 1b, 1a, 2c")


# ---- ninja's own validation errors, unreadable bodies, auth, access ----


def test_a_missing_body_is_422_with_a_string_detail_not_a_list(world, login):
    target = make_target(world.in_class)
    response = login(world.teacher).post(f"/api/v1/targets/{target.pk}/reviews", content_type="application/json")
    body = assert_error(response, 422, "date")
    assert body["detail"] == "date: Field required (and 1 more)"
    assert body["errors"] == [
        {"field": "date", "message": "Field required"},
        {"field": "value", "message": "Field required"},
    ]


def test_missing_fields_are_each_listed(world, login):
    response = login(world.teacher).post(
        f"/api/v1/pupils/{world.in_class.pk}/evidence", {"date": TODAY.isoformat()}, content_type="application/json"
    )
    body = assert_error(response, 422)
    assert [e["field"] for e in body["errors"]] == ["learning_objective", "activity", "outcome"]
    assert body["detail"] == "learning_objective: Field required (and 2 more)"


def test_a_body_that_is_not_json_is_400(world, login):
    response = login(world.teacher).post(
        f"/api/v1/pupils/{world.in_class.pk}/evidence", "{not json", content_type="application/json"
    )
    assert assert_error(response, 400)["detail"] == "Cannot parse request body"


def test_401_403_and_404_have_the_one_shape(world, client, login):
    assert assert_error(client.get("/api/v1/pupils"), 401) == {"detail": "Unauthorized", "errors": []}
    note = {"date": TODAY.isoformat(), "learning_objective": "Count", "activity": "Game", "outcome": "Counted"}
    response = login(world.specialist).post(
        f"/api/v1/pupils/{world.other_class.pk}/evidence", note, content_type="application/json"
    )
    assert assert_error(response, 403)["detail"] == "You can see this pupil but not add evidence."
    assert (
        assert_error(login(world.teacher).get(f"/api/v1/pupils/{world.other_class.pk}"), 404)["detail"] == "Not found"
    )


def test_dashboard_parameters_are_checked_alone_then_together(world, login):
    client = login(world.senco)
    assert_error(client.get("/api/v1/dashboard?school=abc"), 422, "school")
    assert_error(client.get("/api/v1/dashboard?year=15"), 422, "year")
    assert_error(client.get("/api/v1/dashboard?sex=X"), 422, "sex")
    assert_error(client.get("/api/v1/dashboard?group_by=colour"), 422, "group_by.0")
    later, earlier = TODAY.isoformat(), (TODAY - dt.timedelta(days=1)).isoformat()
    body = assert_error(client.get(f"/api/v1/dashboard?from={later}&to={earlier}"), 400)
    assert body == {"detail": "'from' must be on or before 'to'", "errors": []}
    assert assert_error(client.get("/api/v1/dashboard?group_by=need,need"), 400)["detail"].startswith("group_by takes")
    assert client.get(f"/api/v1/dashboard?school=100001&group_by=need,sex&year=4&from={earlier}").status_code == 200


# ---- The schema says all of this ----


def test_every_operation_declares_every_error_status_with_the_one_shape(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 12
    for operation in operations:
        for status in ("400", "401", "403", "404", "409", "422"):
            content = operation["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/ErrorOut"}, operation["operationId"]
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail", "errors"]
    assert error["properties"]["detail"]["type"] == "string"


def test_the_schema_states_the_limits(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/pupils"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 500)
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, 1_000_000)
    assert params["status"]["anyOf"][0]["enum"] == ["N", "K", "E", "monitoring"]
    detail = schema["paths"]["/api/v1/pupils/{pupil_id}"]["get"]["parameters"][0]["schema"]
    assert (detail["minimum"], detail["maximum"]) == (1, 2**63 - 1)
    components = schema["components"]["schemas"]
    assert components["ReviewIn"]["properties"]["comment"]["maxLength"] == 2000
    assert components["NoteIn"]["properties"]["activity"]["maxLength"] == 5000
    assert components["NoteIn"]["properties"]["learning_objective"]["pattern"] == r"\S"
    dashboard = {p["name"] for p in schema["paths"]["/api/v1/dashboard"]["get"]["parameters"]}
    assert dashboard == {"school", "group_by", "sen", "sex", "year", "need", "periods", "from", "to"}
