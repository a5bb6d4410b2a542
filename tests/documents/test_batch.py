"""A PDF for each pupil of a class or the register, made by the background worker into one zip:
need to know pupil by pupil, the zip for the person who asked only, its download an export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.test_jobs import run_worker
from trellis.audit.models import AuditEvent
from trellis.documents.batch import file_name
from trellis.documents.registry import get_kind
from trellis.jobs.models import Job

pytestmark = pytest.mark.pdf


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path


def _batch(client, world, **choice) -> Job:
    response = client.post(reverse("document-batch", args=[world.school_a.urn]), choice)
    job = Job.objects.get(kind="document_batch", started_by=response.wsgi_request.user)
    assert response.url == reverse("job", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    return job


def _zip(client, job) -> zipfile.ZipFile:
    response = client.get(reverse("document-batch-download", args=[job.pk]))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_class_batch_has_one_pdf_per_pupil_the_senco_sees(world, login):
    # Class 4B: in_class and the confidential pupil (the SENCO sees both); 4C's pupils are not in it.
    client = login(world.senco)
    job = _batch(client, world, kind="passport", group=world.class_4b.pk)
    assert (job.state, job.done, job.total) == ("succeeded", 2, 2)
    assert job.summary == "Pupil passport: 2 PDFs for class 4B"
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "Download the zip of 2 PDFs" in page
    archive = _zip(client, job)
    kind = get_kind("passport")
    assert sorted(archive.namelist()) == sorted(file_name(kind, p) for p in (world.in_class, world.confidential))
    assert file_name(kind, world.in_class) == f"inclass-sam-{world.in_class.upn}-passport.pdf"
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())


def test_a_teachers_register_batch_leaves_out_pupils_they_do_not_teach(world, login):
    client = login(world.teacher)  # teaches 4B: not 4C, not the confidential pupil
    job = _batch(client, world, kind="parent-report", group="")
    assert job.summary == "Report for parents and carers: 1 PDF for the register"
    assert _zip(client, job).namelist() == [file_name(get_kind("parent-report"), world.in_class)]
    # The download is an export of each pupil's record in the zip, and of no one else's.
    exports = AuditEvent.objects.filter(action="export", record_id=str(job.pk))
    assert [(e.actor, e.pupil_id, e.record_type) for e in exports] == [
        (world.teacher, world.in_class.pk, "parent-report")
    ]


def test_only_the_person_who_asked_downloads_the_zip(world, login):
    job = _batch(login(world.teacher), world, kind="passport", group=world.class_4b.pk)
    page = login(world.senco).get(reverse("job", args=[job.pk])).content.decode()
    assert "Only teacher, who asked for it, can download the zip." in page and "Download the zip" not in page
    for other in (world.senco, world.head, world.other_teacher, world.superuser):
        assert login(other).get(reverse("document-batch-download", args=[job.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export", record_id=str(job.pk)).exists()


def test_pupils_without_the_document_are_counted_not_zipped(world, login):
    # The annual review pack is for pupils with an EHC plan: none in 4B here.
    job = _batch(login(world.senco), world, kind="annual-review", group=world.class_4b.pk)
    assert job.summary == (
        "EHC plan annual review pack: 0 PDFs for class 4B; 2 pupils left out, as it cannot be made for them"
    )


def test_the_batch_page_is_for_staff_who_see_pupils(world, login):
    url = reverse("document-batch", args=[world.school_a.urn])
    assert login(world.governor).get(url).status_code == 404
    assert login(world.administrator).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
    page = login(world.teacher).get(url).content.decode()
    assert "Class 4B" in page and "Pupil passport" in page
    response = login(world.teacher).post(url, {"kind": "governors-report", "group": ""})
    assert "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.dates
def test_the_zip_is_deleted_when_its_days_are_up_and_the_job_page_says_so(world, login, settings):
    """Made at 10:00 and kept 3 days (TRELLIS_BATCH_KEEP_DAYS): downloadable at 09:59 three days on,
    not at 10:01; the daily job (04:00) that runs after then deletes the file, not one before."""
    settings.TRELLIS_BATCH_KEEP_DAYS = 3
    client = login(world.senco)
    made_on = timezone.localdate()
    job = _batch(client, world, kind="passport", group=world.class_4b.pk)
    stored = job.result["file"]
    up = timezone.localtime(job.kept_until)
    assert (up.date(), up.hour, up.minute) == (made_on + dt.timedelta(days=3), 10, 0)
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert f"The zip is kept until {up:%-d %B %Y} 10:00, then deleted." in page

    def daily_job_on(moment: dt.datetime) -> None:
        with time_machine.travel(moment, tick=False):
            call_command("run_scheduled", "daily", stdout=io.StringIO())
            run_worker()

    just_before = up.replace(minute=0, second=0, microsecond=0) - dt.timedelta(minutes=1)
    daily_job_on(just_before)
    assert default_storage.exists(stored)
    with time_machine.travel(just_before, tick=False):  # signed in again: sessions end sooner than that
        client = login(world.senco)
        assert len(_zip(client, Job.objects.get(pk=job.pk)).namelist()) == 2

    just_after = just_before + dt.timedelta(minutes=2)
    with time_machine.travel(just_after, tick=False):  # before the daily job: no download, the page says why
        client = login(world.senco)
        response = client.get(reverse("document-batch-download", args=[job.pk]))
        assert response.status_code == 302 and response.url == reverse("job", args=[job.pk])
        page = client.get(reverse("job", args=[job.pk])).content.decode()
        assert f"The zip's time was up on {up:%-d %B %Y} at 10:00: it can no longer be downloaded" in page
        assert "Download the zip" not in page
    next_night = (just_after + dt.timedelta(days=1)).replace(hour=4, minute=0)
    daily_job_on(next_night)
    assert not default_storage.exists(stored)
    job.refresh_from_db()
    assert "file" not in job.result and job.deleted_at == next_night
    with time_machine.travel(next_night, tick=False):
        client = login(world.senco)
        page = client.get(reverse("job", args=[job.pk])).content.decode()
        assert f"The zip was deleted on {next_night:%-d %B %Y}" in page and "Make the documents again" in page
        assert client.get(reverse("document-batch-download", args=[job.pk])).status_code == 404
    cleanup = Job.objects.filter(kind="expire_document_batches").order_by("pk")
    assert [j.summary for j in cleanup] == [
        "deleted 0 zips of documents past their time",
        "deleted 1 zip of documents past their time",
    ]
