"""Evidence pages: notes, pupil voice, weekly behaviour and attendance. Thin views over services."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from trellis.audit import services as audit
from trellis.idempotency.services import AlreadySaved
from trellis.lib.forms import saved_form
from trellis.pupils.access import get_pupil_for_user, get_school_for_user

from . import exclusions, services
from .access import may_change_note, may_import_weeks, may_record_evidence, may_record_exclusion, may_record_weekly
from .charts import weekly_chart
from .forms import ChangeNoteForm, ExclusionForm, NewNoteForm, VoiceForm, WeekForm, WeeklyImportForm
from .models import EvidenceNote, Exclusion
from .storage import max_upload_bytes, private_file_response
from .tallies import term_tallies


def evidence_page(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Every note, pupil voice entry and week of behaviour and attendance of one pupil. Audited."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    audit.record_view(actor=request.user, pupil=pupil, what="evidence")
    weeks = list(pupil.weekly_records.all())
    notes = list(pupil.evidence_notes.select_related("recorded_by"))
    for note in notes:
        note.pupil = pupil
    excluded = list(pupil.exclusions.all())
    return render(
        request,
        "evidence/page.html",
        {
            "pupil": pupil,
            "notes": notes,
            "voice": list(pupil.voice_entries.select_related("recorded_by")),
            "weeks": weeks,
            "chart": weekly_chart(weeks),
            "tallies": term_tallies(weeks, list(pupil.school.academic_years.prefetch_related("half_terms")), excluded)
            if weeks or excluded
            else [],
            "exclusions": excluded,
            "can_add": may_record_evidence(request.user, pupil),
            "can_weekly": may_record_weekly(request.user, pupil),
            "can_exclusion": may_record_exclusion(request.user, pupil),
        },
    )


def _writable_pupil(request: HttpRequest, pupil_id: int, allowed) -> object:
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not allowed(request.user, pupil):
        raise Http404("No such page")
    return pupil


def _saved(request: HttpRequest, pupil, form, save, done: str) -> HttpResponse | None:
    return saved_form(
        request, form, save, errors=services.EvidenceError, done=done, then=reverse("pupil-evidence", args=[pupil.pk])
    )


def add_note(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _writable_pupil(request, pupil_id, may_record_evidence)
    initial = {
        "date": timezone.localdate(),
        "targets": [int(pk) for pk in request.GET.getlist("target") if pk.isdecimal()],
    }
    form = NewNoteForm(request.POST or None, request.FILES or None, initial=initial, pupil=pupil)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_note(
                pupil=pupil,
                by=request.user,
                date=data["date"],
                learning_objective=data["learning_objective"],
                activity=data["activity"],
                outcome=data["outcome"],
                areas=data["areas"],
                upload=data["attachment"],
                targets=data.get("targets", []),
                shared_with_family=data["shared_with_family"],
                once=data["once"],
            )
        except services.EvidenceError as error:
            form.add_error("attachment" if data.get("attachment") else None, str(error))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect("pupil-evidence", pupil_id=pupil.pk)
        else:
            messages.success(request, "Evidence note saved.")
            return redirect("pupil-evidence", pupil_id=pupil.pk)
    return _form(request, pupil, form, "Add an evidence note", multipart=True)


def change_note(request: HttpRequest, pupil_id: int, note_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request.user, pupil_id)
    note = get_object_or_404(EvidenceNote, pk=note_id, pupil=pupil)
    note.pupil = pupil
    if not may_change_note(request.user, note):
        raise Http404("No such page")
    linked = list(note.targets.values_list("pk", flat=True))
    initial = {name: getattr(note, name) for name in services.NOTE_FIELDS} | {"targets": linked}
    form = ChangeNoteForm(request.POST or None, initial=initial | {"version": note.version}, pupil=pupil, linked=linked)
    del form.fields["attachment"]  # a file is added with a new note; this one keeps its own
    save = partial(services.update_note, note=note, by=request.user)
    return _saved(request, pupil, form, save, "Evidence note changed.") or _form(
        request, pupil, form, "Change an evidence note"
    )


def add_voice(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _writable_pupil(request, pupil_id, may_record_evidence)
    form = VoiceForm(request.POST or None, initial={"date": timezone.localdate()})
    save = partial(services.add_voice, pupil=pupil, by=request.user)
    return _saved(request, pupil, form, save, "Pupil voice saved.") or _form(request, pupil, form, "Add pupil voice")


def record_week(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _writable_pupil(request, pupil_id, may_record_weekly)
    form = WeekForm(request.POST or None)
    save = partial(services.record_week, pupil=pupil, by=request.user)
    return _saved(request, pupil, form, save, "Week saved.") or _form(
        request, pupil, form, "Record a week of behaviour and attendance"
    )


def add_exclusion(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _writable_pupil(request, pupil_id, may_record_exclusion)
    form = ExclusionForm(
        request.POST or None, initial={"unit": "days"}, reasons=exclusions.reasons_for(pupil.school_id)
    )
    return saved_form(
        request,
        form,
        lambda **_: exclusions.record_exclusion(pupil=pupil, by=request.user, **form.exclusion_fields()),
        errors=exclusions.ExclusionError,
        done="Suspension or exclusion saved.",
        then=reverse("pupil-evidence", args=[pupil.pk]) + "#exclusions",
    ) or _form(request, pupil, form, "Record a suspension or exclusion")


def change_exclusion(request: HttpRequest, pupil_id: int, exclusion_id: int) -> HttpResponse:
    pupil = _writable_pupil(request, pupil_id, may_record_exclusion)
    exclusion = get_object_or_404(Exclusion, pk=exclusion_id, pupil=pupil)
    exclusion.pupil = pupil
    initial = {
        "kind": exclusion.kind,
        "starts_on": exclusion.starts_on,
        "length": exclusion.sessions,
        "unit": "sessions",
        "reason": exclusion.reason,
        "details": exclusion.details,
        "version": exclusion.version,
    }
    form = ExclusionForm(request.POST or None, initial=initial, reasons=exclusions.reasons_for(pupil.school_id))
    return saved_form(
        request,
        form,
        lambda version, **_: exclusions.change_exclusion(
            exclusion=exclusion, by=request.user, version=version, **form.exclusion_fields()
        ),
        errors=exclusions.ExclusionError,
        done="Suspension or exclusion changed.",
        then=reverse("pupil-evidence", args=[pupil.pk]) + "#exclusions",
    ) or _form(request, pupil, form, "Change a suspension or exclusion")


def note_file(request: HttpRequest, pupil_id: int, note_id: int) -> FileResponse:
    """The only way to a note's file: need to know, then an audited read. Never a public URL."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    note = get_object_or_404(EvidenceNote, pk=note_id, pupil=pupil)
    response = private_file_response(note.attachment, content_type=note.attachment_type, filename=note.attachment_name)
    audit.record_view(actor=request.user, pupil=pupil, what="evidence file")
    return response


def import_weeks(request: HttpRequest, urn: str) -> HttpResponse:
    """Upload a CSV of weeks for the whole school: checked first, then all rows saved or none."""
    school = get_school_for_user(request.user, urn, pupils=True)
    if not may_import_weeks(request.user, school):
        raise Http404("No such page")
    form = WeeklyImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            form.add_error("file", "The CSV file is too large")
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "The file must be a CSV saved as UTF-8 text")
            else:
                dry_run = form.cleaned_data["dry_run"]
                result = services.import_weekly(school=school, text=text, by=request.user, dry_run=dry_run, via="web")
                if result.ok and not dry_run:
                    messages.success(
                        request, f"Imported {result.created} new week(s) and {result.updated} corrected week(s)."
                    )
                    return redirect("weekly-import", urn=school.urn)
    return render(request, "evidence/import.html", {"school": school, "form": form, "result": result})


def _form(request: HttpRequest, pupil, form, title: str, *, multipart: bool = False) -> HttpResponse:
    context = {"pupil": pupil, "form": form, "title": title, "multipart": multipart}
    audit.record_view(actor=request.user, pupil=pupil, what="evidence")
    return render(request, "evidence/form.html", context)
