"""Imports are staged: the file is read and checked with no transaction open, each chunk's writes
are staged in a short transaction, and one short transaction makes them live, all or nothing.
A database busy with another write is a "busy, try again" message, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.utils import timezone
from fixtures_transfer import ctf, ctf_pupil, source, upn

from trellis.audit.models import AuditEvent
from trellis.lib.busy import BusyDatabaseMiddleware
from trellis.pupils.models import Pupil, SenStatusEntry
from trellis.transfer import services
from trellis.transfer.models import ImportRun, StagedRow


def steps(world, data: bytes, **options):
    return services.import_steps(
        school=world.school_a, source=source(data), file_name="p.xml", by=world.senco, **options
    )


def finish(generator) -> services.ImportPlan:
    while True:
        try:
            next(generator)
        except StopIteration as done:
            return done.value


def nothing_imported(world) -> bool:
    return (
        not Pupil.objects.filter(upn__in=[upn(n) for n in range(900, 910)]).exists()
        and not ImportRun.objects.exists()
        and not AuditEvent.objects.filter(action__in=["create", "import"]).exists()
    )


FIVE = [ctf_pupil(upn(900 + n), sen=[("2023-09-04", "K")], needs=["MLD"]) for n in range(5)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # puts back the data migrations seed
def test_no_transaction_is_open_while_the_file_is_read_and_chunks_are_staged(world, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    generator = steps(world, ctf(*FIVE))
    assert next(generator) == 2
    # Between chunks the import holds no transaction, so SQLite's write lock is free for others.
    assert not connection.in_atomic_block and connection.get_autocommit()
    staged = StagedRow.objects.filter(kind="pupil")
    assert staged.count() == 2 and not Pupil.objects.filter(upn=upn(900)).exists()
    assert {row.kind for row in StagedRow.objects.all()} == {"pupil", "status", "need", "event"}
    assert next(generator) == 4 and staged.count() == 4
    plan = finish(generator)
    assert plan.applied and plan.created == 5 and 0 < plan.live_seconds < 5
    assert Pupil.objects.filter(upn__in=[upn(900 + n) for n in range(5)]).count() == 5
    assert SenStatusEntry.objects.filter(pupil__upn=upn(904), status="K", ends_on__isnull=True).exists()
    assert not StagedRow.objects.exists()


def test_a_dry_run_stages_nothing(world, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    generator = steps(world, ctf(*FIVE), dry_run=True)
    next(generator)
    assert not StagedRow.objects.exists()
    assert finish(generator).created == 5 and nothing_imported(world)


def test_a_pupil_added_while_the_file_was_checked_makes_the_live_step_undo_everything(world, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    generator = steps(world, ctf(*FIVE))
    for _ in range(3):
        next(generator)  # all three chunks staged; the live step comes next
    # Someone adds the fifth pupil by hand meanwhile: the third chunk no longer applies.
    Pupil.objects.create(
        school=world.school_a,
        upn=upn(904),
        legal_surname="Hand",
        legal_forename="Made",
        date_of_birth=dt.date(2016, 3, 2),
        sex="F",
    )
    plan = finish(generator)
    assert not plan.applied and plan.run is None
    assert "pupil records changed while the file was being checked" in str(plan.problems[-1])
    # The first two chunks had been applied inside the live transaction: they are undone too.
    assert not Pupil.objects.filter(upn__in=[upn(900 + n) for n in range(4)]).exists()
    assert not ImportRun.objects.exists() and not AuditEvent.objects.filter(action="import").exists()
    assert not StagedRow.objects.exists()


def test_a_status_ended_meanwhile_stops_the_import(world):
    pupil = world.in_class
    current = SenStatusEntry.objects.get(pupil=pupil, ends_on__isnull=True)
    new_status = "E" if current.status != "E" else "K"
    file = ctf(
        ctf_pupil(
            pupil.upn,
            surname=pupil.legal_surname,
            forename=pupil.legal_forename,
            dob=pupil.date_of_birth.isoformat(),
            sex=pupil.sex,
            sen=[(timezone.localdate().isoformat(), new_status)],
            needs=["SLCN"],  # an EHC plan names a need
        )
    )
    generator = steps(world, file)
    next(generator)
    SenStatusEntry.objects.filter(pk=current.pk).update(ends_on=timezone.localdate())  # someone else's change
    plan = finish(generator)
    assert not plan.applied and "records changed" in str(plan.problems[-1])
    assert not SenStatusEntry.objects.filter(pupil=pupil, status=new_status).exists()


def test_a_busy_database_while_staging_is_a_clear_problem_and_nothing_is_written(world, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services._Importer, "stage", locked)
    plan = finish(steps(world, ctf(*FIVE)))
    assert not plan.applied
    assert str(plan.problems[-1]) == (
        "p.xml: the database was busy with another change, so nothing was saved "
        "(accepted: import the file again in a minute)"
    )
    assert nothing_imported(world)


def test_a_locked_database_anywhere_is_a_busy_page_not_a_500(world):
    request = RequestFactory().post("/anything/")
    request.user = world.teacher
    middleware = BusyDatabaseMiddleware(lambda request: None)
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert b"was not saved" in response.content and b"try again" in response.content
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None
    assert middleware.process_exception(request, ValueError("database is locked")) is None
