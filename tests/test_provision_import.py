"""Importing a provision map: headings forgiven, every problem listed, nothing written unless all is well."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from fixtures_provision import SEED001_FILE, seed001_pupils_fixture  # noqa: F401
from openpyxl import Workbook

from trellis.audit.models import AuditEvent
from trellis.lib.upn import make_upn
from trellis.provision import importer
from trellis.provision.models import Enrolment, Intervention, InterventionGroup, Measure
from trellis.pupils.models import Pupil

HEAD = "intervention, AREA OF NEED ,Group Size,frequency / duration,Staff,pupil,Scale,Entry,Target,Exit,Outcomes,Start Date,End  date"


def parse_text(text: str, school):
    table = importer.read_table("map.csv", text.encode())
    return importer.parse(table, filename="map.csv", lookup=importer.SchoolLookup(school))


def test_headings_are_case_and_spacing_insensitive(world, seed001_pupils):
    parsed = parse_text(
        f"{HEAD}\nNumeracy,,1:6,4 x 20 mins,HLTA,Amy Ashton,nc-levels,3c,+1,3b,,01/09/2026,\n", world.school_a
    )
    assert parsed.problems == []
    [row] = parsed.rows
    assert (row.pupil, row.entry, row.target_steps, row.exit) == (seed001_pupils["Amy"], "3c", 1, "3b")


def test_every_problem_is_listed_with_row_field_and_what_is_accepted(world, seed001_pupils):
    text = (
        f"{HEAD}\n"
        "Numeracy,,1:6,,HLTA,Nobody Here,nc-levels,3c,+1,3b,,01/09/2026,\n"
        "Numeracy,,1:6,,HLTA,R801200125101,nc-levels,3z,plus one,3b,,31/02/2026,\n"
        "Numeracy,,1:6,,HLTA,R801200125101,made-up scale,3c,+1,,,01/09/2026,\n"
        ",,1:6,,HLTA,R801200125101,nc-levels,,+1,,,,\n"
    )
    problems = parse_text(text, world.school_a).problems
    found = {(p.row, p.field) for p in problems}
    assert found == {
        (2, "Pupil"),
        (3, "Entry"),
        (3, "Target"),
        (3, "Start date"),
        (4, "Scale"),
        (5, "Intervention"),
        (5, "Entry"),
        (5, "Start date"),
    }
    entry = next(p for p in problems if (p.row, p.field) == (3, "Entry"))
    assert entry.file == "map.csv"
    assert "'3z' is not on the NC levels scale" in entry.message
    assert "2c" in entry.accepted and "5a" in entry.accepted
    assert str(entry).startswith("map.csv, row 3, Entry: ")
    target = next(p for p in problems if (p.row, p.field) == (3, "Target"))
    assert "+N (steps to gain)" in target.accepted


def test_unknown_or_missing_columns_are_reported_before_any_row(world):
    problems = parse_text("Intervention,Pupil,Scale,Colour\nx,y,z,red\n", world.school_a).problems
    messages = [p.message for p in problems]
    assert "Unknown column 'Colour'" in messages
    assert "The Entry column is missing" in messages
    assert "The Start date column is missing" in messages
    assert all(p.row == 1 for p in problems)


def test_a_name_shared_by_two_pupils_must_be_given_as_a_upn(world, seed001_pupils):
    twin = Pupil.objects.get(pk=seed001_pupils["Amy"].pk)
    twin.pk, twin.upn = None, make_upn("801", "2001", 25, 199)
    twin.save()
    [problem] = parse_text(f"{HEAD}\nNumeracy,,,,,amy  ashton,nc-levels,3c,+1,,,01/09/2026,\n", world.school_a).problems
    assert problem.message == "2 pupils at Alder Primary are called 'amy  ashton'"
    assert problem.accepted == "the pupil's UPN"


def test_the_same_pupil_and_scale_twice_in_a_group_is_a_problem(world, seed001_pupils):
    line = "Numeracy,,,,HLTA,R801200125101,nc-levels,3c,+1,,,01/09/2026,\n"
    [problem] = parse_text(HEAD + "\n" + line + line, world.school_a).problems
    assert (problem.row, problem.field) == (3, "Scale")
    assert "(row 2)" in problem.message


def test_one_bad_row_means_nothing_is_imported(world, seed001_pupils, tmp_path):
    good = SEED001_FILE.read_text()
    bad = tmp_path / "map.csv"
    bad.write_text(good + "Numeracy,,1:6,,HLTA,R801200125101,nc-levels,6a,+1,,,07/09/2026,16/10/2026\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_provision", str(bad), "--school", world.school_a.urn, stderr=err)
    assert "map.csv, row 21, Entry: '6a' is not on the NC levels scale" in err.getvalue()
    assert not Intervention.objects.exists()
    assert not Enrolment.objects.exists()
    assert not AuditEvent.objects.filter(record_type__startswith="intervention").exists()


def test_dry_run_checks_and_writes_nothing(world, seed001_pupils):
    out = io.StringIO()
    call_command("import_provision", str(SEED001_FILE), "--school", world.school_a.urn, "--dry-run", stdout=out)
    assert "Dry run: 19 rows: 11 pupils in 4 groups" in out.getvalue()
    assert not InterventionGroup.objects.exists()


def test_apply_refuses_parsed_rows_with_problems(world):
    parsed = importer.Parsed(problems=[importer.Problem("f.csv", 2, "Pupil", "bad")])
    with pytest.raises(ValueError, match="nothing was imported"):
        importer.apply(school=world.school_a, parsed=parsed, by=world.senco)


def test_xlsx_with_real_dates_imports_like_csv(world, seed001_pupils, tmp_path):
    import csv
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    for i, cells in enumerate(csv.reader(io.StringIO(SEED001_FILE.read_text()))):
        if i:
            cells[-2] = dt.datetime(2026, 9, 7)
            cells[-1] = dt.datetime(2026, 10, 16)
        sheet.append(cells)
    path = tmp_path / "map.xlsx"
    workbook.save(path)
    call_command("import_provision", str(path), "--school", world.school_a.urn, stdout=io.StringIO())
    assert Measure.objects.count() == 19
    assert set(InterventionGroup.objects.values_list("starts_on", flat=True)) == {dt.date(2026, 9, 7)}


def test_import_audits_each_enrolment_against_the_pupil(world, seed001_pupils):
    call_command("import_provision", str(SEED001_FILE), "--school", world.school_a.urn, stdout=io.StringIO())
    events = AuditEvent.objects.filter(record_type="intervention enrolment")
    assert events.count() == 16
    assert events.filter(pupil_id=seed001_pupils["Joe"].pk).count() == 2


def test_frequency_text_is_read_for_sessions_minutes_and_weeks():
    assert importer.parse_frequency("3 x 15 mins x 6 weeks") == (3, 15, 6)
    assert importer.parse_frequency("Daily x 10 mins") == (5, 10, None)
    assert importer.parse_frequency("weekly check-in") == (None, None, None)


def test_a_file_with_only_the_required_columns_is_read(world, seed001_pupils):
    parsed = parse_text(
        "Intervention,Pupil,Scale,Entry,Start date\nNumeracy,Amy Ashton,nc-levels,3c,01/09/2026\n", world.school_a
    )
    assert parsed.problems == []
    [row] = parsed.rows
    assert (row.pupil, row.entry, row.exit, row.target_steps, row.target_value) == (
        seed001_pupils["Amy"],
        "3c",
        "",
        None,
        "",
    )
