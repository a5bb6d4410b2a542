"""Who sees which provision: deliverers see their groups, staff see enrolments of pupils they may see,
governors see suppressed aggregates only, and every read of a pupil's provision is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.provision import services
from trellis.provision.access import visible_enrolments, visible_groups
from trellis.provision.models import Intervention, InterventionGroup


@pytest.fixture
def groups(world):
    scale = find_scale("nc-levels")
    intervention = Intervention.objects.create(
        school=world.school_a, name="Numeracy", cost_per_session=Decimal(12), eef_strand="small-group"
    )
    start = dt.date(2026, 9, 7)
    by_ta = InterventionGroup.objects.create(intervention=intervention, staff=world.ta, starts_on=start)
    by_other = InterventionGroup.objects.create(intervention=intervention, staff=world.other_teacher, starts_on=start)
    for group, pupil, exit in [
        (by_ta, world.in_class, "3b"),
        (by_ta, world.other_class, "3c"),
        (by_ta, world.confidential, "3a"),
        (by_other, world.other_class, "3b"),
    ]:
        services.enrol(
            group=group,
            pupil=pupil,
            by=world.senco,
            measures=[services.MeasureInput(scale, "3c", Decimal(1), "", exit)],
        )
    return intervention, by_ta, by_other


def test_ta_sees_the_group_they_deliver_with_pupils_outside_their_class_but_not_confidential(world, groups):
    _, by_ta, _ = groups
    assert list(visible_groups(world.ta)) == [by_ta]
    pupils = set(visible_enrolments(world.ta).filter(group=by_ta).values_list("pupil__legal_surname", flat=True))
    assert pupils == {"Inclass", "Otherclass"}


def test_teacher_sees_only_their_class_pupils_enrolments(world, groups):
    _, by_ta, by_other = groups
    assert list(visible_groups(world.teacher)) == [by_ta]
    assert set(visible_enrolments(world.teacher).values_list("pupil", flat=True)) == {world.in_class.pk}


def test_senco_sees_every_group_and_enrolment_including_confidential(world, groups):
    assert visible_groups(world.senco).count() == 2
    assert visible_enrolments(world.senco).count() == 4


def test_governor_and_outsider_see_no_pupil_enrolments(world, groups):
    assert not visible_enrolments(world.governor).exists()
    assert not visible_groups(world.governor).exists()
    assert not visible_enrolments(world.outsider).exists()


def test_api_evaluation_lists_only_pupils_the_user_may_see_and_audits_each(world, groups, login):
    intervention, by_ta, _ = groups
    response = login(world.teacher).get(f"/api/v1/interventions/{intervention.pk}/evaluation")
    assert response.status_code == 200
    [group] = response.json()["groups"]
    assert group["id"] == by_ta.pk
    assert [p["name"] for p in group["pupils"]] == [world.in_class.full_name]
    assert (group["met"], group["total"]) == (1, 1)
    events = AuditEvent.objects.filter(record_type="provision evaluation", actor=world.teacher)
    assert list(events.values_list("pupil_id", flat=True)) == [world.in_class.pk]


def test_api_evaluation_for_a_governor_has_no_names_and_suppresses_small_counts(world, groups, login):
    intervention, _, _ = groups
    data = login(world.governor).get(f"/api/v1/interventions/{intervention.pk}/evaluation").json()
    assert len(data["groups"]) == 2
    assert all(g["pupils"] == [] and g["met"] is None and g["suppressed"] for g in data["groups"])
    assert all(b["met"] is None for b in data["by_need"] if b["small_n"])
    assert "Otherclass" not in str(data)


def test_api_intervention_from_another_school_is_404(world, groups, login):
    intervention, _, _ = groups
    assert login(world.outsider).get(f"/api/v1/interventions/{intervention.pk}").status_code == 404
    assert login(world.outsider).get(f"/api/v1/interventions/{intervention.pk}/evaluation").status_code == 404


def test_api_lists_the_catalogue_with_costs_and_eef_months(world, groups, login):
    data = login(world.ta).get("/api/v1/interventions").json()
    [item] = data
    assert (item["name"], item["school"], item["session_cost"], item["eef_months"]) == (
        "Numeracy",
        "100001",
        "12.00",
        4,
    )
    detail = login(world.ta).get(f"/api/v1/interventions/{item['id']}").json()
    assert [(g["staff"], g["pupils"]) for g in detail["groups"]] == [
        ("Ta", 2)
    ]  # the confidential pupil is not counted for the TA
