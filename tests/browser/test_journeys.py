"""The core journeys of each role, in Chromium at desktop and phone widths, every page checked with axe."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from trellis.lib.upn import make_upn
from trellis.plans.progress import GLOSSARY, Status

pytestmark = pytest.mark.browser


def test_teacher_reviews_a_class_with_the_keyboard_only(sign_in):
    visit = sign_in("teacher")
    page = visit.page
    page.get_by_role("link", name="Review targets").first.click()
    visit.check()
    page.get_by_role("link", name="Show every current target").click()  # earlier runs reviewed some
    visit.check()
    rows = page.locator("table.review-grid tbody tr")
    assert rows.count() >= 2, "the demo teacher has targets to review"
    first_id = rows.nth(0).get_attribute("id").removeprefix("row-")
    second_id = rows.nth(1).get_attribute("id").removeprefix("row-")

    def review_row(target_id: str) -> None:
        value = page.locator(f"#value-{target_id}")
        value.focus()  # where Tab from the previous row leaves the person
        # The previous value again (a select picks the option it starts with): no warning to confirm.
        previous = page.locator(f"#row-{target_id} td").nth(2).inner_text().split("\n")[0].strip()
        page.keyboard.type(previous)
        page.keyboard.press("Tab")
        page.keyboard.type("Worked well in small group")
        page.keyboard.press("Enter")
        expect_saved = page.locator(f"#row-{target_id}").get_by_role("status")
        expect_saved.wait_for()
        assert expect_saved.inner_text() == "Saved"

    review_row(first_id)
    # Focus moves on to the next row's value, so the teacher can carry on typing.
    # (htmx settles the swapped row a moment after it appears, so wait for the focus to move.)
    expect(page.locator(f"#value-{second_id}")).to_be_focused(timeout=5000)
    review_row(second_id)
    visit.check()


def test_senco_writes_a_plan_with_a_smart_target(sign_in):
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    visit.check()
    page.locator("table a[href^='/pupils/']").first.click()
    visit.check()
    page.get_by_role("link", name="Write a new plan").click()
    visit.check()
    page.get_by_label("SEN support plan (IEP)").check()
    page.get_by_label("Title").fill("Browser test plan")
    page.get_by_label("Strengths").fill("Loves stories and building models.")
    page.get_by_role("button", name="Save").click()
    visit.check()
    assert "saved as a draft" in page.locator("main").inner_text()
    page.get_by_role("link", name="Add a target").first.click()
    visit.check()
    page.get_by_label("Target", exact=True).fill("Read 40 high-frequency words correctly by the end of term")
    page.get_by_label("Area of need").select_option(value="slc")  # shown with its broad area
    page.get_by_label("Scale").select_option(index=1)
    page.get_by_label("Baseline value").fill("1")
    page.get_by_label("Success criteria").fill("Reads 40 words from the list in two sessions running")
    page.get_by_role("button", name="Save").click()
    visit.check()
    main = page.locator("main").inner_text()
    assert "Read 40 high-frequency words" in main, main[:500]
    assert "Speech, language and communication (Communication and interaction)" in main
    page.get_by_text("What the statuses mean").click()  # each status explained where it is shown
    expect(page.get_by_text(GLOSSARY[Status.NOT_REVIEWED.label])).to_be_visible()
    visit.check()


def test_senco_imports_a_csv_through_the_preview(sign_in, tmp_path):
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    page.get_by_role("link", name="Import pupils").click()
    visit.check()
    upn = make_upn("999", "9999", 17, secrets.randbelow(999) + 1)  # new to the school on every run
    csv = tmp_path / "pupils.csv"
    csv.write_text(f"UPN,Legal surname,Legal forename,Date of birth,Sex\n{upn},Example,Pat,01/05/2017,F\n")
    page.get_by_label("Upload a file").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_text("Check what will change").first.wait_for()  # the form posts by htmx: no page load
    visit.check()
    preview = page.locator("main").inner_text()
    assert re.search(r"New pupils\s+1\b", preview), preview[:800]
    page.get_by_role("button", name=re.compile("^Import", re.I)).first.click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    visit.check()
    page.get_by_role("link", name="SEN register").first.click()
    if visit.width_name == "phone":
        page.get_by_text("Filter the register").click()  # the filters sit behind a disclosure on phones
    page.get_by_label("Name or UPN").fill(upn)
    page.get_by_label("SEN status").select_option(label="All pupils")
    page.get_by_role("button", name="Apply filters").click()
    page.locator("#results").get_by_text("Example, Pat").wait_for()
    visit.check()


def test_trust_leader_drills_from_the_trust_to_a_school_to_its_pupils(sign_in):
    visit = sign_in("trustlead")
    page = visit.page
    page.get_by_role("link", name="Dashboards").first.click()
    visit.check()
    main = page.locator("main")
    assert "By region and school" in main.inner_text()
    # Region and school chosen as the breakdown: still one table by region and school.
    trust_url = page.url
    visit.goto("/dashboards/trust/?group_by=region&group_by=school")
    assert main.locator("table").count() == 5, "at a glance, by region and school, by type of school, each scale, trend"
    assert "This is the table by region and school above" in main.inner_text()
    # A school's name leads to its own dashboard, which offers only what varies within it.
    page.goto(trust_url)
    main.locator("#schools ~ .table-scroll table th[scope=row] a").first.click()
    visit.check()
    assert re.search(r"/dashboards/schools/\d+/", page.url), page.url
    offered = main.locator("#id_group_by_1 option").all_text_contents()  # behind a disclosure on phones
    assert "Primary need" in offered and not {"Trust", "Region", "School"} & set(offered), offered
    # The demo school has pupils to discuss; each with their class, need and teacher.
    headings = main.locator("#attention ~ .table-scroll th[scope=col]").all_text_contents()
    assert headings[:4] == ["Pupil", "Class", "Primary need", "Teacher"], headings
    first = main.locator("#attention ~ .table-scroll tbody tr").first.locator("td").all_text_contents()
    assert first[0] != "–" and first[2] != "–", first  # a class and its teacher
    page.get_by_role("link", name="Schools").first.click()
    visit.check()
    assert "Pupils on the SEN register" in main.inner_text()
    page.locator("main table a").first.click()
    visit.check()
    page.locator("main").get_by_role("link", name=re.compile("SEN register")).first.click()
    visit.check()
    assert page.locator("main table a[href^='/pupils/']").count() > 0


def test_governor_reads_the_dashboard_without_names(sign_in):
    visit = sign_in("governor")
    page = visit.page
    visit.check()
    page.get_by_role("link", name="Dashboards").first.click()
    visit.check()
    main = page.locator("main")
    assert "withheld" in main.inner_text()
    assert main.locator("a[href^='/pupils/']").count() == 0, "a governor sees no pupil's name or link"
    assert "Pupils to discuss" not in main.inner_text()
    assert "stuck targets: below the expected line" in main.inner_text()  # what "stuck" means, said


def test_specialist_signs_in_to_the_pupils_shared_with_them_and_adds_advice(sign_in, tmp_path):
    visit = sign_in("specialist")
    page = visit.page
    visit.check()  # their home page answers, not "page not found"
    assert "Pupils shared with you" in page.title()
    main = page.locator("main")
    assert "Riverside Primary School" in main.inner_text()  # the demo specialist visits two schools
    shared = main.locator("table a[href^='/pupils/']")
    assert shared.count() >= 2
    shared.first.click()
    visit.check()
    page.get_by_role("link", name="Add your advice").click()
    visit.check()
    page.get_by_label("Your service").select_option(value="ep")
    page.get_by_label("Summary of your advice").fill("Working memory is well below the average range.")
    page.get_by_label("Recommendations (optional)").fill("Give instructions in chunks of two steps\nUse a task board")
    report = tmp_path / "ep-report.pdf"
    report.write_bytes(b"%PDF-1.4\n% browser test report\n")
    page.get_by_label("Your report (optional)").set_input_files(str(report))
    page.get_by_role("button", name="Save").click()
    visit.check()
    main = page.locator("main").inner_text()
    assert "Your advice is saved" in main and "Use a task board" in main and "ep-report.pdf" in main
    page.get_by_role("link", name="Trellis").click()  # the logo leads home, not to a 404
    visit.check()
    assert "Pupils shared with you" in page.title()


def test_senco_lands_on_the_error_summary_when_a_file_cannot_be_imported(sign_in, tmp_path):
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    page.get_by_role("link", name="Import pupils").click()
    csv = tmp_path / "pupils.csv"
    csv.write_text("UPN,Legal surname,Legal forename,Date of birth,Sex\nA801200120001,Example,Pat,31/02/2017,F\n")
    page.get_by_label("Upload a file").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_text("The file cannot be imported").first.wait_for()  # the form posts by htmx: no page load
    # (expect polls from Playwright's own script: a page function would be eval, which the CSP refuses)
    expect(page.locator(".error-summary")).to_be_focused(timeout=5000)
    visit.check()


def test_an_import_refused_on_submit_shows_why(sign_in, tmp_path):
    """The Import button posts by htmx; a refused import answers 422, which htmx would drop."""
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    page.get_by_role("link", name="Import pupils").click()
    upn = make_upn("999", "9999", 18, secrets.randbelow(999) + 1)
    csv = tmp_path / "pupils.csv"
    csv.write_text(f"UPN,Legal surname,Legal forename,Date of birth,Sex,Notes\n{upn},Example,Lee,01/05/2017,F,hello\n")
    page.get_by_label("Upload a file").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_label("Column “Notes”").select_option(label="Ignore this column")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Check what will change").first.wait_for()
    # Meanwhile, in another tab, the same upload's "Notes" column is matched to the NC year, so the
    # file no longer imports: the first tab's Import is refused when it is pressed.
    other = page.context.new_page()
    other.goto(page.url.split("?")[0] + "?remap=1")
    other.get_by_label("Column “Notes”").select_option(label="NC year")
    other.get_by_role("button", name="Continue").click()
    other.get_by_text("The file cannot be imported").first.wait_for()
    other.close()
    page.get_by_role("button", name=re.compile("^Import", re.I)).first.click()
    page.get_by_text("nothing was imported").first.wait_for()
    assert "is not a National Curriculum year" in page.locator("main").inner_text()
    expect(page.locator(".error-summary")).to_be_focused(timeout=5000)
    # Chromium logs every 4xx answer to the console; this 422 is the point of the test.
    visit.problems[:] = [p for p in visit.problems if "status of 422" not in p]
    visit.check()


def test_senco_opens_the_annual_review_pack_and_the_evidence_for_a_request(sign_in):
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    visit.check()
    register = page.url.removeprefix(visit.base_url).split("?")[0]
    for status, title in [
        ("E", "EHC plan annual review pack"),
        ("K", "Evidence for a request for an EHC needs assessment"),
    ]:
        visit.goto(f"{register}?status={status}")
        page.locator("main table a[href^='/pupils/']").first.click()
        visit.check()
        page.get_by_role("link", name=title).click()
        visit.check()
        assert page.locator("h1").inner_text().startswith(title)


def test_senco_reads_a_transition_file_and_imports_a_package(sign_in, tmp_path):
    """The transition file as a web page; its package downloaded, given a new UPN (a pupil new to the
    school on every run) and imported through the preview; the pupil arrives with their plans."""
    import io
    import json
    import zipfile

    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    page.locator("table a[href^='/pupils/']").first.click()
    pupil_page = page.url
    page.get_by_role("link", name="Transition file for the next school").click()
    visit.check()
    assert "Strategies that work" in page.locator("main").inner_text()
    page.goto(pupil_page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the transition package")).click()
    package = tmp_path / "package.zip"
    download.value.save_as(package)
    upn = make_upn("999", "9999", 19, secrets.randbelow(999) + 1)
    out = io.BytesIO()
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "transition.json":
                record = json.loads(content)
                record["pupil"] |= {"upn": upn, "legal_surname": "Arriving", "preferred_surname": ""}
                content = json.dumps(record).encode()
            target.writestr(info, content)
    (tmp_path / "arriving.zip").write_bytes(out.getvalue())
    page.get_by_role("link", name="SEN register").first.click()
    page.get_by_role("link", name="Import pupils").click()
    page.get_by_label("Upload a file").set_input_files(str(tmp_path / "arriving.zip"))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_text("Check the pupil who is joining").first.wait_for()
    visit.check()
    assert f"UPN {upn}" in page.locator("main").inner_text()
    page.get_by_role("button", name=re.compile("^Import")).click()
    page.wait_for_url(re.compile(r"/pupils/\d+/$"))
    visit.check()
    assert "Arriving" in page.locator("h1").inner_text()


def test_trust_leader_reads_spending_and_the_senco_changes_a_group(sign_in):
    visit = sign_in("trustlead")
    page, main = visit.page, visit.page.locator("main")
    page.get_by_role("link", name="Dashboards").first.click()
    visit.check()
    main.get_by_role("link", name=re.compile("Money for provision")).click()
    visit.check()
    text = main.inner_text()
    assert "Spending by funding stream" in text and "Notional SEN budget" in text
    assert "High-needs top-up (element 3)" in text, "the demo's EHC pupils' places are paid from element 3"
    assert "The same intervention in different schools" in text and "Cost per step" in text
    # The SENCO opens a group from the provision map and saves its form: the group page says so.
    visit = sign_in("senco")
    page, main = visit.page, visit.page.locator("main")
    page.get_by_role("link", name="Dashboards").first.click()
    main.get_by_role("link", name=re.compile("Money for provision")).click()
    visit.check()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Provision map").click()
    main.locator("table th a[href^='/provision/groups/']").first.click()
    visit.check()
    main.get_by_role("link", name=re.compile("Change the group's staff")).click()
    visit.check()
    main.get_by_role("button", name="Save").click()
    visit.check()
    assert "Group saved" in page.locator("body").inner_text()


def test_senco_changes_a_drafts_wording_releases_it_and_logs_where_it_went(sign_in):
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    visit.check()
    register = page.url.removeprefix(visit.base_url).split("?")[0]
    visit.goto(f"{register}?status=K")
    page.locator("main table a[href^='/pupils/']").first.click()
    page.get_by_role("link", name="Drafts and released versions").first.click()
    visit.check()
    page.get_by_role("button", name="Start a draft").click()
    visit.check()
    page.get_by_label("Covering note at the top").fill("From the SEND team.\n\nPlease keep this copy.")
    page.get_by_role("button", name="Save the wording").click()
    visit.check()
    page.get_by_role("button", name="Release this version").click()
    visit.check()
    expect(page.locator("h1")).to_have_text(re.compile(r"Report for parents and carers, version \d+"))
    page.get_by_label("A named person").check()
    page.get_by_label("Name (of the person").fill("Dr Ada Jones")
    page.get_by_label("Emailed").check()
    page.get_by_label("Email address (when emailing)").fill("ada@example.org")
    page.get_by_role("button", name="Send and log it").click()
    visit.check()
    expect(page.locator("main table")).to_contain_text("Dr Ada Jones")


def test_senco_rewords_an_annual_review_packs_sections_before_release(sign_in):
    """Each narrative section of the pack has its own box (one per EHC outcome); the figures stay."""
    visit = sign_in("senco")
    page = visit.page
    page.get_by_role("link", name="SEN register").first.click()
    register = page.url.removeprefix(visit.base_url).split("?")[0]
    visit.goto(f"{register}?status=E")
    page.locator("main table a[href^='/pupils/']").first.click()
    pupil = re.search(r"/pupils/(\d+)/", page.url).group(1)
    visit.goto(f"/pupils/{pupil}/documents/annual-review/versions/")
    if page.get_by_role("link", name="Open the draft").count():  # the other width's run started it
        page.get_by_role("link", name="Open the draft").click()
    else:
        page.get_by_role("button", name="Start a draft").click()
    visit.check()
    page.get_by_label("Section A: a summary of the views").fill("The family feel the year went well.")
    page.get_by_label("Proposed changes to the EHC plan").fill("Add an outcome for independence.")
    page.get_by_role("button", name="Save the wording").click()
    visit.check()
    page.get_by_role("link", name="See the draft as it reads now").click()
    visit.check()
    main = page.inner_text("main")
    assert "The family feel the year went well." in main and "Add an outcome for independence." in main
