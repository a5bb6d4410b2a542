"""Older pupils' own sign-in: the SENCO's school setting and a pupil's account, and the pupil's own
read-only page (their passport and plan in plain words). Off until the SENCO switches it on."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from trellis.audit import services as audit
from trellis.documents import pupil_reports
from trellis.pupils.access import get_own_record_for_user, get_pupil_for_user, get_school_for_user

from . import access, services
from .forms import PupilSignInForm, PupilSignInSettingForm
from .models import PupilLogin


def own_page(request: HttpRequest) -> HttpResponse:
    """The pupil's own passport and targets, read only, for their own sign-in (404 for anyone else)."""
    pupil = get_own_record_for_user(request.user)
    audit.record_view(actor=request.user, pupil=pupil, what="pupil's own page")
    today = timezone.localdate()
    context = pupil_reports.passport(pupil, request.user, today) | {
        "pupil": pupil,
        "report": pupil_reports.parent_report(pupil, request.user, today),
    }
    return render(request, "families/own.html", context)


def school_setting(request: HttpRequest, urn: str) -> HttpResponse:
    """Switch older pupils' own sign-ins on or off, and the youngest year: the SENCO."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not access.may_manage_pupil_sign_in(request.user, school):
        raise Http404("No such page")
    initial = {"enabled": school.pupil_sign_in, "from_year": school.pupil_sign_in_from_year}
    form = PupilSignInSettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_pupil_sign_in(
            school=school,
            by=request.user,
            enabled=form.cleaned_data["enabled"],
            from_year=form.cleaned_data["from_year"],
        )
        messages.success(request, "Saved pupils' sign-in setting.")
        return redirect("school-pupil-sign-in", urn=school.urn)
    count = PupilLogin.objects.filter(pupil__school=school, ended_at__isnull=True).count()
    return render(request, "families/pupil_sign_in_setting.html", {"school": school, "form": form, "count": count})


def pupil_sign_in(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Make or end one pupil's own sign-in: the SENCO, where the school allows it for the pupil's year."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not access.may_give_sign_in(request.user, pupil):
        raise Http404("No such page")
    login = PupilLogin.objects.select_related("user").filter(pupil=pupil).first()
    active = login if login is not None and login.ended_at is None else None
    form = PupilSignInForm(request.POST if "make" in request.POST else None)
    if request.method == "POST" and "end" in request.POST and active is not None:
        services.end_pupil_sign_in(login=active, by=request.user)
        messages.success(request, f"{pupil.forename}'s sign-in no longer works.")
        return redirect("pupil-sign-in", pupil_id=pupil.pk)
    if request.method == "POST" and "make" in request.POST and form.is_valid():
        try:
            services.give_pupil_sign_in(pupil=pupil, by=request.user, **form.cleaned_data)
        except services.FamilyError as error:
            form.add_error("username", str(error))
        else:
            messages.success(request, f"{pupil.forename} can now sign in as {form.cleaned_data['username']}.")
            return redirect("pupil-sign-in", pupil_id=pupil.pk)
    audit.record_view(actor=request.user, pupil=pupil, what="pupil sign-in")
    return render(request, "families/pupil_sign_in.html", {"pupil": pupil, "login": active, "form": form})
