"""Signing in: throttling and lockout by account and by address, unlocking by an administrator
(audited), the idle timeout that loses no work, changing a password."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from trellis.accounts.idle import KEPT_FORM, LAST_SEEN
from trellis.audit.models import AuditEvent
from trellis.plans import services as plan_services

from conftest import PASSWORD, SigningInClient

SIGN_IN = "/sign-in/"


def sign_in(client, username: str, password: str, address: str = "10.0.0.1", headers=None, **fields):
    data = {"username": username, "password": password, **fields}
    return client.post(SIGN_IN, data, REMOTE_ADDR=address, headers=headers)


def signed_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def fail(client, username: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        sign_in(client, username, "not-the-password", address)


# Throttling and lockout


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(world, client):
    fail(client, "senco", 50)
    response = sign_in(client, "senco", PASSWORD)
    assert signed_in_as(client) is None
    assert response.status_code == 429
    page = response.content.decode()
    assert "Signing in is locked for now" in page
    assert "too many wrong passwords for the account <strong>senco</strong>" in page
    assert "15 minutes from now" in page
    assert "school&#x27;s Trellis administrator" in page or "school's Trellis administrator" in page
    assert 'name="username"' in page  # the sign-in page itself, not a bare error page


def test_nine_wrong_passwords_still_let_the_right_one_in(world, client):
    fail(client, "senco", 9)
    response = sign_in(client, "senco", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(world.senco.pk)


def test_the_tenth_wrong_password_locks_the_account(world, client):
    fail(client, "senco", 9)
    assert sign_in(client, "senco", "still-wrong").status_code == 429
    response = sign_in(client, "senco", PASSWORD)
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_an_account_is_locked_whatever_address_the_attempts_come_from(world, client):
    for n in range(10):
        sign_in(client, "senco", "wrong", address=f"10.0.1.{n}")
    assert sign_in(client, "senco", PASSWORD, address="10.0.9.9").status_code == 429


def test_a_locked_account_does_not_lock_out_colleagues_at_the_same_school(world, client):
    fail(client, "senco", 12)
    assert sign_in(client, "teacher", PASSWORD).status_code == 302
    assert signed_in_as(client) == str(world.teacher.pk)


def test_an_address_is_locked_after_fifty_failures_for_any_accounts(world, client):
    for n in range(49):
        sign_in(client, f"guess{n}", "wrong", address="10.0.0.7")
    assert sign_in(client, "teacher", PASSWORD, address="10.0.0.7").status_code == 302
    client.logout()
    sign_in(client, "guess-last", "wrong", address="10.0.0.7")
    response = sign_in(client, "head", PASSWORD, address="10.0.0.7")
    assert response.status_code == 429
    assert "too many wrong passwords from this network" in response.content.decode()
    # Someone elsewhere is not affected.
    assert sign_in(client, "head", PASSWORD, address="10.0.0.8").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's own, ignored
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the proxy appended the real address
        (2, "198.51.100.1, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_address_counted_is_the_one_the_proxy_saw(world, client, settings, proxies, forwarded, address):
    settings.TRELLIS_PROXY_COUNT = proxies
    sign_in(client, "senco", "wrong", address="10.0.0.1", headers={"X-Forwarded-For": forwarded})
    assert AccessAttempt.objects.get().ip_address == address


def test_a_lockout_lifts_fifteen_minutes_after_the_last_attempt(world, client):
    fail(client, "senco", 10)
    now = dt.datetime.now(dt.UTC)
    AccessAttempt.objects.update(attempt_time=now - dt.timedelta(minutes=14, seconds=50))
    assert sign_in(client, "senco", PASSWORD).status_code == 429  # and this attempt starts the clock again
    AccessAttempt.objects.update(attempt_time=now - dt.timedelta(minutes=15, seconds=1))
    assert sign_in(client, "senco", PASSWORD).status_code == 302


def test_a_tried_password_is_not_kept(world, client):
    sign_in(client, "senco", "my-secret-guess-123")
    assert AccessAttempt.objects.count() == 1
    assert "my-secret-guess-123" not in AccessAttempt.objects.get().post_data


# Unlocking


def test_school_administrator_unlocks_a_colleague_and_it_is_audited(world, client, login):
    fail(client, "senco", 10)
    office = login(world.administrator)
    page = office.get(reverse("sign-in-lockouts")).content.decode()
    assert "Account <strong>senco</strong>" in page
    response = office.post(reverse("sign-in-lockouts"), {"kind": "account", "value": "senco"}, follow=True)
    assert "Unlocked senco (10 failed sign-ins forgiven)" in response.content.decode()
    event = AuditEvent.objects.get(record_type="sign-in lockout")
    assert (event.actor, event.action, event.record_id) == (world.administrator, "update", "senco")
    assert event.changes == {"locked": [True, False]}
    office.logout()
    assert sign_in(client, "senco", PASSWORD).status_code == 302


def test_school_administrator_cannot_see_or_unlock_another_schools_account(world, client, login):
    fail(client, "outsider", 10)
    office = login(world.administrator)
    assert "outsider" not in office.get(reverse("sign-in-lockouts")).content.decode()
    response = office.post(reverse("sign-in-lockouts"), {"kind": "account", "value": "outsider"}, follow=True)
    assert "not yours to lift: nothing was changed" in response.content.decode()
    assert AccessAttempt.objects.filter(username="outsider").exists()
    assert not AuditEvent.objects.filter(record_type="sign-in lockout").exists()


def test_only_a_superuser_unlocks_an_address(world, client, login):
    for n in range(50):
        sign_in(client, f"guess{n}", "wrong", address="10.0.0.7")
    office = login(world.administrator)
    assert "10.0.0.7" not in office.get(reverse("sign-in-lockouts")).content.decode()
    office.post(reverse("sign-in-lockouts"), {"kind": "address", "value": "10.0.0.7"})
    assert AccessAttempt.objects.filter(ip_address="10.0.0.7").exists()
    root = login(world.superuser)
    assert "Address <strong>10.0.0.7</strong>" in root.get(reverse("sign-in-lockouts")).content.decode()
    root.post(reverse("sign-in-lockouts"), {"kind": "address", "value": "10.0.0.7"})
    assert not AccessAttempt.objects.filter(ip_address="10.0.0.7").exists()
    assert AuditEvent.objects.get(record_type="sign-in lockout").actor == world.superuser


@pytest.mark.parametrize("role", ["senco", "teacher", "head", "trustlead"])
def test_other_roles_cannot_open_the_lockouts_page(world, login, role):
    assert login(getattr(world, role)).get(reverse("sign-in-lockouts")).status_code == 403


def test_a_superuser_is_unlocked_only_by_a_superuser(world, client, login):
    fail(client, "root", 10)
    office = login(world.administrator)
    office.post(reverse("sign-in-lockouts"), {"kind": "account", "value": "root"})
    assert AccessAttempt.objects.filter(username="root").exists()


# Idle timeout


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time() - minutes * 60)
    session.save()


def test_a_page_after_thirty_one_idle_minutes_asks_to_sign_in_again(world, login):
    client = login(world.senco)
    client.get("/")
    idle_for(client, 31)
    response = client.get(reverse("pupil", args=[world.in_class.pk]), follow=True)
    assert response.redirect_chain[0][0].startswith(f"{SIGN_IN}?next=/pupils/{world.in_class.pk}/")
    assert "You were signed out after 30 minutes without activity." in response.content.decode()
    assert signed_in_as(client) is None


def test_twenty_nine_idle_minutes_keep_the_session(world, login):
    client = login(world.senco)
    client.get("/")
    idle_for(client, 29)
    assert client.get(reverse("pupil", args=[world.in_class.pk])).status_code == 200
    assert signed_in_as(client) == str(world.senco.pk)


def test_the_timeout_is_configurable(world, login, settings):
    settings.TRELLIS_SESSION_IDLE_MINUTES = 5
    client = login(world.senco)
    client.get("/")
    idle_for(client, 6)
    response = client.get(reverse("pupil", args=[world.in_class.pk]), follow=True)
    assert "signed out after 5 minutes" in response.content.decode()


def test_activity_is_written_to_the_session_at_most_once_a_minute(world, login):
    client = login(world.senco)
    client.get("/")
    idle_for(client, 0.5)
    before = client.session[LAST_SEEN]
    client.get("/")
    assert client.session[LAST_SEEN] == before
    idle_for(client, 1.1)
    client.get("/")
    assert client.session[LAST_SEEN] >= time.time() - 5


EHC_FORM = {
    "local_authority": "Leeds",
    "issued_on_0": "3",
    "issued_on_1": "2",
    "issued_on_2": "2025",
    "last_annual_review_on_0": "",
    "last_annual_review_on_1": "",
    "last_annual_review_on_2": "",
}


def changes_to(pupil) -> int:
    return AuditEvent.objects.filter(pupil_id=pupil.pk).exclude(action="view").count()


def test_a_form_posted_after_the_timeout_is_offered_back_after_signing_in(world, client, login):
    pupil = world.other_class
    url = reverse("pupil-ehc-plan", args=[pupil.pk])
    login(world.senco).get(url)
    idle_for(client, 45)
    changes_before = changes_to(pupil)

    response = client.post(url, EHC_FORM)
    assert response.status_code == 302
    assert response.url == f"{SIGN_IN}?next={url}"
    assert changes_to(pupil) == changes_before  # nothing saved, nothing replayed
    assert signed_in_as(client) is None

    response = sign_in(client, "senco", PASSWORD, next=url)
    assert response.url == url
    page = client.get(url).content.decode()
    assert "You were signed out after 30 minutes without activity; your changes are below, check and save them." in page
    assert 'value="Leeds"' in page
    assert 'name="issued_on_0" value="3"' in page
    assert 'name="issued_on_2" value="2025"' in page
    assert changes_to(pupil) == changes_before

    # Offered once: the next visit shows the form as it is.
    assert 'value="Leeds"' not in client.get(url).content.decode()

    client.post(url, EHC_FORM)
    assert pupil.ehc_plans.get().local_authority == "Leeds"
    assert changes_to(pupil) == changes_before + 1


def test_a_kept_form_still_carries_the_version_it_was_opened_at(world, client, login):
    plan = plan_services.create_plan(pupil=world.in_class, by=world.senco, kind="sen_support", title="Reading plan")
    url = reverse("plan-edit", args=[plan.pk])
    login(world.teacher).get(url)
    idle_for(client, 45)
    client.post(url, {"kind": "sen_support", "title": "Reading plan", "strengths": "Good at maths", "version": "1"})
    plan_services.update_plan(plan=plan, by=world.senco, version=1, strengths="Loves stories")  # meanwhile

    sign_in(client, "teacher", PASSWORD, next=url)
    page = client.get(url).content.decode()
    assert re.search(r">\s*Good at maths</textarea>", page)
    assert re.search(r'name="version" value="1"', page)
    # Saving what was offered does not overwrite the SENCO's change: it is shown as a conflict.
    response = client.post(
        url, {"kind": "sen_support", "title": "Reading plan", "strengths": "Good at maths", "version": "1"}
    )
    assert "This plan was changed by Senco" in response.content.decode()
    plan.refresh_from_db()
    assert plan.strengths == "Loves stories"


def test_a_kept_form_is_not_shown_to_someone_else_who_signs_in(world, client, login):
    url = reverse("pupil-ehc-plan", args=[world.other_class.pk])
    login(world.senco).get(url)
    idle_for(client, 45)
    client.post(url, EHC_FORM)
    sign_in(client, "head", PASSWORD, next=url)
    page = client.get(url).content.decode()
    assert 'value="Leeds"' not in page
    assert KEPT_FORM not in client.session


def test_a_forged_post_after_the_timeout_is_not_kept(world):
    client = SigningInClient(enforce_csrf_checks=True)
    client.force_login(world.senco)
    idle_for(client, 45)
    response = client.post(reverse("pupil-ehc-plan", args=[world.other_class.pk]), EHC_FORM)  # no CSRF token
    assert response.status_code == 403
    assert KEPT_FORM not in client.session


def test_a_password_posted_after_the_timeout_is_not_kept(world, client, login):
    login(world.senco).get("/")
    idle_for(client, 45)
    client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": "a-new-long-pass", "new_password2": "a-new-long-pass"},
    )
    kept = client.session[KEPT_FORM]["data"]
    assert kept == {}


def test_signing_out_after_the_timeout_just_shows_the_sign_in_page(world, client, login):
    login(world.senco).get("/")
    idle_for(client, 45)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert KEPT_FORM not in client.session


def test_an_htmx_post_after_the_timeout_sends_the_browser_to_sign_in(world, client, login):
    url = reverse("pupil-ehc-plan", args=[world.other_class.pk])
    login(world.senco).get(url)
    idle_for(client, 45)
    page = reverse("pupil", args=[world.other_class.pk])
    response = client.post(
        url, EHC_FORM, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}?tab=plan"
    )
    assert response["HX-Redirect"] == f"{SIGN_IN}?next={page}"
    assert client.session[KEPT_FORM]["path"] == page


# Passwords


def test_passwords_need_twelve_characters(world):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("mXq7-vbn-Lp")  # 11
    validate_password("mXq7-vbn-Lp3")


def test_changing_a_password_needs_the_old_one_and_is_audited(world, login):
    client = login(world.teacher)
    url = reverse("password-change")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"old_password": "wrong", "new_password1": "mXq7-vbn-Lp3", "new_password2": "mXq7-vbn-Lp3"}
    )
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(url, {"old_password": PASSWORD, "new_password1": "short-pw", "new_password2": "short-pw"})
    assert "at least 12 characters" in response.content.decode()
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "mXq7-vbn-Lp3", "new_password2": "mXq7-vbn-Lp3"}, follow=True
    )
    assert "Your password has been changed." in response.content.decode()
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("mXq7-vbn-Lp3")
    assert signed_in_as(client) == str(world.teacher.pk)  # still signed in on this device
    assert AuditEvent.objects.filter(record_type="password", actor=world.teacher).count() == 1


def test_the_header_links_to_the_account_page(world, login):
    client = login(world.teacher)
    page = client.get(reverse("account")).content.decode()
    assert f'href="{reverse("account")}"' in page
    assert f'href="{reverse("password-change")}"' in page
    assert reverse("sign-in-lockouts") not in page
    assert reverse("sign-in-lockouts") in login(world.administrator).get(reverse("account")).content.decode()
