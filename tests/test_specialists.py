"""External specialists in the loop (issue 14): a specialist's own list across schools and trusts,
advice with a report and recommendations, recommendations made strategies or targets in one step,
referrals and their waits, and the SENCO's to-do items for overdue reports and long waits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.models import Membership, Role
from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.plans.models import Plan, PlanVersion, Target
from trellis.pupils.models import ExternalShare
from trellis.schools.services import create_school
from trellis.specialists import services
from trellis.specialists.models import Advice, Referral

from conftest import make_pupil

PDF = b"%PDF-1.4\n" + b"0" * 64


def test_a_specialist_lands_on_the_pupils_shared_with_them(world, login):
    client = login(world.specialist)
    assert client.get("/").url == reverse("specialist-home")
    page = client.get(reverse("specialist-home")).content.decode()
    assert "Otherclass" in page
    assert "Expired" not in page  # the share ended yesterday
    assert "Inclass" not in page


# --- One login, many schools and trusts -----------------------------------------------------------


@pytest.fixture
def visiting(world):
    """`specialist` also visits Cedar Academy (no trust) and Oak Primary (Oak Trust): pupils shared
    at each, a pupil shared at Birch where they hold no membership, and unshared pupils."""
    today = timezone.localdate()
    oak = create_school(
        urn="100004", name="Oak Primary", la_number="803", estab_number="2004", trust_name="Oak Trust", today=today
    )
    Membership.objects.create(user=world.specialist, school=world.school_c, role=Role.SPECIALIST)
    Membership.objects.create(user=world.specialist, school=oak, role=Role.SPECIALIST)
    oak_shared = make_pupil(oak, surname="Oakshared")
    make_pupil(oak, surname="Oakunshared")
    until = today + dt.timedelta(days=10)
    for pupil in (world.pupil_c, oak_shared, world.pupil_b):
        ExternalShare.objects.create(pupil=pupil, specialist=world.specialist, expires_on=until)
    return oak_shared


@pytest.mark.dates  # shares until they expire, relative to the day
def test_one_specialist_login_sees_every_shared_pupil_across_schools_and_trusts_and_nothing_else(
    world, login, visiting
):
    client = login(world.specialist)
    page = client.get(reverse("specialist-home")).content.decode()
    for surname in ("Otherclass", "Cedarpupil", "Oakshared"):
        assert surname in page
    for surname in ("Oakunshared", "Birchpupil", "Inclass", "Expired", "Private"):
        assert surname not in page  # Birch: shared, but they hold no role there
    api = client.get("/api/v1/pupils").json()
    assert sorted(p["surname"] for p in api["items"]) == ["Cedarpupil", "Oakshared", "Otherclass"]
    assert client.get(reverse("pupil", args=[visiting.pk])).status_code == 200
    assert client.get(reverse("pupil", args=[world.pupil_b.pk])).status_code == 404
    # No aggregate page at any of their schools.
    assert client.get(reverse("school", args=["100004"])).status_code == 404


def test_the_specialist_list_asks_the_same_queries_for_more_pupils(
    world, login, visiting, django_assert_max_num_queries
):
    client = login(world.specialist)
    client.get(reverse("specialist-home"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("specialist-home"))
    oak = visiting.school
    until = timezone.localdate() + dt.timedelta(days=10)
    for n in range(6):
        pupil = make_pupil(oak, surname=f"More{n}")
        ExternalShare.objects.create(pupil=pupil, specialist=world.specialist, expires_on=until)
        services.add_advice(
            pupil=pupil, by=world.specialist, service="ep", seen_on=until - dt.timedelta(days=20), summary="s"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "More5" in client.get(reverse("specialist-home")).content.decode()


# --- Advice ---------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _advice_form(**overrides):
    seen = timezone.localdate() - dt.timedelta(days=3)
    data = {
        "service": "salt",
        "seen_on_0": str(seen.day),
        "seen_on_1": str(seen.month),
        "seen_on_2": str(seen.year),
        "summary": "Receptive language about two years behind; expressive language age-appropriate.",
        "recommendations": "Use a visual timetable every morning\n\n  Pre-teach five topic words each week  \n",
        "report": SimpleUploadedFile("salt-report.pdf", PDF, content_type="application/pdf"),
    }
    return data | overrides


def test_a_specialist_adds_advice_with_a_report_and_recommendations_audited(world, login, media):
    client = login(world.specialist)
    pupil = world.other_class
    response = client.post(reverse("advice-new", args=[pupil.pk]), _advice_form())
    assert response.status_code == 302
    advice = Advice.objects.get(pupil=pupil)
    assert advice.written_by == world.specialist and advice.seen_on == timezone.localdate() - dt.timedelta(days=3)
    assert [r.text for r in advice.recommendations.all()] == [
        "Use a visual timetable every morning",
        "Pre-teach five topic words each week",
    ]
    assert (advice.report_name, advice.report_type, advice.report_size) == ("salt-report.pdf", "application/pdf", 73)
    assert re.fullmatch(rf"specialist-reports/{pupil.school_id}/[0-9a-f]{{32}}\.pdf", advice.report.name)
    event = AuditEvent.objects.get(record_type="specialist advice", action="create")
    assert (event.actor, event.pupil_id) == (world.specialist, pupil.pk)
    senco = login(world.senco)
    page = senco.get(reverse("pupil-specialists", args=[pupil.pk])).content.decode()
    assert "Use a visual timetable every morning" in page and "salt-report.pdf" in page
    report = senco.get(reverse("advice-report", args=[pupil.pk, advice.pk]))
    assert b"".join(report.streaming_content) == PDF
    assert AuditEvent.objects.filter(record_type="specialist report", actor=world.senco, action="view").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"report": SimpleUploadedFile("r.pdf", b"MZ not a pdf", content_type="application/pdf")}, "is not"),
        ({"seen_on_0": "31", "seen_on_1": "2"}, "must be a real date"),
        ({"summary": ""}, "Enter a summary of your advice"),
        ({"service": "nurse"}, "Select a valid choice"),
        ({"recommendations": "x" * 2001}, "Recommendation 1 has 2001 characters"),
    ],
)
def test_bad_advice_says_what_is_wrong_and_saves_nothing(world, login, media, overrides, message):
    response = login(world.specialist).post(
        reverse("advice-new", args=[world.other_class.pk]), _advice_form(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Advice.objects.exists() and not AuditEvent.objects.filter(record_type="specialist advice").exists()


def test_advice_seen_tomorrow_is_refused(world, media):
    with pytest.raises(services.SpecialistError, match="today or in the past"):
        services.add_advice(
            pupil=world.other_class,
            by=world.specialist,
            service="ep",
            seen_on=timezone.localdate() + dt.timedelta(days=1),
            summary="s",
        )


@pytest.mark.parametrize("who", ["teacher", "senco", "outsider"])
def test_only_a_specialist_with_an_active_share_adds_advice(world, login, who):
    assert login(getattr(world, who)).get(reverse("advice-new", args=[world.other_class.pk])).status_code == 404
    # the share with `expired_share` ended yesterday
    assert login(world.specialist).get(reverse("advice-new", args=[world.expired_share.pk])).status_code == 404
    assert login(world.specialist).get(reverse("advice-new", args=[world.other_class.pk])).status_code == 200


def test_a_report_marks_the_waiting_referral_received(world, media):
    today = timezone.localdate()
    referral = services.add_referral(
        pupil=world.other_class,
        by=world.senco,
        service="salt",
        referred_on=today - dt.timedelta(days=90),
        seen_on=today - dt.timedelta(days=50),
    )
    other_service = services.add_referral(
        pupil=world.other_class, by=world.senco, service="ot", referred_on=today - dt.timedelta(days=90), seen_on=today
    )
    services.add_advice(
        pupil=world.other_class,
        by=world.specialist,
        service="salt",
        seen_on=today - dt.timedelta(days=50),
        summary="s",
        report=SimpleUploadedFile("r.pdf", PDF),
    )
    referral.refresh_from_db()
    other_service.refresh_from_db()
    assert referral.report_received_on == today and other_service.report_received_on is None


# --- Recommendations become strategies or targets -------------------------------------------------


@pytest.fixture
def recommended(world, media):
    plan = Plan.objects.create(
        pupil=world.other_class, kind=Plan.Kind.SEN_SUPPORT, state=Plan.State.ACTIVE, strategies="Seat near the front"
    )
    advice = services.add_advice(
        pupil=world.other_class,
        by=world.specialist,
        service="salt",
        seen_on=timezone.localdate(),
        summary="s",
        recommendations=["Use a visual timetable every morning", "Answer 3 who/what questions about a picture"],
    )
    first, second = advice.recommendations.all()
    return plan, first, second


def test_the_senco_makes_a_recommendation_a_strategy_in_one_step(world, login, recommended):
    plan, first, _ = recommended
    client = login(world.senco)
    page = client.get(reverse("pupil-specialists", args=[world.other_class.pk])).content.decode()
    assert reverse("recommendation-strategy", args=[world.other_class.pk, first.pk]) in page
    response = client.post(reverse("recommendation-strategy", args=[world.other_class.pk, first.pk]), {"plan": plan.pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    first.refresh_from_db()
    assert plan.strategies == "Seat near the front\nUse a visual timetable every morning"
    assert PlanVersion.objects.get(plan=plan).content["strategies"] == "Seat near the front"  # what it said before
    assert (first.became, first.plan, first.adopted_by) == ("strategy", plan, world.senco)
    assert AuditEvent.objects.filter(record_type="specialist recommendation", action="update").count() == 1
    assert AuditEvent.objects.filter(record_type="plan", action="update").count() == 1
    # Once only: the button is gone and a second post changes nothing.
    again = client.post(reverse("recommendation-strategy", args=[world.other_class.pk, first.pk]), {"plan": plan.pk})
    assert again.status_code == 404
    plan.refresh_from_db()
    assert plan.strategies.count("visual timetable") == 1


def test_the_senco_makes_a_recommendation_a_target_with_its_smart_check(world, login, recommended):
    plan, _, second = recommended
    url = reverse("recommendation-target", args=[world.other_class.pk, second.pk])
    client = login(world.senco)
    assert "Answer 3 who/what questions about a picture" in client.get(url).content.decode()
    response = client.post(
        url, {"plan": plan.pk, "area": "slc", "scale": find_scale("nc-levels").pk, "baseline_value": "1a"}, follow=True
    )
    target = Target.objects.get(plan=plan)
    assert (target.description, target.area, target.baseline_value) == (
        "Answer 3 who/what questions about a picture",
        "slc",
        "1a",
    )
    second.refresh_from_db()
    assert (second.became, second.target) == ("target", target)
    page = response.content.decode()
    assert "SMART check: No measure" in page and "SMART check: No success criteria" in page
    assert AuditEvent.objects.filter(record_type="target", action="create", pupil_id=world.other_class.pk).count() == 1


def test_a_value_off_the_scale_makes_no_target_and_says_why(world, login, recommended):
    plan, _, second = recommended
    url = reverse("recommendation-target", args=[world.other_class.pk, second.pk])
    posted = {"plan": plan.pk, "area": "slc", "scale": find_scale("nc-levels").pk, "baseline_value": "9z"}
    response = login(world.senco).post(url, posted)
    assert response.status_code == 200 and "9z" in response.content.decode()
    second.refresh_from_db()
    assert not Target.objects.exists() and second.became == ""


@pytest.mark.parametrize("who", ["specialist", "teacher", "head"])
def test_only_the_senco_acts_on_recommendations(world, login, recommended, who):
    plan, first, _ = recommended
    client = login(getattr(world, who))
    url = reverse("recommendation-strategy", args=[world.other_class.pk, first.pk])
    assert client.post(url, {"plan": plan.pk}).status_code == 404
    first.refresh_from_db()
    assert first.became == ""


# --- Referrals and waits --------------------------------------------------------------------------


def _refer(pupil, service, referred_ago, seen_ago=None, *, by, report_ago=None):
    today = timezone.localdate()
    return services.add_referral(
        pupil=pupil,
        by=by,
        service=service,
        referred_on=today - dt.timedelta(days=referred_ago),
        seen_on=None if seen_ago is None else today - dt.timedelta(days=seen_ago),
        report_received_on=None if report_ago is None else today - dt.timedelta(days=report_ago),
    )


def _row(page: str, label: str) -> list[str]:
    row = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


@pytest.fixture
def referrals(world):
    senco = world.senco
    for seen_ago in (90, 80, 60):  # EP: 10, 20 and 40 days: median 20
        _refer(world.in_class, "ep", 100, seen_ago, by=senco)
    _refer(world.other_class, "ep", 130, by=senco)  # waiting 130 days
    _refer(world.confidential, "ep", 5, by=senco)  # waiting 5 days
    _refer(world.in_class, "ot", 50, 40, by=senco)  # OT: 10 and 25 days: median 17.5
    _refer(world.other_class, "ot", 50, 25, by=senco, report_ago=1)
    _refer(world.pupil_b, "salt", 300, 10, by=senco)  # another school: not on school A's page


def test_waits_per_service_worked_by_hand(world, login, referrals):
    page = login(world.senco).get(reverse("referral-waits", args=[world.school_a.urn])).content.decode()
    assert _row(page, "Educational psychology (EP)") == ["3", "20", "2", "130"]
    assert _row(page, "Occupational therapy (OT)") == ["2", "17.5", "0", "–"]
    assert _row(page, "Speech and language therapy (SaLT)") == ["0", "None seen yet", "0", "–"]
    assert page.index("Otherclass") < page.index("Private")  # the longest wait first
    assert "Birchpupil" not in page
    # Reports overdue: EP seen 90, 80 and 60 days ago with no report (over 6 weeks); OT seen 40 days ago is not.
    overdue = page.split("Reports overdue", 1)[1]
    assert overdue.count("Inclass") == 3 and "Otherclass" not in overdue
    assert AuditEvent.objects.filter(record_type="referrals list", actor=world.senco).count() == 1


def test_a_teacher_sees_the_waits_of_their_own_class_only(world, login, referrals):
    page = login(world.teacher).get(reverse("referral-waits", args=[world.school_a.urn])).content.decode()
    assert _row(page, "Educational psychology (EP)") == ["3", "20", "0", "–"]  # in_class only
    assert "Otherclass" not in page and "Private" not in page


def test_the_waits_page_asks_the_same_queries_for_more_referrals(
    world, login, referrals, django_assert_max_num_queries
):
    client = login(world.senco)
    url = reverse("referral-waits", args=[world.school_a.urn])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(8):
        _refer(make_pupil(world.school_a, surname=f"Waiting{n}"), "camhs", 20 + n, by=world.senco)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Waiting7" in client.get(url).content.decode()


def test_the_senco_records_a_referral_and_its_dates_audited(world, login):
    client = login(world.senco)
    today = timezone.localdate()
    referred = today - dt.timedelta(days=30)
    form = {"service": "camhs", "referred_on_0": referred.day, "referred_on_1": referred.month}
    form |= {"referred_on_2": referred.year, "notes": "Anxiety at drop-off"}
    assert client.post(reverse("referral-new", args=[world.in_class.pk]), form).status_code == 302
    referral = Referral.objects.get()
    url = reverse("referral-change", args=[world.in_class.pk, referral.pk])
    form |= {"seen_on_0": today.day, "seen_on_1": today.month, "seen_on_2": today.year}
    assert client.post(url, form).status_code == 302
    referral.refresh_from_db()
    assert referral.seen_on == today and referral.days_waiting(today) == 30
    change = AuditEvent.objects.get(record_type="referral", action="update")
    assert change.changes == {"seen_on": [None, today.isoformat()]}


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"referred_on": 10, "accepted_on": 12}, "Date accepted must not be before the date referred"),
        ({"referred_on": 10, "seen_on": 5, "report_received_on": 7}, "must not be before the date seen"),
        ({"referred_on": -1}, "Date referred must be today or in the past"),
        ({"referred_on": 10, "report_received_on": 3}, "Give the date seen before the date the report was received"),
    ],
)
def test_referral_dates_out_of_order_are_refused_and_nothing_is_saved(world, dates, message):
    today = timezone.localdate()
    values = {name: today - dt.timedelta(days=ago) for name, ago in dates.items()}
    with pytest.raises(services.SpecialistError, match=message):
        services.add_referral(pupil=world.in_class, by=world.senco, service="ep", **values)
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(record_type="referral").exists()


@pytest.mark.parametrize("who", ["teacher", "specialist", "head", "office"])
def test_only_the_senco_records_referrals(world, login, who):
    user = world.administrator if who == "office" else getattr(world, who)
    assert login(user).get(reverse("referral-new", args=[world.other_class.pk])).status_code == 404


# --- The to-do list at its edges (suite day Wed 18 Nov 2026) ------------------------------------------


def test_a_report_is_overdue_from_six_weeks_and_a_day_after_the_visit(world):
    from trellis.todo.items import specialist_referrals

    today = dt.date(2026, 11, 18)
    _refer(world.in_class, "ep", 100, 42, by=world.senco)  # seen Wed 7 Oct: due today, not overdue
    _refer(world.in_class, "ep", 100, 43, by=world.senco)  # seen Tue 6 Oct: overdue
    _refer(world.in_class, "ep", 100, 60, by=world.senco, report_ago=1)  # report in
    _refer(world.in_class, "salt", 126, by=world.senco)  # referred Wed 15 Jul: 18 weeks exactly, not yet long
    _refer(world.in_class, "salt", 127, by=world.senco)  # referred Tue 14 Jul: a long wait
    _refer(world.in_class, "ot", 200, 10, by=world.senco)  # waited long, but seen
    overdue, waiting = specialist_referrals(world.senco, world.school_a, today)
    assert (overdue.count, overdue.label, overdue.urgency) == (1, "specialist report overdue", "overdue")
    assert (waiting.count, waiting.label) == (1, "referral waiting a long time")


def test_the_weeks_are_settings(world, settings):
    from trellis.todo.items import specialist_referrals

    settings.SPECIALIST_REPORT_WEEKS = 4
    _refer(world.in_class, "ep", 100, 29, by=world.senco)
    assert specialist_referrals(world.senco, world.school_a, dt.date(2026, 11, 18))[0].count == 1
