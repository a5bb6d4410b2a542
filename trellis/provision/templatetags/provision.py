"""The provision section of the pupil page, loaded here so the pupils app needs only one include."""

from __future__ import annotations

from django import template

from trellis.provision.access import visible_enrolments
from trellis.transfer.models import PastProvision

register = template.Library()


@register.inclusion_tag("provision/pupil_section.html", takes_context=True)
def pupil_provision_section(context, pupil) -> dict:
    """The latest interventions (the page itself has audited the view of the record)."""
    user = context["request"].user
    enrolments = (
        visible_enrolments(user).filter(pupil=pupil).select_related("group__intervention").order_by("-starts_on")[:6]
    )
    # Interventions at a previous school, from a transition package: a record, not one of our groups.
    past = PastProvision.objects.filter(pupil=pupil).select_related("arrival")
    return {"pupil": pupil, "enrolments": enrolments, "past": past}
