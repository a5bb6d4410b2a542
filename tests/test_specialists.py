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
from trellis.audit.models import AuditEvent
from trellis.plans import services as plans
from trellis.plans.models import Plan, PlanVersion, Target
from trellis.pupils.models import ExternalShare
from trellis.schools.services import create_school
from trellis.specialists import services
from trellis.specialists.models import Advice, Recommendation, Referral

from conftest import make_pupil, make_user

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


def test_the_specialist_list_asks_the_same_queries_for_more_pupils(world, login, visiting, django_assert_max_num_queries):
    client = login(world.specialist)
    client.get(reverse("specialist-home"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("specialist-home"))
    oak = visiting.school
    until = timezone.localdate() + dt.timedelta(days=10)
    for n in range(6):
        pupil = make_pupil(oak, surname=f"More{n}")
        ExternalShare.objects.create(pupil=pupil, specialist=world.specialist, expires_on=until)
        services.add_advice(pupil=pupil, by=world.specialist, service="ep", seen_on=until - dt.timedelta(days=20), summary="s")
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
    response = login(world.specialist).post(reverse("advice-new", args=[world.other_class.pk]), _advice_form(**overrides))
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
