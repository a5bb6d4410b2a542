"""Drafts, release and the send log: each write one transaction, audited.

A draft keeps only the SENCO's changed wording; the rest of the document is built from the record
whenever the draft is shown. Releasing renders it once, stores the HTML and the PDF with a SHA-256
checksum, and from then on that version is what is sent: later changes to the record change
the next draft, never a released version.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.families.models import Carer, active_links
from trellis.lib.forms import clean_text
from trellis.lib.models import LONG_TEXT

from . import services
from .models import Draft, Release, Sending
from .pdf import write_pdf
from .registry import PUPIL, Kind, get_kind


class DocumentProblem(ValueError):
    """A change that cannot be made, in words to show as they are."""


def _name(user) -> str:
    return (user.get_full_name() or user.get_username())[:150] if user else "system"


def kind_of(draft_or_release) -> Kind:
    return get_kind(draft_or_release.kind, PUPIL)


def start_draft(*, pupil, kind: Kind, by) -> Draft:
    """A new draft, or the pupil's open draft of this kind (one open draft a kind, so no one's
    wording is split over two)."""
    if kind.subject != PUPIL:
        raise DocumentProblem(f"{kind.title} is a school's document: it has no drafts.")
    if reason := kind.refused(pupil):
        raise DocumentProblem(reason)
    with transaction.atomic():
        open_draft = Draft.objects.filter(pupil=pupil, kind=kind.slug, release__isnull=True).first()
        if open_draft:
            return open_draft
        draft = Draft.objects.create(pupil=pupil, kind=kind.slug, created_by=by)
        audit.record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            record_type="document draft",
            pupil=pupil,
            record_id=draft.pk,
            summary=f"Draft: {kind.title}",
        )
    return draft


def clean_wording(kind: Kind, pupil, wording: dict[str, str]) -> dict[str, str]:
    """Plain text per known section of `pupil`'s draft (no HTML is ever taken: the templates escape
    it), empty sections left out; an unknown section or one too long is refused."""
    allowed = dict(kind.editable_sections(pupil))
    cleaned = {}
    for key, text in wording.items():
        if key not in allowed:
            raise DocumentProblem(f"{kind.title} has no section {key!r} to change.")
        text = clean_text(str(text)).replace("\r\n", "\n").strip()
        if len(text) > LONG_TEXT:
            raise DocumentProblem(f"{allowed[key]}: at most {LONG_TEXT:,} characters (this has {len(text):,}).")
        if text:
            cleaned[key] = text
    return cleaned


def save_wording(*, draft: Draft, by, wording: dict[str, str], version: int) -> Draft:
    """Change a draft's wording; refused once released, or when someone saved it since `version`."""
    kind = kind_of(draft)
    cleaned = clean_wording(kind, draft.pupil, wording)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        if locked.released:
            raise DocumentProblem("This draft has been released: start a new draft to change it.")
        if locked.version != version:
            raise DocumentProblem(
                "Someone saved this draft since you opened it. Your words are below: save again to keep them."
            )
        old = locked.wording
        changes = {key: [old.get(key, ""), cleaned.get(key, "")] for key in set(old) | set(cleaned)}
        changes = {key: pair for key, pair in changes.items() if pair[0] != pair[1]}
        locked.wording, locked.version, locked.changed_at = cleaned, locked.version + 1, timezone.now()
        locked.save(update_fields=["wording", "version", "changed_at"])
        audit.record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            record_type="document draft",
            pupil=locked.pupil,
            record_id=locked.pk,
            summary=f"Wording of the draft {kind.title}",
            changes=changes,
        )
    return locked


def render_draft(draft: Draft, reader, *, today: dt.date, pdf: bool = False, request=None, draft_mark: bool = True):
    kind = kind_of(draft)
    extra = {"wording": draft.wording, "draft": draft_mark}
    return services.render_html(kind, draft.pupil, reader, today=today, pdf=pdf, request=request, extra=extra)


