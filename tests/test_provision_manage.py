"""Keeping the map by hand: the SENCO's catalogue, groups, enrolments and EHC hours, each audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.provision.models import EhcProvision, Intervention, InterventionGroup, Measure

INTERVENTION = {
    "name": "Talk Boost",
    "area_of_need": "Speech, language and communication",
    "default_group_size": "4",
    "sessions_per_week": "3",
    "session_minutes": "30",
    "duration_weeks": "10",
    "delivering_role": "TA",
    "cost_per_session": "",
    "hourly_rate": "14.50",
    "eef_strand": "oral-language",
}


def test_senco_adds_an_intervention_costed_from_an_hourly_rate(world, login):
    client = login(world.senco)
    response = client.post(f"/schools/{world.school_a.urn}/provision/catalogue/new/", INTERVENTION)
    assert response.status_code == 302
    talk = Intervention.objects.get(school=world.school_a)
    assert talk.session_cost() == Decimal("7.25")
    assert AuditEvent.objects.filter(record_type="intervention", actor=world.senco).exists()
    page = client.get(f"/schools/{world.school_a.urn}/provision/catalogue/").content.decode()
    assert "£7.25" in page and "Oral language interventions (+6 months)" in page


def test_a_second_intervention_with_the_same_name_is_refused(world, login):
    client = login(world.senco)
    client.post(f"/schools/{world.school_a.urn}/provision/catalogue/new/", INTERVENTION)
    page = client.post(
        f"/schools/{world.school_a.urn}/provision/catalogue/new/", INTERVENTION | {"name": "talk boost"}
    ).content.decode()
    assert "The catalogue already has an intervention called talk boost" in page
    assert Intervention.objects.count() == 1


@pytest.mark.parametrize("user", ["ta", "teacher", "governor"])
def test_only_the_senco_and_leaders_keep_the_catalogue(world, login, user):
    response = login(getattr(world, user)).post(f"/schools/{world.school_a.urn}/provision/catalogue/new/", INTERVENTION)
    assert response.status_code == 404
    assert not Intervention.objects.exists()


def test_senco_starts_a_group_and_enrols_a_pupil_on_two_scales(world, login):
    client = login(world.senco)
    talk = Intervention.objects.create(school=world.school_a, name="Social skills")
    response = client.post(
        f"/schools/{world.school_a.urn}/provision/groups/new/",
        {
            "intervention": talk.pk,
            "staff": world.ta.pk,
            "group_size": "1:6",
            "frequency": "3 x 15 mins",
            "starts_on_0": "7",
            "starts_on_1": "9",
            "starts_on_2": "2026",
            "ends_on_0": "16",
            "ends_on_1": "10",
            "ends_on_2": "2026",
        },
    )
    group = InterventionGroup.objects.get()
    assert response.url == f"/provision/groups/{group.pk}/enrol/"
    assert (group.staff, group.ends_on) == (world.ta, dt.date(2026, 10, 16))
    url = f"/provision/groups/{group.pk}/enrol/"
    wellbeing, involvement = find_scale("leuven-wellbeing"), find_scale("leuven-involvement")
    page = client.post(url, {"pupil": world.in_class.pk, "scale": wellbeing.pk, "entry": "7", "target": "+1"})
    assert "Entry data must be on the Leuven well-being scale: 1, 2, 3, 4, 5" in page.content.decode()
    client.post(
        url,
        {
            "pupil": world.in_class.pk,
            "scale": wellbeing.pk,
            "entry": "1",
            "target": "+1",
            "target_description": "Independence",
        },
    )
    client.post(url, {"pupil": world.in_class.pk, "scale": involvement.pk, "entry": "2", "target": "4"})
    measures = Measure.objects.filter(enrolment__pupil=world.in_class).order_by("scale__name")
    assert [(m.scale.code, m.entry, m.target_text) for m in measures] == [
        ("leuven-involvement", "2", "4"),
        ("leuven-wellbeing", "1", "+1"),
    ]
    assert measures[0].enrolment.target_description == "Independence"  # kept when the second measure was added


def test_senco_records_ehc_hours_and_the_history_flags_a_shortfall(world, login):
    client = login(world.senco)
    response = client.post(
        f"/pupils/{world.other_class.pk}/provision/ehc/",
        {
            "description": "Speech and language therapy programme",
            "hours_per_week": "2",
            "starts_on_0": "1",
            "starts_on_1": "9",
            "starts_on_2": str(world.school_a.academic_years.get().starts_on.year),
        },
    )
    assert response.status_code == 302
    provision = EhcProvision.objects.get()
    assert provision.pupil == world.other_class
    page = client.get(f"/pupils/{world.other_class.pk}/provision/").content.decode()
    assert "Provision specified in the EHC plan" in page
    assert "Short by" in page  # nothing delivered yet
    assert AuditEvent.objects.filter(record_type="EHC plan provision", pupil_id=world.other_class.pk).exists()
