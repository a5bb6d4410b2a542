"""The family pages (a parent's or carer's own children, phone first, plain words) and the
SENCO's page to invite and restrict them. Reads go through trellis.pupils.access, writes through
trellis.families.access, and every page about a child is audited as a read of their record."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.accounts.models import User
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.documents import pupil_reports
from trellis.documents.releases import shared_with_family
from trellis.evidence.models import EvidenceNote
from trellis.lib.forms import saved_form
from trellis.plans import charts
from trellis.plans.models import Plan, Target
from trellis.plans.progress import current_window
from trellis.plans.services import with_progress
from trellis.provision.models import Enrolment
from trellis.pupils.access import children_of, get_child_for_user, get_pupil_for_user
from trellis.transfer.models import Arrival

from . import access, services
from .age import compulsory_school_age_ends, decides_for_themselves
from .forms import AnswerForm, ConsentForm, InviteForm, LinkForm, RestrictForm, SignUpForm, ViewsForm
from .models import Carer, Consent, Invitation, ParentView, PlanResponse, Relationship
from .words import plain_kind

# --- Parents and carers ----------------------------------------------------------------------


def family_home(request: HttpRequest) -> HttpResponse:
    """The parent's or carer's children (404 for anyone else: staff have their own pages)."""
    children = list(children_of(request.user).order_by("date_of_birth", "pk"))
    if not children:
        raise Http404("No children linked to this account")
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="family: children",
        summary=f"{len(children)} children listed",
    )
    return render(request, "families/home.html", {"children": children})


def _child(request: HttpRequest, pupil_id: int, what: str):
    pupil = get_child_for_user(request.user, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what=f"family page: {what}")
    return pupil


def _current_plan(pupil) -> Plan | None:
    return pupil.plans.filter(state=Plan.State.ACTIVE).first()


def child(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """The current plan in plain words, what school is doing, and what is coming up."""
    pupil = _child(request, pupil_id, "plan")
    today = timezone.localdate()
    plan = _current_plan(pupil)
    support = (
        Enrolment.objects.filter(pupil=pupil, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("group__intervention")
        .order_by("group__intervention__name")
    )
    reviews = list(pupil.plans.filter(state=Plan.State.ACTIVE, review_on__gte=today).order_by("review_on"))
    ehc = pupil.ehc_plans.filter(ceased_on__isnull=True, next_annual_review_due__gte=today).first()
    return render(
        request,
        "families/child.html",
        {
            "pupil": pupil,
            "plan": plan,
            "kind": plain_kind(plan.kind) if plan else "",
            "support": sorted({e.group.intervention.name for e in support}),
            "reviews": reviews,
            "ehc": ehc,
        },
    )


def targets(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Each target of the current plans with its progress, a small chart and a table."""
    pupil = _child(request, pupil_id, "targets")
    window = current_window(pupil.school, timezone.localdate())
    rows = with_progress(Target.objects.current().filter(pupil=pupil), window=window, school=pupil.school_id)
    for target in rows:
        target.chart = charts.target_chart(target)
    return render(request, "families/targets.html", {"pupil": pupil, "targets": rows})


