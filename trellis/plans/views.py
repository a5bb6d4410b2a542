"""Pages for plans, targets and reviews. Thin: get the pupil through access, call a service, render."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from trellis.assessment.scales import ScaleError, parse_value
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.dashboards.progress import STILL_STUCK
from trellis.idempotency.services import AlreadySaved
from trellis.lib.forms import ThreePartDateField, new_token, saved_form
from trellis.lib.query import BadQuery, IdField, query_value
from trellis.lib.versions import EditConflict, last_change
from trellis.pupils.access import get_pupil_for_user, get_school_for_user
from trellis.pupils.models import GroupMembership, Pupil
from trellis.schools.models import TeachingGroup

from . import access, charts, plausibility, services
from .forms import CorrectReviewForm, NewReviewForm, PlanForm, TargetForm
from .models import EhcOutcome, Plan, Review, SmallStep, Target
from .progress import Status, current_window


def _plan_for_user(user, plan_id: int) -> Plan:
    pupil_id = Plan.objects.filter(pk=plan_id).values_list("pupil_id", flat=True).first()
    if pupil_id is None:
        raise Http404("No such plan")
    pupil = get_pupil_for_user(user, pupil_id)
    plan = get_object_or_404(Plan, pk=plan_id)
    plan.pupil = pupil
    return plan


def _target_for_user(user, target_id: int) -> Target:
    pupil_id = Target.objects.filter(pk=target_id).values_list("pupil_id", flat=True).first()
    if pupil_id is None:
        raise Http404("No such target")
    pupil = get_pupil_for_user(user, pupil_id)
    target = get_object_or_404(Target.objects.select_related("scale", "plan"), pk=target_id)
    target.pupil = target.plan.pupil = pupil
    return target


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404("No such page")


# --- Plans -----------------------------------------------------------------------------------


def new_plan(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id)
    _require(access.may_write_plan(request.user, pupil))
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = services.create_plan(pupil=pupil, by=request.user, **form.plan_content())
        messages.success(request, f"{plan.get_kind_display()} saved as a draft.")
        return redirect("plan", plan_id=plan.pk)
    audit.record_view(actor=request.user, pupil=pupil, what="new plan form")
    return render(request, "plans/plan_form.html", {"pupil": pupil, "form": form, "title": "New plan"})


def edit_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_user(request.user, plan_id)
    _require(access.may_edit_plan(request.user, plan))
    form = PlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            kept = services.edit_plan(
                plan=plan,
                by=request.user,
                version=form.cleaned_data["version"],
                outcomes=form.outcome_texts(),
                **form.plan_content(),
            )
        except services.PlanError as error:
            form.add_error(None, str(error))
        except EditConflict as conflict:
            form.conflict(conflict)
        else:
            messages.success(request, "Plan saved." + (" The previous version is kept." if kept else ""))
            return redirect("plan", plan_id=plan.pk)
    audit.record_view(actor=request.user, pupil=plan.pupil, what="plan")
    return render(
        request, "plans/plan_form.html", {"pupil": plan.pupil, "plan": plan, "form": form, "title": "Change plan"}
    )


@require_POST
def change_plan_state(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_user(request.user, plan_id)
    _require(access.may_edit_plan(request.user, plan))
    try:
        services.set_plan_state(plan=plan, state=request.POST.get("state", ""), by=request.user)
    except services.PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The plan is now {plan.get_state_display().lower()}.")
    return redirect("plan", plan_id=plan.pk)


def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A plan, its targets with their status, and what it said on an earlier date (?on=YYYY-MM-DD)."""
    plan = _plan_for_user(request.user, plan_id)
    audit.record_view(actor=request.user, pupil=plan.pupil, what="plan")
    today = timezone.localdate()
    window = current_window(plan.pupil.school, today)
    targets = services.with_progress(plan.targets.all(), window=window, school=plan.pupil.school_id)
    content, on = None, request.GET.get("on")
    if on:
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(on), dt.time.max, tzinfo=timezone.get_current_timezone())
        except ValueError:
            messages.error(request, "Enter the date as YYYY-MM-DD")
        else:
            content = plan.as_of(moment)
            if content is None:
                messages.info(request, f"The plan did not exist on {moment:%d %B %Y}.")
    return render(
        request,
        "plans/plan.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "targets": targets,
            "versions": plan.versions.select_related("saved_by"),
            "as_of": content,
            "as_of_date": on,
            "can_write": access.may_edit_plan(request.user, plan),
            "outcomes": plan.outcomes.all(),
        },
    )


