"""Boxall Profile pages: a pupil's profiles and chart (audited read), recording one, and the
school's competent ranges (the SENCO enters them)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from trellis.audit import services as audit
from trellis.lib.forms import saved_form
from trellis.pupils.access import get_pupil_for_user, get_school_for_user

from . import services
from .access import may_record_boxall, may_set_competent_ranges
from .boxall import CLUSTERS, boxall_chart, competent_ranges, profiles_for, review_due
from .forms import BoxallForm, CompetentRangesForm


def pupil_boxall(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Every Boxall Profile of one pupil against the school's competent ranges, newest first."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what="Boxall Profile")
    ranges = competent_ranges(pupil.school)
    profiles = profiles_for(pupil, ranges)
    years = list(pupil.school.academic_years.prefetch_related("half_terms"))
    return render(
        request,
        "assessment/boxall.html",
        {
            "pupil": pupil,
            "profiles": profiles,
            "clusters": [(c, ranges.get(c)) for c in CLUSTERS],
            "chart": boxall_chart(profiles),
            "due": review_due(profiles, timezone.localdate(), years),
            "can_record": may_record_boxall(request.user, pupil),
            "can_set_ranges": may_set_competent_ranges(request.user, pupil.school),
        },
    )


def new_boxall(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_record_boxall(request.user, pupil):
        raise Http404("No such page")
    form = BoxallForm(request.POST or None, initial={"date": timezone.localdate()})

    def save(**data) -> None:
        services.record_boxall_profile(pupil=pupil, by=request.user, date=data["date"], scores=form.scores())

    done = saved_form(
        request,
        form,
        save,
        errors=services.BoxallError,
        done="Boxall Profile saved.",
        then=reverse("pupil-boxall", args=[pupil.pk]),
    )
    if done:
        return done
    audit.record_view(actor=request.user, pupil=pupil, what="Boxall Profile")  # the form names the pupil
    return render(request, "assessment/boxall_form.html", {"pupil": pupil, "form": form})


def school_competent_ranges(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_set_competent_ranges(request.user, school):
        raise Http404("No such page")
    initial = {}
    for cluster, found in competent_ranges(school).items():
        initial |= {f"{cluster.value}-low": found.low, f"{cluster.value}-high": found.high}
    form = CompetentRangesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_competent_ranges(school=school, by=request.user, ranges=form.ranges())
        except services.BoxallError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Competent ranges saved.")
            return redirect("competent-ranges", urn=school.urn)
    rows = [(c, form[f"{c.value}-low"], form[f"{c.value}-high"]) for c in CLUSTERS]
    return render(request, "assessment/competent_ranges.html", {"school": school, "form": form, "rows": rows})
