"""manage.py seed_demo: a realistic, deterministic synthetic trust with working demo logins."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import sys
import types
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.models import Membership, Role, TrustMembership, User
from trellis.audit.models import AuditEvent
from trellis.demo import builder
from trellis.demo import pupils as demo_pupils
from trellis.demo.dates import born_between
from trellis.demo.logins import DEMO_PASSWORD, DEMO_USERNAMES
from trellis.lib.upn import normalise_upn
from trellis.plans.models import Plan, Review
from trellis.pupils.models import EhcPlan, ExternalShare, GroupMembership, Pupil, PupilNeed
from trellis.schools.models import GroupStaff, School

pytestmark = pytest.mark.dates

SMALL = ["--schools", "2", "--pupils-per-school", "60"]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def pupil_ids_on(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/pupils/(\d+)/"', response.content.decode())}


@pytest.fixture
def small_trust(db):
    seed(*SMALL, "--seed", "3")
    return School.objects.order_by("urn").first()


@pytest.fixture
def default_trust(db):
    seed()
    return list(School.objects.order_by("urn"))


def on_roll(school: School):
    return Pupil.objects.filter(school=school).on_roll()


def fingerprint(*args: str) -> list[tuple]:
    """What a seed makes (everything but database ids), discarded afterwards."""
    with transaction.atomic():
        seed(*args)
        pupils = list(
            Pupil.objects.order_by("school__urn", "upn").values_list(
                "upn", "legal_forename", "legal_surname", "date_of_birth", "sen_status", "primary_need"
            )
        )
        users = list(User.objects.order_by("username").values_list("username", "first_name", "last_name"))
        reviews = sorted(  # sorted here: two of a pupil's targets can be reviewed alike on one day
            Review.objects.values_list("target__pupil__upn", "target__description", "date", "value", "status")
        )
        transaction.set_rollback(True)
    return pupils + users + reviews


def test_same_seed_and_day_make_the_same_trust(db):
    first = fingerprint(*SMALL, "--seed", "5", "--today", "2028-02-29")
    assert first == fingerprint(*SMALL, "--seed", "5", "--today", "2028-02-29")
    assert first != fingerprint(*SMALL, "--seed", "6", "--today", "2028-02-29")
    assert first != fingerprint(*SMALL, "--seed", "5", "--today", "2028-03-01")


def test_today_is_the_day_the_demo_is_built_around(db):
    # A day before the suite's own, so that timestamps of "now" would show up after it.
    output = seed(*SMALL, "--today", "2026-08-31")
    assert "as of 31 August 2026" in output
    school = School.objects.order_by("urn").first()
    assert list(school.academic_years.values_list("name", flat=True)) == ["2025/26"]
    assert Review.objects.exists() and EhcPlan.objects.exists() and ExternalShare.objects.exists()
    # Nothing happens after the demo's day: no review, joining, annual review, share or plan later.
    last_day, next_morning = dt.date(2026, 8, 31), dt.datetime(2026, 9, 1, tzinfo=ZoneInfo("Europe/London"))
    assert not Review.objects.filter(date__gt=last_day).exists()
    assert not Pupil.objects.filter(enrolled_on__gt=last_day).exists()
    assert not EhcPlan.objects.filter(last_annual_review_on__gt=last_day).exists()
    assert not ExternalShare.objects.filter(granted_at__gte=next_morning).exists()
    assert not Plan.objects.filter(created_at__gte=next_morning).exists()
    assert not Review.objects.filter(created_at__gte=next_morning).exists()


def test_a_today_that_is_not_a_date_is_refused_and_nothing_is_seeded(db):
    with pytest.raises(CommandError, match=r"--today: must be a date written YYYY-MM-DD.*'2027-02-29'"):
        seed(*SMALL, "--today", "2027-02-29")
    assert not School.objects.exists()


def test_upns_are_valid_and_unique_across_the_trust(small_trust):
    upns = list(Pupil.objects.values_list("upn", flat=True))
    assert len(upns) > 120
    assert all(normalise_upn(upn) == upn for upn in upns)
    assert len(set(upns)) == len(upns)


def test_pupils_are_born_in_the_right_year_for_their_nc_year(small_trust):
    start = small_trust.current_academic_year().starts_on.year
    for pupil in Pupil.objects.filter(left_on__isnull=True):
        first, last = born_between(start, pupil.nc_year)
        assert first <= pupil.date_of_birth <= last, (pupil.nc_year, pupil.date_of_birth)


def test_default_trust_has_six_schools_of_every_phase_in_two_regions(default_trust):
    assert len(default_trust) == 6
    assert default_trust[0].name == "Oakfield Primary Academy"
    assert {s.phase for s in default_trust} == {"primary", "secondary", "special"}
    assert len({s.region_id for s in default_trust}) == 2
    assert 2300 <= Pupil.objects.on_roll().count() <= 2700
    assert AuditEvent.objects.filter(record_type="demo data", via="command").count() == 6


def test_sen_shares_are_close_to_the_national_figures(default_trust):
    mainstream = Pupil.objects.on_roll().exclude(school__phase="special")
    counts = Counter(mainstream.values_list("sen_status", flat=True))
    total = mainstream.count()
    assert 0.11 <= counts["K"] / total <= 0.18
    assert 0.02 <= counts["E"] / total <= 0.05
    everyone = Pupil.objects.on_roll()
    assert 0.04 <= everyone.filter(sen_status="E").count() / everyone.count() <= 0.09
    assert 0.20 <= everyone.filter(pupil_premium=True).count() / everyone.count() <= 0.33
    # About 300 pupils on SEN support: the boys' share is 0.61 give or take 0.03 (one standard error),
    # so the bounds are four standard errors wide; test_boys_share_of_each_status_is_the_national_figure
    # checks the generator's own rates exactly.
    boys_on_support = mainstream.filter(sen_status="K", sex="M").count() / counts["K"]
    assert 0.49 <= boys_on_support <= 0.73


class EvenlySpread:
    """Stands in for random.Random: random() walks evenly through [0, 1), so counting outcomes over
    `steps` calls gives each outcome's exact probability (to 1/steps), with no sampling error."""

    def __init__(self, steps: int):
        self.steps, self.calls = steps, 0

    def random(self) -> float:
        value = (self.calls % self.steps + 0.5) / self.steps
        self.calls += 1
        return value