# --- Targets ---------------------------------------------------------------------------------


def _target_form(request: HttpRequest, plan: Plan, target: Target | None) -> HttpResponse:
    form = TargetForm(request.POST or None, plan=plan, target=target)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        steps = data.pop("small_steps").splitlines()
        try:
            saved = services.save_target(plan=plan, by=request.user, target=target, small_steps=steps, **data)
        except services.PlanError as error:
            form.add_error(None, str(error))
        except EditConflict as conflict:
            form.conflict(conflict)
        else:
            warned = services.target_smart_warnings(saved)
            messages.success(request, "Target saved." + (" Check the SMART warnings below." if warned else ""))
            return redirect("target", target_id=saved.pk)
    audit.record_view(actor=request.user, pupil=plan.pupil, what="target" if target else "plan")
    return render(
        request,
        "plans/target_form.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "form": form,
            "target": target,
            "warnings": form.smart_warnings(),
            "title": "Change target" if target else "New target",
        },
    )


@require_POST
def smart_check(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The SMART warnings for a target being written (htmx, as the writer moves between fields)."""
    plan = _plan_for_user(request.user, plan_id)
    _require(access.may_edit_plan(request.user, plan))
    form = TargetForm(request.POST, plan=plan)
    return render(request, "plans/smart_warnings.html", {"warnings": form.smart_warnings()})


def new_target(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_user(request.user, plan_id)
    _require(access.may_edit_plan(request.user, plan))
    return _target_form(request, plan, None)


def edit_target(request: HttpRequest, target_id: int) -> HttpResponse:
    target = _target_for_user(request.user, target_id)
    _require(access.may_edit_target(request.user, target))
    return _target_form(request, target.plan, target)


def target_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    """A target: its status, a chart and table of its reviews, its small steps, and a review form."""
    target = _target_for_user(request.user, target_id)
    pupil = target.pupil
    audit.record_view(actor=request.user, pupil=pupil, what="target")
    window = current_window(pupil.school, timezone.localdate())
    target = services.with_progress(Target.objects.filter(pk=target.pk), window=window, school=pupil.school_id)[0]
    target.pupil = pupil
    for review in target.review_list:
        review.target = target
    form = NewReviewForm(request.POST or None, target=target)
    may_review = access.may_review(request.user, target)
    if request.method == "POST":
        _require(may_review)
        save = partial(services.record_review, target=target, by=request.user)
        done = saved_form(
            request,
            form,
            save,
            errors=services.PlanError,
            done="Review saved.",
            then=reverse("target", args=[target.pk]),
            field="date",
        )
        if done:
            return done
    return render(
        request,
        "plans/target.html",
        {
            "target": target,
            "pupil": pupil,
            "form": form,
            "can_review": may_review,
            "can_write": access.may_edit_target(request.user, target),
            "warnings": services.target_smart_warnings(target),
            "chart": charts.target_chart(target),
            "evidence_notes": target.evidence_notes.order_by("-date", "-pk")[:50],
            "voice": target.voice_entries.select_related("recorded_by").order_by("-date", "-pk")[:20],
            "today": timezone.localdate(),
        },
    )


def _review_for_user(user, review_id: int) -> tuple[Review, Target]:
    target_id = Review.objects.filter(pk=review_id).values_list("target_id", flat=True).first()
    if target_id is None:
        raise Http404("No such review")
    target = _target_for_user(user, target_id)
    review = get_object_or_404(Review, pk=review_id)
    review.target = target
    _require(access.may_correct_review(user, review))
    return review, target


def _removed_review(request: HttpRequest, review_id: int) -> HttpResponse | None:
    """A correction posted from a page opened before the review was removed: say so, on the target's page."""
    removals = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, record_type="target review")
    event = removals.filter(record_id=str(review_id)).first()
    target_id = (event.changes.get("target") or [None])[0] if event else None
    if request.method != "POST" or event is None or event.pupil_id is None or target_id is None:
        return None
    target = _target_for_user(request.user, target_id)  # need to know, as for the review itself
    _require(access.may_review(request.user, target))
    by, at = last_change("target review", review_id)
    error = EditConflict(what="review", record=None, by=by, at=at)
    posted = ", ".join(f"{name} “{request.POST[name]}”" for name in ("value", "comment") if request.POST.get(name))
    messages.error(request, f"{error} Your correction was not saved" + (f" ({posted})." if posted else "."))
    return redirect("target", target_id=target.pk)


