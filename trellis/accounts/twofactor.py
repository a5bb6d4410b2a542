"""Two-factor sign-in: who must have it (TRELLIS_REQUIRE_2FA), and keeping them from pupil data until
they have set it up. Everyone else may set it up from their account page.

A Microsoft or Google sign-in is not asked for it here: the school's own account service applies its
own second factor. The answer is kept in the session once it is yes, so a page asks no query for it.
"""

from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from trellis.pupils.access import WHOLE_SCHOOL_ROLES, scope_for

from . import secret_box
from .models import Role, User

# Roles that see a whole school or trust. A trust leader is one through TrustMembership.
REQUIRED_ROLES = WHOLE_SCHOOL_ROLES | {Role.ADMINISTRATOR}
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
SATISFIED = "trellis_2fa_ok"
# Reachable while setting it up: the set-up pages, signing out, and what the pages themselves load.
OPEN_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/sign-out/",
    "/accounts/logout/",
    "/static/",
    "/health/",
    "/api/",
)


def must_have_two_factor(user: User) -> bool:
    """Whole-school and trust roles, and superusers, when TRELLIS_REQUIRE_2FA is on."""
    if not settings.TRELLIS_REQUIRE_2FA or not user.is_authenticated:
        return False
    scope = scope_for(user)
    return user.is_superuser or bool(scope.trust_ids) or bool(scope.schools_with(REQUIRED_ROLES))


def has_two_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def signed_in_with_school_account(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "socialaccount" for record in records)


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if (
            settings.TRELLIS_REQUIRE_2FA  # off: nothing to check, and no session to write on every first page
            and user is not None
            and user.is_authenticated
            and not request.session.get(SATISFIED)
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if must_have_two_factor(user) and not signed_in_with_school_account(request) and not has_two_factor(user):
                messages.info(
                    request,
                    "Your role needs two-factor sign-in. Set up an authenticator app or a passkey to carry on: "
                    "you will be asked for it each time you sign in with your password.",
                )
                target = reverse("mfa_activate_totp")
                return HttpResponseClientRedirect(target) if getattr(request, "htmx", False) else redirect(target)
            request.session[SATISFIED] = True
        return self.get_response(request)


class MFAAdapter(DefaultMFAAdapter):
    def generate_authenticator_name(self, user: User, type: Authenticator.Type) -> str:
        """The name a new passkey gets unless the person gives one: "Passkey", then "Passkey 2"..."""
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return "Passkey" if count == 0 else f"Passkey {count + 1}"

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone who must have two-factor sign-in cannot remove their last second factor."""
        user = authenticator.user
        if authenticator.type not in SECOND_FACTORS or not must_have_two_factor(user):
            return True
        return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(pk=authenticator.pk).exists()

    def encrypt(self, text: str) -> str:
        return secret_box.seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_box.open_sealed(encrypted_text)
