"""The weekly to-do email: the same counts and links as the home page, for those who opt in.

No pupil's name or need leaves the system by email: only counts, the school's name and links that
need sign-in. Each email sent is audited (one event per person).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .items import todo_for

RECORD_TYPE = "weekly to-do email"


@transaction.atomic
def set_opt_in(user, on: bool) -> None:
    """Turn the person's weekly email on or off (audited when it changes)."""
    if user.weekly_digest == on:
        return
    user.weekly_digest = on
    user.save(update_fields=["weekly_digest"])
    audit.record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        record_type=RECORD_TYPE,
        record_id=user.pk,
        summary="Turned the weekly to-do email " + ("on" if on else "off"),
        changes={"weekly_digest": [not on, on]},
    )


def digest_for(user, today: dt.date, site_url: str) -> tuple[str, str] | None:
    """The email's subject and body for `user` on `today`; None when they have no to-do list."""
    todo = todo_for(user, today)
    if not todo:
        return None
    lines = [f"Your Trellis to-do list for the week beginning {today - dt.timedelta(days=today.weekday()):%-d %B %Y}."]
    for entry in todo:
        lines += ["", entry.school.name]
        lines += [f"- {item.count} {item.label}: {site_url}{item.url}" for item in entry.items]
    lines += [
        "",
        "Sign in to Trellis to see the pupils behind each number.",
        f"To stop these emails, turn them off in your account: {site_url}/account/",
    ]
    return f"Your Trellis to-do list: week of {today - dt.timedelta(days=today.weekday()):%-d %B}", "\n".join(lines)


def send_digests(today: dt.date, *, site_url: str | None = None) -> int:
    """Email every active person who opted in and has an address and a to-do list; returns how many."""
    site_url = settings.TRELLIS_SITE_URL if site_url is None else site_url
    people = get_user_model().objects.filter(weekly_digest=True, is_active=True).exclude(email="").order_by("pk")
    sent = 0
    for user in people:
        message = digest_for(user, today, site_url)
        if message is None:
            continue
        send_mail(message[0], message[1], settings.DEFAULT_FROM_EMAIL, [user.email])
        audit.record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            record_type=RECORD_TYPE,
            record_id=user.pk,
            summary=f"Weekly to-do email sent to {user.get_username()}",
            via="worker",
        )
        sent += 1
    return sent


def send_weekly_digests(job):
    """The weekly job's runner (trellis.jobs.kinds)."""
    from trellis.jobs.services import Outcome

    sent = send_digests(timezone.localdate())
    return Outcome(summary=f"emailed {sent} weekly to-do list{'' if sent == 1 else 's'}", result={"sent": sent})
