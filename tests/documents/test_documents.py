"""Documents (issue 13): tagged PDFs, plain English for parents, no names or small numbers for
governors, need to know, audit, and the one command."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
import textstat
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import html as lxml_html

from trellis.audit.models import AuditEvent
from trellis.documents import pdf as pdf_module
from trellis.documents import services
from trellis.documents.registry import get_kind
from trellis.plans.models import Target
from trellis.plans.progress import Status
from trellis.provision import services as provision_services
from trellis.provision.models import InterventionGroup

pytestmark = [pytest.mark.pdf, pytest.mark.dates]

BLOCKS = "//main//*[self::h1 or self::h2 or self::h3 or self::h4 or self::p or self::li or self::dt or self::dd]"


def _structure(pdf: bytes) -> tuple[pikepdf.Pdf, list[tuple[str, str | None]]]:
    """The PDF and its structure elements in reading order, as (type, alt text)."""
    document = pikepdf.open(io.BytesIO(pdf))
    found: list[tuple[str, str | None]] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.append((str(node.S), str(node.Alt) if "/Alt" in node else None))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    walk(document.Root.StructTreeRoot)
    return document, found


def _plain_text(page: str) -> str:
    """What a parent reads: every heading, paragraph and list item as a sentence (a heading is
    read as one unit, so it gets a full stop). Charts are pictures: their alt text is not prose."""
    tree = lxml_html.fromstring(page)
    lines = []
    for block in tree.xpath(BLOCKS):
        text = " ".join(block.text_content().split())
        if text:
            lines.append(text if text[-1] in ".!?:" else text + ".")
    return "\n".join(lines)


def test_parent_report_pdf_is_tagged_with_language_headings_and_chart_alt_text(demo_school):
    pupil = next(p for p in demo_school.demo_pupils if Target.objects.current().filter(pupil=p).count() >= 2)
    kind = get_kind("parent-report")
    pdf = services.render_pdf(kind, pupil, None, today=timezone.localdate())
    document, found = _structure(pdf)
    assert str(document.Root.Lang) == "en-GB"
    assert document.Root.MarkInfo.Marked
    assert "pdfuaid" in document.open_metadata().__str__() or b"pdfuaid" in document.Root.Metadata.read_bytes()
    types = [t for t, _ in found]
    assert types.count("/H1") == 1 and "/H2" in types and "/H3" in types
    figures = [alt for t, alt in found if t == "/Figure"]
    targets = Target.objects.current().filter(pupil=pupil).count()
    assert len(figures) == targets  # one chart a target, each with its alt text
    assert all(alt and alt.startswith(f"Chart of {pupil.forename}'s progress on target") for alt in figures)


def test_governors_report_pdf_has_real_tables_and_an_described_chart(demo_school):
    pdf = services.render_pdf(get_kind("governors-report"), demo_school.school_a, None, today=timezone.localdate())
    document, found = _structure(pdf)
    assert str(document.Root.Lang) == "en-GB"
    types = [t for t, _ in found]
    assert types.count("/Table") >= 5 and "/TH" in types and "/TD" in types
    [alt] = [alt for t, alt in found if t == "/Figure"]
    assert alt.startswith("Pupils with SEN by the status of their targets")


def test_passport_and_provision_map_pdfs_are_tagged(demo_school):
    today = timezone.localdate()
    for slug, subject in [("passport", demo_school.demo_pupils[0]), ("provision-map", demo_school.school_a)]:
        document, found = _structure(services.render_pdf(get_kind(slug), subject, None, today=today))
        assert str(document.Root.Lang) == "en-GB"
        assert ("/H1", None) in found
    _, found = _structure(services.render_pdf(get_kind("passport"), demo_school.demo_pupils[0], None, today=today))
    assert [t for t, _ in found].count("/H2") == 4  # good at, find hard, what helps, how I like to be spoken to
    assert (
        len(
            pikepdf.open(
                io.BytesIO(services.render_pdf(get_kind("passport"), demo_school.demo_pupils[0], None, today=today))
            ).pages
        )
        == 1
    )


def test_parent_reports_read_easily_and_use_no_codes(demo_school):
    """Flesch reading ease of 60 or more (plain English) on every demo parent report, at least 20."""
    today = timezone.localdate()
    kind = get_kind("parent-report")
    pupils = [p for p in demo_school.demo_pupils if Target.objects.current().filter(pupil=p).exists()]
    assert len(pupils) >= 20
    codes = re.compile(
        r"\b(TA|HLTA|SENCO|SENCo|SEN|EHCP|SALT|SDQ|on_track|at_risk|off_track|not_reviewed|slc|spld|semh)\b"
    )
    for pupil in pupils:
        text = _plain_text(services.render_html(kind, pupil, None, today=today))
        score = textstat.flesch_reading_ease(text)
        assert score >= 60, f"{pupil.forename} {pupil.legal_surname}: reading ease {score:.0f}\n{text}"
        assert not codes.search(text), codes.search(text).group(0)


def test_reading_ease_check_fails_on_jargon():
    """The measure can fail: staff jargon in long sentences scores well under 60."""
    jargon = (
        "Differentiated multisensory interventions facilitating phonological processing and metacognitive "
        "self-regulation strategies were implemented, notwithstanding inconsistent attendance, consequently "
        "necessitating comprehensive reconsideration of individualised provision arrangements."
    )
    assert textstat.flesch_reading_ease(jargon) < 60


def test_parent_report_says_each_target_status_in_plain_words(demo_school):
    today = timezone.localdate()
    pupil = demo_school.demo_pupils[1]
    page = services.render_html(get_kind("parent-report"), pupil, None, today=today)
    assert f"{pupil.forename}'s report for parents and carers" in page
    assert "What you can do at home" in page and "What school is doing to help" in page and "Next review" in page
    assert any(s.label in page for s in Status)
    assert "Demo1" not in page.replace(f"{pupil.legal_surname}", "")  # no other pupil


def _tables(page: str) -> list[list[list[str]]]:
    tree = lxml_html.fromstring(page)
    return [[[c.text_content().strip() for c in tr] for tr in t.xpath(".//tr")] for t in tree.xpath("//table")]


def test_governors_report_has_no_names_and_no_recoverable_small_numbers(demo_school, login):
    client = login(demo_school.governor)
    response = client.get(f"/schools/{demo_school.school_a.urn}/documents/governors-report/")
    assert response.status_code == 200
    page = response.content.decode()
    for pupil in demo_school.demo_pupils:
        assert pupil.legal_surname not in page
    withheld_somewhere = False
    for table in _tables(page):
        for row in table[1:]:
            for cell in row[1:]:
                assert not (cell.isdigit() and 0 < int(cell) < 5), f"small number {cell} in {row}"
            withheld_somewhere |= "withheld" in row
    assert withheld_somewhere  # the demo school is small enough to need it
    # Complementary suppression: in the two-way tables no row or column has exactly one withheld cell.
    for table in _tables(page)[:2]:
        body = [row[1:] for row in table[1:]]
        for line in [*body, *zip(*body, strict=True)]:
            assert list(line).count("withheld") != 1, line


def test_need_to_know_a_teacher_not_teaching_the_pupil_gets_404(demo_school, login):
    pupil = demo_school.in_class  # in 4B, taught by `teacher`
    for path in (f"/pupils/{pupil.pk}/documents/parent-report/", f"/pupils/{pupil.pk}/documents/passport.pdf"):
        assert login(demo_school.other_teacher).get(path).status_code == 404
        assert login(demo_school.governor).get(path).status_code == 404
        assert login(demo_school.teacher).get(path).status_code == 200
    urn = demo_school.school_a.urn
    assert login(demo_school.governor).get(f"/schools/{urn}/documents/provision-map/").status_code == 404
    assert login(demo_school.outsider).get(f"/schools/{urn}/documents/governors-report/").status_code == 404
    assert login(demo_school.senco).get(f"/pupils/{pupil.pk}/documents/governors-report/").status_code == 404


def test_teachers_and_tas_cannot_open_the_governors_report_of_pupils_they_do_not_teach(demo_school, login):
    """Its figures add up every pupil of the school; a teacher's figures are their own pupils'."""
    urn = demo_school.school_a.urn
    for path in (f"/schools/{urn}/documents/governors-report/", f"/schools/{urn}/documents/governors-report.pdf"):
        for user in (demo_school.teacher, demo_school.ta, demo_school.other_teacher, demo_school.specialist):
            assert login(user).get(path).status_code == 404, (user, path)
    link = f'href="/schools/{urn}/documents/governors-report/"'
    assert link not in login(demo_school.teacher).get(f"/schools/{urn}/").content.decode()
    assert link in login(demo_school.governor).get(f"/schools/{urn}/").content.decode()
    assert login(demo_school.governor).get(f"/schools/{urn}/documents/governors-report/").status_code == 200


def test_generating_and_downloading_are_audited_as_exports(demo_school, login):
    pupil = demo_school.in_class
    client = login(demo_school.teacher)
    response = client.get(f"/pupils/{pupil.pk}/documents/parent-report.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert f"parent-report-{pupil.upn}.pdf" in response["Content-Disposition"]
    client.get(f"/pupils/{pupil.pk}/documents/passport/")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, pupil_id=pupil.pk).order_by("at", "pk")
    assert [(e.record_type, e.summary, e.actor) for e in events] == [
        ("parent-report", "Report for parents and carers (PDF)", demo_school.teacher),
        ("passport", "Pupil passport (web page)", demo_school.teacher),
    ]
    before = AuditEvent.objects.count()
    login(demo_school.other_teacher).get(f"/pupils/{pupil.pk}/documents/parent-report.pdf")
    assert AuditEvent.objects.count() == before  # refused: nothing shown, nothing recorded


def test_render_document_command_writes_the_pdf_and_audits_it(demo_school, tmp_path):
    pupil = demo_school.demo_pupils[2]
    out = tmp_path / "report.pdf"
    call_command("render_document", "parent-report", "--pupil", pupil.upn, "--out", str(out), stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, pupil_id=pupil.pk)
    assert (event.via, event.actor_name) == ("command", "system")
    school_out = tmp_path / "governors.pdf"
    call_command(
        "render_document",
        "governors-report",
        "--school",
        demo_school.school_a.urn,
        "--out",
        str(school_out),
        stdout=io.StringIO(),
    )
    assert school_out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["transition", "--school", "100001"], "about a pupil: give --pupil UPN"),
        (["leaflet", "--school", "100001"], "Unknown document 'leaflet'"),
        (["parent-report", "--school", "100001"], "about a pupil: give --pupil UPN"),
        (["governors-report", "--pupil", "X"], "about a school: give --school URN"),
        (["parent-report", "--pupil", "A000000000000"], "No pupil with UPN"),
        (["provision-map", "--school", "999999"], "No school with URN"),
    ],
)
def test_render_document_command_says_what_is_wrong(world, args, message, tmp_path):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("render_document", *args, "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_without_pango_the_web_pages_work_and_the_pdf_buttons_say_how_to_install_it(demo_school, login, monkeypatch):
    monkeypatch.setattr(pdf_module, "pango_missing", lambda: pdf_module.INSTALL_HINT)
    monkeypatch.setattr("trellis.documents.views.pango_missing", lambda: pdf_module.INSTALL_HINT)
    monkeypatch.setattr("trellis.documents.templatetags.documents.pango_missing", lambda: pdf_module.INSTALL_HINT)
    client = login(demo_school.senco)
    pupil = demo_school.in_class
    assert client.get(f"/pupils/{pupil.pk}/documents/parent-report/").status_code == 200
    refused = client.get(f"/pupils/{pupil.pk}/documents/parent-report.pdf")
    assert refused.status_code == 503 and "apt-get install libpango" in refused.content.decode()
    profile = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert "PDFs need the Pango library" in profile and "parent-report.pdf" not in profile
    with pytest.raises(pdf_module.PdfUnavailable):
        pdf_module.write_pdf("<html lang='en-GB'><body><h1>x</h1></body></html>")


def test_pages_have_a_constant_number_of_queries(demo_school, login, django_assert_max_num_queries):
    """However many targets or groups: the counts below hold for the busiest demo pupil and the school."""
    client = login(demo_school.senco)
    busiest = max(demo_school.demo_pupils, key=lambda p: Target.objects.current().filter(pupil=p).count())
    with django_assert_max_num_queries(30):
        assert client.get(f"/pupils/{busiest.pk}/documents/parent-report/").status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(f"/schools/{demo_school.school_a.urn}/documents/governors-report/").status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(f"/schools/{demo_school.school_a.urn}/documents/provision-map/").status_code == 200


def test_the_provision_map_costs_the_same_queries_however_many_pupils_it_names(demo_school, login):
    """Each named pupil gets the export in their trail: written in one query, not one a pupil (the
    demo as seeded on 31 Aug names 22 pupils rather than 12, and the page took 41 queries, not 31)."""
    client = login(demo_school.senco)
    url = f"/schools/{demo_school.school_a.urn}/documents/provision-map/"

    def queries_and_pupils_named() -> tuple[int, int]:
        exports = AuditEvent.objects.filter(record_type="provision-map").exclude(pupil_id=None)
        already = exports.count()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries), exports.count() - already

    queries_and_pupils_named()  # the first page after signing in also writes the session
    before, named_before = queries_and_pupils_named()
    group = InterventionGroup.objects.filter(intervention__school=demo_school.school_a).first()
    for pupil in demo_school.demo_pupils:
        provision_services.enrol(group=group, pupil=pupil, by=demo_school.senco)
    after, named_after = queries_and_pupils_named()
    assert named_after >= len(demo_school.demo_pupils) > named_before
    assert after == before


def test_the_provision_map_export_is_in_each_named_pupils_audit_trail(demo_school, login):
    urn = demo_school.school_a.urn
    login(demo_school.senco).get(f"/schools/{urn}/documents/provision-map.pdf")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, record_type="provision-map")
    named = {e.pupil_id for e in events if e.pupil_id}
    enrolled = set(demo_school.school_a.pupils.filter(provision_enrolments__isnull=False).values_list("pk", flat=True))
    assert named == enrolled and len(named) >= 5
    assert events.filter(pupil_id=None, school=demo_school.school_a).count() == 1
    # The governors' report names no one, so no pupil's trail shows it.
    login(demo_school.governor).get(f"/schools/{urn}/documents/governors-report/")
    assert not AuditEvent.objects.filter(record_type="governors-report").exclude(pupil_id=None).exists()


def test_the_provision_map_document_names_only_the_pupils_its_reader_may_see(demo_school, login):
    url = f"/schools/{demo_school.school_a.urn}/documents/provision-map/"
    named = [p.legal_surname for p in demo_school.demo_pupils]
    senco_page = login(demo_school.senco).get(url).content.decode()
    assert any(name in senco_page for name in named)
    office_page = login(demo_school.administrator).get(url).content.decode()  # no grant to see SEN records
    assert not any(name in office_page for name in named)


def test_transition_file_pdf_is_tagged_with_headings_and_real_tables(demo_school):
    pupil = demo_school.demo_pupils[1]
    pdf = services.render_pdf(get_kind("transition"), pupil, None, today=timezone.localdate())
    document, found = _structure(pdf)
    assert str(document.Root.Lang) == "en-GB"
    assert document.Root.MarkInfo.Marked
    types = [t for t, _ in found]
    assert types.count("/H1") == 1 and types.count("/H2") >= 8 and "/H3" in types
    assert types.count("/Table") >= 3 and "/TH" in types and "/TD" in types
    page = services.render_html(get_kind("transition"), pupil, None, today=timezone.localdate())
    headings = [" ".join(h.text_content().split()) for h in lxml_html.fromstring(page).xpath("//h2")]
    for wanted in ["Current plan", "Strategies that work", "Provision history and impact", "Assessments"]:
        assert wanted in headings
    assert {"Attendance", "Key contacts", f"About {pupil.full_name}"} <= set(headings)


def test_transition_file_shows_the_pupils_own_ratings_and_the_concerns_with_their_decisions(demo_school):
    """What travels in the package (schema 1.1) is in the file the next school reads too."""
    import datetime as dt

    from trellis.evidence.models import PupilVoiceEntry
    from trellis.identification.models import Concern, ConcernEvidence

    pupil = demo_school.in_class
    PupilVoiceEntry.objects.filter(pupil=pupil).delete()
    Concern.objects.filter(pupil=pupil).delete()
    PupilVoiceEntry.objects.create(
        pupil=pupil, date=dt.date(2026, 10, 5), statement="I can read my timetable", rating=2, comment="with a prompt"
    )
    concern = Concern.objects.create(
        pupil=pupil,
        source=Concern.Source.PARENT,
        raised_by_name="Ann Carer",
        area="slcn",
        what_seen="Struggles to follow two-step instructions",
        contexts="PE",
        raised_on=dt.date(2026, 9, 14),
        decision=Concern.Decision.SEN_SUPPORT,
        decision_reasons="Speech and language screening below the expected range",
        decided_on=dt.date(2026, 10, 1),
    )
    ConcernEvidence.objects.create(
        concern=concern, kind="screening", date=dt.date(2026, 9, 21), summary="WellComm screening", result="Red"
    )
    page = services.render_html(get_kind("transition"), pupil, None, today=timezone.localdate())
    text = " ".join(lxml_html.fromstring(page).text_content().split())
    tree = lxml_html.fromstring(page)
    [row] = tree.xpath('//table[contains(caption, "In the pupil\'s words")]/tbody/tr')
    assert [" ".join(cell.text_content().split()) for cell in row] == [
        "5 Oct 2026",
        "I can read my timetable",
        "Getting there",
        "With the pupil",
        "with a prompt",
    ]
    assert "raised 14 Sep 2026, parent or carer (Ann Carer)" in text
    assert "Struggles to follow two-step instructions (in PE)" in text
    assert "21 Sep 2026: WellComm screening (Red)" in text
    assert "Decision: SEN support on 1 Oct 2026. Speech and language screening below the expected range" in text

    PupilVoiceEntry.objects.filter(pupil=pupil).delete()
    Concern.objects.filter(pupil=pupil).delete()
    page = services.render_html(get_kind("transition"), pupil, None, today=timezone.localdate())
    text = " ".join(lxml_html.fromstring(page).text_content().split())
    assert 'No "I can" statements recorded' in text and "No concerns recorded in Trellis." in text


def test_transition_file_is_for_staff_who_see_the_sen_record_and_is_audited(demo_school, login):
    pupil = demo_school.in_class
    path = f"/pupils/{pupil.pk}/documents/transition/"
    assert login(demo_school.administrator).get(path).status_code == 404  # the office: register only
    assert login(demo_school.other_teacher).get(path).status_code == 404
    response = login(demo_school.senco).get(f"/pupils/{pupil.pk}/documents/transition.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, pupil_id=pupil.pk)
    assert (event.record_type, event.summary, event.actor) == ("transition", "Transition file (PDF)", demo_school.senco)


def test_transition_file_has_a_constant_number_of_queries(demo_school, login, django_assert_max_num_queries):
    client = login(demo_school.senco)
    busiest = max(demo_school.demo_pupils, key=lambda p: Target.objects.filter(pupil=p).count())
    with django_assert_max_num_queries(40):
        assert client.get(f"/pupils/{busiest.pk}/documents/transition/").status_code == 200


def test_render_document_writes_the_transition_pdf_and_package_in_one_command(demo_school, tmp_path):
    pupil = demo_school.demo_pupils[1]
    pdf, package = tmp_path / "t.pdf", tmp_path / "t.zip"
    call_command(
        "render_document",
        "transition",
        "--pupil",
        pupil.upn,
        "--out",
        str(pdf),
        "--package",
        str(package),
        stdout=io.StringIO(),
    )
    assert pdf.read_bytes().startswith(b"%PDF") and package.read_bytes().startswith(b"PK")
    summaries = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, pupil_id=pupil.pk).values_list(
        "summary", flat=True
    )
    assert sorted(summaries) == ["Transition file (PDF)", "Transition file (package)"]
