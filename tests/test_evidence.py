"""Evidence: notes with checked files served only through an access-checked view, pupil voice,
weekly behaviour and attendance (page and CSV import), and the /pupils/{id}/evidence API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from fixtures_identify import CASES, VISIBLE

from trellis.audit.models import AuditEvent
from trellis.evidence import services
from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord
from trellis.lib.upn import make_upn

from conftest import make_pupil

TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
WRITERS = {"senco", "head", "teacher", "ta", "other_teacher", "outsider", "superuser"}
WEEKLY_WRITERS = WRITERS | {"administrator"}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def note_for(world, pupil_name: str, **extra) -> EvidenceNote:
    fields = {
        "date": TODAY,
        "learning_objective": "Count to 20",
        "activity": "Counting bears",
        "outcome": "Counted to 14 unaided",
    } | extra
    return services.create_note(pupil=getattr(world, pupil_name), by=world.senco, **fields)


def date_fields(name: str, day: dt.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


# ---- Access ----


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_evidence_page_follows_need_to_know(world, login, role, pupil):
    response = login(getattr(world, role)).get(reverse("pupil-evidence", args=[getattr(world, pupil).pk]))
    assert response.status_code == (200 if pupil in VISIBLE[role] else 404)


@pytest.mark.parametrize("page", ["evidence-note-new", "evidence-voice-new", "evidence-week-new"])
@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_only_staff_who_see_the_pupil_add_evidence(world, login, role, pupil, page):
    response = login(getattr(world, role)).get(reverse(page, args=[getattr(world, pupil).pk]))
    writers = WEEKLY_WRITERS if page == "evidence-week-new" else WRITERS
    assert response.status_code == (200 if pupil in VISIBLE[role] and role in writers else 404)


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_evidence_api_follows_need_to_know(world, login, role, pupil):
    response = login(getattr(world, role)).get(f"/api/v1/pupils/{getattr(world, pupil).pk}/evidence")
    assert response.status_code == (200 if pupil in VISIBLE[role] else 404)


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_evidence_api_create_follows_need_to_know_and_roles(world, login, role, pupil):
    payload = {"date": TODAY.isoformat(), "learning_objective": "Share", "activity": "Game", "outcome": "Took turns"}
    response = login(getattr(world, role)).post(
        f"/api/v1/pupils/{getattr(world, pupil).pk}/evidence", payload, content_type="application/json"
    )
    if pupil not in VISIBLE[role]:
        assert response.status_code == 404
    else:
        assert response.status_code == (201 if role in WRITERS else 403)


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_note_file_is_served_only_to_those_who_see_the_pupil(world, login, role, pupil):
    note = note_for(world, pupil, upload=SimpleUploadedFile("bears.png", PNG, content_type="image/png"))
    response = login(getattr(world, role)).get(reverse("evidence-note-file", args=[getattr(world, pupil).pk, note.pk]))
    assert response.status_code == (200 if pupil in VISIBLE[role] else 404)


def test_a_file_cannot_be_reached_through_another_pupils_url(world, login):
    note = note_for(world, "other_class", upload=SimpleUploadedFile("a.png", PNG))
    response = login(world.teacher).get(reverse("evidence-note-file", args=[world.in_class.pk, note.pk]))
    assert response.status_code == 404


# ---- Notes and files ----


def test_teacher_adds_a_note_with_a_photo_served_through_the_checked_view(world, login):
    client = login(world.teacher)
    response = client.post(
        reverse("evidence-note-new", args=[world.in_class.pk]),
        {
            **date_fields("date", TODAY),
            "learning_objective": "Write a sentence",
            "activity": "Diary",
            "outcome": "Wrote two sentences",
            "areas": ["cognition", "spld"],
            "attachment": SimpleUploadedFile("diary.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    note = EvidenceNote.objects.get()
    assert (note.areas, note.attachment_type, note.attachment_name) == (
        ["cognition", "spld"],
        "image/jpeg",
        "diary.jpg",
    )
    assert "diary" not in note.attachment.name and note.attachment.name.startswith("evidence/")
    with pytest.raises(NotImplementedError):
        note.attachment.url  # noqa: B018 - no public URL exists
    page = client.get(reverse("pupil-evidence", args=[world.in_class.pk])).content.decode()
    file_url = reverse("evidence-note-file", args=[world.in_class.pk, note.pk])
    assert file_url in page
    served = client.get(file_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == JPEG
    assert served["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(record_type="evidence file", action="view", actor=world.teacher).exists()
    assert AuditEvent.objects.filter(record_type="evidence note", action="create", actor=world.teacher).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.png", b"GIF89a not a png"), ("report.pdf", b"<html>hello</html>"), ("run.exe", b"MZ\x90\x00")],
)
def test_a_file_that_is_not_a_photo_or_pdf_is_rejected_by_its_content(world, login, name, content):
    response = login(world.teacher).post(
        reverse("evidence-note-new", args=[world.in_class.pk]),
        {
            **date_fields("date", TODAY),
            "learning_objective": "x",
            "activity": "y",
            "outcome": "z",
            "attachment": SimpleUploadedFile(name, content, content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert "must be a photo (JPEG or PNG) or a PDF" in response.content.decode()
    assert not EvidenceNote.objects.exists()


def test_a_file_over_the_size_limit_is_rejected(world, login, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"\x00" * (1024 * 1024), content_type="application/pdf")
    response = login(world.teacher).post(
        reverse("evidence-note-new", args=[world.in_class.pk]),
        {**date_fields("date", TODAY), "learning_objective": "x", "activity": "y", "outcome": "z", "attachment": big},
    )
    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert not EvidenceNote.objects.exists()


def test_a_pdf_is_accepted_and_downloaded_as_an_attachment(world, login):
    note = note_for(world, "in_class", upload=SimpleUploadedFile("report.pdf", PDF))
    response = login(world.senco).get(reverse("evidence-note-file", args=[world.in_class.pk, note.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


# ---- API ----


def test_api_creates_a_note_from_json_and_lists_it_with_audit(world, login):
    client = login(world.teacher)
    url = f"/api/v1/pupils/{world.in_class.pk}/evidence"
    payload = {
        "date": "2026-03-02",
        "learning_objective": "Take turns",
        "activity": "Board game",
        "outcome": "Waited for his turn 4 times",
        "areas": ["semh"],
    }
    created = client.post(url, payload, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["areas"] == ["semh"] and created.json()["recorded_by"] == "teacher"
    listed = client.get(url).json()
    assert [n["learning_objective"] for n in listed] == ["Take turns"]
    assert AuditEvent.objects.filter(record_type="evidence note", action="create", via="api").exists()
    assert AuditEvent.objects.filter(record_type="evidence", action="view", via="api").exists()


def test_api_rejects_an_unknown_area_with_422(world, login):
    response = login(world.teacher).post(
        f"/api/v1/pupils/{world.in_class.pk}/evidence",
        {"date": "2026-03-02", "learning_objective": "a", "activity": "b", "outcome": "c", "areas": ["maths"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "areas.0"
    assert "'cognition', 'slc'" in response.json()["detail"]


def test_openapi_still_builds_with_both_pupil_routers(world, login):
    schema = login(world.senco).get("/api/v1/openapi.json").json()
    assert "/api/v1/pupils/{pupil_id}/evidence" in schema["paths"]
    assert "/api/v1/pupils/{pupil_id}" in schema["paths"]
    assert login(world.senco).get(f"/api/v1/pupils/{world.in_class.pk}").status_code == 200


def test_evidence_api_list_query_count_is_bounded(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    for i in range(25):
        note_for(world, "in_class", learning_objective=f"Objective {i}")
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/pupils/{world.in_class.pk}/evidence")
    assert len(response.json()) == 25


# ---- Pupil voice and weeks ----


def test_pupil_voice_is_recorded_with_the_pupil_and_shown(world, login):
    client = login(world.ta)
    client.post(
        reverse("evidence-voice-new", args=[world.in_class.pk]),
        {**date_fields("date", TODAY), "statement": "I can ask for help", "rating": "2", "recorded": "by"},
    )
    entry = PupilVoiceEntry.objects.get()
    assert (entry.rating, entry.recorded, entry.recorded_by) == (2, "by", world.ta)
    page = client.get(reverse("pupil-evidence", args=[world.in_class.pk])).content.decode()
    assert "I can ask for help" in page and "Getting there" in page
    assert AuditEvent.objects.filter(record_type="pupil voice", action="create").exists()


def test_a_week_is_recorded_by_its_monday_and_shown_as_chart_and_table(world, login):
    from trellis.pupils.services import set_office_access

    # The office keeps weeks once the SENCO lets it see the SEN records (evidence among them).
    set_office_access(membership=world.administrator.memberships.get(), sees_sen_records=True, by=world.senco)
    client = login(world.administrator)
    wednesday = dt.date(2026, 3, 4)
    response = client.post(
        reverse("evidence-week-new", args=[world.in_class.pk]),
        {
            **date_fields("week_starting", wednesday),
            "behaviour_positive": 5,
            "behaviour_negative": 1,
            "sessions_attended": 9,
            "sessions_possible": 10,
        },
    )
    assert response.status_code == 302
    week = WeeklyRecord.objects.get()
    assert (week.week_starting, week.attendance_percent) == (dt.date(2026, 3, 2), 90.0)
    page = login(world.teacher).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert "<svg" in page and "90.0%" in page and "9 of 10" in page


def test_more_sessions_attended_than_possible_is_an_error(world, login):
    response = login(world.senco).post(
        reverse("evidence-week-new", args=[world.in_class.pk]),
        {
            **date_fields("week_starting", TODAY),
            "behaviour_positive": 0,
            "behaviour_negative": 0,
            "sessions_attended": 10,
            "sessions_possible": 8,
        },
    )
    assert "Sessions attended cannot be more than sessions possible" in response.content.decode()
    assert not WeeklyRecord.objects.exists()


def test_profile_query_count_does_not_grow_with_weeks_and_notes(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    url = reverse("pupil", args=[world.in_class.pk])
    client.get(url)
    monday = dt.date(2026, 1, 5)
    WeeklyRecord.objects.bulk_create(
        WeeklyRecord(
            pupil=world.in_class,
            week_starting=monday + dt.timedelta(weeks=i),
            behaviour_positive=i,
            sessions_attended=8,
            sessions_possible=10,
        )
        for i in range(30)
    )
    for i in range(10):
        note_for(world, "in_class", learning_objective=f"Obj {i}")
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.content.decode().count("of 10</td>") == 30


# ---- Weekly CSV import ----


def csv_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "weekly.csv"
    path.write_text(text)
    return path


def test_weekly_import_saves_every_row(world, tmp_path):
    upn = world.in_class.upn
    text = (
        f"UPN,Week,Positive,Negative,Attended,Possible\n{upn},2026-03-02,4,0,10,10\n{upn.lower()},11/03/2026,2,3,7,10\n"
    )
    call_command("import_weekly", str(csv_file(tmp_path, text)), school=world.school_a.urn)
    weeks = list(WeeklyRecord.objects.filter(pupil=world.in_class).values_list("week_starting", "behaviour_negative"))
    assert weeks == [(dt.date(2026, 3, 2), 0), (dt.date(2026, 3, 9), 3)]
    assert AuditEvent.objects.filter(record_type="weekly record", action="import", pupil_id=world.in_class.pk).exists()
    # Importing again with a correction updates the week instead of adding one.
    call_command(
        "import_weekly",
        str(csv_file(tmp_path, f"upn,week,positive,negative,attended,possible\n{upn},2026-03-02,6,0,10,10\n")),
        school=world.school_a.urn,
    )
    assert WeeklyRecord.objects.get(week_starting=dt.date(2026, 3, 2)).behaviour_positive == 6


def test_weekly_import_is_all_or_nothing_with_errors_per_row_and_field(world, tmp_path):
    good, unknown = world.in_class.upn, make_upn("801", "2001", 20, 999)
    text = (
        "UPN,Week,Positive,Negative,Attended,Possible\n"
        f"{good},2026-03-02,4,0,10,10\n"
        f"A123,2026-03-02,4,0,10,10\n"
        f"{good},2026-13-40,x,0,11,10\n"
        f"{unknown},2026-03-02,1,0,5,10\n"
        f"{good},2026-03-03,1,0,5,10\n"
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_weekly", str(csv_file(tmp_path, text)), school=world.school_a.urn)
    message = str(caught.value)
    assert "Nothing was imported" in message
    assert "Row 3, UPN: UPN 'A123' has 4 characters" in message
    assert "Row 4, week:" in message and "Row 4, behaviour_positive:" in message
    assert "Row 6: the same pupil and week as row 2" in message
    assert not WeeklyRecord.objects.exists()
    result = services.import_weekly(
        school=world.school_a,
        text=text.replace("A123", good).splitlines()[0] + "\n" + f"{unknown},2026-03-02,1,0,5,10\n",
    )
    assert result.errors == [f"Row 2, UPN: no pupil with UPN {unknown} at Alder Primary"]


def test_weekly_import_reports_missing_columns_and_other_schools_pupils(world, tmp_path):
    result = services.import_weekly(school=world.school_a, text="UPN,Week\nX,Y\n")
    assert result.errors[0].startswith("Missing column(s): behaviour_positive")
    text = f"upn,week,positive,negative,attended,possible\n{world.pupil_b.upn},2026-03-02,1,0,5,10\n"
    assert "no pupil with UPN" in services.import_weekly(school=world.school_a, text=text).errors[0]


def test_weekly_import_dry_run_saves_nothing(world, tmp_path, capsys):
    text = f"upn,week,positive,negative,attended,possible\n{world.in_class.upn},2026-03-02,1,0,5,10\n"
    call_command("import_weekly", str(csv_file(tmp_path, text)), school=world.school_a.urn, dry_run=True)
    assert "Would import 1 new week(s)" in capsys.readouterr().out
    assert not WeeklyRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_weekly_import_is_fast_for_a_school(world, django_assert_max_num_queries):
    pupils = [make_pupil(world.school_a, surname=f"Bulk{i}") for i in range(40)]
    lines = ["upn,week,positive,negative,attended,possible"]
    for pupil in pupils:
        lines += [f"{pupil.upn},2026-03-{day:02d},1,0,10,10" for day in (2, 9, 16)]
    with django_assert_max_num_queries(60):
        result = services.import_weekly(school=world.school_a, text="\n".join(lines))
    assert (result.ok, result.created) == (True, 120)


# ---- Weekly import page ----

IMPORTERS = {"senco", "head", "administrator", "superuser"}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_only_the_senco_leaders_and_office_open_the_weekly_import(world, login, role):
    response = login(getattr(world, role)).get(reverse("weekly-import", args=[world.school_a.urn]))
    assert response.status_code == (200 if role in IMPORTERS else 404)


def upload(client, world, text: str, *, dry_run: bool = False):
    data = {"file": SimpleUploadedFile("weeks.csv", text.encode(), content_type="text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("weekly-import", args=[world.school_a.urn]), data)


def test_weekly_import_page_lists_every_error_and_saves_nothing(world, login):
    text = f"upn,week,positive,negative,attended,possible\n{world.in_class.upn},2026-03-02,1,0,5,10\nBAD,x,1,0,5,10\n"
    response = upload(login(world.administrator), world, text)
    page = response.content.decode()
    assert "Nothing was imported: 2 problems" in page
    assert "Row 3, UPN:" in page and "Row 3, week:" in page
    assert not WeeklyRecord.objects.exists()


def test_weekly_import_page_checks_then_imports(world, login):
    client = login(world.senco)
    text = f"upn,week,positive,negative,attended,possible\n{world.in_class.upn},2026-03-02,1,0,5,10\n"
    assert "would add 1 new week" in upload(client, world, text, dry_run=True).content.decode()
    assert not WeeklyRecord.objects.exists()
    response = upload(client, world, text)
    assert response.status_code == 302
    assert WeeklyRecord.objects.get().sessions_attended == 5
    event = AuditEvent.objects.get(action="import", record_type="weekly record")
    assert (event.actor, event.via, event.pupil_id) == (world.senco, "web", world.in_class.pk)


def test_evidence_page_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    client = login(world.teacher)
    url = reverse("pupil-evidence", args=[world.in_class.pk])
    for i in range(20):
        note_for(world, "in_class", learning_objective=f"Obj {i}")
        services.add_voice(
            pupil=world.in_class, by=world.ta, date=TODAY, statement=f"I can {i}", rating=3, recorded="with"
        )
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert all(f"I can {i}<" in response.content.decode() for i in range(20))
