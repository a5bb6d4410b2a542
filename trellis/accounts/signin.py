"""Signing in with django-allauth: nobody signs themselves up, and a Microsoft or Google sign-in
is accepted only for an existing Trellis user whose verified email it carries, from the configured
tenant (Microsoft) or domain (Google), in an ID token whose signature has been checked."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.decorators import login_not_required
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # the school adds its staff and invites parents

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """No allauth limit on passwords: django-axes counts them (trellis/accounts/lockout.py). The
        "login_failed" limit then counts only wrong two-factor codes, which allauth checks itself."""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse, saying why, or attach the sign-in to the one Trellis user with that email."""
        app = sociallogin.provider.app
        claims = sociallogin.account.extra_data.get("id_token") or {}
        user = user_for_claims(request, claims, app.settings or {}, app.name)
        if sociallogin.is_existing and sociallogin.user.pk != user.pk:
            # The school's account now carries another person's email: the school must sort it out.
            refuse(
                request, app.name, "This account is linked to a different Trellis user. Ask your Trellis administrator."
            )
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)


def user_for_claims(request: HttpRequest, claims: dict, restrictions: dict, service: str) -> User:
    """The active user the ID token's claims name, or a refusal page (raised)."""
    if not claims:
        refuse(request, service, "The sign-in service did not send a signed ID token.")
    if (tenant := restrictions.get("tenant")) and claims.get("tid") != tenant:
        refuse(request, service, "This account belongs to another organisation's Microsoft tenant.")
    if (domain := restrictions.get("hosted_domain")) and claims.get("hd") != domain:
        refuse(request, service, f"This is not a Google account of {domain}.")
    email = (claims.get("email") or "").strip()
    if not email:
        refuse(request, service, "The sign-in service did not say which email address the account has.")
    # Google sends email_verified; Microsoft Entra ID sends xms_edov (the domain's owner verified it).
    if not (parse_bool_safely(claims.get("email_verified")) or parse_bool_safely(claims.get("xms_edov"))):
        refuse(request, service, f"The sign-in service has not verified the email address {email}.")
    users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if not users:
        refuse(
            request,
            service,
            f"There is no Trellis account for {email}. Ask your school's Trellis administrator to add you "
            "with this email address.",
        )
    if len(users) > 1:
        refuse(
            request, service, f"More than one Trellis account has the email {email}. Ask your Trellis administrator."
        )
    return users[0]


def refuse(request: HttpRequest, service: str, reason: str) -> None:
    response = render(request, "socialaccount/refused.html", {"service": service, "reason": reason}, status=403)
    raise ImmediateHttpResponse(response)


class VerifyingOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """allauth skips the ID token's signature when the token came straight from the token endpoint
    over TLS (allowed by OpenID Connect Core 3.1.3.7). Trellis checks it anyway: a misconfigured
    proxy or endpoint must not be enough to sign in as someone else. Who it is comes from the signed
    token alone, never the userinfo call (Microsoft's is Graph's, without the tenant or email_verified)."""

    def complete_login(self, request: HttpRequest, app: SocialApp, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The sign-in service sent no ID token")
        claims = self._decode_id_token(app, id_token)
        return self.get_provider().sociallogin_from_response(request, {"id_token": claims})

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's OpenID Connect callback with VerifyingOIDCAdapter (same address, routed first)."""
    try:
        return OAuth2CallbackView.adapter_view(VerifyingOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
