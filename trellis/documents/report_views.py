"""The SEN information report: the public pages and PDFs (no sign-in: the latest publication, and
the last publication of each earlier year), and the SENCO's pages to write and publish this year's report (drafts: SENCO and senior leaders)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.lib.forms import saved_form
from trellis.pupils.access import get_school_for_user
from trellis.schools.models import School

from . import editing
from .access import may_see_information_report_draft, may_write_information_report
from .forms import ContactsForm, SectionForm, TrainingForm
from .headings import BY_KEY
from .information_report import CONTACT_HEADINGS, WRITTEN, for_reading, missing, report_for
from .models import CONTACT_FIELDS, StaffTraining
from .pdf import pango_missing, write_pdf
from .registry import KINDS

KIND = KINDS["sen-information-report"]


@login_not_required
def public_report(request: HttpRequest, urn: str, fmt: str = "html", year: str = "") -> HttpResponse:
    """What the school published last (the page a school links to from its website), or, given
    `year` ("2025-26"), the last it published for that year; each links to the other years'."""
    if not (urn.isascii() and urn.isdigit() and len(urn) <= 8):
        raise Http404("No such school")
    school = get_object_or_404(School, urn=urn)
    years = editing.published_years(school)
    if year:
        name = next((name for slug, name in years if slug == year), None)
        publication = editing.publication_of_year(school, name) if name else None
    else:
        publication = editing.latest_publication(school)
    if publication is None:
        raise Http404("Not published")  # a draft is never public, and neither is that one exists
    shown = editing.year_slug(publication.content["year"])
    context = {
        "kind": KIND,
        "school": school,
        "report": for_reading(publication.content),
        "public": True,
        "published_on": timezone.localtime(publication.published_at),
        "pdf": fmt == "pdf",
        "year": year,  # "" on the latest's own page
        "latest": years[0] if years else None,
        "other_years": [(slug, name) for slug, name in years if slug != shown],
    }
    if fmt == "pdf":
        if reason := pango_missing():
            return render(request, "documents/no_pdf.html", {"kind": KIND, "reason": reason}, status=503)
        response = HttpResponse(write_pdf(render_to_string(KIND.template, context)), content_type="application/pdf")
        name = f"sen-information-report-{school.urn}{'-' + year if year else ''}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, KIND.template, context)


def _school(request: HttpRequest, urn: str, *, write: bool = False) -> School:
    school = get_school_for_user(request.user, urn, pupils=False)
    rule = may_write_information_report if write else may_see_information_report_draft
    if not rule(request.user, school):
        raise Http404("No such page")
    return school


def _report(request: HttpRequest, urn: str):
    school = _school(request, urn, write=True)
    report = report_for(school, timezone.localdate())
    if report is None:
        raise Http404("This year's report is not started")
    return report


def draft(request: HttpRequest, urn: str, training_form: TrainingForm | None = None) -> HttpResponse:
    """This year's report as it stands: each heading with a link to change it, what is missing
    before it can be published, the training recorded, and the latest publication."""
    school = _school(request, urn)
    today = timezone.localdate()
    report = report_for(school, today)
    context = {
        "school": school,
        "report": report,
        "writer": may_write_information_report(request.user, school),
        "year": school.current_academic_year(today),
        "published": editing.latest_publication(school),
    }
    if report is not None:
        texts = {section.key: section.text for section in report.sections.all()}
        context |= {
            "headings": [(h, texts.get(h.key, "")) for h in WRITTEN],
            "contacts": [(report._meta.get_field(n).verbose_name, getattr(report, n)) for n in CONTACT_FIELDS],
            "training": list(report.training.all()),
            "training_form": training_form or TrainingForm(),
            "missing": missing(report),
        }
    return render(request, "documents/information_draft.html", context, status=422 if training_form else 200)


@require_POST
def start(request: HttpRequest, urn: str) -> HttpResponse:
    school = _school(request, urn, write=True)
    try:
        editing.start_report(school=school, by=request.user, today=timezone.localdate())
    except editing.ReportError as error:
        messages.error(request, str(error))
    return redirect("information-report-draft", urn=school.urn)


def section(request: HttpRequest, urn: str, heading: str) -> HttpResponse:
    report = _report(request, urn)
    key, heading = heading, BY_KEY.get(heading)
    if heading is None or key in CONTACT_HEADINGS:
        raise Http404("No such heading")
    saved = report.sections.filter(key=key).first()
    initial = {"text": saved.text, "version": saved.version} if saved else {"version": 1}
    form = SectionForm(request.POST or None, initial=initial)
    save = partial(editing.save_section, report=report, key=key, by=request.user)
    then = reverse("information-report-draft", args=[urn]) + f"#{key}"
    done = saved_form(request, form, save, errors=editing.ReportError, done=f"'{heading.title}' saved.", then=then)
    context = {"school": report.school, "form": form, "title": heading.title, "heading": heading}
    return done or render(request, "documents/information_form.html", context, status=422 if request.POST else 200)


def contacts(request: HttpRequest, urn: str) -> HttpResponse:
    report = _report(request, urn)
    initial = {name: getattr(report, name) for name in CONTACT_FIELDS} | {"version": report.version}
    form = ContactsForm(request.POST or None, initial=initial)
    save = partial(editing.save_contacts, report=report, by=request.user)
    then = reverse("information-report-draft", args=[urn]) + "#contacts"
    done = saved_form(request, form, save, errors=editing.ReportError, done="Contacts saved.", then=then)
    context = {"school": report.school, "form": form, "title": "Contacts", "heading": None}
    return done or render(request, "documents/information_form.html", context, status=422 if request.POST else 200)


@require_POST
def add_training(request: HttpRequest, urn: str) -> HttpResponse:
    report = _report(request, urn)
    form = TrainingForm(request.POST)
    save = partial(editing.add_training, report=report, by=request.user)
    then = reverse("information-report-draft", args=[urn]) + "#training"
    done = saved_form(request, form, save, errors=editing.ReportError, done="Training recorded.", then=then)
    return done or draft(request, urn, training_form=form)


@require_POST
def remove_training(request: HttpRequest, urn: str, training_id: int) -> HttpResponse:
    report = _report(request, urn)
    training = get_object_or_404(StaffTraining, pk=training_id, report=report)
    editing.remove_training(training=training, by=request.user)
    messages.success(request, f"Removed: {training.course}.")
    return redirect(reverse("information-report-draft", args=[urn]) + "#training")


@require_POST
def publish(request: HttpRequest, urn: str) -> HttpResponse:
    report = _report(request, urn)
    try:
        editing.publish(report=report, by=request.user, today=timezone.localdate())
    except editing.ReportError as error:
        messages.error(request, str(error))
        return redirect("information-report-draft", urn=urn)
    messages.success(request, "Published. Anyone can now read it at the public link, without signing in.")
    return redirect("information-report-draft", urn=urn)
