"""Deadline pages: a school's list, a trust's, one pupil's, the SENCO's forms and the calendar feed.
Thin: need to know from trellis.pupils.access, rules from trellis.deadlines.schedule, audited reads."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.models import Role
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.disclosure import NOTE, suppressed_for
from trellis.lib.forms import Form, saved_form
from trellis.lib.query import audited_query, check_query
from trellis.pupils.access import (
    get_pupil_for_user,
    get_school_for_user,
    schools_for_aggregates,
    scope_for,
    whole_schools,
)
from trellis.pupils.models import Pupil

from . import rules, services
from .access import may_record_deadlines
from .forms import NewRequestForm, RequestForm, ReviewForm, SupportReviewForm
from .ical import calendar
from .models import AnnualReview, CalendarFeed, EhcAssessmentRequest
from .schedule import counts, deadlines, due_soon_days
from .share import MEASURES, on_time_rows


class FilterForm(Form):
    kind = forms.ChoiceField(choices=[("", "All"), *rules.KINDS.items()], required=False)
    status = forms.ChoiceField(choices=[("", "All"), *rules.STATUSES.items()], required=False)


def school_deadlines(request: HttpRequest, urn: str) -> HttpResponse:
    """Every statutory deadline of the pupils this person may see at the school (all of them for the
    SENCO and leaders, their own pupils for a teacher), soonest first."""
    school = get_school_for_user(request.user, urn, pupils=True)
    chosen = check_query(FilterForm(request.GET))
    today = timezone.localdate()
    pupils = Pupil.objects.visible_to(request.user).filter(school=school)
    everything = deadlines(pupils, today=today)
    shown = [
        d for d in everything if d.kind == (chosen["kind"] or d.kind) and d.status == (chosen["status"] or d.status)
    ]
    tally = counts(everything)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="deadline list",
        school=school,
        summary="Viewed the list of statutory deadlines",
        changes={"filters": [None, audited_query(request)]} if request.GET else None,
    )
    return render(
        request,
        "deadlines/school.html",
        {
            "school": school,
            "deadlines": shown,
            "tally": [(code, label, tally[code]) for code, label in rules.STATUSES.items()],
            "form": FilterForm(request.GET or None),
            "due_soon_days": due_soon_days(),
            "whole_school": whole_schools(request.user, {school.pk}),
        },
    )


def trust_deadlines(request: HttpRequest) -> HttpResponse:
    """For those who see whole schools: the share of reviews done on time by school (withheld as the
    disclosure rule says for a governor) and, for those who may see names, the overdue deadlines."""
    schools = [s for s in schools_for_aggregates(request.user) if whole_schools(request.user, {s.pk})]
    if not schools:
        raise Http404("No such page")
    today = timezone.localdate()
    hide_small = suppressed_for(request.user, [s.pk for s in schools])
    context = {
        "schools": schools,
        "rows": on_time_rows(schools, today, hide_small=hide_small),
        "measures": MEASURES.values(),
        "hide_small": hide_small,
        "note": NOTE,
        "period_start": rules.add_months(today, -12),
        "today": today,
    }
    if not hide_small:
        pupils = Pupil.objects.visible_to(request.user).filter(school__in=schools)
        found = deadlines(pupils, today=today)
        by_school = {s.pk: counts([]) for s in schools}
        for d in found:
            by_school[d.pupil.school_id][d.status] += 1
        context["by_school"] = [(s, by_school[s.pk]) for s in schools]
        context["overdue"] = [d for d in found if d.status == rules.OVERDUE]
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            record_type="deadline list",
            summary=f"Viewed the trust's statutory deadlines ({len(schools)} schools)",
        )
    return render(request, "deadlines/trust.html", context)


def _managed_pupil(request: HttpRequest, pupil_id: int) -> Pupil:
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_record_deadlines(request.user, pupil):
        raise Http404("No such page")
    return pupil


def pupil_deadlines(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id)
    today = timezone.localdate()
    found = deadlines(Pupil.objects.filter(pk=pupil.pk), today=today)
    audit.record_view(actor=request.user, pupil=pupil, what="statutory deadlines")
    plan = services.current_plan(pupil)
    return render(
        request,
        "deadlines/pupil.html",
        {
            "pupil": pupil,
            "deadlines": found,
            "plan": plan,
            "requests": list(pupil.ehc_requests.all()),
            "reviews": list(pupil.annual_reviews.all()),
            "support_reviews": list(pupil.support_reviews.all()),
            "adulthood": (pupil.nc_year or 0) >= rules.ADULTHOOD_FROM_YEAR,
            "can_manage": may_record_deadlines(request.user, pupil),
        },
    )


def _form_page(request, pupil, form, title: str, **extra) -> HttpResponse:
    audit.record_view(actor=request.user, pupil=pupil, what="statutory deadlines")
    return render(request, "deadlines/form.html", {"pupil": pupil, "form": form, "title": title, **extra})


def new_request(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _managed_pupil(request, pupil_id)
    form = NewRequestForm(request.POST or None)
    save = partial(services.start_request, pupil=pupil, by=request.user, today=timezone.localdate())
    then = reverse("pupil-deadlines", args=[pupil.pk])
    done = saved_form(request, form, save, errors=services.DeadlineError, done="Request recorded.", then=then)
    return done or _form_page(request, pupil, form, "Record a request for an EHC needs assessment")


def edit_request(request: HttpRequest, request_id: int) -> HttpResponse:
    record = get_object_or_404(EhcAssessmentRequest, pk=request_id)
    pupil = _managed_pupil(request, record.pupil_id)
    record.pupil = pupil
    initial = {name: getattr(record, name) for name in services.REQUEST_FIELDS} | {"version": record.version}
    form = RequestForm(request.POST or None, initial=initial)
    save = partial(services.update_request, request=record, by=request.user, today=timezone.localdate())
    then = reverse("pupil-deadlines", args=[pupil.pk])
    done = saved_form(request, form, save, errors=services.DeadlineError, done="Steps saved.", then=then)
    return done or _form_page(request, pupil, form, "EHC needs assessment request", record=record)


def edit_review(request: HttpRequest, pupil_id: int, annual_review_id: int | None = None) -> HttpResponse:
    """The current annual review of the pupil's plan (started on first save), or an earlier one."""
    pupil = _managed_pupil(request, pupil_id)
    plan = services.current_plan(pupil)
    if plan is None:
        raise Http404("No EHC plan")
    if annual_review_id is None:
        review = plan.annual_reviews.filter(due_on=plan.next_annual_review_due).first()
    else:
        review = get_object_or_404(AnnualReview, pk=annual_review_id, plan=plan)
    initial = (
        {name: getattr(review, name) for name in services.REVIEW_FIELDS} | {"version": review.version}
        if review
        else None
    )
    form = ReviewForm(request.POST or None, initial=initial)
    save = partial(services.record_review, plan=plan, review=review, by=request.user, today=timezone.localdate())
    then = reverse("pupil-deadlines", args=[pupil.pk])
    done = saved_form(request, form, save, errors=services.DeadlineError, done="Annual review saved.", then=then)
    due = review.due_on if review else plan.next_annual_review_due
    invitees = (review or AnnualReview()).invitees()
    title = f"Annual review due {due:%-d %B %Y}"
    adulthood = (pupil.nc_year or 0) >= rules.ADULTHOOD_FROM_YEAR
    return done or _form_page(request, pupil, form, title, invitees=invitees, adulthood=adulthood)


