"""The import service and command: all or nothing, history only when it changes, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections
from django.utils import timezone
from fixtures_transfer import csv_bytes, ctf, ctf_pupil, source, upn

from trellis.audit.models import AuditEvent
from trellis.pupils.models import GroupMembership, Pupil, PupilNeed, SenStatusEntry
from trellis.schools.models import TeachingGroup
from trellis.transfer.models import ImportRun, StagedRow
from trellis.transfer.services import import_pupils


def counts():
    return (
        Pupil.objects.count(),
        SenStatusEntry.objects.count(),
        PupilNeed.objects.count(),
        GroupMembership.objects.count(),
        TeachingGroup.objects.count(),
        AuditEvent.objects.count(),
        ImportRun.objects.count(),
    )


def run(world, data: bytes, *, dry_run=False, name="pupils.xml", by=None, mapping=None):
    return import_pupils(
        school=world.school_a,
        source=source(data),
        file_name=name,
        by=by or world.senco,
        dry_run=dry_run,
        mapping=mapping,
    )


def test_new_pupils_are_created_with_sen_history_and_needs(world):
    data = ctf(ctf_pupil(upn(901), sen=[("2023-09-04", "K")], needs=["SLCN", "ASD"]), ctf_pupil(upn(902)))
    plan = run(world, data)
    assert plan.applied and plan.created == 2 and not plan.problems
    pupil = Pupil.objects.get(school=world.school_a, upn=upn(901))
    assert pupil.sen_status == "K" and pupil.primary_need_id == "SLCN"
    entry = pupil.sen_history.get()
    assert entry.starts_on == dt.date(2023, 9, 4) and entry.source == "import" and entry.recorded_by == world.senco
    assert [(n.need_id, n.rank) for n in pupil.need_history.order_by("rank")] == [("SLCN", 1), ("ASD", 2)]
    assert Pupil.objects.get(upn=upn(902)).sen_history.count() == 0


def test_dry_run_shows_the_plan_and_writes_nothing(world):
    before = counts()
    plan = run(world, ctf(ctf_pupil(upn(901), sen=[("2023-09-04", "E")], needs=["ASD"])), dry_run=True)
    assert counts() == before
    assert not plan.applied and plan.created == 1 and plan.status_changes == 1
    assert plan.details[0].changes["sen_status"] == [None, "E"]


def test_existing_pupils_match_by_upn_and_history_grows_only_on_change(world):
    pupil = world.in_class  # K with SLCN, SPLD
    same = ctf_pupil(
        pupil.upn,
        surname=pupil.legal_surname,
        forename=pupil.legal_forename,
        dob="2017-05-01",
        sex="M",
        sen=[("2020-01-01", "K")],
        needs=["SLCN", "SPLD"],
    )
    plan = run(world, ctf(same))
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 1)
    assert pupil.sen_history.count() == 1 and pupil.need_history.count() == 2

    changed = (
        same.replace("<SENprovision>K</SENprovision>", "<SENprovision>E</SENprovision>")
        .replace("2020-01-01", (timezone.localdate() + dt.timedelta(days=1)).isoformat())
        .replace("<SENtype>SPLD</SENtype>", "<SENtype>ASD</SENtype>")
    )
    plan = run(world, ctf(changed))
    assert plan.updated == 1 and plan.status_changes == 1 and plan.need_changes == 1
    pupil.refresh_from_db()
    assert pupil.sen_status == "E"
    assert pupil.sen_history.count() == 2 and pupil.sen_history.filter(ends_on__isnull=True).get().status == "E"
    current = dict(pupil.need_history.filter(ends_on__isnull=True).values_list("rank", "need_id"))
    assert current == {1: "SLCN", 2: "ASD"}
    assert pupil.need_history.filter(need_id="SPLD", ends_on__isnull=False).exists()


def test_monitoring_is_not_overwritten_by_n(world):
    from trellis.pupils import services

    services.set_sen_status(pupil=world.pupil_b, status="M", starts_on=timezone.localdate(), by=world.senco)
    pupil = world.in_class
    services.set_sen_status(pupil=pupil, status="M", starts_on=timezone.localdate(), by=world.senco)
    row = ctf_pupil(
        pupil.upn, surname=pupil.legal_surname, forename="Sam", dob="2017-05-01", sex="M", sen=[("2020-01-01", "N")]
    )
    plan = run(world, ctf(row))
    assert plan.status_changes == 0


def test_an_import_failing_on_its_last_record_leaves_no_trace(world, settings):
    from trellis.transfer import services

    settings.DEBUG = False
    services.CHUNK_SIZE, old = 3, services.CHUNK_SIZE  # earlier chunks are written before the failure
    try:
        before = counts()
        good = [ctf_pupil(upn(900 + n), sen=[("2023-09-04", "K")], needs=["MLD"]) for n in range(10)]
        bad = ctf_pupil(upn(950), dob="31/02/2016")
        plan = run(world, ctf(*good, bad))
    finally:
        services.CHUNK_SIZE = old
    assert not plan.applied and len(plan.problems) == 1
    assert plan.problems[0].upn == upn(950)
    assert counts() == before
    assert not StagedRow.objects.exists()  # earlier chunks were staged, then dropped


def test_classes_are_created_or_linked(world):
    rows = [
        ["UPN", "Surname", "Forename", "DOB", "Sex", "Reg Group"],
        [upn(901), "New", "Pupil", "2017-01-01", "F", "4B"],
        [upn(902), "Newer", "Pupil", "2017-01-01", "M", "5Z"],
        [world.in_class.upn, "Inclass", "Sam", "01/05/2017", "M", "4C"],
    ]
    plan = run(world, csv_bytes(rows), name="classes.csv")
    assert plan.classes_created == ["5Z"] and plan.class_changes == 3
    assert GroupMembership.objects.get(pupil__upn=upn(901)).group == world.class_4b
    assert GroupMembership.objects.get(pupil__upn=upn(902)).group.name == "5Z"
    moved = GroupMembership.objects.filter(pupil=world.in_class)
    assert moved.get(ends_on__isnull=True).group == world.class_4c
    assert moved.get(ends_on__isnull=False).group == world.class_4b


def test_pupils_missing_from_the_file_are_listed_never_removed(world):
    plan = run(world, ctf(ctf_pupil(upn(901))))
    assert plan.missing_count == 4
    assert {upn for upn, _, _ in plan.missing} == {
        world.in_class.upn,
        world.other_class.upn,
        world.confidential.upn,
        world.expired_share.upn,
    }
    assert Pupil.objects.filter(school=world.school_a).count() == 5


def test_an_applied_import_is_recorded_and_audited(world):
    plan = run(world, ctf(ctf_pupil(upn(901), sen=[("2023-09-04", "K")])), name="leavers.xml")
    run_ = ImportRun.objects.get()
    assert plan.run == run_ and run_.by == world.senco and run_.file_name == "leavers.xml"
    assert len(run_.sha256) == 64 and run_.created == 1 and run_.missing == 4
    summary = AuditEvent.objects.get(action="import")
    assert summary.school == world.school_a and "leavers.xml" in summary.summary
    event = AuditEvent.objects.get(action="create", record_type="pupil", pupil_id=Pupil.objects.get(upn=upn(901)).pk)
    assert event.changes["sen_status"] == [None, "K"] and event.record_id == str(run_.pk)


def test_a_large_import_uses_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    pupils = [ctf_pupil(upn(n), sen=[("2023-09-04", "K")], needs=["MLD"]) for n in range(100, 400)]
    with django_assert_max_num_queries(40):
        plan = run(world, ctf(*pupils))
    assert plan.created == 300


# ---- the command


def test_command_imports_and_prints_the_summary(world, tmp_path, capsys):
    path = tmp_path / "in.xml"
    path.write_bytes(ctf(ctf_pupil(upn(901), sen=[("2010-01-01", "S")], needs=["ASD"])))
    call_command("import_pupils", str(path), "--school", world.school_a.urn)
    out = capsys.readouterr().out
    assert "1 new" in out and "legacy SEN code S recorded as E" in out and "Imported into Alder Primary" in out
    assert ImportRun.objects.get().via == "command"


def test_command_dry_run_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "in.xml"
    path.write_bytes(ctf(ctf_pupil(upn(901))))
    before = counts()
    call_command("import_pupils", str(path), "--school", world.school_a.urn, "--dry-run")
    assert "Dry run" in capsys.readouterr().out and counts() == before


def test_command_fails_listing_every_problem(world, tmp_path, capsys):
    path = tmp_path / "in.xml"
    path.write_bytes(ctf(ctf_pupil(upn(901), dob="x"), ctf_pupil(upn(902), sex="Q")))
    before = counts()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_pupils", str(path), "--school", world.school_a.urn)
    err = capsys.readouterr().err
    assert "in.xml, line" in err and upn(901) in err and upn(902) in err and "Sex" in err
    assert counts() == before


def test_command_map_option(world, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(
        csv_bytes([["UPN", "Family", "Forename", "DOB", "Sex"], [upn(901), "Smith", "A", "2017-01-01", "F"]])
    )
    call_command("import_pupils", str(path), "--school", world.school_a.urn, "--map", "Family=legal_surname")
    assert Pupil.objects.get(upn=upn(901)).legal_surname == "Smith"


def test_command_line_exits_1_naming_the_problem_and_writes_nothing(world, tmp_path, capsys, monkeypatch):
    """What a shell sees, on the test database (never var/): exit status 1 and a one-line reason,
    not a traceback (a crash would raise here instead of exiting with 1)."""
    # A command closes every connection as it ends; on PostgreSQL that would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = tmp_path / "in.xml"
    path.write_bytes(b"<CTfile><oops></CTfile>")
    before = counts()
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_pupils", str(path), "--school", world.school_a.urn])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "in.xml, line 1: the XML is malformed (mismatched tag, column 16) "
        "(accepted: a complete, well-formed CTF as your MIS exports it)",
        "CommandError: 1 problem(s) found: nothing was imported.",
    ]
    assert counts() == before
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_pupils", str(path), "--school", "999999"])
    assert (exited.value.code, capsys.readouterr().err) == (1, "CommandError: No school has URN 999999.\n")
