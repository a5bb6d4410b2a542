"""Specialist pages: a specialist's own list of shared pupils, a pupil's advice and referrals,
the forms that add them, and the school's waits. Thin views over services; every read audited."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Max, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.accounts.models import Role
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.evidence.storage import private_file_response
from trellis.idempotency.services import AlreadySaved
from trellis.lib.forms import saved_form
from trellis.plans.services import target_smart_warnings
from trellis.pupils.access import get_pupil_for_user, get_school_for_user, scope_for, visible_pupil_filter
from trellis.pupils.models import ExternalShare, Pupil

from . import services
from .access import may_add_advice, may_adopt_recommendation, may_manage_referrals
from .forms import AdviceForm, ReferralForm, TargetFromRecommendationForm
from .models import Advice, Recommendation, Referral
from .waits import waits_by_service


def specialist_home(request: HttpRequest) -> HttpResponse:
    """The pupils shared with this specialist now, at every school they visit, with the day they
    last saw each (from their own advice). One audited list; a fixed number of queries."""
    if not scope_for(request.user).schools_with({Role.SPECIALIST}):
        raise Http404("No such page")
    today = timezone.localdate()
    mine = Q(pupil__specialist_advice__written_by=request.user)
    shares = list(
        ExternalShare.objects.filter(
            specialist=request.user,
            expires_on__gte=today,
            pupil__in=Pupil.objects.visible_to(request.user).values("pk"),
        )
        .select_related("pupil__school")
        .annotate(last_seen=Max("pupil__specialist_advice__seen_on", filter=mine))
        .order_by("pupil__school__name", "pupil__legal_surname", "pupil__legal_forename", "pk")
    )
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="pupils shared with me",
        summary=f"Viewed the pupils shared with them ({len(shares)} pupils)",
    )
    return render(request, "specialists/home.html", {"shares": shares, "today": today})


def pupil_specialists(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """A pupil's specialist advice (with what each recommendation became) and referrals."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what="specialist advice and referrals")
    advice = list(pupil.specialist_advice.select_related("written_by").prefetch_related("recommendations"))
    can_adopt = may_manage_referrals(request.user, pupil)  # the SENCO: asked once, not per recommendation
    for piece in advice:
        piece.pupil = pupil
        piece.recs = list(piece.recommendations.all())
    today = timezone.localdate()
    referrals = list(pupil.referrals.all())
    for referral in referrals:
        referral.days = referral.days_waiting(today)
    return render(
        request,
        "specialists/pupil.html",
        {
            "pupil": pupil,
            "advice": advice,
            "referrals": referrals,
            "today": today,
            "plans": services.current_plans(pupil) if can_adopt else [],
            "can_adopt": can_adopt,
            "can_add_advice": may_add_advice(request.user, pupil),
            "can_refer": can_adopt,
        },
    )


def _pupil_allowed(request: HttpRequest, pupil_id: int, rule) -> Pupil:
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not rule(request.user, pupil):
        raise Http404("No such page")
    return pupil


def _form(request: HttpRequest, pupil: Pupil, form, title: str, *, multipart: bool = False, intro: str = ""):
    audit.record_view(actor=request.user, pupil=pupil, what="specialist advice and referrals")
    context = {"pupil": pupil, "form": form, "title": title, "multipart": multipart, "intro": intro}
    return render(request, "specialists/form.html", context)