def new_support_review(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _managed_pupil(request, pupil_id)
    form = SupportReviewForm(request.POST or None)
    save = partial(services.record_support_review, pupil=pupil, by=request.user, today=timezone.localdate())
    then = reverse("pupil-deadlines", args=[pupil.pk])
    done = saved_form(request, form, save, errors=services.DeadlineError, done="Review recorded.", then=then)
    return done or _form_page(request, pupil, form, "Record a SEN support review")


# --- The calendar feed ---------------------------------------------------------------------------


def responsible_schools(user) -> set[int]:
    """The schools whose statutory steps this person answers for: where they are the SENCO."""
    return scope_for(user).schools_with({Role.SENCO})


def calendar_link(request: HttpRequest) -> HttpResponse:
    """Make (or remake) and revoke one's private calendar link; the link is shown once."""
    link = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_links(user=request.user)
            messages.success(request, "Your calendar link no longer works.")
            return redirect("calendar-link")
        link = request.build_absolute_uri(
            reverse("calendar-feed", args=[services.new_calendar_link(user=request.user)])
        )
    live = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(
        request,
        "deadlines/calendar.html",
        {"link": link, "live": live, "responsible": bool(responsible_schools(request.user))},
    )


@login_not_required
def calendar_feed(request: HttpRequest, key: str) -> HttpResponse:
    """The feed behind a private link (no sign-in: calendar apps cannot sign in, so the entries carry
    only initials and a link that needs sign-in). A revoked or unknown link is a 404."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(key_hash=CalendarFeed.hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar")
    user = feed.user
    today = timezone.localdate()
    schools = responsible_schools(user)
    pupils = Pupil.objects.visible_to(user).filter(school_id__in=schools)
    found = [d for d in deadlines(pupils, today=today) if d.is_open and d.rule.owner == rules.SCHOOL]
    planned = (
        AnnualReview.objects.filter(pupil__in=pupils.on_roll(today), meeting_on__gte=today, held_on__isnull=True)
        .select_related("pupil")
        .order_by("meeting_on", "pk")
    )
    meetings = [(review.pupil, review.meeting_on) for review in planned]
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    for school in sorted(schools):
        audit.record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            record_type="calendar feed",
            school=school,
            summary="Calendar feed read (initials only)",
            via="calendar",
        )
    base = request.build_absolute_uri("/")[:-1]
    body = calendar(
        found,
        meetings,
        link=lambda pupil: base + reverse("pupil-deadlines", args=[pupil.pk]),
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="trellis-deadlines.ics"'
    return response
