"""Two-factor sign-in (a code from an authenticator app, or a recovery code), required for whole-school
and trust roles when TRELLIS_REQUIRE_2FA is on; password reset by email that never says whether an
account exists; production says when email only goes to the console."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_serving import documented_env, run

from trellis.accounts import secret_box
from trellis.accounts.twofactor import must_have_two_factor
from trellis.audit.models import AuditEvent

from conftest import PASSWORD

SET_UP = "/accounts/2fa/totp/activate/"
ENTER_CODE = "/accounts/2fa/authenticate/"


def totp_code(secret: str, periods_from_now: int = 0) -> str:
    """What the person's authenticator app shows now (the suite's clock)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + periods_from_now))


def password_sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1")


def signed_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


@pytest.fixture
def required(settings):
    settings.TRELLIS_REQUIRE_2FA = True


def with_app(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


# Who must have it


@pytest.mark.parametrize(
    ("role", "must"),
    [
        ("senco", True),
        ("head", True),  # senior leader
        ("administrator", True),  # the office
        ("trustlead", True),
        ("superuser", True),
        ("teacher", False),
        ("ta", False),
        ("governor", False),
        ("specialist", False),
    ],
)
def test_whole_school_and_trust_roles_must_have_two_factor(world, required, role, must):
    assert must_have_two_factor(getattr(world, role)) is must


def test_nobody_must_have_it_when_the_setting_is_off(world, settings):
    settings.TRELLIS_REQUIRE_2FA = False
    assert not must_have_two_factor(world.senco)
    assert not must_have_two_factor(world.superuser)


def test_the_setting_is_on_unless_the_environment_turns_it_off(tmp_path):
    code = [
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.TRELLIS_REQUIRE_2FA)",
    ]
    assert run(code, TRELLIS_VAR_DIR=str(tmp_path)).stdout.strip() == "True"
    assert run(code, TRELLIS_VAR_DIR=str(tmp_path), TRELLIS_REQUIRE_2FA="0").stdout.strip() == "False"


# Setting it up


