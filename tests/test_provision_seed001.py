"""Seed 001's worked provision map, imported from a spreadsheet, reproduces its own conclusions."""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from fixtures_provision import SEED001_FILE, seed001_pupils_fixture  # noqa: F401

from trellis.provision.models import Enrolment, InterventionGroup, Measure


def _evaluate(school) -> dict:
    out = io.StringIO()
    call_command("evaluate_provision", "--school", school.urn, "--json", stdout=out)
    return {g["intervention"]: g for g in json.loads(out.getvalue())["groups"]}


def _import(world):
    out = io.StringIO()
    call_command("import_provision", str(SEED001_FILE), "--school", world.school_a.urn, stdout=out)
    return out.getvalue()


def test_seed001_map_imports_into_four_groups(world, seed001_pupils):
    message = _import(world)
    assert "4 new groups" in message
    assert InterventionGroup.objects.filter(intervention__school=world.school_a).count() == 4
    assert Enrolment.objects.count() == 6 + 6 + 1 + 3
    assert Measure.objects.count() == 6 + 6 + 1 + 3 * 2
    numeracy = InterventionGroup.objects.get(intervention__name="Numeracy")
    assert (numeracy.group_size, numeracy.staff_label, numeracy.sessions_per_week, numeracy.session_minutes) == (
        "1:6",
        "HLTA",
        4,
        20,
    )
    assert numeracy.intervention.duration_weeks == 6


def test_seed001_comprehension_five_of_six_met_all_but_joe(world, seed001_pupils):
    _import(world)
    group = _evaluate(world.school_a)["Comprehension group"]
    assert (group["met"], group["total"]) == (5, 6)
    missed = [p["name"] for p in group["pupils"] if not p["met"]]
    assert missed == ["Joe Baker"]
    joe = next(p for p in group["pupils"] if p["name"] == "Joe Baker")
    assert (joe["entry"], joe["exit"], joe["steps"]) == ("2b", "2b", 0)
    assert group["staff"] == "HLTA"
    assert (group["start"], group["end"]) == ("2026-09-07", "2026-10-16")


def test_seed001_numeracy_four_of_six_met(world, seed001_pupils):
    _import(world)
    group = _evaluate(world.school_a)["Numeracy"]
    assert (group["met"], group["total"]) == (4, 6)
    assert sorted(p["name"] for p in group["pupils"] if not p["met"]) == ["Amy Ashton", "Carl Green"]
    assert group["mean_steps"] == round((1 + 1 + 0 + 0 + 2 + 2) / 6, 2)


def test_seed001_paired_reading_joe_2b_to_2a_met(world, seed001_pupils):
    _import(world)
    group = _evaluate(world.school_a)["Paired reading"]
    [joe] = group["pupils"]
    assert (joe["upn"], joe["entry"], joe["exit"], joe["steps"], joe["met"]) == (
        seed001_pupils["Joe"].upn,
        "2b",
        "2a",
        1,
        True,
    )


def test_seed001_social_skills_every_pupil_improved_or_held_on_both_leuven_scales(world, seed001_pupils):
    _import(world)
    group = _evaluate(world.school_a)["Social skills"]
    assert len(group["pupils"]) == 6  # three pupils, each on two scales
    assert {p["scale"] for p in group["pupils"]} == {"leuven-wellbeing", "leuven-involvement"}
    assert all(p["steps"] >= 0 for p in group["pupils"])
    jack_wellbeing = next(p for p in group["pupils"] if p["name"] == "Jack Jones" and p["scale"] == "leuven-wellbeing")
    assert jack_wellbeing["steps"] == 0  # held at 4
    assert (group["met"], group["total"]) == (0, 0)  # no numeric target was set: nothing to count as met


def test_importing_the_same_map_twice_changes_nothing(world, seed001_pupils):
    _import(world)
    second = _import(world)
    assert "0 new interventions, 0 new groups" in second
    assert Measure.objects.count() == 19


def _year_2026(school):
    from trellis.schools.services import create_academic_year

    return school.academic_years.filter(name="2026/27").first() or create_academic_year(school=school, start_year=2026)


def test_evaluate_provision_filters_by_term_and_prints_a_readable_table(world, seed001_pupils):
    _import(world)
    _year_2026(world.school_a)
    out = io.StringIO()
    call_command("evaluate_provision", "--school", world.school_a.urn, "--term", "2026/27 autumn", stdout=out)
    text = out.getvalue()
    assert "Comprehension group (HLTA, 2026-09-07 to 2026-10-16): met every target 5 of 6 pupils" in text
    assert "Joe Baker" in text and "not met" in text
    out = io.StringIO()
    call_command("evaluate_provision", "--school", world.school_a.urn, "--term", "2026/27 spring", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"groups": []}


def test_evaluate_provision_explains_a_bad_term_or_school(world):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="autumn, spring or summer"):
        call_command("evaluate_provision", "--school", world.school_a.urn, "--term", "winter")
    with pytest.raises(CommandError, match="No school has the URN 999999"):
        call_command("evaluate_provision", "--school", "999999")
