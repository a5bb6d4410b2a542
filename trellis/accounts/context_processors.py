"""Navigation for the page header: only links the signed-in user may follow."""

from __future__ import annotations

from django.urls import reverse

from trellis.accounts.models import Role
from trellis.pupils.access import WHOLE_SCHOOL_ROLES, schools_for_aggregates, schools_with_pupil_access, scope_for

MEETING_ROLES = {Role.SENCO, Role.TEACHER}  # who schedules and records progress meetings


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    context = {"nav_links": []}
    if user is None or not user.is_authenticated:
        return context
    links = []
    aggregate = list(schools_for_aggregates(user).values_list("urn", flat=True)[:2])
    with_pupils = list(schools_with_pupil_access(user).values_list("urn", flat=True)[:2])
    scope = scope_for(user)
    leads = bool(scope.schools_with(WHOLE_SCHOOL_ROLES) or scope.trust_ids) or user.is_superuser
    if len(aggregate) > 1 or len(with_pupils) > 1:
        links.append(("Schools", reverse("home")))
        if leads:
            links.append(("Deadlines", reverse("deadlines-trust")))
    else:
        if aggregate:
            links.append(("Overview", reverse("school", args=[aggregate[0]])))
        if with_pupils:
            links.append(("SEN register", reverse("register", args=[with_pupils[0]])))
            links.append(("Review targets", reverse("review-entry", args=[with_pupils[0]])))
            links.append(("Concerns", reverse("concerns", args=[with_pupils[0]])))
            if leads:
                links.append(("Deadlines", reverse("deadlines", args=[with_pupils[0]])))
            links.append(("Provision map", reverse("provision-map", args=[with_pupils[0]])))
            if scope_for(user).schools_with(MEETING_ROLES):  # no query: the scope is read once a request
                links.append(("Progress meetings", reverse("meetings", args=[with_pupils[0]])))
    if scope.schools_with({Role.SENCO}):  # the SENCO approves deleting SEN files past retention
        links.append(("Retention", reverse("retention")))
    if aggregate and not leads and scope.schools_with({Role.GOVERNOR}):
        links.append(("Reviews on time", reverse("deadlines-trust")))
    if aggregate:
        links.append(("Dashboards", reverse("dashboard")))
    if scope.schools_with({Role.SPECIALIST}):  # no query: the scope is read once a request
        links.insert(0, ("Shared with you", reverse("specialist-home")))
    # A parent or carer: their children's pages, never staff links. Asked only of someone with no
    # staff link, so staff pages ask no extra query (a member of staff who is also a parent opens
    # /family/ from their account page).
    if not links and scope_for(user).children:
        links.append(("Your children", reverse("family-home")))
    elif not links and hasattr(user, "pupil_login"):  # a pupil's own sign-in: their page only
        links.append(("My page", reverse("pupil-own")))
    if user.is_staff:
        links.append(("Administration", reverse("admin:index")))
    path = request.path
    context["nav_links"] = [{"label": label, "url": url, "current": path == url} for label, url in links]
    return context
