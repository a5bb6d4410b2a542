"""Section-level wording before release (issue 13) for the annual review pack, the EHC needs
assessment request evidence and the transition file: the SENCO changes each narrative section,
because local authorities have their own forms; the figures stay as Trellis makes them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from trellis.audit.models import AuditEvent
from trellis.documents import releases
from trellis.documents.models import Draft
from trellis.documents.registry import get_kind


def _text(node) -> str:
    return " ".join(node.text_content().split())


def _section(page: str, heading: str) -> str:
    """The text from the h2 that starts with `heading` to the next h2."""
    [start] = [h for h in lxml_html.fromstring(page).xpath("//h2") if _text(h).startswith(heading)]
    parts = []
    for node in start.itersiblings():
        if node.tag == "h2":
            break
        parts.append(_text(node))
    return " ".join(parts)


def _draft(client, pupil, kind: str) -> Draft:
    client.post(reverse("document-versions", args=[pupil.pk, kind]))
    return Draft.objects.get(pupil=pupil, kind=kind, release__isnull=True)


def _preview(client, draft: Draft) -> str:
    return client.get(reverse("document-draft-preview", args=[draft.pupil_id, draft.pk])).content.decode()


def test_the_annual_review_draft_offers_a_commentary_for_each_outcome_in_the_plans_order(ehc_review, login):
    client = login(ehc_review.senco)
    draft = _draft(client, ehc_review.other_class, "annual-review")
    talk, read = ehc_review.ehc_plan_outcomes.outcomes.order_by("position")
    page = client.get(reverse("document-draft", args=[draft.pupil_id, draft.pk])).content.decode()
    labels = [_text(label) for label in lxml_html.fromstring(page).xpath("//form//label")]
    assert labels == [
        "Covering note at the top (leave empty for none)",
        "Section A: a summary of the views (shown above the views recorded)",
        "Section B: a summary of the special educational needs (shown above the needs recorded)",
        "Section F: commentary on the provision (shown above the hours table)",
        "Attendance and behaviour: commentary (shown above the figures)",
        "Proposed changes to the EHC plan (replaces the blank table for the meeting)",
        "Section E, outcome 1: commentary (Say how he feels to a familiar adult)",
        "Section E, outcome 2: commentary (Read a simple book)",
    ]
    assert f'name="outcome-{talk.pk}"' in page and f'name="outcome-{read.pk}"' in page


def test_the_senco_rewords_the_annual_review_and_the_figures_stay(ehc_review, login):
    client = login(ehc_review.senco)
    pupil = ehc_review.other_class
    draft = _draft(client, pupil, "annual-review")
    talk, read = ehc_review.ehc_plan_outcomes.outcomes.order_by("position")
    before = _preview(client, draft)
    wording = {
        "version": 1,
        "views_summary": "Sam and his parents feel school is going well.",
        f"outcome-{talk.pk}": "Sam now names four feelings.\n\nThe symbol card is still hard.",
        "proposed_changes": "Add a second outcome for playtimes (section E), agreed by Mrs Otherclass.",
    }
    response = client.post(reverse("document-draft", args=[pupil.pk, draft.pk]), wording)
    assert response.status_code == 302, response.content
    after = _preview(client, draft)

    views = _section(after, "Section A")
    assert views.startswith("Sam and his parents feel school is going well.")
    assert "What I am good at Drawing animals" in views  # the views recorded are still there
    outcomes = lxml_html.fromstring(after).xpath("//section[@class='outcome']")
    assert "<p>Sam now names four feelings.</p>\n\n<p>The symbol card is still hard.</p>" in after
    assert "Sam now names four feelings." in _text(outcomes[0]) and "four feelings." not in _text(outcomes[1])
    assert "1 of 2 achieved or on track" in _text(outcomes[0])  # the figures are Trellis's own
    changes = _section(after, "Proposed changes")
    assert "Add a second outcome for playtimes (section E), agreed by Mrs Otherclass." in changes
    assert "Keep Talk Boost going" in changes  # the meeting's decisions stay
    assert "Changes proposed at the review meeting (to be completed)" in before
    assert "Changes proposed at the review meeting (to be completed)" not in after  # the blank table gives way
    # Sections left empty keep their usual content: the hours table is the same.
    assert _section(after, "Section F") == _section(before, "Section F")

    event = AuditEvent.objects.get(record_type="document draft", action="update", pupil_id=pupil.pk)
    assert event.changes[f"outcome-{talk.pk}"] == ["", "Sam now names four feelings.\n\nThe symbol card is still hard."]
    assert set(event.changes) == {"views_summary", f"outcome-{talk.pk}", "proposed_changes"}


def test_an_outcome_that_is_not_this_pupils_cannot_be_worded(ehc_review, world):
    # A draft for a pupil with no EHC plan outcomes of their own (made directly: the pages refuse it).
    draft = Draft.objects.create(pupil=world.in_class, kind="annual-review", created_by=world.senco)
    talk = ehc_review.ehc_plan_outcomes.outcomes.order_by("position").first()
    with pytest.raises(releases.DocumentProblem, match=f"has no section 'outcome-{talk.pk}'"):
        releases.save_wording(draft=draft, by=world.senco, wording={f"outcome-{talk.pk}": "x"}, version=1)
    with pytest.raises(releases.DocumentProblem, match="has no section 'why_request'"):
        releases.save_wording(draft=draft, by=world.senco, wording={"why_request": "x"}, version=1)


def test_a_second_saver_keeps_their_words_on_the_page_and_the_first_are_not_lost(ehc_request, login):
    pupil = ehc_request.in_class
    first, second = login(ehc_request.senco), login(ehc_request.teacher)
    draft = _draft(first, pupil, "ehc-request")
    url = reverse("document-draft", args=[pupil.pk, draft.pk])
    assert first.post(url, {"version": 1, "graduated_summary": "Two cycles of SEN support."}).status_code == 302
    response = second.post(url, {"version": 1, "graduated_summary": "Reading has not moved."})
    page = response.content.decode()
    assert response.status_code == 200 and "Someone saved this draft since you opened it" in page
    assert "Reading has not moved." in page  # their words are on the page to save again
    assert Draft.objects.get(pk=draft.pk).wording == {"graduated_summary": "Two cycles of SEN support."}


def test_the_senco_rewords_the_ehc_request_and_the_cycles_stay(ehc_request, login):
    client = login(ehc_request.senco)
    pupil = ehc_request.in_class
    draft = _draft(client, pupil, "ehc-request")
    wording = {
        "version": 1,
        "why_request": "Despite two years of support, Sam reads well below age.",
        "graduated_summary": "Two cycles of SEN support, reviewed each term.",
        "provision_summary": "Catch Up Reading worked for others, not for Sam.",
        "advice_summary": "The educational psychologist advised an assessment.",
        "views_summary": "Sam's parents asked for the assessment.",
    }
    assert client.post(reverse("document-draft", args=[pupil.pk, draft.pk]), wording).status_code == 302
    page = _preview(client, draft)
    assert _section(page, "Why the school is asking").startswith("Despite two years of support")
    graduated = _section(page, "The graduated approach")
    assert graduated.startswith("Two cycles of SEN support, reviewed each term.")
    assert "Cycle 1: First plan" in graduated and "Cycle 2: Second plan" in graduated
    assert _section(page, "Provision tried").startswith("Catch Up Reading worked for others, not for Sam.")
    assert _section(page, "Advice from professionals").startswith("The educational psychologist advised")
    assert _section(page, "The views of").startswith("Sam's parents asked for the assessment.")


def test_the_senco_rewords_the_transition_files_strategies_for_the_next_school(ehc_request, login):
    client = login(ehc_request.senco)
    pupil = ehc_request.in_class
    draft = _draft(client, pupil, "transition")
    before = _preview(client, draft)
    wording = {
        "version": 1,
        "about": "Sam is kind and loves drawing.",
        "strategies": "Give one instruction at a time.\n\nUse the word mat for spelling.",
        "next_steps": "Visit twice before September.",
    }
    assert client.post(reverse("document-draft", args=[pupil.pk, draft.pk]), wording).status_code == 302
    page = _preview(client, draft)
    assert _section(page, "About").startswith("Sam is kind and loves drawing.")
    strategies = _section(page, "Strategies that work")
    assert strategies == "Give one instruction at a time. Use the word mat for spelling."
    assert strategies != _section(before, "Strategies that work")
    assert _section(page, "Advice for the next school") == "Visit twice before September."
    # The tables are Trellis's own, whatever the wording.
    assert _section(page, "Provision history and impact") == _section(before, "Provision history and impact")
    assert "Catch Up Reading" in _section(page, "Provision history and impact")


@pytest.mark.pdf
def test_the_released_annual_review_keeps_the_sencos_words(ehc_review):
    pupil, senco = ehc_review.other_class, ehc_review.senco
    read = ehc_review.ehc_plan_outcomes.outcomes.order_by("position").last()
    draft = releases.start_draft(pupil=pupil, kind=get_kind("annual-review"), by=senco)
    releases.save_wording(draft=draft, by=senco, wording={f"outcome-{read.pk}": "Reading is starting."}, version=1)
    made = releases.release(draft=draft, by=senco, today=timezone.localdate())
    outcome = lxml_html.fromstring(made.html).xpath("//section[@class='outcome']")[1]
    assert "Outcome 2: Read a simple book Reading is starting." in _text(outcome)
    assert "Draft" not in _text(lxml_html.fromstring(made.html).xpath("//main")[0])[:10]


def test_who_may_read_but_not_change_a_draft_sees_each_changed_section_under_its_name(ehc_review, login):
    pupil = ehc_review.other_class
    draft = _draft(login(ehc_review.senco), pupil, "annual-review")
    talk = ehc_review.ehc_plan_outcomes.outcomes.order_by("position").first()
    releases.save_wording(draft=draft, by=ehc_review.senco, wording={f"outcome-{talk.pk}": "Good progress."}, version=1)
    page = login(ehc_review.specialist).get(reverse("document-draft", args=[pupil.pk, draft.pk])).content.decode()
    assert "Save the wording" not in page
    assert (
        "<h3>Section E, outcome 1: commentary (Say how he feels to a familiar adult)</h3><p>Good progress.</p>" in page
    )
