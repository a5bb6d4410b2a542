"""Pages for progress meetings. Thin: get the pupil or meeting through access, call a service, render.
Every page that names a pupil audits the read (one event per pupil shown)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.versions import EditConflict
from trellis.plans.models import Plan, Target
from trellis.provision.models import Enrolment
from trellis.pupils.access import get_school_for_user
from trellis.pupils.models import Pupil
from trellis.schools.models import TeachingGroup

from . import access, services
from .forms import ActionForm, DecisionForm, DiscussionForm, ReasonForm, ScheduleForm
from .models import Action, Meeting, MeetingPupil, SlowProgressReason
from .prepare import prepare


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404("No such page")


def _audit_pupils(request: HttpRequest, pupils, what: str) -> None:
    for pupil in pupils:
        audit.record_view(actor=request.user, pupil=pupil, what=what)


def meeting_list(request: HttpRequest, urn: str) -> HttpResponse:
    """The school's meetings this person may see: dates, who for (counts, no names) and who attends."""
    school = get_school_for_user(request.user, urn, pupils=True)
    seen = Pupil.objects.visible_to(request.user).values("pk")
    meetings = (
        Meeting.objects.visible_to(request.user)
        .filter(school=school)
        .select_related("teaching_group")
        .prefetch_related("staff")
        .annotate(shown=Count("pupils", filter=Q(pupils__pupil__in=seen), distinct=True))
        .order_by("-held_on", "-pk")
    )
    context = {
        "school": school,
        "meetings": meetings,
        "today": timezone.localdate(),
        "can_schedule": access.may_schedule_meeting(request.user, school),
        "can_add_reason": access.may_add_reason(request.user, school),
    }
    return render(request, "meetings/list.html", context)


def schedule(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=True)
    _require(access.may_schedule_meeting(request.user, school))
    today = timezone.localdate()
    pupils = Pupil.objects.visible_to(request.user).filter(school=school).on_roll(today).exclude(sen_status="N")
    year = school.current_academic_year(today)
    groups = TeachingGroup.objects.filter(academic_year=year, kind=TeachingGroup.Kind.REGISTRATION)
    if not access.scope_for(request.user).has_role(school, access.WHOLE_SCHOOL_ROLES):
        groups = groups.filter(staff__user=request.user)
    form = ScheduleForm(
        request.POST or None,
        groups=groups,
        pupils=pupils.by_shown_name(),
        staff=services.staff_of(school),
        initial={"staff": [request.user]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.schedule_meeting(
                school=school,
                by=request.user,
                kind=data["kind"],
                held_on=data["held_on"],
                pupils=data["pupils"],
                staff=data["staff"],
                teaching_group=data["teaching_group"],
                starts_at=data["starts_at"],
                place=data["place"],
            )
            if data["invite"]:
                services.send_invitations(meeting=meeting, by=request.user, link=_link(request, meeting))
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Meeting scheduled." + (" Invitation emailed." if data["invite"] else ""))
            return redirect("meeting", meeting_id=meeting.pk)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="register",
        school=school,
        summary="Chose pupils for a progress meeting",
    )
    return render(request, "meetings/schedule.html", {"school": school, "form": form})


def _link(request: HttpRequest, meeting: Meeting) -> str:
    return request.build_absolute_uri(reverse("meeting", args=[meeting.pk]))


def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting record: each pupil this person may see, their discussion, actions and decisions."""
    meeting = access.get_meeting_for_user(request.user, meeting_id)
    seen = Pupil.objects.visible_to(request.user).values("pk")
    discussions = list(
        meeting.pupils.filter(pupil__in=seen)
        .select_related("pupil")
        .prefetch_related("reasons", Prefetch("actions", queryset=Action.objects.select_related("owner")), "decisions")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pk")
    )
    _audit_pupils(request, [d.pupil for d in discussions], "progress meeting")
    context = {
        "meeting": meeting,
        "discussions": discussions,
        "staff": list(meeting.staff.all()),
        "hidden": meeting.pupils.count() - len(discussions),
        "can_record": access.may_record_meeting(request.user, meeting),
    }
    return render(request, "meetings/meeting.html", context)


@require_POST
def invite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, meeting_id)
    _require(access.may_record_meeting(request.user, meeting))
    try:
        sent = services.send_invitations(meeting=meeting, by=request.user, link=_link(request, meeting))
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invitation emailed to {len(sent)} member(s) of staff.")
    return redirect("meeting", meeting_id=meeting.pk)


def prepare_pupil(request: HttpRequest, meeting_id: int, pupil_id: int) -> HttpResponse:
    """Seed 000's five questions for one pupil on one screen (prints without the site's navigation)."""
    discussion = access.get_discussion_for_user(request.user, meeting_id, pupil_id)
    audit.record_view(actor=request.user, pupil=discussion.pupil, what="progress meeting preparation")
    return render(request, "meetings/prepare.html", {"prep": prepare(discussion), "meeting": discussion.meeting})


def record_pupil(request: HttpRequest, meeting_id: int, pupil_id: int) -> HttpResponse:
    """The pupil's record at the meeting: who came, the discussion and the reasons for slow progress."""
    discussion = access.get_discussion_for_user(request.user, meeting_id, pupil_id)
    _require(access.may_record_discussion(request.user, discussion))
    school = discussion.meeting.school
    reasons = SlowProgressReason.objects.for_school(school)
    form = DiscussionForm(request.POST or None, reasons=reasons, initial=DiscussionForm.initial_for(discussion))
    if request.method == "POST" and form.is_valid():
        data = form.values()
        try:
            services.record_discussion(record=discussion, by=request.user, **data)
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Discussion of {discussion.pupil.full_name} saved.")
            return redirect("meeting", meeting_id=discussion.meeting_id)
    audit.record_view(actor=request.user, pupil=discussion.pupil, what="progress meeting")
    return _form_page(request, discussion, form, "Record the discussion")


