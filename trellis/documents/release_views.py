"""Drafts, release, the send log and batches. Need to know first (404 otherwise), then the write
rules of documents/access.py; every page that shows a pupil's document is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.families.models import Carer
from trellis.jobs.models import Job
from trellis.pupils.access import get_child_for_user, get_pupil_for_user, get_school_for_user
from trellis.pupils.models import Pupil

from . import access, batch, releases, services
from .models import Draft, Release, Sending
from .pdf import pango_missing
from .registry import KINDS, PUPIL, UnknownKind, get_kind
from .release_forms import BatchForm, SendForm, WordingForm


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _kind(slug: str):
    try:
        return get_kind(slug, PUPIL)
    except UnknownKind:
        raise Http404("No such document") from None


def versions(request: HttpRequest, pupil_id: int, kind: str) -> HttpResponse:
    """A pupil's document of one kind: the open draft and every released version with its send log.
    POST starts a draft (or opens the one already started)."""
    chosen = _kind(kind)
    pupil = get_pupil_for_user(request.user, pupil_id)
    if request.method == "POST":
        if not access.may_draft_document(request.user, pupil):
            raise Http404("No such document")
        try:
            draft = releases.start_draft(pupil=pupil, kind=chosen, by=request.user)
        except releases.DocumentProblem as problem:
            messages.error(request, str(problem))
            return redirect("document-versions", pupil.pk, chosen.slug)
        return redirect("document-draft", pupil.pk, draft.pk)
    audit.record_view(actor=request.user, pupil=pupil, what=f"{chosen.title}: versions")
    draft = Draft.objects.filter(pupil=pupil, kind=chosen.slug, release__isnull=True).first()
    released = list(
        Release.objects.filter(pupil=pupil, kind=chosen.slug).defer("html", "pdf").prefetch_related("sendings")
    )
    context = {
        "kind": chosen,
        "pupil": pupil,
        "draft": draft,
        "released": released,
        "may_draft": access.may_draft_document(request.user, pupil),
    }
    return render(request, "documents/versions.html", context)


def _draft(request: HttpRequest, pupil_id: int, draft_id: int) -> Draft:
    pupil = get_pupil_for_user(request.user, pupil_id)
    draft = get_object_or_404(Draft.objects.select_related("release"), pk=draft_id, pupil=pupil)
    draft.pupil = pupil
    if draft.kind not in KINDS:
        raise Http404("No such document")
    return draft


def draft_page(request: HttpRequest, pupil_id: int, draft_id: int) -> HttpResponse:
    """Change the wording of a draft, see it, release it."""
    draft = _draft(request, pupil_id, draft_id)
    if draft.released:
        return redirect("document-released", draft.pupil_id, draft.release.pk)
    kind = releases.kind_of(draft)
    may_edit = access.may_edit_draft(request.user, draft)
    form = WordingForm(
        request.POST or None, kind=kind, pupil=draft.pupil, initial={"version": draft.version, **draft.wording}
    )
    if request.method == "POST":
        if not may_edit:
            raise Http404("No such draft")
        if form.is_valid():
            try:
                releases.save_wording(
                    draft=draft, by=request.user, wording=form.wording(), version=form.cleaned_data["version"]
                )
            except releases.DocumentProblem as problem:
                form.add_error(None, str(problem))
                form.data = form.data.copy()
                form.data["version"] = str(Draft.objects.get(pk=draft.pk).version)  # saving again keeps theirs
            else:
                messages.success(request, "The draft's wording is saved.")
                return redirect("document-draft", draft.pupil_id, draft.pk)
    else:
        audit.record_view(actor=request.user, pupil=draft.pupil, what=f"draft {kind.title}")
    context = {
        "kind": kind,
        "pupil": draft.pupil,
        "draft": draft,
        "form": form,
        # For those who may not change it: each section's changed words under its name.
        "worded": [(label, draft.wording[key]) for key, label in form.labelled if key in draft.wording],
        "may_edit": may_edit,
        "may_release": access.may_release_document(request.user, draft),
        "no_pdf": pango_missing(),
    }
    return render(request, "documents/draft.html", context)


def draft_preview(request: HttpRequest, pupil_id: int, draft_id: int) -> HttpResponse:
    """The draft as it reads now, marked as a draft."""
    draft = _draft(request, pupil_id, draft_id)
    kind = releases.kind_of(draft)
    html = releases.render_draft(draft, request.user, today=timezone.localdate(), request=request)
    services.record_export(kind, draft.pupil, request.user, fmt="draft web page")
    return HttpResponse(html)


@require_POST
def release(request: HttpRequest, pupil_id: int, draft_id: int) -> HttpResponse:
    draft = _draft(request, pupil_id, draft_id)
    if not access.may_release_document(request.user, draft):
        raise Http404("No such draft")
    if reason := pango_missing():
        messages.error(request, reason)
        return redirect("document-draft", draft.pupil_id, draft.pk)
    try:
        made = releases.release(draft=draft, by=request.user, today=timezone.localdate())
    except releases.DocumentProblem as problem:
        messages.error(request, str(problem))
        return redirect("document-draft", draft.pupil_id, draft.pk)
    messages.success(request, f"Released as version {made.number}. It will not change from now on.")
    return redirect("document-released", draft.pupil_id, made.pk)


def _release(request: HttpRequest, pupil_id: int, release_id: int) -> Release:
    pupil = get_pupil_for_user(request.user, pupil_id)
    found = get_object_or_404(Release.objects.defer("html", "pdf"), pk=release_id, pupil=pupil)
    found.pupil = pupil
    return found


def released(request: HttpRequest, pupil_id: int, release_id: int) -> HttpResponse:
    """A released version: who released it, its checksum, where it went; the form to log a sending.
    Choosing "download" in that form answers with the PDF itself."""
    found = _release(request, pupil_id, release_id)
    may_send = access.may_send_document(request.user, found)
    carers = list(Carer.objects.filter(pupil=found.pupil).select_related("user"))
    form = SendForm(request.POST or None, carers=carers)
    if request.method == "POST":
        if not may_send:
            raise Http404("No such document")
        if form.is_valid():
            data = form.cleaned_data
            try:
                sending = releases.send(release=found, by=request.user, **data)
            except releases.DocumentProblem as problem:
                form.add_error(None, str(problem))
            else:
                if sending.method == Sending.Method.DOWNLOAD:
                    kept = Release.objects.only("pdf").get(pk=found.pk)
                    return _pdf(bytes(kept.pdf), found.filename)
                messages.success(
                    request, f"Logged: {sending.get_method_display().lower()} to {sending.recipient_name}."
                )
                return redirect("document-released", found.pupil_id, found.pk)
    else:
        audit.record_view(actor=request.user, pupil=found.pupil, what=f"released {found.title}")
    context = {
        "release": found,
        "pupil": found.pupil,
        "kind": KINDS.get(found.kind),
        "sendings": list(found.sendings.all()),
        "form": form,
        "may_send": may_send,
    }
    return render(request, "documents/released.html", context)


def released_pdf(request: HttpRequest, pupil_id: int, release_id: int) -> HttpResponse:
    """The released PDF, byte for byte as it was released (a copy for the school: not a sending)."""
    found = _release(request, pupil_id, release_id)
    kept = Release.objects.only("pdf").get(pk=found.pk)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        record_type="released document",
        pupil=found.pupil,
        record_id=found.pk,
        summary=f"{found} (PDF, the school's copy)",
    )
    return _pdf(bytes(kept.pdf), found.filename)


def batch_page(request: HttpRequest, urn: str) -> HttpResponse:
    """Choose a document and a class (or the register); the worker makes the zip."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not access.may_batch_documents(request.user, school):
        raise Http404("No such page")
    year = school.current_academic_year()
    groups = list(school.groups.filter(academic_year=year)) if year else []
    kinds = [k for k in KINDS.values() if k.subject == PUPIL]
    form = BatchForm(request.POST or None, kinds=kinds, groups=groups)
    if request.method == "POST" and form.is_valid():
        if reason := pango_missing():
            form.add_error(None, reason)
        else:
            group = form.groups.get(form.cleaned_data["group"] or "")
            job = batch.start_batch(
                user=request.user, school=school, kind=KINDS[form.cleaned_data["kind"]], group=group
            )
            return redirect("job", job.pk)
    return render(request, "documents/batch.html", {"school": school, "form": form})