def add_advice(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """A specialist's advice: summary, recommendations, the day they saw the pupil, a report file."""
    pupil = _pupil_allowed(request, pupil_id, may_add_advice)
    form = AdviceForm(request.POST or None, request.FILES or None, initial={"seen_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_advice(
                pupil=pupil,
                by=request.user,
                service=data["service"],
                seen_on=data["seen_on"],
                summary=data["summary"],
                recommendations=data["recommendations"],
                report=data["report"],
                once=data["once"],
            )
        except services.SpecialistError as error:
            field = "report" if "file" in str(error).lower() else "seen_on" if "date" in str(error) else None
            form.add_error(field, str(error))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect("pupil-specialists", pupil_id=pupil.pk)
        else:
            messages.success(request, "Your advice is saved. The school's SENCO can see it now.")
            return redirect("pupil-specialists", pupil_id=pupil.pk)
    return _form(request, pupil, form, "Add your advice", multipart=True)


def advice_report(request: HttpRequest, pupil_id: int, advice_id: int) -> FileResponse:
    """The only way to a specialist's report: need to know, then an audited read."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    advice = get_object_or_404(Advice, pk=advice_id, pupil=pupil)
    response = private_file_response(advice.report, content_type=advice.report_type, filename=advice.report_name)
    audit.record_view(actor=request.user, pupil=pupil, what="specialist report")
    return response


def _recommendation(request: HttpRequest, pupil_id: int, recommendation_id: int) -> tuple[Pupil, Recommendation]:
    pupil = get_pupil_for_user(request.user, pupil_id)
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("advice"), pk=recommendation_id, advice__pupil=pupil
    )
    recommendation.advice.pupil = pupil
    if not may_adopt_recommendation(request.user, recommendation):
        raise Http404("No such page")
    return pupil, recommendation


@require_POST
def make_strategy(request: HttpRequest, pupil_id: int, recommendation_id: int) -> HttpResponse:
    """One button: the recommendation joins the chosen plan's strategies for all staff."""
    pupil, recommendation = _recommendation(request, pupil_id, recommendation_id)
    plans = {plan.pk: plan for plan in services.current_plans(pupil)}
    plan = plans.get(int(request.POST["plan"])) if request.POST.get("plan", "").isdecimal() else None
    back = redirect("pupil-specialists", pupil_id=pupil.pk)
    if plan is None:
        messages.error(request, "Choose one of the pupil's active plans: nothing was changed.")
        return back
    try:
        services.make_strategy(recommendation=recommendation, plan=plan, by=request.user)
    except services.SpecialistError as error:
        messages.error(request, f"{error}: nothing was changed.")
        return back
    messages.success(request, f"Added to the strategies of the {plan.get_kind_display()}.")
    return back


def make_target(request: HttpRequest, pupil_id: int, recommendation_id: int) -> HttpResponse:
    """One form: the recommendation's words become a target of the chosen plan, with its measure."""
    pupil, recommendation = _recommendation(request, pupil_id, recommendation_id)
    plans = services.current_plans(pupil)
    form = TargetFromRecommendationForm(request.POST or None, plans=plans, school=pupil.school)
    if not plans:
        messages.error(request, "The pupil has no active plan to add a target to: write or activate one first.")
        return redirect("pupil-specialists", pupil_id=pupil.pk)
    then = reverse("pupil-specialists", args=[pupil.pk])

    def save(*, plan, **fields):
        chosen = next(p for p in plans if p.pk == plan)
        target = services.make_target(recommendation=recommendation, plan=chosen, by=request.user, **fields)
        for warning in target_smart_warnings(target):
            messages.warning(request, f"SMART check: {warning}")

    intro = f"“{recommendation.text}” becomes the target's description."
    return saved_form(
        request, form, save, errors=services.SpecialistError, done="Target added to the plan.", then=then
    ) or _form(request, pupil, form, "Make a recommendation a target", intro=intro)


def add_referral(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_allowed(request, pupil_id, may_manage_referrals)
    form = ReferralForm(request.POST or None, initial={"referred_on": timezone.localdate()})
    then = reverse("pupil-specialists", args=[pupil.pk])
    save = _bound(services.add_referral, pupil=pupil, by=request.user)
    return saved_form(request, form, save, errors=services.SpecialistError, done="Referral saved.", then=then) or _form(
        request, pupil, form, "Record a referral"
    )


def change_referral(request: HttpRequest, pupil_id: int, referral_id: int) -> HttpResponse:
    pupil = _pupil_allowed(request, pupil_id, may_manage_referrals)
    referral = get_object_or_404(Referral, pk=referral_id, pupil=pupil)
    initial = {name: getattr(referral, name) for name in services.REFERRAL_FIELDS}
    form = ReferralForm(request.POST or None, initial=initial)
    then = reverse("pupil-specialists", args=[pupil.pk])
    save = _bound(services.update_referral, referral=referral, by=request.user)
    return saved_form(request, form, save, errors=services.SpecialistError, done="Referral saved.", then=then) or _form(
        request, pupil, form, "Change a referral"
    )


def _bound(service, **fixed):
    return lambda **fields: service(**fixed, **fields)


def referral_waits(request: HttpRequest, urn: str) -> HttpResponse:
    """Per service: median days referred to seen and the referrals still waiting; and the reports
    overdue. Over the pupils this person may see (the whole school for the SENCO)."""
    school = get_school_for_user(request.user, urn, pupils=True)
    today = timezone.localdate()
    visible = Pupil.objects.filter(visible_pupil_filter(request.user, today), school=school).values("pk")
    referrals = list(Referral.objects.filter(pupil__in=visible).select_related("pupil"))
    overdue = sorted(
        (r for r in referrals if r.report_due_on() and r.report_due_on() < today and not r.report_received_on),
        key=lambda r: (r.seen_on, r.pk),
    )
    for referral in overdue:
        referral.weeks_since_seen = (today - referral.seen_on).days // 7
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="referrals list",
        school=school,
        summary=f"Viewed the referrals and waits ({len(referrals)} referrals)",
    )
    rows = waits_by_service(referrals, today)
    context = {
        "school": school,
        "rows": rows,
        "waiting_total": sum(len(row.waiting) for row in rows),
        "overdue": overdue,
        "today": today,
        "report_weeks": settings.SPECIALIST_REPORT_WEEKS,
    }
    return render(request, "specialists/waits.html", context)