def correct_review(request: HttpRequest, review_id: int) -> HttpResponse:
    """Correct a review typed in error, or remove it (either refused if it changed since the page was opened)."""
    if not Review.objects.filter(pk=review_id).exists() and (gone := _removed_review(request, review_id)):
        return gone
    review, target = _review_for_user(request.user, review_id)
    form = CorrectReviewForm(request.POST or None, target=target, review=review)
    if request.method == "POST":
        if "delete" in request.POST:
            seen = request.POST.get("version", "")
            try:
                services.delete_review(review=review, by=request.user, version=int(seen) if seen.isdecimal() else None)
            except EditConflict as conflict:
                if conflict.record is None:
                    messages.info(request, str(conflict))
                    return redirect("target", target_id=target.pk)
                messages.error(
                    request, f"{conflict} Nothing was removed: check the review below, then remove it again."
                )
                form = CorrectReviewForm(target=target, review=conflict.record)
                return _review_page(request, form, conflict.record, target)
            messages.success(request, "Review removed.")
            return redirect("target", target_id=target.pk)
        save = partial(services.correct_review, review=review, by=request.user)
        done = saved_form(
            request,
            form,
            save,
            errors=services.PlanError,
            done="Review corrected.",
            then=reverse("target", args=[target.pk]),
            field="date",
        )
        if done:
            return done
    return _review_page(request, form, review, target)


def _review_page(request: HttpRequest, form, review: Review, target: Target) -> HttpResponse:
    context = {"form": form, "review": review, "target": target, "pupil": target.pupil}
    audit.record_view(actor=request.user, pupil=target.pupil, what="review")
    return render(request, "plans/review_form.html", context)


@require_POST
def roll_over(request: HttpRequest, target_id: int) -> HttpResponse:
    target = _target_for_user(request.user, target_id)
    _require(access.may_roll_over(request.user, target))
    new = services.roll_over_target(target=target, by=request.user, on=timezone.localdate())
    messages.success(request, "Target rolled over: the new one starts from the latest value.")
    return redirect("target", target_id=new.pk)


@require_POST
def tick_small_step(request: HttpRequest, target_id: int, step_id: int) -> HttpResponse:
    target = _target_for_user(request.user, target_id)
    _require(access.may_review(request.user, target))
    step = get_object_or_404(SmallStep, pk=step_id, target=target)
    step.target = target
    done = request.POST.get("done") == "1"
    services.tick_small_step(step=step, achieved_on=timezone.localdate() if done else None, by=request.user)
    return redirect("target", target_id=target.pk)


# --- Bulk review entry, class overview, SMART list ---------------------------------------------