@pytest.mark.parametrize("phase", ["primary", "secondary"])
def test_boys_share_of_each_status_is_the_national_figure(phase):
    # DfE, Special educational needs in England (January 2025): boys are 61% of pupils on SEN support and
    # 71% of pupils with an EHC plan; the demo's mainstream schools are 51% boys.
    steps = 100_000
    chance = {}
    for sex in ("M", "F"):
        rng = EvenlySpread(steps)
        chance[sex] = Counter(demo_pupils._status(rng, phase, sex) for _ in range(steps))
    # Each status keeps its overall rate (data.SEN_RATES) and boys get their national share of it.
    rates = {"primary": {"K": 0.150, "E": 0.035}, "secondary": {"K": 0.140, "E": 0.030}}[phase]
    for status, boys_share in [("K", 0.61), ("E", 0.71)]:
        rate = rates[status]
        boys, girls = 0.51 * chance["M"][status] / steps, 0.49 * chance["F"][status] / steps
        assert boys + girls == pytest.approx(rate, abs=0.0005)
        assert boys / (boys + girls) == pytest.approx(boys_share, abs=0.002)


def test_special_school_has_far_higher_sen_share(default_trust):
    special = next(s for s in default_trust if s.phase == "special")
    share = on_roll(special).exclude(sen_status__in=["N", "M"]).count() / on_roll(special).count()
    assert share > 0.9
    primary_share = on_roll(default_trust[0]).exclude(sen_status__in=["N", "M"]).count() / 420
    assert primary_share < 0.3


