"""The pupil profile's evidence block (notes, pupil voice, weekly chart), one include line in pupils/profile.html."""

from __future__ import annotations

from django import template

from trellis.evidence.access import may_record_evidence, may_record_exclusion
from trellis.evidence.charts import weekly_chart

register = template.Library()


@register.inclusion_tag("evidence/profile_evidence_block.html", takes_context=True)
def pupil_evidence(context, pupil) -> dict:
    """The latest notes and voice, this year's weeks and every suspension or exclusion (the profile view has checked access and audited)."""
    weeks = list(pupil.weekly_records.order_by("-week_starting")[:40])[::-1]
    return {
        "pupil": pupil,
        "notes": list(pupil.evidence_notes.all()[:3]),
        "voice": pupil.voice_entries.first(),
        "weeks": weeks,
        "chart": weekly_chart(weeks),
        "exclusions": list(pupil.exclusions.all()),
        "can_add": may_record_evidence(context["request"].user, pupil),
        "can_exclusion": may_record_exclusion(context["request"].user, pupil),
    }
