"""Identification compared with England, and leavers' destinations: hand-counted figures, scope, suppression."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.dashboards.comparison import MEASURES, Profile, destinations, school_profiles, total_of, withheld
from trellis.pupils import services
from trellis.pupils.models import Pupil
from trellis.schools.models import School

from conftest import make_pupil

pytestmark = pytest.mark.dates


def figure(profile, key, hidden=frozenset()):
    return next(m for m in MEASURES if m.key == key).figure(profile, hidden)


def test_profile_counts_match_a_hand_count(world):
    # School A: in_class K (M, SLCN), other_class E (M, ASD), confidential K, expired_share K; all boys.
    services.update_pupil(pupil=world.confidential, by=world.senco, sex="F", fsm=True)
    make_pupil(world.school_a, surname="Nosen", fsm=True)
    monitored = make_pupil(world.school_a, surname="Watched", sex="F")
    services.set_sen_status(pupil=monitored, status="M", starts_on=timezone.localdate(), by=world.senco)
    (a,) = school_profiles(School.objects.filter(pk=world.school_a.pk))
    assert a.on_roll == 6
    assert figure(a, "sen_support").count == 3 and figure(a, "sen_support").percent == 50.0
    assert figure(a, "ehc_plan").percent == pytest.approx(100 / 6)
    assert figure(a, "boys_k").percent == pytest.approx(200 / 3)
    assert figure(a, "fsm_k").percent == pytest.approx(100 / 3)
    assert figure(a, "fsm_n").percent == 50.0  # monitoring counts as no SEN: Nosen (FSM) and Watched
    assert figure(a, "asd_e").percent == 100.0
    assert figure(a, "slcn_k").percent == pytest.approx(100 / 3)


def test_small_numbers_are_withheld_with_whatever_would_give_them_away():
    profile = Profile(label="x", school_id=1, on_roll=40)
    profile.status.update({"K": 3, "N": 37})
    profile.boys.update({"K": 1, "N": 20})
    profile.fsm.update({"K": 2, "N": 10})
    profile.needs["K"].update({"SLCN": 3})
    hidden = withheld([profile])
    shown = figure(profile, "sen_support", hidden)
    assert (shown.text, shown.percent_text) == ("withheld", "withheld")
    # 37 of no SEN would be 40 - 3 - 0: it goes too, and with it the FSM share of no SEN.
    assert figure(profile, "fsm_n", hidden).percent_text == "withheld"
    assert figure(profile, "boys_k", hidden).percent_text == "withheld"  # 1 of a withheld 3
    assert figure(profile, "ehc_plan", hidden).percent_text == "0.0%"
    assert figure(profile, "sen_support").percent_text == "7.5%"


def test_trust_leader_sees_each_trust_school_and_the_total_beside_england(world, login):
    response = login(world.trustlead).get(reverse("dash-identification"))
    labels = [profile.label for profile, _, _ in response.context["rows"]]
    assert labels == ["Alder Primary", "Birch Primary", "All these schools"]
    page = response.content.decode()
    assert "England" in page and "14.8%" in page and "2025/26" in page
    assert "Cedar" not in page


def test_governor_gets_suppressed_figures_and_no_names(world, login):
    page = login(world.governor).get(reverse("dash-identification")).content.decode()
    assert "withheld" in page
    for pupil in Pupil.objects.all():
        assert pupil.legal_surname not in page


def test_one_school_can_be_chosen_but_not_someone_elses(world, login):
    client = login(world.trustlead)
    rows = client.get(reverse("dash-identification"), {"school": "100002"}).context["rows"]
    assert [profile.label for profile, _, _ in rows] == ["Birch Primary"]
    assert client.get(reverse("dash-identification"), {"school": "100003"}).status_code == 404


def test_specialist_has_no_dashboards(world, login):
    assert login(world.specialist).get(reverse("dash-identification")).status_code == 404


def test_download_holds_the_table_and_the_national_row(world, login):
    response = login(world.senco).get(reverse("dash-identification-download", args=["csv"]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("School,Pupils on roll,SEN support")
    assert lines[1].startswith("Alder Primary,4,75.0%")
    assert lines[-1].startswith("England (national),,14.8% (2025/26)")


def test_destinations_by_status_and_need(world):
    left = timezone.localdate() - dt.timedelta(days=30)
    for pupil, kind in ((world.in_class, "college"), (world.other_class, "special"), (world.expired_share, "college")):
        services.update_pupil(pupil=pupil, by=world.senco, left_on=left, destination=kind, destination_on=left)
    status_rows, need_rows = destinations(School.objects.filter(pk=world.school_a.pk), hide_small=False)
    by_label = {label: [f.count for f in figures] for label, figures in status_rows}
    assert by_label == {"Special school": [0, 1, 0], "Further education college": [2, 0, 0]}
    assert {need.code: [f.count for f in figures] for need, figures in need_rows} == {"SLCN": [0, 1], "ASD": [1, 0]}


def test_dashboard_queries_do_not_grow_with_schools(world, login, django_assert_max_num_queries):
    client = login(world.superuser)
    client.get(reverse("dash-identification"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("dash-identification"))
    for n in range(5):
        School.objects.create(urn=f"20000{n}", name=f"Extra {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dash-identification"))


def test_the_figures_for_several_schools_are_protected_against_one_the_reader_sees_exactly():
    # A reader who may see names at school 1 sees its 2 boys with SEN support exactly. School 2's 3
    # is withheld; the two schools' 5 beside 2 would give it back, so it is withheld too.
    profiles = []
    for school_id, boys in ((1, 2), (2, 3)):
        profile = Profile(label=f"school {school_id}", school_id=school_id, on_roll=100)
        profile.status.update({"K": 10, "N": 90})
        profile.boys.update({"K": boys, "N": 45})
        profile.fsm.update({"K": 5, "N": 20})
        profile.needs["K"].update({"SLCN": 10})
        profiles.append(profile)
    total = total_of(profiles, "All")
    hidden = withheld(profiles, total, open_schools=[1])
    assert not {cell for cell in hidden if cell[1] == 1}  # school 1 exactly, as on its own page
    assert ("id", 2, "boys:K") in hidden
    assert ("id", "all", "boys:K") in hidden
    # To a governor of both, school 1's 2 is withheld as well.
    assert {("id", 1, "boys:K"), ("id", 2, "boys:K")} <= withheld(profiles, total)
