"""Upload, map, preview and confirm an import; the import history; CTF downloads. Thin views."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.jobs.services import start_job
from trellis.pupils.access import get_pupil_for_user, get_school_for_user, sees_confidential
from trellis.pupils.models import NeedType, Pupil
from trellis.pupils.register import RegisterFilterForm
from trellis.schools.models import School, TeachingGroup

from . import package_views, services
from .access import may_export_ctf, may_import
from .export import export_ctf
from .forms import DestinationForm, MappingForm, UploadForm
from .models import ImportRun
from .parsers import sheet_headings
from .uploads import load_upload, save_upload


def _importing_school(request: HttpRequest, urn: str) -> School:
    """The school, if this person may import into it (SENCO, administrator); 404 otherwise."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_import(request.user, school):
        raise Http404("No such page")
    return school


def upload(request: HttpRequest, urn: str) -> HttpResponse:
    school = _importing_school(request, urn)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        saved = save_upload(form.cleaned_data["file"], user=request.user, school=school)
        return redirect("import-preview", urn=school.urn, token=saved.token)
    return render(request, "transfer/upload.html", {"school": school, "form": form})


def preview(request: HttpRequest, urn: str, token: str) -> HttpResponse:
    """Mapping step (spreadsheets with headings we do not know), then the dry-run preview."""
    school = _importing_school(request, urn)
    saved = load_upload(token, user=request.user, school=school)
    if package_views.is_package(saved):
        return package_views.preview(request, school, saved)
    with saved.open() as source:
        headings = sheet_headings(source, file_name=saved.file_name, mapping=saved.mapping)
    unrecognised = headings.unrecognised + [h for h, target in saved.mapping.items() if target == "ignore"]
    if unrecognised and (not saved.mapped or request.GET.get("remap")) or request.method == "POST":
        form = MappingForm(request.POST or None, headings=unrecognised, initial_mapping=saved.mapping)
        if request.method == "POST" and form.is_valid():
            saved.mapping |= form.mapping()
            saved.mapped = True
            saved.save_meta()
            return redirect("import-preview", urn=school.urn, token=saved.token)
        return render(
            request,
            "transfer/mapping.html",
            {"school": school, "upload": saved, "form": form, "recognised": headings.headings},
        )
    context = {
        "school": school,
        "upload": saved,
        "can_remap": bool(unrecognised),
        "show_confidential": sees_confidential(request.user, school),
    }
    options = {
        "school": school,
        "file_name": saved.file_name,
        "by": request.user,
        "dry_run": True,
        "mapping": saved.mapping,
    }
    if saved.size >= SHOW_PROGRESS_FROM_BYTES:

        def checked(plan) -> str:
            _counted(saved, plan)
            return render_to_string("transfer/preview.html#body", context | {"plan": plan}, request)

        return _with_progress(request, saved, options, context, checked)
    with saved.open() as source:
        context["plan"] = _counted(saved, services.import_pupils(source=source, **options))
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="import preview",
        school=school,
        summary=f"Checked {saved.file_name}",
    )
    return render(request, "transfer/preview.html", context)


def _counted(saved, plan):
    """Keep the number of pupils the check found: confirming hands a big file to the worker."""
    saved.records = plan.records
    saved.save_meta()
    return plan


# Files this big are checked on a page that shows how far it has got (a 60,000-pupil CTF takes
# tens of seconds). The page streams: it works without JavaScript and needs no background worker.
SHOW_PROGRESS_FROM_BYTES = 1_000_000


def _with_progress(request: HttpRequest, saved, options: dict, context: dict, result) -> StreamingHttpResponse:
    """Run the import (a check or the real thing) while the page shows how far it has got; then
    `result(plan)` gives the rest of the page."""
    page = render_to_string("transfer/checking.html", context, request)
    head, rest = page.split("<!-- progress -->", 1)
    middle, tail = rest.split("<!-- result -->", 1)

    def stream():
        yield head
        with saved.open() as source:
            steps = services.import_steps(source=source, **options)
            while True:
                try:
                    done = next(steps)
                except StopIteration as finished:
                    plan = finished.value
                    break
                yield f"<p>{'Checked' if options.get('dry_run') else 'Imported'} {done:,} pupils…</p>\n"
        yield middle
        yield result(plan)
        yield tail

    return StreamingHttpResponse(stream(), content_type="text/html; charset=utf-8")


