"""Provision pages: the map (class, year group, school) in the nasen layout, a group with its
sessions and review, the school-wide evaluation, a pupil's provision history and the import."""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.disclosure import NOTE, suppressed_for
from trellis.lib.query import IdField, NcYearField, TermField, audited_query, query_value
from trellis.lib.tables import xlsx_response
from trellis.pupils.access import get_pupil_for_user, get_school_for_user
from trellis.pupils.models import GroupMembership, nc_year_label
from trellis.schools.models import TeachingGroup
from trellis.todo.items import end_of_week

from . import evaluation as ev
from . import importer, plan_filter, reports, services
from .access import (
    get_group_for_user,
    may_edit_group,
    may_edit_qft,
    may_manage_provision,
    may_record_for_group,
    visible_enrolments,
    visible_groups,
)
from .eef import PUBLISHED_MONTHS
from .eef import SOURCE as EEF_SOURCE
from .forms import ReviewForm, SessionForm, StrategyForm, UploadForm
from .models import EhcProvision, Enrolment, Measure

ENDING = forms.ChoiceField(choices=[("", "any"), ("week", "this week")], required=False)
MAP_HEADINGS = [
    "Intervention",
    "Area of need",
    "Group size",
    "Frequency/duration",
    "Staff",
    "Pupil",
    "Name",
    "Scale",
    "Entry",
    "Target",
    "Target description",
    "Exit",
    "Outcomes",
    "Start date",
    "End date",
    "Steps gained",
    "Target met",
    "Sessions attended",
    "Group",  # the group's number: a re-imported download adds to the same groups
]


def _audit_reads(user, enrolments, what: str) -> None:
    for pupil in {e.pupil_id: e.pupil for e in enrolments}.values():
        audit.record_view(actor=user, pupil=pupil, what=what)


def provision_map(request: HttpRequest, urn: str) -> HttpResponse:
    """The map for the whole school, a class (?class=) or a year group (?year=), optionally a term."""
    school = get_school_for_user(request.user, urn, pupils=True)
    classes = TeachingGroup.objects.filter(school=school, academic_year__in=school.academic_years.all())
    chosen_class = year = None
    enrolments = visible_enrolments(request.user).filter(group__intervention__school=school)
    if class_id := query_value(request, "class", IdField()):
        chosen_class = get_object_or_404(classes, pk=class_id)
        members = GroupMembership.objects.filter(group=chosen_class).values("pupil_id")
        enrolments = enrolments.filter(pupil__in=members)
    elif request.GET.get("year", "") != "":
        year = query_value(request, "year", NcYearField())
        enrolments = enrolments.filter(pupil__nc_year=year)
    term = query_value(request, "term", TermField()) or None
    try:
        groups = reports.groups_in_term(school, term).filter(pk__in=visible_groups(request.user, school).values("pk"))
    except ValueError as error:
        messages.error(request, str(error))
        groups, term = visible_groups(request.user, school), None
    ending_by = None
    if query_value(request, "ending", ENDING) == "week":  # the home page's to-do count links here
        today = timezone.localdate()
        ending_by = end_of_week(today)
        groups = groups.filter(ends_on__range=(today, ending_by))
    evaluations = [item for item in reports.evaluate_groups(groups, enrolments) if item.rows or item.enrolments]
    _audit_reads(request.user, [e for item in evaluations for e in item.enrolments], "provision map")
    if request.GET.get("download") == "xlsx":
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            record_type="provision map",
            school=school,
            summary=f"XLSX of {len(evaluations)} groups",
            changes={"filters": [None, audited_query(request)]},
        )
        return xlsx_response(f"provision-map-{school.urn}", MAP_HEADINGS, _map_rows(evaluations), title="Provision map")
    context = {
        "school": school,
        "evaluations": evaluations,
        "classes": classes.order_by("nc_year", "name"),
        "years": sorted({c.nc_year for c in classes if c.nc_year is not None}),
        "chosen_class": chosen_class,
        "year": year,
        "year_label": nc_year_label(year) if year is not None else "",
        "term": term or "",
        "ending_by": ending_by,
        "query": request.GET.urlencode(),
        "can_manage": may_manage_provision(request.user, school),
    }
    if chosen_class is not None:
        context["strategies"] = chosen_class.qft_strategies.all()
        context["can_edit_qft"] = may_edit_qft(request.user, chosen_class)
        context["strategy_form"] = StrategyForm()
    return render(request, "provision/map.html", context)


