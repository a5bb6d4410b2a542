"""The pupil's voice page, used by staff with the pupil on a tablet, and the way out of it.

Starting the page locks the session to the pupil (trellis.evidence.voice_lock); the pupil rates
each current target and staff type what the pupil says; leaving needs the staff member's password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from trellis.audit import services as audit
from trellis.documents.plain import sentence
from trellis.idempotency.services import AlreadySaved
from trellis.plans.models import Target
from trellis.pupils.access import get_pupil_for_user

from . import services
from .access import may_record_voice
from .forms import LeaveVoiceForm, VoiceAnswersForm
from .voice_lock import leave_page, lock, locked_to, unlock


@require_http_methods(["GET", "POST"])
def voice_page(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Not locked: a page to start (a POST locks the session). Locked to this pupil: their targets."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_record_voice(request.user, pupil):
        raise Http404("No such page")
    if locked_to(request) != pupil.pk:
        if request.method == "POST":
            lock(request, pupil)
            return redirect("pupil-voice", pupil_id=pupil.pk)
        audit.record_view(actor=request.user, pupil=pupil, what="pupil voice")
        return render(request, "evidence/voice_start.html", {"pupil": pupil})
    targets = list(
        Target.objects.current().filter(pupil=pupil).order_by("plan__starts_on", "plan_id", "position", "pk")
    )
    form = VoiceAnswersForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_voice_answers(
                pupil=pupil,
                by=request.user,
                date=timezone.localdate(),
                answers=form.answers(),
                once=form.cleaned_data["once"],
            )
        except services.EvidenceError as error:
            form.add_error(None, str(error))
        except AlreadySaved:
            messages.info(request, "Your answers are already saved.")
            return redirect("pupil-voice", pupil_id=pupil.pk)
        else:
            messages.success(request, "Thank you! Your answers are saved.")
            return redirect("pupil-voice", pupil_id=pupil.pk)
    audit.record_view(actor=request.user, pupil=pupil, what="pupil voice")
    for target in targets:
        target.plain = sentence(target.description)
    context = {"pupil": pupil, "form": form, "rows": form.rows()}
    return render(request, "evidence/voice.html", context)


@require_http_methods(["GET", "POST"])
def leave_voice(request: HttpRequest) -> HttpResponse:
    """The staff member's password ends pupil voice mode; wrong ones count as failed sign-ins."""
    pupil_id = locked_to(request)
    if pupil_id is None:
        return redirect("home")
    form = LeaveVoiceForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return leave_page(request, form=form)
    user = authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"])
    if user is not None and user.pk == request.user.pk:
        unlock(request)
        messages.success(request, "The tablet is unlocked.")
        return redirect("pupil-evidence", pupil_id=pupil_id)
    if getattr(request, "axes_locked_out", False):
        # Say so on this page rather than axes's sign-in page: the session is still locked to the pupil.
        request.axes_locked_out = False
        until = timezone.localtime() + settings.AXES_COOLOFF_TIME
        form.add_error(
            "password",
            f"Too many wrong passwords: your account is paused until {until:%H:%M}. "
            "A school administrator can unlock it sooner at Account, Sign-in lockouts, on another device.",
        )
        return leave_page(request, form=form, lockout=until, status=429)
    form.add_error("password", "That is not your password. Try again.")
    return leave_page(request, form=form)
