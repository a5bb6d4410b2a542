"""The SENCO's pages: a pupil's subject access export and the retention review."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.accounts.models import Role
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.access import get_pupil_for_user, may_manage_sen_record, scope_for
from trellis.pupils.models import Pupil

from . import retention
from .records import records_of
from .subject_access import write_export


@require_POST
def subject_access(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Download everything this school holds about the pupil (zip). The SENCO only; audited."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_manage_sen_record(request.user, pupil):
        raise Http404("No such page")
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_export([pupil], spool, by=request.user, via="web")
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"subject-access-{pupil.upn}.zip")


def _senco_schools(user) -> set[int]:
    return scope_for(user).schools_with({Role.SENCO})


def retention_list(request: HttpRequest) -> HttpResponse:
    """Pupils at the SENCO's schools whose SEN file is past retention, each with "approve deletion"."""
    schools = _senco_schools(request.user)
    if not schools:
        raise Http404("No such page")
    today = timezone.localdate()
    pupils = list(retention.due(today).filter(school_id__in=schools))
    rows = [(pupil, retention.kept_until(pupil.date_of_birth)) for pupil in pupils]
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="retention list",
        summary=f"Viewed the SEN files past retention ({len(pupils)} pupils)",
    )
    return render(request, "dataprotection/retention_list.html", {"rows": rows, "years": retention.years()})


def retention_delete(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Confirm, then delete one pupil's SEN file past retention (the SENCO of the pupil's school)."""
    today = timezone.localdate()
    pupil = (
        retention.due(today).filter(school_id__in=_senco_schools(request.user), pk=pupil_id).first()
        if pupil_id
        else None
    )
    if pupil is None:
        raise Http404("No such pupil")
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        audit.record_view(actor=request.user, pupil=pupil, what="SEN file past retention")
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "dataprotection/retention_delete.html",
                {"pupil": pupil, "counts": _counts(pupil), "error": "Tick the box to confirm the deletion."},
                status=400,
            )
        done = retention.delete_sen_file(pupil, by=request.user, today=today)
        messages.success(
            request,
            f"{pupil.full_name}'s SEN file was deleted ({sum(done.records.values())} records, {done.files} files).",
        )
        return redirect("retention")
    return render(request, "dataprotection/retention_delete.html", {"pupil": pupil, "counts": _counts(pupil)})


def _counts(pupil: Pupil) -> list[tuple[str, int]]:
    found = []
    for model, rows in records_of([pupil.pk]):
        if not model._meta.auto_created and (count := rows.count()):
            found.append((str(model._meta.verbose_name_plural).capitalize(), count))
    return found
