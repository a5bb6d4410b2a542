"""Trust leaders' dashboards (issue 15, items 6 and 7): breakdown names that lead to the school or
region, one table by region and school, figures on "Your schools", a school's dashboard offering
only what varies within it, and the class, need and teacher of each pupil to discuss."""

import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fixtures_progress import add_review, make_target

from trellis.accounts.models import Membership, Role
from trellis.dashboards.overview import years_offered
from trellis.pupils import services as pupil_services
from trellis.pupils.models import GroupMembership, NeedType
from trellis.schools.models import GroupStaff, School
from trellis.schools.services import create_school

from conftest import make_pupil, make_user

pytestmark = pytest.mark.dates

TODAY = timezone.localdate()  # the suite's day: every date below is a fixed distance from it


def target(pupil, goal="2a"):
    return make_target(
        pupil,
        target_value=goal,
        starts_on=TODAY - dt.timedelta(days=60),
        target_date=TODAY + dt.timedelta(days=60),
    )


def on_track(pupil):
    add_review(target(pupil), "2b", date=TODAY)  # 1 of 2 steps, half way: on track


def off_track(pupil):
    add_review(target(pupil, goal="3c"), "2c", date=TODAY)  # no movement, 1.5 steps expected


@pytest.fixture(name="trust")
def trust_fixture(world):
    """Alder Primary (North): 6 targets, 1 achieved, 1 on track, 1 off track, 1 at risk, 2 not
    reviewed; Birch Primary (South): Birchpupil's two targets, one on track and one off track."""
    add_review(target(world.in_class), "2a", date=TODAY)  # achieved
    on_track(world.in_class)
    off_track(world.other_class)
    add_review(target(world.other_class, goal="3c"), "2b", date=TODAY)  # 1 of 3 steps, 1.5 expected: at risk
    target(world.other_class)
    target(world.confidential)
    on_track(world.pupil_b)
    off_track(world.pupil_b)
    return world


