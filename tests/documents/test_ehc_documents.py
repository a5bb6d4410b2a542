"""The EHC plan annual review pack and the evidence for an EHC needs assessment request (issue 13):
hand-worked figures for each section on the small records of tests/fixtures_ehc_documents.py,
refusal without an EHC plan, need to know, audit, constant queries and tagged PDFs."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import html as lxml_html

from tests.fixtures_ehc_documents import add_target, group_with_sessions, note, review
from trellis.audit.models import AuditEvent
from trellis.documents import services
from trellis.documents.registry import get_kind
from trellis.evidence.models import WeeklyRecord
from trellis.families.models import Carer

D = dt.date


def _page(slug: str, pupil) -> str:
    return services.render_html(get_kind(slug), pupil, None, today=timezone.localdate())


def _text(node) -> str:
    return " ".join(node.text_content().split())


def _table(page: str, caption: str) -> list[list[str]]:
    """The rows (header first) of the table whose caption starts with `caption`."""
    tree = lxml_html.fromstring(page)
    [table] = [t for t in tree.xpath("//table") if _text(t.xpath("caption")[0]).startswith(caption)]
    return [[_text(cell) for cell in row.xpath("th|td")] for row in table.xpath(".//tr")]


def _section(page: str, heading: str) -> str:
    """The text from the h2 that starts with `heading` to the next h2."""
    tree = lxml_html.fromstring(page)
    [start] = [h for h in tree.xpath("//h2") if _text(h).startswith(heading)]
    parts = []
    for node in start.itersiblings():
        if node.tag == "h2":
            break
        parts.append(_text(node))
    return " ".join(parts)


# --- The annual review pack ----------------------------------------------------------------------


def test_annual_review_follows_the_order_of_the_plans_sections(ehc_review):
    page = _page("annual-review", ehc_review.other_class)
    headings = [_text(h) for h in lxml_html.fromstring(page).xpath("//h2")]
    assert headings == [
        "Section A: The views, interests and aspirations of the child and their parents",
        "Section B: Special educational needs",
        "Section E: Outcomes",
        "Section F: Special educational provision",
        "Attendance and behaviour",
        "Section K: Advice and information",
        "Proposed changes to the EHC plan",
    ]
    assert "Trellis keeps nothing for sections C, D, G, H1, H2, I, J" in page
    assert "Period under review 20 November 2025 to 18 November 2026" in _text(lxml_html.fromstring(page))


def test_annual_review_outcomes_show_each_targets_progress_and_evidence_in_the_period(ehc_review):
    page = _page("annual-review", ehc_review.other_class)
    outcomes = _section(page, "Section E")
    # Outcome 1: one target reached 2a (achieved), one still at its 2c baseline (off track).
    assert "Outcome 1: Say how he feels to a familiar adult 1 of 2 achieved or on track." in outcomes
    assert "Latest: 2a on 10 November 2026. Status: Achieved. Reviews in the period: 2." in outcomes
    assert "Latest: 2c on 12 November 2026. Status: Off track. Reviews in the period: 2." in outcomes
    # Four notes in the period (the one from October 2025 is before it): the newest three are shown.
    assert "Evidence in the period (4 notes, the newest 3 here)" in outcomes
    assert "10 Oct 2026, Feelings 10 Oct" in outcomes and "20 Sep 2026, Feelings 20 Sep" in outcomes
    assert "Feelings 10 Sep" not in outcomes and "Before the period" not in outcomes
    assert "Outcome 2: Read a simple book 0 of 1 achieved or on track." in outcomes
    assert "An old target" not in outcomes  # closed before the period began
    assert "Targets not linked to an outcome 0 of 1 achieved or on track. Line up calmly" in outcomes


def test_annual_review_hours_specified_against_delivered(ehc_review):
    rows = _table(_page("annual-review", ehc_review.other_class), "Provision the EHC plan specifies")
    assert rows[1:] == [
        # 1 September to 18 November: 61 + 18 = 79 school days / 7 = 11.3 weeks x 1 hour; no sessions.
        ["Speech and language therapy", "1", "1 Sep 2026", "11.3", "11.3", "0.0", "0.0%"],
        # 2 to 15 November: 14 days = 2.0 weeks x 1.5 hours = 3.0; 4 of 6 sessions of 30 minutes = 2.0 hours.
        ["Talk Boost in a small group", "1.5", "2 Nov 2026", "2.0", "3.0", "2.0", "66.7%"],
        # 2.0 of 14.3 hours = 13.99%.
        ["All provision", "", "", "", "14.3", "2.0", "14.0%"],
    ]
    provision = _table(_page("annual-review", ehc_review.other_class), "Provision during the period")
    assert provision[1][:5] == [
        "Talk Boost",
        "2 Nov 2026 to 15 Nov 2026",
        "2 weeks",
        "3 x 30 minutes a week",
        "4 of 6 sessions (66.7%)",
    ]


def test_annual_review_attendance_and_behaviour_by_half_term(ehc_review):
    rows = _table(_page("annual-review", ehc_review.other_class), "Attendance and behaviour points")
    assert rows[1:] == [
        # The week of 1 December 2025 is in the period but in no half term on record; 10 November 2025 is before it.
        ["Weeks outside the school's terms", "1", "6 of 10", "60.0%", "0 (0.0)", "2 (2.0)"],
        ["Autumn 1 2026/27", "2", "19 of 20", "95.0%", "8 (4.0)", "1 (0.5)"],
        ["Autumn 2 2026/27", "2", "15 of 18", "83.3%", "6 (3.0)", "4 (2.0)"],
        # 40 of 48 = 83.33%; 14 and 7 points over 5 weeks.
        ["All weeks", "5", "40 of 48", "83.3%", "14 (2.8)", "7 (1.4)"],
    ]


def test_annual_review_views_advice_and_proposed_changes(ehc_review):
    page = _page("annual-review", ehc_review.other_class)
    views = _section(page, "Section A")
    assert "What I am good at Drawing animals" in views and "What helps me A quiet corner" in views
    assert _table(page, 'Sam\'s "I can" statements')[1] == [
        "5 Oct 2026",
        "I can say how I feel",
        "Getting there",
        "With the pupil",
    ]
    assert "In the plan: Mum says mornings are calmer" in views
    assert "Mrs Otherclass, 18 November 2026: He talks more at home now" in views
    assert "An old view" not in views  # written before the period
    advice = _section(page, "Section K")
    assert "had Sam's record from 18 November 2026 until 18 December 2026" in advice
    assert "15 October 2026: Ask the speech and language therapist to assess" in advice
    changes = _section(page, "Proposed changes")
    # The latest pupil progress meeting's decisions, then room for the meeting's own.
    assert "From the pupil progress meeting on 15 October 2026" in changes
    assert "Continue a provision: Keep Talk Boost going" in changes and "Stop the old group" not in changes
    rows = _table(page, "Changes proposed at the review meeting")
    assert rows[0] == ["Section", "Proposed change", "Agreed by"] and len(rows) == 5


def test_annual_review_is_refused_for_a_pupil_without_an_ehc_plan(world, login, tmp_path):
    pupil = world.in_class  # SEN support
    before = AuditEvent.objects.count()
    response = login(world.senco).get(f"/pupils/{pupil.pk}/documents/annual-review/")
    assert response.status_code == 409
    assert "Sam Inclass has no EHC plan, so there is no annual review pack to make." in response.content.decode()
    assert login(world.senco).get(f"/pupils/{pupil.pk}/documents/annual-review.pdf").status_code == 409
    assert AuditEvent.objects.count() == before  # nothing made, nothing exported
    with pytest.raises(CommandError, match="has no EHC plan"):
        call_command("render_document", "annual-review", "--pupil", pupil.upn, "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
    # The evidence for a request is for any pupil.
    assert login(world.senco).get(f"/pupils/{pupil.pk}/documents/ehc-request/").status_code == 200


# --- The evidence for an EHC needs assessment request --------------------------------------------


def test_ehc_request_shows_every_plan_cycle_with_its_versions_and_results(ehc_request):
    page = _page("ehc-request", ehc_request.in_class)
    cycles = _section(page, "The graduated approach")
    assert "Cycle 1: First plan, 10 Sep 2025 to 1 Sep 2026" in cycles
    assert "Cycle 2: Second plan, 1 Sep 2026 to 18 Nov 2026" in cycles
    assert "Passport" not in cycles  # a profile, not a plan cycle
    assert "2 of 3 targets achieved. Achieved: 2; Off track: 1." in cycles
    assert "1 of 2 targets achieved. Achieved: 1; Not reviewed: 1." in cycles
    assert "Changed 1 time: version 1 in force from 18 Nov 2026" in cycles  # the strategies were changed
    assert "Interventions: Catch Up Reading." in cycles and "Interventions: Talk Boost." in cycles
    rows = _table(page, "Targets of cycle 1")
    assert rows[3] == ["Write a sentence", "2c (NC levels)", "2a", "2c on 1 Jun 2026", "Off track"]


def test_ehc_request_provision_tried_how_long_how_often_attendance_and_effect(ehc_request):
    rows = _table(_page("ehc-request", ehc_request.in_class), "Every provision tried")
    assert [row[:5] for row in rows[1:]] == [
        ["Catch Up Reading", "5 Jan 2026 to 13 Feb 2026", "6 weeks", "3 x 30 minutes a week", "No sessions logged"],
        # 7 September to 16 October: 40 days = 6 weeks; away on 9 September.
        ["Talk Boost", "7 Sep 2026 to 16 Oct 2026", "6 weeks", "3 x 30 minutes a week", "3 of 4 sessions (75.0%)"],
    ]
    assert rows[1][5] == "Developmental scale: emerging to emerging (0 steps, target +1 not met)"


def test_ehc_request_compares_with_other_pupils_without_names_or_small_numbers(ehc_request):
    page = _page("ehc-request", ehc_request.in_class)
    # Six others had a result and five met their target: the one who did not is a count under 5,
    # so it is withheld, and so is "met" beside it (6 - 5 would give the 1 away).
    rows = _table(page, "Interventions where most other pupils met their target")
    assert rows[1:] == [["Catch Up Reading", "Developmental scale", "withheld", "6"]]
    for n in range(6):
        assert f"Other{n}" not in page
    assert "Kim" not in page


def test_worked_for_others_shows_figures_a_large_enough_group_allows(ehc_request, monkeypatch):
    from trellis.documents import pupil_record
    from trellis.provision.evaluation import NotForThisPupil

    found = {}
    for others, met in [(7, 7), (10, 5), (3, 2)]:
        result = [NotForThisPupil("Catch Up Reading", "Developmental scale", met, others)]
        monkeypatch.setattr("trellis.provision.reports.not_for_this_pupil", lambda pupil, result=result: result)
        [item] = pupil_record.worked_for_others(ehc_request.in_class)
        found[(others, met)] = (item.met_text, item.others_text)
    assert found == {
        (7, 7): ("7", "7"),  # none missed it: 0 is shown
        (10, 5): ("5", "10"),  # 5 met and 5 did not: nothing small
        (3, 2): ("withheld", "withheld"),  # the whole group is small
    }


def test_ehc_request_views_professionals_and_consent(ehc_request, world):
    from trellis.families.models import Consent, ParentView

    pupil = ehc_request.in_class
    ParentView.objects.create(
        plan=ehc_request.second_plan,
        pupil=pupil,
        author_name="Mr Inclass",
        text="Reading at home is hard",
        plan_version=1,
    )
    Consent.objects.create(pupil=pupil, kind=Consent.Kind.EHC_ASSESSMENT, given=True, by_name="Mr Inclass")
    page = _page("ehc-request", pupil)
    assert "Parents' consent to the request Given by Mr Inclass on 18 November 2026" in _text(
        lxml_html.fromstring(page)
    )
    assert "Mr Inclass, 18 November 2026: Reading at home is hard" in _section(page, "The views of Sam")
    assert "No external specialist has been involved" in _section(page, "Advice from professionals")


# --- Both: need to know, audit, queries, PDFs, the demo ------------------------------------------


def test_only_staff_who_may_see_the_sen_record_get_the_documents(ehc_review, login):
    pupil = ehc_review.other_class  # in 4C, taught by other_teacher
    from tests.conftest import make_user

    parent = make_user("ehcmum")
    Carer.objects.create(user=parent, pupil=pupil, relationship="mother")
    for slug in ("annual-review", "ehc-request"):
        for path in (f"/pupils/{pupil.pk}/documents/{slug}/", f"/pupils/{pupil.pk}/documents/{slug}.pdf"):
            # Not the office without the SENCO's grant to see SEN records, a governor, another school, a parent.
            for outsider in (
                ehc_review.teacher,
                ehc_review.administrator,
                ehc_review.governor,
                ehc_review.outsider,
                parent,
            ):
                assert login(outsider).get(path).status_code == 404, (path, outsider)
        assert login(ehc_review.other_teacher).get(f"/pupils/{pupil.pk}/documents/{slug}/").status_code == 200
        assert login(ehc_review.senco).get(f"/pupils/{pupil.pk}/documents/{slug}/").status_code == 200


@pytest.mark.pdf
def test_generating_and_downloading_either_is_audited_as_an_export(ehc_review, login):
    pupil = ehc_review.other_class
    client = login(ehc_review.senco)
    response = client.get(f"/pupils/{pupil.pk}/documents/annual-review.pdf")
    assert (
        response["Content-Type"] == "application/pdf"
        and f"annual-review-{pupil.upn}.pdf" in response["Content-Disposition"]
    )
    client.get(f"/pupils/{pupil.pk}/documents/ehc-request/")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, pupil_id=pupil.pk).order_by("at", "pk")
    assert [(e.record_type, e.summary, e.actor) for e in events] == [
        ("annual-review", "EHC plan annual review pack (PDF)", ehc_review.senco),
        ("ehc-request", "Evidence for a request for an EHC needs assessment (web page)", ehc_review.senco),
    ]
    # No other pupil's trail shows the request evidence, though it compares with other pupils.
    assert not AuditEvent.objects.filter(record_type="ehc-request").exclude(pupil_id=pupil.pk).exists()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _more_of_everything(world, pupil, plan) -> None:
    """Three more targets with reviews and evidence, another group with sessions, more weeks."""
    for n in range(3):
        target = add_target(plan, f"Extra target {n}")
        review(target, D(2026, 10, 1), "2b")
        note(pupil, D(2026, 10, 2 + n), f"Extra evidence {n}", [target])
    group_with_sessions(
        world.school_a,
        f"Extra group for {pupil.legal_surname}",
        [pupil],
        starts_on=D(2026, 9, 7),
        ends_on=D(2026, 10, 2),
        dates=[D(2026, 9, 7), D(2026, 9, 14), D(2026, 9, 21)],
        by=world.senco,
    )
    for monday in (D(2026, 9, 7), D(2026, 9, 14)):
        WeeklyRecord.objects.create(pupil=pupil, week_starting=monday, sessions_attended=10, sessions_possible=10)


def test_queries_do_not_grow_with_targets_evidence_or_sessions(ehc_review, ehc_request, login):
    client = login(ehc_review.senco)
    review_path = f"/pupils/{ehc_review.other_class.pk}/documents/annual-review/"
    request_path = f"/pupils/{ehc_request.in_class.pk}/documents/ehc-request/"
    _queries(client, review_path)  # the first page after signing in also writes the session
    before = (_queries(client, review_path), _queries(client, request_path))
    _more_of_everything(ehc_review, ehc_review.other_class, ehc_review.ehc_plan_outcomes)
    _more_of_everything(ehc_request, ehc_request.in_class, ehc_request.second_plan)
    assert (_queries(client, review_path), _queries(client, request_path)) == before
    assert max(before) <= 50


@pytest.mark.pdf
def test_both_pdfs_are_tagged_with_language_headings_tables_and_chart_alt_text(ehc_review, ehc_request):
    from tests.documents.test_documents import _structure

    today = timezone.localdate()
    pdf = services.render_pdf(get_kind("annual-review"), ehc_review.other_class, None, today=today)
    document, found = _structure(pdf)
    assert str(document.Root.Lang) == "en-GB" and document.Root.MarkInfo.Marked
    types = [t for t, _ in found]
    assert types.count("/H1") == 1 and types.count("/H2") == 7 and "/H3" in types and "/H4" in types
    assert "/Table" in types and "/TH" in types and "/TD" in types
    # A chart for each target reviewed so far (two), each with its alt text.
    figures = [alt for t, alt in found if t == "/Figure"]
    assert len(figures) == 2 and all(alt.startswith("Chart of Sam's steps since the start") for alt in figures)

    document, found = _structure(services.render_pdf(get_kind("ehc-request"), ehc_request.in_class, None, today=today))
    assert str(document.Root.Lang) == "en-GB"
    types = [t for t, _ in found]
    assert types.count("/H1") == 1 and types.count("/Table") >= 4
    [alt] = [alt for t, alt in found if t == "/Figure"]
    assert alt.startswith("Sessions attended of those held, in each provision tried")


@pytest.mark.pdf
def test_render_document_command_writes_both(ehc_review, ehc_request, tmp_path):
    for slug, pupil in (("annual-review", ehc_review.other_class), ("ehc-request", ehc_request.in_class)):
        out = tmp_path / f"{slug}.pdf"
        call_command("render_document", slug, "--pupil", pupil.upn, "--out", str(out), stdout=io.StringIO())
        assert out.read_bytes().startswith(b"%PDF")
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, record_type=slug)
        assert (event.via, event.pupil_id) == ("command", pupil.pk)


def test_the_demo_renders_both_for_every_ehc_pupil_of_a_demo_school(db):
    from trellis.pupils.models import Pupil, SenStatus

    call_command("seed_demo", "--schools", "1", "--pupils-per-school", "150", stdout=io.StringIO())
    today = timezone.localdate()
    pupils = list(Pupil.objects.filter(sen_status=SenStatus.EHC_PLAN).on_roll(today).select_related("school"))
    assert len(pupils) >= 3
    outcomes_seen = 0
    for pupil in pupils:
        review_page = _page("annual-review", pupil)
        assert pupil.full_name in review_page and "Section F: Special educational provision" in review_page
        outcomes_seen += len(re.findall(r"<h3>Outcome \d", review_page))
        assert pupil.full_name in _page("ehc-request", pupil)
    assert outcomes_seen >= len(pupils)  # the demo's EHC plans have outcomes, and the pack shows them
    # The evidence for a request is most often for a pupil on SEN support.
    for pupil in Pupil.objects.filter(sen_status=SenStatus.SEN_SUPPORT).on_roll(today).select_related("school"):
        assert "The graduated approach" in _page("ehc-request", pupil)


def test_a_pupil_with_nothing_recorded_gets_clear_empty_sections(world):
    page = _page("ehc-request", world.expired_share)
    assert "No plans are recorded in Trellis for Sam." in page and "No intervention groups are recorded." in page
    assert "No views from Sam are recorded: ask for them before the request goes to the local authority." in page


def test_the_pupil_page_offers_the_document_that_fits_the_pupil(ehc_review, login):
    client = login(ehc_review.senco)
    ehc_page = client.get(f"/pupils/{ehc_review.other_class.pk}/").content.decode()
    support_page = client.get(f"/pupils/{ehc_review.in_class.pk}/").content.decode()
    assert "documents/annual-review/" in ehc_page and "documents/ehc-request/" not in ehc_page
    assert "documents/ehc-request/" in support_page and "documents/annual-review/" not in support_page
