"""The progress meetings section of the pupil page (the pupil's history), one include for the pupils app."""

from __future__ import annotations

from django import template

from trellis.meetings.models import MeetingPupil

register = template.Library()


@register.inclusion_tag("meetings/pupil_section.html")
def pupil_meetings_section(pupil) -> dict:
    """The pupil's progress meetings, newest first, with how many decisions and open actions each
    left (the page itself has audited the view of the record). One query."""
    from django.db.models import Count, Q

    discussions = (
        MeetingPupil.objects.filter(pupil=pupil)
        .select_related("meeting")
        .annotate(
            decision_count=Count("decisions", distinct=True),
            open_actions=Count("actions", filter=Q(actions__done_on__isnull=True), distinct=True),
        )
        .order_by("-meeting__held_on", "-meeting_id")[:10]
    )
    return {"pupil": pupil, "discussions": discussions}