def _map_rows(evaluations):
    for item in evaluations:
        group = item.group
        enrolments = {e.pk: e for e in item.enrolments}
        for row in item.rows:
            enrolment = enrolments[row.enrolment_id]
            yield [
                group.intervention.name,
                group.intervention.area_of_need,
                group.group_size,
                group.frequency,
                group.staff_name,
                row.upn,
                row.name,
                row.scale_code,
                row.entry,
                row.target,
                enrolment.target_description,
                row.exit,
                enrolment.outcome_notes,
                group.starts_on,
                group.ends_on,
                None if row.steps is None else float(row.steps),
                row.met,
                row.attendance.text if row.attendance.held else None,
                group.pk,
            ]


@require_POST
def add_strategy(request: HttpRequest, urn: str, class_id: int) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=True)
    teaching_group = get_object_or_404(TeachingGroup, school=school, pk=class_id)
    if not may_edit_qft(request.user, teaching_group):
        raise Http404("No such page")
    form = StrategyForm(request.POST)
    if form.is_valid():
        services.add_qft_strategy(teaching_group=teaching_group, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, "Strategy added")
    else:
        messages.error(request, "Enter the strategy")
    return redirect(f"{reverse('provision-map', args=[school.urn])}?class={teaching_group.pk}")


def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """One group: its evaluation, sessions, and (for its deliverer and the SENCO) forms to log and review."""
    group = get_group_for_user(request.user, group_id)
    [item] = reports.evaluate_groups(type(group).objects.filter(pk=group.pk), visible_enrolments(request.user))
    _audit_reads(request.user, item.enrolments, "intervention group")
    can_record = may_record_for_group(request.user, group)
    session_form = SessionForm(enrolments=item.enrolments, group=group, prefix="session")
    review_form = ReviewForm(
        initial={"rating": group.rating, "decision": group.decision, "notes": group.review_notes}, prefix="review"
    )
    if request.method == "POST" and can_record:
        if "session-date_0" in request.POST:
            session_form = SessionForm(request.POST, enrolments=item.enrolments, group=group, prefix="session")
            if session_form.is_valid():
                data = session_form.cleaned_data
                services.log_session(
                    group=group,
                    date=data["date"],
                    present=[int(p) for p in data["present"]],
                    notes=data["notes"],
                    by=request.user,
                )
                messages.success(request, f"Session on {data['date']:%d/%m/%Y} recorded")
                return redirect("provision-group", group_id=group.pk)
        elif "review-rating" in request.POST or "review-decision" in request.POST:
            review_form = ReviewForm(request.POST, prefix="review")
            if review_form.is_valid():
                data = review_form.cleaned_data
                services.review_group(
                    group=group, by=request.user, rating=data["rating"], decision=data["decision"], notes=data["notes"]
                )
                messages.success(request, "Review saved")
                return redirect("provision-group", group_id=group.pk)
        else:
            return _save_exits(request, group, item)
    return render(
        request,
        "provision/group.html",
        {
            "group": group,
            "item": item,
            "can_record": can_record,
            "session_form": session_form,
            "review_form": review_form,
            "sessions": group.sessions.all()[:50],
            "eef_months": PUBLISHED_MONTHS.get(group.intervention.eef_strand),
            "can_manage": may_manage_provision(request.user, group.intervention.school_id),
            "can_edit": may_edit_group(request.user, group),
        },
    )


def _save_exits(request: HttpRequest, group, item) -> HttpResponse:
    """Exit data typed into the group's table: each value checked against its scale; errors say what is allowed."""
    measures = Measure.objects.filter(enrolment__in=item.enrolments).select_related("enrolment__pupil")
    lookup = reports.scales.scales_by_id(group.intervention.school_id)
    errors = []
    for measure in measures:
        value = request.POST.get(f"exit-{measure.pk}", measure.exit).strip()
        if value == measure.exit:
            continue
        measure.scale = lookup[measure.scale_id]
        try:
            services.record_exit(measure=measure, exit=value, by=request.user)
        except reports.scales.ScaleError as error:
            errors.append(f"{measure.enrolment.pupil.full_name}: {error}")
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, "Exit data saved")
    return redirect("provision-group", group_id=group.pk)


