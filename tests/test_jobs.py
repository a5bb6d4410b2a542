"""Background jobs: queued in the database, run by `manage.py run_worker`, progress saved, the job
page (progress, result, errors, who may see it), audit, big uploads handed to the worker, the
scheduled jobs and the worker's heartbeat in /health/."""

from __future__ import annotations

import datetime as dt
import signal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from fixtures_transfer import ctf, ctf_pupil, upn

from trellis.accounts.models import Role
from trellis.audit.models import AuditEvent
from trellis.jobs import heartbeat, services
from trellis.jobs.models import Job, WorkerHeartbeat
from trellis.jobs.services import error_row, report_progress, start_job, start_scheduled
from trellis.pupils.models import Pupil
from trellis.transfer.models import ImportRun

from conftest import make_user

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def run_worker() -> None:
    """The real worker, in this process, until the queue is empty (its signal handlers undone).
    It must not close the test's connection: between tasks it drops connections that are not in
    autocommit, as the test's transaction is not (a real worker's always is)."""
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
    try:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("run_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def job_events(job: Job, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(record_type="background job", record_id=str(job.pk), action=action))


# --- Starting and running -------------------------------------------------------------------------


def test_a_job_waits_in_the_database_queue_until_the_worker_runs_it(world):
    job = start_job("prune_queue", world.senco, school=world.school_a)
    assert job.state == Job.State.QUEUED and job.started_by_name == "senco"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "trellis.jobs.tasks.run_job" and queued.args_kwargs["args"] == [job.pk]
    assert str(queued.id) == job.task_id
    [started] = job_events(job, AuditEvent.Action.CREATE)
    assert started.actor == world.senco and started.school == world.school_a
    assert "Clear finished work from the job queue" in started.summary
    assert not job_events(job, AuditEvent.Action.UPDATE)

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.started_at and job.finished_at
    assert job.worker_id == DBTaskResult.objects.get().worker_ids[-1]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    [finished] = job_events(job, AuditEvent.Action.UPDATE)
    assert finished.actor == world.senco and finished.via == "worker"
    assert finished.summary.startswith("Finished: Clear finished work") and finished.changes == {
        "state": ["running", "succeeded"]
    }


def test_an_unexpected_error_fails_the_job_and_is_audited(world, monkeypatch):
    def explode(job):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("trellis.jobs.housekeeping.prune_queue", explode)
    job = start_job("prune_queue", world.senco, school=world.school_a)
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.summary == "stopped with an unexpected error"
    assert "unexpected error" in job.errors[0]["message"] and "fire" not in str(job.errors)  # the log has it
    assert DBTaskResult.objects.get().status == "FAILED"  # the queue keeps the traceback
    [failed] = job_events(job, AuditEvent.Action.UPDATE)
    assert failed.summary.startswith("Failed: ")


def test_a_job_is_never_run_twice(world, monkeypatch):
    job = start_job("prune_queue", world.senco, school=world.school_a)
    run_worker()
    calls = []
    monkeypatch.setattr("trellis.jobs.housekeeping.prune_queue", calls.append)
    services.run(job.pk, worker_id="another")  # the same task again (a worker that picked it up twice)
    assert calls == [] and len(job_events(job, AuditEvent.Action.UPDATE)) == 1


def test_an_unknown_kind_is_refused(world):
    with pytest.raises(ValueError, match="unknown job kind 'reindex'"):
        start_job("reindex", world.senco)
    assert not Job.objects.exists()


def test_progress_is_saved_as_it_goes(world):
    job = start_job("prune_queue", world.senco, school=world.school_a)
    report_progress(job, 2000, 8000)
    report_progress(job, 4000)  # the total stays
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (4000, 8000, 50)


@pytest.mark.parametrize(
    ("done", "total", "percent"), [(0, 3, 0), (1, 3, 33), (3, 3, 100), (5, 3, 100), (7, None, None)]
)
def test_percent_is_whole_and_never_over_100(done, total, percent):
    assert Job(done=done, total=total).percent == percent


# --- The job page ---------------------------------------------------------------------------------


def running_job(world, **fields) -> Job:
    return Job.objects.create(
        kind="import_pupils",
        started_by=world.administrator,
        started_by_name="office",
        school=world.school_a,
        args={"file_name": "big.xml"},
        **({"state": Job.State.RUNNING, "done": 2000, "total": 8000} | fields),
    )


def test_the_page_shows_progress_and_polls_until_finished(world, login):
    job = running_job(world)
    page = login(world.administrator).get(reverse("job", args=[job.pk])).content.decode()
    assert '<progress id="job-progress" max="8000" value="2000">25%</progress>' in page
    assert "2,000 of 8,000 done (25%)" in page
    assert 'hx-trigger="every 2s"' in page and f'hx-get="/jobs/{job.pk}/"' in page
    assert f'<a href="/jobs/{job.pk}/">Refresh</a>' in page  # without JavaScript
    assert "Import pupils: big.xml" in page


def test_the_poll_gets_the_fragment_which_stops_polling_once_finished(world, login):
    job = running_job(world)
    client = login(world.administrator)
    poll = client.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert poll.lstrip().startswith('<div id="job-status"') and "<html" not in poll and "every 2s" in poll
    Job.objects.filter(pk=job.pk).update(state=Job.State.SUCCEEDED, summary="3 pupils in the file", done=8000)
    poll = client.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in poll and "Refresh" not in poll and "3 pupils in the file" in poll
    # A boosted form that was redirected here gets the whole page.
    boosted = client.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<html" in boosted.content.decode()


def test_a_waiting_job_says_when_no_worker_is_running(world, login):
    job = running_job(world, state=Job.State.QUEUED, done=0, total=None)
    client = login(world.administrator)
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert '<progress id="job-progress">' in page  # no total yet: an indeterminate bar
    assert "worker is not running at the moment, so this job has not started" in page
    heartbeat.beat("w1")
    assert "worker is not running" not in client.get(reverse("job", args=[job.pk])).content.decode()


def test_a_failed_job_lists_its_errors_like_the_import_preview(world, login):
    job = running_job(
        world,
        state=Job.State.FAILED,
        summary="nothing was imported",
        errors=[error_row("is not a date", line=14, upn=upn(902), field="Date of birth", accepted="YYYY-MM-DD")],
    )
    page = login(world.senco).get(reverse("job", args=[job.pk])).content.decode()
    assert "1 problem: nothing was imported" in page
    assert "<caption>Problems in big.xml</caption>" in page
    assert f"<td>14</td><td>{upn(902)}</td><td>Date of birth</td><td>is not a date</td><td>YYYY-MM-DD</td>" in page
    assert "Upload a corrected file" in page and "<progress" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("administrator", 200),  # started it
        ("senco", 200),  # the SENCO of its school
        ("superuser", 200),
        ("head", 404),
        ("teacher", 404),
        ("governor", 404),
        ("trustlead", 404),
        ("outsider", 404),  # a SENCO of another school
    ],
)
def test_only_the_starter_the_schools_senco_and_superusers_see_a_job(world, login, who, status):
    job = running_job(world)
    client = login(getattr(world, who))
    assert client.get(reverse("job", args=[job.pk])).status_code == status
    assert client.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true").status_code == status


