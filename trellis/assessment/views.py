"""Scales (the SENCO adds the school's own) and the assessment grid for a class."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.access import get_school_for_user
from trellis.pupils.models import GroupMembership, Pupil
from trellis.schools.models import AssessmentPoint, TeachingGroup

from . import services
from .access import may_add_scale, may_record_assessments
from .forms import GridChoiceForm, GridDateForm, ScaleForm
from .models import Assessment, Scale
from .scales import ScaleError, parse_value


def scale_list(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=True)
    scales = Scale.objects.for_school(school).prefetch_related("steps", "bands").order_by("school_id", "name")
    return render(
        request,
        "assessment/scales.html",
        {"school": school, "scales": scales, "can_add": may_add_scale(request.user, school)},
    )


def new_scale(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_add_scale(request.user, school):
        raise Http404("No such page")
    form = ScaleForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scale = services.create_school_scale(
            school=school,
            by=request.user,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            higher_is_better=data["higher_is_better"],
            steps=data.get("steps"),
            min_value=data.get("min_value"),
            max_value=data.get("max_value"),
            step=data.get("step"),
            unit=data["unit"],
        )
        messages.success(request, f"The scale {scale.name} ({scale.code}) is ready to use.")
        return redirect("scales", urn=school.urn)
    return render(request, "assessment/scale_form.html", {"school": school, "form": form})


def assessment_grid(request: HttpRequest, urn: str) -> HttpResponse:
    """One row per pupil of a class: type values and tab on; the whole grid saves at once."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_record_assessments(request.user, school):
        raise Http404("No such page")
    year = school.current_academic_year()
    groups = TeachingGroup.objects.filter(academic_year=year)
    points = AssessmentPoint.objects.filter(academic_year=year)
    choice = GridChoiceForm(request.GET or None, school=school, groups=groups, points=points)
    context = {"school": school, "choice": choice}
    if not choice.is_valid():
        return render(request, "assessment/grid.html", context)
    group, point, scale, domain = (choice.cleaned_data[k] for k in ("group", "point", "scale", "domain"))
    subject = choice.cleaned_data["subject"]
    today = timezone.localdate()
    in_group = GroupMembership.objects.filter(group=group).exclude(ends_on__lt=today).values("pupil_id")
    pupils = list(Pupil.objects.visible_to(request.user).filter(school=school, pk__in=in_group).on_roll())
    existing = {
        a.pupil_id: a.value
        for a in Assessment.objects.filter(
            pupil__in=pupils, scale=scale, domain=domain, assessment_point=point, subject=subject
        ).order_by("recorded_at")
    }
    date_form = GridDateForm(request.POST or None, initial={"date": min(point.date, today)})
    errors: dict[int, str] = {}
    posted = {p.pk: request.POST.get(f"value-{p.pk}", "") for p in pupils} if request.method == "POST" else {}
    if request.method == "POST" and date_form.is_valid():
        values = {}
        for pupil in pupils:
            raw = posted[pupil.pk].strip()
            if raw and raw != existing.get(pupil.pk):
                try:
                    parse_value(scale, raw)
                except ScaleError as error:
                    errors[pupil.pk] = str(error)
                values[pupil] = raw
        if not errors:
            saved = services.record_assessments(
                scale=scale,
                domain=domain,
                date=date_form.cleaned_data["date"],
                values=values,
                by=request.user,
                assessment_point=point,
                subject=subject,
            )
            messages.success(request, f"{len(saved)} assessments saved.")
            return redirect(request.get_full_path())
    else:
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            record_type="assessment grid",
            school=school,
            summary=f"{group} · {point} · {scale.code} · {domain}",
        )
    rows = [(p, posted.get(p.pk, existing.get(p.pk, "")), existing.get(p.pk, ""), errors.get(p.pk, "")) for p in pupils]
    context |= {"rows": rows, "scale": scale, "point": point, "group": group, "date_form": date_form, "errors": errors}
    return render(request, "assessment/grid.html", context)
