"""The dashboards' plan-type filter on the provision evaluation: pupils with an active plan of that
kind now. Seed 001's comprehension group, target +1 sub-level each: 2c->2b, 2b->2b, 2c->2a, 2c->2a,
2b->2a, 2c->2b (steps 1, 0, 2, 2, 1, 1)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from fixtures_provision import SEED001_FILE, seed001_pupils_fixture  # noqa: F401

from trellis.plans.models import Plan
from trellis.provision.models import Measure


@pytest.fixture
def imported(world, seed001_pupils):
    call_command("import_provision", str(SEED001_FILE), "--school", world.school_a.urn, stdout=io.StringIO())
    comprehension = Measure.objects.filter(enrolment__group__intervention__name="Comprehension group")
    # The two who went 2c -> 2a have EHC plans (one also an archived SEN support plan); the pupil who
    # went 2b -> 2b has only a draft EHC plan, which does not count.
    for measure in comprehension.filter(entry="2c", exit="2a"):
        Plan.objects.create(pupil=measure.enrolment.pupil, kind=Plan.Kind.EHC, state=Plan.State.ACTIVE)
        Plan.objects.create(pupil=measure.enrolment.pupil, kind=Plan.Kind.SEN_SUPPORT, state=Plan.State.ARCHIVED)
    stuck = comprehension.get(entry="2b", exit="2b").enrolment.pupil
    Plan.objects.create(pupil=stuck, kind=Plan.Kind.EHC, state=Plan.State.DRAFT)
    return world


def _row(page: str, name: str) -> str:
    return page[page.index(f'<th scope="row">{name}</th>') :].split("</tr>")[0]


def test_the_evaluation_keeps_pupils_with_an_active_plan_of_the_kind(imported, login):
    url = f"/schools/{imported.school_a.urn}/provision/evaluation/"
    client = login(imported.senco)
    page = client.get(url, {"plan": "ehc"}).content.decode()
    # Steps 2 and 2: mean 2.00 over 2; planned progress achieved 200%.
    assert "NC levels: 2 (n 2)" in _row(page, "Comprehension group") and "200%" in _row(page, "Comprehension group")
    assert "Social skills" not in page  # none of its pupils has an EHC plan
    assert '<option value="ehc" selected>EHC plan outcomes</option>' in page
    everyone = client.get(url).content.decode()
    assert "NC levels: 1.17 (n 6)" in _row(everyone, "Comprehension group")
    nobody = client.get(url, {"plan": "passport"}).content.decode()
    assert "Comprehension group" not in nobody


def test_the_plan_filter_combines_with_the_scale_filter(imported, login):
    page = login(imported.senco).get(
        f"/schools/{imported.school_a.urn}/provision/evaluation/", {"plan": "ehc", "scale": "leuven-wellbeing"}
    )
    assert "Comprehension group" not in page.content.decode() and "Social skills" not in page.content.decode()


def test_an_unknown_plan_kind_is_refused_with_a_message(imported, login):
    page = (
        login(imported.senco)
        .get(f"/schools/{imported.school_a.urn}/provision/evaluation/", {"plan": "iep"}, follow=True)
        .content.decode()
    )
    assert "There is no kind of plan called ‘iep’" in page and "NC levels: 1.17 (n 6)" in page


def test_governors_get_no_plan_filter(imported, login):
    page = (
        login(imported.governor)
        .get(f"/schools/{imported.school_a.urn}/provision/evaluation/", {"plan": "ehc"})
        .content.decode()
    )
    assert "Figures for one kind of plan are not available with numbers withheld" in page
    assert 'name="plan"' not in page and "Comprehension group" in page