def hrefs(text: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', text)]


def link_to(text: str, name: str) -> str | None:
    """The href of the link whose text is `name`, if there is one."""
    found = re.search(rf'<a href="([^"]+)">{re.escape(name)}</a>', text)
    return html.unescape(found.group(1)) if found else None


def query_of(href: str) -> dict:
    return parse_qs(urlsplit(href).query)


def options(text: str, select_id: str) -> list[str]:
    select = re.search(rf'<select name="\w+" id="{select_id}">(.*?)</select>', text, re.S).group(1)
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


# --- 1. Names in a breakdown lead to the school's dashboard or the region's ---------------------


def test_a_school_in_a_breakdown_links_to_its_dashboard_with_the_same_choices(trust, login):
    client = login(trust.trustlead)
    text = client.get("/dashboards/trust/?group_by=school&group_by=sex&sen=K&from=2026-09-01").content.decode()
    href = link_to(text, "Birch Primary")
    assert urlsplit(href).path == f"/dashboards/schools/{trust.school_b.urn}/"
    # The school's own page has no school to break down by; every other choice goes with it.
    assert query_of(href) == {"group_by": ["sex"], "sen": ["K"], "from": ["2026-09-01"]}
    page = client.get(href)
    assert page.status_code == 200 and "Birch Primary: progress" in page.content.decode()


def test_a_school_chosen_alone_leads_to_its_dashboard_with_no_empty_query(trust, login):
    text = login(trust.trustlead).get("/dashboards/trust/?group_by=school").content.decode()
    assert link_to(text, "Alder Primary") == f"/dashboards/schools/{trust.school_a.urn}/"


def test_a_region_of_one_school_still_offers_and_links_what_the_trust_page_does(trust, login):
    client = login(trust.trustlead)
    text = client.get(f"/dashboards/trust/?group_by=region,school&region={trust.school_b.region_id}").content.decode()
    assert {"trust", "region", "school"} <= set(options(text, "id_group_by_1"))
    assert urlsplit(link_to(text, "Birch Primary")).path == f"/dashboards/schools/{trust.school_b.urn}/"


def test_the_table_by_region_and_school_links_schools_and_regions(trust, login):
    client = login(trust.trustlead)
    text = client.get("/dashboards/trust/?sex=M").content.decode()
    assert urlsplit(link_to(text, "Alder Primary")).path == f"/dashboards/schools/{trust.school_a.urn}/"
    north = link_to(text, "North")
    assert urlsplit(north).path == "/dashboards/trust/"
    assert query_of(north) == {"sex": ["M"], "region": [str(trust.school_a.region_id)]}
    everything = '<th scope="row">All</th><td class="numeric">8</td>'  # all 8 targets are boys'
    assert everything in text
    filtered = client.get(north).content.decode()
    assert '<th scope="row">All</th><td class="numeric">6</td>' in filtered  # Alder Primary's alone


def test_names_and_links_in_the_table_by_region_and_school_are_escaped(trust, login):
    School.objects.filter(pk=trust.school_b.pk).update(name="Birch & <Oak>")
    text = login(trust.trustlead).get("/dashboards/trust/?sex=M").content.decode()
    school = (
        f'<th scope="row"><a href="/dashboards/schools/{trust.school_b.urn}/?sex=M">Birch &amp; &lt;Oak&gt;</a></th>'
    )
    assert school in text
    assert f'<a href="/dashboards/trust/?sex=M&amp;region={trust.school_a.region_id}">North</a>' in text


def test_a_region_in_a_breakdown_links_to_the_trust_page_for_that_region(trust, login):
    text = login(trust.trustlead).get("/dashboards/trust/?group_by=region").content.decode()
    south = link_to(text, "South")
    assert query_of(south) == {"group_by": ["region"], "region": [str(trust.school_b.region_id)]}


def test_two_schools_of_one_name_lead_nowhere_rather_than_to_the_wrong_one(trust, login):
    School.objects.filter(pk=trust.school_b.pk).update(name="Alder Primary")
    text = login(trust.trustlead).get("/dashboards/trust/?group_by=school").content.decode()
    assert link_to(text, "Alder Primary") is None
    assert link_to(text, "North") is not None  # the regions still differ


def test_a_governor_gets_no_region_links_as_the_region_filter_is_refused_them(trust, login):
    Membership.objects.create(user=trust.governor, school=trust.school_b, role=Role.GOVERNOR)
    client = login(trust.governor)
    text = client.get("/dashboards/trust/").content.decode()
    assert link_to(text, "North") is None and link_to(text, "South") is None
    assert client.get(f"/dashboards/trust/?region={trust.school_a.region_id}").status_code == 400


# --- 2. Region and school: one table -----------------------------------------------------------


@pytest.mark.parametrize("group_by", ["region,school", "school,region", "school", "trust,school"])
def test_region_and_school_is_one_table_not_two(trust, login, group_by):
    text = login(trust.trustlead).get(f"/dashboards/trust/?group_by={group_by}").content.decode()
    assert text.count(f'href="/dashboards/schools/{trust.school_b.urn}/') == 1  # one row for Birch Primary
    assert (
        "This is the table" in text and text.count("<table") == 5
    )  # at a glance, by school, by type of school, per scale, trend


def test_region_alone_is_its_own_table_beside_the_one_by_school(trust, login):
    text = login(trust.trustlead).get("/dashboards/trust/?group_by=region").content.decode()
    assert "This is the table" not in text and text.count("<table") == 6  # and the one by type of school
    assert text.count(">South</a>") == 2  # a row in each table


def test_the_breakdown_download_still_carries_the_table(trust, login):
    csv = login(trust.trustlead).get("/dashboards/trust/?group_by=region,school&download=csv").content.decode()
    # Targets, achieved, on track, at risk, off track, not reviewed; their shares; planned progress
    # achieved over reviewed targets, gain / planned gain (Alder: 2/2, 1/2, 1/3, 0/3 -> 45.8%; Birch:
    # 1/2, 0/3 -> 25%). Steps of different scales are not averaged together any more (issue 16).
    assert csv.splitlines()[0].endswith(",Planned progress achieved %")
    assert csv.splitlines()[1:3] == [
        "North,Alder Primary,6,1,1,1,1,2,16.7%,16.7%,16.7%,16.7%,33.3%,46",
        "South,Birch Primary,2,0,1,0,1,0,0.0%,50.0%,0.0%,50.0%,0.0%,25",
    ]


# --- 3. Figures on "Your schools" --------------------------------------------------------------


def school_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", text, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows[cells[0]] = cells[5:]
    return rows


def test_your_schools_shows_each_schools_register_plans_and_targets(trust, login):
    leaver = make_pupil(trust.school_a, surname="Leaver", left_on=TODAY)  # off roll from today
    pupil_services.set_sen_status(pupil=leaver, status="E", starts_on=TODAY - dt.timedelta(days=100), by=None)
    text = login(trust.trustlead).get("/").content.decode()
    assert "Pupils on the SEN register" in text
    # Alder: Inclass, Private and Expired on SEN support, Otherclass with an EHC plan; 1 of 6 targets
    # on track and 1 off track. Birch: Birchpupil on SEN support; 1 of 2 on track, 1 off track.
    assert school_rows(text) == {
        "Alder Primary": ["4", "1", "16.7%", "16.7%"],
        "Birch Primary": ["1", "0", "50.0%", "50.0%"],
    }


def test_your_schools_takes_the_same_queries_for_any_number_of_schools(trust, login, django_assert_max_num_queries):
    client = login(trust.trustlead)
    client.get("/")  # the session and the user's scope, read once
    with CaptureQueriesContext(connection) as two:
        client.get("/")
    for n in range(4):
        school = create_school(
            urn=f"20000{n}",
            name=f"More School {n}",
            la_number="803",
            estab_number=f"300{n}",
            trust_name="Test Trust",
            region_name="East",
            today=TODAY,
        )
        pupil = make_pupil(school, surname=f"More{n}")
        pupil_services.set_sen_status(pupil=pupil, status="E", starts_on=TODAY - dt.timedelta(days=100), by=None)
        off_track(pupil)
    with django_assert_max_num_queries(len(two)):
        text = client.get("/").content.decode()
    assert school_rows(text)["More School 3"] == ["1", "1", "0.0%", "100.0%"]


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.TEACHER])
def test_your_schools_shows_no_whole_school_figures_to_a_governor_or_teacher(trust, login, role):
    user = make_user("twoschools", school=trust.school_a, role=role)
    Membership.objects.create(user=user, school=trust.school_b, role=role)
    text = login(user).get("/").content.decode()
    assert "Alder Primary" in text and "Pupils on the SEN register" not in text