def _visible_targets(request: HttpRequest, school, group: TeachingGroup | None):
    pupils = Pupil.objects.visible_to(request.user).filter(school=school).on_roll()
    if group is not None:
        today = timezone.localdate()
        in_group = GroupMembership.objects.filter(group=group).exclude(ends_on__lt=today).values("pupil_id")
        pupils = pupils.filter(pk__in=in_group)
    return (
        Target.objects.current()
        .filter(pupil__in=pupils)
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pupil_id", "plan_id", "position", "pk")
    )


def _group_choice(request: HttpRequest, school):
    year = school.current_academic_year()
    groups = list(TeachingGroup.objects.filter(academic_year=year)) if year else []
    wanted = query_value(request, "group", IdField())
    chosen = next((g for g in groups if g.pk == wanted), None)
    if wanted and chosen is None:
        raise BadQuery(["'group': choose a class or group of this school this year"])
    return groups, chosen


YES = forms.ChoiceField(choices=[("", "all"), ("yes", "yes")], required=False)
REVIEW_PAGE_SIZE = 50  # rows a page: each row is a form, and a SENCO's whole school can be hundreds


def review_entry(request: HttpRequest, urn: str) -> HttpResponse:
    """Every current target of the pupils this person may see, due for review this half term,
    with the previous value: one row each, saved as they go. A fixed number of queries."""
    school = get_school_for_user(request.user, urn, pupils=True)
    groups, group = _group_choice(request, school)
    window = current_window(school, timezone.localdate())
    due = _visible_targets(request, school, group)
    if request.GET.get("show") != "all":  # the summary field says which have had this half term's review
        due = due.exclude(last_reviewed_on__gte=window.starts_on)
    page = Paginator(due, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [t.pk for t in page.object_list.only("pk")]
    targets = services.with_progress(due.filter(pk__in=ids), window=window, school=school.pk)
    for target in targets:
        target.once = new_token()  # each row's form saves once, however often it is posted
    query = request.GET.copy()
    query.pop("page", None)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="target review list",
        school=school,
        summary=f"Opened review entry ({page.paginator.count} targets)",
    )
    return render(
        request,
        "plans/review_entry.html",
        {
            "school": school,
            "targets": targets,
            "groups": groups,
            "group": group,
            "window": window,
            "show_all": request.GET.get("show") == "all",
            "today": window.today,
            "page": page,
            "query": query.urlencode(),
        },
    )


def _row_date(data) -> dt.date:
    """The review date from a row's day, month and year boxes: today when all three are empty."""
    parts = [data.get(f"date_{part}", "") for part in ("day", "month", "year")]
    return ThreePartDateField(label="Review date", required=False).clean(parts) or timezone.localdate()


def _row_warning(target: Target, raw: str, date: dt.date) -> str:
    """Why a row's value looks wrong (trellis.plans.plausibility), or "" (also when it is not on the
    scale: record_review says so)."""
    try:
        value = parse_value(target.scale, raw)
    except ScaleError:
        return ""
    latest = target.reviews.order_by("-date", "-pk").values_list("value", flat=True).first()
    age = plausibility.age_in_months(target.pupil.date_of_birth, date)
    return plausibility.warning_for(target.scale, value, previous=latest or target.baseline_value, age_months=age)


