"""Pages for schools, the SEN register and the pupil profile. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.accounts.models import Membership, Role
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.dashboards.comparison import overview_withheld, school_profiles
from trellis.dashboards.overview import school_figures
from trellis.lib.disclosure import NOTE, Figure, suppressed_for
from trellis.lib.query import audited_query
from trellis.lib.tables import csv_response, xlsx_response
from trellis.schools.models import GroupStaff, TeachingGroup
from trellis.todo.items import todo_for, todo_school_ids

from . import services
from .access import (
    get_pupil_for_user,
    get_school_for_user,
    may_grant_office_access,
    may_manage_sen_record,
    may_see_audit,
    only_specialist,
    schools_for_aggregates,
    schools_with_pupil_access,
    scope_for,
    sees_sen_record,
)
from .forms import ConfidentialForm, EhcPlanForm, NeedsForm, SenStatusForm, ShareForm
from .models import ExternalShare, GroupMembership, NeedType, Pupil, PupilNeed, SenStatus
from .register import DOWNLOAD_HEADINGS, RegisterFilterForm, download_rows, status_counts, with_register_columns

REGISTER_PAGE_SIZE = 100


def home(request: HttpRequest) -> HttpResponse:
    """The schools this person works with; straight to the school when there is only one."""
    if only_specialist(request.user):  # one list of their pupils, whatever the school or trust
        return redirect("specialist-home")
    schools = list(
        (schools_for_aggregates(request.user) | schools_with_pupil_access(request.user))
        .distinct()
        .select_related("trust", "region")
        .order_by("trust__name", "region__name", "name")
    )
    # A specialist (or anyone without the aggregate pages) starts at the register, which lists
    # only the pupils they may see: never at a page that would answer 404.
    if not schools and scope_for(request.user).children:  # a parent or carer
        return redirect("family-home")
    if not schools and hasattr(request.user, "pupil_login"):  # a pupil with their own sign-in
        return redirect("pupil-own")
    with_aggregates = set(schools_for_aggregates(request.user).values_list("pk", flat=True))
    for school in schools:
        school.start_page = "school" if school.pk in with_aggregates else "register"
    today = timezone.localdate()
    # A SENCO, teacher or TA starts at their to-do list (trellis.todo), whatever the number of schools.
    todo_ids = todo_school_ids(request.user)
    todo = todo_for(request.user, today, [school for school in schools if school.pk in todo_ids])
    if len(schools) == 1 and not todo:
        return redirect(schools[0].start_page, urn=schools[0].urn)
    figures = school_figures(request.user, schools, today=today)
    for school in schools:
        school.figures = figures.get(school.pk)
    return render(request, "schools/home.html", {"schools": schools, "with_figures": bool(figures), "todo": todo})


def school_overview(request: HttpRequest, urn: str) -> HttpResponse:
    """Aggregates only (no names), so governors can use it; small numbers suppressed for them."""
    school = get_school_for_user(request.user, urn, pupils=False)
    on_roll = Pupil.objects.filter(school=school).on_roll()
    total = on_roll.count()
    by_status = status_counts(on_roll)
    by_area = dict(
        PupilNeed.objects.filter(pupil__in=on_roll, rank=1, ends_on__isnull=True)
        .values_list("need__broad_area")
        .annotate(n=Count("pk"))
    )
    by_need = dict(
        PupilNeed.objects.filter(pupil__in=on_roll, rank=1, ends_on__isnull=True)
        .values_list("need_id")
        .annotate(n=Count("pk"))
    )
    hide_small = suppressed_for(request.user, [school])
    needs = list(NeedType.objects.all())
    hidden: set = set()
    if hide_small:  # protected with the identification page's figures, which these add up to
        [profile] = school_profiles(type(school).objects.filter(pk=school.pk))
        counts = dict(on_roll.order_by().values_list("sen_status").annotate(n=Count("pk")))
        area_of = {need.code: need.broad_area for need in needs}
        hidden = overview_withheld(profile, counts, by_area, by_need, area_of)

    def shown(cell: str, n: int) -> Figure:
        return Figure(n, total, ("ov", school.pk, cell) in hidden, ("ov", school.pk, "total") in hidden)

    codes = dict(SenStatus.choices)
    status_rows = [(label, shown(f"status:{code}", by_status[label])) for code, label in codes.items()]
    need_rows = [(need, shown(f"need:{need.code}", by_need[need.code])) for need in needs if by_need.get(need.code)]
    area_rows = [(area, shown(f"area:{area}", n)) for area, n in sorted(by_area.items())]
    return render(
        request,
        "schools/overview.html",
        {
            "school": school,
            "total": total,
            "status_rows": status_rows,
            "need_rows": need_rows,
            "area_rows": area_rows,
            "suppressed": hide_small,
            "withheld_note": NOTE,
            "total_shown": shown("total", total),
            "can_open_register": schools_with_pupil_access(request.user).filter(pk=school.pk).exists(),
            "can_grant_office_access": may_grant_office_access(request.user, school),
        },
    )


def register(request: HttpRequest, urn: str, download: str | None = None) -> HttpResponse:
    """The SEN register of one school, limited to the pupils this person may see."""
    school = get_school_for_user(request.user, urn, pupils=True)
    year = school.current_academic_year()
    groups = TeachingGroup.objects.filter(academic_year=year, kind=TeachingGroup.Kind.REGISTRATION)
    form = RegisterFilterForm(request.GET or None, school=school, groups=groups)
    pupils = form.apply(Pupil.objects.visible_to(request.user, register=True).filter(school=school).on_roll())
    pupils = pupils.by_shown_name()
    filters = audited_query(request)
    if download:
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            record_type="register",
            school=school,
            summary=f"Downloaded the register as {download.upper()}",
            changes={"filters": [None, filters]},
        )
        name = f"sen-register-{school.urn}-{timezone.localdate():%Y-%m-%d}"
        make = csv_response if download == "csv" else xlsx_response
        return make(name, DOWNLOAD_HEADINGS, download_rows(pupils))
    counts = status_counts(pupils)
    page = Paginator(with_register_columns(pupils), REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="register",
        school=school,
        summary=f"Viewed the register ({page.paginator.count} pupils)",
        changes={"filters": [None, filters]},
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "school": school,
        "form": form,
        "page": page,
        "counts": counts,
        "total": page.paginator.count,
        "query": query.urlencode(),
    }
    template = "pupils/register.html#results" if request.htmx else "pupils/register.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def pupil_profile(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """The one place for a pupil's SEN record. Every view of it is audited."""
    pupil = get_pupil_for_user(request.user, pupil_id, register=True)
    audit.record_view(actor=request.user, pupil=pupil)
    today = timezone.localdate()
    memberships = (
        GroupMembership.objects.filter(pupil=pupil, group__academic_year__ends_on__gte=today)
        .select_related("group")
        .prefetch_related(Prefetch("group__staff", queryset=GroupStaff.objects.select_related("user")))
    )
    manage = may_manage_sen_record(request.user, pupil)
    context = {
        "pupil": pupil,
        "sen_history": pupil.sen_history.select_related("recorded_by"),
        "current_needs": pupil.need_history.filter(ends_on__isnull=True).select_related("need"),
        "past_needs": pupil.need_history.filter(ends_on__isnull=False).select_related("need"),
        "ehc_plan": pupil.ehc_plans.filter(ceased_on__isnull=True).first(),
        "memberships": memberships,
        "can_manage": manage,
        "today": today,
        "sees_sen_record": sees_sen_record(request.user, pupil),
    }
    if manage:
        context["shares"] = pupil.shares.select_related("specialist", "granted_by")
    if may_see_audit(request.user, pupil):
        context["audit_events"] = AuditEvent.objects.filter(pupil_id=pupil.pk).select_related("actor")[:100]
    return render(request, "pupils/profile.html", context)


