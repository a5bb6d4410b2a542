"""`make loadtest`'s people (bench/loadtest): the plan gives each load user the targets they may
review and the dashboards they may open, every page a load user opens answers, and the review form
read from a target's page saves one review when posted as the load test posts it (twice: still
one). The load itself is `make loadtest`, never part of the suite.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_progress import make_target

from trellis.plans.models import Review

from conftest import PASSWORD

LOADTEST = Path(__file__).resolve().parent.parent / "bench" / "loadtest"


def _load_plan_module():
    spec = importlib.util.spec_from_file_location("loadplan", LOADTEST / "loadplan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


loadplan = _load_plan_module()


@pytest.fixture(name="targets")
def targets_fixture(world):
    """One target in each class of Alder Primary (4B: Inclass, 4C: Otherclass), and a closed one in 4B."""
    return {
        "4b": make_target(world.in_class, baseline="2c", target_value="2a"),
        "4c": make_target(world.other_class, baseline="1a", target_value="2b"),
        "closed": make_target(world.in_class, closed_on=world.in_class.school.academic_years.get().starts_on),
    }


def _by_username(people: list[dict]) -> dict[str, dict]:
    return {person["username"]: person for person in people}


def test_the_plan_gives_each_person_the_current_targets_they_may_review(world, targets):
    plan = loadplan.build_plan(users=10)
    staff = _by_username(plan["staff"])
    target_ids = {name: [t["id"] for t in person["targets"]] for name, person in staff.items()}
    in_4b, in_4c = targets["4b"].pk, targets["4c"].pk
    # The teacher and TA of 4B review 4B's open target only; 4C's teacher 4C's; the SENCO both. The
    # closed target takes no reviews, and Cedar's SENCO (no targets) and the head are not staff here.
    assert {name: sorted(ids) for name, ids in target_ids.items()} == {
        "teacher": [in_4b],
        "ta": [in_4b],
        "otherteacher": [in_4c],
        "senco": sorted([in_4b, in_4c]),
    }
    assert staff["teacher"]["targets"][0] == {"id": in_4b, "pupil": world.in_class.pk, "values": ["2a", "2c"]}
    assert {person["school"] for person in plan["staff"]} == {"100001"}
    assert plan["leaders"][0]["username"] == "trustlead"  # first: there are fewer leader users than heads
    leaders = {name: person["dashboards"] for name, person in _by_username(plan["leaders"]).items()}
    assert leaders == {
        "head": ["/dashboards/schools/100001/", "/dashboards/schools/100001/?group_by=need,sex"],
        "trustlead": ["/dashboards/trust/"],
    }


def test_the_plan_has_no_more_staff_than_load_users(world, targets):
    assert len(loadplan.build_plan(users=2)["staff"]) == 2


def test_every_page_a_load_user_opens_answers_and_the_review_form_saves_once(world, targets, client):
    plan = loadplan.build_plan(users=10)
    teacher = _by_username(plan["staff"])["teacher"]
    client.login(username="teacher", password=PASSWORD)
    target = teacher["targets"][0]
    for path in ("/", loadplan.pupil_path(target), loadplan.bulk_review_path(teacher)):
        assert client.get(path, follow=True).status_code == 200, path
    page = client.get(loadplan.target_path(target))
    fields = loadplan.review_form(page.content.decode())
    assert fields is not None and fields["once"] and "csrfmiddlewaretoken" in fields
    mark = f"{loadplan.COMMENT_MARK}1"
    fields.update(value="2a", comment=mark)
    for _ in range(2):  # a double click: the form's one-time token saves it once
        saved = client.post(loadplan.target_path(target), fields)
        assert saved.status_code == 302 and saved["Location"].endswith(loadplan.target_path(target))
    assert list(Review.objects.filter(comment=mark).values_list("target_id", "value")) == [(target["id"], "2a")]

    for leader in plan["leaders"]:
        client.login(username=leader["username"], password=PASSWORD)
        for path in leader["dashboards"]:
            assert client.get(path).status_code == 200, (leader["username"], path)


def test_review_form_reads_the_fields_a_browser_posts():
    html = """
    <form method="post" action="/sign-out/"><input type="hidden" name="csrfmiddlewaretoken" value="a"></form>
    <form method="post" novalidate><input type="hidden" name="csrfmiddlewaretoken" value="b">
      <input type="text" name="value" value="">
      <input type="radio" name="breadth" value="" checked><input type="radio" name="breadth" value="generalised">
      <textarea name="comment">kept
      text</textarea><input type="text" name="date_0" value="18">
      <input type="hidden" name="once" value="t1"><button type="submit" name="go" value="1">Save</button>
    </form>"""
    assert loadplan.review_form(html) == {
        "csrfmiddlewaretoken": "b",
        "value": "",
        "breadth": "",
        "comment": "kept\n      text",
        "date_0": "18",
        "once": "t1",
    }
    assert loadplan.review_form("<form><input name='value'></form>") is None  # no one-time token: not the form


def test_the_locustfile_loads_with_its_two_kinds_of_user():
    """Locust itself (gevent) only in a subprocess: imported here it would patch the suite's sockets."""
    locust = shutil.which("locust", path=str(Path(sys.executable).parent))
    if locust is None:
        pytest.skip("locust is not installed (pip install -r requirements-dev.txt)")
    listed = subprocess.run(  # noqa: S603
        [locust, "--locustfile", str(LOADTEST / "locustfile.py"), "--list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert {"Staff", "Leader"} <= set(listed.stdout.split())
