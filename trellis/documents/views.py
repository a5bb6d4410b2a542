"""Documents as web pages and PDF downloads. Need to know first (404 otherwise), then an audit row."""

from __future__ import annotations

import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trellis.pupils.access import get_pupil_for_user, get_school_for_user
from trellis.transfer.package import write_package

from . import services
from .pdf import pango_missing
from .registry import KINDS, PUPIL, SCHOOL, Kind, UnknownKind, get_kind


def _kind(slug: str, subject: str) -> Kind:
    try:
        return get_kind(slug, subject)
    except UnknownKind:
        raise Http404("No such document") from None


def _respond(request: HttpRequest, kind: Kind, subject, fmt: str, filename: str) -> HttpResponse:
    today = timezone.localdate()
    if reason := kind.refused(subject):
        # Nothing is made, so nothing is exported or audited; the reader may already see the pupil.
        return render(
            request, "documents/refused.html", {"kind": kind, "subject": subject, "reason": reason}, status=409
        )
    if fmt == "pdf":
        if reason := pango_missing():
            return render(request, "documents/no_pdf.html", {"kind": kind, "reason": reason}, status=503)
        pdf = services.render_pdf(kind, subject, request.user, today=today)
        services.record_export(kind, subject, request.user, fmt="PDF")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    html = services.render_html(kind, subject, request.user, today=today, request=request)
    services.record_export(kind, subject, request.user, fmt="web page")
    return HttpResponse(html)


def pupil_document(request: HttpRequest, pupil_id: int, kind: str, fmt: str = "html") -> HttpResponse:
    chosen = _kind(kind, PUPIL)
    pupil = get_pupil_for_user(request.user, pupil_id)
    return _respond(request, chosen, pupil, fmt, f"{chosen.slug}-{pupil.upn}")


def school_document(request: HttpRequest, urn: str, kind: str, fmt: str = "html") -> HttpResponse:
    chosen = _kind(kind, SCHOOL)
    # The governors' report is aggregates only; the provision map names pupils (each reader's own).
    school = get_school_for_user(request.user, urn, pupils=not chosen.suppressed)
    if chosen.may_open is not None and not chosen.may_open(request.user, school):
        raise Http404("No such document")  # a teacher's figures are their pupils', not the school's
    return _respond(request, chosen, school, fmt, f"{chosen.slug}-{school.urn}")


def transition_package(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """The transition package (a zip of the record as JSON, with the evidence files) for the next
    school to import: staff who may see the SEN record, audited as an export."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    buffer = io.BytesIO()
    write_package(pupil, buffer, today=timezone.localdate())
    services.record_export(KINDS["transition"], pupil, request.user, fmt="package")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="transition-{pupil.upn}.zip"'
    return response
