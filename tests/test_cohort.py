"""Cohort analysis by need: attendance, behaviour incidents, suspensions and exclusions per term, by
primary need, broad area and SEN status, with n; worked by hand. The test school's Autumn term runs
1 Sep to 31 Dec 2026, Spring from 1 Jan 2027. `in_class` is on SEN support, `other_class` has an
EHC plan; the world's other pupils of school A are in the counts too (n)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.urls import reverse

from trellis.evidence.exclusions import record_exclusion
from trellis.evidence.models import WeeklyRecord
from trellis.pupils.models import NeedType, Pupil

URL = reverse("dash-cohort")


def _week(pupil, monday, attended, possible, negative):
    WeeklyRecord.objects.create(
        pupil=pupil,
        week_starting=monday,
        sessions_attended=attended,
        sessions_possible=possible,
        behaviour_negative=negative,
    )


def _setup(world):
    a, b = world.in_class, world.other_class
    Pupil.objects.filter(pk=a.pk).update(primary_need_id="SEMH")
    Pupil.objects.filter(pk=b.pk).update(primary_need_id="SEMH")
    _week(a, dt.date(2026, 11, 9), 8, 10, 3)
    _week(b, dt.date(2026, 11, 9), 10, 10, 1)
    _week(a, dt.date(2027, 1, 4), 5, 10, 6)  # Spring
    for day, sessions in [(dt.date(2026, 11, 10), 2), (dt.date(2026, 11, 17), 3)]:
        record_exclusion(pupil=a, by=world.senco, kind="suspension", starts_on=day, sessions=sessions, reason="x")
    return a, b


def _rows(page: str, term: str) -> dict[str, list[str]]:
    table = page[page.index(f"<h2>{term} term</h2>") :].split("</table>")[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        label = row.split('<th scope="row">')[1].split("</th>")[0]
        rows[label] = [cell.split(">", 1)[1] for cell in row.split("</td>")[:-1]]
        rows[label] = [c.split('numeric">')[-1] for c in rows[label]]
    return rows


def test_the_senco_sees_semh_by_need_each_term(world, login):
    _setup(world)
    page = login(world.senco).get(URL, {"school": world.school_a.urn, "year": "2026/27"}).content.decode()
    semh = NeedType.objects.get(code="SEMH").name
    autumn = _rows(page, "Autumn")
    # 2 SEMH pupils; 18 of 20 sessions = 90.0%; 4 incidents, 2.0 a pupil; 2 suspensions of 1 pupil, 5 sessions.
    assert autumn[semh] == ["2", "90.0%", "4", "2.0", "2", "1", "5", "0"]
    spring = _rows(page, "Spring")
    assert spring[semh] == ["2", "50.0%", "6", "3.0", "0", "0", "0", "0"]


def test_by_sen_status_every_pupil_is_counted_once(world, login):
    _setup(world)
    page = login(world.senco).get(URL, {"school": world.school_a.urn, "year": "2026/27", "by": "sen"})
    autumn = _rows(page.content.decode(), "Autumn")
    # Incidents, suspensions, pupils suspended, sessions: in_class (SEN support) and other_class (EHC plan).
    assert [autumn["SEN support"][i] for i in (2, 4, 5, 6)] == ["3", "2", "1", "5"]
    assert [autumn["EHC plan"][i] for i in (2, 4, 5, 6)] == ["1", "0", "0", "0"]
    pupils = Pupil.objects.filter(school=world.school_a).exclude(left_on__lt=dt.date(2026, 9, 1)).count()
    assert autumn["All"][0] == str(pupils)


def test_governors_see_small_counts_withheld(world, login):
    _setup(world)
    page = login(world.governor).get(URL, {"year": "2026/27"}).content.decode()
    semh = NeedType.objects.get(code="SEMH").name
    assert _rows(page, "Autumn")[semh][0] == "withheld"
    assert _rows(page, "Autumn")[semh][1] == "withheld"  # the rate of a withheld group
    # Complementary suppression: one withheld n would be the total less the others, so at least two are.
    assert sum(row[0] == "withheld" for row in _rows(page, "Autumn").values()) >= 2


def test_the_download_has_the_same_rows(world, login):
    _setup(world)
    response = login(world.senco).get(URL, {"school": world.school_a.urn, "year": "2026/27", "download": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    semh = NeedType.objects.get(code="SEMH").name
    assert ["Autumn", semh, "2", "90.0%", "4", "2.0", "2", "1", "5", "0"] in rows


def test_the_page_keeps_its_queries(world, login, django_assert_max_num_queries):
    _setup(world)
    client = login(world.senco)
    client.get(URL)
    with django_assert_max_num_queries(25) as few:
        client.get(URL, {"year": "2026/27"})
    for n in range(5):
        _week(world.other_class, dt.date(2026, 9, 7) + dt.timedelta(weeks=n), 10, 10, n)
        record_exclusion(
            pupil=world.other_class, by=None, kind="suspension", starts_on=dt.date(2026, 9, 8), sessions=1, reason="y"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, {"year": "2026/27"})


def test_a_teacher_counts_only_their_own_pupils(world, login):
    _setup(world)
    page = login(world.teacher).get(URL, {"school": world.school_a.urn, "year": "2026/27"}).content.decode()
    semh = NeedType.objects.get(code="SEMH").name
    # The teacher teaches 4B: in_class, not other_class. 8 of 10 sessions, 3 incidents.
    assert _rows(page, "Autumn")[semh] == ["1", "80.0%", "3", "3.0", "2", "1", "5", "0"]
