"""Audit of changes to how someone signs in, made inside django-allauth's own flows: its signals are
the only place Trellis sees them (Trellis's own changes are audited in its services)."""

from __future__ import annotations

from allauth.account.signals import password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from allauth.socialaccount.signals import social_account_added, social_account_removed
from django.dispatch import receiver

from trellis.audit.models import AuditEvent
from trellis.audit.services import record

KINDS = {"totp": "an authenticator app", "recovery_codes": "recovery codes", "webauthn": "a passkey"}


def _kind(authenticator) -> str:
    return KINDS.get(authenticator.type, authenticator.type)


@receiver(password_reset)
def _password_reset(sender, request, user, **kwargs) -> None:
    record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        record_type="password",
        record_id=user.pk,
        summary="Reset their password from an emailed link",
    )


@receiver(authenticator_added)
def _two_factor_added(sender, request, user, authenticator, **kwargs) -> None:
    record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        record_type="two-factor sign-in",
        record_id=user.pk,
        summary=f"Set up {_kind(authenticator)} for two-factor sign-in",
    )


@receiver(authenticator_removed)
def _two_factor_removed(sender, request, user, authenticator, **kwargs) -> None:
    record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        record_type="two-factor sign-in",
        record_id=user.pk,
        summary=f"Removed {_kind(authenticator)} from two-factor sign-in",
    )


@receiver(authenticator_reset)
def _two_factor_reset(sender, request, user, authenticator, **kwargs) -> None:
    record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        record_type="two-factor sign-in",
        record_id=user.pk,
        summary=f"Made new {_kind(authenticator)}",
    )


@receiver(social_account_added)
def _school_account_linked(sender, request, sociallogin, **kwargs) -> None:
    record(
        actor=sociallogin.user,
        action=AuditEvent.Action.CREATE,
        record_type="school account sign-in",
        record_id=sociallogin.user.pk,
        summary=f"First signed in with {sociallogin.provider.name} ({sociallogin.account.uid})",
    )


@receiver(social_account_removed)
def _school_account_unlinked(sender, request, socialaccount, **kwargs) -> None:
    record(
        actor=socialaccount.user,
        action=AuditEvent.Action.DELETE,
        record_type="school account sign-in",
        record_id=socialaccount.user.pk,
        summary=f"Unlinked their {socialaccount.get_provider(request).name} sign-in",
    )
