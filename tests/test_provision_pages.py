"""Provision pages: the map in the nasen layout by school, class and year; XLSX; group logging and
review; the school-wide evaluation; a pupil's history; the upload; EHC hours against delivered."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from fixtures_provision import SEED001_FILE, seed001_pupils_fixture  # noqa: F401
from openpyxl import load_workbook

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.provision.models import (
    Attendance,
    EhcProvision,
    Intervention,
    InterventionGroup,
    Measure,
    QftStrategy,
    Session,
)
from trellis.provision.services import ehc_hours


@pytest.fixture
def imported(world, seed001_pupils):
    call_command("import_provision", str(SEED001_FILE), "--school", world.school_a.urn, stdout=io.StringIO())
    InterventionGroup.objects.update(staff=world.ta)
    return seed001_pupils


def test_school_map_uses_the_nasen_columns_and_shows_each_groups_result(world, imported, login):
    page = login(world.senco).get(f"/schools/{world.school_a.urn}/provision/").content.decode()
    for heading in [
        "Intervention",
        "Group size",
        "Frequency/duration",
        "Staff",
        "Pupils",
        "Entry",
        "Target",
        "Exit",
        "Outcomes",
    ]:
        assert f'<th scope="col">{heading}</th>' in page
    assert "5 of 6 pupils met every target" in page and "4 of 6 pupils met every target" in page
    assert "Joe Baker" in page and "Behaviour is an issue" in page
    assert AuditEvent.objects.filter(record_type="provision map", actor=world.senco).count() == 11


def test_class_map_shows_quality_first_teaching_at_the_top_and_the_teacher_can_add_one(world, imported, login):
    client = login(world.teacher)
    response = client.post(
        f"/schools/{world.school_a.urn}/provision/classes/{world.class_4b.pk}/strategies/", {"text": "Visual timetable"}
    )
    assert response.status_code == 302
    assert QftStrategy.objects.get().text == "Visual timetable"
    page = client.get(f"/schools/{world.school_a.urn}/provision/?class={world.class_4b.pk}").content.decode()
    assert page.index("Visual timetable") < page.index("Comprehension group")
    assert "Quality first teaching in 4B" in page


def test_a_teacher_of_another_class_cannot_add_strategies_to_4b(world, imported, login):
    response = login(world.other_teacher).post(
        f"/schools/{world.school_a.urn}/provision/classes/{world.class_4b.pk}/strategies/", {"text": "Seating"}
    )
    assert response.status_code == 404
    assert not QftStrategy.objects.exists()


def test_year_group_map_lists_only_that_years_pupils(world, imported, login):
    client = login(world.senco)
    assert "Joe Baker" in client.get(f"/schools/{world.school_a.urn}/provision/?year=3").content.decode()
    assert "Joe Baker" not in client.get(f"/schools/{world.school_a.urn}/provision/?year=5").content.decode()


def test_xlsx_download_can_be_imported_again_unchanged(world, imported, login, tmp_path):
    response = login(world.senco).get(f"/schools/{world.school_a.urn}/provision/?download=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Intervention", "Area of need", "Group size", "Frequency/duration", "Staff", "Pupil")
    assert len(rows) == 1 + 19
    path = tmp_path / "again.xlsx"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("import_provision", str(path), "--school", world.school_a.urn, stdout=out)
    assert "0 new interventions, 0 new groups" in out.getvalue()
    assert Measure.objects.count() == 19


def test_governor_cannot_open_the_map_but_sees_suppressed_evaluation(world, imported, login):
    client = login(world.governor)
    assert client.get(f"/schools/{world.school_a.urn}/provision/").status_code == 404
    page = client.get(f"/schools/{world.school_a.urn}/provision/evaluation/").content.decode()
    assert "Comprehension group" in page
    assert "withheld" in page
    assert "Only 1" not in page  # a note that says how few would give the withheld n away
    assert "Joe" not in page


def test_school_evaluation_warns_when_n_is_small(world, imported, login):
    page = login(world.senco).get(f"/schools/{world.school_a.urn}/provision/evaluation/").content.decode()
    assert "Only 1 – too few to draw conclusions" in page  # paired reading: Joe alone


def test_ta_logs_a_session_for_the_group_they_deliver_and_attendance_is_kept(world, imported, login):
    group = InterventionGroup.objects.get(intervention__name="Paired reading")
    joe = group.enrolments.get()
    response = login(world.ta).post(
        f"/provision/groups/{group.pk}/",
        {"session-date_0": "8", "session-date_1": "9", "session-date_2": "2026", "session-present": [str(joe.pk)]},
    )
    assert response.status_code == 302
    assert Attendance.objects.get(enrolment=joe).present is True


def test_session_form_errors_say_what_to_enter(world, imported, login):
    group = InterventionGroup.objects.get(intervention__name="Paired reading")
    page = (
        login(world.ta)
        .post(f"/provision/groups/{group.pk}/", {"session-date_0": "", "session-date_1": "", "session-date_2": ""})
        .content.decode()
    )
    assert "Enter the session date" in page
    assert not Session.objects.exists()


def test_deliverer_records_the_review_and_exit_data(world, imported, login):
    group = InterventionGroup.objects.get(intervention__name="Numeracy")
    client = login(world.ta)
    client.post(
        f"/provision/groups/{group.pk}/",
        {"review-rating": "try_different", "review-decision": "adapt", "review-notes": "Move to mornings"},
    )
    group.refresh_from_db()
    assert (group.rating, group.decision) == ("try_different", "adapt")
    amy = Measure.objects.get(enrolment__group=group, enrolment__pupil__legal_forename="Amy")
    client.post(f"/provision/groups/{group.pk}/", {f"exit-{amy.pk}": "3b"})
    amy.refresh_from_db()
    assert amy.exit == "3b"
    response = client.post(f"/provision/groups/{group.pk}/", {f"exit-{amy.pk}": "9z"}, follow=True)
    assert "is not on the NC levels scale" in response.content.decode()
    amy.refresh_from_db()
    assert amy.exit == "3b"


def test_a_teacher_who_does_not_deliver_sees_but_cannot_record(world, imported, login):
    group = InterventionGroup.objects.get(intervention__name="Numeracy")
    client = login(world.teacher)
    assert client.get(f"/provision/groups/{group.pk}/").status_code == 200
    client.post(f"/provision/groups/{group.pk}/", {"review-rating": "ok", "review-decision": "continue"})
    group.refresh_from_db()
    assert group.rating == ""


def test_outsider_gets_404_for_a_group(world, imported, login):
    group = InterventionGroup.objects.first()
    assert login(world.outsider).get(f"/provision/groups/{group.pk}/").status_code == 404


def test_pupil_history_shows_worked_for_others_not_for_this_pupil_and_is_audited(world, imported, login):
    joe = imported["Joe"]
    page = login(world.senco).get(f"/pupils/{joe.pk}/provision/").content.decode()
    assert "Worked for others, not for Joe" in page
    assert "Comprehension group (NC levels): 5 of 5" in page
    assert "Paired reading" in page
    assert AuditEvent.objects.filter(record_type="provision history", pupil_id=joe.pk).exists()
    profile = login(world.senco).get(f"/pupils/{joe.pk}/").content.decode()
    assert "Provision history and results" in profile


def test_upload_with_a_problem_lists_it_and_writes_nothing_then_a_good_file_imports_after_confirming(
    world, seed001_pupils, login
):
    client = login(world.senco)
    url = f"/schools/{world.school_a.urn}/provision/import/"
    bad = SEED001_FILE.read_bytes().replace(b"Joe Baker", b"Joe Nobody")
    page = client.post(url, {"file": SimpleUploadedFile("map.csv", bad)}).content.decode()
    assert "Nothing was imported" in page and "Joe Nobody" in page
    assert not Intervention.objects.exists()
    page = client.post(url, {"file": SimpleUploadedFile("map.csv", SEED001_FILE.read_bytes())}).content.decode()
    assert "19 rows, 11 pupils in 4 groups" in page
    assert not Intervention.objects.exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert Measure.objects.count() == 19


def test_only_the_senco_may_import(world, login):
    assert login(world.teacher).get(f"/schools/{world.school_a.urn}/provision/import/").status_code == 404


def test_ehc_hours_delivered_against_specified_flag_a_shortfall(world, imported):
    group = InterventionGroup.objects.get(intervention__name="Paired reading")
    joe = group.enrolments.get()
    EhcProvision.objects.create(
        pupil=joe.pupil,
        description="Daily reading support",
        hours_per_week=Decimal("1"),
        intervention=group.intervention,
        starts_on=dt.date(2026, 9, 7),
        ends_on=dt.date(2026, 9, 20),
    )
    from trellis.provision.services import log_session

    for day in (7, 8, 9, 14, 15):
        log_session(group=group, date=dt.date(2026, 9, day), present=[joe.pk], by=world.ta, minutes=10)
    year = world.school_a.academic_years.get()
    year.half_terms.all().delete()
    year.half_terms.create(number=1, starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 10, 23))
    [hours] = ehc_hours(joe.pupil, today=dt.date(2026, 10, 1))
    assert hours.specified == Decimal("2.0")  # two school weeks at 1 hour
    assert hours.delivered == Decimal("0.8")  # five 10-minute sessions
    assert hours.shortfall == Decimal("1.2")


def test_pupil_history_compares_progress_during_with_the_pupils_own_earlier_rate(world, imported, login):
    from trellis.assessment.models import Assessment

    joe = imported["Joe"]
    Assessment.objects.create(
        pupil=joe, scale=find_scale("nc-levels"), value="1b", domain="cognition", date=dt.date(2025, 9, 7)
    )
    page = login(world.senco).get(f"/pupils/{joe.pk}/provision/").content.decode()
    assert page.count("Faster than before") == 1  # paired reading: 2b to 2a in six weeks
    assert page.count("Slower than before") == 1  # comprehension: held at 2b
    fred = login(world.senco).get(f"/pupils/{imported['Fred'].pk}/provision/").content.decode()
    assert "No earlier assessments to compare with" in fred


def test_school_map_reads_in_a_bounded_number_of_queries_plus_one_audit_row_a_pupil(
    world, imported, login, django_assert_max_num_queries
):
    client = login(world.senco)
    with django_assert_max_num_queries(25 + 11):  # 11 pupils on the map, each read audited
        response = client.get(f"/schools/{world.school_a.urn}/provision/")
    assert response.status_code == 200


def test_school_overview_links_governors_to_the_evaluation_only(world, login):
    page = login(world.governor).get(f"/schools/{world.school_a.urn}/").content.decode()
    assert f"/schools/{world.school_a.urn}/provision/evaluation/" in page
    assert f'href="/schools/{world.school_a.urn}/provision/"' not in page
    page = login(world.senco).get(f"/schools/{world.school_a.urn}/").content.decode()
    assert f'href="/schools/{world.school_a.urn}/provision/"' in page


def test_school_evaluation_shows_steps_per_scale_and_planned_progress_achieved(world, imported, login):
    # Seed 001's comprehension group, target +1 sub-level each: 2c->2b, 2b->2b, 2c->2a, 2c->2a, 2b->2a, 2c->2b,
    # steps 1, 0, 2, 2, 1, 1: mean 7 / 6 = 1.17 on NC levels; planned progress achieved
    # (100 + 0 + 200 + 200 + 100 + 100) / 6 = 116.7, so 117%.
    page = login(world.senco).get(f"/schools/{world.school_a.urn}/provision/evaluation/").content.decode()
    row = page[page.index('<th scope="row">Comprehension group</th>') :].split("</tr>")[0]
    assert "NC levels: 1.17 (n 6)" in row and "117%" in row
    assert "steps are averaged only within a scale" in page


def test_school_evaluation_filters_by_scale_but_not_for_governors(world, imported, login):
    url = f"/schools/{world.school_a.urn}/provision/evaluation/"
    page = login(world.senco).get(f"{url}?scale=leuven-wellbeing").content.decode()
    assert "Social skills" in page and "Leuven well-being: " in page
    assert "Leuven involvement: " not in page and "Comprehension group" not in page
    unknown = login(world.senco).get(f"{url}?scale=sdq-total", follow=True).content.decode()
    assert "No measure here is on a scale with the code ‘sdq-total’" in unknown and "Comprehension group" in unknown
    governor = login(world.governor).get(f"{url}?scale=leuven-wellbeing").content.decode()
    assert "Figures for one scale are not available with numbers withheld" in governor
    assert "Comprehension group" in governor and 'name="scale"' not in governor


def test_a_group_on_two_scales_shows_mean_steps_on_each(world, imported, login):
    # Seed 001's social skills group, no targets: well-being 1->3, 4->4, 3->4 (2, 0, 1: mean 1.00);
    # involvement 2->3, 2->4, 2->4 (1, 2, 2: mean 1.67). The old mean over both, 8 / 6, mixed the scales.
    group = InterventionGroup.objects.get(intervention__name="Social skills")
    page = login(world.senco).get(f"/provision/groups/{group.pk}/").content.decode()
    assert "Leuven well-being: 1 (n 3)" in page and "Leuven involvement: 1.67 (n 3)" in page
    assert "1.33" not in page
