"""Older pupils' own sign-in: off by default, switched on by the SENCO from a year group, made per
pupil by the SENCO; the pupil reads only their own passport and targets, and opens nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import make_target
from pupil_routes import API_WITH_PUPIL_DATA, PAGES_WITH_PUPIL_DATA, seed

from trellis.accounts.models import ApiToken, User
from trellis.audit.models import AuditEvent
from trellis.families import services
from trellis.families.models import PupilLogin
from trellis.plans.models import Plan
from trellis.pupils.models import Pupil

from conftest import PASSWORD

SETTING = "school-pupil-sign-in"


def _switch_on(world, client, from_year: str = "4"):
    return client.post(reverse(SETTING, args=[world.school_a.urn]), {"enabled": "on", "from_year": from_year})


def _give(world, client, pupil=None, username="sam4b"):
    url = reverse("pupil-sign-in", args=[(pupil or world.in_class).pk])
    return client.post(url, {"make": "1", "username": username, "password": PASSWORD})


@pytest.fixture
def sam(world, login):
    """`in_class` (Year 4) with a passport plan and a target, and their own sign-in from Year 4."""
    Plan.objects.create(
        pupil=world.in_class,
        kind=Plan.Kind.PASSPORT,
        state=Plan.State.ACTIVE,
        title="Passport",
        pupil_good_at="drawing and lego",
        pupil_what_helps="a quiet place to work",
    )
    make_target(world.in_class, description="read twenty words without help")
    client = login(world.senco)
    _switch_on(world, client)
    _give(world, client)
    world.sam = User.objects.get(username="sam4b")
    return world


def test_pupils_sign_in_is_off_until_the_senco_switches_it_on(world, login):
    client = login(world.senco)
    url = reverse("pupil-sign-in", args=[world.in_class.pk])
    assert client.get(url).status_code == 404  # off by default: no sign-in can be made
    page = client.get(reverse(SETTING, args=[world.school_a.urn])).content.decode()
    assert "It is off until you switch it on" in page
    response = _switch_on(world, client, "4")
    assert response.status_code == 302
    world.school_a.refresh_from_db()
    assert (world.school_a.pupil_sign_in, world.school_a.pupil_sign_in_from_year) == (True, 4)
    event = AuditEvent.objects.get(record_type="pupil sign-in setting")
    assert event.changes == {"pupil_sign_in": [False, True], "pupil_sign_in_from_year": [7, 4]}
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("year", ["0", "15", "seven", ""])
def test_a_bad_year_says_what_and_changes_nothing(world, login, year):
    page = _switch_on(world, login(world.senco), year).content.decode()
    assert "There is a problem" in page and "youngest year group" in page
    world.school_a.refresh_from_db()
    assert not world.school_a.pupil_sign_in


@pytest.mark.parametrize("role", ["teacher", "head", "administrator", "governor", "outsider"])
def test_only_the_senco_changes_the_setting_or_makes_a_sign_in(world, login, role):
    _switch_on(world, login(world.senco))
    client = login(getattr(world, role))
    assert client.get(reverse(SETTING, args=[world.school_a.urn])).status_code == 404
    assert _give(world, client).status_code == 404
    assert not PupilLogin.objects.exists()


def test_the_senco_makes_and_ends_a_pupils_sign_in_audited(world, login):
    client = login(world.senco)
    _switch_on(world, client)
    assert _give(world, client).status_code == 302
    link = PupilLogin.objects.get()
    assert (link.pupil, link.user.username, link.created_by) == (world.in_class, "sam4b", world.senco)
    assert AuditEvent.objects.filter(record_type="pupil sign-in", action="create", pupil_id=world.in_class.pk).exists()
    taken = _give(world, client, pupil=world.other_class, username="SAM4B").content.decode()
    assert "That username is taken" in taken
    client.post(reverse("pupil-sign-in", args=[world.in_class.pk]), {"end": "1"})
    link.refresh_from_db()
    assert link.ended_at is not None and not link.user.is_active
    assert AuditEvent.objects.filter(record_type="pupil sign-in", action="update").count() == 1


def test_a_weak_starting_password_is_refused(world, login):
    client = login(world.senco)
    _switch_on(world, client)
    url = reverse("pupil-sign-in", args=[world.in_class.pk])
    page = client.post(url, {"make": "1", "username": "sam", "password": "123"}).content.decode()
    assert "This password is too short" in page and not PupilLogin.objects.exists()


def test_the_pupil_reads_their_own_passport_and_targets_in_plain_words(sam, client):
    assert client.login(username="sam4b", password=PASSWORD)
    assert client.get("/").url == reverse("pupil-own")
    response = client.get(reverse("pupil-own"))
    page = response.content.decode()
    assert "All about me: Sam" in page
    assert "Drawing and lego." in page and "A quiet place to work." in page
    assert "Read twenty words without help." in page and "How it is going: not reviewed this half term." in page
    assert [link["label"] for link in response.context["nav_links"]] == ["My page"]
    assert "<form" not in page.split("<main")[1].split("</main>")[0]  # read only: nothing to send
    assert AuditEvent.objects.filter(actor=sam.sam, action="view", pupil_id=sam.in_class.pk).count() == 1


def test_the_pupils_page_ends_below_the_year_when_switched_off_when_ended_and_on_leaving(sam, client, login):
    url = reverse("pupil-own")
    client.force_login(sam.sam)
    assert client.get(url).status_code == 200
    sam.school_a.pupil_sign_in_from_year = 5
    sam.school_a.save()
    assert client.get(url).status_code == 404  # Year 4 is below the youngest year now
    sam.school_a.pupil_sign_in_from_year = 4
    sam.school_a.pupil_sign_in = False
    sam.school_a.save()
    assert client.get(url).status_code == 404
    sam.school_a.pupil_sign_in = True
    sam.school_a.save()
    Pupil.objects.filter(pk=sam.in_class.pk).update(left_on=timezone.localdate())
    assert client.get(url).status_code == 404  # access ends on the leaving date
    Pupil.objects.filter(pk=sam.in_class.pk).update(left_on=timezone.localdate() + dt.timedelta(days=1))
    assert client.get(url).status_code == 200
    PupilLogin.objects.update(ended_at=timezone.now())
    assert client.get(url).status_code == 404


def test_staff_and_parents_have_no_own_page(world, login):
    for user in (world.senco, world.teacher, world.superuser):
        assert login(user).get(reverse("pupil-own")).status_code == 404


@pytest.fixture
def seeded(world, settings, tmp_path):
    return seed(world, settings, tmp_path)


@pytest.mark.parametrize("name", sorted(set(PAGES_WITH_PUPIL_DATA) - {"pupil-own"}))
def test_a_pupil_opens_no_other_page_not_even_about_themselves(seeded, login, name):
    response = login(seeded.world.pupil_user).get(PAGES_WITH_PUPIL_DATA[name].url(seeded))
    # One's own meeting actions (none), and the SENCO's calendar feed, which answers its secret link (initials only).
    if name in ("my-actions", "calendar-feed"):
        main = response.content.decode().partition("<main")[2].partition("</main>")[0]  # the header names them
        assert response.status_code == 200 and "Inclass" not in main
    else:
        assert response.status_code == 404, (name, response.status_code)


@pytest.mark.parametrize("operation", sorted(API_WITH_PUPIL_DATA))
def test_a_pupil_reads_nothing_through_the_api(seeded, client, operation):
    key, key_hash = ApiToken.new_key()
    ApiToken.objects.create(user=seeded.world.pupil_user, key_hash=key_hash, expires_at="2099-01-01T00:00Z")
    response = client.get(API_WITH_PUPIL_DATA[operation].url(seeded), headers={"Authorization": f"Bearer {key}"})
    if operation == ("GET", "/api/v1/pupils"):
        assert response.status_code == 200 and response.json()["count"] == 0
    else:
        assert response.status_code == 404


def test_giving_a_second_sign_in_is_refused_until_the_first_ends(sam):
    with pytest.raises(services.FamilyError, match="Sam already has a sign-in"):
        services.give_pupil_sign_in(pupil=sam.in_class, by=sam.senco, username="another", password=PASSWORD)
