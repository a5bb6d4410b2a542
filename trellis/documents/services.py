"""Render a document as a web page or a PDF, and audit it as an export."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .pdf import write_pdf
from .registry import PUPIL, Kind


def render_html(
    kind: Kind, subject, reader, *, today: dt.date, pdf: bool = False, request=None, extra: dict | None = None
) -> str:
    """The document for `subject` (a pupil or a school) as `reader` may see it (None: the system).
    `extra`: a draft's wording and marks (trellis.documents.releases)."""
    context = kind.build(subject, reader, today) | {"kind": kind, "subject": subject, "today": today, "pdf": pdf}
    context |= extra or {}
    return render_to_string(kind.template, context, request=request)


def render_pdf(kind: Kind, subject, reader, *, today: dt.date) -> bytes:
    return write_pdf(render_html(kind, subject, reader, today=today, pdf=True))


def record_export(kind: Kind, subject, reader, *, fmt: str, via: str = "web") -> None:
    """Generating or downloading a document is an export of what it shows: of the pupil's record,
    or of the school's figures and, where it names pupils (the provision map), of each one's record."""
    pupil = subject if kind.subject == PUPIL else None
    if kind.pupils_shown:
        audit.record_for_each(
            pupils=kind.pupils_shown(subject, reader),
            actor=reader,
            action=AuditEvent.Action.EXPORT,
            record_type=kind.slug,
            record_id=subject.pk,
            summary=f"{kind.title} ({fmt})",
            via=via,
        )
    audit.record(
        actor=reader,
        action=AuditEvent.Action.EXPORT,
        record_type=kind.slug,
        pupil=pupil,
        school=subject.school_id if pupil else subject.pk,
        record_id=subject.pk,
        summary=f"{kind.title} ({fmt})",
        via=via,
    )
