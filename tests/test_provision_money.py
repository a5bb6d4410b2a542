"""Money for provision (issue 16): spending by funding stream, need and year group for a school and a
trust, and value for money per intervention (per pupil, per pupil who met, per step on each scale),
the same intervention compared across schools with n shown. Every figure is worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trellis.assessment.scales import find_scale
from trellis.provision import money, services, spending
from trellis.provision.evaluation import Attendance, MeasureRow
from trellis.provision.models import Intervention
from trellis.pupils.models import PupilNeed

from conftest import make_pupil

SEPT_7, OCT_16 = dt.date(2026, 9, 7), dt.date(2026, 10, 16)


def _pupil(world, school, surname, *, nc_year, need=None):
    pupil = make_pupil(school, surname=surname, nc_year=nc_year)
    if need:
        PupilNeed.objects.create(pupil=pupil, need_id=need, rank=1, starts_on=dt.date(2025, 9, 1))
    return pupil


def _group(world, school, name, *, cost, starts_on, ends_on, funding="notional"):
    intervention = Intervention.objects.create(
        school=school, name=name, cost_per_session=None if cost is None else Decimal(cost), sessions_per_week=3
    )
    return services.create_group(
        intervention=intervention, by=world.senco, starts_on=starts_on, ends_on=ends_on, funding=funding
    )


def _enrol(world, group, pupil, scale, entry, target, exit, funding=None):
    measure = services.MeasureInput(find_scale(scale), entry, Decimal(target), "", exit)
    services.enrol(group=group, pupil=pupil, by=world.senco, measures=[measure], funding=funding)


@pytest.fixture
def costed(world):
    """School A, 2026/27.
    Numeracy, £10 a session, 3 a week, 7 Sep to 16 Oct (6 weeks): 18 planned, £180, £60 a place.
      Ann (Year 3, SLCN, element 3) 2c -> 2b; Ben (Year 4, MLD) 2c -> 2c; Cal (Year 3) 2b -> 2a; target +1.
    Talk Boost, £5 a session, pupil premium, 5 to 16 Oct: two sessions held, £10.
      Dee (Year 3) 85 -> 91 standardised, target +5.
    Lego therapy, no cost in the catalogue: Ann, Leuven involvement 2, no exit yet."""
    a = world.school_a
    ann = _pupil(world, a, "Ann", nc_year=3, need="SLCN")
    ben = _pupil(world, a, "Ben", nc_year=4, need="MLD")
    cal = _pupil(world, a, "Cal", nc_year=3)
    dee = _pupil(world, a, "Dee", nc_year=3)
    numeracy = _group(world, a, "Numeracy", cost="10", starts_on=SEPT_7, ends_on=OCT_16)
    _enrol(world, numeracy, ann, "nc-levels", "2c", 1, "2b", funding="element_3")
    _enrol(world, numeracy, ben, "nc-levels", "2c", 1, "2c")
    _enrol(world, numeracy, cal, "nc-levels", "2b", 1, "2a")
    talk = _group(
        world, a, "Talk Boost", cost="5", starts_on=dt.date(2026, 10, 5), ends_on=OCT_16, funding="pupil_premium"
    )
    _enrol(world, talk, dee, "standardised", "85", 5, "91")
    for day in (6, 8):
        services.log_session(group=talk, date=dt.date(2026, 10, day), present=[], by=world.senco)
    lego = _group(world, a, "Lego therapy", cost=None, starts_on=SEPT_7, ends_on=OCT_16)
    _enrol(world, lego, ann, "leuven-involvement", "2", 1, "")
    return world


def _rows(rows):
    return [(r.label, r.amount, r.places, r.uncosted) for r in rows]


def test_spending_by_stream_need_and_year_as_worked_by_hand(costed):
    figures = spending.spending([costed.school_a], year="2026/27")
    assert (figures.total.amount, figures.total.places, figures.total.uncosted) == (Decimal("190.00"), 4, 1)
    # Ben and Cal from the notional budget (and Ann's uncosted Lego place); Dee pupil premium; Ann element 3.
    assert _rows(figures.by_stream) == [
        ("Notional SEN budget", Decimal("120.00"), 2, 1),
        ("Pupil premium", Decimal("10.00"), 1, 0),
        ("High-needs top-up (element 3)", Decimal("60.00"), 1, 0),
    ]
    needs = {label: (amount, places, uncosted) for label, amount, places, uncosted in _rows(figures.by_need)}
    assert needs["No primary need recorded"] == (Decimal("70.00"), 2, 0)  # Cal £60 + Dee £10
    assert sorted(needs.values()) == sorted(
        [(Decimal("60.00"), 1, 1), (Decimal("60.00"), 1, 0), (Decimal("70.00"), 2, 0)]
    )
    assert _rows(figures.by_year) == [("Year 3", Decimal("130.00"), 3, 1), ("Year 4", Decimal("60.00"), 1, 0)]
    assert figures.by_school == []  # one school


def test_value_for_money_per_pupil_per_pupil_who_met_and_per_step_on_each_scale(costed):
    figures = spending.spending([costed.school_a], year="2026/27")
    by_name = {v.intervention: v for v in figures.values}
    numeracy = by_name["Numeracy"]
    # £180 for 3 pupils: £60 each; 2 met: £90 each; 2 sub-levels gained over 3 measures: £90 a sub-level.
    assert (numeracy.cost, numeracy.per_pupil, numeracy.pupils_met, numeracy.pupils_judged) == (
        Decimal("180.00"),
        Decimal("60.00"),
        2,
        3,
    )
    assert numeracy.per_pupil_met == Decimal("90.00")
    [levels] = numeracy.by_scale
    assert (levels.measures, levels.steps, levels.per_step) == (3, Decimal(2), Decimal("90.00"))
    assert numeracy.warning == "Only 3 pupils judged – too few to compare"
    talk = by_name["Talk Boost"]
    [points] = talk.by_scale
    # £10 over 6 standardised points: £1.666... rounds to £1.67.
    assert (talk.per_pupil, talk.per_pupil_met, points.steps, points.per_step) == (
        Decimal("10.00"),
        Decimal("10.00"),
        Decimal(6),
        Decimal("1.67"),
    )
    lego = by_name["Lego therapy"]
    assert (lego.cost, lego.per_pupil, lego.by_scale, lego.pupils_judged) == (None, None, [], 0)
    assert figures.steps == {
        "NC levels": "one value up the NC levels (for example 1c to 1b)",
        "Standardised score": "one point on the Standardised score",
    }  # Leuven involvement has no exit data yet: no step to explain


def test_only_groups_running_in_the_chosen_year_count(costed):
    last_year = spending.spending([costed.school_a], year="2025/26").total
    assert (last_year.amount, last_year.places, last_year.uncosted) == (Decimal("0.00"), 0, 0)
    assert spending.academic_year("2026/27") == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    assert spending.year_name(dt.date(2027, 8, 31)) == "2026/27" and spending.year_name(SEPT_7) == "2026/27"
    assert spending.year_name(dt.date(2026, 8, 31)) == "2025/26"


def test_cost_per_step_counts_net_steps_and_is_none_when_nothing_was_gained():
    def row(pupil, steps, scale="NC levels"):
        return MeasureRow(
            pupil, "", "", "x", scale, "", "", "e", Decimal(steps), steps > 0, Attendance(1, 1), enrolment_id=pupil
        )

    # £40 shared by 4 pupils (£10 a place): +3, +2, -1 on one scale = 4 net steps, £30 -> £7.50 a step.
    group = money.GroupCosts("A", "Reading", Decimal(40), [row(1, 3), row(2, 2), row(3, -1), row(4, 0, "Leuven")])
    [value] = money.value_for_money([group], {})
    assert [(c.scale, c.steps, c.cost, c.per_step) for c in value.by_scale] == [
        ("Leuven", Decimal(0), Decimal("10.00"), None),
        ("NC levels", Decimal(4), Decimal("30.00"), Decimal("7.50")),
    ]
    assert (value.pupils, value.pupils_met, value.per_pupil_met) == (4, 2, Decimal("20.00"))


def test_shares_add_up_to_the_group_cost_without_losing_pennies():
    # £100 between three places: £33.333... each; the stream's total is £100.00, not £99.99.
    cost = money.share(Decimal(100), 3)
    places = [money.Place("A", "R", 1, p, "n", "Year 3", "Notional SEN budget", cost) for p in range(3)]
    assert money.total(places).amount == Decimal("100.00")
    assert money.total(places).per_place == Decimal("33.33")


@pytest.fixture
def trust(costed):
    """School B runs Numeracy too: £8 a session, 7 to 18 Sep (2 weeks, 6 sessions, £48), five pupils:
    four 2c -> 2b, one 2c -> 2c. £9.60 a pupil, £12 a pupil who met, 4 sub-levels: £12 a sub-level."""
    b = costed.school_b
    group = _group(costed, b, "Numeracy", cost="8", starts_on=SEPT_7, ends_on=dt.date(2026, 9, 18))
    for n, exit in enumerate(["2b", "2b", "2b", "2b", "2c"]):
        _enrol(costed, group, _pupil(costed, b, f"B{n}", nc_year=5), "nc-levels", "2c", 1, exit)
    return costed


def test_the_same_intervention_compared_across_schools_with_n_and_small_n_warned(trust):
    figures = spending.spending([trust.school_a, trust.school_b], year="2026/27")
    [(name, rows)] = figures.compared
    assert name == "Numeracy"
    shown = [(v.school, v.pupils_judged, v.pupils_met, v.per_pupil, v.per_pupil_met, v.warning) for v in rows]
    assert shown == [
        ("Alder Primary", 3, 2, Decimal("60.00"), Decimal("90.00"), "Only 3 pupils judged – too few to compare"),
        ("Birch Primary", 5, 4, Decimal("9.60"), Decimal("12.00"), ""),
    ]
    assert rows[1].by_scale[0].per_step == Decimal("12.00")
    assert _rows(figures.by_school) == [
        ("Alder Primary", Decimal("190.00"), 4, 1),
        ("Birch Primary", Decimal("48.00"), 5, 0),
    ]


def test_the_trust_lead_sees_every_school_and_the_page_keeps_its_queries(trust, login, django_assert_max_num_queries):
    client = login(trust.trustlead)
    with django_assert_max_num_queries(30):
        page = client.get("/provision/money/?year=2026/27").content.decode()
    assert "£238.00 on 9 places" in page  # £190 + £48
    assert "Only 3 pupils judged – too few to compare" in page and "Birch Primary" in page
    # More groups and schools' pupils, the same number of queries.
    extra = _group(trust, trust.school_b, "Talk Boost", cost="5", starts_on=SEPT_7, ends_on=OCT_16)
    for n in range(4):
        _enrol(trust, extra, _pupil(trust, trust.school_b, f"T{n}", nc_year=6), "standardised", "80", 3, "84")
    with django_assert_max_num_queries(30):
        assert client.get("/provision/money/?year=2026/27").status_code == 200


def test_the_senco_sees_their_school_and_governors_and_teachers_do_not(costed, login):
    page = login(costed.senco).get(f"/schools/{costed.school_a.urn}/provision/money/").content.decode()
    assert "£190.00 on 4 places" in page and "Academic year 2026/27" in page  # the suite's day: 18 Nov 2026
    for user in (costed.governor, costed.teacher, costed.ta):
        assert login(user).get(f"/schools/{costed.school_a.urn}/provision/money/").status_code == 404


@pytest.mark.parametrize("year", ["2026", "2026/28", "26/27"])
def test_a_year_not_like_2026_27_is_refused_with_what_to_enter(costed, login, year):
    response = login(costed.senco).get(f"/schools/{costed.school_a.urn}/provision/money/", {"year": year})
    assert response.status_code == 400
    assert "2026/27" in response.content.decode()


OLD_KEYS = {
    "id",
    "intervention",
    "staff",
    "start",
    "end",
    "met",
    "total",
    "mean_steps",
    "cost_per_pupil",
    "cost_per_pupil_met",
    "pupils_met",
    "pupils_judged",
    "units",
    "sessions_held",
    "sessions_planned",
    "rating",
    "decision",
    "poor_attendance",
    "pupils",
}


def _command(school) -> dict:
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("evaluate_provision", "--school", school.urn, "--json", stdout=out)
    return {g["intervention"]: g for g in json.loads(out.getvalue())["groups"]}


def test_evaluate_provision_json_gains_funding_and_cost_per_step_and_keeps_its_fields(costed):
    # Social skills, £6 a session, two held (£12), one pupil on two scales: well-being 2 -> 4, involvement 3 -> 4.
    social = _group(costed, costed.school_a, "Social skills", cost="6", starts_on=SEPT_7, ends_on=OCT_16)
    eve = _pupil(costed, costed.school_a, "Eve", nc_year=2)
    measures = [
        services.MeasureInput(find_scale("leuven-wellbeing"), "2", Decimal(1), "", "4"),
        services.MeasureInput(find_scale("leuven-involvement"), "3", Decimal(1), "", "4"),
    ]
    services.enrol(group=social, pupil=eve, by=costed.senco, measures=measures)
    for day in (8, 9):
        services.log_session(group=social, date=dt.date(2026, 9, day), present=[], by=costed.senco)
    groups = _command(costed.school_a)
    for group in groups.values():
        assert OLD_KEYS | {"cost", "funding", "cost_per_step", "by_scale"} == set(group)
    numeracy = groups["Numeracy"]
    assert (numeracy["cost"], numeracy["cost_per_step"]) == (180, 90)
    assert numeracy["funding"] == {"group": "notional", "places": {"element_3": 60, "notional": 120}}
    assert numeracy["by_scale"] == [
        {
            "scale": "nc-levels",
            "step": "one value up the NC levels (for example 1c to 1b)",
            "measures": 3,
            "steps": 2,
            "cost": 180,
            "cost_per_step": 90,
        }
    ]
    talk = groups["Talk Boost"]
    assert (talk["cost_per_step"], talk["funding"]) == (
        1.67,
        {"group": "pupil_premium", "places": {"pupil_premium": 10}},
    )
    # Two scales: no single cost per step; £12 per step of involvement (1 step), £6 of well-being (2 steps).
    social = groups["Social skills"]
    assert social["cost_per_step"] is None
    assert [(s["scale"], s["steps"], s["cost"], s["cost_per_step"]) for s in social["by_scale"]] == [
        ("leuven-involvement", 1, 12, 12),
        ("leuven-wellbeing", 2, 12, 6),
    ]
    lego = groups["Lego therapy"]
    assert (lego["cost"], lego["cost_per_step"], lego["by_scale"]) == (None, None, [])


def test_the_api_gives_staff_the_money_fields_and_governors_no_split_by_place(costed, login):
    numeracy = Intervention.objects.get(school=costed.school_a, name="Numeracy")
    url = f"/api/v1/interventions/{numeracy.pk}/evaluation"
    [group] = login(costed.senco).get(url).json()["groups"]
    assert (group["cost"], group["cost_per_step"]) == (180, 90)
    assert group["funding"] == {"group": "notional", "places": {"element_3": 60, "notional": 120}}
    assert group["by_scale"][0]["cost_per_step"] == 90
    # A governor: no per-place split (an element 3 place would point at an EHC pupil), no per-scale counts,
    # and with three pupils the group is withheld, so nothing per pupil or per step either.
    [group] = login(costed.governor).get(url).json()["groups"]
    assert group["funding"] == {"group": "notional", "places": None}
    assert (group["by_scale"], group["cost_per_step"], group["cost_per_pupil"]) == (None, None, None)