def test_primaries_have_more_slcn_and_secondaries_more_semh_and_spld(default_trust):
    def needs(phase):
        return Counter(Pupil.objects.filter(school__phase=phase, sen_status="K").values_list("primary_need", flat=True))

    primary, secondary = needs("primary"), needs("secondary")
    assert primary.most_common(1)[0][0] == "SLCN"
    assert secondary["SEMH"] > secondary["SLCN"]
    assert secondary["SPLD"] / secondary.total() > primary["SPLD"] / primary.total()


def test_sen_history_is_consistent_with_each_pupil(small_trust):
    pupils = Pupil.objects.annotate(open=Count("sen_history", filter=Q(sen_history__ends_on__isnull=True)))
    assert set(pupils.values_list("open", flat=True)) == {1}
    for pupil in Pupil.objects.prefetch_related("sen_history", "need_history", "ehc_plans"):
        periods = sorted(pupil.sen_history.all(), key=lambda e: e.starts_on)
        assert periods[-1].ends_on is None
        assert periods[-1].status == pupil.sen_status
        assert periods[0].starts_on == pupil.enrolled_on
        assert all(a.ends_on == b.starts_on and a.status != b.status for a, b in itertools.pairwise(periods))
        current = {need.rank: need.need_id for need in pupil.need_history.all() if need.ends_on is None}
        assert current.get(1) == pupil.primary_need_id
        assert bool(current) == (pupil.sen_status in ("K", "E"))
        assert (pupil.sen_status == "E") == any(plan.ceased_on is None for plan in pupil.ehc_plans.all())


def test_histories_show_pupils_moving_up_and_off_the_register(default_trust):
    paths = Counter(
        tuple(e.status for e in sorted(p.sen_history.all(), key=lambda e: e.starts_on))
        for p in Pupil.objects.prefetch_related("sen_history")
    )
    assert paths[("N", "M", "K", "E")] + paths[("M", "K", "E")] > 0
    assert paths[("N", "K", "E")] + paths[("K", "E")] > 0
    assert any(path[-1] == "N" and len(path) > 1 for path in paths)
    assert PupilNeed.objects.exclude(ends_on=None).exists()  # needs change over time too


def test_ehc_plans_have_reviews_and_a_few_are_overdue(default_trust):
    today = timezone.localdate()
    plans = EhcPlan.objects.filter(pupil__left_on__isnull=True)
    overdue = sum(plan.is_review_overdue(today) for plan in plans)
    assert 0 < overdue < plans.count() * 0.15
    assert plans.exclude(last_annual_review_on=None).count() > plans.count() / 2
    assert all(p.issued_on <= (p.last_annual_review_on or p.issued_on) <= today for p in plans)


def test_leavers_have_a_destination_and_confidential_pupils_exist(default_trust):
    leavers = Pupil.objects.exclude(left_on=None)
    assert leavers.count() > 50
    assert not leavers.filter(destination="").exists()
    assert {"mainstream", "college"} <= set(leavers.values_list("destination", flat=True))
    assert Pupil.objects.filter(is_confidential=True).exists()
    assert {"WBRI", "APKN", "BAFR", "WOTH"} <= set(Pupil.objects.values_list("ethnicity", flat=True))


def test_demo_logins_sign_in_with_the_demo_password(small_trust, client):
    for username in DEMO_USERNAMES:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    assert not client.login(username="senco", password="wrong-password")


def test_demo_roles_are_what_they_say(small_trust):
    for username, role in [
        ("senco", Role.SENCO),
        ("teacher", Role.TEACHER),
        ("ta", Role.TA),
        ("head", Role.SENIOR_LEADER),
        ("governor", Role.GOVERNOR),
        ("specialist", Role.SPECIALIST),
        ("office", Role.ADMINISTRATOR),
    ]:
        assert Membership.objects.filter(user__username=username, school=small_trust, role=role).exists()
    assert not User.objects.get(username="office").is_superuser
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and not admin.memberships.exists()
    assert TrustMembership.objects.filter(user__username="trustlead", trust=small_trust.trust).exists()
    assert {Role.TEACHER, Role.TA, Role.SENCO, Role.GOVERNOR} <= set(
        Membership.objects.exclude(user__username__in=DEMO_USERNAMES).values_list("role", flat=True)
    )