def test_a_senco_of_another_school_sees_only_their_own_jobs(world, login):
    senco_b = make_user("sencob", school=world.school_b, role=Role.SENCO)
    assert login(senco_b).get(reverse("job", args=[running_job(world).pk])).status_code == 404
    assert login(senco_b).get(reverse("job", args=[999999])).status_code == 404


def test_opening_the_page_is_audited_but_polling_is_not(world, login):
    job = running_job(world)
    client = login(world.senco)
    client.get(reverse("job", args=[job.pk]))
    client.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true")
    [opened] = job_events(job, AuditEvent.Action.VIEW)
    assert opened.actor == world.senco and opened.school == world.school_a


def test_the_page_has_constant_queries(world, login, django_assert_max_num_queries):
    job = running_job(world, state=Job.State.FAILED, errors=[error_row("bad", upn=upn(n)) for n in range(50)])
    client = login(world.senco)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("job", args=[job.pk])).status_code == 200


# --- Big uploads go to the worker -----------------------------------------------------------------


def upload_and_check(client, world, data: bytes) -> str:
    response = client.post(
        reverse("import-upload", args=[world.school_a.urn]), {"file": SimpleUploadedFile("big.xml", data)}
    )
    assert client.get(response["Location"]).status_code == 200  # the preview counts the pupils
    return response["Location"] + "confirm/"


