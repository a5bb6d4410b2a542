"""Pupil voice mode: while a pupil holds the tablet, the session is locked to their voice page.

Starting the voice page for a pupil puts the pupil's id in the session. From then on every other
URL of this session answers with the page that asks the staff member for their password; only the
right password ends the mode. Wrong passwords count towards the same django-axes lockout as signing
in, so the lock cannot be guessed open. Signing out (or the idle time-out) also ends the session and
with it the mode: the tablet is then at the sign-in page, which needs a password too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .forms import LeaveVoiceForm

SESSION_KEY = "trellis_voice_pupil"
# 423 Locked: the page exists but this session may not open it now; htmx does not swap it in.
LOCKED_STATUS = 423


def locked_to(request: HttpRequest) -> int | None:
    """The pupil this session is locked to, or None."""
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None


def lock(request: HttpRequest, pupil) -> None:
    request.session[SESSION_KEY] = pupil.pk
    request.session.cycle_key()  # a new session id for the locked session


def unlock(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def leave_page(request: HttpRequest, *, form: LeaveVoiceForm | None = None, lockout=None, status: int = 200):
    """The page asking the staff member for their password (at any URL while locked)."""
    context = {"form": form or LeaveVoiceForm(), "pupil_id": locked_to(request), "lockout": lockout}
    return render(request, "evidence/voice_leave.html", context, status=status)


class PupilVoiceLockMiddleware:
    """While locked, only the pupil's voice page and the way out answer; everything else is the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pupil_id = locked_to(request)
        user = getattr(request, "user", None)
        if pupil_id is None or user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.path_info in (reverse("pupil-voice", args=[pupil_id]), reverse("pupil-voice-leave")):
            return self.get_response(request)
        return leave_page(request, status=LOCKED_STATUS)
