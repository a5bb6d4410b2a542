"""The plans section of the pupil page, loaded here so the pupils app needs only one include."""

from __future__ import annotations

from django import template
from django.utils import timezone

from trellis.assessment.models import Assessment
from trellis.plans import access, services
from trellis.plans.models import Plan, Target
from trellis.plans.progress import GLOSSARY, PUPIL_STATUS, current_window

register = template.Library()


@register.inclusion_tag("plans/pupil_section.html", takes_context=True)
def pupil_plans_section(context, pupil) -> dict:
    """The active plans, their targets and status: a fixed number of queries however many targets."""
    user = context["request"].user
    window = current_window(pupil.school, timezone.localdate())
    plans = list(pupil.plans.filter(state=Plan.State.ACTIVE))
    targets = services.with_progress(
        Target.objects.filter(plan__in=[p.pk for p in plans]).current(), window=window, school=pupil.school_id
    )
    for plan in plans:
        plan.current_targets = [t for t in targets if t.plan_id == plan.pk]
    return {
        "pupil": pupil,
        "plans": plans,
        "other_plans": pupil.plans.exclude(state=Plan.State.ACTIVE).count(),
        "can_write": access.may_write_plan(user, pupil),
        "assessments": Assessment.objects.filter(pupil=pupil)
        .select_related("scale", "assessment_point")
        .prefetch_related("scale__steps")[:12],
    }


@register.inclusion_tag("plans/status_glossary.html")
def status_glossary(pupils: bool = False) -> dict:
    """{% status_glossary %}: what each status (and Stuck) means, beside every status shown;
    `pupils=True` adds how a pupil's status follows from their targets'."""
    return {"terms": GLOSSARY.items(), "pupils": pupils, "pupil_status": PUPIL_STATUS}


@register.filter
def on_scale(value: str | None, scale) -> str:
    """{{ review.value|on_scale:target.scale }}: the value as people read it ("Need to try something
    different", not "try-something-different"). Needs the scale's steps loaded (scales_by_id)."""
    return scale.display_value(value) if value and scale is not None else value
