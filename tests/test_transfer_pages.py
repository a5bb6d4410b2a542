"""Upload, mapping, preview, confirm and history pages; CTF downloads; who may use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from fixtures_transfer import csv_bytes, ctf, ctf_pupil, upn

from trellis.audit.models import AuditEvent
from trellis.pupils.models import Pupil
from trellis.transfer.models import ImportRun


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def upload(client, world, data: bytes, name: str = "pupils.xml"):
    return client.post(reverse("import-upload", args=[world.school_a.urn]), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize("who", ["teacher", "ta", "governor", "outsider", "head", "specialist", "trustlead"])
@pytest.mark.parametrize("page", ["import-upload", "import-history"])
def test_staff_without_import_rights_get_404(world, login, who, page):
    assert login(getattr(world, who)).get(reverse(page, args=[world.school_a.urn])).status_code == 404


@pytest.mark.parametrize("who", ["senco", "administrator", "superuser"])
@pytest.mark.parametrize("page", ["import-upload", "import-history"])
def test_senco_and_administrator_may_import(world, login, who, page):
    assert login(getattr(world, who)).get(reverse(page, args=[world.school_a.urn])).status_code == 200


def test_upload_preview_confirm_and_history(world, login, tmp_path):
    client = login(world.senco)
    response = upload(client, world, ctf(ctf_pupil(upn(901), surname="Newpupil", sen=[("2023-09-04", "K")])))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert b"Check what will change" in preview.content and b"Newpupil" in preview.content
    assert not Pupil.objects.filter(upn=upn(901)).exists()
    assert list((tmp_path / "imports").iterdir())
    confirm_url = response["Location"] + "confirm/"
    done = client.post(confirm_url)
    run = ImportRun.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("import-run", args=[world.school_a.urn, run.pk])
    assert Pupil.objects.get(upn=upn(901)).sen_status == "K"
    assert not list((tmp_path / "imports").iterdir())  # the upload is deleted after use
    assert client.post(confirm_url).status_code == 404
    history = client.get(reverse("import-history", args=[world.school_a.urn]))
    assert b"pupils.xml" in history.content
    detail = client.get(done["Location"])
    assert detail.status_code == 200 and run.sha256.encode() in detail.content
    assert "SEN status: – → SEN support".encode() in detail.content
    assert "SEN start date: – → 4 September 2023".encode() in detail.content


def test_problems_are_listed_on_the_page_and_nothing_is_imported(world, login):
    client = login(world.administrator)
    response = upload(client, world, ctf(ctf_pupil(upn(901)), ctf_pupil(upn(902), dob="2016-13-01")))
    preview = client.get(response["Location"])
    assert b"cannot be imported" in preview.content and b"is not a date" in preview.content
    assert upn(902).encode() in preview.content
    assert b"import-confirm" not in preview.content and b"confirm/" not in preview.content
    assert client.post(response["Location"] + "confirm/").status_code == 422
    assert not Pupil.objects.filter(upn=upn(901)).exists()


def test_an_upload_belongs_to_the_person_who_made_it(world, login, client):
    response = upload(login(world.senco), world, ctf(ctf_pupil(upn(901))))
    client.force_login(world.administrator)
    assert client.get(response["Location"]).status_code == 404
    assert client.post(response["Location"] + "confirm/").status_code == 404


def test_mapping_step_for_unrecognised_headings(world, login):
    client = login(world.senco)
    rows = [["UPN", "Family", "Forename", "DOB", "Sex", "Shoe"], [upn(901), "Mapped", "Ann", "2017-01-01", "F", "3"]]
    response = upload(client, world, csv_bytes(rows), "mis.csv")
    page = client.get(response["Location"])
    assert b"Match the columns" in page.content and "Column “Family”".encode() in page.content
    mapped = client.post(response["Location"], {"col_0": "legal_surname", "col_1": "ignore"})
    assert mapped.status_code == 302
    preview = client.get(response["Location"])
    assert b"Check what will change" in preview.content and b"Mapped" in preview.content
    client.post(response["Location"] + "confirm/")
    assert Pupil.objects.get(upn=upn(901)).legal_surname == "Mapped"


def test_administrators_see_no_names_of_confidential_pupils_in_the_preview(world, login):
    client = login(world.administrator)
    row = ctf_pupil(world.confidential.upn, surname="Private", forename="Sam", dob="2017-05-01", sex="M", year="5")
    response = upload(client, world, ctf(row))
    preview = client.get(response["Location"])
    assert b"A confidential pupil" in preview.content and b"Sam Private" not in preview.content


def test_pupil_ctf_download_is_audited(world, login):
    response = login(world.senco).get(reverse("pupil-ctf", args=[world.in_class.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert world.in_class.upn.encode() in response.content
    assert AuditEvent.objects.filter(action="export", pupil_id=world.in_class.pk, record_type="CTF").exists()


@pytest.mark.parametrize("who", ["teacher", "governor", "outsider", "head"])
def test_pupil_ctf_download_is_for_senco_and_administrators_only(world, login, who):
    assert login(getattr(world, who)).get(reverse("pupil-ctf", args=[world.in_class.pk])).status_code == 404


def test_register_ctf_exports_the_filtered_pupils(world, login):
    url = reverse("register-ctf", args=[world.school_a.urn]) + "?status=E"
    response = login(world.administrator).get(url)
    assert response.status_code == 200
    assert world.other_class.upn.encode() in response.content
    assert world.in_class.upn.encode() not in response.content


def test_register_and_profile_link_to_transfer_for_the_senco_only(world, login):
    register = reverse("register", args=[world.school_a.urn])
    assert b"as a CTF" in login(world.senco).get(register).content
    assert b"Download a CTF" in login(world.senco).get(reverse("pupil", args=[world.in_class.pk])).content
    assert b"as a CTF" not in login(world.teacher).get(register).content
    assert b"Download a CTF" not in login(world.teacher).get(reverse("pupil", args=[world.in_class.pk])).content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_register_download_imports_back_unchanged(world, login, fmt):
    client = login(world.senco)
    download = client.get(reverse("register-download", args=[world.school_a.urn, fmt]) + "?status=all")
    data = b"".join(download.streaming_content) if download.streaming else download.content
    response = upload(client, world, data, f"register.{fmt}")
    preview = client.get(response["Location"])
    plan = preview.context["plan"]
    assert not plan.problems and not plan.unrecognised
    assert (plan.records, plan.created, plan.updated, plan.unchanged) == (4, 0, 0, 4)


def test_a_big_file_is_checked_on_a_page_that_shows_progress(world, login, monkeypatch):
    monkeypatch.setattr("trellis.transfer.views.SHOW_PROGRESS_FROM_BYTES", 1)
    monkeypatch.setattr("trellis.transfer.services.CHUNK_SIZE", 2)
    client = login(world.senco)
    pupils = [ctf_pupil(upn(900 + n), surname=f"Big{n}") for n in range(5)]
    response = client.get(upload(client, world, ctf(*pupils))["Location"])
    assert response.streaming
    page = b"".join(response.streaming_content).decode()
    assert page.index("Checked 2 pupils") < page.index("Checked 4 pupils") < page.index("Check what will change")
    assert "Big4" in page and page.rstrip().endswith("</html>")
    assert not Pupil.objects.filter(legal_surname__startswith="Big").exists()  # a check writes nothing


def test_a_big_file_is_imported_on_a_page_that_shows_progress(world, login, monkeypatch):
    monkeypatch.setattr("trellis.transfer.views.SHOW_PROGRESS_FROM_BYTES", 1)
    monkeypatch.setattr("trellis.transfer.services.CHUNK_SIZE", 2)
    client = login(world.senco)
    pupils = [ctf_pupil(upn(900 + n), surname=f"Big{n}") for n in range(3)]
    location = upload(client, world, ctf(*pupils))["Location"]
    response = client.post(location + "confirm/")
    page = b"".join(response.streaming_content).decode()
    assert page.index("Imported 2 pupils") < page.index("Imported 3 pupils") < page.index("Pupils in the file")
    assert Pupil.objects.filter(legal_surname__startswith="Big").count() == 3
    assert ImportRun.objects.get().records == 3
    assert client.post(location + "confirm/").status_code == 404  # the upload was used up


def test_preview_puts_the_import_button_first_and_shows_changes_in_plain_words(world, login):
    client = login(world.senco)
    pupil = world.in_class  # Year 4, born 1 May 2017, needs SLCN then SPLD
    row = ctf_pupil(pupil.upn, surname="Inclass", forename="Sam", dob="2018-03-02", sex="M", year="R", needs=["ASD"])
    response = upload(client, world, ctf(row, ctf_pupil(upn(901), surname="Newpupil")))
    page = client.get(response["Location"]).content.decode()
    button, missing = page.index("Import 2 pupils"), page.index("on roll not in this file")
    assert button < page.index("Pupils who would change") and button < missing
    assert "<details>" in page[missing:] and "Otherclass" in page[page.index("<details>") :]
    assert "Date of birth: 1 May 2017 → 2 March 2018" in page
    assert "NC year: Year 4 → Reception" in page
    assert "Primary need: Speech, language and communication needs (SLCN) → Autistic spectrum disorder (ASD)" in page
    assert "Secondary need: Specific learning difficulty (SPLD) → –" in page  # names, not bare codes
    assert "Legal surname: – → Newpupil" in page
    for raw in ("need_rank", "legal_surname", "nc_year", "2018-03-02"):
        assert raw not in page


def test_the_error_summary_comes_first_and_takes_focus(world, login):
    client = login(world.senco)
    response = upload(client, world, ctf(ctf_pupil(upn(901), dob="2016-13-01")))
    page = client.get(response["Location"]).content.decode()
    summary = page.index('class="error-summary"')
    assert summary < page.index("<h1>") and summary < page.index("<table>")
    tag = page[summary - 5 : page.index(">", summary)]
    assert 'tabindex="-1"' in tag and "data-autofocus" in tag
    assert "trellis/error-summary.js" in page
    assert "<td>Date of birth</td><td>" in page
