"""Benchmarks (issue 16): a school's progress beside its trust's and recorded benchmarks, progress
by type of school, leavers' destinations beside national figures, and the school's own benchmarks
with their source and year. Every figure is worked by hand from the targets below."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fixtures_progress import add_review, make_target

from trellis.accounts.models import Membership, Role
from trellis.audit.models import AuditEvent
from trellis.dashboards.benchmarks import trust_withheld
from trellis.dashboards.models import NationalFigure
from trellis.plans import rollup
from trellis.pupils import services
from trellis.schools.models import School
from trellis.schools.services import create_school

from conftest import make_pupil, make_user

pytestmark = pytest.mark.dates

TODAY = timezone.localdate()


def target(pupil, goal="2a"):
    return make_target(
        pupil, target_value=goal, starts_on=TODAY - dt.timedelta(days=60), target_date=TODAY + dt.timedelta(days=60)
    )


def on_track(pupil):
    add_review(target(pupil), "2b", date=TODAY)  # 1 of 2 steps: on track, planned progress 50%


def off_track(pupil):
    add_review(target(pupil, goal="3c"), "2c", date=TODAY)  # no movement: off track, planned progress 0%


@pytest.fixture(name="trust")
def trust_fixture(world):
    """Alder Primary: 6 targets: 1 achieved (100% of planned), 1 on track (50%), 1 off track (0%),
    1 at risk (1 of 3 steps, 33.3%), 2 not reviewed: 2 of 6 achieved or on track, planned
    progress (1 + 0.5 + 0 + 0.333) / 4 = 45.8%, so 46%. Birch Primary (secondary here): 1 on
    track and 1 off track: 1 of 2, planned progress (0.5 + 0) / 2 = 25%."""
    add_review(target(world.in_class), "2a", date=TODAY)
    on_track(world.in_class)
    off_track(world.other_class)
    add_review(target(world.other_class, goal="3c"), "2b", date=TODAY)
    target(world.other_class)
    target(world.confidential)
    on_track(world.pupil_b)
    off_track(world.pupil_b)
    School.objects.filter(pk=world.school_b.pk).update(phase=School.Phase.SECONDARY)
    return world


def more_at_birch(world, on: int, off: int):
    for n in range(on + off):
        pupil = make_pupil(world.school_b, surname=f"Birch{n}")
        (on_track if n < on else off_track)(pupil)


def rows_of(html: str, caption: str) -> list[list[str]]:
    """The table with this caption, as lists of cell texts (tags stripped)."""
    import re

    table = html.split(f"<caption>{caption}</caption>")[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


COMPARED = "Progress compared with the trust and recorded benchmarks"
PHASES = "Progress by type of school"


def test_a_trust_leader_sees_the_school_beside_the_whole_trust(trust, login):
    html = login(trust.trustlead).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    rows = rows_of(html, COMPARED)
    assert rows[0][:4] == ["Alder Primary", "6", "2 (33.3%)", "46%"]
    # 8 targets, 3 achieved or on track; planned progress (1.833 + 0.5) / 6 = 38.9%.
    assert rows[1][:4] == ["All 2 schools of Test Trust", "8", "3 (37.5%)", "39%"]
    assert "No benchmark for progress is recorded" in html


def test_a_senco_does_not_learn_a_small_peer_school_from_the_trust_figure(trust, login):
    html = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    rows = rows_of(html, COMPARED)
    assert rows[0][:4] == ["Alder Primary", "6", "2 (33.3%)", "46%"]
    # Birch's 2 targets (1 on track) are the trust's 8 minus Alder's 6: every trust cell is withheld.
    assert rows[1][:4] == ["All 2 schools of Test Trust", "withheld", "withheld", "withheld"]


def test_with_five_or_more_at_the_peer_school_the_trust_figure_is_shown(trust, login):
    more_at_birch(trust, on=4, off=4)  # Birch: 10 targets, 5 on track, 5 off track
    html = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    # 16 targets, 7 achieved or on track (43.75%); planned (1.833 + 5 x 0.5) / 14 = 30.95%.
    assert rows_of(html, COMPARED)[1][:4] == ["All 2 schools of Test Trust", "16", "7 (43.8%)", "31%"]


def test_a_governor_sees_the_schools_cells_withheld_as_on_its_dashboard(trust, login):
    more_at_birch(trust, on=4, off=4)
    html = login(trust.governor).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    school, trust_row = rows_of(html, COMPARED)[:2]
    # Alder's achieved (1) and on track (1) are withheld on its dashboard, so their sum is too.
    assert school[:4] == ["Alder Primary", "6", "withheld", "46%"]
    # Birch's counts are unknown to Alder's governor (all 5 or more): the trust's are shown.
    assert trust_row[:3] == ["All 2 schools of Test Trust", "16", "7 (43.8%)"]
    assert "2 (33.3%)" not in html


def test_a_governor_who_sees_the_peer_school_does_not_subtract_it(trust, login):
    more_at_birch(trust, on=4, off=4)
    governor = make_user("bothgov")
    Membership.objects.create(user=governor, school=trust.school_a, role=Role.GOVERNOR)
    Membership.objects.create(user=governor, school=trust.school_b, role=Role.GOVERNOR)
    html = login(governor).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    school, trust_row = rows_of(html, COMPARED)[:2]
    assert school[:3] == ["Alder Primary", "6", "withheld"]
    # Birch's 5 on track is on its own dashboard: the trust's 7 would give Alder's withheld 2 away.
    assert trust_row[2] == "withheld"
    assert "7 (43.8%)" not in html


def test_trust_withheld_at_its_edges():
    school = {"total": 7, "good": 2, "rest": 5, "shared": 4}
    # Peers: 5 targets, 5 good, 0 rest, 5 shared: none small (0 is not), nothing withheld.
    assert trust_withheld(school, {"total": 12, "good": 7, "rest": 5, "shared": 9}, set()) == set()
    # Peers with 4 good and 1 rest: the trust's good and rest would give them away; withholding
    # both leaves each unknown (the total, 12 = 7 + 5, gives only the peers' sum, 5).
    assert trust_withheld(school, {"total": 12, "good": 6, "rest": 6, "shared": 9}, set()) == {"good", "rest"}
    # The school's good withheld, the peers unknown and none small: nothing to withhold.
    larger = {"total": 17, "good": 7, "rest": 10, "shared": 14}
    assert trust_withheld(school, larger, {"good", "rest"}) == set()
    # ... but a reader who knows the peers' figures would subtract them from the trust's.
    assert trust_withheld(school, larger, {"good", "rest"}, peers_known=True) == {"good", "rest"}
    # Peers with 3 good and 3 shared (the school has none): withheld, with what keeps them so.
    nothing = dict.fromkeys(school, 0)
    small = {"total": 8, "good": 3, "rest": 5, "shared": 3}
    assert trust_withheld(nothing, small, set()) == {"total", "good", "shared"}
    # No targets at the peers: the trust's small counts are the school's, which the reader sees.
    assert trust_withheld(school, dict(school), set()) == set()
    # ... but where the school's are withheld, a small trust count (good, 2) is withheld too, with
    # the total beside it (else 7 - 5 gives it).
    assert trust_withheld(school, dict(school), {"good", "rest"}) == {"total", "good"}


def test_a_teacher_sees_no_comparison_of_their_own_pupils(trust, login):
    html = login(trust.teacher).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    assert COMPARED not in html


def test_recorded_benchmarks_show_with_source_and_year(trust, login):
    NationalFigure.objects.create(
        measure="on_track", group="all", percent="55.0", year="2024/25", source="Local authority report"
    )
    NationalFigure.objects.create(
        measure="planned", group="E", percent="80.0", year="2025/26", source="Birch study", school=trust.school_b
    )
    html = login(trust.trustlead).get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    rows = rows_of(html, COMPARED)
    assert rows[2] == [
        "Targets achieved or on track (All pupils)",
        "–",
        "55.0%",
        "–",
        "Local authority report, 2024/25 (national)",
    ]
    assert len(rows) == 3  # Birch's own benchmark is Birch's, not Alder's
    assert "No benchmark for progress is recorded" not in html


def test_the_comparison_downloads_as_on_the_page(trust, login):
    response = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/?download=csv&table=compared")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Compared with,Targets,Achieved or on track,Planned progress achieved,Source"
    assert lines[1] == "Alder Primary,6,2 (33.3%),46%,Counted from targets here"
    assert lines[2].startswith("All 2 schools of Test Trust,withheld,withheld,withheld")
    response = login(trust.senco).get(f"/dashboards/schools/{trust.school_a.urn}/?download=xlsx&table=compared")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_progress_by_type_of_school_on_the_trust_dashboard(trust, login):
    html = login(trust.trustlead).get("/dashboards/trust/").content.decode()
    assert rows_of(html, PHASES) == [
        ["Primary", "1", "6", "2 (33.3%)", "46%"],
        ["Secondary", "1", "2", "1 (50.0%)", "25%"],
    ]
    lines = (
        login(trust.trustlead).get("/dashboards/trust/?download=csv&table=phases").content.decode("utf-8-sig")
    ).splitlines()
    assert lines[1:] == ["Primary,1,6,2 (33.3%),46%", "Secondary,1,2,1 (50.0%),25%"]


def test_a_phase_adds_up_its_schools(trust, login):
    School.objects.filter(pk=trust.school_b.pk).update(phase=School.Phase.PRIMARY)
    html = login(trust.trustlead).get("/dashboards/trust/").content.decode()
    # 8 targets, 3 good; planned (1.833 + 0.5) / 6 = 38.9%.
    assert rows_of(html, PHASES) == [["Primary", "2", "8", "3 (37.5%)", "39%"]]


def test_the_trust_page_reads_the_rollups_once(trust, login):
    """The table by type of school adds up the figures the dashboard read, rather than reading them again."""
    client = login(trust.trustlead)
    with mock.patch("trellis.plans.rollup.by_school", wraps=rollup.by_school) as read:
        html = client.get("/dashboards/trust/").content.decode()
    assert read.call_count == 1
    assert rows_of(html, PHASES)[0] == ["Primary", "1", "6", "2 (33.3%)", "46%"]


def test_a_governor_of_both_schools_sees_the_phase_table_protected(trust, login):
    governor = make_user("bothgov")
    Membership.objects.create(user=governor, school=trust.school_a, role=Role.GOVERNOR)
    Membership.objects.create(user=governor, school=trust.school_b, role=Role.GOVERNOR)
    html = login(governor).get("/dashboards/trust/").content.decode()
    rows = rows_of(html, PHASES)
    # Each phase is one school: Birch's 2 targets are small, and so is every figure of them;
    # Alder's achieved and on track are withheld on the table by school, so their sum is here.
    assert rows[0][:4] == ["Primary", "1", "6", "withheld"]
    assert rows[1][2:] == ["withheld", "withheld", "withheld"]


def test_the_comparison_costs_the_same_queries_however_much_data(trust, login):
    client = login(trust.trustlead)
    url = f"/dashboards/schools/{trust.school_a.urn}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    more_at_birch(trust, on=3, off=3)
    for year in ("2023/24", "2024/25"):
        NationalFigure.objects.create(measure="on_track", group="all", percent="50.0", year=year, source="Study")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)
    trust_before = len(before)
    with CaptureQueriesContext(connection) as trust_page:
        client.get("/dashboards/trust/")
    for n in range(3):
        school = create_school(
            urn=f"30000{n}",
            name=f"Extra {n}",
            la_number="803",
            estab_number=f"300{n}",
            trust_name="Test Trust",
            region_name="North",
            today=TODAY,
        )
        School.objects.filter(pk=school.pk).update(phase=School.Phase.SPECIAL)
        on_track(make_pupil(school, surname=f"Extra{n}"))
    with CaptureQueriesContext(connection) as trust_more:
        client.get("/dashboards/trust/")
    assert len(trust_more) == len(trust_page)
    assert trust_before > 0


# --- Destinations beside national figures ----------------------------------------------------


def leave(pupil, kind, by):
    left = TODAY - dt.timedelta(days=30)
    services.update_pupil(pupil=pupil, by=by, left_on=left, destination=kind, destination_on=left)


def test_destinations_say_when_no_national_figure_is_recorded(world, login):
    leave(world.in_class, "college", world.senco)
    html = login(world.senco).get(f"/dashboards/destinations/?school={world.school_a.urn}").content.decode()
    rows = rows_of(html, "Share of leavers going to each destination, here and nationally")
    assert rows[0] == ["Further education college", "SEN support", "100.0%", "No national figure recorded"]
    assert rows[1] == ["EHC plan", "–", "No national figure recorded"]


def test_destinations_beside_a_recorded_figure_and_the_schools_own(world, login):
    leave(world.in_class, "college", world.senco)
    leave(world.other_class, "college", world.senco)
    NationalFigure.objects.create(
        measure="destination", group="K", destination="college", percent="40.0", year="2023/24", source="DfE"
    )
    NationalFigure.objects.create(
        measure="destination",
        group="E",
        destination="college",
        percent="30.0",
        year="2024/25",
        source="LA report",
        school=world.school_a,
    )
    client = login(world.senco)
    html = client.get(f"/dashboards/destinations/?school={world.school_a.urn}").content.decode()
    rows = rows_of(html, "Share of leavers going to each destination, here and nationally")
    assert rows[0][2:] == ["100.0%", "40.0% (DfE, 2023/24)"]
    assert rows[1][1:] == ["100.0%", "30.0% (LA report, 2024/25, entered by the school)"]
    csv = client.get(f"/dashboards/destinations.csv?school={world.school_a.urn}").content.decode("utf-8-sig")
    assert csv.splitlines()[1] == (
        'Further education college,100.0%,"40.0% (DfE, 2023/24)",100.0%,'
        '"30.0% (LA report, 2024/25, entered by the school)",–,No national figure recorded'
    )


# --- The school's own benchmarks -------------------------------------------------------------


def post(client, school, **fields):
    data = {"measure": "on_track", "group": "all", "destination": "", "percent": "62.5", "year": "2024/25"}
    data |= {"source": "Local authority report"} | fields
    return client.post(f"/dashboards/schools/{school.urn}/benchmarks/", data)


def test_a_senco_enters_a_benchmark_with_its_source_and_year(trust, login):
    client = login(trust.senco)
    response = post(client, trust.school_a)
    assert response.status_code == 302
    figure = NationalFigure.objects.get(school=trust.school_a)
    assert (figure.measure, figure.group, str(figure.percent), figure.year) == ("on_track", "all", "62.5", "2024/25")
    event = AuditEvent.objects.get(record_type="benchmark")
    assert event.action == AuditEvent.Action.CREATE and event.school_id == trust.school_a.pk
    html = client.get(f"/dashboards/schools/{trust.school_a.urn}/").content.decode()
    assert rows_of(html, COMPARED)[2][2:] == ["62.5%", "–", "Local authority report, 2024/25 (entered by the school)"]
    client.post(f"/dashboards/schools/{trust.school_a.urn}/benchmarks/{figure.pk}/remove/")
    assert not NationalFigure.objects.filter(school=trust.school_a).exists()
    assert AuditEvent.objects.filter(record_type="benchmark", action=AuditEvent.Action.DELETE).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"year": "2024/26"}, "two years in a row"),
        ({"year": "2099/00"}, None),  # 2099 then 2100: two years in a row
        ({"percent": "100.1"}, "at most 100%"),
        ({"percent": "100.0"}, None),
        ({"measure": "planned", "percent": "120.0"}, None),  # more progress than planned
        ({"measure": "destination"}, "Select the destination"),
        ({"measure": "destination", "destination": "college", "group": "N"}, None),
        ({"destination": "college"}, "Only a share of leavers has a destination"),
        ({"group": "N"}, "for pupils with SEN"),
        ({"source": ""}, "Enter where the figure comes from"),
    ],
)
def test_a_benchmark_is_checked(trust, login, fields, message):
    response = post(login(trust.senco), trust.school_a, **fields)
    if message is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not NationalFigure.objects.filter(school=trust.school_a).exists()


def test_the_same_benchmark_twice_is_refused(trust, login):
    client = login(trust.senco)
    post(client, trust.school_a)
    assert "already has this figure" in post(client, trust.school_a).content.decode()


def test_only_the_senco_enters_or_removes_benchmarks(trust, login):
    figure = NationalFigure.objects.create(
        measure="on_track", group="all", percent="50.0", year="2024/25", source="Study", school=trust.school_a
    )
    for user in (trust.governor, trust.head, trust.teacher, trust.trustlead):
        client = login(user)
        assert post(client, trust.school_a).status_code in (403, 404)
        assert (
            client.post(f"/dashboards/schools/{trust.school_a.urn}/benchmarks/{figure.pk}/remove/").status_code == 404
        )
    # The governor reads the page, with no form.
    html = login(trust.governor).get(f"/dashboards/schools/{trust.school_a.urn}/benchmarks/").content.decode()
    assert "Save benchmark" not in html and "Study" in html
    # Another school's SENCO cannot remove Alder's.
    response = login(trust.outsider).post(f"/dashboards/schools/{trust.school_a.urn}/benchmarks/{figure.pk}/remove/")
    assert response.status_code == 404
    assert NationalFigure.objects.filter(pk=figure.pk).exists()


def test_the_provision_evaluation_names_the_eef_figures_source(world, login):
    page = login(world.senco).get(f"/schools/{world.school_a.urn}/provision/evaluation/").content.decode()
    assert "source: Education Endowment Foundation, Teaching and Learning Toolkit" in page