def _managed_pupil(request: HttpRequest, pupil_id: int) -> Pupil:
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_manage_sen_record(request.user, pupil):
        raise Http404("No such page")
    return pupil


def _edit(request: HttpRequest, pupil_id: int, form_class, title: str, save) -> HttpResponse:
    """Shared shape of the SENCO's register forms: show, validate, call one service, go back."""
    pupil = _managed_pupil(request, pupil_id)
    form = form_class(request.POST or None, pupil=pupil)
    if request.method == "POST" and form.is_valid():
        try:
            message = save(pupil, form.cleaned_data)
        except services.RegisterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect("pupil", pupil_id=pupil.pk)
    audit.record_view(actor=request.user, pupil=pupil, what="SEN record")
    return render(request, "pupils/edit.html", {"pupil": pupil, "form": form, "title": title})


def change_sen_status(request: HttpRequest, pupil_id: int) -> HttpResponse:
    def save(pupil: Pupil, data: dict) -> str:
        entry = services.set_sen_status(
            pupil=pupil, status=data["status"], starts_on=data["starts_on"], reason=data["reason"], by=request.user
        )
        return f"SEN status is now {pupil.get_sen_status_display()}." if entry else "SEN status unchanged."

    return _edit(request, pupil_id, SenStatusForm, "Change SEN status", save)


