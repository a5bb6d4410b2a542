"""The pupil profile's concerns block, included with one line in pupils/profile.html."""

from __future__ import annotations

from django import template

from trellis.identification.models import Concern
from trellis.identification.views import can_raise_concern

register = template.Library()


@register.inclusion_tag("identification/profile_concerns_block.html", takes_context=True)
def pupil_concerns(context, pupil) -> dict:
    """The pupil's concerns (the profile view has already checked need to know and audited the read)."""
    user = context["request"].user
    return {
        "pupil": pupil,
        "concerns": list(Concern.objects.filter(pupil=pupil).order_by("-raised_on", "-pk")),
        "can_raise": can_raise_concern(user, pupil.school_id),
    }
