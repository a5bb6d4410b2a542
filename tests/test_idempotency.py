"""No doubled records: the same form posted twice, or the same Idempotency-Key sent again (even at
the same moment), creates one review, note or concern; closed targets take no new reviews."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.utils import timezone
from fixtures_progress import make_target

from trellis.audit.models import AuditEvent
from trellis.evidence.models import EvidenceNote
from trellis.idempotency.models import OneTimeKey
from trellis.identification.models import Concern
from trellis.plans import services
from trellis.plans.models import Plan, Review, Target


def _token(page: str) -> str:
    return re.search(r'<input type="hidden" name="once" value="([^"]+)"', page).group(1)


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Pages: a one-time form token ---------------------------------------------------------------


def test_a_review_form_posted_twice_records_one_review(world, login):
    target = make_target(world.in_class)
    client = login(world.teacher)
    url = f"/targets/{target.pk}/"
    token = _token(client.get(url).content.decode())
    form = {"value": "2b", "comment": "Blends CVC words", **_date("date", timezone.localdate()), "once": token}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form, follow=True)
    assert again.redirect_chain == [(url, 302)]
    assert "This was already saved." in _messages(again)
    assert Review.objects.filter(target=target).count() == 1
    assert AuditEvent.objects.filter(record_type="target review", action="create").count() == 1
    # The next page has a new token: a second review of the day is a new form, and is saved.
    fresh = _token(again.content.decode())
    assert fresh != token
    assert client.post(url, form | {"value": "2a", "once": fresh}).status_code == 302
    assert Review.objects.filter(target=target).count() == 2


def test_a_form_shown_again_with_an_error_keeps_its_token_and_saves_once(world, login):
    target = make_target(world.in_class)
    client = login(world.teacher)
    url = f"/targets/{target.pk}/"
    token = _token(client.get(url).content.decode())
    refused = client.post(url, {"value": "9z", **_date("date", timezone.localdate()), "once": token})
    assert refused.status_code == 200 and _token(refused.content.decode()) == token
    assert not OneTimeKey.objects.exists()  # a refused save keeps nothing, the key included
    form = {"value": "2b", **_date("date", timezone.localdate()), "once": token}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Review.objects.filter(target=target).count() == 1


def test_one_persons_token_is_not_another_persons(world, login):
    target = make_target(world.in_class)
    form = {"value": "2b", **_date("date", timezone.localdate()), "once": "same-token"}
    assert login(world.teacher).post(f"/targets/{target.pk}/", form).status_code == 302
    assert login(world.ta).post(f"/targets/{target.pk}/", form).status_code == 302
    assert sorted(Review.objects.values_list("reviewed_by__username", flat=True)) == ["ta", "teacher"]


def test_a_review_entry_row_saved_twice_records_one_review_and_the_row_comes_back_with_a_new_token(world, login):
    target = make_target(world.in_class)
    client = login(world.teacher)
    page = client.get(f"/schools/{world.school_a.urn}/reviews/").content.decode()
    token = re.search(rf'id="review-{target.pk}".*?name="once" value="([^"]+)"', page, re.S).group(1)
    row = {"value": "2b", "date": timezone.localdate().isoformat(), "once": token}
    first = client.post(f"/targets/{target.pk}/review/", row, HTTP_HX_REQUEST="true").content.decode()
    assert "Saved" in first and _token(first) != token
    assert client.post(f"/targets/{target.pk}/review/", row, HTTP_HX_REQUEST="true").status_code == 200
    again = client.post(f"/targets/{target.pk}/review/", row, follow=True)  # without JavaScript
    assert "Sam Inclass: this review was already saved." in _messages(again)
    assert Review.objects.filter(target=target).count() == 1


def test_an_evidence_note_posted_twice_is_saved_once(world, login):
    client = login(world.teacher)
    url = f"/pupils/{world.in_class.pk}/evidence/notes/new/"
    token = _token(client.get(url).content.decode())
    form = {
        **_date("date", timezone.localdate()),
        "learning_objective": "Count to 20",
        "activity": "Number line",
        "outcome": "Counted to 17",
        "once": token,
    }
    assert client.post(url, form).status_code == 302
    again = client.post(url, form, follow=True)
    assert again.redirect_chain == [(f"/pupils/{world.in_class.pk}/evidence/", 302)]
    assert "This was already saved." in _messages(again)
    assert EvidenceNote.objects.filter(pupil=world.in_class).count() == 1


def test_a_concern_posted_twice_is_raised_once_and_the_repeat_opens_it(world, login):
    client = login(world.teacher)
    url = f"/pupils/{world.in_class.pk}/concerns/new/"
    token = _token(client.get(url).content.decode())
    form = {"area": "slc", "what_seen": "Struggles to follow two-step instructions", "once": token}
    first = client.post(url, form)
    concern = Concern.objects.get(pupil=world.in_class)
    assert first.url == f"/concerns/{concern.pk}/"
    again = client.post(url, form, follow=True)
    assert again.redirect_chain == [(f"/concerns/{concern.pk}/", 302)]
    assert "This was already saved." in _messages(again)
    assert Concern.objects.filter(pupil=world.in_class).count() == 1


# --- The API: an Idempotency-Key header ---------------------------------------------------------


def _post_review(client, target, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(f"/api/v1/targets/{target.pk}/reviews", body, content_type="application/json", **headers)


def test_the_same_idempotency_key_returns_the_first_result_and_creates_nothing(world, login):
    target = make_target(world.in_class, baseline="2c", target_value="2a")
    client = login(world.ta)
    body = {"date": timezone.localdate().isoformat(), "value": "2b", "comment": "With a word mat"}
    first = _post_review(client, target, body, key="3f1c8a5e-review-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = _post_review(client, target, body, key="3f1c8a5e-review-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Review.objects.filter(target=target).count() == 1
    assert AuditEvent.objects.filter(record_type="target review", action="create").count() == 1
    # Without a key, every request is a new review (as before).
    assert _post_review(client, target, body).status_code == 201
    assert Review.objects.filter(target=target).count() == 2


def test_the_same_key_for_a_different_request_is_422(world, login):
    target, other = make_target(world.in_class), make_target(world.in_class, description="Write a sentence")
    client = login(world.teacher)
    body = {"date": timezone.localdate().isoformat(), "value": "2b"}
    assert _post_review(client, target, body, key="k-1").status_code == 201
    changed = _post_review(client, target, body | {"value": "2a"}, key="k-1")
    elsewhere = _post_review(client, other, body, key="k-1")
    for response in (changed, elsewhere):
        assert response.status_code == 422
        assert "This Idempotency-Key was used at" in response.json()["detail"]
        assert "for a different request; use a new key for each." in response.json()["detail"]
    assert Review.objects.count() == 1


def test_keys_are_per_user_and_kept_for_24_hours(world, login):
    target = make_target(world.in_class)
    body = {"date": timezone.localdate().isoformat(), "value": "2b"}
    assert _post_review(login(world.teacher), target, body, key="k-1").status_code == 201
    assert _post_review(login(world.ta), target, body, key="k-1").status_code == 201  # another user's key
    assert Review.objects.count() == 2
    key = OneTimeKey.objects.get(user=world.teacher)
    OneTimeKey.objects.filter(pk=key.pk).update(created_at=key.created_at - dt.timedelta(hours=23, minutes=59))
    assert _post_review(login(world.teacher), target, body, key="k-1").headers.get("Idempotent-Replayed") == "true"
    OneTimeKey.objects.filter(pk=key.pk).update(created_at=key.created_at - dt.timedelta(hours=24, minutes=1))
    again = _post_review(login(world.teacher), target, body, key="k-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert Review.objects.count() == 3
    assert OneTimeKey.objects.filter(user=world.teacher).count() == 1  # the expired key made way


def test_a_replay_of_a_review_since_removed_is_409_and_a_refused_request_keeps_no_key(world, login):
    target = make_target(world.in_class)
    client = login(world.teacher)
    today = timezone.localdate().isoformat()
    assert _post_review(client, target, {"date": today, "value": "7z"}, key="k-2").status_code == 422
    assert not OneTimeKey.objects.exists()
    assert _post_review(client, target, {"date": today, "value": "2b"}, key="k-2").status_code == 201
    services.delete_review(review=Review.objects.get(), by=world.teacher)
    gone = _post_review(client, target, {"date": today, "value": "2b"}, key="k-2")
    assert gone.status_code == 409 and "has since been removed" in gone.json()["detail"]
    assert not Review.objects.exists()


def test_an_evidence_note_sent_twice_with_a_key_is_added_once(world, login):
    client = login(world.teacher)
    body = {
        "date": timezone.localdate().isoformat(),
        "learning_objective": "Count to 20",
        "activity": "Number line",
        "outcome": "Counted to 17",
        "areas": ["cognition"],
    }
    url = f"/api/v1/pupils/{world.in_class.pk}/evidence"
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="note-1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="note-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert EvidenceNote.objects.filter(pupil=world.in_class).count() == 1


def test_a_key_longer_than_255_characters_is_422(world, login):
    target = make_target(world.in_class)
    body = {"date": timezone.localdate().isoformat(), "value": "2b"}
    assert _post_review(login(world.teacher), target, body, key="k" * 256).status_code == 422
    assert _post_review(login(world.teacher), target, body, key="k" * 255).status_code == 201


def test_the_openapi_schema_documents_the_idempotency_key_header(world, login):
    schema = login(world.teacher).get("/api/v1/openapi.json").json()
    for path in ("/api/v1/targets/{target_id}/reviews", "/api/v1/pupils/{pupil_id}/evidence"):
        header = next(p for p in schema["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key")
        assert header["in"] == "header" and header["required"] is False
        assert "24 hours" in header["description"]


# Real connections racing: SQLite's in-memory test database cannot (its writers take turns anyway,
# as IMMEDIATE transactions). Serialized rollback puts back the data the migrations seed.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs separate connections to race (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_identical_concurrent_posts_with_one_key_create_one_review(world, client):
    from django.test import Client

    target = make_target(world.in_class)
    body = {"date": timezone.localdate().isoformat(), "value": "2b", "comment": "Five taps on a slow connection"}
    start, answers = threading.Barrier(5), []

    def post():
        one = Client()
        one.force_login(world.teacher)
        start.wait()
        try:
            answers.append(_post_review(one, target, body, key="tap-tap-tap"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 5
    assert len({str(a.json()) for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 4
    assert Review.objects.filter(target=target).count() == 1
    assert AuditEvent.objects.filter(record_type="target review", action="create").count() == 1


# --- Closed targets ------------------------------------------------------------------------------


def test_a_closed_target_of_an_archived_plan_takes_no_new_review_but_old_ones_can_be_corrected(world, login):
    today = timezone.localdate()
    target = make_target(world.in_class, starts_on=today - dt.timedelta(days=200))
    old = services.record_review(target=target, by=world.teacher, date=today - dt.timedelta(days=100), value="2b")
    Target.objects.filter(pk=target.pk).update(closed_on=today - dt.timedelta(days=30))
    Plan.objects.filter(pk=target.plan_id).update(state=Plan.State.ARCHIVED)
    client = login(world.teacher)

    api = _post_review(client, target, {"date": today.isoformat(), "value": "2a"})
    closed = f"This target is closed on {today - dt.timedelta(days=30):%d/%m/%Y}: it takes no new reviews."
    assert api.status_code == 422 and api.json()["detail"].startswith(closed)
    opened = client.get(f"/targets/{target.pk}/").content.decode()
    assert "it takes no new reviews. A review recorded in error can still be corrected." in opened
    assert "Save review" not in opened
    page = client.post(f"/targets/{target.pk}/", {"value": "2a", **_date("date", today)})
    assert page.status_code == 200 and closed in page.content.decode()
    row = client.post(f"/targets/{target.pk}/review/", {"value": "2a"}, follow=True)
    assert f"Sam Inclass: {closed}" in " ".join(_messages(row))
    assert list(Review.objects.filter(target=target)) == [old]

    fixed = {"value": "2c", **_date("date", old.date), "version": "1"}
    assert client.post(f"/reviews/{old.pk}/", fixed).status_code == 302
    assert Review.objects.get(pk=old.pk).value == "2c"


def test_a_target_of_an_archived_plan_takes_no_new_review_even_if_not_closed(world, login):
    target = make_target(world.in_class)
    Plan.objects.filter(pk=target.plan_id).update(state=Plan.State.ARCHIVED)
    response = _post_review(login(world.teacher), target, {"date": timezone.localdate().isoformat(), "value": "2b"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("This target is in an archived plan: it takes no new reviews.")
