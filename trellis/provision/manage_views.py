"""Keeping the provision map: the catalogue, new groups, enrolling pupils, EHC hours. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from trellis.assessment.models import Scale
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.forms import saved_form
from trellis.pupils.access import get_pupil_for_user, get_school_for_user
from trellis.pupils.models import Pupil

from . import services
from .access import get_group_for_user, may_edit_group, may_manage_provision, visible_enrolments
from .eef import PUBLISHED_MONTHS
from .forms import EhcProvisionForm, EnrolForm, EnrolmentEditForm, GroupEditForm, GroupForm, InterventionForm
from .group_edits import ProvisionDateError, edit_enrolment, edit_group
from .models import Intervention, Measure
from .scales import ScaleError


def _managed_school(request: HttpRequest, urn: str):
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_manage_provision(request.user, school):
        raise Http404("No such page")
    return school


def _form_page(request, *, form, title: str, caption: str, back: str, extra: dict | None = None) -> HttpResponse:
    context = {"form": form, "title": title, "caption": caption, "back": back, **(extra or {})}
    return render(request, "provision/form.html", context)


def _editable_group(request: HttpRequest, group_id: int):
    group = get_group_for_user(request.user, group_id)
    if not may_edit_group(request.user, group):
        raise Http404("No such page")
    return group


def change_group(request: HttpRequest, group_id: int) -> HttpResponse:
    """The SENCO changes a group's staff, dates, schedule and funding (versioned: no lost edits)."""
    group = _editable_group(request, group_id)
    school = group.intervention.school
    form = GroupEditForm(request.POST or None, school=school, initial=GroupEditForm.initial_for(group))

    def save(*, version, **data):
        edit_group(group=group, by=request.user, version=version, **data)

    done = saved_form(
        request,
        form,
        save,
        errors=ProvisionDateError,
        done="Group saved",
        then=reverse("provision-group", args=[group.pk]),
    )
    if done is not None:
        return done
    back = reverse("provision-group", args=[group.pk])
    return _form_page(request, form=form, title=f"Change {group.intervention.name}", caption=str(group), back=back)


def change_enrolment(request: HttpRequest, group_id: int, enrolment_id: int) -> HttpResponse:
    """A pupil's place: joining and leaving dates, funding, entry, target and exit (versioned, audited)."""
    group = _editable_group(request, group_id)
    enrolment = get_object_or_404(
        visible_enrolments(request.user).select_related("pupil", "group__intervention"), group=group, pk=enrolment_id
    )
    measures = list(Measure.objects.filter(enrolment=enrolment).select_related("scale").order_by("scale__name"))
    initial = EnrolmentEditForm.initial_for(enrolment, measures)
    form = EnrolmentEditForm(request.POST or None, enrolment=enrolment, measures=measures, initial=initial)
    back = reverse("provision-group", args=[group.pk])

    def save(*, version, measures, starts_on, ends_on, funding, target_description, outcome_notes, **_):
        edit_enrolment(
            enrolment=enrolment,
            by=request.user,
            version=version,
            measures=measures,
            starts_on=starts_on,
            ends_on=ends_on,
            funding=funding,
            target_description=target_description,
            outcome_notes=outcome_notes,
        )

    done = saved_form(
        request,
        form,
        save,
        errors=(ProvisionDateError, ScaleError),
        done=f"{enrolment.pupil.full_name} saved",
        then=back,
    )
    if done is not None:
        return done
    if request.method != "POST":
        audit.record_view(actor=request.user, pupil=enrolment.pupil, what="provision place")
    title = f"{enrolment.pupil.full_name} in {group.intervention.name}"
    return _form_page(request, form=form, title=title, caption=str(group), back=back)


def catalogue(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=True)
    interventions = Intervention.objects.filter(school=school)
    for intervention in interventions:
        intervention.eef_months = PUBLISHED_MONTHS.get(intervention.eef_strand)
    return render(
        request,
        "provision/catalogue.html",
        {"school": school, "interventions": interventions, "can_manage": may_manage_provision(request.user, school)},
    )


def edit_intervention(request: HttpRequest, urn: str, intervention_id: int | None = None) -> HttpResponse:
    school = _managed_school(request, urn)
    instance = get_object_or_404(Intervention, school=school, pk=intervention_id) if intervention_id else None
    form = InterventionForm(request.POST or None, instance=instance, school=school)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.save_intervention(school=school, by=request.user, instance=instance, **fields)
        messages.success(request, f"{fields['name']} saved")
        return redirect("provision-catalogue", urn=school.urn)
    title = f"Change {instance.name}" if instance else "Add an intervention"
    back = f"/schools/{school.urn}/provision/catalogue/"
    return _form_page(request, form=form, title=title, caption=school.name, back=back)


def new_group(request: HttpRequest, urn: str) -> HttpResponse:
    school = _managed_school(request, urn)
    form = GroupForm(request.POST or None, school=school, initial={"intervention": request.GET.get("intervention")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = services.create_group(
            intervention=data["intervention"],
            by=request.user,
            staff=data["staff"],
            staff_label=data["staff_label"],
            group_size=data["group_size"],
            frequency=data["frequency"],
            schedule=data["schedule"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            funding=data["funding"],
        )
        messages.success(request, "Group started: now add its pupils")
        return redirect("provision-enrol", group_id=group.pk)
    return _form_page(
        request,
        form=form,
        title="Start an intervention group",
        caption=school.name,
        back=f"/schools/{school.urn}/provision/",
    )


def enrol(request: HttpRequest, group_id: int) -> HttpResponse:
    """Add a pupil with entry data and target on a scale (again with another scale for a second measure)."""
    group = get_group_for_user(request.user, group_id)
    school = group.intervention.school
    if not may_manage_provision(request.user, school):
        raise Http404("No such page")
    pupils = Pupil.objects.visible_to(request.user).filter(school=school).on_roll()
    form = EnrolForm(request.POST or None, pupils=pupils, scales_queryset=Scale.objects.for_school(school))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        measure = services.MeasureInput(data["scale"], data["entry"], data["target_steps"], data["target_value"])
        services.enrol(
            group=group,
            pupil=data["pupil"],
            by=request.user,
            measures=[measure],
            target_description=data["target_description"] or None,
        )
        messages.success(request, f"{data['pupil'].full_name} added to {group.intervention.name}")
        return redirect("provision-enrol", group_id=group.pk)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="pupils to enrol",
        school=school,
        summary=f"Chose pupils for {group}",
    )
    return _form_page(
        request,
        form=form,
        title=f"Add a pupil to {group.intervention.name}",
        caption=f"From {group.starts_on:%d/%m/%Y}",
        back=f"/provision/groups/{group.pk}/",
    )


def add_ehc_provision(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_manage_provision(request.user, pupil.school_id):
        raise Http404("No such page")
    form = EhcProvisionForm(request.POST or None, school=pupil.school)
    if request.method == "POST" and form.is_valid():
        services.add_ehc_provision(pupil=pupil, by=request.user, **form.cleaned_data)
        messages.success(request, "Provision from the EHC plan added")
        return redirect("pupil-provision", pupil_id=pupil.pk)
    audit.record_view(actor=request.user, pupil=pupil, what="provision history")
    return _form_page(
        request,
        form=form,
        title="Add provision the EHC plan specifies",
        caption=pupil.full_name,
        back=f"/pupils/{pupil.pk}/provision/",
    )