@require_POST
def review_row(request: HttpRequest, target_id: int) -> HttpResponse:
    """Save one row of review entry: the row again (htmx) or back to the page (no JavaScript)."""
    target = _target_for_user(request.user, target_id)
    pupil = target.pupil
    _require(access.may_review(request.user, target))
    error, warning, repeated = "", "", False
    try:
        date = _row_date(request.POST)
    except ValidationError as problem:
        error = date_error = problem.messages[0]
    else:
        date_error = ""
    if not error and not request.POST.get("confirm"):
        warning = _row_warning(target, request.POST.get("value", ""), date)
    if not error and not warning:
        try:
            services.record_review(
                target=target,
                by=request.user,
                date=date,
                value=request.POST.get("value", ""),
                comment=request.POST.get("comment", ""),
                once=request.POST.get("once", "")[:255],
            )
        except (ScaleError, services.PlanError) as problem:
            error = str(problem)
        except AlreadySaved:
            repeated = True
    if request.htmx:
        window = current_window(pupil.school, timezone.localdate())
        row = services.with_progress(Target.objects.filter(pk=target.pk), window=window, school=pupil.school_id)[0]
        row.pupil = pupil
        kept = error or warning
        row.once = request.POST.get("once", "") if kept else new_token()
        context = {
            "t": row,
            "error": "" if date_error else error,
            "date_error": date_error,
            "warning": warning,
            "saved": not kept,
            "today": window.today,
            "posted": request.POST if kept else {},
            "next": request.POST.get("next", ""),
        }
        response = render(request, "plans/review_entry.html#row", context)
        response["Vary"] = "HX-Request"
        return response
    if error:
        messages.error(request, f"{pupil.full_name}: {error}")
    elif warning:
        messages.warning(
            request, f"{pupil.full_name}: not saved. {warning} If the value is right, record it on the target's page."
        )
    elif repeated:
        messages.info(request, f"{pupil.full_name}: this review was already saved.")
    else:
        messages.success(request, f"Review saved for {pupil.full_name}: {target.description[:60]}")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("review-entry", urn=pupil.school.urn)


def class_overview(request: HttpRequest, urn: str) -> HttpResponse:
    """Every current target of a class (or of all the pupils this person may see) with its status."""
    school = get_school_for_user(request.user, urn, pupils=True)
    groups, group = _group_choice(request, school)
    window = current_window(school, timezone.localdate())
    visible = _visible_targets(request, school, group)
    only_stuck = query_value(request, "stuck", YES) == "yes"
    if only_stuck:  # the home page's to-do count links here: stuck as the dashboards count it
        visible = visible.filter(STILL_STUCK)
    targets = services.with_progress(visible, window=window, school=school.pk)
    counts = dict.fromkeys(Status, 0)
    for t in targets:
        counts[t.progress.status] += 1
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="target overview",
        school=school,
        summary=f"Viewed the targets overview ({len(targets)} {'stuck ' if only_stuck else ''}targets)"
        + (f" for {group}" if group else ""),
    )
    return render(
        request,
        "plans/overview.html",
        {
            "school": school,
            "targets": targets,
            "groups": groups,
            "group": group,
            "counts": [(s, s.label, n) for s, n in counts.items()],
            "stuck": sum(t.progress.stuck for t in targets),
            "only_stuck": only_stuck,
        },
    )


def smart_list(request: HttpRequest, urn: str) -> HttpResponse:
    """For the SENCO: current targets that the SMART check warns about."""
    school = get_school_for_user(request.user, urn, pupils=True)
    _require(access.may_see_smart_list(request.user, school))
    targets = (
        Target.objects.current()
        .filter(pupil__in=Pupil.objects.visible_to(request.user).filter(school=school))
        .select_related("pupil", "scale")
        .order_by("pupil__legal_surname", "pk")
    )
    rows = [(t, w) for t in targets if (w := services.target_smart_warnings(t))]
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="SMART check list",
        school=school,
        summary=f"{len(rows)} targets with warnings",
    )
    return render(request, "plans/smart_list.html", {"school": school, "rows": rows})


def pupil_progress(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Every target of a pupil over time: one chart and one table."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what="progress")
    window = current_window(pupil.school, timezone.localdate())
    targets = services.with_progress(
        Target.objects.filter(pupil=pupil).exclude(plan__state=Plan.State.DRAFT), window=window, school=pupil.school_id
    )
    return render(
        request,
        "plans/pupil_progress.html",
        {"pupil": pupil, "targets": targets, "chart": charts.pupil_chart(targets)},
    )


def pupil_plans(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what="plans")
    plans = pupil.plans.prefetch_related(Prefetch("outcomes", queryset=EhcOutcome.objects.all()))
    return render(
        request,
        "plans/pupil_plans.html",
        {"pupil": pupil, "plans": plans, "can_write": access.may_write_plan(request.user, pupil)},
    )