def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The zip, for the person who asked for it only (not even the SENCO: it is made as they see)."""
    job = get_object_or_404(Job, pk=pk, kind=batch.JOB_KIND, state=Job.State.SUCCEEDED)
    if job.started_by_id is None or job.started_by_id != request.user.pk or "file" not in job.result:
        raise Http404("No such file")
    if batch.expired(job, timezone.now()):
        return redirect("job", job.pk)  # the job page says it has expired
    if not default_storage.exists(job.result["file"]):
        raise Http404("No such file")
    batch.record_download(job, request.user)
    return FileResponse(
        default_storage.open(job.result["file"], "rb"), as_attachment=True, filename=batch.zip_name(job)
    )


# --- The family pages ------------------------------------------------------------------------


def family_document(request: HttpRequest, pupil_id: int, release_id: int) -> HttpResponse:
    """A document shared with this parent or carer (404 for anything not shared with them)."""
    pupil: Pupil = get_child_for_user(request.user, pupil_id)
    shared = Sending.objects.filter(
        method=Sending.Method.FAMILY_PAGE, carer__user=request.user, release__pupil=pupil, release_id=release_id
    ).exists()
    if not shared:
        raise Http404("No such document")
    kept = Release.objects.get(pk=release_id)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        record_type="released document",
        pupil=pupil,
        record_id=kept.pk,
        summary=f"{kept} (family page)",
    )
    return _pdf(bytes(kept.pdf), kept.filename)