def _form_page(
    request: HttpRequest, discussion: MeetingPupil, form, title: str, template: str = "meetings/form.html"
) -> HttpResponse:
    context = {"discussion": discussion, "meeting": discussion.meeting, "form": form, "title": title}
    return render(request, template, context)


def new_action(request: HttpRequest, meeting_id: int, pupil_id: int) -> HttpResponse:
    discussion = access.get_discussion_for_user(request.user, meeting_id, pupil_id)
    _require(access.may_record_discussion(request.user, discussion))
    form = ActionForm(request.POST or None, staff=services.staff_of(discussion.meeting.school))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_action(discussion=discussion, by=request.user, **form.cleaned_data)
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Action added.")
            return redirect("meeting", meeting_id=discussion.meeting_id)
    audit.record_view(actor=request.user, pupil=discussion.pupil, what="progress meeting")
    return _form_page(request, discussion, form, "Add an action")


def new_decision(request: HttpRequest, meeting_id: int, pupil_id: int) -> HttpResponse:
    """Record a decision and apply it at once: the plan, the provision map or the register changes."""
    discussion = access.get_discussion_for_user(request.user, meeting_id, pupil_id)
    kinds = access.decision_kinds(request.user, discussion)
    _require(bool(kinds))
    pupil, school = discussion.pupil, discussion.meeting.school
    form = DecisionForm(
        request.POST or None,
        kinds=kinds,
        enrolments=Enrolment.objects.filter(pupil=pupil).select_related("group__intervention"),
        targets=Target.objects.filter(pupil=pupil, closed_on__isnull=True, plan__state=Plan.State.ACTIVE),
        plans=Plan.objects.filter(pupil=pupil, state=Plan.State.ACTIVE),
        school=school,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_target = None
        if data["kind"] == "new_target":
            new_target = services.NewTarget(
                plan=data["plan"],
                description=data["description"],
                area=data["area"],
                scale=data["scale"],
                baseline_value=data["baseline_value"],
                target_value=data["target_value"],
                target_date=data["target_date"],
            )
        try:
            decision = services.apply_decision(
                discussion=discussion,
                by=request.user,
                kind=data["kind"],
                summary=data["summary"],
                enrolment=data["enrolment"],
                extend_to=data["extend_to"],
                adapted=data["adapted"],
                target=data["target"],
                new_target=new_target,
                changes={k: data[k] for k in ("description", "target_value", "target_date")},
                status=data["status"],
                area=data["area"],
            )
        except (services.MeetingError, EditConflict) as error:
            form.add_error(None, f"{error} Nothing was changed.")
        else:
            messages.success(request, f"Decision recorded and applied: {decision.summary}")
            return redirect("meeting", meeting_id=discussion.meeting_id)
    audit.record_view(actor=request.user, pupil=pupil, what="progress meeting")
    return _form_page(request, discussion, form, "Record a decision", "meetings/decision.html")


def parents_record(request: HttpRequest, meeting_id: int, pupil_id: int) -> HttpResponse:
    """The written record of what was agreed, for the family (SEN Code of Practice 6.71)."""
    discussion = access.get_discussion_for_user(request.user, meeting_id, pupil_id)
    audit.record_view(actor=request.user, pupil=discussion.pupil, what="progress meeting record for parents")
    context = {
        "discussion": discussion,
        "meeting": discussion.meeting,
        "actions": discussion.actions.select_related("owner"),
        "decisions": discussion.decisions.all(),
        "reasons": discussion.reasons.all(),
        "staff": discussion.meeting.staff.all(),
    }
    return render(request, "meetings/parents.html", context)


@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("discussion__meeting"), pk=action_id)
    discussion = access.get_discussion_for_user(request.user, action.discussion.meeting_id, action.discussion.pupil_id)
    action.discussion = discussion
    _require(access.may_complete_action(request.user, action))
    done = request.POST.get("done") != "no"
    try:
        services.complete_action(action=action, by=request.user, done_on=timezone.localdate() if done else None)
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{action.text}” marked {'done' if done else 'not done'}.")
    if request.POST.get("next") == "my-actions":
        return redirect("my-actions")
    return redirect("meeting", meeting_id=discussion.meeting_id)


def my_actions(request: HttpRequest) -> HttpResponse:
    """The signed-in person's open actions from progress meetings, soonest due first."""
    actions = services.open_actions_for(request.user, timezone.localdate())
    _audit_pupils(request, {a.discussion.pupil.pk: a.discussion.pupil for a in actions}.values(), "meeting actions")
    return render(request, "meetings/my_actions.html", {"actions": actions})


def reasons(request: HttpRequest, urn: str) -> HttpResponse:
    """The school's list of reasons for slow progress: the trust's, and the school's own additions."""
    school = get_school_for_user(request.user, urn, pupils=True)
    _require(access.may_add_reason(request.user, school))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_reason(school=school, by=request.user, text=form.cleaned_data["text"])
        except services.MeetingError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "Reason added to your school's list.")
            return redirect("meeting-reasons", urn=school.urn)
    listed = SlowProgressReason.objects.for_school(school)
    return render(request, "meetings/reasons.html", {"school": school, "form": form, "reasons": listed})
