"""The import parsers, on strings: CTF, CSV and XLSX to pupil records and a list of problems."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from fixtures_transfer import csv_bytes, ctf, ctf_pupil, upn
from openpyxl import Workbook

from trellis.pupils.register import DOWNLOAD_HEADINGS
from trellis.transfer.parsers import ParseReport, detect_format, parse_date, read_pupils

NEEDS = {"SLCN": "Speech, language and communication needs", "ASD": "Autistic spectrum disorder", "MLD": "MLD"}


def parse(data: bytes, name: str = "pupils", mapping=None):
    report = ParseReport(file=name)
    records = list(read_pupils(io.BytesIO(data), file_name=name, report=report, need_types=NEEDS, mapping=mapping))
    return records, report


def test_ctf_pupil_is_read_with_sen_history_and_ranked_needs():
    data = ctf(ctf_pupil(upn(1), sen=[("2020-09-01", "N"), ("2022-01-10", "K")], needs=["ASD", "SLCN"]))
    (record,), report = parse(data, "a.xml")
    assert report.format == "ctf" and not report.problems
    assert record.upn == upn(1)
    assert record.fields["legal_surname"] == "Smith" and record.fields["date_of_birth"] == dt.date(2016, 3, 2)
    assert record.fields["nc_year"] == 4 and record.fields["sex"] == "F"
    assert (record.sen_status, record.sen_starts_on) == ("K", dt.date(2022, 1, 10))
    assert record.needs == ["ASD", "SLCN"]
    assert report.header["SchoolName"] == "Old School"


def test_ctf_accepts_gender_from_older_versions_and_ignores_unknown_elements():
    pupil = ctf_pupil(upn(1), sex_tag="Gender", sex="M", extra="<Address><Street>High St</Street></Address>\n<Foo/>\n")
    (record,), report = parse(ctf(pupil))
    assert record.fields["sex"] == "M" and not report.problems


def test_ctf_needs_are_ordered_by_rank_not_document_order():
    pupil = ctf_pupil(upn(1), sen=[("2022-01-10", "K")]).replace(
        "</SENhistory>",
        "<SENneeds><SENneed><SENtype>MLD</SENtype><SENtypeRank>2</SENtypeRank></SENneed>"
        "<SENneed><SENtype>ASD</SENtype><SENtypeRank>1</SENtypeRank></SENneed></SENneeds></SENhistory>",
    )
    (record,), _ = parse(ctf(pupil))
    assert record.needs == ["ASD", "MLD"]


def test_legacy_sen_codes_are_mapped_with_a_warning_per_pupil():
    data = ctf(
        ctf_pupil(upn(1), sen=[("2010-01-01", "S")], needs=["ASD"]),  # an EHC plan names a need
        ctf_pupil(upn(2), sen=[("2010-01-01", "A")]),
        ctf_pupil(upn(3), sen=[("2010-01-01", "P")]),
    )
    records, report = parse(data)
    assert [r.sen_status for r in records] == ["E", "K", "K"]
    assert len(report.warnings) == 3 and {w.upn for w in report.warnings} == {upn(1), upn(2), upn(3)}
    assert "legacy SEN code S recorded as E" in report.warnings[0].message


def test_every_problem_names_file_line_upn_field_and_what_is_accepted():
    bad_check = "B" + upn(2)[1:] if upn(2)[0] != "B" else "C" + upn(2)[1:]
    data = ctf(
        ctf_pupil(upn(1)),
        ctf_pupil(bad_check),
        ctf_pupil(upn(3), dob="2016-02-30"),
        ctf_pupil(upn(4), sen=[("2020-01-01", "Z")]),
        ctf_pupil(upn(5), needs=["XYZ"]),
        ctf_pupil(upn(1)),
        ctf_pupil(upn(6), surname=""),
    )
    records, report = parse(data, "leaver.xml")
    assert [r.upn for r in records] == [upn(1)]
    problems = {(p.upn, p.field): p for p in report.problems}
    assert (bad_check, "UPN") in problems and "check letter" in problems[(bad_check, "UPN")].message
    assert problems[(upn(3), "Date of birth")].accepted.startswith("a real date")
    assert "N, K or E" in problems[(upn(4), "SEN status")].accepted
    assert "ASD" in problems[(upn(5), "Primary need")].accepted
    assert "also on line" in problems[(upn(1), "UPN")].message
    assert problems[(upn(6), "Legal surname")].message == "is missing"
    assert all(p.file == "leaver.xml" and p.line for p in report.problems)
    assert "leaver.xml, line" in str(report.problems[0])


def test_problem_line_is_the_line_of_the_pupil_in_the_file():
    data = ctf(ctf_pupil(upn(1)), ctf_pupil(upn(2), dob="tomorrow"))
    _, report = parse(data)
    (problem,) = report.problems
    lines = data.decode().splitlines()
    assert lines[problem.line - 1] == "<Pupil>"
    assert f"<UPN>{upn(2)}</UPN>" == lines[problem.line]


def test_malformed_xml_is_one_clear_problem_with_its_line():
    data = ctf(ctf_pupil(upn(1)))[:-40]
    _, report = parse(data)
    assert len(report.problems) == 1 and "malformed" in report.problems[0].message
    assert report.problems[0].line


def test_xml_entity_declarations_are_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CTfile>&a;</CTfile>'
    _, report = parse(data)
    assert report.problems and "not allowed" in report.problems[0].message


def test_xml_that_is_not_a_ctf_is_refused():
    _, report = parse(b"<html><body>hello</body></html>")
    assert "root is <html>" in report.problems[0].message


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_csv_in_utf8_with_or_without_bom_or_windows_1252(encoding, bom):
    rows = [
        ["UPN", "Legal Surname", "Forename", "DOB", "Gender", "Year", "Reg Group", "SEN Status", "Primary Need"],
        [upn(1), "Zoë", "Renée", "02/03/2016", "F", "R", "RB", "K", "asd"],
    ]
    (record,), report = parse(csv_bytes(rows, encoding=encoding, bom=bom), "mis.csv")
    assert report.format == "csv" and not report.problems
    assert record.fields["legal_surname"] == "Zoë" and record.fields["legal_forename"] == "Renée"
    assert record.fields["nc_year"] == 0 and record.class_name == "RB"
    assert record.sen_status == "K" and record.needs == ["ASD"]


def test_headings_are_matched_ignoring_case_spaces_and_punctuation():
    rows = [
        ["upn", "SURNAME", "first  name", "D.O.B.", "sex", "Year Group", "sen provision"],
        [upn(1), "Smith", "Ann", "2016-03-02", "Female", "Year 4", "EHC Plan"],
    ]
    (record,), report = parse(csv_bytes(rows))
    assert not report.problems
    assert record.fields["sex"] == "F" and record.fields["nc_year"] == 4 and record.sen_status == "E"


def test_the_register_download_headings_are_all_recognised():
    row = [
        upn(1),
        "Smith",
        "Ann",
        "",
        "Annie",
        "02/03/2016",
        "F",
        "4",
        "4B",
        "M",
        "SLCN",
        "",
        "Yes",
        "No",
        "No",
        "No",
        "WBRI",
    ]
    (record,), report = parse(csv_bytes([DOWNLOAD_HEADINGS, row]))
    assert not report.problems and not report.unrecognised
    assert len(report.headings) == len(DOWNLOAD_HEADINGS)
    assert record.sen_status == "M" and record.needs == ["SLCN"] and record.fields["fsm"] is True
    assert record.fields["preferred_forename"] == "Annie"


def test_unrecognised_headings_are_reported_and_can_be_mapped():
    rows = [["UPN", "Family", "Given", "DOB", "Sex"], [upn(1), "Smith", "Ann", "2016-03-02", "F"]]
    _, report = parse(csv_bytes(rows))
    assert report.unrecognised == ["Family", "Given"]
    assert {p.field for p in report.problems} == {"Legal surname", "Legal forename"}
    (record,), report = parse(csv_bytes(rows), mapping={"Family": "legal_surname", "given": "Legal Forename"})
    assert not report.problems and record.fields["legal_forename"] == "Ann"


def test_a_mapping_to_an_unknown_field_is_a_problem():
    rows = [["UPN", "Surname", "Forename", "DOB", "Sex", "X"], [upn(1), "S", "A", "2016-03-02", "F", "1"]]
    _, report = parse(csv_bytes(rows), mapping={"X": "shoe_size"})
    assert "cannot map to 'shoe_size'" in report.problems[0].message


def test_xlsx_is_read_with_real_dates_and_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year", "SEN Status", "Primary Need"])
    sheet.append([upn(1), "Smith", "Ann", dt.datetime(2016, 3, 2), "F", 4, "K", "MLD"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (record,), report = parse(buffer.getvalue(), "mis.xlsx")
    assert report.format == "xlsx" and not report.problems
    assert record.fields["date_of_birth"] == dt.date(2016, 3, 2) and record.fields["nc_year"] == 4


def test_old_excel_files_are_refused_with_advice():
    _, report = parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "XLSX or CSV" in report.problems[0].accepted


def test_format_is_detected_from_content_not_name():
    assert detect_format(b"\xef\xbb\xbf<?xml") == "ctf"
    assert detect_format(b"PK\x03\x04") == "xlsx"
    assert detect_format(b"UPN,Surname") == "csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-03-02", dt.date(2016, 3, 2)),
        ("02/03/2016", dt.date(2016, 3, 2)),
        ("2/3/2016", dt.date(2016, 3, 2)),
        ("2016-03-02T00:00:00", dt.date(2016, 3, 2)),
    ],
)
def test_dates_in_iso_and_british_order(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2016-02-30", "03/02/16", "2 March 2016", "", "31/31/2016"])
def test_impossible_or_ambiguous_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_ctf_with_a_namespace_is_read():
    data = ctf(ctf_pupil(upn(1), sen=[("2022-01-10", "K")], needs=["ASD"])).replace(
        b"<CTfile>", b'<CTfile xmlns="http://www.example.org/ctf">'
    )
    (record,), report = parse(data)
    assert not report.problems and record.needs == ["ASD"] and record.sen_status == "K"
