"""Exporting a Common Transfer File (CTF) of a school's pupils for their next school, audited."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # only to build (never parse) the export
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.models import Pupil, SenStatus, nc_year_label
from trellis.schools.models import School
from trellis.schools.services import academic_year_start

CTF_VERSION = "25.0"


def _add(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


@dataclass(frozen=True)
class Destination:
    """The school a CTF is for: its LA number (3 digits) and establishment number (4 digits)."""

    la: str
    estab: str

    @property
    def known(self) -> bool:
        return self != UNKNOWN_DESTINATION

    def __str__(self) -> str:
        return f"{self.la}{self.estab}" if self.known else "not known"


# The DfE CTF specification, section 2.4.2 "CTF from a school when the destination is not known":
# the destination is written as LA "MMM" and establishment "MMMM" (such a file goes to the lost
# pupils database on school-to-school). (Value from the team's reading of the spec; not re-checked.)
UNKNOWN_DESTINATION = Destination("MMM", "MMMM")


def _ctf_header(school: School, now: dt.datetime, count: int, destination: Destination) -> ET.Element:
    header = ET.Element("Header")
    _add(header, "DocumentName", "Common Transfer File")
    _add(header, "CTFversion", CTF_VERSION)
    _add(header, "DateTime", timezone.localtime(now).replace(microsecond=0, tzinfo=None).isoformat())
    _add(header, "DocumentQualifier", "partial")
    _add(header, "DataDescriptor", f"Trellis SEN transfer of {count} pupil{'s' if count != 1 else ''}")
    _add(header, "SupplierID", "Trellis")
    source = _add(header, "SourceSchool")
    _add(source, "LEA", school.la_number)
    _add(source, "Estab", school.estab_number)
    _add(source, "URN", school.urn)
    _add(source, "SchoolName", school.name)
    _add(source, "AcademicYear", academic_year_start(timezone.localdate(now)) + 1)
    dest = _add(header, "DestSchool")
    _add(dest, "LEA", destination.la)
    _add(dest, "Estab", destination.estab)
    return header


def _ctf_pupil(pupil: Pupil) -> ET.Element:
    """One <Pupil>: identity, basic details, care, then the SEN history and current needs."""
    element = ET.Element("Pupil")
    _add(element, "UPN", pupil.upn)
    _add(element, "Surname", pupil.legal_surname)
    _add(element, "Forename", pupil.legal_forename)
    _add(element, "DOB", pupil.date_of_birth.isoformat())
    _add(element, "Sex", pupil.sex)
    _ctf_basic_details(_add(element, "BasicDetails"), pupil)
    _add(_add(element, "LookedAfter"), "InCare", "true" if pupil.looked_after else "false")
    _ctf_sen_history(element, pupil)
    return element


def _ctf_basic_details(basic: ET.Element, pupil: Pupil) -> None:
    if pupil.preferred_surname:
        _add(basic, "PreferredSurname", pupil.preferred_surname)
    if pupil.preferred_forename:
        _add(basic, "PreferredForename", pupil.preferred_forename)
    if pupil.middle_names:
        _add(basic, "MiddleNames", pupil.middle_names)
    _add(basic, "NCyearActual", nc_year_label(pupil.nc_year))
    if pupil.ethnicity:
        _add(basic, "Ethnicity", pupil.ethnicity)
    _add(basic, "MedicalFlag", "true" if pupil.has_medical_notes else "false")


def _ctf_sen_history(element: ET.Element, pupil: Pupil) -> None:
    """Every status period (monitoring as its census code, N) and the current ranked needs."""
    history = sorted(pupil.sen_history.all(), key=lambda e: (e.starts_on, e.recorded_at, e.pk))
    current_needs = sorted((n for n in pupil.need_history.all() if n.ends_on is None), key=lambda n: n.rank)
    if not history and not current_needs:
        return
    sen_history = _add(element, "SENhistory")
    for entry in history:
        sen = _add(sen_history, "SEN")
        _add(sen, "StartDate", entry.starts_on.isoformat())
        _add(sen, "SENprovision", SenStatus.census_code(entry.status))
    if current_needs:
        needs = _add(sen_history, "SENneeds")
        for need in current_needs:
            item = _add(needs, "SENneed")
            _add(item, "SENtype", need.need_id)
            _add(item, "SENtypeRank", need.rank)


def export_ctf(
    *,
    school: School,
    pupils: QuerySet[Pupil],
    by,
    out: IO[bytes],
    via: str = "web",
    destination: Destination = UNKNOWN_DESTINATION,
) -> int:
    """Write a CTF of `pupils` (of `school`) for `destination` to `out`, streaming; audited as an
    export. Returns the count."""
    pupils = pupils.filter(school=school).order_by("upn")
    count = pupils.count()
    now = timezone.now()
    by = by if by is not None and by.is_authenticated else None
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n')
    header = _ctf_header(school, now, count, destination)
    out.write(ET.tostring(header, encoding="utf-8", xml_declaration=False) + b"\n")
    out.write(b"<CTFpupilData>\n")
    events: list[AuditEvent] = []
    name = by.get_username() if by else "system"
    with transaction.atomic():
        rows = pupils.prefetch_related("sen_history", "need_history").iterator(chunk_size=1000)
        for pupil in rows:
            out.write(ET.tostring(_ctf_pupil(pupil), encoding="utf-8", xml_declaration=False) + b"\n")
            events.append(
                AuditEvent(
                    at=now,
                    actor=by,
                    actor_name=name,
                    school_id=school.pk,
                    pupil_id=pupil.pk,
                    action=AuditEvent.Action.EXPORT,
                    record_type="CTF",
                    summary="Exported in a CTF",
                    via=via,
                )
            )
            if len(events) >= 1000:
                AuditEvent.objects.bulk_create(events)
                events = []
        AuditEvent.objects.bulk_create(events)
        audit.record(
            actor=by,
            action=AuditEvent.Action.EXPORT,
            record_type="CTF",
            school=school,
            summary=f"Exported a CTF of {count} pupil{'s' if count != 1 else ''} for the next school: {destination}",
            changes={"destination": [None, str(destination)]},
            via=via,
        )
    out.write(b"</CTFpupilData>\n</CTfile>\n")
    return count
