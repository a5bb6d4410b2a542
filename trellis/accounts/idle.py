"""Sign out after TRELLIS_SESSION_IDLE_MINUTES without a request, losing no work.

A form posted after the timeout is kept in the (new, signed-out) session, never with a
password and only if its CSRF token was valid. After the same person signs in again they go back to
the form, which shows their values with a message to check and save them: nothing is saved
until they press the button themselves.
"""

from __future__ import annotations

import contextvars
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

LAST_SEEN = "trellis_last_seen"
KEPT_FORM = "trellis_kept_form"
# Writing the session on every request would cost a database write per page: the time of the
# last request is only written when it is a minute old, so the timeout is exact to a minute.
TOUCH_EVERY_SECONDS = 60

_offered = contextvars.ContextVar("trellis_offered_form", default=None)


@receiver(user_logged_in)
def _signing_in_is_activity(sender, request: HttpRequest, user, **kwargs) -> None:
    # Written with the new session, so the first page after signing in does not write it again.
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


def _is_secret(name: str) -> bool:
    return "password" in name.lower() or name == "csrfmiddlewaretoken"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.trellis_idle_minutes = None
        user = getattr(request, "user", None)
        offered = None
        if user is not None and user.is_authenticated:
            now = int(time.time())
            minutes = settings.TRELLIS_SESSION_IDLE_MINUTES
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > minutes * 60:
                request.trellis_idle_minutes = minutes
                request.trellis_idle_user_id = user.pk
                logout(request)
            else:
                if last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
                    request.session[LAST_SEEN] = now
                offered = self._form_to_offer(request, user)
        token = _offered.set(offered)
        try:
            return self.get_response(request)
        finally:
            _offered.reset(token)

    def _form_to_offer(self, request: HttpRequest, user) -> QueryDict | None:
        kept = request.session.get(KEPT_FORM)
        if kept is None:
            return None
        if kept["user"] != user.pk:  # someone else signed in here: their form is not ours to see
            del request.session[KEPT_FORM]
            return None
        if request.method != "GET" or request.path != kept["path"]:
            return None
        del request.session[KEPT_FORM]
        messages.warning(
            request,
            f"You were signed out after {kept['minutes']} minutes without activity; "
            "your changes are below, check and save them.",
        )
        data = QueryDict(mutable=True)
        for name, values in kept["data"].items():
            data.setlist(name, values)
        return data

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        minutes = request.trellis_idle_minutes
        if minutes is None or request.path_info.startswith("/api/"):
            return None
        if not getattr(view_func, "login_required", True):  # the sign-in page itself, for one
            messages.info(request, f"You were signed out after {minutes} minutes without activity.")
            return None
        if request.resolver_match and request.resolver_match.url_name == "logout":
            return redirect(settings.LOGIN_URL)  # already done
        htmx = getattr(request, "htmx", None)
        if request.method == "POST":
            # An htmx form posts to a fragment's URL: go back to (and offer the values on) the page.
            page = urlsplit(htmx.current_url_abs_path or "").path if htmx else ""
            back_to = page or request.path
            # CsrfViewMiddleware, earlier in the list, has already refused a forged post; a view
            # that skips that check gets nothing kept.
            if not getattr(view_func, "csrf_exempt", False):
                request.session[KEPT_FORM] = {
                    "user": request.trellis_idle_user_id,
                    "path": back_to,
                    "minutes": minutes,
                    "data": {name: request.POST.getlist(name) for name in request.POST if not _is_secret(name)},
                }
            messages.info(
                request,
                f"You were signed out after {minutes} minutes without activity. Sign in again "
                "to go back to your changes: they have not been saved yet.",
            )
        else:
            messages.info(request, f"You were signed out after {minutes} minutes without activity.")
            back_to = request.get_full_path()
        response = redirect_to_login(back_to, settings.LOGIN_URL)
        if htmx:
            return HttpResponseClientRedirect(response.url)
        return response


class OfferedBoundField(BoundField):
    """An unbound form shows the values kept from a post that timed out, when they are its own."""

    def value(self):
        data = _offered.get()
        if data is not None and not self.form.is_bound and _posted_here(self.form, data):
            return self.field.prepare_value(self.field.widget.value_from_datadict(data, {}, self.html_name))
        return super().value()


def _posted_here(form, data: QueryDict) -> bool:
    """The kept values belong to this form if they name one of its visible fields (a date's
    parts are posted as name_0, name_1, name_2)."""
    names = {form.add_prefix(name) for name, field in form.fields.items() if not field.widget.is_hidden}
    return any(key in names or key.rpartition("_")[0] in names for key in data)


class FormRenderer(TemplatesSetting):
    bound_field_class = OfferedBoundField
