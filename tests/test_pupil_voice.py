"""The pupil's voice page: staff start it with the pupil, the session is locked to it until the staff
member's password is entered (wrong ones throttled like signing in), and the answers are saved
against the targets, audited, and shown to staff on each target."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import make_target

from trellis.audit.models import AuditEvent
from trellis.evidence.models import PupilVoiceEntry
from trellis.evidence.voice_lock import SESSION_KEY

from conftest import PASSWORD


@pytest.fixture
def voice(world):
    world.read = make_target(world.in_class, description="read twenty words without help")
    world.count = make_target(world.in_class, description="Count on from 10", position=2)
    world.old = make_target(world.in_class, description="Old closed target", closed_on=timezone.localdate())
    return world


def started(client, world):
    """The teacher starts pupil voice with `in_class`: the session is now locked to them."""
    url = reverse("pupil-voice", args=[world.in_class.pk])
    response = client.post(url)
    assert response.status_code == 302 and response.url == url
    return url


def test_the_start_page_explains_the_lock_and_locks_only_when_asked(voice, login):
    client = login(voice.teacher)
    url = reverse("pupil-voice", args=[voice.in_class.pk])
    page = client.get(url).content.decode()
    assert "This device will be locked" in page and "Start and lock this device" in page
    assert SESSION_KEY not in client.session  # opening it locks nothing
    started(client, voice)
    assert client.session[SESSION_KEY] == voice.in_class.pk


def test_the_pupil_sees_their_current_targets_in_plain_words_with_three_answers(voice, login):
    client = login(voice.teacher)
    page = client.get(started(client, voice)).content.decode()
    assert "Read twenty words without help." in page  # a sentence: capital letter and full stop
    assert "Count on from 10." in page
    assert "Old closed target" not in page
    for symbol, words in (("👍", "I can"), ("🙂", "Getting there"), ("🌱", "Not yet")):
        assert symbol in page and words in page
    assert 'src="/static/trellis/voice.js"' in page
    assert 'href="/sign-out/"' not in page and "Your account" not in page  # no way round the lock


def test_answers_are_saved_against_each_target_audited_and_shown_to_staff(voice, login):
    client = login(voice.teacher)
    url = started(client, voice)
    form = {
        "once": "voice-1",
        f"rating_{voice.read.pk}": "3",
        f"words_{voice.read.pk}": "I read to my mum",
        f"rating_{voice.count.pk}": "1",
    }
    response = client.post(url, form, follow=True)
    assert "Thank you! Your answers are saved." in response.content.decode()
    entries = {e.target_id: e for e in PupilVoiceEntry.objects.all()}
    assert set(entries) == {voice.read.pk, voice.count.pk}
    assert entries[voice.read.pk].rating == PupilVoiceEntry.Rating.CAN_DO
    assert entries[voice.read.pk].comment == "I read to my mum"
    assert entries[voice.count.pk].rating == PupilVoiceEntry.Rating.NOT_YET
    assert entries[voice.count.pk].recorded_by == voice.teacher
    events = AuditEvent.objects.filter(record_type="pupil voice", action="create", pupil_id=voice.in_class.pk)
    assert sorted(events.values_list("record_id", flat=True)) == sorted(str(e.pk) for e in entries.values())
    assert events.get(record_id=str(entries[voice.read.pk].pk)).changes["words"] == [None, "I read to my mum"]
    # The same page posted again (a double tap) saves nothing more.
    client.post(url, form)
    assert PupilVoiceEntry.objects.count() == 2
    client.post(reverse("pupil-voice-leave"), {"password": PASSWORD})
    target_page = login(voice.senco).get(reverse("target", args=[voice.read.pk])).content.decode()
    assert "I can do it" in target_page and "“I read to my mum”" in target_page


def test_nothing_chosen_or_words_without_an_answer_says_what_and_saves_nothing(voice, login):
    client = login(voice.teacher)
    url = started(client, voice)
    empty = client.post(url, {"once": "a"}).content.decode()
    assert "Choose an answer for at least one target." in empty
    words_only = client.post(
        url, {"once": "b", f"rating_{voice.read.pk}": "2", f"words_{voice.count.pk}": "hard"}
    ).content.decode()
    assert "Choose an answer for this target as well as the words" in words_only
    off_scale = client.post(url, {"once": "c", f"rating_{voice.read.pk}": "4"}).content.decode()
    assert "Select a valid choice" in off_scale
    assert not PupilVoiceEntry.objects.exists()


def test_another_pupils_or_a_closed_target_is_refused(voice, login):
    from trellis.evidence import services

    theirs = make_target(voice.other_class)
    for target in (theirs, voice.old):
        with pytest.raises(services.EvidenceError, match=f"Target {target.pk} is not one of this pupil's current"):
            services.record_voice_answers(
                pupil=voice.in_class,
                by=voice.teacher,
                date=voice.read.starts_on,
                answers=[
                    services.VoiceAnswer(target=voice.read, rating=3),
                    services.VoiceAnswer(target=target, rating=1),
                ],
            )
    assert not PupilVoiceEntry.objects.exists()


def test_while_locked_every_other_page_asks_for_the_password(voice, login):
    client = login(voice.senco)
    started(client, voice)
    others = [
        reverse("pupil", args=[voice.in_class.pk]),
        reverse("pupil-evidence", args=[voice.in_class.pk]),
        reverse("pupil", args=[voice.other_class.pk]),
        reverse("pupil-voice", args=[voice.other_class.pk]),
        reverse("register", args=[voice.school_a.urn]),
        reverse("home"),
        reverse("account"),
        reverse("target", args=[voice.read.pk]),
        f"/api/v1/pupils/{voice.in_class.pk}",
        "/no-such-page/",
    ]
    for url in others:
        response = client.get(url)
        assert response.status_code == 423, url
        page = response.content.decode()
        assert "Unlock this tablet" in page and 'name="password"' in page, url
        assert "Inclass" not in page and "Otherclass" not in page, url
    # Writes are refused too, signing out included: the tablet stays with the pupil's page.
    assert client.post(reverse("logout")).status_code == 423
    assert client.post(reverse("pupil-voice", args=[voice.other_class.pk])).status_code == 423
    assert client.session[SESSION_KEY] == voice.in_class.pk
    assert client.get(reverse("pupil-voice", args=[voice.in_class.pk])).status_code == 200


def test_the_right_password_unlocks_and_a_wrong_one_does_not(voice, login):
    client = login(voice.teacher)
    started(client, voice)
    leave = reverse("pupil-voice-leave")
    wrong = client.post(leave, {"password": "not-my-password"})
    assert wrong.status_code == 200 and "That is not your password" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 423
    assert AccessAttempt.objects.get(username="teacher").failures_since_start == 1
    blank = client.post(leave, {"password": ""})
    assert "Enter your password to unlock this tablet" in blank.content.decode()
    right = client.post(leave, {"password": PASSWORD})
    assert right.status_code == 302 and right.url == reverse("pupil-evidence", args=[voice.in_class.pk])
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 200


def test_another_persons_password_does_not_unlock(voice, login):
    client = login(voice.teacher)
    started(client, voice)
    voice.senco.set_password("the-senco-password")
    voice.senco.save()
    client.post(reverse("pupil-voice-leave"), {"password": "the-senco-password"})
    assert client.session[SESSION_KEY] == voice.in_class.pk


def test_wrong_passwords_lock_the_account_as_signing_in_does(voice, login, settings):
    client = login(voice.teacher)
    started(client, voice)
    leave = reverse("pupil-voice-leave")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(leave, {"password": "guess"}).status_code == 200
    locked = client.post(leave, {"password": "guess"})
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    # Now even the right password is refused until the lockout ends or an administrator lifts it,
    # and the session is still locked to the pupil.
    still = client.post(leave, {"password": PASSWORD})
    assert still.status_code == 429 and client.session[SESSION_KEY] == voice.in_class.pk
    assert client.get(reverse("home")).status_code == 423
    # Signing in elsewhere is locked the same way.
    fresh = type(client)()
    response = fresh.post("/sign-in/", {"username": "teacher", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429


def test_leaving_when_not_locked_goes_home(voice, login):
    assert login(voice.teacher).get(reverse("pupil-voice-leave")).url == reverse("home")


@pytest.mark.parametrize("role", ["office", "governor", "specialist", "other_teacher", "outsider", "parent"])
def test_only_staff_who_record_evidence_for_the_pupil_may_start_it(voice, login, role):
    from trellis.families.models import Carer

    from conftest import make_user

    if role == "parent":
        voice.parent = make_user("parent")
        Carer.objects.create(user=voice.parent, pupil=voice.in_class, relationship="mother")
    user = voice.administrator if role == "office" else getattr(voice, role)
    client = login(user)
    url = reverse("pupil-voice", args=[voice.in_class.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert SESSION_KEY not in client.session
