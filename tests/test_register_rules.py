"""The register's rules for a pupil's row (trellis.pupils.rules), whoever brings the row: the same bad
row is refused with the same words through a CTF, a CSV, an XLSX and the demo seeder's bulk writer,
and refusing it writes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from fixtures_transfer import csv_bytes, ctf, ctf_pupil, source, upn
from openpyxl import Workbook

from trellis.audit.models import AuditEvent
from trellis.demo.builder import write_pupils
from trellis.demo.pupils import Draft
from trellis.demo.sen import SenHistory
from trellis.evidence.models import EvidenceNote
from trellis.pupils.bulk import GroupPeriod, NeedPeriod, NewPupil, StatusPeriod, insert_objects, write_new_pupils
from trellis.pupils.models import Pupil, PupilNeed, SenStatusEntry
from trellis.pupils.rules import RegisterRow, RowRefused, check_row
from trellis.transfer.parsers import field_label
from trellis.transfer.services import import_pupils

GOOD = upn(901)
BAD_CHECK_LETTER = ("C" if GOOD[0] != "C" else "D") + GOOD[1:]
DOB = "2016-03-02"

# (UPN, SEN status, needs): each row breaks one rule.
BAD_ROWS = {
    "a UPN with the wrong check letter": (BAD_CHECK_LETTER, "K", ["SLCN"]),
    "an unknown need code": (GOOD, "K", ["XYZ"]),
    "the same need twice": (GOOD, "K", ["ASD", "ASD"]),
    "an EHC plan with no need": (GOOD, "E", []),
}


def _ctf(upn_: str, status: str, needs: list[str]) -> bytes:
    return ctf(ctf_pupil(upn_, dob=DOB, sen=[("2024-09-04", status)], needs=needs))


def _sheet_rows(upn_: str, status: str, needs: list[str]) -> list[list[str]]:
    padded = [*needs, "", ""][:2]
    return [
        ["UPN", "Legal Surname", "Legal Forename", "DOB", "Sex", "Year", "SEN Status", "SEN Start Date"]
        + ["Primary Need", "Secondary Need"],
        [upn_, "Smith", "Ann", DOB, "F", "4", status, "2024-09-04", *padded],
    ]


def _csv(upn_: str, status: str, needs: list[str]) -> bytes:
    return csv_bytes(_sheet_rows(upn_, status, needs))


def _xlsx(upn_: str, status: str, needs: list[str]) -> bytes:
    workbook = Workbook()
    for row in _sheet_rows(upn_, status, needs):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FILES = {"CTF": (_ctf, "in.xml"), "CSV": (_csv, "in.csv"), "XLSX": (_xlsx, "in.xlsx")}


def _counts():
    return (Pupil.objects.count(), SenStatusEntry.objects.count(), PupilNeed.objects.count())


def _refusal_by_import(world, reader: str, row: tuple) -> set[tuple[str, str, str]]:
    make, name = FILES[reader]
    plan = import_pupils(school=world.school_a, source=source(make(*row)), file_name=name, by=world.senco)
    assert not plan.applied
    return {(p.field, p.message, p.accepted) for p in plan.problems}


def _demo_draft(world, upn_: str, status: str, needs: list[str]) -> Draft:
    joined = dt.date(2024, 9, 4)
    pupil = Pupil(
        school=world.school_a,
        upn=upn_,
        legal_surname="Smith",
        legal_forename="Ann",
        date_of_birth=dt.date.fromisoformat(DOB),
        sex="F",
        nc_year=4,
        enrolled_on=joined,
        sen_status=status,
        primary_need_id=needs[0] if needs else None,
    )
    history = SenHistory(statuses=[(status, joined)], needs=[(code, 1, joined, None) for code in needs[:1]])
    history.needs += [(code, rank, joined, None) for rank, code in enumerate(needs[1:], start=2)]
    return Draft(pupil=pupil, history=history, attainment=0.0)


def _refusal_by_demo(world, row: tuple) -> set[tuple[str, str, str]]:
    with pytest.raises(RowRefused) as refused:
        write_pupils(world.school_a, [_demo_draft(world, *row)], groups={}, senco=world.senco)
    return {(field_label(p.field), p.message, p.accepted) for p in refused.value.problems}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_the_same_bad_row_is_refused_with_the_same_words_by_every_reader_and_the_demo(world, case):
    row = BAD_ROWS[case]
    before = _counts()
    refusals = {reader: _refusal_by_import(world, reader, row) for reader in FILES}
    refusals["demo"] = _refusal_by_demo(world, row)
    assert len(refusals["CTF"]) == 1, refusals["CTF"]
    assert all(found == refusals["CTF"] for found in refusals.values()), refusals
    assert _counts() == before


def test_the_words_say_what_is_wrong_and_what_would_do(world):
    (upn_problem,) = _refusal_by_demo(world, BAD_ROWS["a UPN with the wrong check letter"])
    assert upn_problem[0] == "UPN" and f"has check letter {BAD_CHECK_LETTER[0]}" in upn_problem[1]
    ((field, message, accepted),) = _refusal_by_demo(world, BAD_ROWS["an unknown need code"])
    assert (field, message) == ("Primary need", "'XYZ' is not a SEN type of need") and "SLCN" in accepted
    ((field, message, _),) = _refusal_by_demo(world, BAD_ROWS["the same need twice"])
    assert (field, message) == ("Secondary need", "'ASD' is given twice")
    ((field, message, _),) = _refusal_by_demo(world, BAD_ROWS["an EHC plan with no need"])
    assert (field, message) == ("Primary need", "a pupil with an EHC plan needs a primary need")


def test_an_ehc_plan_with_a_need_and_sen_support_without_one_are_accepted():
    codes = {"ASD", "NSA"}
    assert check_row(RegisterRow(1, GOOD, sen_status="E", needs=["ASD"]), need_codes=codes) == []
    assert check_row(RegisterRow(1, GOOD, sen_status="K", needs=[]), need_codes=codes) == []
    assert check_row(RegisterRow(1, GOOD, sen_status="E", needs=None), need_codes=codes) == []  # says nothing


def test_a_spreadsheet_without_need_columns_cannot_start_an_ehc_plan_with_no_need(world):
    rows = [
        ["UPN", "Legal Surname", "Legal Forename", "DOB", "Sex", "SEN Status"],
        [GOOD, "Smith", "Ann", DOB, "F", "E"],
    ]
    plan = import_pupils(school=world.school_a, source=source(csv_bytes(rows)), file_name="in.csv", by=world.senco)
    assert not plan.applied
    assert [(p.field, p.message) for p in plan.problems] == [
        ("Primary need", "a pupil with an EHC plan needs a primary need")
    ]


def test_an_existing_ehc_pupil_with_needs_is_not_refused_when_the_file_names_none(world):
    pupil = world.other_class  # E, with ASD
    rows = [
        ["UPN", "Legal Surname", "Legal Forename", "DOB", "Sex", "SEN Status"],
        [pupil.upn, pupil.legal_surname, pupil.legal_forename, pupil.date_of_birth.isoformat(), pupil.sex, "E"],
    ]
    plan = import_pupils(school=world.school_a, source=source(csv_bytes(rows)), file_name="in.csv", by=world.senco)
    assert plan.applied and plan.unchanged == 1


# ---- the bulk writer itself


def _new_pupil(world, serial: int, *, status="K", needs=("SLCN",), open_status=None) -> NewPupil:
    joined = dt.date(2024, 9, 4)
    row = RegisterRow(
        0,
        upn(serial),
        {
            "upn": upn(serial),
            "legal_surname": "Bulk",
            "legal_forename": f"Pupil{serial}",
            "date_of_birth": dt.date(2016, 1, serial % 28 + 1),
            "sex": "M",
            "nc_year": 4,
            "enrolled_on": joined,
        },
        sen_status=status,
        needs=list(needs),
    )
    statuses = [
        StatusPeriod("N", joined, dt.date(2025, 1, 6)),
        StatusPeriod(open_status or status, dt.date(2025, 1, 6)),
    ]
    return NewPupil(
        row,
        statuses,
        [NeedPeriod(code, rank, dt.date(2025, 1, 6)) for rank, code in enumerate(needs, start=1)],
        [GroupPeriod(world.class_4b.pk, joined)],
    )


def test_the_bulk_writer_writes_pupils_history_needs_groups_and_an_audit_event_each(world):
    new = [_new_pupil(world, 950), _new_pupil(world, 951, status="E", needs=("ASD", "SLCN"))]
    ids = write_new_pupils(school=world.school_a, pupils=new, need_codes={"SLCN", "ASD"}, by=world.senco, via="web")
    second = Pupil.objects.get(pk=ids[upn(951)])
    assert (second.sen_status, second.primary_need_id, second.school_id) == ("E", "ASD", world.school_a.pk)
    assert list(second.sen_history.order_by("starts_on").values_list("status", "ends_on")) == [
        ("N", dt.date(2025, 1, 6)),
        ("E", None),
    ]
    assert list(second.need_history.order_by("rank").values_list("need_id", "rank")) == [("ASD", 1), ("SLCN", 2)]
    assert list(second.group_memberships.values_list("group_id", flat=True)) == [world.class_4b.pk]
    events = AuditEvent.objects.filter(pupil_id__in=ids.values(), action="create", record_type="pupil")
    assert events.count() == 2 and {e.actor_id for e in events} == {world.senco.pk}
    assert events.get(pupil_id=second.pk).changes["legal_forename"] == [None, "Pupil951"]


def test_the_bulk_writer_refuses_a_history_that_does_not_match_the_pupil_and_writes_nothing(world):
    before = _counts()
    good, bad = _new_pupil(world, 952), _new_pupil(world, 953, status="K", open_status="E")
    with pytest.raises(RowRefused, match=f"UPN {upn(953)}, SEN status: the current status period does not match"):
        write_new_pupils(school=world.school_a, pupils=[good, bad], need_codes={"SLCN"})
    assert _counts() == before


def _note(world, day: int, **fields) -> EvidenceNote:
    return EvidenceNote(
        pupil=world.in_class,
        date=dt.date(2026, 11, day),
        learning_objective=f"Note of the {day}th",
        activity="Read the passage aloud",
        outcome="Read it with two prompts",
        **fields,
    )


def test_the_object_writer_saves_every_field_and_numbers_the_objects_in_order(world):
    # The demo's big tables (plans, targets, notes) go in through it: on PostgreSQL by COPY with
    # ids taken from the table's sequence, elsewhere by bulk_create.
    recorded = timezone.now() - dt.timedelta(days=3)
    notes = [
        _note(world, 2, areas=["cl", "semh"], attachment="evidence/reading.pdf", recorded_at=recorded),
        _note(world, 3, recorded_by=world.teacher),
        _note(world, 4),
    ]
    insert_objects(EvidenceNote, notes)
    ids = [note.pk for note in notes]
    assert None not in ids and ids == sorted(set(ids))
    first = EvidenceNote.objects.get(pk=ids[0])
    assert (first.date, first.areas, first.attachment.name, first.recorded_at, first.version) == (
        dt.date(2026, 11, 2),
        ["cl", "semh"],
        "evidence/reading.pdf",
        recorded,
        1,
    )
    second = EvidenceNote.objects.get(pk=ids[1])
    assert (second.recorded_by, second.attachment.name, second.areas) == (world.teacher, "", [])
    # A note saved the ordinary way afterwards gets a new id: the writer moved the sequence on.
    later = _note(world, 5)
    later.save()
    assert later.pk > ids[-1]
    assert not notes[0]._state.adding


def test_the_object_writer_with_nothing_to_write_writes_nothing(world):
    before = EvidenceNote.objects.count()
    insert_objects(EvidenceNote, [])
    assert EvidenceNote.objects.count() == before
