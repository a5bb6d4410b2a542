"""Drafts, release and the send log (issue 13): a released version never changes, whatever
happens to the record afterwards; each hand-over is logged and audited; the family sees what was
shared with them and nothing else."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import make_target

from trellis.audit.models import AuditEvent
from trellis.documents import releases
from trellis.documents.models import Draft, Release, Sending
from trellis.documents.registry import get_kind
from trellis.families.models import Carer

from conftest import make_user

pytestmark = pytest.mark.pdf

OPENING = "Northshire County Council asks every school to use this introduction.\n\nSee <b>our</b> leaflet."


def _text(pdf: bytes) -> str:
    done = subprocess.run([shutil.which("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
    return " ".join(done.stdout.decode().split())


def _released(client, pupil, *, opening: str = OPENING, kind: str = "parent-report") -> Release:
    """Start a draft, change its opening, release it: as a SENCO would, through the pages."""
    response = client.post(reverse("document-versions", args=[pupil.pk, kind]))
    draft = Draft.objects.get(pupil=pupil, kind=kind, release__isnull=True)
    assert response.url == reverse("document-draft", args=[pupil.pk, draft.pk])
    wording = {"opening": opening} if kind == "parent-report" else {"cover": opening}
    response = client.post(reverse("document-draft", args=[pupil.pk, draft.pk]), {"version": 1, **wording})
    assert response.status_code == 302, response.content
    response = client.post(reverse("document-release", args=[pupil.pk, draft.pk]))
    made = Release.objects.get(draft=draft)
    assert response.url == reverse("document-released", args=[pupil.pk, made.pk])
    return made


def test_a_released_pdf_does_not_change_when_the_record_does(world, login):
    client = login(world.senco)
    pupil = world.in_class
    made = _released(client, pupil)
    assert made.number == 1 and made.intact and len(made.sha256) == 64
    released_text = _text(bytes(made.pdf))
    assert "Northshire County Council asks every school" in released_text
    assert "has no targets at the moment" in released_text
    assert "Version 1, released on 18 November 2026" in released_text
    # The SENCO's words are plain text: two paragraphs, the tags shown as typed, never as HTML.
    assert "<p>Northshire County Council asks every school to use this introduction.</p>" in made.html
    assert "<p>See &lt;b&gt;our&lt;/b&gt; leaflet.</p>" in made.html

    # Later: a new name and a first target. Today's version shows them; the released one does not.
    pupil.preferred_forename = "Robin"
    pupil.save()
    make_target(pupil, description="Spell ten words from the word mat")
    today = client.get(reverse("pupil-document", args=[pupil.pk, "parent-report"])).content.decode()
    assert "Robin's report" in today and "Spell ten words from the word mat" in today
    download = client.get(reverse("document-released-pdf", args=[pupil.pk, made.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="parent-report-{pupil.upn}-v1.pdf"'
    assert download.content == bytes(made.pdf)
    assert "Robin" not in _text(download.content) and "Spell ten words" not in _text(download.content)


def test_a_released_version_refuses_every_change(world, login):
    made = _released(login(world.senco), world.in_class)
    made.html = "<p>changed</p>"
    with pytest.raises(PermissionError):
        made.save()
    with pytest.raises(PermissionError):
        Release.objects.filter(pk=made.pk).update(html="changed")
    with pytest.raises(PermissionError):
        made.delete()
    with pytest.raises(PermissionError):
        Release.objects.filter(pk=made.pk).delete()
    with pytest.raises(releases.DocumentProblem, match="has been released"):
        releases.save_wording(draft=made.draft, by=world.senco, wording={"opening": "x"}, version=2)
    with pytest.raises(releases.DocumentProblem, match="already been released"):
        releases.release(draft=made.draft, by=world.senco, today=timezone.localdate())
    assert Release.objects.get(pk=made.pk).html != "<p>changed</p>"


def test_the_second_release_is_version_two_from_a_new_draft(world, login):
    client = login(world.senco)
    first = _released(client, world.in_class, opening="First words.")
    second = _released(client, world.in_class, opening="Second words.")
    assert (first.number, second.number) == (1, 2)
    assert first.draft_id != second.draft_id
    assert "First words." in _text(bytes(first.pdf)) and "Second words." in _text(bytes(second.pdf))
    events = AuditEvent.objects.filter(record_type="released document", action="create", pupil_id=world.in_class.pk)
    assert sorted(e.summary for e in events) == [
        "Released Report for parents and carers, version 1",
        "Released Report for parents and carers, version 2",
    ]


def test_wording_is_checked_section_by_section(world):
    draft = releases.start_draft(pupil=world.in_class, kind=get_kind("parent-report"), by=world.teacher)
    with pytest.raises(releases.DocumentProblem, match="has no section 'targets'"):
        releases.save_wording(draft=draft, by=world.teacher, wording={"targets": "x"}, version=1)
    with pytest.raises(releases.DocumentProblem, match="at most 5,000 characters \\(this has 5,001\\)"):
        releases.save_wording(draft=draft, by=world.teacher, wording={"closing": "x" * 5001}, version=1)
    saved = releases.save_wording(
        draft=draft, by=world.teacher, wording={"closing": " Thank you.\u202e \r\n", "opening": ""}, version=1
    )
    assert saved.wording == {"closing": "Thank you."}  # trimmed, no bidirectional override, empty left out
    with pytest.raises(releases.DocumentProblem, match="Someone saved this draft since you opened it"):
        releases.save_wording(draft=draft, by=world.senco, wording={"closing": "Bye."}, version=1)
    event = AuditEvent.objects.get(record_type="document draft", action="update", pupil_id=world.in_class.pk)
    assert event.changes == {"closing": ["", "Thank you."]}
    # One open draft a kind: starting again opens the same one.
    assert releases.start_draft(pupil=world.in_class, kind=get_kind("parent-report"), by=world.senco) == draft


def test_a_teacher_drafts_but_only_the_senco_or_a_leader_releases(world, login):
    client = login(world.teacher)
    client.post(reverse("document-versions", args=[world.in_class.pk, "passport"]))
    draft = Draft.objects.get(pupil=world.in_class, kind="passport")
    page = client.get(reverse("document-draft", args=[world.in_class.pk, draft.pk])).content.decode()
    assert "Save the wording" in page and "Release this version" not in page
    assert client.post(reverse("document-release", args=[world.in_class.pk, draft.pk])).status_code == 404
    assert not Release.objects.exists()
    # A pupil they do not teach: no draft, no page.
    assert client.post(reverse("document-versions", args=[world.other_class.pk, "passport"])).status_code == 404
    assert client.get(reverse("document-draft", args=[world.other_class.pk, draft.pk])).status_code == 404
    head = login(world.head)
    assert head.post(reverse("document-release", args=[world.in_class.pk, draft.pk])).status_code == 302
    assert Release.objects.get().released_by == world.head


def test_the_send_log_says_which_version_went_to_whom_and_how(world, login):
    client = login(world.senco)
    made = _released(client, world.in_class)
    url = reverse("document-released", args=[world.in_class.pk, made.pk])
    # Downloaded to post to the local authority: the answer is the PDF itself.
    response = client.post(url, {"recipient": "la", "recipient_name": "Northshire SEND team", "method": "download"})
    assert response["Content-Type"] == "application/pdf" and response.content == bytes(made.pdf)
    # Emailed to a named person: the PDF is attached, byte for byte.
    response = client.post(
        url, {"recipient": "person", "recipient_name": "Dr Ada Jones", "method": "email", "email": "ada@example.org"}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"]
    assert message.attachments[0][0] == f"parent-report-{world.in_class.upn}-v1.pdf"
    assert message.attachments[0][1] == bytes(made.pdf)
    # Nobody named: refused, nothing logged.
    response = client.post(url, {"recipient": "next_school", "method": "download"})
    assert "Enter who it went to" in response.content.decode()
    log = [(s.recipient, s.recipient_name, s.method, s.email) for s in Sending.objects.order_by("pk")]
    assert log == [
        ("la", "Northshire SEND team", "download", ""),
        ("person", "Dr Ada Jones", "email", "ada@example.org"),
    ]
    exports = AuditEvent.objects.filter(record_type="released document", action="export").order_by("pk")
    assert [e.summary for e in exports] == [
        "Report for parents and carers, version 1 to Northshire SEND team (downloaded to print or post)",
        "Report for parents and carers, version 1 to Dr Ada Jones (emailed)",
    ]
    page = client.get(url).content.decode()
    assert "Northshire SEND team" in page and "Dr Ada Jones" in page


def test_the_family_sees_what_was_shared_with_them_and_nothing_else(world, login):
    mother = make_user("mother", email="mum@example.org")
    mother.first_name, mother.last_name = "Jo", "Bloggs"
    mother.save()
    father = make_user("father")
    mum = Carer.objects.create(user=mother, pupil=world.in_class, relationship="mother")
    Carer.objects.create(user=father, pupil=world.in_class, relationship="father")
    senco = login(world.senco)
    made = _released(senco, world.in_class)
    url = reverse("document-released", args=[world.in_class.pk, made.pk])
    response = senco.post(url, {"recipient": "carer", "carer": mum.pk, "method": "family_page"})
    assert response.status_code == 302
    assert Sending.objects.get().recipient_name == "Jo Bloggs"

    shared = reverse("family-shared", args=[world.in_class.pk])
    document = reverse("family-document", args=[world.in_class.pk, made.pk])
    page = login(mother).get(shared).content.decode()
    assert "Report for parents and carers" in page and document in page
    download = login(mother).get(document)
    assert download.content == bytes(made.pdf)
    assert AuditEvent.objects.filter(actor=mother, action="export", pupil_id=world.in_class.pk).count() == 1
    # The father's link is separate: nothing was shared with him.
    assert "has not shared any documents with you yet" in login(father).get(shared).content.decode()
    assert login(father).get(document).status_code == 404


def test_a_staff_document_is_not_shared_on_the_family_pages(world, login):
    mum = Carer.objects.create(user=make_user("mother"), pupil=world.in_class, relationship="mother")
    senco = login(world.senco)
    made = _released(senco, world.in_class, kind="ehc-request")
    response = senco.post(
        reverse("document-released", args=[world.in_class.pk, made.pk]),
        {"recipient": "carer", "carer": mum.pk, "method": "family_page"},
    )
    assert "is written for staff: share it on paper or by email instead" in response.content.decode()
    assert not Sending.objects.exists()


def test_the_versions_page_asks_the_same_queries_for_one_release_or_three(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    made = _released(client, world.in_class)
    Sending.objects.create(release=made, recipient="la", recipient_name="LA", method="download", sent_by_name="s")
    url = reverse("document-versions", args=[world.in_class.pk, "parent-report"])
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    queries = len(one.captured_queries)  # read now: the log is a window that later requests empty
    for _ in range(2):
        again = _released(client, world.in_class)
        Sending.objects.create(release=again, recipient="la", recipient_name="LA", method="download", sent_by_name="s")
    with django_assert_max_num_queries(queries):
        page = client.get(url).content.decode()
    assert page.count("Northshire County Council") == 0 and page.count("Downloaded to print or post to LA") == 3