def test_a_senco_signing_in_with_a_password_sets_up_two_factor_before_seeing_pupils(
    world, client, required, django_capture_on_commit_callbacks
):
    assert password_sign_in(client, "senco").status_code == 302
    pupil_page = reverse("pupil", args=[world.in_class.pk])
    response = client.get(pupil_page)
    assert (response.status_code, response["Location"]) == (302, SET_UP)
    assert client.get(reverse("register", args=[world.school_a.urn]))["Location"] == SET_UP
    htmx = client.get(pupil_page, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == SET_UP

    # Changing how one signs in asks for the password again first (allauth's reauthentication).
    confirm = client.get(SET_UP)
    assert confirm["Location"] == f"/accounts/reauthenticate/?next={SET_UP.replace('/', '%2F')}"
    assert "Your role needs two-factor sign-in" in client.get(confirm["Location"]).content.decode()
    confirmed = client.post("/accounts/reauthenticate/", {"password": PASSWORD, "next": SET_UP})
    assert confirmed["Location"] == SET_UP
    page = client.get(SET_UP)
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # typed in by someone who cannot scan the QR code

    wrong = client.post(SET_UP, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert client.get(pupil_page).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):  # allauth signals the change once it is saved
        done = client.post(SET_UP, {"code": totp_code(secret)})
    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get(done["Location"])
    assert len(codes.context["unused_codes"]) == 10
    assert all(code in codes.content.decode() for code in codes.context["unused_codes"])
    assert client.get(pupil_page).status_code == 200
    event = AuditEvent.objects.get(record_type="two-factor sign-in", summary__contains="authenticator app")
    assert (event.actor, event.action) == (world.senco, "create")


def test_a_teacher_need_not_set_it_up(world, client, required):
    password_sign_in(client, "teacher")
    assert client.get(reverse("pupil", args=[world.in_class.pk])).status_code == 200


def test_with_the_setting_off_a_senco_signs_in_with_the_password_alone(world, client):
    password_sign_in(client, "senco")
    assert client.get(reverse("pupil", args=[world.in_class.pk])).status_code == 200


def test_once_satisfied_a_page_asks_no_query_about_two_factor(world, client, required):
    secret = with_app(world.senco)
    password_sign_in(client, "senco")
    client.post(ENTER_CODE, {"code": totp_code(secret)})
    client.get(reverse("account"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("account")).status_code == 200
    assert not [query for query in queries if "mfa_authenticator" in query["sql"]]


# Signing in with it


def test_a_password_alone_does_not_sign_in_someone_with_an_app(world, client):
    secret = with_app(world.teacher)
    response = password_sign_in(client, "teacher")
    assert response["Location"] == ENTER_CODE
    assert signed_in_as(client) is None
    assert client.get(reverse("pupil", args=[world.in_class.pk]))["Location"].startswith("/sign-in/")

    wrong = client.post(ENTER_CODE, {"code": totp_code(secret, periods_from_now=5)})  # outside the tolerance
    assert wrong.status_code == 200
    assert signed_in_as(client) is None

    assert client.post(ENTER_CODE, {"code": totp_code(secret)}).status_code == 302
    assert signed_in_as(client) == str(world.teacher.pk)


def test_five_wrong_codes_stop_even_the_right_one_for_five_minutes(world, client):
    secret = with_app(world.teacher)
    password_sign_in(client, "teacher")
    wrong = totp_code(secret, periods_from_now=5)
    for _ in range(5):
        assert "Incorrect code" in client.post(ENTER_CODE, {"code": wrong}).content.decode()
    refused = client.post(ENTER_CODE, {"code": totp_code(secret)})
    assert "Too many failed login attempts" in refused.content.decode()
    assert signed_in_as(client) is None


def test_four_wrong_codes_still_let_the_right_one_in(world, client):
    secret = with_app(world.teacher)
    password_sign_in(client, "teacher")
    for _ in range(4):
        client.post(ENTER_CODE, {"code": totp_code(secret, periods_from_now=5)})
    client.post(ENTER_CODE, {"code": totp_code(secret)})
    assert signed_in_as(client) == str(world.teacher.pk)


def test_a_code_from_one_period_ago_still_works(world, client):
    secret = with_app(world.teacher)
    password_sign_in(client, "teacher")
    client.post(ENTER_CODE, {"code": totp_code(secret, periods_from_now=-1)})
    assert signed_in_as(client) == str(world.teacher.pk)


def test_a_recovery_code_works_once(world, client):
    with_app(world.teacher)
    code = RecoveryCodes.activate(world.teacher).get_unused_codes()[0]
    password_sign_in(client, "teacher")
    client.post(ENTER_CODE, {"code": code})
    assert signed_in_as(client) == str(world.teacher.pk)
    client.logout()
    password_sign_in(client, "teacher")
    again = client.post(ENTER_CODE, {"code": code})
    assert again.status_code == 200
    assert signed_in_as(client) is None


def test_someone_who_must_have_it_cannot_turn_off_their_only_app(world, client, required):
    secret = with_app(world.senco)
    password_sign_in(client, "senco")
    client.post(ENTER_CODE, {"code": totp_code(secret)})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/deactivate/")
    assert page.status_code == 200
    client.post("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=world.senco, type="totp").exists()


def test_someone_who_need_not_have_it_can_turn_it_off(world, client):
    secret = with_app(world.teacher)
    password_sign_in(client, "teacher")
    client.post(ENTER_CODE, {"code": totp_code(secret)})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=world.teacher, type="totp").exists()
    assert AuditEvent.objects.filter(record_type="two-factor sign-in", action="delete", actor=world.teacher).exists()


def test_the_old_sign_in_address_still_works(world, client):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) == str(world.teacher.pk)


def test_nobody_can_sign_themselves_up(world, client, django_user_model):
    users = django_user_model.objects.count()
    client.post("/accounts/signup/", {"username": "newperson", "password1": "a-long-new-password-1"})
    assert django_user_model.objects.count() == users


# Password reset


def reset_link() -> str:
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)