def test_a_file_over_the_limit_is_imported_by_the_worker(world, login, settings, tmp_path):
    settings.TRELLIS_BACKGROUND_IMPORT_ROWS = 2
    client = login(world.administrator)
    confirm = upload_and_check(client, world, ctf(*(ctf_pupil(upn(n), surname=f"Big{n}") for n in (901, 902, 903))))
    response = client.post(confirm)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert (job.kind, job.state, job.args["records"], job.school) == ("import_pupils", "queued", 3, world.school_a)
    assert client.post(confirm)["Location"] == response["Location"]  # a second click: the same job
    assert Job.objects.count() == 1 and not Pupil.objects.filter(upn=upn(901)).exists()

    run_worker()

    job.refresh_from_db()
    run = ImportRun.objects.get()
    assert job.state == "succeeded" and (job.done, job.total) == (3, 3)
    assert job.summary.startswith("3 pupils in the file: 3 new")
    assert job.result["url"] == reverse("import-run", args=[world.school_a.urn, run.pk])
    assert set(Pupil.objects.filter(legal_surname__startswith="Big").values_list("upn", flat=True)) == {
        upn(901),
        upn(902),
        upn(903),
    }
    assert run.by == world.administrator
    assert not list((tmp_path / "imports").iterdir())  # the upload is deleted once used
    page = client.get(response["Location"]).content.decode()
    assert "See what was imported" in page and "hx-trigger" not in page


def test_a_background_import_is_all_or_nothing(world, login, settings):
    settings.TRELLIS_BACKGROUND_IMPORT_ROWS = 2
    client = login(world.senco)
    # The preview lists the problem and offers no button; a POST made anyway goes to the worker.
    good = [ctf_pupil(upn(n), surname="Good") for n in (901, 903, 904)]
    data = ctf(good[0], ctf_pupil(upn(902), dob="2016-13-01"), *good[1:])
    job_url = client.post(upload_and_check(client, world, data))["Location"]
    run_worker()
    job = Job.objects.get()
    assert job.state == "failed" and job.summary == "nothing was imported"
    assert [(e["upn"], e["message"]) for e in job.errors] == [(upn(902), "'2016-13-01' is not a date")]
    assert not Pupil.objects.filter(upn__in=[upn(n) for n in (901, 902, 903, 904)]).exists()
    assert not ImportRun.objects.exists()
    page = client.get(job_url).content.decode()
    assert "is not a date" in page and upn(902) in page


def test_a_file_at_the_limit_is_imported_at_once(world, login, settings):
    settings.TRELLIS_BACKGROUND_IMPORT_ROWS = 2
    client = login(world.senco)
    response = client.post(upload_and_check(client, world, ctf(ctf_pupil(upn(901)), ctf_pupil(upn(902)))))
    assert response["Location"] == reverse("import-run", args=[world.school_a.urn, ImportRun.objects.get().pk])
    assert not Job.objects.exists()


def test_an_importer_who_lost_the_right_imports_nothing(world, login, settings):
    settings.TRELLIS_BACKGROUND_IMPORT_ROWS = 2
    client = login(world.administrator)
    client.post(upload_and_check(client, world, ctf(*(ctf_pupil(upn(n)) for n in (901, 902, 903)))))
    world.administrator.memberships.all().delete()
    run_worker()
    job = Job.objects.get()
    assert job.state == "failed" and "no longer import" in job.errors[0]["message"]
    assert not Pupil.objects.filter(upn=upn(901)).exists()


# --- Scheduled jobs -------------------------------------------------------------------------------


def test_run_scheduled_queues_the_weekly_jobs_once_a_day(db, capsys):
    call_command("run_scheduled", "weekly")
    call_command("run_scheduled", "weekly")  # a timer that fired twice
    assert sorted(Job.objects.values_list("kind", flat=True)) == ["prune_queue", "weekly_digest"]
    job = Job.objects.get(kind="prune_queue")
    assert (job.kind, job.started_by, job.started_by_name, job.state) == ("prune_queue", None, "system", "queued")
    assert capsys.readouterr().out.count(f"Job {job.pk}: Clear finished work from the job queue") == 2
    [started] = job_events(job, AuditEvent.Action.CREATE)
    assert started.actor_name == "system" and started.via == "command"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert start_scheduled("weekly", today=tomorrow)[0].pk != job.pk


