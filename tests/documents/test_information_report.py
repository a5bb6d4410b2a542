"""The SEN information report (issue 13): every heading Schedule 1 asks for, the figures through the
one disclosure rule for a public audience, the SENCO's versioned edits and publishing, the public
page and PDF with no sign-in, and drafts that only the SENCO and senior leaders see."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape
from fixtures_provision import SEED001_FILE, seed001_pupils_fixture  # noqa: F401
from lxml import html as lxml_html

from trellis.audit.models import AuditEvent
from trellis.documents import editing
from trellis.documents.headings import HEADINGS
from trellis.documents.information_report import WRITTEN, content
from trellis.documents.models import Publication
from trellis.provision.models import InterventionGroup
from trellis.pupils import services as pupils

from conftest import make_pupil

TODAY = timezone.localdate()
CONTACTS = {
    "senco_name": "Ms Rowan Ash",
    "senco_email": "senco@alder.example",
    "senco_phone": "01234 567890",
    "sendiass_name": "Northshire SENDIASS",
    "sendiass_phone": "01234 000111",
    "sendiass_email": "",
    "sendiass_website": "https://sendiass.northshire.example",
    "local_offer_website": "https://localoffer.northshire.example",
}


@pytest.fixture
def school(world):
    """School A with 22 pupils with SEN on roll, counted by hand (the world's four included):

    | broad area                    | SEN support | EHC plan | All |
    | Communication and interaction | 1 + 5 = 6   | 1 + 4 = 5 | 11 |
    | Cognition and learning        | 4 + 3 = 7   | 0         | 7  |
    | Social, emotional and mental  | 2           | 0         | 2  |
    | Sensory and/or physical       | 0           | 0         | 0  |
    | Uncategorised (no need given) | 2           | 0         | 2  |
    | All                           | 17          | 5         | 22 |

    Published: small cells (2) withheld, and so is Cognition and learning's 7: the identification
    page withholds SPLD's 4 and MLD's 3, and their sum beside it would tell more than that page does.
    """
    start = TODAY - dt.timedelta(days=100)
    made = [("K", "SLCN")] * 5 + [("E", "ASD")] * 4 + [("K", "SPLD")] * 4 + [("K", "MLD")] * 3 + [("K", "SEMH")] * 2
    for n, (status, need) in enumerate(made):
        pupil = make_pupil(world.school_a, surname=f"Countme{n}", forename="Kit")
        pupils.set_sen_status(pupil=pupil, status=status, starts_on=start, by=world.senco)
        pupils.set_needs(pupil=pupil, codes=[need], starts_on=start, by=world.senco)
    return world.school_a


def _fill(report, senco) -> None:
    for heading in WRITTEN:
        editing.save_section(report=report, key=heading.key, by=senco, text=f"What we do: {heading.title}.")
    editing.save_contacts(report=report, by=senco, **CONTACTS)


def _cells(page: str, caption: str) -> list[list[str]]:
    [table] = lxml_html.fromstring(page).xpath(f"//table[caption[starts-with(normalize-space(), '{caption}')]]")
    return [[" ".join(c.text_content().split()) for c in row.xpath("th|td")] for row in table.xpath(".//tr")]


NEEDS = [
    ["Broad area of need", "SEN support", "EHC plan", "All"],
    ["Communication and interaction", "6", "5", "11"],
    ["Cognition and learning", "withheld", "0", "withheld"],
    ["Social, emotional and mental health", "withheld", "0", "withheld"],
    ["Sensory and/or physical", "0", "0", "0"],
    ["Uncategorised", "withheld", "0", "withheld"],
    ["All", "17", "5", "22"],
]


def test_every_heading_is_in_the_report_in_order_and_every_one_must_be_filled_before_publishing(world, school):
    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    with pytest.raises(editing.ReportError) as refused:
        editing.publish(report=report, by=world.senco, today=TODAY)
    message = str(refused.value)
    for heading in WRITTEN:
        assert heading.title in message
    assert "Our SENCO: SENCO's name" in message and "Where the local offer is published" in message
    assert not Publication.objects.exists()
    assert [s["title"] for s in content(report, TODAY)["sections"]] == [h.title for h in HEADINGS]


def test_the_figures_are_the_hand_count_with_small_numbers_and_their_complements_withheld(world, school):
    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    needs = content(report, TODAY)["needs"]
    assert [["Broad area of need", *needs["columns"]], *[[label, *cells] for label, cells in needs["rows"]]] == NEEDS


def test_the_public_page_needs_no_sign_in_and_shows_no_names_or_small_numbers(
    world, school, seed001_pupils, client, django_assert_max_num_queries
):
    call_command("import_provision", str(SEED001_FILE), "--school", school.urn, stdout=io.StringIO())
    InterventionGroup.objects.update(staff=world.ta)
    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    _fill(report, world.senco)
    editing.add_training(
        report=report, by=world.senco, course="Autism awareness", attended_by="All teaching assistants",
        completed_on=dt.date(2026, 9, 14),
    )  # fmt: skip
    editing.publish(report=report, by=world.senco, today=TODAY)
    with django_assert_max_num_queries(3):
        response = client.get(f"/schools/{school.urn}/sen-information-report/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<nav" in page and 'aria-label="Main"' not in page  # the public layout: no site navigation
    assert _cells(page, "Pupils with SEN by broad area") == NEEDS
    # Seed 001's map: Paired reading is one pupil (withheld, and so is its result); Numeracy's six
    # measures are shown, but its "met" is withheld (the "not met" beside it is small).
    provision = {row[0]: row[1:3] for row in _cells(page, "Extra help")[1:]}
    assert provision["Paired reading"] == ["withheld", "withheld"]
    assert provision["Numeracy"] == ["6", "withheld"] and provision["Comprehension group"][0] == "6"
    assert not {cell for row in provision.values() for cell in row} & {"1", "2", "3", "4"}
    assert _cells(page, "Training in special educational needs")[1] == [
        "14 September 2026",
        "Autism awareness",
        "All teaching assistants",
    ]
    for name in ["Inclass", "Otherclass", "Private", "Countme", "Joe", "Baker", "Amy"]:
        assert name not in page
    assert "Ms Rowan Ash" in page and 'href="mailto:senco@alder.example"' in page
    assert "Northshire SENDIASS" in page and 'href="https://localoffer.northshire.example"' in page
    for heading in HEADINGS:
        assert f">{escape(heading.title)}</h2>" in page


def test_drafts_are_for_the_senco_and_senior_leaders_and_404_for_everyone_else(world, school, client, login):
    public = f"/schools/{school.urn}/sen-information-report/"
    draft = f"/schools/{school.urn}/documents/sen-information-report/"
    assert client.get(public).status_code == 404  # nothing published, nothing started
    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    _fill(report, world.senco)
    assert client.get(public).status_code == 404  # a finished draft is still not public
    assert client.get(f"/schools/{school.urn}/sen-information-report.pdf").status_code == 404
    assert client.get(draft).status_code == 302  # sign in first
    for user, status in [
        (world.senco, 200),
        (world.head, 200),
        (world.teacher, 404),
        (world.ta, 404),
        (world.governor, 404),
        (world.administrator, 404),
        (world.outsider, 404),
    ]:
        assert login(user).get(draft).status_code == status, user
        assert login(user).get(f"/schools/{school.urn}/sen-information-report/draft/").status_code == status, user
    page = login(world.head).get(draft).content.decode()
    assert "Draft, not published" in page and "What we do: Complaints." in page
    assert "Inclass" not in page
    # A senior leader reads the draft but does not write it.
    response = login(world.head).post(f"/schools/{school.urn}/sen-information-report/draft/publish/")
    assert response.status_code == 404 and not Publication.objects.exists()


def test_the_senco_writes_each_heading_keeps_both_edits_apart_and_publishes(world, school, client, login):
    senco = login(world.senco)
    base = f"/schools/{school.urn}/sen-information-report/draft/"
    assert "Start the report for" in senco.get(base).content.decode()
    assert senco.post(f"{base}start/").status_code == 302
    url = f"{base}headings/complaints/"
    form = senco.get(url).content.decode()
    assert "Arrangements for handling complaints" in form  # what the regulations ask, as guidance
    assert senco.post(url, {"text": "Speak to the class teacher first.", "version": 1}).status_code == 302
    # A second form opened at version 1 does not overwrite the first save: it says who changed it.
    stale = senco.post(url, {"text": "Write to the head.", "version": 1})
    assert stale.status_code == 422
    assert "This section was changed by Senco" in stale.content.decode() and "Speak to the class teacher first." in (
        stale.content.decode()
    )
    empty = senco.post(f"{base}headings/teaching/", {"text": "  ", "version": 1})
    assert "Write what the school does under this heading" in empty.content.decode()
    bad = senco.post(f"{base}contacts/", CONTACTS | {"local_offer_website": "not a link", "version": 1})
    assert bad.status_code == 422 and "Enter a valid URL" in bad.content.decode()
    assert senco.post(f"{base}contacts/", CONTACTS | {"version": 1}).status_code == 302
    wrong_day = senco.post(
        f"{base}training/", {"course": "Precision teaching", "attended_by": "Teachers", "completed_on_0": "31",
                             "completed_on_1": "2", "completed_on_2": "2026"},
    )  # fmt: skip
    assert wrong_day.status_code == 422 and "must be a real date" in wrong_day.content.decode()
    refused = senco.post(f"{base}publish/", follow=True).content.decode()
    assert "Fill these in before publishing" in refused and "Our approach to teaching pupils with SEN" in refused
    assert client.get(f"/schools/{school.urn}/sen-information-report/").status_code == 404
    for heading in WRITTEN:
        if heading.key != "complaints":
            senco.post(f"{base}headings/{heading.key}/", {"text": f"About {heading.title}.", "version": 1})
    assert senco.post(f"{base}publish/").status_code == 302
    client.logout()
    public = client.get(f"/schools/{school.urn}/sen-information-report/").content.decode()
    assert "Speak to the class teacher first." in public and "Write to the head." not in public
    # A later edit stays in the draft until the SENCO publishes again.
    login(world.senco).post(url, {"text": "Talk to Ms Ash.", "version": 2})
    client.logout()
    assert (
        "Speak to the class teacher first."
        in client.get(f"/schools/{school.urn}/sen-information-report/").content.decode()
    )
    events = AuditEvent.objects.filter(school=school, actor=world.senco, record_type__startswith="SEN information")
    assert {(e.action, e.record_type) for e in events} >= {
        ("create", "SEN information report"),
        ("update", "SEN information report section"),
        ("update", "SEN information report"),
        ("create", "SEN information report publication"),
    }


def test_next_year_starts_from_last_years_words_and_contacts_but_not_its_training(world, school):
    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    _fill(report, world.senco)
    editing.add_training(report=report, by=world.senco, course="Makaton", attended_by="Nursery staff",
                         completed_on=TODAY)  # fmt: skip
    year = report.academic_year
    following = school.academic_years.create(
        name="next", starts_on=year.ends_on + dt.timedelta(days=1), ends_on=year.ends_on + dt.timedelta(days=366)
    )
    later = editing.start_report(school=school, by=world.senco, today=following.starts_on)
    assert later.pk != report.pk and later.senco_name == "Ms Rowan Ash"
    assert later.sections.get(key="complaints").text == "What we do: Complaints."
    assert not later.training.exists()


def test_render_document_writes_the_draft(world, school, tmp_path):
    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    _fill(report, world.senco)
    out = tmp_path / "report.html"
    call_command("render_document", "sen-information-report", "--school", school.urn, "--html", "--out", str(out),
                 stdout=io.StringIO())  # fmt: skip
    page = out.read_text()
    assert "Draft, not published" in page and _cells(page, "Pupils with SEN by broad area") == NEEDS


@pytest.mark.pdf
def test_the_public_pdf_is_a_tagged_pdf_with_real_tables(world, school, client):
    import pikepdf

    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    _fill(report, world.senco)
    editing.publish(report=report, by=world.senco, today=TODAY)
    response = client.get(f"/schools/{school.urn}/sen-information-report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = pikepdf.open(io.BytesIO(response.content))
    assert str(document.Root.Lang) == "en-GB" and document.Root.MarkInfo.Marked


def _two_years(world, school):
    """This year's report published, then next year's, with one heading reworded."""
    report = editing.start_report(school=school, by=world.senco, today=TODAY)
    _fill(report, world.senco)
    editing.publish(report=report, by=world.senco, today=TODAY)
    year = report.academic_year
    starts = year.ends_on + dt.timedelta(days=1)
    following = school.academic_years.create(
        name=f"{starts.year}/{(starts.year + 1) % 100:02d}", starts_on=starts, ends_on=starts + dt.timedelta(days=364)
    )
    later = editing.start_report(school=school, by=world.senco, today=starts)
    editing.save_section(report=later, key="complaints", by=world.senco, text="Our new complaints procedure.")
    editing.publish(report=later, by=world.senco, today=starts)
    return year, following


def test_an_earlier_years_report_has_its_own_public_page_linked_from_the_latest(
    world, school, client, django_assert_max_num_queries
):
    year, following = _two_years(world, school)
    earlier, latest = editing.year_slug(year.name), editing.year_slug(following.name)
    assert earlier == year.name.replace("/", "-") and len(earlier) == 7  # e.g. 2026-27
    base = f"/schools/{school.urn}/sen-information-report/"
    with django_assert_max_num_queries(3):
        page = client.get(base).content.decode()
    assert "Our new complaints procedure." in page
    links = lxml_html.fromstring(page).xpath("//nav[@aria-labelledby='other-years']//a")
    assert [(a.get("href"), a.text_content()) for a in links] == [
        (f"{base}{earlier}/", f"SEN information report {year.name}")
    ]
    with django_assert_max_num_queries(3):
        response = client.get(f"{base}{earlier}/")  # nobody signed in
    old = response.content.decode()
    assert response.status_code == 200 and f"SEN information report {year.name}</h1>" in old
    assert "What we do: Complaints." in old and "Our new complaints procedure." not in old
    assert f"This is the report for {year.name}, kept for reference." in old
    assert f'<a href="{base}">Read the school\'s latest report ({following.name})</a>' in old
    assert (
        f'href="{base}{latest}/"' in old and f'href="/schools/{school.urn}/sen-information-report/{earlier}.pdf"' in old
    )
    for name in ["Inclass", "Otherclass", "Countme"]:
        assert name not in old
    # The latest year's own address reads as the latest, with no "kept for reference".
    assert "kept for reference" not in client.get(f"{base}{latest}/").content.decode()


def test_a_year_not_published_has_no_public_page(world, school, client):
    year, following = _two_years(world, school)
    base = f"/schools/{school.urn}/sen-information-report/"
    starts = following.ends_on + dt.timedelta(days=1)
    third = school.academic_years.create(name="2099/00", starts_on=starts, ends_on=starts + dt.timedelta(days=364))
    editing.start_report(school=school, by=world.senco, today=third.starts_on)  # a draft: never public
    for missing_year in ["2099-00", "1999-00", "draft-x", "2026-27-"]:
        assert client.get(f"{base}{missing_year}/").status_code == 404, missing_year
    assert (
        client.get(f"/schools/{world.school_b.urn}/sen-information-report/{editing.year_slug(year.name)}/").status_code
        == 404
    )


@pytest.mark.pdf
def test_an_earlier_years_pdf_is_that_years(world, school, client):
    year, _ = _two_years(world, school)
    slug = editing.year_slug(year.name)
    response = client.get(f"/schools/{school.urn}/sen-information-report/{slug}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="sen-information-report-{school.urn}-{slug}.pdf"'