def test_teacher_and_ta_see_only_their_one_class_on_the_register(small_trust, client):
    teacher_groups = GroupStaff.objects.filter(user__username="teacher")
    assert teacher_groups.count() == 1
    group = teacher_groups.get().group
    assert group.name.startswith("Year 4 ")
    assert list(GroupStaff.objects.filter(user__username="ta").values_list("group", flat=True)) == [group.pk]
    in_class = set(
        GroupMembership.objects.filter(group=group, pupil__is_confidential=False, pupil__left_on=None).values_list(
            "pupil", flat=True
        )
    )
    assert in_class
    assert on_roll(small_trust).exclude(pk__in=in_class).exists()
    for username in ("teacher", "ta"):
        client.login(username=username, password=DEMO_PASSWORD)
        response = client.get(reverse("register", args=[small_trust.urn]), {"status": "all"})
        assert pupil_ids_on(response) == in_class


def test_head_sees_the_whole_school_and_specialist_only_current_shares(small_trust, client):
    client.login(username="head", password=DEMO_PASSWORD)
    response = client.get(reverse("register", args=[small_trust.urn]), {"status": "all"})
    assert pupil_ids_on(response) == set(on_roll(small_trust).values_list("pk", flat=True))
    specialist = User.objects.get(username="specialist")
    today = timezone.localdate()
    shares = ExternalShare.objects.filter(specialist=specialist, pupil__school=small_trust)
    assert shares.filter(expires_on__lt=today).exists()
    # They visit a second school of the trust too, where the register shows that school's shares.
    elsewhere = ExternalShare.objects.filter(specialist=specialist, expires_on__gte=today).exclude(
        pupil__school=small_trust
    )
    assert elsewhere.values("pupil__school").distinct().count() == 1
    client.login(username="specialist", password=DEMO_PASSWORD)
    response = client.get(reverse("register", args=[small_trust.urn]), {"status": "all"})
    shown = pupil_ids_on(response)
    assert shown == set(shares.filter(expires_on__gte=today).values_list("pupil", flat=True))
    assert len(shown) >= 3


