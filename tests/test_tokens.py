"""API tokens: expiry, read-only or read-write scope, the page where a person lists, makes and
revokes their own; issuing and revoking are audited."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from trellis.accounts import services
from trellis.accounts.models import ApiToken
from trellis.audit.models import AuditEvent


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def make(user, *, scope="read", days=None, name="Power BI"):
    return services.issue_api_token(user=user, by=user, name=name, scope=scope, days=days)


def note_payload() -> dict:
    return {
        "date": timezone.localdate().isoformat(),
        "learning_objective": "Share",
        "activity": "Game",
        "outcome": "Took turns",
    }


def post_note(client, world, key: str):
    url = f"/api/v1/pupils/{world.in_class.pk}/evidence"
    return client.post(url, note_payload(), content_type="application/json", **bearer(key))


def test_a_read_only_token_reads_but_cannot_write(world, client):
    _, key = make(world.teacher, scope="read")
    assert client.get("/api/v1/pupils", **bearer(key)).status_code == 200
    response = post_note(client, world, key)
    assert response.status_code == 403
    assert "This API token is read-only" in response.json()["detail"]
    assert not world.in_class.evidence_notes.exists()


def test_a_read_write_token_writes(world, client):
    _, key = make(world.teacher, scope="read-write")
    assert post_note(client, world, key).status_code == 201
    assert world.in_class.evidence_notes.count() == 1


def test_a_token_works_until_the_moment_it_expires(world, client):
    token, key = make(world.senco, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(seconds=30))
    assert client.get("/api/v1/pupils", **bearer(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = client.get("/api/v1/pupils", **bearer(key))
    assert response.status_code == 401
    assert "This API token expired on" in response.json()["detail"]


def test_a_new_token_lasts_ninety_days_unless_told(world, settings):
    before = timezone.now()
    token, _ = make(world.senco)
    assert before + dt.timedelta(days=90) <= token.expires_at <= timezone.now() + dt.timedelta(days=90)
    settings.TRELLIS_API_TOKEN_DAYS = 30
    token, _ = make(world.senco)
    assert token.expires_at <= timezone.now() + dt.timedelta(days=30)


@pytest.mark.parametrize(("days", "allowed"), [(0, False), (1, True), (366, True), (367, False)])
def test_a_token_lasts_one_day_to_a_year(world, days, allowed):
    if allowed:
        make(world.senco, days=days)
    else:
        with pytest.raises(services.AccountError, match=f"from 1 to 366 days, not {days}"):
            make(world.senco, days=days)
        assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working_and_the_revocation_is_audited(world, client, login):
    token, key = make(world.senco)
    response = login(world.senco).post(reverse("api-token-revoke", args=[token.pk]), follow=True)
    assert "no longer works" in response.content.decode()
    client.logout()
    response = client.get("/api/v1/pupils", **bearer(key))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    event = AuditEvent.objects.get(record_type="API token", action="update")
    assert (event.actor, event.record_id) == (world.senco, str(token.pk))


def test_nobody_revokes_someone_elses_token(world, login):
    token, _ = make(world.senco)
    assert login(world.head).post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_is_recorded_once(world):
    token, _ = make(world.senco)
    services.revoke_api_token(token=token, by=world.senco)
    services.revoke_api_token(token=token, by=world.senco)
    assert AuditEvent.objects.filter(record_type="API token", action="update").count() == 1


def test_the_page_lists_only_my_tokens_with_their_details(world, login):
    make(world.senco, name="Power BI", scope="read-write", days=30)
    make(world.head, name="Head's spreadsheet")
    page = login(world.senco).get(reverse("api-tokens")).content.decode()
    assert "Power BI" in page and "Read and write" in page
    assert "Head&#x27;s spreadsheet" not in page and "Head's spreadsheet" not in page
    expires = timezone.localtime(timezone.now() + dt.timedelta(days=30))
    assert f"{expires:%-d %b %Y}" in page
    assert "never" in page  # last used


def test_making_a_token_on_the_page_shows_its_secret_once_and_is_audited(world, client, login):
    page = login(world.teacher)
    response = page.post(reverse("api-tokens"), {"name": "Reading app", "scope": "read", "days": "7"})
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    key = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert key.startswith("trl_")
    assert key not in page.get(reverse("api-tokens")).content.decode()
    token = ApiToken.objects.get(user=world.teacher)
    assert (token.name, token.scope) == ("Reading app", "read")
    assert token.expires_at <= timezone.now() + dt.timedelta(days=7)
    event = AuditEvent.objects.get(record_type="API token", action="create")
    assert event.actor == world.teacher and "Reading app" in event.summary
    page.logout()
    assert client.get("/api/v1/pupils", **bearer(key)).status_code == 200


def test_the_page_says_what_is_wrong_and_makes_nothing(world, login):
    response = login(world.teacher).post(reverse("api-tokens"), {"name": "", "scope": "admin", "days": "400"})
    html = response.content.decode()
    assert "Enter what the token is for" in html
    assert "Select a valid choice" in html
    assert "A token can work for at most 366 days" in html
    assert not ApiToken.objects.exists()


def test_the_command_sets_scope_and_days_and_is_audited(world, client):
    out = StringIO()
    call_command("create_api_token", "senco", "--name", "Sync", "--scope", "read-write", "--days", "7", stdout=out)
    token = ApiToken.objects.get(user=world.senco)
    assert token.scope == "read-write"
    assert token.expires_at <= timezone.now() + dt.timedelta(days=7)
    assert AuditEvent.objects.get(record_type="API token", action="create").via == "command"
    assert post_note(client, world, out.getvalue().strip()).status_code == 201


def test_the_command_makes_read_only_tokens_unless_told(world):
    call_command("create_api_token", "senco", stdout=StringIO())
    assert ApiToken.objects.get().scope == "read"


def test_the_command_refuses_a_bad_number_of_days(world):
    with pytest.raises(CommandError, match="from 1 to 366 days, not 0"):
        call_command("create_api_token", "senco", "--days", "0", stdout=StringIO())


def test_the_schema_still_describes_the_api(world, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/pupils" in response.json()["paths"]
