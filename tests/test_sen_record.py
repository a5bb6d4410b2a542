"""Keeping a pupil's SEN record: status and need history, EHC plan dates, sharing, and the SENCO's forms."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.deadlines.rules import annual_review_due
from trellis.pupils import services
from trellis.pupils.models import SenStatus

pytestmark = pytest.mark.dates


def date_fields(name: str, value: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def test_new_status_closes_the_current_period(world):
    today = timezone.localdate()
    services.set_sen_status(pupil=world.in_class, status="E", starts_on=today, by=world.senco)
    history = list(world.in_class.sen_history.order_by("starts_on").values_list("status", "ends_on"))
    assert history == [("K", today), ("E", None)]
    world.in_class.refresh_from_db()
    assert world.in_class.sen_status == SenStatus.EHC_PLAN


def test_same_status_again_changes_nothing(world):
    assert (
        services.set_sen_status(pupil=world.in_class, status="K", starts_on=timezone.localdate(), by=world.senco)
        is None
    )
    assert world.in_class.sen_history.count() == 1


def test_monitoring_reports_as_no_sen_in_the_census():
    assert SenStatus.census_code(SenStatus.MONITORING) == "N"
    assert SenStatus.census_code(SenStatus.SEN_SUPPORT) == "K"


def test_unknown_status_is_refused_with_the_allowed_codes(world):
    with pytest.raises(services.RegisterError, match="N, M, K, E"):
        services.set_sen_status(pupil=world.in_class, status="S", starts_on=timezone.localdate(), by=world.senco)


def test_changing_the_primary_need_keeps_history_and_leaves_the_secondary(world):
    today = timezone.localdate()
    changes = services.set_needs(pupil=world.in_class, codes=["ASD", "SPLD"], starts_on=today, by=world.senco)
    assert changes == {"need_rank_1": ["SLCN", "ASD"]}
    open_needs = dict(world.in_class.need_history.filter(ends_on__isnull=True).values_list("rank", "need_id"))
    assert open_needs == {1: "ASD", 2: "SPLD"}
    assert world.in_class.need_history.get(need_id="SLCN").ends_on == today
    world.in_class.refresh_from_db()
    assert world.in_class.primary_need_id == "ASD"


def test_removing_the_secondary_need_ends_it(world):
    services.set_needs(pupil=world.in_class, codes=["SLCN"], starts_on=timezone.localdate(), by=world.senco)
    assert list(world.in_class.need_history.filter(ends_on__isnull=True).values_list("need_id", flat=True)) == ["SLCN"]


@pytest.mark.parametrize(("codes", "message"), [(["ASD", "ASD"], "twice"), (["XYZ"], "Unknown need code")])
def test_bad_needs_are_refused(world, codes, message):
    with pytest.raises(services.RegisterError, match=message):
        services.set_needs(pupil=world.in_class, codes=codes, starts_on=timezone.localdate(), by=world.senco)


def test_ehc_annual_review_defaults_to_twelve_months_after_the_last(world):
    plan = services.record_ehc_plan(
        pupil=world.other_class,
        by=world.senco,
        issued_on=dt.date(2024, 3, 1),
        last_annual_review_on=dt.date(2025, 2, 10),
    )
    assert plan.next_annual_review_due == dt.date(2026, 2, 10)
    assert plan.is_review_overdue(on=dt.date(2026, 2, 11))
    assert not plan.is_review_overdue(on=dt.date(2026, 2, 10))


@pytest.mark.parametrize(
    ("issued_on", "months", "due"),
    [
        (dt.date(2026, 6, 14), 6, dt.date(2026, 12, 14)),  # 4 years 11 months and 30 days old
        (dt.date(2026, 6, 15), 6, dt.date(2027, 6, 15)),  # 5 on the day the plan is issued
        (dt.date(2026, 5, 15), 3, dt.date(2026, 8, 15)),  # 4 years 11 months; the setting says 3 months
    ],
)
def test_ehc_annual_review_of_an_under_5_defaults_to_the_setting(world, settings, issued_on, months, due):
    settings.TRELLIS_UNDER5_REVIEW_MONTHS = months
    world.other_class.date_of_birth = dt.date(2021, 6, 15)
    world.other_class.save(update_fields=["date_of_birth"])
    plan = services.record_ehc_plan(pupil=world.other_class, by=world.senco, issued_on=issued_on)
    assert plan.next_annual_review_due == due


def test_ehc_review_due_after_29_february_falls_on_28_february():
    assert annual_review_due(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


def test_review_before_issue_is_refused(world):
    with pytest.raises(services.RegisterError, match="before the plan was issued"):
        services.record_ehc_plan(
            pupil=world.other_class,
            by=world.senco,
            issued_on=dt.date(2025, 3, 1),
            last_annual_review_on=dt.date(2025, 2, 1),
        )


def test_confidential_pupil_cannot_be_shared(world):
    with pytest.raises(services.RegisterError, match="confidential"):
        services.share_with_specialist(
            pupil=world.confidential,
            specialist=world.specialist,
            by=world.senco,
            expires_on=timezone.localdate() + dt.timedelta(days=5),
        )


def test_senco_changes_status_through_the_form(world, login):
    today = timezone.localdate()
    url = reverse("pupil-sen-status", args=[world.in_class.pk])
    response = login(world.senco).post(
        url, {"status": "E", "reason": "EHC plan issued", **date_fields("starts_on", today)}
    )
    assert response.status_code == 302
    world.in_class.refresh_from_db()
    assert world.in_class.sen_status == "E"
    assert world.in_class.sen_history.get(ends_on__isnull=True).reason == "EHC plan issued"


def test_form_errors_name_the_field_and_change_nothing(world, login):
    url = reverse("pupil-sen-status", args=[world.in_class.pk])
    response = login(world.senco).post(
        url, {"status": "E", "starts_on_0": "31", "starts_on_1": "2", "starts_on_2": "2026"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "must be a real date" in page
    world.in_class.refresh_from_db()
    assert world.in_class.sen_status == "K"


def test_service_refusal_is_shown_on_the_form(world, login):
    url = reverse("pupil-sen-status", args=[world.in_class.pk])
    response = login(world.senco).post(url, {"status": "E", **date_fields("starts_on", dt.date(2001, 1, 1))})
    assert "cannot start" in response.content.decode()


def test_senco_shares_a_pupil_and_the_specialist_can_then_open_it(world, login, client):
    url = reverse("pupil-share", args=[world.in_class.pk])
    until = timezone.localdate() + dt.timedelta(days=10)
    response = login(world.senco).post(url, {"specialist": world.specialist.pk, **date_fields("expires_on", until)})
    assert response.status_code == 302
    client.logout()
    assert login(world.specialist).get(reverse("pupil", args=[world.in_class.pk])).status_code == 200


def test_profile_shows_history_needs_classes_and_ehc_dates(world, login):
    services.record_ehc_plan(pupil=world.other_class, by=world.senco, issued_on=dt.date(2025, 1, 15))
    page = login(world.senco).get(reverse("pupil", args=[world.other_class.pk])).content.decode()
    for text in ("EHC plan", "Autistic spectrum disorder", "4C", "(teacher)", "15 January 2026"):
        assert text in page, text


def test_profile_queries_are_bounded(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    client.get(reverse("pupil", args=[world.in_class.pk]))
    with django_assert_max_num_queries(40) as first:
        client.get(reverse("pupil", args=[world.in_class.pk]))
    for year in range(2015, 2025):
        services.set_sen_status(
            pupil=world.in_class, status="M" if year % 2 else "K", starts_on=dt.date(year + 20, 1, 1), by=world.senco
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("pupil", args=[world.in_class.pk]))