def release(*, draft: Draft, by, today: dt.date) -> Release:
    """Render the draft once, as the releaser may see it, and keep it for good (HTML, PDF, checksum)."""
    kind = kind_of(draft)
    if reason := kind.refused(draft.pupil):
        raise DocumentProblem(reason)
    now = timezone.now()
    with transaction.atomic():
        locked = Draft.objects.select_for_update().select_related("pupil__school").get(pk=draft.pk)
        if locked.released:
            raise DocumentProblem("This draft has already been released.")
        number = Release.objects.filter(pupil=locked.pupil, kind=kind.slug).count() + 1
        version = {"number": number, "on": timezone.localtime(now).date(), "by": _name(by)}
        extra = {"wording": locked.wording, "draft": False, "released_version": version}
        # The HTML kept is the very page the PDF was made from.
        html = services.render_html(kind, locked.pupil, by, today=today, pdf=True, extra=extra)
        pdf = write_pdf(html)
        made = Release.objects.create(
            draft=locked,
            pupil=locked.pupil,
            kind=kind.slug,
            title=kind.title,
            number=number,
            html=html,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            released_by=by,
            released_by_name=_name(by),
            released_at=now,
        )
        audit.record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            record_type="released document",
            pupil=locked.pupil,
            record_id=made.pk,
            summary=f"Released {kind.title}, version {number}",
        )
    return made


def send(
    *,
    release: Release,
    by,
    recipient: str,
    method: str,
    recipient_name: str = "",
    email: str = "",
    carer: Carer | None = None,
) -> Sending:
    """Log that `release` went to someone, and do the handing over that Trellis does: an email
    with the PDF attached, or a share on the family pages of one parent or carer."""
    kind = kind_of(release)
    recipient_name = clean_text(recipient_name).strip()[:200]
    if recipient == Sending.Recipient.CARER:
        if carer is None or carer.pupil_id != release.pupil_id:
            raise DocumentProblem("Choose which parent or carer it went to.")
        recipient_name = recipient_name or _name(carer.user)
        email = email or carer.user.email
    elif not recipient_name:
        raise DocumentProblem("Enter who it went to (a name, the local authority's team, the school).")
    if method == Sending.Method.FAMILY_PAGE:
        if recipient != Sending.Recipient.CARER:
            raise DocumentProblem("Only a parent or carer can be sent a document on the family pages.")
        if not kind.for_families:
            raise DocumentProblem(f"{kind.title} is written for staff: share it on paper or by email instead.")
        today = timezone.localdate()
        if not Carer.objects.filter(active_links(today), pk=carer.pk).exists():
            raise DocumentProblem("That parent or carer cannot use the family pages at the moment.")
    if method == Sending.Method.EMAIL and not email:
        raise DocumentProblem("Enter the email address to send it to.")
    with transaction.atomic():
        sending = Sending.objects.create(
            release=release,
            recipient=recipient,
            recipient_name=recipient_name,
            email=email if method == Sending.Method.EMAIL else "",
            carer=carer if recipient == Sending.Recipient.CARER else None,
            method=method,
            sent_by=by,
            sent_by_name=_name(by),
        )
        audit.record(
            actor=by,
            action=AuditEvent.Action.EXPORT,
            record_type="released document",
            pupil=release.pupil,
            record_id=release.pk,
            summary=f"{release} to {recipient_name} ({sending.get_method_display().lower()})"[:300],
        )
        if method == Sending.Method.EMAIL:
            message = EmailMessage(
                f"{release.title} for {release.pupil.forename}",
                f"Please find attached {release.title.lower()} (version {release.number}) from "
                f"{release.pupil.school.name}.",
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
            message.attach(release.filename, bytes(release.pdf), "application/pdf")
            message.send()  # inside the transaction: a failed send logs nothing
    return sending


def shared_with_family(user, pupil) -> list[Sending]:
    """The released documents shared with this parent or carer on the family pages (newest first)."""
    return list(
        Sending.objects.filter(method=Sending.Method.FAMILY_PAGE, carer__user=user, release__pupil=pupil)
        .select_related("release")
        .defer("release__html", "release__pdf")
    )