# --- 4. A school's dashboard offers what varies within it --------------------------------------


def test_a_schools_dashboard_offers_no_trust_region_or_school_breakdown(trust, login):
    client = login(trust.senco)
    text = client.get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    offered = options(text, "id_group_by_1")
    assert "need" in offered and "class" in offered
    assert not {"trust", "region", "school"} & set(offered)
    page = client.get(f"/dashboards/schools/{trust.school_a.urn}/?group_by=need,region")
    message = html.unescape(page.content.decode())
    assert page.status_code == 400 and "'group_by=region' does not vary within one school" in message
    trust_page = login(trust.trustlead).get("/dashboards/trust/").content.decode()
    assert {"trust", "region", "school"} <= set(options(trust_page, "id_group_by_1"))


def test_a_primary_schools_dashboard_offers_nursery_to_year_6(trust, login):
    text = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    assert options(text, "id_year") == ["-2", "-1", "0", "1", "2", "3", "4", "5", "6"]


def test_a_pupil_outside_the_phase_widens_the_years_offered(trust, login):
    make_pupil(trust.school_a, surname="Older", nc_year=7)
    text = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    assert options(text, "id_year")[-2:] == ["6", "7"]


def test_a_secondary_schools_dashboard_offers_years_7_to_13(trust, login):
    School.objects.filter(pk=trust.school_a.pk).update(phase=School.Phase.SECONDARY)
    for pupil in (trust.in_class, trust.other_class, trust.confidential, trust.expired_share):
        pupil.nc_year = 9
        pupil.save()
    text = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    assert options(text, "id_year") == [str(n) for n in range(7, 14)]


def test_years_offered_by_phase_and_by_the_pupils():
    assert years_offered(["primary"], (None, None)) == list(range(-2, 7))
    assert years_offered(["primary", "secondary"], (None, None)) == list(range(-2, 14))
    assert years_offered(["special"], (3, 11)) == list(range(3, 12))  # any age: the pupils decide
    assert years_offered(["special"], (None, None)) == list(range(-2, 15))  # no pupils yet: every year
    assert years_offered(["secondary"], (5, 14)) == list(range(5, 15))


# --- 5. Pupils to discuss: class, need and teacher ---------------------------------------------


def attention_rows(text: str) -> list[list[str]]:
    section = text.split('id="attention"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1], re.S):
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
    return rows


def test_pupils_to_discuss_show_class_need_and_teacher(trust, login):
    off_track(trust.in_class)  # 4B: taught by Teacher, supported by Ta (not a teacher)
    unplaced = make_pupil(trust.school_a, surname="Noclass")
    off_track(unplaced)
    off_track(unplaced)
    text = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    assert '<th scope="col">Class</th><th scope="col">Primary need</th><th scope="col">Teacher</th>' in text
    asd = NeedType.objects.get(code="ASD").name
    slcn = NeedType.objects.get(code="SLCN").name
    assert attention_rows(text) == [
        ["Sam Noclass", "–", "Not recorded", "–", "2", "0"],
        ["Sam Inclass", "4B", slcn, "Teacher", "1", "0"],
        ["Sam Otherclass", "4C", asd, "Otherteacher", "1", "0"],
    ]


def test_a_class_left_or_of_last_year_is_not_the_pupils_class(trust, login):
    GroupMembership.objects.filter(pupil=trust.other_class).update(ends_on=TODAY - dt.timedelta(days=1))
    text = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    assert attention_rows(text)[0][:4] == ["Sam Otherclass", "–", NeedType.objects.get(code="ASD").name, "–"]


def test_pupils_to_discuss_take_the_same_queries_however_many(trust, login):
    client = login(trust.senco)
    url = f"/dashboards/schools/{trust.school_a.urn}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    second = make_user("second", school=trust.school_a, role=Role.TEACHER, last_name="Jones")
    GroupStaff.objects.create(group=trust.class_4c, user=second, role=GroupStaff.Role.TEACHER)
    for n in range(6):
        pupil = make_pupil(trust.school_a, surname=f"More{n}", group=trust.class_4b if n % 2 else trust.class_4c)
        pupil_services.set_sen_status(pupil=pupil, status="K", starts_on=TODAY - dt.timedelta(days=90), by=None)
        off_track(pupil)
    with CaptureQueriesContext(connection) as after:
        text = client.get(url).content.decode()
    assert len(after) == len(before)
    assert ["Sam More0", "4C", "Not recorded", "Otherteacher, Second Jones", "1", "0"] in attention_rows(text)