def school_evaluation(request: HttpRequest, urn: str) -> HttpResponse:
    """Each intervention across all its groups, by primary need: n shown, small n warned, EEF beside.

    Aggregates only, so governors may open it; for them figures are withheld by the disclosure rule."""
    school = get_school_for_user(request.user, urn, pupils=False)
    hide_small = suppressed_for(request.user, [school])
    term = query_value(request, "term", TermField()) or None
    if term and hide_small:
        # One term's figures beside the whole year's would give the other terms' away by subtraction.
        messages.error(request, "Figures for one term are not available with numbers withheld: showing every term")
        term = None
    try:
        groups = reports.groups_in_term(school, term)
    except ValueError as error:
        messages.error(request, str(error))
        groups = reports.groups_in_term(school, None)
    evaluations = reports.evaluate_groups(groups)
    used = sorted({(row.scale_code, row.scale_name) for item in evaluations for row in item.rows}, key=lambda s: s[1])
    scale = request.GET.get("scale", "").strip()
    if scale and hide_small:
        # Issue 16 and "Need to know": one scale's figures beside every scale's are a subtraction.
        messages.error(request, "Figures for one scale are not available with numbers withheld: showing every scale")
        scale = ""
    elif scale and scale not in {code for code, _ in used}:
        messages.error(request, f"No measure here is on a scale with the code ‘{scale}’: showing every scale")
        scale = ""
    if scale:
        for item in evaluations:
            item.rows = [row for row in item.rows if row.scale_code == scale]
        evaluations = [item for item in evaluations if item.rows]  # interventions measured on other scales
    plan = _plan_kind(request, hide_small)
    if plan:
        kept = plan_filter.pupils_with_plan({row.pupil_id for item in evaluations for row in item.rows}, plan)
        for item in evaluations:
            item.rows = [row for row in item.rows if row.pupil_id in kept]
        evaluations = [item for item in evaluations if item.rows]
    breakdown = reports.school_breakdown(evaluations)
    context = {
        "school": school,
        "scales": [] if hide_small else used,
        "scale": scale,
        "plan_kinds": [] if hide_small else plan_filter.CHOICES,
        "plan": plan,
        "breakdown": ev.shown(breakdown, suppressed=hide_small),
        "hide_small": hide_small,
        "term": term or "",
        "small_n_below": ev.SMALL_N_BELOW,
        "withheld_note": NOTE,
        "eef_source": EEF_SOURCE,
    }
    return render(request, "provision/evaluation.html", context)


def _plan_kind(request: HttpRequest, hide_small: bool) -> str:
    """The plan-type filter, as on the dashboards; refused (with a message) when numbers are withheld."""
    plan = request.GET.get("plan", "").strip()
    if plan and hide_small:
        messages.error(request, "Figures for one kind of plan are not available with numbers withheld: showing all")
        return ""
    if plan and plan not in plan_filter.ALLOWED:
        messages.error(request, f"There is no kind of plan called ‘{plan}’: showing pupils with any plan or none")
        return ""
    return plan


def pupil_provision(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Everything ever provided for a pupil: dates, cost share, result, their own earlier rate, EHC hours."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what="provision history")
    enrolments = Enrolment.objects.filter(pupil=pupil)
    history = reports.pupil_enrolment_rows(pupil, enrolments)
    counterfactuals = reports.counterfactuals(pupil)
    for _, rows, _ in history:
        for row in rows:
            row.counterfactual = counterfactuals.get(row.measure_id)
    context = {
        "pupil": pupil,
        "history": history,
        "not_for_pupil": reports.not_for_this_pupil(pupil),
        "ehc_hours": services.ehc_hours(pupil) if EhcProvision.objects.filter(pupil=pupil).exists() else [],
        "can_manage": may_manage_provision(request.user, pupil.school_id),
    }
    return render(request, "provision/pupil.html", context)


def import_map(request: HttpRequest, urn: str) -> HttpResponse:
    """Upload, check (every problem listed, nothing written), then confirm to import."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_manage_provision(request.user, school):
        raise Http404("No such page")
    form, parsed, stashed = UploadForm(), None, request.session.get("provision_import")
    if request.method == "POST" and "confirm" in request.POST and stashed and stashed["urn"] == school.urn:
        parsed = _parse(school, stashed["name"], base64.b64decode(stashed["data"]))
        if not parsed.problems:
            done = importer.apply(school=school, parsed=parsed, by=request.user)
            del request.session["provision_import"]
            messages.success(
                request, f"Imported {done.enrolments} enrolments ({done.measures} measures) in {parsed.groups} groups"
            )
            return redirect("provision-map", urn=school.urn)
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            parsed = _parse(school, upload.name, data)
            if not parsed.problems:
                request.session["provision_import"] = {
                    "urn": school.urn,
                    "name": upload.name,
                    "data": base64.b64encode(data).decode(),
                }
    return render(request, "provision/import.html", {"school": school, "form": form, "parsed": parsed})


def _parse(school, name: str, data: bytes) -> importer.Parsed:
    try:
        table = importer.read_table(name, data)
    except ValueError as error:
        return importer.Parsed(problems=[importer.Problem(name, 0, "", str(error), "a .csv or .xlsx file")])
    return importer.parse(table, filename=name, lookup=importer.SchoolLookup(school))
