"""The upload page's path for a transition package (.zip): check, preview, confirm. The CTF and
spreadsheet path is in trellis.transfer.views; the upload, its token and its URLs are shared."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .access import may_import_transition
from .package_import import TransitionPlan, import_transition
from .parsers import Problem
from .uploads import Upload

TEMPLATE = "transfer/transition_preview.html"


def is_package(upload: Upload) -> bool:
    return upload.file_name.lower().endswith(".zip")


def _refused(upload: Upload) -> TransitionPlan:
    plan = TransitionPlan(file_name=upload.file_name)
    plan.problems.append(
        Problem(
            upload.file_name,
            None,
            "",
            "",
            "A transition package brings a pupil's SEN record: only the SENCO can import it.",
            "a CTF or spreadsheet, or ask the SENCO to import the package",
        )
    )
    return plan


def preview(request: HttpRequest, school, upload: Upload) -> HttpResponse:
    if not may_import_transition(request.user, school):
        return render(request, TEMPLATE, {"school": school, "plan": _refused(upload)}, status=403)
    with upload.open() as source:
        plan = import_transition(
            source=source, file_name=upload.file_name, school=school, by=request.user, dry_run=True
        )
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="import preview",
        school=school,
        summary=f"Checked {upload.file_name}",
    )
    return render(request, TEMPLATE, {"school": school, "plan": plan, "upload": upload})


def confirm(request: HttpRequest, school, upload: Upload) -> HttpResponse:
    if not may_import_transition(request.user, school):
        upload.delete()
        return render(request, TEMPLATE, {"school": school, "plan": _refused(upload), "failed": True}, status=403)
    try:
        with upload.open() as source:
            plan = import_transition(source=source, file_name=upload.file_name, school=school, by=request.user)
    finally:
        upload.delete()
    if not plan.applied:
        return render(request, TEMPLATE, {"school": school, "plan": plan, "failed": True}, status=422)
    messages.success(request, f"Imported {upload.file_name}: {plan.summary_line()}")
    return redirect("pupil", plan.pupil.pk)