@require_POST
def confirm(request: HttpRequest, urn: str, token: str) -> HttpResponse:
    school = _importing_school(request, urn)
    saved = load_upload(token, user=request.user, school=school)
    if package_views.is_package(saved):
        return package_views.confirm(request, school, saved)
    if saved.records is not None and saved.records > settings.TRELLIS_BACKGROUND_IMPORT_ROWS:
        # The worker imports it (all or nothing, as below); the job page shows how far it has got.
        job = start_job(
            "import_pupils",
            request.user,
            school=school,
            key=f"import {saved.token}",
            token=saved.token,
            file_name=saved.file_name,
            records=saved.records,
        )
        return redirect("job", pk=job.pk)
    options = {"school": school, "file_name": saved.file_name, "by": request.user, "mapping": saved.mapping}
    failed = {
        "school": school,
        "upload": None,
        "failed": True,
        "show_confidential": sees_confidential(request.user, school),
    }
    if saved.size >= SHOW_PROGRESS_FROM_BYTES:

        def result(plan) -> str:
            saved.delete()
            if plan.applied:
                context = {"school": school, "run": plan.run, "need_names": plan.need_names}
                return render_to_string("transfer/run.html#body", context, request)
            return render_to_string("transfer/preview.html#body", failed | {"plan": plan}, request)

        return _with_progress(request, saved, options, {"school": school, "upload": saved, "importing": True}, result)
    try:
        with saved.open() as source:
            plan = services.import_pupils(source=source, **options)
    finally:
        saved.delete()
    if not plan.applied:
        return render(request, "transfer/preview.html", failed | {"plan": plan}, status=422)
    messages.success(request, f"Imported {saved.file_name}: {plan.summary_line()}")
    return redirect("import-run", urn=school.urn, pk=plan.run.pk)


def history(request: HttpRequest, urn: str) -> HttpResponse:
    school = _importing_school(request, urn)
    runs = ImportRun.objects.filter(school=school)[:200]
    return render(request, "transfer/history.html", {"school": school, "runs": runs})


def run_detail(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    school = _importing_school(request, urn)
    run = get_object_or_404(ImportRun, school=school, pk=pk)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="import",
        school=school,
        record_id=run.pk,
        summary=f"Opened the import of {run.file_name}",
    )
    return render(request, "transfer/run.html", {"school": school, "run": run, "need_names": _need_names()})


def _need_names() -> dict[str, str]:
    return dict(NeedType.objects.values_list("code", "name"))


# ---- CTF downloads


def _ctf_response(school: School, pupils, request: HttpRequest, name: str, pupil: Pupil | None = None) -> HttpResponse:
    """The CTF for the next school chosen in the query string (next_la, next_estab; none: not
    known), or the export page again saying what is wrong with them."""
    form = DestinationForm(request.GET)
    if not form.is_valid():
        context = {"school": school, "pupil": pupil, "form": form, "query": request.GET.urlencode()}
        return render(request, "transfer/export.html", context, status=400)
    buffer = io.BytesIO()
    export_ctf(school=school, pupils=pupils, by=request.user, out=buffer, destination=form.destination())
    response = HttpResponse(buffer.getvalue(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
    return response


def pupil_ctf(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id, register=True)
    if not may_export_ctf(request.user, pupil.school_id):
        raise Http404("No such page")
    name = f"CTF-{pupil.school.dfe_number or pupil.school.urn}-{pupil.upn}-{timezone.localdate():%Y%m%d}"
    return _ctf_response(pupil.school, Pupil.objects.filter(pk=pupil.pk), request, name, pupil=pupil)


def register_ctf(request: HttpRequest, urn: str) -> HttpResponse:
    """The pupils the register shows with these filters, as a CTF."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_export_ctf(request.user, school):
        raise Http404("No such page")
    groups = TeachingGroup.objects.filter(
        academic_year=school.current_academic_year(), kind=TeachingGroup.Kind.REGISTRATION
    )
    form = RegisterFilterForm(request.GET or None, school=school, groups=groups)
    pupils = form.apply(Pupil.objects.visible_to(request.user, register=True).filter(school=school).on_roll())
    name = f"CTF-{school.dfe_number or school.urn}-{timezone.localdate():%Y%m%d}"
    return _ctf_response(school, pupils, request, name)