def change_needs(request: HttpRequest, pupil_id: int) -> HttpResponse:
    def save(pupil: Pupil, data: dict) -> str:
        codes = [data["primary"], data["secondary"]]
        changed = services.set_needs(pupil=pupil, codes=codes, starts_on=data["starts_on"], by=request.user)
        return "Needs updated." if changed else "Needs unchanged."

    return _edit(request, pupil_id, NeedsForm, "Change needs", save)


def change_ehc_plan(request: HttpRequest, pupil_id: int) -> HttpResponse:
    def save(pupil: Pupil, data: dict) -> str:
        services.record_ehc_plan(pupil=pupil, by=request.user, **data)
        return "EHC plan dates saved."

    return _edit(request, pupil_id, EhcPlanForm, "EHC plan dates", save)


def share_pupil(request: HttpRequest, pupil_id: int) -> HttpResponse:
    def save(pupil: Pupil, data: dict) -> str:
        services.share_with_specialist(pupil=pupil, by=request.user, **data)
        return f"{pupil.full_name}'s record is shared with {data['specialist']} until {data['expires_on']:%d %B %Y}."

    return _edit(request, pupil_id, ShareForm, "Share with an external specialist", save)


def change_confidential(request: HttpRequest, pupil_id: int) -> HttpResponse:
    def save(pupil: Pupil, data: dict) -> str:
        services.update_pupil(pupil=pupil, by=request.user, is_confidential=data["is_confidential"])
        return "Marked confidential." if pupil.is_confidential else "No longer confidential."

    return _edit(request, pupil_id, ConfidentialForm, "Confidentiality", save)


@require_POST
def end_share(request: HttpRequest, pupil_id: int, share_id: int) -> HttpResponse:
    pupil = _managed_pupil(request, pupil_id)
    share = get_object_or_404(ExternalShare, pk=share_id, pupil=pupil)
    services.end_share(share=share, by=request.user)
    messages.success(request, f"Sharing with {share.specialist} has ended.")
    return redirect("pupil", pupil_id=pupil.pk)


def office_access(request: HttpRequest, urn: str) -> HttpResponse:
    """The SENCO decides which of the school office may see SEN records beyond the register."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_grant_office_access(request.user, school):
        raise Http404("No such page")
    members = list(
        Membership.objects.filter(school=school, role=Role.ADMINISTRATOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    if request.method == "POST":
        membership = next((m for m in members if str(m.pk) == request.POST.get("membership")), None)
        if membership is None:
            raise Http404("No such member of the school office")
        choice = request.POST.get("sees_sen_records")
        if choice not in {"yes", "no"}:
            messages.error(request, f"Choose whether {membership.user} sees SEN records: yes or no. Nothing changed.")
            return redirect("office-access", urn=school.urn)
        services.set_office_access(membership=membership, sees_sen_records=choice == "yes", by=request.user)
        now = "can now see" if choice == "yes" else "now sees only the register, not"
        messages.success(request, f"{membership.user} {now} SEN records.")
        return redirect("office-access", urn=school.urn)
    return render(request, "pupils/office_access.html", {"school": school, "members": members})
