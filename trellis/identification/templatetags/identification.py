"""The pupil profile's concerns block, included with one line in pupils/profile.html."""

from __future__ import annotations

from django import template

from trellis.identification.access import may_correct_concern, may_raise_concern
from trellis.identification.models import Concern

register = template.Library()


@register.inclusion_tag("identification/profile_concerns_block.html", takes_context=True)
def pupil_concerns(context, pupil) -> dict:
    """The pupil's concerns (the profile view has already checked need to know and audited the read)."""
    user = context["request"].user
    concerns = list(Concern.objects.filter(pupil=pupil).order_by("-raised_on", "-pk"))
    for concern in concerns:
        concern.pupil = pupil
        concern.may_correct = may_correct_concern(user, concern)
    return {
        "pupil": pupil,
        "concerns": concerns,
        "any_correct": any(concern.may_correct for concern in concerns),
        "can_raise": may_raise_concern(user, pupil),
    }
