"""Words people read (issue 15): statuses that say what they mean and are explained where shown,
one list of areas of need (six domains within four broad areas), values and needs by name, and a
refused import that shows its reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import add_review, make_target
from fixtures_transfer import ctf, ctf_pupil, upn

from trellis.assessment.models import Domain
from trellis.evidence import services as evidence
from trellis.identification import services as identification
from trellis.plans.models import Target
from trellis.plans.progress import GLOSSARY, Status, current_window
from trellis.pupils.areas import AREA_OF_DOMAIN, BROAD_AREAS, UNCATEGORISED, domain_label
from trellis.pupils.models import NeedType
from trellis.transfer.models import ImportRun

pytestmark = pytest.mark.dates

TODAY = timezone.localdate()
STUCK_TAG = '<span class="tag tag-amber">Stuck</span>'


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def half_way_target(pupil, **fields) -> Target:
    """2c -> 3c (3 steps) from 100 days ago to 100 days ahead: 1.5 steps expected today."""
    return make_target(
        pupil,
        baseline="2c",
        target_value="3c",
        starts_on=TODAY - dt.timedelta(days=100),
        target_date=TODAY + dt.timedelta(days=100),
        **fields,
    )


def reviewed(target: Target, *values: str, last: dt.date = TODAY) -> Target:
    for n, value in enumerate(values):
        add_review(target, value, date=last - dt.timedelta(days=14 * (len(values) - 1 - n)))
    return target


# --- Status words -----------------------------------------------------------------------------


def test_a_target_without_a_review_this_half_term_says_so_and_the_page_explains_each_status(world, login):
    last_half_term = current_window(world.school_a, TODAY).starts_on - dt.timedelta(days=1)
    target = reviewed(half_way_target(world.in_class), "2b", "2b", "2a", "2a", "3c", last=last_half_term)
    target.refresh_from_db()
    assert target.last_status == Status.ACHIEVED  # achieved stays achieved: no "not reviewed"
    other = reviewed(half_way_target(world.in_class), "2b", "2b", "2a", "2a", "2a", last=last_half_term)
    text = page(login(world.teacher), reverse("target", args=[other.pk]))
    assert "Not reviewed this half term</span>" in text
    assert ">Not reviewed<" not in text
    assert "What the statuses mean" in text
    for term, meaning in GLOSSARY.items():
        assert f"<dt>{term}</dt><dd>{meaning}</dd>" in text


def test_a_target_flat_above_the_expected_line_is_on_track_and_not_stuck_on_its_page(world, login):
    client = login(world.teacher)
    # 2a is 2 steps; 1.5 are expected half way, so two reviews without movement stay above the line.
    above = reviewed(half_way_target(world.in_class), "2a", "2a", "2a")
    text = page(client, reverse("target", args=[above.pk]))
    assert '<span class="tag tag-green">On track</span>' in text and STUCK_TAG not in text
    # 2b is 1 step, under the 1.5 expected: the same flat reviews make it stuck.
    below = reviewed(half_way_target(world.in_class, description="Spell ten words"), "2b", "2b", "2b")
    text = page(client, reverse("target", args=[below.pk]))
    assert '<span class="tag tag-amber">At risk</span> ' + STUCK_TAG in text
    below.refresh_from_db()
    above.refresh_from_db()
    assert (above.stuck, below.stuck) == (False, True)  # what the dashboards count


def test_the_chart_draws_the_expected_line_to_the_end_of_the_year_without_a_target_date(world, login):
    target = reviewed(make_target(world.in_class, target_date=None), "2b")
    text = page(login(world.teacher), reverse("target", args=[target.pk]))
    assert 'stroke-dasharray="4 4"' in text  # the rule expects the gain by the year's end: so does the chart


def test_the_pupil_page_explains_the_statuses_beside_the_targets(world, login):
    reviewed(half_way_target(world.in_class), "2b")
    text = page(login(world.teacher), reverse("pupil", args=[world.in_class.pk]))
    assert text.index("Plans and targets") < text.index("What the statuses mean")
    assert f"<dt>Stuck</dt><dd>{GLOSSARY['Stuck']}</dd>" in text


def dashboard(client, world):
    return client.get(reverse("dashboard-school", args=[world.school_a.urn]))


def test_the_dashboard_says_what_stuck_means_and_how_pupils_are_counted(world, login):
    # One pupil: one target achieved, one on track. By target: 1 achieved, 1 on track; the pupil
    # counts once, under their least good target: on track, so 0 pupils achieved.
    reviewed(make_target(world.in_class), "2a")
    reviewed(half_way_target(world.in_class), "2a")
    response = dashboard(login(world.senco), world)
    rows = {status: (targets.count, pupils.count) for status, _, targets, pupils in response.context["status_table"]}
    assert rows[Status.ACHIEVED] == (1, 0)
    assert rows[Status.ON_TRACK] == (1, 1)
    text = response.content.decode()
    assert "Pupils (by their least good target)" in text
    assert "a pupil counts as achieved only when every current target is achieved" in text
    assert "stuck targets: below the expected line, with no movement across the last two reviews" in text
    assert f"<dt>Stuck</dt><dd>{GLOSSARY['Stuck']}</dd>" in text


def test_the_governors_dashboard_defines_stuck_too(world, login):
    text = dashboard(login(world.governor), world).content.decode()
    assert "stuck targets: below the expected line" in text
    assert "What the statuses mean" in text


def test_the_dashboard_does_not_count_a_target_on_track_as_stuck_whatever_its_stored_flag(world, login):
    flat = reviewed(half_way_target(world.in_class), "2a", "2a", "2a")  # on track, 2 of 1.5 steps
    reviewed(half_way_target(world.in_class), "2b", "2b", "2b")  # at risk and flat: stuck
    Target.objects.filter(pk=flat.pk).update(stuck=True)  # as kept before the rule looked at the line
    response = dashboard(login(world.senco), world)
    assert response.context["d"].glance["stuck"] == 1
    assert [(a.name, a.stuck) for a in response.context["d"].attention] == [(world.in_class.full_name, 1)]


# --- One list of areas of need ----------------------------------------------------------------


@pytest.mark.django_db
def test_every_domain_has_one_broad_area_and_every_need_type_uses_one_of_the_four():
    assert set(AREA_OF_DOMAIN) == set(Domain.values)
    assert set(AREA_OF_DOMAIN.values()) == set(BROAD_AREAS)
    assert {n.broad_area for n in NeedType.objects.all()} <= {*BROAD_AREAS, UNCATEGORISED}


def test_a_domain_is_named_with_its_broad_area_once():
    assert domain_label("slc") == "Speech, language and communication (Communication and interaction)"
    assert domain_label("spld") == "Specific learning difficulties (Cognition and learning)"
    assert domain_label("cognition") == "Cognition and learning"  # not "Cognition and learning (Cognition ...)"
    assert domain_label("physical") == "Physical and medical (including vision and hearing) (Sensory and/or physical)"
    # An intervention's area is free text: a domain written out is named the same way.
    assert domain_label("Physical and medical") == domain_label("physical")
    assert domain_label("social communication and interaction") == domain_label("social")
    assert domain_label("Cognition and learning") == "Cognition and learning"
    assert domain_label("Our own words") == "Our own words"


SLC_SHOWN = "Speech, language and communication (Communication and interaction)"


def test_targets_show_their_area_with_its_broad_area(world, login):
    target = make_target(world.in_class)
    Target.objects.filter(pk=target.pk).update(area="slc")
    reviewed(target, "2b")
    client = login(world.teacher)
    assert SLC_SHOWN in page(client, reverse("target", args=[target.pk]))
    assert SLC_SHOWN in page(client, reverse("pupil", args=[world.in_class.pk]))


def test_plan_needs_concerns_and_evidence_show_the_area_with_its_broad_area(world, login):
    target = make_target(world.in_class)
    target.plan.needs = {"semh": "Finds transitions hard", "social": "Turn taking"}
    target.plan.save()
    concern = identification.raise_concern(pupil=world.in_class, by=world.teacher, area="slc", what_seen="Few words")
    evidence.create_note(
        pupil=world.in_class,
        by=world.senco,
        date=TODAY,
        learning_objective="Ask for help",
        activity="Group work",
        outcome="Asked twice",
        areas=["spld"],
    )
    client = login(world.senco)
    plan = page(client, reverse("plan", args=[target.plan_id]))
    assert "<strong>Social, emotional and mental health</strong>: Finds transitions hard" in plan
    assert "<strong>Social communication and interaction (Communication and interaction)</strong>" in plan
    assert SLC_SHOWN in page(client, reverse("concern", args=[concern.pk]))
    assert SLC_SHOWN in page(client, reverse("concerns", args=[world.school_a.urn]))
    notes = page(client, reverse("pupil-evidence", args=[world.in_class.pk]))
    assert "Specific learning difficulties (Cognition and learning)" in notes


def test_the_target_form_offers_each_area_with_its_broad_area(world, login):
    target = make_target(world.in_class)
    text = page(login(world.senco), reverse("target-new", args=[target.plan_id]))
    assert f'<option value="slc">{SLC_SHOWN}</option>' in text


KEY = "<dt>Communication and interaction</dt><dd>Speech, language and communication; Social communication and interaction</dd>"


@pytest.mark.parametrize("who", ["senco", "governor"])
def test_broad_area_figures_come_with_the_domains_each_covers(world, login, who):
    client = login(getattr(world, who))
    assert KEY in dashboard(client, world).content.decode()
    assert KEY in page(client, reverse("school", args=[world.school_a.urn]))


def test_the_register_shows_the_broad_areas_with_their_domains(world, login):
    text = page(login(world.senco), reverse("register", args=[world.school_a.urn]))
    assert KEY in text
    assert "<dt>Cognition and learning</dt><dd>Cognition and learning; Specific learning difficulties</dd>" in text


# --- Values as people read them -------------------------------------------------------------------


def test_word_values_show_their_labels_and_levels_stay_as_written(world, login):
    rated = reviewed(
        make_target(world.in_class, scale="effectiveness", baseline="try-something-different", target_value="ok"),
        "no-change",
    )
    levels = reviewed(
        make_target(world.in_class, scale="edsm", baseline="emerging", target_value="secure"), "developing"
    )
    client = login(world.teacher)
    text = page(client, reverse("target", args=[rated.pk]))
    assert "Need to try something different (baseline)" in text and "<td>No change</td>" in text
    assert "try-something-different" not in text.replace('value="try-something-different"', "")
    text = page(client, reverse("target", args=[levels.pk]))
    assert "Developmental scale scale" not in text
    assert "<caption>Reviews (scale: Developmental scale; steps counted from the baseline)</caption>" in text
    assert "<td>Developing</td>" in text and "(edsm)" not in text
    pupil = page(client, reverse("pupil", args=[world.in_class.pk]))
    assert "<td>Need to try something different</td>" in pupil  # the baseline, in the targets table


# --- The import preview -----------------------------------------------------------------------


@pytest.fixture
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def upload(client, world, data: bytes) -> str:
    response = client.post(
        reverse("import-upload", args=[world.school_a.urn]), {"file": SimpleUploadedFile("pupils.xml", data)}
    )
    return response["Location"]


@pytest.mark.usefixtures("_uploads_in_tmp")
def test_the_import_preview_and_record_name_the_needs(world, login):
    client = login(world.senco)
    preview = upload(client, world, ctf(ctf_pupil(upn(901), surname="Newpupil", needs=["SPLD", "HI"])))
    text = page(client, preview)
    assert "Primary need: – → Specific learning difficulty (SPLD)" in text
    assert "Secondary need: – → Hearing impairment (HI)" in text
    client.post(preview + "confirm/")
    run = ImportRun.objects.get()
    record = page(client, reverse("import-run", args=[world.school_a.urn, run.pk]))
    assert "Primary need: – → Specific learning difficulty (SPLD)" in record


@pytest.mark.usefixtures("_uploads_in_tmp")
def test_a_refused_import_answers_422_with_its_reasons_and_htmx_is_told_to_show_422s(world, login):
    client = login(world.senco)
    preview = upload(client, world, ctf(ctf_pupil(upn(901), dob="2016-13-01")))
    refused = client.post(preview + "confirm/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "The file cannot be imported" in text and "nothing was imported" in text
    # htmx drops 4xx answers unless told otherwise: the page says to swap a 422 in like a 200.
    assert '{"code": "422", "swap": true}' in text
    assert text.index('{"code": "422", "swap": true}') < text.index('{"code": "[45]..", "swap": false')
