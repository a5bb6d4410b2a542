"""Pages for identification of need. Thin: get the pupil through need to know, call one service, render."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.models import User
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.idempotency.services import AlreadySaved
from trellis.lib.forms import saved_form
from trellis.pupils.access import get_pupil_for_user, get_school_for_user, remember_visible, sees_confidential
from trellis.pupils.models import Pupil

from . import services
from .access import (
    may_answer_view,
    may_correct_concern,
    may_manage_concern,
    may_raise_concern,
    may_record_others_concern,
)
from .early import early_identification, early_identification_rule
from .forms import (
    AnswerViewForm,
    ConcernForm,
    CorrectConcernForm,
    DecisionForm,
    EvidenceForm,
    RequestViewsForm,
    SencoConcernForm,
    SencoCorrectConcernForm,
)
from .models import Concern, StaffViewRequest


def _concern_for_user(user, concern_id: int) -> Concern:
    """The concern, if its pupil is visible to `user` (need to know); otherwise 404."""
    concern = get_object_or_404(Concern.objects.select_related("raised_by", "decided_by"), pk=concern_id)
    concern.pupil = get_pupil_for_user(user, concern.pupil_id)
    return concern


def _managed_concern(user, concern_id: int) -> Concern:
    concern = _concern_for_user(user, concern_id)
    if not may_manage_concern(user, concern):
        raise Http404("No such page")
    return concern


def concern_list(request: HttpRequest, urn: str) -> HttpResponse:
    """Open concerns about the pupils this person may see (school-wide for the SENCO), with their age."""
    school = get_school_for_user(request.user, urn, pupils=True)
    visible = Pupil.objects.visible_to(request.user).filter(school=school)
    base = Concern.objects.visible_to(request.user).filter(pupil__school=school).select_related("pupil", "raised_by")
    open_concerns = base.filter(decision="").annotate(
        views_asked=Count("view_requests"),
        views_waiting=Count("view_requests", filter=Q(view_requests__answered_on__isnull=True)),
    )
    since = timezone.localdate() - timezone.timedelta(days=90)
    decided = base.exclude(decision="").filter(decided_on__gte=since).order_by("-decided_on", "-pk")
    my_requests = (
        StaffViewRequest.objects.filter(
            staff=request.user, answered_on__isnull=True, concern__decision="", concern__pupil__in=visible.values("pk")
        )
        .select_related("concern__pupil", "requested_by")
        .order_by("requested_on", "pk")
    )
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="concern list",
        school=school,
        summary="Viewed the list of concerns",
    )
    return render(
        request,
        "identification/list.html",
        {
            "school": school,
            "open_concerns": list(open_concerns),
            "decided": list(decided[:100]),
            "my_requests": list(my_requests),
            "today": timezone.localdate(),
            "whole_school": sees_confidential(request.user, school),
        },
    )


def raise_concern(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_raise_concern(request.user, pupil):
        raise Http404("No such page")
    senco = may_record_others_concern(request.user, pupil)
    form = (SencoConcernForm if senco else ConcernForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.raise_concern(
                pupil=pupil,
                by=request.user,
                area=data["area"],
                what_seen=data["what_seen"],
                contexts=data["contexts"],
                noticed_since=data["noticed_since"],
                source=data.get("source") or Concern.Source.STAFF,
                raised_by_name=data.get("raised_by_name", ""),
                once=data["once"],
            )
        except services.IdentificationError as error:
            form.add_error(None, str(error))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect("concern", concern_id=saved.record_id)
        else:
            messages.success(request, "The concern has been recorded; the SENCO will see it in the list of concerns.")
            return redirect("concern", concern_id=concern.pk)
    audit.record_view(actor=request.user, pupil=pupil, what="new concern form")
    return render(request, "identification/form.html", {"pupil": pupil, "form": form, "title": "Raise a concern"})


def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    """A concern and its timeline: raised, evidence, views asked and given, decision. Audited."""
    concern = _concern_for_user(request.user, concern_id)
    audit.record_view(actor=request.user, pupil=concern.pupil, what="concern")
    evidence = list(concern.evidence.select_related("added_by"))
    view_requests = list(concern.view_requests.select_related("staff", "requested_by"))
    timeline = [(concern.raised_on, "raised", concern)]
    timeline += [(item.date, "evidence", item) for item in evidence]
    for view in view_requests:
        timeline.append((view.requested_on, "asked", view))
        if view.is_answered:
            timeline.append((view.answered_on, "answered", view))
    if concern.decided_on:
        timeline.append((concern.decided_on, "decided", concern))
    order = {"raised": 0, "evidence": 1, "asked": 2, "answered": 3, "decided": 4}
    timeline.sort(key=lambda entry: (entry[0], order[entry[1]]))
    my_request = next((v for v in view_requests if v.staff_id == request.user.pk), None)
    return render(
        request,
        "identification/detail.html",
        {
            "concern": concern,
            "pupil": concern.pupil,
            "timeline": timeline,
            "can_manage": may_manage_concern(request.user, concern),
            "can_correct": may_correct_concern(request.user, concern),
            "my_request": my_request,
            "today": timezone.localdate(),
        },
    )


def correct_concern(request: HttpRequest, concern_id: int) -> HttpResponse:
    """Correct what a concern says: whoever raised it (while it is open) or the SENCO. Refused if it
    changed since the page was opened; the audit trail keeps the old and new values."""
    concern = _concern_for_user(request.user, concern_id)
    if not may_correct_concern(request.user, concern):
        raise Http404("No such page")
    senco = may_record_others_concern(request.user, concern.pupil)
    form = (SencoCorrectConcernForm if senco else CorrectConcernForm)(request.POST or None, concern=concern)
    save = partial(services.correct_concern, concern=concern, by=request.user)
    done = saved_form(
        request,
        form,
        save,
        errors=services.IdentificationError,
        done="Concern corrected.",
        then=reverse("concern", args=[concern.pk]),
    )
    if done:
        return done
    audit.record_view(actor=request.user, pupil=concern.pupil, what="concern")
    context = {"pupil": concern.pupil, "concern": concern, "form": form, "title": "Correct the concern"}
    return render(request, "identification/correct.html", context | {"submit_label": "Save the correction"})


def add_evidence(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = _managed_concern(request.user, concern_id)
    form = EvidenceForm(request.POST or None)
    save = partial(services.add_evidence, concern=concern, by=request.user)
    done = saved_form(
        request,
        form,
        save,
        errors=services.IdentificationError,
        done="Evidence added.",
        then=reverse("concern", args=[concern.pk]),
    )
    return done or _form(request, concern, form, "Add evidence")


def request_views(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = _managed_concern(request.user, concern_id)
    teachers: dict[int, User] = {}
    roles: dict[int, list[str]] = {}
    for row in services.teachers_of(concern.pupil):
        teachers[row.user_id] = row.user
        roles.setdefault(row.user_id, []).append(f"{row.get_role_display().lower()}, {row.group.name}")
    asked = set(concern.view_requests.values_list("staff_id", flat=True))
    choices = [(str(pk), f"{user} ({'; '.join(roles[pk])})") for pk, user in teachers.items() if pk not in asked]
    form = RequestViewsForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        staff = [teachers[int(pk)] for pk in form.cleaned_data["staff"]]
        try:
            made = services.request_views(
                concern=concern, by=request.user, staff=staff, question=form.cleaned_data["question"]
            )
        except services.IdentificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Asked {len(made)} member(s) of staff for their views.")
            return redirect("concern", concern_id=concern.pk)
    context = {"no_choices": not choices, "submit_label": "Send the requests"}
    return _form(request, concern, form, "Ask staff for their views", context)


def answer_view(request: HttpRequest, concern_id: int) -> HttpResponse:
    """The member of staff asked gives their view; anyone else gets a 404."""
    concern = _concern_for_user(request.user, concern_id)
    view = get_object_or_404(StaffViewRequest, concern=concern, staff_id=request.user.pk)
    view.concern = concern
    if not may_answer_view(request.user, view):
        raise Http404("No such page")
    form = AnswerViewForm(request.POST or None, initial={"response": view.response})
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_view(request=view, by=request.user, response=form.cleaned_data["response"])
        except services.IdentificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your view has been sent to the SENCO.")
            return redirect("concern", concern_id=concern.pk)
    return _form(request, concern, form, "Give your view", {"view_request": view, "submit_label": "Send your view"})


def decide(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = _managed_concern(request.user, concern_id)
    form = DecisionForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.decide(
                concern=concern,
                by=request.user,
                decision=data["decision"],
                reasons=data["reasons"],
                decided_on=data["decided_on"],
            )
        except services.IdentificationError as error:
            form.add_error(None, str(error))
        else:
            pupil = concern.pupil
            note = f" SEN status is now {pupil.get_sen_status_display()}." if entry else " SEN status unchanged."
            messages.success(request, f"Decision recorded: {concern.get_decision_display()}.{note}")
            return redirect("concern", concern_id=concern.pk)
    context = {"decision_rule": True, "submit_label": "Record the decision"}
    return _form(request, concern, form, "Record the decision", context)


def _form(request: HttpRequest, concern: Concern, form, title: str, extra: dict | None = None) -> HttpResponse:
    if not concern.is_open and request.method == "GET":
        messages.info(request, "This concern has been decided.")
        return redirect("concern", concern_id=concern.pk)
    context = {"pupil": concern.pupil, "concern": concern, "form": form, "title": title} | (extra or {})
    audit.record_view(actor=request.user, pupil=concern.pupil, what="concern")
    return render(request, "identification/form.html", context)


def early_identification_list(request: HttpRequest, urn: str) -> HttpResponse:
    """Pupils with no SEN status and no open concern whose latest reading, writing or maths is below expectations."""
    school = get_school_for_user(request.user, urn, pupils=True)
    pupils = Pupil.objects.visible_to(request.user).filter(school=school).on_roll()
    candidates = early_identification(pupils)
    remember_visible(request.user, [c.pupil for c in candidates])
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="early identification list",
        school=school,
        summary=f"Viewed the early identification list ({len(candidates)} pupils)",
    )
    context = {
        "school": school,
        "candidates": candidates,
        "rule": early_identification_rule(),
        "can_raise": any(may_raise_concern(request.user, c.pupil) for c in candidates),
    }
    return render(request, "identification/early.html", context)
