"""`{% may "action" record as allowed %}`: the one template tag for every write rule.

It calls `may_<action>(request.user, record)` from the apps' access modules, the same function the
view and the API call, so a link is shown exactly when following it is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from django import template

register = template.Library()

POLICY_MODULES = [
    "trellis.pupils.access",
    "trellis.plans.access",
    "trellis.evidence.access",
    "trellis.identification.access",
    "trellis.assessment.access",
    "trellis.transfer.access",
    "trellis.provision.access",
    "trellis.meetings.access",
    "trellis.deadlines.access",
    "trellis.families.access",
    "trellis.specialists.access",
    "trellis.documents.access",
    "trellis.dashboards.access",
]


@cache
def rules() -> dict[str, Callable[[Any, Any], bool]]:
    """Every `may_*` rule by its action name ("edit_plan" for may_edit_plan)."""
    found = {}
    for path in POLICY_MODULES:
        module = import_module(path)
        for name in dir(module):
            if name.startswith("may_") and getattr(module, name).__module__ == path:
                found[name.removeprefix("may_")] = getattr(module, name)
    return found


def may(user, action: str, record) -> bool:
    try:
        rule = rules()[action]
    except KeyError:
        raise template.TemplateSyntaxError(f"No write rule called may_{action}") from None
    return rule(user, record)


@register.simple_tag(name="may", takes_context=True)
def may_tag(context, action: str, record) -> bool:
    return may(context["request"].user, action, record)
