"""The lists behind the to-do counts that no other page gives, and the weekly email's switch."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.access import get_school_for_user

from . import digest, items


def plans_past_review(request: HttpRequest, urn: str) -> HttpResponse:
    """Active plans of the pupils this person may see whose review date has passed, oldest first."""
    school = get_school_for_user(request.user, urn, pupils=True)
    today = timezone.localdate()
    plans = list(items.past_review_plans(request.user, school, today).select_related("pupil"))
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="plans past review list",
        school=school,
        summary=f"Viewed the plans past their review date ({len(plans)} plans)",
    )
    return render(request, "todo/plans_past_review.html", {"school": school, "plans": plans, "today": today})


@require_POST
def weekly_email(request: HttpRequest) -> HttpResponse:
    """Turn the weekly to-do email on or off (the form sends on=yes or on=no)."""
    wanted = request.POST.get("on")
    if wanted not in ("yes", "no"):
        messages.error(request, "Choose whether to get the weekly email: nothing was changed.")
        return redirect("account")
    digest.set_opt_in(request.user, wanted == "yes")
    messages.success(request, "You will get the weekly to-do email." if wanted == "yes" else "Weekly email turned off.")
    return redirect("account")