def test_run_scheduled_monthly_queues_the_retention_review(db, capsys):
    call_command("run_scheduled", "monthly")
    job = Job.objects.get()
    assert (job.kind, job.state) == ("retention_review", "queued")
    assert f"Job {job.pk}: List SEN files past retention" in capsys.readouterr().out


def test_pruning_removes_queue_entries_finished_over_30_days_ago(db):
    now = timezone.now()
    start_job("prune_queue", None)
    start_job("prune_queue", None)
    ages = iter((29, 31))
    for result in DBTaskResult.objects.order_by("enqueued_at"):
        result.status, result.finished_at = "SUCCESSFUL", now - dt.timedelta(days=next(ages), seconds=1)
        result.save()
    Job.objects.update(state=Job.State.SUCCEEDED)
    WorkerHeartbeat.objects.create(worker_id="gone", seen_at=now - dt.timedelta(days=2))
    job = start_job("prune_queue", None)
    run_worker()
    job.refresh_from_db()
    assert job.summary == "removed 1 finished queue entry over 30 days old"
    assert DBTaskResult.objects.count() == 2  # the 29-day-old one, and this job's own
    assert not WorkerHeartbeat.objects.filter(worker_id="gone").exists()


# --- The worker's heartbeat in /health/ -----------------------------------------------------------


def test_health_reports_the_workers_heartbeat(client, db):
    assert client.get("/health/").json()["worker"] == "not running"
    heartbeat.beat("w1")
    assert client.get("/health/").json() == {"database": "ok", "worker": "ok"}


@pytest.mark.parametrize(("age", "status"), [(0, "ok"), (60, "ok"), (61, "stale")])
def test_a_heartbeat_older_than_the_limit_is_stale(db, settings, age, status):
    settings.TRELLIS_WORKER_STALE_SECONDS = 60
    heartbeat.beat("w1")
    seen = WorkerHeartbeat.objects.get().seen_at
    assert heartbeat.worker_status(now=seen + dt.timedelta(seconds=age)) == status


def test_jobs_run_in_the_request_are_not_configured_for_a_worker(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert heartbeat.worker_status() == "not configured"


def test_the_worker_beats_while_it_runs_and_forgets_itself_when_it_stops(db, monkeypatch):
    seen = []
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.Worker.run",
        lambda self: seen.append(list(WorkerHeartbeat.objects.values_list("worker_id", flat=True))),
    )
    run_worker()
    assert len(seen) == 1 and len(seen[0]) == 1  # its row was there while it ran
    assert not WorkerHeartbeat.objects.exists()


def test_an_immediate_backend_runs_the_job_in_the_request(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job = start_job("prune_queue", world.senco, school=world.school_a)
    assert job.state == Job.State.SUCCEEDED and not DBTaskResult.objects.exists()


def test_a_job_whose_worker_died_is_failed_by_a_live_worker(world, settings):
    settings.TRELLIS_WORKER_STALE_SECONDS = 60
    dead = start_job("prune_queue", world.senco, school=world.school_a)
    alive = start_job("prune_queue", world.senco, school=world.school_a)
    Job.objects.filter(pk=dead.pk).update(state=Job.State.RUNNING, worker_id="killed")
    Job.objects.filter(pk=alive.pk).update(state=Job.State.RUNNING, worker_id="busy")
    WorkerHeartbeat.objects.create(worker_id="killed", seen_at=timezone.now() - dt.timedelta(seconds=61))
    WorkerHeartbeat.objects.create(worker_id="busy", seen_at=timezone.now() - dt.timedelta(seconds=59))
    heartbeat.Heartbeat("new", periodic=False).start()
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == Job.State.FAILED and "worker stopped while this job was running" in dead.errors[0]["message"]
    assert job_events(dead, AuditEvent.Action.UPDATE)[0].summary.startswith("Failed: ")
    assert alive.state == Job.State.RUNNING