def test_governor_overview_has_figures_but_no_names(small_trust, client):
    client.login(username="governor", password=DEMO_PASSWORD)
    response = client.get(reverse("school", args=[small_trust.urn]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "SEN support" in page
    for pupil in Pupil.objects.filter(school=small_trust):
        assert f"{pupil.surname}, {pupil.forename}" not in page
        assert pupil.full_name not in page
    assert client.get(reverse("register", args=[small_trust.urn])).status_code == 404


def test_if_empty_keeps_the_existing_data(small_trust):
    before = sorted(Pupil.objects.values_list("upn", flat=True))
    output = seed("--if-empty", "--seed", "99")
    assert "leaving it as it is" in output
    assert sorted(Pupil.objects.values_list("upn", flat=True)) == before


def test_refuses_to_mix_demo_data_with_existing_schools(small_trust):
    with pytest.raises(CommandError, match="only fills an empty database"):
        seed(*SMALL)


def test_prints_the_logins_and_where_to_sign_in(db):
    output = seed(*SMALL)
    assert "http://127.0.0.1:8000/sign-in/" in output
    assert DEMO_PASSWORD in output
    assert all(re.search(rf"^\s+{name}\s", output, re.M) for name in DEMO_USERNAMES)


def test_a_verbose_seed_says_how_long_each_stage_took(db):
    output = seed(*SMALL, "--verbosity", "2")
    for stage in [
        *builder.SCHOOL_STAGES,
        "core: schools, staff, pupils, SEN history",
        "review tallies and progress rollups",
        "commit",
    ]:
        assert re.search(rf"^ +\d+\.\d s  {re.escape(stage)}$", output, re.M), stage


def test_number_of_queries_does_not_grow_with_pupils(db, monkeypatch):
    # The core stages; later stages write in fixed-size batches, so theirs grow by the batch.
    monkeypatch.setattr(builder, "SCHOOL_STAGES", [])

    def queries(pupils: str) -> int:
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            seed("--schools", "2", "--pupils-per-school", pupils)
            transaction.set_rollback(True)
        return len(captured)

    assert queries("200") == queries("40")


calls: list[tuple] = []


def _record_stage(*, school, rng, today):
    calls.append((school.urn, rng.random(), today, Pupil.objects.filter(school__urn="140002").exists()))


@pytest.fixture
def recording_stage(monkeypatch):
    module = types.ModuleType("trellis_test_demo_stage")
    module.seed_school = _record_stage
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(builder, "SCHOOL_STAGES", [f"{module.__name__}.seed_school"])
    calls.clear()
    return calls


def test_school_stages_run_once_per_school_after_all_core_data(db, recording_stage):
    with transaction.atomic():
        seed(*SMALL, "--seed", "4")
        transaction.set_rollback(True)
    first_run = list(recording_stage)
    assert [urn for urn, *_ in first_run] == ["140001", "140002"]
    assert all(core_done for *_, core_done in first_run)  # the last school existed before the first stage ran
    assert first_run[0][2] == timezone.localdate()
    assert first_run[0][1] != first_run[1][1]  # each school its own generator
    recording_stage.clear()
    seed(*SMALL, "--seed", "4")
    assert recording_stage == first_run  # derived from the seed and the URN


def test_senco_opens_profiles_with_long_histories(small_trust, client):
    client.login(username="senco", password=DEMO_PASSWORD)
    pupils = (
        Pupil.objects.filter(school=small_trust, sen_status__in=["K", "E"])
        .annotate(periods=Count("sen_history"))
        .order_by("-periods")[:3]
    )
    assert pupils
    for pupil in pupils:
        response = client.get(reverse("pupil", args=[pupil.pk]))
        assert response.status_code == 200
        assert pupil.upn in response.content.decode()


def test_trust_lead_sees_every_school_of_the_trust(small_trust, client):
    client.login(username="trustlead", password=DEMO_PASSWORD)
    for school in School.objects.all():
        assert client.get(reverse("school", args=[school.urn])).status_code == 200


SCHOOL_PAGES = [
    "school",
    "register",
    "dashboard-school",
    "review-entry",
    "target-overview",
    "smart-list",
    "concerns",
    "early-identification",
    "assessment-grid",
    "provision-map",
    "provision-evaluation",
]


def open_every_page(client, school: School) -> None:
    client.login(username="senco", password=DEMO_PASSWORD)
    urls = [reverse(name, args=[school.urn]) for name in SCHOOL_PAGES]
    pupil = on_roll(school).filter(sen_status="K", targets__isnull=False).first()
    urls += [reverse("pupil", args=[pupil.pk]), reverse("pupil-plans", args=[pupil.pk])]
    urls += [reverse("target", args=[pupil.targets.first().pk]), "/dashboards/identification/"]
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.login(username="trustlead", password=DEMO_PASSWORD)
    assert client.get(reverse("dashboard-trust")).status_code == 200


def test_every_page_opens_on_the_demos_day_and_on_the_first_day_of_next_year(db, client):
    today = timezone.localdate()  # CI runs this on awkward days too (TRELLIS_TEST_TODAY)
    seed(*SMALL, "--today", today.isoformat())
    school = School.objects.order_by("urn").first()
    open_every_page(client, school)
    # 1 September, before anyone has set up the new year's calendar and classes: still no errors, and the
    # progress pages show last summer's half term, saying so.
    next_year = school.current_academic_year(today).ends_on + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(next_year, dt.time(9), tzinfo=ZoneInfo("Europe/London"))):
        open_every_page(client, school)
        client.login(username="senco", password=DEMO_PASSWORD)
        page = client.get(reverse("dashboard-school", args=[school.urn])).content.decode()
        assert "Between half terms: this page shows Summer 2" in page
