"""No lost edits: a save from a form opened before someone else's save is refused, says who changed
the record and when, shows both versions and keeps the person's own values in the form."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.utils import timezone
from fixtures_progress import make_target

from trellis.audit.models import AuditEvent
from trellis.evidence import services as evidence
from trellis.lib.versions import EditConflict, last_change
from trellis.plans import services
from trellis.plans.models import Plan, PlanVersion, Review, Target


def _when(record_type: str, record_id: int) -> str:
    """The time of the latest change as the conflict message words it (14:05 on 3 March 2026)."""
    at = timezone.localtime(last_change(record_type, record_id)[1])
    return f"{at:%H:%M} on {at.day} {at:%B %Y}"


ROW = r'<th scope="row">([^<]*)</th><td>(.*?)</td><td>(.*?)</td>'  # a row of the conflict table


def _hidden(page: str, name: str) -> str:
    return re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page).group(1)


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


# --- The message ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "words"),
    [
        (dt.datetime(2026, 3, 3, 14, 5, tzinfo=dt.UTC), "at 14:05 on 3 March 2026"),  # GMT: as in UTC
        (dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC), "at 14:05 on 1 July 2026"),  # BST: an hour on
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), "at 23:30 on 28 March 2026"),  # the night before BST
        (dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC), "at 00:30 on 30 March 2026"),  # BST: the next day
    ],
)
def test_the_conflict_says_who_and_when_in_school_time(world, at, words):
    error = EditConflict(what="plan", record=Plan(version=2), by="Senco", at=at)
    assert str(error) == f"This plan was changed by Senco {words} since you opened it."
    assert error.version == 2
    gone = EditConflict(what="review", record=None, by="Senco", at=at)
    assert str(gone) == f"This review was removed by Senco {words} since you opened it."


# --- Plans ------------------------------------------------------------------------------------


def _plan(world, **content) -> Plan:
    return services.create_plan(pupil=world.in_class, by=world.senco, kind=Plan.Kind.SEN_SUPPORT, **content)


def test_a_stale_plan_save_is_refused_and_changes_nothing(world):
    plan = _plan(world, title="Reading plan", strengths="Loves stories")
    services.update_plan(plan=plan, by=world.senco, version=1, strengths="Loves stories and rhymes")
    with pytest.raises(EditConflict, match=r"^This plan was changed by Senco at .* since you opened it\.$"):
        services.update_plan(plan=plan, by=world.teacher, version=1, strengths="Good at maths")
    plan.refresh_from_db()
    assert (plan.strengths, plan.version) == ("Loves stories and rhymes", 2)
    assert AuditEvent.objects.filter(record_type="plan", action="update").count() == 1
    # A save from a form opened at the current version goes through, and the count goes on.
    services.update_plan(plan=plan, by=world.teacher, version=2, strengths="Good at maths")
    plan.refresh_from_db()
    assert (plan.strengths, plan.version) == ("Good at maths", 3)


def test_a_plan_save_without_changes_or_without_a_version_is_not_a_conflict(world):
    plan = _plan(world, title="Reading plan")
    services.update_plan(plan=plan, by=world.senco, version=1, title="Reading plan (spring)")
    assert services.update_plan(plan=plan, by=world.senco, version=1, title="Reading plan (spring)") is None
    services.set_plan_state(plan=plan, state=Plan.State.ACTIVE, by=world.senco)  # a button: no form, no version
    plan.refresh_from_db()
    assert (plan.state, plan.version) == ("active", 3)


def test_two_people_edit_a_plan_and_the_second_sees_both_versions_with_their_own_values_kept(world, login):
    plan = _plan(world, title="Reading plan", strengths="Loves stories", parent_views="Mum: reads at bedtime")
    url = f"/plans/{plan.pk}/edit/"
    senco = login(world.senco)
    opened = senco.get(url).content.decode()
    assert _hidden(opened, "version") == "1"
    common = {"kind": "sen_support", "title": "Reading plan", "parent_views": "Mum: reads at bedtime", "version": "1"}
    assert senco.post(url, common | {"strengths": "Loves stories and rhymes"}).status_code == 302

    teacher = login(world.teacher)
    page = teacher.post(url, common | {"strengths": "Good at maths", "written_by": "Mr Teacher"})
    assert page.status_code == 200
    text = page.content.decode()
    assert f"This plan was changed by Senco at {_when('plan', plan.pk)} since you opened it." in text
    assert "Your changes are not saved yet" in text
    # Both versions of each field that differs, and only those.
    table = text[text.index("What is saved now, and your version") :]
    rows = re.findall(ROW, table)
    assert rows == [
        ("Strengths", "Loves stories and rhymes", "Good at maths"),
        ("Written by, with", "(blank)", "Mr Teacher"),
    ]
    # The person's own values stay in the form, which now goes on from the saved version.
    assert re.search(r">\s*Good at maths</textarea>", text) and 'value="Mr Teacher"' in text
    assert _hidden(text, "version") == "2"
    plan.refresh_from_db()
    assert (plan.strengths, plan.written_by, plan.version) == ("Loves stories and rhymes", "", 2)

    # Having seen the SENCO's version, the teacher saves again: now theirs is kept.
    resent = {"kind": "sen_support", "title": "Reading plan", "parent_views": "Mum: reads at bedtime"}
    assert teacher.post(url, resent | {"strengths": "Good at maths", "version": "2"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.strengths, plan.version) == ("Good at maths", 3)


def test_an_active_plan_keeps_no_version_for_a_refused_save(world):
    plan = _plan(world, title="Reading plan")
    services.set_plan_state(plan=plan, state=Plan.State.ACTIVE, by=world.senco)
    plan.refresh_from_db()
    services.update_plan(plan=plan, by=world.senco, version=plan.version, strengths="First")
    with pytest.raises(EditConflict):
        services.update_plan(plan=plan, by=world.teacher, version=plan.version, strengths="Second")
    assert PlanVersion.objects.filter(plan=plan).count() == 1


# --- Targets ----------------------------------------------------------------------------------


def _target_form(target: Target, **changes) -> dict:
    return {
        "description": target.description,
        "area": target.area,
        "scale": target.scale_id,
        "baseline_value": target.baseline_value,
        "target_value": target.target_value,
        **_date("starts_on", target.starts_on),
        "version": str(target.version),
    } | changes


def test_two_people_edit_a_target_and_the_second_is_refused_with_both_versions(world, login):
    target = make_target(world.in_class, baseline="2c", target_value="2a")
    url = f"/targets/{target.pk}/edit/"
    assert _hidden(login(world.senco).get(url).content.decode(), "version") == "1"
    stale = _target_form(target)
    assert login(world.senco).post(url, stale | {"target_value": "3c", "responsible": "Ms Khan"}).status_code == 302

    page = login(world.teacher).post(url, stale | {"target_value": "2b", "small_steps": "Sound out\nBlend"})
    text = page.content.decode()
    assert page.status_code == 200
    assert f"This target was changed by Senco at {_when('target', target.pk)} since you opened it." in text
    rows = re.findall(ROW, text)
    assert rows == [
        ("Target value", "3c", "2b"),
        ("Small steps", "(blank)", "Sound out<br>Blend"),
        ("Who is responsible", "Ms Khan", "(blank)"),
    ]
    assert _hidden(text, "version") == "2" and 'value="2b"' in text
    target.refresh_from_db()
    assert (target.target_value, target.responsible, target.small_steps.count()) == ("3c", "Ms Khan", 0)


def test_a_new_review_does_not_make_an_open_target_form_stale(world, login):
    target = make_target(world.in_class)
    services.record_review(target=target, by=world.ta, date=timezone.localdate(), value="2b")
    url = f"/targets/{target.pk}/edit/"
    assert login(world.teacher).post(url, _target_form(target, responsible="Mr T")).status_code == 302
    target.refresh_from_db()
    assert (target.responsible, target.version) == ("Mr T", 2)


# --- Evidence notes ---------------------------------------------------------------------------


def test_two_people_change_a_note_and_the_second_is_refused_with_both_versions(world, login):
    today = timezone.localdate()
    note = evidence.create_note(
        pupil=world.in_class,
        by=world.teacher,
        date=today,
        learning_objective="Read CVC words",
        activity="Flash cards",
        outcome="8 of 10",
        areas=["cognition"],
    )
    url = f"/pupils/{world.in_class.pk}/evidence/notes/{note.pk}/"
    assert _hidden(login(world.teacher).get(url).content.decode(), "version") == "1"
    form = {
        **_date("date", today),
        "learning_objective": "Read CVC words",
        "activity": "Flash cards",
        "outcome": "8 of 10",
        "areas": ["cognition"],
        "version": "1",
    }
    assert login(world.senco).post(url, form | {"outcome": "9 of 10"}).status_code == 302

    page = login(world.teacher).post(url, form | {"outcome": "10 of 10", "areas": ["cognition", "slc"]})
    text = page.content.decode()
    assert page.status_code == 200
    assert f"This evidence note was changed by Senco at {_when('evidence note', note.pk)}" in text
    rows = re.findall(ROW, text)
    assert rows == [
        ("Outcome", "9 of 10", "10 of 10"),
        (
            "Areas of need (optional)",
            "Cognition and learning",
            "Cognition and learning, Speech, language and communication (Communication and interaction)",
        ),
    ]
    note.refresh_from_db()
    assert (note.outcome, note.areas, note.version) == ("9 of 10", ["cognition"], 2)
    assert re.search(r">\s*10 of 10</textarea>", text) and _hidden(text, "version") == "2"


# --- Reviews: corrected in one tab, removed from a stale page in another -------------------------


def test_a_review_corrected_in_one_tab_is_not_removed_from_a_stale_page(world, login):
    today = timezone.localdate()
    target = make_target(world.in_class, baseline="2c", target_value="2a")
    review = services.record_review(target=target, by=world.teacher, date=today, value="2a")
    url = f"/reviews/{review.pk}/"
    teacher = login(world.teacher)
    opened = teacher.get(url).content.decode()
    assert 'name="version" value="1"' in opened  # in the correction form and the removal form
    assert (
        teacher.post(url, {"value": "2b", "comment": "Typo", **_date("date", today), "version": "1"}).status_code == 302
    )

    page = teacher.post(url, {"delete": "1", "version": "1"}, follow=True)
    text = page.content.decode()
    assert f"This review was changed by Teacher at {_when('target review', review.pk)} since you opened it." in text
    assert "Nothing was removed" in text
    review.refresh_from_db()
    assert (review.value, review.version) == ("2b", 2)
    assert 'value="2b"' in text and 'name="version" value="2"' in text  # the page now shows what is saved
    assert not AuditEvent.objects.filter(record_type="target review", action="delete").exists()

    assert teacher.post(url, {"delete": "1", "version": "2"}).status_code == 302
    assert not Review.objects.filter(pk=review.pk).exists()


def test_a_stale_correction_is_refused_and_a_correction_of_a_removed_review_says_so(world, login):
    today = timezone.localdate()
    target = make_target(world.in_class, baseline="2c", target_value="2a")
    review = services.record_review(target=target, by=world.teacher, date=today, value="2a")
    services.correct_review(review=review, by=world.senco, date=today, value="2b", version=1)
    with pytest.raises(EditConflict, match="changed by Senco"):
        services.correct_review(review=review, by=world.teacher, date=today, value="2c", version=1)
    assert Review.objects.get(pk=review.pk).value == "2b"

    services.delete_review(review=review, by=world.senco, version=2)
    with pytest.raises(EditConflict, match=r"^This review was removed by Senco at "):
        services.correct_review(review=review, by=world.teacher, date=today, value="2c", version=2)
    assert not Review.objects.filter(pk=review.pk).exists()
    target.refresh_from_db()
    assert target.last_status == ""


# --- Two saves at the same moment -------------------------------------------------------------


# Real connections racing: SQLite's in-memory test database cannot (its writers take turns anyway,
# as IMMEDIATE transactions). Serialized rollback puts back the data the migrations seed.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs separate connections to race (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_the_same_plan_at_the_same_moment_cannot_both_win(world):
    plan = _plan(world, title="Reading plan")
    start, outcomes = threading.Barrier(2), []

    def save(by, text):
        start.wait()
        try:
            services.update_plan(plan=Plan.objects.get(pk=plan.pk), by=by, version=1, strengths=text)
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(by, text)) for by, text in ((world.senco, "A"), (world.teacher, "B"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    plan.refresh_from_db()
    assert sorted(outcomes) == ["refused", "saved"]
    assert plan.version == 2
    assert AuditEvent.objects.filter(record_type="plan", action="update").count() == 1


def test_a_correction_posted_after_the_review_was_removed_says_so_on_the_target_page(world, login):
    today = timezone.localdate()
    target = make_target(world.in_class, baseline="2c", target_value="2a")
    review = services.record_review(target=target, by=world.teacher, date=today, value="2a")
    url = f"/reviews/{review.pk}/"
    assert login(world.teacher).get(url).status_code == 200  # the page is opened...
    services.delete_review(review=review, by=world.senco, version=1)  # ...and the review removed in another tab

    page = login(world.teacher).post(
        url, {"value": "2b", "comment": "Typo", **_date("date", today), "version": "1"}, follow=True
    )
    assert page.redirect_chain == [(f"/targets/{target.pk}/", 302)]
    when = _when("target review", review.pk)
    assert (
        f"This review was removed by Senco at {when} since you opened it. Your correction was not saved (value “2b”, comment “Typo”)."
        in page.content.decode()
    )
    assert not Review.objects.filter(target=target).exists()
    assert login(world.other_teacher).post(url, {"value": "2b"}).status_code == 404  # not their pupil: no trace


def test_a_concern_decided_in_another_tab_is_not_decided_again_from_a_stale_page(world):
    from trellis.identification import services as identification
    from trellis.identification.models import Concern

    concern = identification.raise_concern(
        pupil=world.in_class, by=world.teacher, area="slc", what_seen="Quiet in class"
    )
    stale = Concern.objects.get(pk=concern.pk)
    identification.decide(concern=concern, by=world.senco, decision="monitor", reasons="Watch for a half term")
    with pytest.raises(identification.IdentificationError, match="This concern has been decided"):
        identification.decide(concern=stale, by=world.head, decision="no_sen", reasons="No concern")
    concern.refresh_from_db()
    assert (concern.decision, concern.decision_reasons) == ("monitor", "Watch for a half term")
