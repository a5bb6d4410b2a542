"""Passkeys (WebAuthn) as the second factor after a password: adding one (audited), signing in with
it, a removed one refused, and a passkey alone meeting TRELLIS_REQUIRE_2FA. A software passkey
(tests/passkey_authenticator.py) answers the pages' real challenges; the browser test does the same
with Chromium's virtual authenticator."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from passkey_authenticator import SoftPasskey, page_options, view_options
from test_signin_2fa import ENTER_CODE, password_sign_in, signed_in_as, totp_code, with_app

from trellis.accounts.forms import PASSKEY_ANSWER_MAX_LENGTH
from trellis.audit.models import AuditEvent

from conftest import PASSWORD

ADD = "/accounts/2fa/webauthn/add/"
LIST = "/accounts/2fa/webauthn/"


@pytest.fixture
def required(settings):
    settings.TRELLIS_REQUIRE_2FA = True


def confirm_password(client) -> None:
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD})["Location"] == "/"


def add_passkey(client, passkey: SoftPasskey, name: str = "Blue key"):
    page = client.get(ADD)
    assert page.status_code == 200
    answer = passkey.create(page_options(page)["creation_options"])
    return client.post(ADD, {"name": name, "credential": json.dumps(answer)})


def use_passkey(client, passkey: SoftPasskey, *, shown: bool = True):
    page = client.get(ENTER_CODE)
    answer = passkey.get((page_options(page) if shown else view_options(page))["request_options"])
    return client.post(ENTER_CODE, {"credential": json.dumps(answer)})


def passkey_of(user) -> Authenticator:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)


def test_passkeys_are_switched_on_as_a_second_factor_but_not_for_signing_in_without_a_password():
    assert "webauthn" in settings.MFA_SUPPORTED_TYPES
    assert not getattr(settings, "MFA_PASSKEY_LOGIN_ENABLED", False)
    assert reverse("mfa_add_webauthn") == ADD


def test_a_senco_made_to_set_up_two_factor_can_add_a_passkey_instead_and_it_is_audited(
    world, client, required, django_capture_on_commit_callbacks
):
    password_sign_in(client, "senco")
    pupil_page = reverse("pupil", args=[world.in_class.pk])
    assert client.get(pupil_page)["Location"] == "/accounts/2fa/totp/activate/"
    confirm_password(client)
    assert ADD in client.get("/accounts/2fa/totp/activate/").content.decode()  # offered instead of an app

    passkey = SoftPasskey()
    with django_capture_on_commit_callbacks(execute=True):  # recovery codes come with it, signalled on commit
        added = add_passkey(client, passkey, name="Blue key on my lanyard")
    assert added["Location"] == "/accounts/2fa/recovery-codes/"  # the codes for a lost key, shown once
    assert passkey_of(world.senco).wrap().name == "Blue key on my lanyard"
    assert client.get(pupil_page).status_code == 200  # the requirement is met by the passkey alone

    summaries = set(
        AuditEvent.objects.filter(actor=world.senco, record_type="two-factor sign-in", action="create").values_list(
            "summary", flat=True
        )
    )
    assert summaries == {"Set up a passkey for two-factor sign-in", "Set up recovery codes for two-factor sign-in"}


def test_a_passkey_given_no_name_is_called_passkey_then_passkey_2(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    add_passkey(client, SoftPasskey(), name="")
    add_passkey(client, SoftPasskey(), name="")
    names = sorted(a.wrap().name for a in Authenticator.objects.filter(user=world.teacher, type="webauthn"))
    assert names == ["Passkey", "Passkey 2"]


def test_an_answer_to_another_challenge_adds_no_passkey(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    passkey = SoftPasskey()
    stale = passkey.create(page_options(client.get(ADD))["creation_options"])
    client.get(ADD)  # a new page, a new challenge: the first answer is now for the wrong one
    refused = client.post(ADD, {"name": "Key", "credential": json.dumps(stale)})
    assert refused.status_code == 200
    assert not Authenticator.objects.filter(user=world.teacher, type="webauthn").exists()


def test_adding_a_passkey_without_javascript_says_what_to_do(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    page = client.get(ADD).content.decode()
    assert "Adding a passkey needs JavaScript" in page
    assert 'href="/accounts/2fa/totp/activate/"' in page  # an authenticator app works without it
    posted = client.post(ADD, {"name": "Key"})  # what the form sends when no script filled in the answer
    assert "Use your passkey when your browser asks for it" in posted.content.decode()


def test_an_oversized_passkey_answer_is_refused_before_it_is_read(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    client.get(ADD)
    refused = client.post(ADD, {"name": "Key", "credential": '"' + "x" * PASSKEY_ANSWER_MAX_LENGTH + '"'})
    assert refused.status_code == 200
    assert not Authenticator.objects.filter(user=world.teacher, type="webauthn").exists()


def test_a_password_alone_does_not_sign_in_someone_with_a_passkey_and_the_passkey_does(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    passkey = SoftPasskey()
    add_passkey(client, passkey)
    client.logout()

    assert password_sign_in(client, "teacher")["Location"] == ENTER_CODE
    assert signed_in_as(client) is None
    page = client.get(ENTER_CODE).content.decode()
    assert "<h1>Use your passkey</h1>" in page
    assert "If you do not have your passkey, enter one of your recovery codes" in page  # no app to mention

    assert use_passkey(client, passkey).status_code == 302
    assert signed_in_as(client) == str(world.teacher.pk)
    assert passkey_of(world.teacher).last_used_at is not None


def test_someone_elses_passkey_does_not_sign_you_in(world, client):
    for username in ("ta", "teacher"):
        password_sign_in(client, username)
        confirm_password(client)
        passkey = SoftPasskey()
        add_passkey(client, passkey)
        client.logout()
    password_sign_in(client, "teacher")
    page = client.get(ENTER_CODE)
    theirs = SoftPasskey()
    theirs.credential_id = passkey_of(world.ta).wrap().authenticator_data.credential_data.credential_id
    refused = client.post(ENTER_CODE, {"credential": json.dumps(theirs.get(page_options(page)["request_options"]))})
    assert refused.status_code == 200
    assert signed_in_as(client) is None


def test_a_removed_passkey_no_longer_signs_in_and_the_removal_is_audited(
    world, client, django_capture_on_commit_callbacks
):
    secret = with_app(world.teacher)  # so that signing in still asks for a second factor
    password_sign_in(client, "teacher")
    client.post(ENTER_CODE, {"code": totp_code(secret)})
    confirm_password(client)
    passkey = SoftPasskey()
    add_passkey(client, passkey)
    remove = reverse("mfa_remove_webauthn", args=[passkey_of(world.teacher).pk])
    assert "Remove the passkey" in client.get(remove).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remove)["Location"] == LIST
    assert not Authenticator.objects.filter(user=world.teacher, type="webauthn").exists()
    event = AuditEvent.objects.get(actor=world.teacher, action="delete", summary__contains="passkey")
    assert event.summary == "Removed a passkey from two-factor sign-in"
    client.logout()

    password_sign_in(client, "teacher")
    assert "Use your passkey" not in client.get(ENTER_CODE).content.decode()  # none left to offer
    refused = use_passkey(client, passkey, shown=False)  # posted anyway: the key still answers; Trellis refuses
    assert refused.status_code == 200
    assert signed_in_as(client) is None
    client.post(ENTER_CODE, {"code": totp_code(secret, periods_from_now=1)})
    assert signed_in_as(client) == str(world.teacher.pk)


def test_a_removed_passkey_is_refused_even_beside_another(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    old, new = SoftPasskey(), SoftPasskey()
    add_passkey(client, old, name="Old")
    add_passkey(client, new, name="New")
    old_pk = Authenticator.objects.get(user=world.teacher, data__name="Old").pk
    client.post(reverse("mfa_remove_webauthn", args=[old_pk]))
    client.logout()

    password_sign_in(client, "teacher")
    refused = use_passkey(client, old)
    assert "That passkey did not sign you in" in refused.content.decode()
    assert signed_in_as(client) is None
    use_passkey(client, new)
    assert signed_in_as(client) == str(world.teacher.pk)


def test_someone_who_must_have_two_factor_cannot_remove_their_only_passkey(world, client, required):
    password_sign_in(client, "senco")
    confirm_password(client)
    add_passkey(client, SoftPasskey())
    remove = reverse("mfa_remove_webauthn", args=[passkey_of(world.senco).pk])
    page = client.get(remove).content.decode()
    assert "You cannot remove your only passkey" in page and "Remove the passkey" not in page
    assert client.post(remove)["Location"] == LIST
    assert passkey_of(world.senco)

    with_app(world.senco)  # with an app as well, the passkey may go
    client.post(remove)
    assert not Authenticator.objects.filter(user=world.senco, type="webauthn").exists()


def test_a_senco_with_only_a_passkey_signs_in_with_password_and_passkey_and_reaches_pupils(world, client, required):
    password_sign_in(client, "senco")
    confirm_password(client)
    passkey = SoftPasskey()
    add_passkey(client, passkey)
    client.logout()

    password_sign_in(client, "senco")
    use_passkey(client, passkey)
    response = client.get(reverse("pupil", args=[world.in_class.pk]))
    assert response.status_code == 200


def test_the_two_factor_page_lists_passkeys_and_renaming_one_keeps_a_limit(world, client):
    password_sign_in(client, "teacher")
    assert "Add a passkey" in client.get("/accounts/2fa/").content.decode()
    confirm_password(client)
    add_passkey(client, SoftPasskey(), name="Work laptop")
    assert "You have 1 passkey." in client.get("/accounts/2fa/").content.decode()
    assert "Work laptop" in client.get(LIST).content.decode()

    edit = reverse("mfa_edit_webauthn", args=[passkey_of(world.teacher).pk])
    too_long = client.post(edit, {"name": "x" * 101})
    assert "Use at most 100 characters" in too_long.content.decode()
    assert client.post(edit, {"name": "Home laptop\u202e"})["Location"] == LIST
    assert passkey_of(world.teacher).wrap().name == "Home laptop"


def test_nobody_else_can_remove_or_rename_your_passkey(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    add_passkey(client, SoftPasskey())
    pk = passkey_of(world.teacher).pk
    client.logout()
    password_sign_in(client, "ta")
    confirm_password(client)
    assert client.post(reverse("mfa_remove_webauthn", args=[pk])).status_code == 404
    assert client.post(reverse("mfa_edit_webauthn", args=[pk]), {"name": "Mine"}).status_code == 404
    assert passkey_of(world.teacher).wrap().name == "Blue key"


def test_a_passkey_also_confirms_it_is_you_before_a_change(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    passkey = SoftPasskey()
    add_passkey(client, passkey)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):  # the confirmation has lapsed
        assert client.get(ADD)["Location"].startswith("/accounts/reauthenticate/")
        confirm = f"/accounts/2fa/webauthn/reauthenticate/?next={ADD}"
        page = client.get(confirm)
        assert f'href="/accounts/reauthenticate/?next={ADD}"' in page.content.decode()
        answer = passkey.get(page_options(page)["request_options"])
        assert client.post(confirm, {"credential": json.dumps(answer), "next": ADD})["Location"] == ADD
        assert client.get(ADD).status_code == 200


def test_passkey_pages_run_only_scripts_from_trellis_itself_as_the_csp_requires(world, client):
    password_sign_in(client, "teacher")
    confirm_password(client)
    page = client.get(ADD)
    scripts = re.findall(r"<script\b([^>]*)>", page.content.decode())
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs in scripts if "src=" in attrs]
    assert [source.rsplit("/", 1)[-1] for source in sources[-3:]] == ["webauthn-json.js", "webauthn.js", "passkeys.js"]
    assert all(source.startswith(settings.STATIC_URL) for source in sources)  # allauth's own files, no CDN
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline == [' id="js_data" type="application/json"']  # data, which no browser runs
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
