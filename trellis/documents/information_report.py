"""The SEN information report's content: the SENCO's words under every heading (headings.py), the
figures Trellis can answer (pupils by broad area of need; interventions and how well they worked;
both through the one disclosure rule, as for a public audience), the staff training recorded and
the contacts. One JSON-able dict, so a publication freezes exactly what the draft showed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from trellis.lib.disclosure import NOTE

from .headings import HEADINGS
from .models import CONTACT_FIELDS, InformationReport
from .school_reports import needs_table, provision_results

CONTACT_HEADINGS = {"senco", "support_services", "local_offer"}  # filled by the contact fields, not words
WRITTEN = [h for h in HEADINGS if h.key not in CONTACT_HEADINGS]
# The contacts each contact heading needs before the report can be published (the rest are optional).
REQUIRED_CONTACTS = {
    "senco": ["senco_name", "senco_email"],
    "support_services": ["sendiass_name", "sendiass_website"],
    "local_offer": ["local_offer_website"],
}


def report_for(school, today: dt.date) -> InformationReport | None:
    """This academic year's report (None until the SENCO starts it, or with no academic year set up)."""
    year = school.current_academic_year(today)
    if year is None:
        return None
    return InformationReport.objects.filter(school=school, academic_year=year).select_related("academic_year").first()


def missing(report: InformationReport) -> list[str]:
    """What must be filled in before the report can be published, in the order of the headings."""
    texts = {section.key: section.text.strip() for section in report.sections.all()}
    gaps = []
    for heading in HEADINGS:
        if heading.key in CONTACT_HEADINGS:
            for name in REQUIRED_CONTACTS[heading.key]:
                if not getattr(report, name).strip():
                    gaps.append(f"{heading.title}: {InformationReport._meta.get_field(name).verbose_name}")
        elif not texts.get(heading.key):
            gaps.append(heading.title)
    return gaps


def content(report: InformationReport, today: dt.date) -> dict:
    """Everything the report shows, as plain data (a publication stores it as it is)."""
    school = report.school
    saved = report.pk is not None  # a year not started yet has no words and no training
    texts = {section.key: section.text for section in report.sections.all()} if saved else {}
    return {
        "school": school.name,
        "urn": school.urn,
        "year": report.academic_year.name,
        "made_on": today.isoformat(),
        "sections": [
            {"key": h.key, "title": h.title, "text": texts.get(h.key, ""), "filled": h.filled} for h in HEADINGS
        ],
        "contacts": {name: getattr(report, name) for name in CONTACT_FIELDS},
        "training": [
            {"course": t.course, "attended_by": t.attended_by, "completed_on": t.completed_on.isoformat()}
            for t in (report.training.all() if saved else [])
        ],
        "needs": asdict(needs_table(school, today)),
        "provision": [{k: row[k] for k in ("name", "n", "met", "effect")} for row in provision_results(school, today)],
        "note": NOTE,
    }


def draft(school, reader, today: dt.date) -> dict:
    """The document kind's build: this year's draft as it stands (a page for the SENCO and senior
    leaders; `render_document` prints it too)."""
    report = report_for(school, today)
    if report is None:
        report = InformationReport(school=school, academic_year=school.current_academic_year(today))
        if report.academic_year is None:
            return {"school": school, "report": None, "draft": True}
    return {"school": school, "report": for_reading(content(report, today)), "draft": True}


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def for_reading(stored: dict) -> dict:
    """The content with its dates written out ("3 March 2026") for the page."""
    return stored | {
        "made_on": _day(stored["made_on"]),
        "training": [t | {"completed_on": _day(t["completed_on"])} for t in stored["training"]],
    }
