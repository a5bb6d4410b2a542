"""Changing a plan: its content and its EHC outcomes are saved together or not at all; the SMART
check's one form method."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.lib.models import LONG_TEXT
from trellis.lib.versions import EditConflict
from trellis.plans import services
from trellis.plans.forms import PlanForm, TargetForm
from trellis.plans.models import Plan, PlanVersion, Target


def _ehc_plan(world, *outcomes: str) -> Plan:
    plan = services.create_plan(pupil=world.in_class, by=world.senco, kind=Plan.Kind.EHC, strengths="Loves stories")
    services.set_plan_state(plan=plan, state=Plan.State.ACTIVE, by=world.senco)
    services.set_outcomes(plan=plan, texts=list(outcomes), by=world.senco)
    plan.refresh_from_db()
    return plan


def _as_saved(plan: Plan) -> tuple:
    """Everything an edit could change: content, version count, kept versions, outcomes, audit rows."""
    plan = Plan.objects.get(pk=plan.pk)
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count()
    outcomes = [(o.pk, o.position, o.text) for o in plan.outcomes.all()]
    return plan.content(), plan.version, PlanVersion.objects.filter(plan=plan).count(), outcomes, changes


# --- One transaction: both parts or neither ---------------------------------------------------


def test_an_invalid_outcome_after_a_valid_change_saves_neither(world):
    plan = _ehc_plan(world, "Read for pleasure")
    before = _as_saved(plan)
    with pytest.raises(services.PlanError, match=f"^Outcome 2 has {LONG_TEXT + 1} characters: it can have at most"):
        services.edit_plan(
            plan=plan,
            by=world.senco,
            version=plan.version,
            strengths="Loves stories and rhymes",  # valid, and saved first
            outcomes=["Make a friend", "x" * (LONG_TEXT + 1)],
        )
    assert _as_saved(plan) == before  # no content, no kept version, no outcomes, no audit row


def test_a_failure_while_writing_the_outcomes_undoes_the_plan_change(world, monkeypatch):
    plan = _ehc_plan(world, "Read for pleasure")
    before = _as_saved(plan)
    record = services.audit.record

    def failing(**event):
        if event["record_type"] == "EHC outcomes":
            raise RuntimeError("disk full")
        return record(**event)

    monkeypatch.setattr(services.audit, "record", failing)
    with pytest.raises(RuntimeError):
        services.edit_plan(
            plan=plan, by=world.senco, version=plan.version, strengths="Changed", outcomes=["Make a friend"]
        )
    assert _as_saved(plan) == before


def test_a_plan_and_its_outcomes_change_together(world):
    plan = _ehc_plan(world, "Read for pleasure", "Make a friend")
    kept = services.edit_plan(
        plan=plan,
        by=world.senco,
        version=plan.version,
        strengths="Loves stories and rhymes",
        outcomes=["  Make a friend ", "", "Travel to school on the bus"],
    )
    assert kept is not None and kept.content["strengths"] == "Loves stories"
    plan.refresh_from_db()
    assert plan.strengths == "Loves stories and rhymes"
    assert [o.text for o in plan.outcomes.all()] == ["Make a friend", "Travel to school on the bus"]
    assert AuditEvent.objects.filter(record_type="EHC outcomes", pupil_id=world.in_class.pk).count() == 2


def test_an_outcome_of_the_longest_length_is_kept(world):
    plan = _ehc_plan(world)
    services.edit_plan(plan=plan, by=world.senco, version=plan.version, outcomes=["y" * LONG_TEXT])
    assert [len(o.text) for o in plan.outcomes.all()] == [LONG_TEXT]


def test_a_changed_outcome_alone_is_a_change_of_the_plan(world):
    plan = _ehc_plan(world, "Read for pleasure")
    opened = plan.version
    services.edit_plan(plan=plan, by=world.senco, version=opened, outcomes=["Read for pleasure", "Make a friend"])
    plan.refresh_from_db()
    assert plan.version == opened + 1
    # Someone whose form was opened before that change gets a conflict, and changes nothing.
    before = _as_saved(plan)
    with pytest.raises(EditConflict):
        services.edit_plan(plan=plan, by=world.teacher, version=opened, outcomes=["Read every day"])
    assert _as_saved(plan) == before
    # The same outcomes again (a second click on Save) change nothing, so they are not a conflict.
    assert (
        services.edit_plan(plan=plan, by=world.senco, version=opened, outcomes=["Read for pleasure", "Make a friend"])
        is None
    )
    assert _as_saved(plan) == before


def test_outcomes_left_out_are_left_as_they_are(world):
    plan = _ehc_plan(world, "Read for pleasure")
    services.edit_plan(plan=plan, by=world.senco, version=plan.version, strengths="Changed")
    assert [o.text for o in plan.outcomes.all()] == ["Read for pleasure"]


# --- The page -----------------------------------------------------------------------------------


def test_the_page_says_which_outcome_is_wrong_and_saves_nothing(world, login):
    plan = _ehc_plan(world, "Read for pleasure")
    before = _as_saved(plan)
    post = {"kind": "ehc", "strengths": "Loves stories and rhymes", "version": plan.version}
    client = login(world.senco)
    response = client.post(
        f"/plans/{plan.pk}/edit/", post | {"outcomes": "Make a friend\nRead for pleasure\nMake a friend"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Outcome 3 repeats outcome 1: give each outcome once" in page
    assert 'href="#id_outcomes"' in page  # the error summary links to the box
    assert "Make a friend\nRead for pleasure\nMake a friend</textarea>" in page  # what was typed is kept
    assert _as_saved(plan) == before

    response = client.post(f"/plans/{plan.pk}/edit/", post | {"outcomes": "Make a friend\nRead for pleasure"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.strengths == "Loves stories and rhymes"
    assert [o.text for o in plan.outcomes.all()] == ["Make a friend", "Read for pleasure"]


def test_a_second_person_changing_the_outcomes_sees_both_versions(world, login):
    plan = _ehc_plan(world, "Read for pleasure")
    url = f"/plans/{plan.pk}/edit/"
    post = {"kind": "ehc", "strengths": "Loves stories", "version": plan.version}
    assert login(world.senco).post(url, post | {"outcomes": "Read every day"}).status_code == 302
    page = login(world.teacher).post(url, post | {"outcomes": "Make a friend"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "This plan was changed by Senco" in text and "Your changes are not saved yet" in text
    table = text[text.index("What is saved now, and your version") :]
    assert "Read every day" in table and "Make a friend" in table
    assert [o.text for o in plan.outcomes.all()] == ["Read every day"]


def test_only_an_ehc_plan_has_the_outcomes_box(world):
    ehc = _ehc_plan(world, "Read for pleasure", "Make a friend")
    form = PlanForm(plan=ehc)
    assert form.fields["outcomes"].initial == "Read for pleasure\nMake a friend"
    support = services.create_plan(pupil=world.in_class, by=world.senco, kind=Plan.Kind.SEN_SUPPORT)
    assert "outcomes" not in PlanForm(plan=support).fields
    assert "outcomes" not in PlanForm().fields  # a new plan: outcomes come once it is an EHC plan
    posted = PlanForm({"kind": "sen_support"}, plan=support)
    assert posted.is_valid() and posted.outcome_texts() is None


# --- The SMART check: one form method -----------------------------------------------------------

GOOD = {
    "description": "Read 20 high-frequency words without help",
    "area": "cognition",
    "baseline_value": "2c",
    "target_value": "2a",
    "success_criteria": "Reads them on two days running",
    "starts_on_0": "1",
    "starts_on_1": "9",
    "starts_on_2": "2026",
    "target_date_0": "26",
    "target_date_1": "3",
    "target_date_2": "2027",
}


@pytest.fixture
def plan(world):
    return services.create_plan(pupil=world.in_class, by=world.senco, kind=Plan.Kind.SEN_SUPPORT)


def _posted(plan, **changes) -> TargetForm:
    return TargetForm(GOOD | {"scale": find_scale("nc-levels").pk} | changes, plan=plan)


def test_a_smart_target_has_no_warnings(plan):
    assert _posted(plan).smart_warnings() == []


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        ({"target_value": "3z"}, "No measure"),  # not on the scale: counts as missing
        ({"target_value": "", "steps_to_gain": "2"}, None),  # steps to gain are a measure
        ({"target_value": "", "steps_to_gain": ""}, "No measure"),
        ({"success_criteria": "  "}, "No success criteria"),
        ({"target_date_0": "", "target_date_1": "", "target_date_2": ""}, "No date"),
        ({"target_date_0": "31", "target_date_1": "2", "target_date_2": "2027"}, "No date"),  # not a real date
        ({"description": "Read four words aloud"}, "Vague wording"),  # four words: too short
        ({"description": "Read five words aloud daily"}, None),  # five words
    ],
)
def test_the_form_warns_about_what_is_missing_as_typed(plan, changes, warning):
    warnings = _posted(plan, **changes).smart_warnings()
    assert [w.split(":")[0] for w in warnings] == ([warning] if warning else [])


def test_a_form_not_yet_posted_warns_about_the_saved_target_or_nothing(plan):
    assert TargetForm(plan=plan).smart_warnings() == []
    target = Target.objects.create(
        plan=plan,
        pupil=plan.pupil,
        description="Improve reading",
        area="cognition",
        scale=find_scale("nc-levels"),
        baseline_value="2c",
        target_value="2a",
        success_criteria="Reads a page",
        starts_on=timezone.localdate(),
        target_date=timezone.localdate() + dt.timedelta(days=90),
    )
    assert [w.split(":")[0] for w in TargetForm(plan=plan, target=target).smart_warnings()] == ["Vague wording"]


def test_the_page_and_the_htmx_check_give_the_same_warnings(world, login, plan):
    client = login(world.senco)
    post = GOOD | {"scale": find_scale("nc-levels").pk, "success_criteria": "", "description": "Improve reading"}
    check = client.post(f"/plans/{plan.pk}/targets/smart-check/", post, HTTP_HX_REQUEST="true").content.decode()
    page = client.post(f"/plans/{plan.pk}/targets/new/", post | {"baseline_value": "9z"}).content.decode()
    for words in ("No success criteria", "Vague wording"):
        assert words in check and words in page
    assert "No measure" not in check and "No measure" not in page
    assert not Target.objects.exists()  # the page refused the baseline, so it is shown again with warnings
