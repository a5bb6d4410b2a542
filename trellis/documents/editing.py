"""The SENCO's writes to the SEN information report: start a year's draft, change a heading's
words or the contacts (versioned: no lost edits), record staff training, and publish. Each is one
transaction with its audit event (the report holds no pupil's data: the events are the school's)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.idempotency.services import claim, settle
from trellis.lib.versions import locked, require_version

from .headings import BY_KEY
from .information_report import CONTACT_HEADINGS, content, missing
from .models import CONTACT_FIELDS, InformationReport, Publication, ReportSection, StaffTraining

RECORD = "SEN information report"
SECTION = "SEN information report section"


class ReportError(ValueError):
    """A change that cannot be made; the message says why and what to do."""


@transaction.atomic
def start_report(*, school, by, today: dt.date, via: str = "web") -> InformationReport:
    """This academic year's draft, made on first use from last year's words and contacts (the
    report is updated each year, rarely rewritten); the training is the new year's own."""
    year = school.current_academic_year(today)
    if year is None:
        raise ReportError(f"{school.name} has no academic year that includes {today:%-d %B %Y}: set one up first.")
    report, created = InformationReport.objects.get_or_create(school=school, academic_year=year)
    if not created:
        return report
    previous = (
        InformationReport.objects.filter(school=school, academic_year__starts_on__lt=year.starts_on)
        .order_by("-academic_year__starts_on")
        .first()
    )
    if previous is not None:
        for name in CONTACT_FIELDS:
            setattr(report, name, getattr(previous, name))
        report.save()
        ReportSection.objects.bulk_create(
            ReportSection(report=report, key=s.key, text=s.text) for s in previous.sections.all()
        )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type=RECORD,
        school=school,
        record_id=report.pk,
        summary=f"Started the SEN information report for {year.name}"
        + (f" from {previous.academic_year.name}'s" if previous else ""),
        via=via,
    )
    return report


@transaction.atomic
def save_section(
    *, report: InformationReport, key: str, by, text: str, version: int | None = None, via: str = "web"
) -> ReportSection:
    if key not in BY_KEY or key in CONTACT_HEADINGS:
        raise ReportError(f"There is no heading {key!r} to write under.")
    section, _ = ReportSection.objects.get_or_create(report=report, key=key)
    section = locked(ReportSection, section.pk, what="section", record_type=SECTION)
    text = text.strip()
    if section.text == text:
        return section
    require_version(section, version, what="section", record_type=SECTION)
    before = section.text
    section.text, section.version = text, section.version + 1
    section.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type=SECTION,
        school=report.school_id,
        record_id=section.pk,
        summary=f"Changed '{BY_KEY[key].title}' in the SEN information report {report.academic_year.name}",
        changes={"text": [before, text]},
        via=via,
    )
    return section


@transaction.atomic
def save_contacts(
    *, report: InformationReport, by, version: int | None = None, via: str = "web", **values
) -> InformationReport:
    current = locked(InformationReport, report.pk, what="report's contacts", record_type=RECORD)
    before = audit.snapshot(current, CONTACT_FIELDS)
    for name in CONTACT_FIELDS:
        setattr(current, name, (values.get(name) or "").strip())
    changed = audit.diff(before, audit.snapshot(current, CONTACT_FIELDS))
    if not changed:
        return current
    require_version(current, version, what="report's contacts", record_type=RECORD)
    current.version += 1
    current.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type=RECORD,
        school=report.school_id,
        record_id=report.pk,
        summary=f"Changed the contacts in the SEN information report {report.academic_year.name}",
        changes=changed,
        via=via,
    )
    return current


@transaction.atomic
def add_training(
    *,
    report: InformationReport,
    by,
    course: str,
    attended_by: str,
    completed_on: dt.date,
    once: str = "",
    via: str = "web",
) -> StaffTraining:
    taken = claim(user=by, key=once, kind="staff training")
    training = StaffTraining.objects.create(
        report=report, course=course.strip(), attended_by=attended_by.strip(), completed_on=completed_on
    )
    settle(taken, training.pk)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="SEN staff training",
        school=report.school_id,
        record_id=training.pk,
        summary=f"Recorded training: {training.course} ({training.attended_by}, {completed_on:%-d %B %Y})",
        via=via,
    )
    return training


@transaction.atomic
def remove_training(*, training: StaffTraining, by, via: str = "web") -> None:
    audit.record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        record_type="SEN staff training",
        school=training.report.school_id,
        record_id=training.pk,
        summary=f"Removed training: {training.course} ({training.attended_by})",
        via=via,
    )
    training.delete()


@transaction.atomic
def publish(*, report: InformationReport, by, today: dt.date, via: str = "web") -> Publication:
    """Freeze the report as it stands and make it the public one; refused, naming each gap, while a
    heading has no words or a required contact is blank."""
    report = locked(InformationReport, report.pk, what="report", record_type=RECORD)
    if gaps := missing(report):
        raise ReportError("Fill these in before publishing: " + "; ".join(gaps) + ".")
    publication = Publication.objects.create(
        report=report, published_at=timezone.now(), published_by=by, content=content(report, today)
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="SEN information report publication",
        school=report.school_id,
        record_id=publication.pk,
        summary=f"Published the SEN information report {report.academic_year.name}",
        via=via,
    )
    return publication


def year_slug(name: str) -> str:
    """An academic year in a link: "2025/26" -> "2025-26"."""
    return slugify(name.replace("/", "-"))


def published_years(school) -> list[tuple[str, str]]:
    """Each academic year with a published report, newest first: (slug for the link, name)."""
    years = (
        Publication.objects.filter(report__school=school)
        .order_by("-report__academic_year__starts_on")
        .values_list("report__academic_year__name", flat=True)
        .distinct()
    )
    return [(year_slug(name), name) for name in years]


def publication_of_year(school, name: str) -> Publication | None:
    """The last publication of that year's report: what the public read at the end of that year."""
    return (
        Publication.objects.filter(report__school=school, report__academic_year__name=name)
        .order_by("-published_at", "-pk")
        .first()
    )


def latest_publication(school) -> Publication | None:
    """What the public see: the most recent publication of the most recent year published."""
    return (
        Publication.objects.filter(report__school=school)
        .order_by("-report__academic_year__starts_on", "-published_at", "-pk")
        .first()
    )