def test_a_password_reset_email_lets_the_person_choose_a_new_password(world, client):
    world.teacher.email = "t.teacher@alder.sch.uk"
    world.teacher.save()
    response = client.post("/accounts/password/reset/", {"email": "T.Teacher@alder.sch.uk"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert [message.to for message in mail.outbox] == [["t.teacher@alder.sch.uk"]]
    form_page = client.get(reset_link(), follow=True)
    action = form_page.context["action_url"]
    short = client.post(action, {"password1": "short-one", "password2": "short-one"})
    assert "at least 12 characters" in short.content.decode()
    done = client.post(action, {"password1": "a-brand-new-password", "password2": "a-brand-new-password"})
    assert done.status_code == 302
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("a-brand-new-password")
    assert AuditEvent.objects.filter(record_type="password", actor=world.teacher, summary__contains="emailed").exists()
    # The link worked once.
    assert "This link no longer works" in client.get(reset_link(), follow=True).content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(world, client):
    world.teacher.email = "t.teacher@alder.sch.uk"
    world.teacher.save()
    known = client.post("/accounts/password/reset/", {"email": "t.teacher@alder.sch.uk"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@alder.sch.uk"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
    page = client.get(unknown["Location"]).content.decode()
    assert "If the address you entered belongs to a Trellis account" in page


def test_a_reset_with_no_address_says_what_to_enter(world, client):
    response = client.post("/accounts/password/reset/", {"email": ""})
    assert response.status_code == 200
    assert 'href="#id_email"' in response.content.decode()
    assert not mail.outbox


# Email in production


def test_production_says_at_start_up_when_email_only_goes_to_the_console(tmp_path):
    env = documented_env(tmp_path)
    assert "goes to the console" not in run(["manage.py", "check"], **env).stderr
    console = run(["manage.py", "check"], **{**env, "TRELLIS_EMAIL_BACKEND": ""})
    assert console.returncode == 0
    assert "TRELLIS_EMAIL_BACKEND is not set, so email (password resets, invitations) goes to the console" in (
        console.stderr
    )


# Secrets at rest


def test_the_authenticator_key_and_recovery_seed_are_not_stored_in_the_clear(world, client):
    """A copy of the database (a backup, a replica) is not enough to make someone's codes."""
    secret = with_app(world.senco)
    stored = Authenticator.objects.get(user=world.senco, type="totp").data["secret"]
    assert stored.startswith("aesgcm1:") and secret not in stored
    password_sign_in(client, "senco")
    assert client.post(ENTER_CODE, {"code": totp_code(secret)}).status_code == 302
    assert client.get(reverse("pupil", args=[world.in_class.pk])).status_code == 200
    codes = RecoveryCodes.activate(world.senco)
    assert codes.instance.data["seed"].startswith("aesgcm1:")
    assert len(codes.get_unused_codes()) == 10


def test_a_secret_sealed_under_a_rotated_key_opens_with_the_fallback_and_a_changed_one_not_at_all(settings):
    sealed = secret_box.seal("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert secret_box.open_sealed(sealed) == "JBSWY3DPEHPK3PXP"
    middle = len(sealed) // 2
    tampered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    with pytest.raises(ValueError, match="cannot be opened"):
        secret_box.open_sealed(tampered)
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ValueError, match="cannot be opened"):
        secret_box.open_sealed(sealed)


def test_a_secret_stored_before_sealing_still_works(world, client):
    secret = generate_totp_secret()
    Authenticator.objects.create(user=world.senco, type="totp", data={"secret": secret})
    password_sign_in(client, "senco")
    assert client.post(ENTER_CODE, {"code": totp_code(secret)}).status_code == 302


def test_the_migration_seals_secrets_stored_in_the_clear_and_leaves_sealed_ones(world, client):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("trellis.accounts.migrations.0009_seal_two_factor_secrets")
    secret = generate_totp_secret()
    clear = Authenticator.objects.create(user=world.senco, type="totp", data={"secret": secret})
    already = with_app(world.head)
    before = Authenticator.objects.get(user=world.head).data["secret"]
    migration.seal_existing(apps, None)
    clear.refresh_from_db()
    assert secret_box.is_sealed(clear.data["secret"]) and secret_box.open_sealed(clear.data["secret"]) == secret
    assert Authenticator.objects.get(user=world.head).data["secret"] == before
    assert secret_box.open_sealed(before) == already
    password_sign_in(client, "senco")
    assert client.post(ENTER_CODE, {"code": totp_code(secret)}).status_code == 302
