"""Need to know: every role against every pupil-scoped page and API path, allowed and denied."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pupil_routes import API_WITH_PUPIL_DATA, PAGES_WITH_PUPIL_DATA, seed

from trellis.pupils.models import Pupil

from need_to_know import CASES, PUPILS, SEN_RECORD_CASES, SEN_RECORD_VISIBLE, VISIBLE

MANAGERS = {"senco", "superuser"}
MANAGE_PAGES = ["pupil-sen-status", "pupil-needs", "pupil-ehc-plan", "pupil-share", "pupil-confidential"]


@pytest.mark.dates  # classes of this academic year, shares until they expire
@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_pupil_page_follows_need_to_know(world, login, role, pupil):
    client = login(getattr(world, role))
    response = client.get(reverse("pupil", args=[getattr(world, pupil).pk]))
    assert response.status_code == (200 if pupil in VISIBLE[role] else 404)


@pytest.mark.parametrize(("role", "pupil"), CASES)
def test_pupil_api_follows_need_to_know(world, login, role, pupil):
    client = login(getattr(world, role))
    response = client.get(f"/api/v1/pupils/{getattr(world, pupil).pk}")
    assert response.status_code == (200 if pupil in VISIBLE[role] else 404)


@pytest.mark.parametrize("role", VISIBLE)
def test_pupil_list_api_lists_exactly_the_visible_pupils(world, login, role):
    response = login(getattr(world, role)).get("/api/v1/pupils?status=K")
    listed = {item["id"] for item in response.json()["items"]}
    visible_sen_support = {getattr(world, p).pk for p in VISIBLE[role] if getattr(world, p).sen_status == "K"}
    assert listed == visible_sen_support


@pytest.mark.dates  # classes of this academic year, shares until they expire
@pytest.mark.parametrize("role", VISIBLE)
def test_register_lists_only_visible_pupils(world, login, role):
    client = login(getattr(world, role))
    response = client.get(reverse("register", args=[world.school_a.urn]), {"status": "all"})
    if role in {"governor", "outsider"}:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    for pupil in PUPILS:
        shown = getattr(world, pupil).legal_surname in page
        assert shown == (pupil in VISIBLE[role] and getattr(world, pupil).school_id == world.school_a.pk), pupil


@pytest.mark.parametrize("page", MANAGE_PAGES)
@pytest.mark.parametrize("role", VISIBLE)
def test_only_the_senco_opens_register_forms(world, login, role, page):
    response = login(getattr(world, role)).get(reverse(page, args=[world.in_class.pk]))
    assert response.status_code == (200 if role in MANAGERS else 404)


def test_governor_sees_the_school_overview_without_names(world, login):
    response = login(world.governor).get(reverse("school", args=[world.school_a.urn]))
    assert response.status_code == 200
    page = response.content.decode()
    for pupil in Pupil.objects.all():
        assert pupil.legal_surname not in page
    assert "withheld" in page
    assert reverse("register", args=[world.school_a.urn]) not in page


def test_specialist_cannot_open_school_aggregates(world, login):
    assert login(world.specialist).get(reverse("school", args=[world.school_a.urn])).status_code == 404


def test_staff_cannot_open_another_schools_pages(world, login):
    client = login(world.senco)
    assert client.get(reverse("school", args=[world.school_c.urn])).status_code == 404
    assert client.get(reverse("register", args=[world.school_c.urn])).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(world, client):
    response = client.get(reverse("pupil", args=[world.in_class.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get("/api/v1/pupils").status_code == 401


@pytest.mark.dates  # classes of this academic year, shares until they expire
def test_teacher_loses_access_when_pupil_leaves_their_class(world, login):
    membership = world.in_class.group_memberships.get()
    membership.ends_on = timezone.localdate()  # the last day in the class: still theirs today
    membership.save()
    assert login(world.teacher).get(reverse("pupil", args=[world.in_class.pk])).status_code == 200
    membership.ends_on -= dt.timedelta(days=1)  # left yesterday (on 1 September, before this year began)
    membership.save()
    assert login(world.teacher).get(reverse("pupil", args=[world.in_class.pk])).status_code == 404


@pytest.mark.dates  # classes of this academic year, shares until they expire
def test_share_ending_removes_specialist_access_at_once(world, login):
    from trellis.pupils.services import end_share

    end_share(share=world.other_class.shares.get(), by=world.senco)
    assert login(world.specialist).get(reverse("pupil", args=[world.other_class.pk])).status_code == 404


def test_every_role_starts_on_a_page_that_answers(client, world):
    """The home page sends each person to a page they may open: a specialist to the pupils shared with them."""
    for user in (world.senco, world.teacher, world.governor, world.specialist):
        client.force_login(user)
        response = client.get("/", follow=True)
        assert response.status_code == 200, user.username
    client.force_login(world.specialist)
    assert client.get("/").url == "/specialist/"


# --- The school office: the register, not the SEN records, unless the SENCO grants them -------


def _user(world, role):
    """`office_granted` is the conftest office after the SENCO has let it see SEN records."""
    if role != "office_granted":
        return getattr(world, role)
    from trellis.pupils.services import set_office_access

    set_office_access(membership=world.administrator.memberships.get(), sees_sen_records=True, by=world.senco)
    return world.administrator


@pytest.mark.parametrize(("role", "pupil"), SEN_RECORD_CASES + [("office_granted", pupil) for pupil in PUPILS])
def test_plans_page_follows_need_to_know_for_the_sen_record(world, login, role, pupil):
    response = login(_user(world, role)).get(reverse("pupil-plans", args=[getattr(world, pupil).pk]))
    visible = VISIBLE["administrator"] if role == "office_granted" else SEN_RECORD_VISIBLE[role]
    assert response.status_code == (200 if pupil in visible else 404)


def test_office_opens_the_register_entry_but_not_the_sen_record(world, login):
    client = login(world.administrator)
    page = client.get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert "Inclass" in page and "not shown to the school office" in page
    assert reverse("pupil-plans", args=[world.in_class.pk]) not in page
    assert client.get(f"/api/v1/pupils/{world.in_class.pk}").status_code == 200
    for path in (
        reverse("pupil-evidence", args=[world.in_class.pk]),
        reverse("pupil-progress", args=[world.in_class.pk]),
        reverse("pupil-provision", args=[world.in_class.pk]),
        reverse("concern-new", args=[world.in_class.pk]),
        f"/api/v1/pupils/{world.in_class.pk}/plans",
        f"/api/v1/pupils/{world.in_class.pk}/evidence",
    ):
        assert client.get(path).status_code == 404, path


def test_office_lists_of_sen_records_are_empty_without_the_grant(world, login):
    from trellis.identification.services import raise_concern

    raise_concern(pupil=world.in_class, by=world.teacher, area="cognition", what_seen="Reverses letters", contexts="")
    concerns = reverse("concerns", args=[world.school_a.urn])
    assert "Inclass" in login(world.senco).get(concerns).content.decode()
    client = login(world.administrator)
    assert "Inclass" not in client.get(concerns).content.decode()
    register = client.get(reverse("register", args=[world.school_a.urn]), {"status": "all"}).content.decode()
    assert "Inclass" in register and "Private" not in register


def test_senco_grant_opens_the_sen_records_and_is_audited(world, login):
    from trellis.audit.models import AuditEvent

    membership = world.administrator.memberships.get()
    client = login(world.senco)
    page = client.get(reverse("office-access", args=[world.school_a.urn])).content.decode()
    assert "The register only" in page and "Office" in page
    response = client.post(
        reverse("office-access", args=[world.school_a.urn]), {"membership": membership.pk, "sees_sen_records": "yes"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.sees_sen_records
    event = AuditEvent.objects.get(record_type="office access")
    assert (event.actor, event.school_id, event.changes) == (
        world.senco,
        world.school_a.pk,
        {"sees_sen_records": [False, True]},
    )
    office = login(world.administrator)
    assert office.get(reverse("pupil-plans", args=[world.in_class.pk])).status_code == 200
    assert office.get(reverse("pupil-plans", args=[world.confidential.pk])).status_code == 404

    login(world.senco).post(
        reverse("office-access", args=[world.school_a.urn]), {"membership": membership.pk, "sees_sen_records": "no"}
    )
    assert login(world.administrator).get(reverse("pupil-plans", args=[world.in_class.pk])).status_code == 404
    assert AuditEvent.objects.filter(record_type="office access").count() == 2


@pytest.mark.parametrize("role", ["head", "administrator", "teacher", "outsider", "governor"])
def test_only_the_senco_grants_office_access(world, login, role):
    client = login(getattr(world, role))
    url = reverse("office-access", args=[world.school_a.urn])
    assert client.get(url).status_code == 404
    membership = world.administrator.memberships.get()
    assert client.post(url, {"membership": membership.pk, "sees_sen_records": "yes"}).status_code == 404
    membership.refresh_from_db()
    assert not membership.sees_sen_records


def test_grant_page_changes_only_the_school_office(world, login):
    teacher_membership = world.teacher.memberships.get()
    response = login(world.senco).post(
        reverse("office-access", args=[world.school_a.urn]),
        {"membership": teacher_membership.pk, "sees_sen_records": "yes"},
    )
    assert response.status_code == 404
    teacher_membership.refresh_from_db()
    assert not teacher_membership.sees_sen_records


def test_the_grant_service_refuses_other_roles_and_writes_nothing(world):
    from trellis.audit.models import AuditEvent
    from trellis.pupils.services import RegisterError, set_office_access

    count = AuditEvent.objects.count()
    with pytest.raises(RegisterError, match="school office"):
        set_office_access(membership=world.teacher.memberships.get(), sees_sen_records=True, by=world.senco)
    assert AuditEvent.objects.count() == count


# --- Every route that shows one pupil's data (tests/pupil_routes.py) follows need to know -----

# The provision map is a school's page and "My actions" one's own (both audited pupil by pupil): each
# lists only the pupils its reader may see.
LISTS_BY_PUPIL = {"provision-map", "my-actions"}
PUPIL_PAGES = sorted(
    n for n, route in PAGES_WITH_PUPIL_DATA.items() if route.shows == "pupil" and n not in LISTS_BY_PUPIL
)
PUPIL_API = sorted(op for op, route in API_WITH_PUPIL_DATA.items() if route.shows == "pupil" and "{pupil_id}" in op[1])
# The office's pages of a pupil without the SENCO's grant: the register entry and the CTF it sends on.
OFFICE_REGISTER_PAGES = {"pupil", "pupil-ctf"}


@pytest.fixture
def seeded(world, settings, tmp_path):
    return seed(world, settings, tmp_path)


@pytest.mark.parametrize("name", PUPIL_PAGES)
def test_every_page_of_a_pupil_is_404_outside_need_to_know(seeded, login, name):
    url = PAGES_WITH_PUPIL_DATA[name].url(seeded)
    assert login(seeded.world.outsider).get(url).status_code == 404
    office = login(seeded.world.administrator).get(url).status_code
    assert office == (200 if name in OFFICE_REGISTER_PAGES else 404), office


def test_provision_map_names_no_pupil_to_the_office(seeded, login):
    url = PAGES_WITH_PUPIL_DATA["provision-map"].url(seeded)
    assert "Inclass" in login(seeded.world.senco).get(url).content.decode()
    assert "Inclass" not in login(seeded.world.administrator).get(url).content.decode()


@pytest.mark.parametrize("operation", PUPIL_API)
def test_every_api_read_of_a_pupil_is_404_outside_need_to_know(seeded, login, operation):
    url = API_WITH_PUPIL_DATA[operation].url(seeded)
    assert login(seeded.world.outsider).get(url).status_code == 404
    office = login(seeded.world.administrator).get(url).status_code
    assert office == (200 if operation == ("GET", "/api/v1/pupils/{pupil_id}") else 404)


@pytest.mark.parametrize(
    ("membership", "choice", "status"),
    [("office", "maybe", 302), ("office", "", 302), ("abc", "yes", 404), ("99999999999999999999", "yes", 404)],
)
def test_a_bad_grant_changes_nothing(world, login, membership, choice, status):
    from trellis.audit.models import AuditEvent

    office = world.administrator.memberships.get()
    client = login(world.senco)
    url = reverse("office-access", args=[world.school_a.urn])
    posted = {"membership": office.pk if membership == "office" else membership, "sees_sen_records": choice}
    response = client.post(url, posted)
    assert response.status_code == status
    if status == 302:
        assert "Choose whether Office sees SEN records: yes or no" in client.get(url).content.decode()
    office.refresh_from_db()
    assert not office.sees_sen_records
    assert not AuditEvent.objects.filter(record_type="office access").exists()
