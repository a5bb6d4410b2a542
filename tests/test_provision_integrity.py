"""Issue 16, data integrity: the nasen map imported into a school that already runs a Comprehension
group stays a separate group; staff labels that are roles stay text; 'met' has one unit; no session
after a group ends."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from fixtures_provision import SEED001_FILE, seed001_pupils_fixture  # noqa: F401

from trellis.accounts.models import Role
from trellis.assessment.scales import find_scale
from trellis.provision import evaluation as ev
from trellis.provision import importer
from trellis.provision.forms import SessionForm
from trellis.provision.models import Attendance, Enrolment, Intervention, InterventionGroup, Session
from trellis.provision.services import MeasureInput, SessionDateError, enrol, log_session

from conftest import make_pupil, make_user

START, END = dt.date(2026, 9, 7), dt.date(2026, 10, 16)  # the seed's Comprehension group dates


@pytest.fixture(name="demo_group")
def demo_group_fixture(world):
    """The demo school's own Comprehension group: same name, staff label and dates as the nasen map's,
    six other pupils (2 of 6 met +1), three sessions logged, a 'discontinue' decision; £6 a session."""
    intervention = Intervention.objects.create(
        school=world.school_a, name="Comprehension group", cost_per_session=Decimal("6.00")
    )
    group = InterventionGroup.objects.create(
        intervention=intervention,
        staff_label="HLTA",
        starts_on=START,
        ends_on=END,
        sessions_per_week=3,
        session_minutes=15,
        decision=InterventionGroup.Decision.DISCONTINUE,
    )
    scale = find_scale("nc-levels", world.school_a)
    for i in range(6):
        pupil = make_pupil(world.school_a, surname=f"Demo{i}")
        enrol(
            group=group,
            pupil=pupil,
            by=world.senco,
            measures=[MeasureInput(scale, "2c", Decimal(1), exit="2b" if i < 2 else "2c")],
        )
    for day in (8, 9, 10):
        log_session(group=group, date=dt.date(2026, 9, day), present=[], by=world.senco)
    return group


def _evaluate(school) -> list[dict]:
    out = io.StringIO()
    call_command("evaluate_provision", "--school", school.urn, "--json", stdout=out)
    return json.loads(out.getvalue())["groups"]


def _import(school, path=SEED001_FILE, *extra) -> str:
    out = io.StringIO()
    call_command("import_provision", str(path), "--school", school.urn, *extra, stdout=out)
    return out.getvalue()


def test_nasen_map_into_a_school_with_its_own_comprehension_group_makes_a_separate_group(
    world, seed001_pupils, demo_group
):
    preview = _import(world.school_a, SEED001_FILE, "--dry-run")
    assert (
        f"Comprehension group: a new group of 6 pupils (group {demo_group.pk} has the same name, staff and dates "
        "but other pupils, and is left alone" in preview
    )
    message = _import(world.school_a)
    assert "3 new interventions, 4 new groups" in message  # the catalogue entry is shared, the group is not
    groups = InterventionGroup.objects.filter(intervention__name="Comprehension group")
    assert groups.count() == 2
    assert demo_group.enrolments.count() == 6
    by_id = {g["id"]: g for g in _evaluate(world.school_a)}
    demo = by_id.pop(demo_group.pk)
    [imported] = [g for g in by_id.values() if g["intervention"] == "Comprehension group"]
    # Seed 001's worked example: all but Joe gained the +1 step; 6 pupils, one measure each.
    assert (imported["met"], imported["total"]) == (5, 6)
    assert (imported["pupils_met"], imported["pupils_judged"]) == (5, 6)
    assert [p["name"] for p in imported["pupils"] if not p["met"]] == ["Joe Baker"]
    assert imported["mean_steps"] == round((1 + 0 + 2 + 2 + 1 + 1) / 6, 2)
    # No sessions logged for it: cost is planned, 3 a week x round(40 days / 7) = 6 weeks = 18 x £6 = £108;
    # £108 / 6 pupils = £18 each, / 5 who met = £21.60 (merged, it was £108 / 12 = £9).
    assert (imported["sessions_held"], imported["sessions_planned"]) == (0, 18)
    assert (imported["cost_per_pupil"], imported["cost_per_pupil_met"]) == (18, 21.6)
    assert all(p["attendance"] is None for p in imported["pupils"])  # not "0 of 3" from the demo's sessions
    assert (imported["decision"], imported["staff"]) == (None, "HLTA")
    # The demo group is as it was: 2 of 6 met, 3 sessions held at £6 = £18 over 6 pupils = £3.
    assert (demo["met"], demo["total"], demo["decision"]) == (2, 6, "discontinue")
    assert (demo["cost_per_pupil"], demo["cost_per_pupil_met"]) == (3, 9)


def test_reimporting_the_same_map_adds_to_nothing_even_beside_the_demo_group(world, seed001_pupils, demo_group):
    _import(world.school_a)
    again = _import(world.school_a)
    assert "0 new interventions, 0 new groups" in again
    assert "adds 0 pupils to the existing group Comprehension group" in again
    assert InterventionGroup.objects.filter(intervention__name="Comprehension group").count() == 2


def _with_group_column(tmp_path, number: str, names=("Joe Baker", "Amy Ashton"), intervention="Comprehension group"):
    lines = ["Intervention,Pupil,Scale,Entry,Target,Exit,Start date,End date,Group"]
    lines += [f"{intervention},{n},nc-levels,2c,+1,2b,07/09/2026,16/10/2026,{number}" for n in names]
    path = tmp_path / "add.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_group_number_adds_to_that_group_and_the_preview_says_how_many_to_how_many(
    world, seed001_pupils, demo_group, tmp_path
):
    path = _with_group_column(tmp_path, str(demo_group.pk))
    preview = _import(world.school_a, path, "--dry-run")
    assert (
        f"adds 2 pupils to the existing group Comprehension group from 07/09/2026 (group {demo_group.pk}) of 6"
        in preview
    )
    assert demo_group.enrolments.count() == 6  # a dry run writes nothing
    message = _import(world.school_a, path)
    assert "0 new groups, 2 enrolments" in message
    assert demo_group.enrolments.count() == 8


def test_a_wrong_group_number_or_another_interventions_group_is_refused(world, seed001_pupils, demo_group, tmp_path):
    other = InterventionGroup.objects.create(
        intervention=Intervention.objects.create(school=world.school_a, name="Numeracy"), starts_on=START
    )
    for number, message in [
        ("99999", "has no group numbered '99999'"),
        (str(other.pk), f"Group {other.pk} runs Numeracy, not 'Comprehension group'"),
    ]:
        with pytest.raises(CommandError, match="problem"):
            _import(world.school_a, _with_group_column(tmp_path, number))
        table = importer.read_table("add.csv", _with_group_column(tmp_path, number).read_bytes())
        parsed = importer.parse(table, filename="add.csv", lookup=importer.SchoolLookup(world.school_a))
        assert [p.field for p in parsed.problems] == ["Group", "Group"]
        assert message in parsed.problems[0].message
    assert Enrolment.objects.count() == 6


def test_a_group_of_another_school_cannot_be_named(world, seed001_pupils, tmp_path):
    theirs = InterventionGroup.objects.create(
        intervention=Intervention.objects.create(school=world.school_b, name="Comprehension group"), starts_on=START
    )
    with pytest.raises(CommandError):
        _import(world.school_a, _with_group_column(tmp_path, str(theirs.pk)))
    assert not Enrolment.objects.exists()


def test_staff_role_words_and_ambiguous_names_stay_text(world):
    school = world.school_a
    jo = make_user("jsmith", school=school, role=Role.TA, last_name="Smith")  # full name "Jsmith Smith"
    assert importer._staff_user(school, "ta") is None  # world.ta's username, but a role word
    assert importer._staff_user(school, "TA") is None
    assert importer._staff_user(school, "HLTA") is None
    assert importer._staff_user(school, "Teacher") is None
    assert importer._staff_user(school, "jsmith") == jo
    assert importer._staff_user(school, "jsmith  smith") == jo
    twin = make_user("jsmith2", school=school, role=Role.TA, last_name="Smith")
    twin.first_name = "Jsmith"
    twin.save()
    assert importer._staff_user(school, "Jsmith Smith") is None  # two people: kept as text
    assert importer._staff_user(world.school_b, "jsmith") is None  # not staff there


def test_an_imported_ta_label_is_kept_as_text_not_matched_to_the_ta_login(world, seed001_pupils, tmp_path):
    path = tmp_path / "ta.csv"
    path.write_text("Intervention,Staff,Pupil,Scale,Entry,Start date\nReading,TA,Joe Baker,nc-levels,2c,07/09/2026\n")
    _import(world.school_a, path)
    group = InterventionGroup.objects.get(intervention__name="Reading")
    assert (group.staff, group.staff_label, group.staff_name) == (None, "TA", "TA")


def test_unit_of_met_and_cost_per_pupil_who_met_is_pupils_with_measures_labelled():
    def row(pupil_id, met):
        return ev.MeasureRow(pupil_id, "", "", "s", "s", "", "+1", "x", Decimal(1), met, ev.Attendance(0, 0))

    # Pupil 1 met both targets, pupil 2 one of two: 3 of 4 pupil-measures, 1 of 2 pupils.
    summary = ev.summarise_group([row(1, True), row(1, True), row(2, True), row(2, False)], cost=Decimal(100))
    assert (summary.met, summary.total) == (3, 4)
    assert (summary.pupils_met, summary.pupils_judged) == (1, 2)
    assert (summary.cost_per_pupil, summary.cost_per_pupil_met) == (Decimal("50.00"), Decimal("100.00"))


def test_json_labels_its_units_and_keeps_its_fields(world, seed001_pupils):
    _import(world.school_a)
    social = next(g for g in _evaluate(world.school_a) if g["intervention"] == "Social skills")
    assert {"met", "total", "mean_steps", "cost_per_pupil", "cost_per_pupil_met", "pupils"} <= set(social)
    assert social["units"]["met"] == "pupil-measures" and social["units"]["pupils_met"] == "pupils"
    assert (social["met"], social["total"], social["pupils_met"], social["pupils_judged"]) == (0, 0, 0, 0)


def test_a_session_after_the_group_ended_is_refused_and_on_the_last_day_is_accepted(world, demo_group):
    with pytest.raises(SessionDateError, match="after the group ended on 16/10/2026"):
        log_session(group=demo_group, date=END + dt.timedelta(days=1), present=[], by=world.senco)
    assert Session.objects.filter(group=demo_group).count() == 3
    log_session(group=demo_group, date=END, present=[], by=world.senco)
    assert Attendance.objects.filter(session__date=END).count() == 6


def test_session_form_explains_a_date_after_the_end(world, demo_group):
    data = {"session-date_0": "17", "session-date_1": "10", "session-date_2": "2026"}
    form = SessionForm(data, enrolments=[], group=demo_group, prefix="session")
    assert not form.is_valid()
    assert form.errors["date"] == [
        "The session date 17/10/2026 is after the group ended on 16/10/2026: enter a date on or before the end date"
    ]
    data["session-date_0"] = "16"
    assert SessionForm(data, enrolments=[], group=demo_group, prefix="session").is_valid()


def test_group_page_refuses_a_session_after_the_end_and_writes_nothing(world, demo_group, login):
    InterventionGroup.objects.filter(pk=demo_group.pk).update(staff=world.ta)
    page = (
        login(world.ta)
        .post(
            f"/provision/groups/{demo_group.pk}/",
            {"session-date_0": "19", "session-date_1": "10", "session-date_2": "2026"},
        )
        .content.decode()
    )
    assert "is after the group ended on 16/10/2026" in page
    assert Session.objects.filter(group=demo_group).count() == 3
