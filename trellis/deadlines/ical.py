"""A person's private iCalendar feed (RFC 5545): the statutory steps they are responsible for and the
annual review meetings planned. Entries carry initials and a link that needs sign-in, never a
name or a need. Written here (all-day events, escaping and line folding are all it takes) rather
than with a library: a few lines instead of a dependency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .schedule import Deadline

PRODID = "-//Trellis//Statutory deadlines//EN"


def initials(pupil) -> str:
    return f"{pupil.forename[:1]}{pupil.surname[:1]}".upper()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets, continued with a leading space (RFC 5545 3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def event(*, uid: str, day: dt.date, summary: str, url: str, stamp: dt.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_escape(summary)}",
        f"URL:{url}",
        f"DESCRIPTION:{_escape('Sign in to Trellis to see the details: ' + url)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    return lines


def calendar(
    deadlines: Iterable[Deadline], meetings: Iterable[tuple[object, dt.date]], *, link, stamp: dt.datetime
) -> str:
    """The feed: one all-day event per open deadline and per planned meeting (pupil, day).
    `link(pupil)` is the absolute address of the pupil's deadlines page."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Trellis deadlines",
    ]
    for d in deadlines:
        lines += event(
            uid=f"{d.kind}-{d.step}-{d.pupil.pk}-{d.due:%Y%m%d}@trellis",
            day=d.due,
            summary=f"{initials(d.pupil)}: {d.rule.label} ({d.kind_label})",
            url=link(d.pupil),
            stamp=stamp,
        )
    for pupil, day in meetings:
        lines += event(
            uid=f"meeting-{pupil.pk}-{day:%Y%m%d}@trellis",
            day=day,
            summary=f"{initials(pupil)}: annual review meeting",
            url=link(pupil),
            stamp=stamp,
        )
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
