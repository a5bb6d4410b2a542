"""Parents and carers: invitations, the family pages, views, agreeing the plan, consent, who may
see what (restricted carers, leavers, separated parents, looked-after children) and the age rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import add_review, make_target

from trellis.accounts.models import User
from trellis.audit.models import AuditEvent
from trellis.evidence.models import EvidenceNote
from trellis.families import services
from trellis.families.age import compulsory_school_age_ends, decides_for_themselves
from trellis.families.models import Carer, Consent, Invitation, ParentView, PlanResponse
from trellis.plans.models import Plan
from trellis.provision.models import Enrolment, Intervention, InterventionGroup
from trellis.pupils.models import ExternalShare, Pupil

from conftest import make_pupil, make_user

FAMILY_PAGES = [
    "family-child",
    "family-targets",
    "family-report",
    "family-shared",
    "family-views",
    "family-agree",
    "family-consent",
]


@pytest.fixture
def family(world):
    """`mum` and (separated) `dad`, each with their own account, of `in_class`, who has a plan."""
    world.mum = make_user("mum")
    world.dad = make_user("dad")
    Carer.objects.create(user=world.mum, pupil=world.in_class, relationship="mother")
    Carer.objects.create(user=world.dad, pupil=world.in_class, relationship="father")
    world.target = make_target(world.in_class)
    world.plan = world.target.plan
    return world


def _events(**filters):
    return AuditEvent.objects.filter(**filters)


# --- The age rule: the last Friday of June of the school year in which they turn 16 ----------


@pytest.mark.parametrize(
    ("born", "ends"),
    [
        (dt.date(2010, 9, 1), dt.date(2027, 6, 25)),  # 16 on 1 Sep 2026: school year 2026-27
        (dt.date(2010, 8, 31), dt.date(2026, 6, 26)),  # 16 on 31 Aug 2026: school year 2025-26
        (dt.date(2011, 3, 15), dt.date(2027, 6, 25)),  # 16 in spring 2027
        (dt.date(2012, 2, 29), dt.date(2028, 6, 30)),  # leap day; 30 June 2028 is itself a Friday
    ],
)
def test_compulsory_school_age_ends_on_the_last_friday_of_june(born, ends):
    assert compulsory_school_age_ends(born) == ends
    assert ends.weekday() == 4 and ends.month == 6 and (ends + dt.timedelta(days=7)).month == 7


def test_the_young_person_decides_from_the_day_after_that_friday():
    born = dt.date(2010, 8, 31)  # compulsory school age ends Friday 26 June 2026
    assert not decides_for_themselves(born, dt.date(2026, 6, 26))
    assert decides_for_themselves(born, dt.date(2026, 6, 27))


# --- Invitations: one-time, in date, hashed, audited -------------------------------------------


def test_the_senco_invites_and_the_link_works_once(world, client, login):
    page = login(world.senco).post(
        reverse("pupil-family", args=[world.in_class.pk]),
        {"invite": "1", "invite-email": "Mum@Example.org", "invite-relationship": "mother"},
    )
    link = page.context["link_url"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == Invitation.hash(token) and token not in invitation.token_hash
    assert invitation.email == "mum@example.org"
    assert _events(record_type="family invitation", action="create", actor=world.senco).count() == 1
    client.logout()
    form = {
        "first_name": "Amira",
        "last_name": "Khan",
        "username": "amira",
        "password": "long-enough-passphrase-42",
        "password_again": "long-enough-passphrase-42",
    }
    response = client.post(reverse("family-sign-up", args=[token]), form)
    assert response.status_code == 302 and response.url == reverse("family-home")
    user = User.objects.get(username="amira")
    assert Carer.objects.get(user=user).pupil == world.in_class
    assert _events(record_type="family invitation", actor=user, summary__contains="used").count() == 1
    client.logout()
    again = client.post(reverse("family-sign-up", args=[token]), form | {"username": "someone"})
    assert again.status_code == 410 and not User.objects.filter(username="someone").exists()


@pytest.mark.dates
def test_an_invitation_expires_after_the_setting_and_not_before(world, client, settings):
    settings.FAMILY_INVITATION_DAYS = 7
    now = timezone.now()
    invitation, token = services.invite(
        pupil=world.in_class, email="a@example.org", relationship="carer", by=world.senco, now=now
    )
    assert invitation.expires_at == now + dt.timedelta(days=7)
    assert services.open_invitation(token, now + dt.timedelta(days=7) - dt.timedelta(seconds=1)) is not None
    assert services.open_invitation(token, now + dt.timedelta(days=7)) is None
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=now - dt.timedelta(seconds=1))
    assert client.get(reverse("family-sign-up", args=[token])).status_code == 410
    assert client.get(reverse("family-sign-up", args=["not-a-token"])).status_code == 410


def test_sign_up_with_bad_input_says_what_and_changes_nothing(world, client):
    _, token = services.invite(pupil=world.in_class, email="a@example.org", relationship="carer", by=world.senco)
    form = {"first_name": "A", "last_name": "B", "username": "senco", "password": "x", "password_again": "y"}
    response = client.post(reverse("family-sign-up", args=[token]), form)
    assert response.status_code == 200
    assert "The two passwords are not the same." in response.content.decode()
    ok = form | {"password": "long-enough-passphrase-42", "password_again": "long-enough-passphrase-42"}
    taken = client.post(reverse("family-sign-up", args=[token]), ok)
    assert "That username is taken" in taken.content.decode()
    assert Invitation.objects.get().used_at is None and not Carer.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "ta", "head", "office", "specialist"])
def test_only_the_senco_opens_the_family_page(world, login, role):
    user = world.administrator if role == "office" else getattr(world, role)
    assert login(user).get(reverse("pupil-family", args=[world.in_class.pk])).status_code == 404


# --- Who sees the family pages ----------------------------------------------------------------


def test_separated_parents_each_see_the_same_child_on_their_own_account(family, login):
    for parent in (family.mum, family.dad):
        response = login(parent).get(reverse("family-child", args=[family.in_class.pk]))
        assert response.status_code == 200 and "Support plan" not in response.context["pupil"].full_name


def test_a_restricted_carer_loses_access_and_the_reason_is_kept(family, login):
    dad_link = Carer.objects.get(user=family.dad)
    url = reverse("pupil-family-restrict", args=[family.in_class.pk, dad_link.pk])
    login(family.senco).post(url, {"restricted": "on", "reason": ""})
    dad_link.refresh_from_db()
    assert not dad_link.restricted  # no reason: nothing changes
    login(family.senco).post(url, {"restricted": "on", "reason": "Court order 12 May 2026"})
    dad_link.refresh_from_db()
    assert dad_link.restricted and dad_link.restricted_reason == "Court order 12 May 2026"
    assert _events(record_type="carer", action="update", actor=family.senco).count() == 1
    for name in FAMILY_PAGES:
        assert login(family.dad).get(reverse(name, args=[family.in_class.pk])).status_code == 404
    assert login(family.dad).get(reverse("family-home")).status_code == 404
    assert login(family.mum).get(reverse("family-child", args=[family.in_class.pk])).status_code == 200


@pytest.mark.dates
def test_access_ends_on_the_day_the_pupil_leaves(family, login):
    today = timezone.localdate()
    url = reverse("family-child", args=[family.in_class.pk])
    Pupil.objects.filter(pk=family.in_class.pk).update(left_on=today + dt.timedelta(days=1))
    assert login(family.mum).get(url).status_code == 200
    Pupil.objects.filter(pk=family.in_class.pk).update(left_on=today)
    assert login(family.mum).get(url).status_code == 404
    assert Carer.objects.filter(user=family.mum).exists()  # derived from the leaving date, not deleted


def test_the_senco_links_a_virtual_school_head_for_a_looked_after_child(world, login):
    Pupil.objects.filter(pk=world.in_class.pk).update(looked_after=True)
    vsh = make_user("vsh")
    url = reverse("pupil-family", args=[world.in_class.pk])
    assert "looked after" in login(world.senco).get(url).content.decode()
    login(world.senco).post(url, {"link": "1", "link-username": "vsh", "link-relationship": "vsh"})
    assert Carer.objects.get(user=vsh).get_relationship_display() == "Virtual school head"
    assert login(vsh).get(reverse("family-child", args=[world.in_class.pk])).status_code == 200
    bad = login(world.senco).post(url, {"link": "1", "link-username": "nobody", "link-relationship": "vsh"})
    assert "There is no account with that username." in bad.content.decode()


# --- What parents see and never see ----------------------------------------------------------


def test_the_plan_page_is_in_plain_words_and_names_no_other_pupil(family, login):
    Plan.objects.filter(pk=family.plan.pk).update(
        needs={"cognition": "Finds reading long words hard"}, review_on=timezone.localdate() + dt.timedelta(days=20)
    )
    intervention = Intervention.objects.create(school=family.school_a, name="Reading catch-up")
    group = InterventionGroup.objects.create(intervention=intervention, starts_on=timezone.localdate())
    for pupil in (family.in_class, family.other_class):
        Enrolment.objects.create(group=group, pupil=pupil, starts_on=timezone.localdate())
    page = login(family.mum).get(reverse("family-child", args=[family.in_class.pk])).content.decode()
    assert "Cognition and learning" in page and "Reading catch-up" in page
    assert "The school will review the plan by" in page
    assert "Otherclass" not in page and "(IEP)" not in page and "cognition" not in page.replace("Cognition", "")


def test_targets_show_progress_and_a_chart(family, login):
    add_review(family.target, "2b", by=family.teacher)
    page = login(family.mum).get(reverse("family-targets", args=[family.in_class.pk])).content.decode()
    assert "<svg" in page and family.target.description in page and "2b" in page


def test_the_report_for_parents_is_on_the_family_pages_with_nothing_staff_only(family, login):
    Plan.objects.filter(pk=family.plan.pk).update(strategies="use a word mat")
    add_review(family.target, "2b", by=family.teacher)
    intervention = Intervention.objects.create(school=family.school_a, name="Reading catch-up")
    group = InterventionGroup.objects.create(intervention=intervention, starts_on=timezone.localdate())
    for pupil in (family.in_class, family.other_class):
        Enrolment.objects.create(group=group, pupil=pupil, starts_on=timezone.localdate())
    EvidenceNote.objects.create(
        pupil=family.in_class,
        date=timezone.localdate(),
        learning_objective="Staff only phonics",
        activity="a",
        outcome="b",
    )
    client = login(family.mum)
    child_page = client.get(reverse("family-child", args=[family.in_class.pk])).content.decode()
    url = reverse("family-report", args=[family.in_class.pk])
    assert f'href="{url}"' in child_page
    page = client.get(url).content.decode()
    assert "<h1>Sam's report for parents and carers</h1>" in page
    assert "Target 1: Read 20 high-frequency words without help." in page
    assert "Use a word mat." in page and "Sam goes to Reading catch-up." in page
    assert "Staff only phonics" not in page and "Otherclass" not in page and family.in_class.upn not in page
    assert f'href="/pupils/{family.in_class.pk}/' not in page  # no link into the staff pages
    assert _events(action="view", actor=family.mum, record_type="family page: report").count() == 1


def test_parents_see_only_notes_staff_shared(family, login):
    today = timezone.localdate()
    for objective, shared in (("Staff only phonics", False), ("Shared counting", True)):
        EvidenceNote.objects.create(
            pupil=family.in_class,
            date=today,
            learning_objective=objective,
            activity="a",
            outcome="b",
            shared_with_family=shared,
        )
    page = login(family.mum).get(reverse("family-shared", args=[family.in_class.pk])).content.decode()
    assert "Shared counting" in page and "Staff only phonics" not in page


def test_a_new_note_is_staff_only_unless_staff_tick_share(world, login):
    url = reverse("evidence-note-new", args=[world.in_class.pk])
    base = {"date_0": "18", "date_1": "11", "date_2": "2026", "learning_objective": "Phonics", "activity": "a"}
    login(world.senco).post(url, base | {"outcome": "first", "once": "k1"})
    login(world.senco).post(url, base | {"outcome": "second", "once": "k2", "shared_with_family": "on"})
    assert dict(EvidenceNote.objects.values_list("outcome", "shared_with_family")) == {"first": False, "second": True}


def test_parent_navigation_has_no_staff_links(family, login):
    client = login(family.mum)
    assert client.get("/").url == reverse("family-home")
    page = client.get(reverse("family-home"))
    assert [link["label"] for link in page.context["nav_links"]] == ["Your children"]
    assert "Inclass" in page.content.decode()
    for staff_page in ("/dashboards/", f"/schools/{family.school_a.urn}/register/", f"/pupils/{family.in_class.pk}/"):
        assert client.get(staff_page).status_code == 404, staff_page


def test_staff_do_not_open_the_family_pages(family, login):
    for user in (family.senco, family.teacher, family.superuser):
        assert login(user).get(reverse("family-child", args=[family.in_class.pk])).status_code == 404


def test_family_pages_ask_a_fixed_number_of_queries(family, login, django_assert_max_num_queries):
    client = login(family.mum)
    for n in range(4):
        extra = make_target(family.in_class, baseline="2c")
        add_review(extra, "2b", by=family.teacher)
        EvidenceNote.objects.create(
            pupil=family.in_class,
            date=timezone.localdate(),
            learning_objective=f"N{n}",
            activity="a",
            outcome="b",
            shared_with_family=True,
        )
        for name in FAMILY_PAGES:
            # The report reads the plans, the groups and the EHC plan as well as the targets: one query each.
            with django_assert_max_num_queries(17 if name == "family-report" else 16):
                assert client.get(reverse(name, args=[family.in_class.pk])).status_code == 200


# --- Views, agreeing the plan, consent: recorded and audited ----------------------------------


def test_views_are_saved_against_the_plan_and_audited(family, login):
    url = reverse("family-views", args=[family.in_class.pk])
    response = login(family.mum).post(url, {"text": "Reading at home is going well."})
    assert response.status_code == 302
    view = ParentView.objects.get()
    assert (view.plan, view.author, view.plan_version) == (family.plan, family.mum, family.plan.version)
    assert _events(record_type="parent views", actor=family.mum, pupil_id=family.in_class.pk).count() == 1
    empty = login(family.mum).post(url, {"text": "   "})
    assert empty.status_code == 200 and ParentView.objects.count() == 1


def test_agreeing_records_the_version_agreed_and_a_stale_form_changes_nothing(family, login):
    url = reverse("family-agree", args=[family.in_class.pk])
    Plan.objects.filter(pk=family.plan.pk).update(version=3)
    login(family.mum).post(url, {"answer": "agree", "version": "3"})
    response = PlanResponse.objects.get()
    assert (response.answer, response.plan_version, response.author) == ("agree", 3, family.mum)
    assert _events(record_type="plan agreement", actor=family.mum).get().changes["plan_version"] == [None, 3]
    stale = login(family.dad).post(url, {"answer": "agree", "version": "2"})
    assert "changed the plan while you were reading it" in stale.content.decode()
    no_reason = login(family.dad).post(url, {"answer": "change", "version": "3", "comment": ""})
    assert "Say what you would like to change." in no_reason.content.decode()
    assert PlanResponse.objects.count() == 1
    login(family.dad).post(url, {"answer": "change", "version": "3", "comment": "Add a friendship target"})
    assert PlanResponse.objects.filter(author=family.dad, answer="change").exists()


def test_a_draft_plan_cannot_be_answered(family, login):
    Plan.objects.filter(pk=family.plan.pk).update(state=Plan.State.DRAFT)
    url = reverse("family-agree", args=[family.in_class.pk])
    assert login(family.mum).post(url, {"answer": "agree", "version": "1"}).status_code == 404
    assert not PlanResponse.objects.exists()


@pytest.mark.dates
def test_withdrawing_consent_to_share_ends_the_share_at_once(world, login):
    mum = make_user("mum")
    Carer.objects.create(user=mum, pupil=world.other_class, relationship="mother")  # shared with `specialist`
    url = reverse("family-consent", args=[world.other_class.pk])
    pupil_url = reverse("pupil", args=[world.other_class.pk])
    assert login(world.specialist).get(pupil_url).status_code == 200
    login(mum).post(url, {"kind": "share", "given": "1"})
    login(mum).post(url, {"kind": "share", "given": "0"})
    assert login(world.specialist).get(pupil_url).status_code == 404
    share = ExternalShare.objects.get(pupil=world.other_class, specialist=world.specialist)
    assert share.expires_on == timezone.localdate() - dt.timedelta(days=1)
    assert list(Consent.objects.filter(pupil=world.other_class).values_list("given", flat=True)) == [False, True]
    assert _events(record_type="consent", actor=mum).count() == 2
    assert _events(record_type="share with specialist", actor=mum, action="update").count() == 1


@pytest.mark.dates
def test_a_young_person_over_compulsory_school_age_decides_not_the_parent(world, login):
    today = timezone.localdate()
    # Turned 16 two school years ago: compulsory school age has ended whatever the day.
    older = make_pupil(world.school_a, surname="Older", nc_year=13)
    Pupil.objects.filter(pk=older.pk).update(date_of_birth=dt.date(today.year - 18, 1, 1))
    older.refresh_from_db()
    mum = make_user("mum")
    Carer.objects.create(user=mum, pupil=older, relationship="mother")
    url = reverse("family-consent", args=[older.pk])
    assert "old enough to make these choices" in login(mum).get(url).content.decode()
    assert login(mum).post(url, {"kind": "ehc", "given": "1"}).status_code == 404
    assert not Consent.objects.exists()
    with pytest.raises(services.FamilyError, match="decides this for themselves"):
        services.set_consent(pupil=older, kind="ehc", given=True, by=mum, today=today)


def test_the_senco_sees_what_the_family_said(family, login):
    services.add_views(plan=family.plan, by=family.mum, text="Mornings are hard.")
    services.answer_plan(
        plan=family.plan, by=family.dad, answer="change", version=family.plan.version, comment="More PE"
    )
    page = login(family.senco).get(reverse("pupil-family", args=[family.in_class.pk])).content.decode()
    assert "Mornings are hard." in page and "asked for a change" in page and "More PE" in page


def test_a_teacher_who_is_also_a_parent_finds_their_children_from_their_account(world, login):
    Carer.objects.create(user=world.teacher, pupil=world.pupil_b, relationship="father")
    client = login(world.teacher)
    assert reverse("family-home") in client.get(reverse("account")).content.decode()
    assert client.get(reverse("family-child", args=[world.pupil_b.pk])).status_code == 200
    assert client.get(reverse("pupil", args=[world.pupil_b.pk])).status_code == 404  # not a pupil they teach
    assert reverse("family-home") not in login(world.senco).get(reverse("account")).content.decode()
