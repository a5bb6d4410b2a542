"""Your account: password, API tokens; for administrators, sign-in lockouts to lift."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.audit.models import AuditEvent
from trellis.audit.services import record
from trellis.pupils.access import scope_for

from . import access, services
from .forms import TokenForm
from .lockout import current_lockouts
from .models import ApiToken


def account(request: HttpRequest) -> HttpResponse:
    context = {
        "manages_sign_in": access.can_manage_sign_in(request.user),
        "has_children": bool(scope_for(request.user).children),  # a parent (who may also be staff)
    }
    return render(request, "accounts/account.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        with transaction.atomic():  # the new password and its audit event together
            response = super().form_valid(form)
            record(
                actor=self.request.user,
                action=AuditEvent.Action.UPDATE,
                record_type="password",
                record_id=self.request.user.pk,
                summary="Changed their own password",
            )
        messages.success(self.request, "Your password has been changed.")
        return response


def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        token, key = services.issue_api_token(user=request.user, by=request.user, **form.cleaned_data)
        made = {"token": token, "key": key}  # shown on this page once, never put in a message or cookie
        form = TokenForm()
    context = {
        "form": form,
        "made": made,
        "tokens": ApiToken.objects.filter(user=request.user),
        "now": timezone.now(),
    }
    response = render(request, "accounts/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if not access.can_revoke_token(request.user, token):
        raise Http404
    services.revoke_api_token(token=token, by=request.user)
    messages.success(request, f"The token {token.name!r} no longer works.")
    return redirect("api-tokens")


def lockouts(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_sign_in(request.user):
        raise PermissionDenied
    found = current_lockouts()
    accounts = access.unlockable_usernames(request.user, [lock.value for lock in found if lock.kind == "account"])
    addresses = access.can_unlock_address(request.user)
    if request.method == "POST":
        kind, value = request.POST.get("kind"), request.POST.get("value", "")
        if kind == "account" and value in accounts:
            forgiven = services.unlock_sign_in(by=request.user, username=value)
        elif kind == "address" and addresses and any(lock.kind == kind and lock.value == value for lock in found):
            forgiven = services.unlock_sign_in(by=request.user, ip_address=value)
        else:
            messages.error(request, "That lockout has already ended or is not yours to lift: nothing was changed.")
            return redirect("sign-in-lockouts")
        messages.success(request, f"Unlocked {value} ({forgiven} failed sign-ins forgiven). They can sign in now.")
        return redirect("sign-in-lockouts")
    shown = [lock for lock in found if (lock.value in accounts if lock.kind == "account" else addresses)]
    return render(request, "accounts/lockouts.html", {"lockouts": shown})
