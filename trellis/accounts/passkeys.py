"""Passkeys (WebAuthn) as a second factor: allauth.mfa's own views, with two things added.

The second step of signing in says which factors the person has, so that someone with only a
passkey is not told to open an authenticator app. Removing a passkey keeps the last second factor of
someone who must have one: allauth's authenticator-app form asks the adapter, its passkey view does not.
"""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.views import AuthenticateView
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import RemoveWebAuthnView
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

KEEP_ONE = (
    "You cannot remove your only passkey: your role needs two-factor sign-in. "
    "Add another passkey or an authenticator app first."
)


class SecondStepView(AuthenticateView):
    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        kinds = set(Authenticator.objects.filter(user=self.stage.login.user).values_list("type", flat=True))
        context["has_passkey"] = Authenticator.Type.WEBAUTHN in kinds
        context["has_app"] = Authenticator.Type.TOTP in kinds
        return context


class RemovePasskeyView(RemoveWebAuthnView):
    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["can_remove"] = get_adapter().can_delete_authenticator(self.object)
        return context

    def form_valid(self, form) -> HttpResponse:
        if not get_adapter().can_delete_authenticator(self.get_object()):
            messages.error(self.request, KEEP_ONE)
            return redirect("mfa_list_webauthn")
        return super().form_valid(form)


second_step = SecondStepView.as_view()
remove_passkey = RemovePasskeyView.as_view()
