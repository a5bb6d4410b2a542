"""The provision section of the pupil page, loaded here so the pupils app needs only one include."""

from __future__ import annotations

from django import template

from trellis.provision.access import visible_enrolments

register = template.Library()


@register.inclusion_tag("provision/pupil_section.html", takes_context=True)
def pupil_provision_section(context, pupil) -> dict:
    """The latest interventions (the page itself has audited the view of the record)."""
    user = context["request"].user
    enrolments = (
        visible_enrolments(user).filter(pupil=pupil).select_related("group__intervention").order_by("-starts_on")[:6]
    )
    return {"pupil": pupil, "enrolments": enrolments}
