"""Signing in with the school's Microsoft or Google account (OpenID Connect), end to end against a
provider in its own process (tests/oidc_provider.py) that signs real RS256 ID tokens: Trellis
fetches its discovery document and keys, exchanges the code and checks the token as it would
Microsoft's or Google's."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from trellis.accounts.oidc_config import oidc_apps

PROVIDER = Path(__file__).with_name("oidc_provider.py")
CLIENT_ID, CLIENT_SECRET = "trellis-test-client", "a-test-client-secret"
TENANT = "5f0c1d2e-oakfield-trust"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Provider:
    def __init__(self, url: str) -> None:
        self.url = url

    def next_login(self, claims: dict, key: str = "good") -> None:
        body = json.dumps({"claims": claims, "key": key}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/control", data=body, method="POST"), timeout=10)  # noqa: S310

    def authorize(self, url: str) -> str:
        """What the browser does at the provider: follow the authorize URL to the redirect back."""
        assert url.startswith(f"{self.url}/authorize?")
        opener = urllib.request.build_opener(NoRedirects)
        try:
            opener.open(url, timeout=10)
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302
            return redirect.headers["Location"]
        raise AssertionError("the provider did not redirect back")


@pytest.fixture(scope="module")
def provider_process():
    process = subprocess.Popen(  # noqa: S603  (our own test provider)
        [sys.executable, str(PROVIDER), CLIENT_ID, CLIENT_SECRET], stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(process.stdout.readline())
        yield Provider(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def provider(provider_process, settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    entry = {
        "id": "oakfield",
        "name": "Oakfield Trust Microsoft account",
        "server_url": provider_process.url,
        "client_id": CLIENT_ID,
        "secret": CLIENT_SECRET,
        "tenant": TENANT,
    }
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": oidc_apps(json.dumps([entry]))}
    }
    return provider_process


def staff_claims(email: str, **extra) -> dict:
    return {"sub": f"sub-{email.lower()}", "tid": TENANT, "email": email, "email_verified": True, **extra}


def sign_in_with(client, provider: Provider, claims: dict, key: str = "good", service: str = "oakfield"):
    """Press "Sign in with ..." on the sign-in page, sign in at the provider, come back."""
    now = int(time.time())  # the suite's clock, not the provider process's
    provider.next_login({"iat": now, "exp": now + 300, **claims}, key)
    started = client.post(f"/accounts/oidc/{service}/login/", {"process": "login"})
    assert started.status_code == 302, started.content
    back = urlsplit(provider.authorize(started["Location"]))
    assert back.path == f"/accounts/oidc/{service}/login/callback/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_the_verified_email_of_an_existing_member_of_staff_signs_them_in(world, client, provider):
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.save()
    response = sign_in_with(client, provider, staff_claims("J.Senco@oakfield.sch.uk"))
    assert response.status_code == 302
    assert signed_in_as(client) == str(world.senco.pk)
    assert SocialAccount.objects.get(provider="oakfield").user == world.senco
    # Next time the same account is recognised at once.
    client.logout()
    sign_in_with(client, provider, staff_claims("j.senco@oakfield.sch.uk"))
    assert signed_in_as(client) == str(world.senco.pk)
    assert SocialAccount.objects.count() == 1


def test_the_sign_in_page_offers_the_configured_service(world, client, provider):
    page = client.get("/sign-in/").content.decode()
    assert "Sign in with Oakfield Trust Microsoft account" in page
    assert 'action="/accounts/oidc/oakfield/login/?process=login"' in page


def test_a_token_signed_with_another_key_is_refused(world, client, provider):
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.save()
    response = sign_in_with(client, provider, staff_claims("j.senco@oakfield.sch.uk"), key="stranger")
    assert signed_in_as(client) is None
    assert "could not check the answer from the sign-in service" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_token_from_another_issuer_is_refused(world, client, provider):
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.save()
    claims = staff_claims("j.senco@oakfield.sch.uk", iss="https://login.microsoftonline.com/another-tenant/v2.0")
    response = sign_in_with(client, provider, claims)
    assert signed_in_as(client) is None
    assert "could not check the answer from the sign-in service" in response.content.decode()


def test_an_account_of_another_tenant_is_refused(world, client, provider):
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.save()
    response = sign_in_with(client, provider, staff_claims("j.senco@oakfield.sch.uk", tid="another-trusts-tenant"))
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert "another organisation&#x27;s Microsoft tenant" in response.content.decode()
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_email_is_refused(world, client, provider, verified):
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.save()
    claims = staff_claims("j.senco@oakfield.sch.uk", email_verified=verified)
    response = sign_in_with(client, provider, claims)
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert "has not verified the email address j.senco@oakfield.sch.uk" in response.content.decode()


def test_microsofts_domain_owner_verified_claim_counts_as_verified(world, client, provider):
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.save()
    claims = {**staff_claims("j.senco@oakfield.sch.uk"), "xms_edov": True}
    del claims["email_verified"]
    sign_in_with(client, provider, claims)
    assert signed_in_as(client) == str(world.senco.pk)


def test_an_email_with_no_trellis_user_is_refused_without_making_one(world, client, provider, django_user_model):
    users = django_user_model.objects.count()
    response = sign_in_with(client, provider, staff_claims("new.starter@oakfield.sch.uk"))
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert "There is no Trellis account for new.starter@oakfield.sch.uk" in response.content.decode()
    assert django_user_model.objects.count() == users


def test_a_deactivated_user_is_refused(world, client, provider):
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.is_active = False
    world.senco.save()
    assert sign_in_with(client, provider, staff_claims("j.senco@oakfield.sch.uk")).status_code == 403
    assert signed_in_as(client) is None


def test_a_service_added_in_the_admin_works_too(world, client, provider, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="elm-google",
        name="Elm Primary Google account",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": provider.url, "hosted_domain": "elm.sch.uk"},
    )
    world.teacher.email = "t.teacher@elm.sch.uk"
    world.teacher.save()
    claims = {"sub": "g-1", "email": "t.teacher@elm.sch.uk", "email_verified": True}
    refused = sign_in_with(client, provider, {**claims, "hd": "gmail.com"}, service="elm-google")
    assert refused.status_code == 403
    assert "This is not a Google account of elm.sch.uk" in refused.content.decode()
    sign_in_with(client, provider, {**claims, "hd": "elm.sch.uk"}, service="elm-google")
    assert signed_in_as(client) == str(world.teacher.pk)


def test_a_school_account_sign_in_is_not_sent_to_set_up_two_factor(world, client, provider, settings):
    settings.TRELLIS_REQUIRE_2FA = True  # the school's Microsoft or Google account has its own second factor
    world.senco.email = "j.senco@oakfield.sch.uk"
    world.senco.save()
    sign_in_with(client, provider, staff_claims("j.senco@oakfield.sch.uk"))
    assert client.get(reverse("pupil", args=[world.in_class.pk])).status_code == 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "TRELLIS_OIDC_PROVIDERS is not valid JSON"),
        ('{"id": "x"}', "must be a JSON list"),
        ('[{"id": "x", "name": "X", "server_url": "https://a"}]', "entry 1 has no client_id, secret"),
        (
            '[{"id": "x", "name": "X", "server_url": "https://a", "client_id": "c", "secret": "s"}]',
            "needs a tenant \\(Microsoft\\) or a hosted_domain \\(Google\\)",
        ),
    ],
)
def test_a_bad_provider_list_says_what_is_wrong(text, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        oidc_apps(text)


def test_no_provider_list_means_password_sign_in_only():
    assert oidc_apps("") == []
