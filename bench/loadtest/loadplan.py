"""What the load test's people do, apart from locust (so that the suite can test it without
gevent): the plan of who signs in and what each may open, built from the seeded database through
the app's own access rules, and the review form read from a target's page as a browser reads it."""

from __future__ import annotations

import random
from html.parser import HTMLParser

PASSWORD = "trellis-demo"  # noqa: S105  (the demo's published password: trellis.demo.logins)
COMMENT_MARK = "Load test "  # every review a load user saves has this comment, then a unique id
TARGETS_PER_PERSON = 8


class FormFields(HTMLParser):
    """The fields a browser would post from the page's form that has a one-time token (`once`):
    hidden and text inputs with their values, textareas, checked radios."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = {}
        elif self._current is None:
            return
        elif tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            if kind not in ("submit", "button", "file"):
                self._current[attributes["name"]] = attributes.get("value", "")
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = attributes["name"]
            self._current[self._textarea] = ""

    def handle_data(self, data):
        if self._current is not None and self._textarea:
            self._current[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def review_form(html: str) -> dict[str, str] | None:
    """The new-review form of a target's page (the one form with a one-time token), or None."""
    parser = FormFields()
    parser.feed(html)
    return next((form for form in parser.forms if "once" in form and "value" in form), None)


def build_plan(users: int) -> dict:
    """Who signs in and what each may open, from the seeded database through the app's own
    access rules: staff with current targets they may review, leaders with their dashboards."""
    from trellis.accounts.models import Membership, Role, TrustMembership
    from trellis.assessment.scales import ScaleError, parse_value
    from trellis.plans import access
    from trellis.plans.models import Plan, Target
    from trellis.pupils.models import Pupil

    rng = random.Random(7)
    staff, leaders = [], []
    memberships = list(
        Membership.objects.filter(role__in=[Role.TEACHER, Role.TA, Role.SENCO])
        .select_related("user", "school")
        .order_by("pk")
    )
    rng.shuffle(memberships)
    seen = set()
    for membership in memberships:
        # As many people as load users, where the demo has them: each load user is a different person.
        if len(staff) >= users:
            break
        if membership.user_id in seen:
            continue
        seen.add(membership.user_id)
        user = membership.user
        visible = Pupil.objects.visible_to(user).filter(school=membership.school)
        current = Target.objects.filter(pupil__in=visible, closed_on=None, plan__state=Plan.State.ACTIVE)
        targets = list(current.select_related("scale", "plan", "pupil").order_by("pk"))
        chosen = []
        for target in rng.sample(targets, min(len(targets), TARGETS_PER_PERSON)):
            if not access.may_review(user, target):
                continue
            values = []
            for raw in {target.baseline_value, target.target_value} - {""}:
                try:
                    values.append(parse_value(target.scale, raw))
                except ScaleError:
                    continue
            if values:
                chosen.append({"id": target.pk, "pupil": target.pupil_id, "values": sorted(values)})
        if chosen:
            staff.append(
                {"username": user.username, "password": PASSWORD, "school": membership.school.urn, "targets": chosen}
            )
    # Trust leads first: the load test hands logins out in turn, and there are fewer leader users than heads.
    for membership in TrustMembership.objects.select_related("user").order_by("pk"):
        leaders.append(
            {"username": membership.user.username, "password": PASSWORD, "dashboards": ["/dashboards/trust/"]}
        )
    for membership in (
        Membership.objects.filter(role=Role.SENIOR_LEADER).select_related("user", "school").order_by("pk")
    ):
        school = f"/dashboards/schools/{membership.school.urn}/"
        leaders.append(
            {
                "username": membership.user.username,
                "password": PASSWORD,
                "dashboards": [school, f"{school}?group_by=need,sex"],
            }
        )
    if not staff or not leaders:
        raise RuntimeError("the demo trust has no staff with targets to review, or no leaders")
    return {"staff": staff, "leaders": leaders}


def pupil_path(target: dict) -> str:
    return f"/pupils/{target['pupil']}/"


def target_path(target: dict) -> str:
    """The target's page, whose form saves a review (posted back to the same address)."""
    return f"/targets/{target['id']}/"


def bulk_review_path(login: dict) -> str:
    return f"/schools/{login['school']}/reviews/"