def report(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """The report for parents and carers (the staff's `parent-report` document), in the family pages:
    targets, progress and what school does, with nothing staff-only (no notes, concerns or codes)."""
    pupil = _child(request, pupil_id, "report")
    today = timezone.localdate()
    context = pupil_reports.parent_report(pupil, request.user, today)
    return render(request, "families/report.html", context | {"pupil": pupil, "subject": pupil, "today": today})


def shared_notes(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Documents released and shared with this parent or carer, and the evidence notes staff chose
    to share with the family (never the staff-only ones)."""
    pupil = _child(request, pupil_id, "shared notes")
    notes = EvidenceNote.objects.filter(pupil=pupil, shared_with_family=True).order_by("-date", "-pk")[:100]
    documents = shared_with_family(request.user, pupil)
    return render(request, "families/shared.html", {"pupil": pupil, "notes": notes, "documents": documents})


def _plan_or_none(request: HttpRequest, pupil, rule) -> Plan | None:
    plan = _current_plan(pupil)
    if plan is not None:
        plan.pupil = pupil
    if request.method == "POST" and (plan is None or not rule(request.user, plan)):
        raise Http404("No plan to answer")
    return plan


def give_views(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _child(request, pupil_id, "views")
    plan = _plan_or_none(request, pupil, access.may_give_views)
    form = ViewsForm(request.POST or None)
    if plan is not None:
        save = partial(services.add_views, plan=plan, by=request.user)
        then = reverse("family-child", args=[pupil.pk])
        done = saved_form(
            request, form, save, errors=services.FamilyError, done="Thank you. We saved your views.", then=then
        )
        if done:
            return done
    views = plan.family_views.filter(author=request.user) if plan else []
    return render(request, "families/views.html", {"pupil": pupil, "plan": plan, "form": form, "views": views})


def agree(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _child(request, pupil_id, "agree the plan")
    plan = _plan_or_none(request, pupil, access.may_answer_plan)
    form = AnswerForm(request.POST or None, initial={"version": plan.version if plan else 0})
    if plan is not None:
        save = partial(services.answer_plan, plan=plan, by=request.user)
        then = reverse("family-child", args=[pupil.pk])
        done = saved_form(
            request, form, save, errors=services.FamilyError, done="Thank you. We saved your answer.", then=then
        )
        if done:
            return done
    answers = plan.family_responses.filter(author=request.user)[:10] if plan else []
    return render(request, "families/agree.html", {"pupil": pupil, "plan": plan, "form": form, "answers": answers})


def consent(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _child(request, pupil_id, "consent")
    today = timezone.localdate()
    if request.method == "POST":
        if not access.may_give_consent(request.user, pupil):
            raise Http404("Consent is not yours to give")
        form = ConsentForm(request.POST)
        save = partial(services.set_consent, pupil=pupil, by=request.user, today=today)
        then = reverse("family-consent", args=[pupil.pk])
        done = saved_form(request, form, save, errors=services.FamilyError, done="We saved your answer.", then=then)
        if done:
            return done
        messages.error(request, "Something went wrong. Please choose yes or no again.")
    latest = {}
    for row in pupil.consents.order_by("-at", "-pk"):
        latest.setdefault(row.kind, row)
    kinds = [(kind, label, latest.get(kind)) for kind, label in Consent.Kind.choices]
    own = decides_for_themselves(pupil.date_of_birth, today)
    return render(
        request,
        "families/consent.html",
        {
            "pupil": pupil,
            "kinds": kinds,
            "own_decisions": own,
            "age_ends": compulsory_school_age_ends(pupil.date_of_birth),
        },
    )


@login_not_required  # the one-time link is the credential (256 random bits, hashed at rest)
def sign_up(request: HttpRequest, token: str) -> HttpResponse:
    """Make a parent's account from the one-time link (it then stops working)."""
    invitation = services.open_invitation(token)
    if invitation is None:
        return render(request, "families/link_used.html", status=410)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            carer = services.accept_invitation(
                token=token,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except services.FamilyError as error:
            form.add_error("username" if "username" in str(error) else None, str(error))
        else:
            login(request, carer.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account is ready.")
            return redirect("family-home")
    return render(request, "families/sign_up.html", {"form": form, "invitation": invitation})


# --- The SENCO ----------------------------------------------------------------------------------


def _managed(request: HttpRequest, pupil_id: int):
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not access.may_manage_family(request.user, pupil):
        raise Http404("No such page")
    return pupil


def _named_by_previous_school(pupil, carers: list[Carer], invitations: list[Invitation]) -> list[dict]:
    """The carers a transition package named who are neither linked nor invited yet."""
    arrival = Arrival.objects.filter(pupil=pupil).only("carers", "from_school_name").first()
    if arrival is None:
        return []
    done = {c.user.email.lower() for c in carers if c.user.email} | {i.email.lower() for i in invitations}
    return [
        c | {"school": arrival.from_school_name, "label": Relationship(c["relationship"]).label}
        for c in arrival.carers
        if c["email"].lower() not in done
    ]


def manage(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Who is linked to the pupil, open invitations, and forms to invite or link someone."""
    pupil = _managed(request, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what="parents and carers")
    invite_form = InviteForm(request.POST if "invite" in request.POST else None, prefix="invite")
    link_form = LinkForm(request.POST if "link" in request.POST else None, prefix="link")
    link_url = None
    if request.method == "POST" and "invite" in request.POST and invite_form.is_valid():
        try:
            _, token = services.invite(pupil=pupil, by=request.user, **invite_form.cleaned_data)
        except services.FamilyError as error:
            invite_form.add_error(None, str(error))
        else:
            link_url = request.build_absolute_uri(reverse("family-sign-up", args=[token]))
            invite_form = InviteForm(prefix="invite")
    if request.method == "POST" and "link" in request.POST and link_form.is_valid():
        user = User.objects.filter(username=link_form.cleaned_data["username"], is_active=True).first()
        if user is None:
            link_form.add_error("username", "There is no account with that username.")
        else:
            try:
                services.link_carer(
                    pupil=pupil, user=user, relationship=link_form.cleaned_data["relationship"], by=request.user
                )
            except services.FamilyError as error:
                link_form.add_error("username", str(error))
            else:
                messages.success(request, f"Linked {user}.")
                return redirect("pupil-family", pupil.pk)
    carers = list(pupil.carers.select_related("user", "restricted_by"))
    invitations = list(Invitation.objects.filter(pupil=pupil, used_at__isnull=True, expires_at__gt=timezone.now()))
    context = {
        "pupil": pupil,
        "carers": carers,
        "invitations": invitations,
        "named": _named_by_previous_school(pupil, carers, invitations),
        "invite_form": invite_form,
        "link_form": link_form,
        "link_url": link_url,
        "left": pupil.left_on is not None and pupil.left_on <= timezone.localdate(),
        "days": settings.FAMILY_INVITATION_DAYS,
        "views": ParentView.objects.filter(pupil=pupil).select_related("plan")[:20],
        "answers": PlanResponse.objects.filter(pupil=pupil).select_related("plan")[:20],
        "consents": Consent.objects.filter(pupil=pupil)[:20],
    }
    return render(request, "families/manage.html", context)


@require_POST
def restrict(request: HttpRequest, pupil_id: int, carer_id: int) -> HttpResponse:
    pupil = _managed(request, pupil_id)
    carer = get_object_or_404(Carer.objects.select_related("user", "pupil"), pk=carer_id, pupil=pupil)
    form = RestrictForm(request.POST)
    if form.is_valid():
        try:
            services.restrict_carer(
                carer=carer,
                restricted=form.cleaned_data["restricted"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.FamilyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Saved access for {carer.user}.")
    return redirect("pupil-family", pupil.pk)
