"""The transition package (issue 13): export at one school, import at a school of another trust,
the record arrives whole and equal; bad packages are refused with where and why, changing nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import jsonschema_rs
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import make_user
from tests.fixtures_documents import demo_school  # noqa: F401 - a fixture for the tests here
from trellis.accounts.models import Role
from trellis.assessment.models import Assessment, Domain, Scale
from trellis.audit.models import AuditEvent
from trellis.evidence.models import EvidenceNote, WeeklyRecord
from trellis.families.services import link_carer
from trellis.plans.models import Plan, Review, Target
from trellis.provision.models import Enrolment
from trellis.pupils import services as pupil_services
from trellis.pupils.models import Pupil
from trellis.schools.services import create_school
from trellis.transfer.models import Arrival, ImportRun, PastProvision
from trellis.transfer.package import write_package
from trellis.transfer.package_import import import_transition
from trellis.transfer.package_read import SCHEMA_PATH, schema

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def leaver(demo_school, settings, tmp_path):  # noqa: F811 - the imported fixture
    """A demo pupil with targets and interventions, given assessments, an evidence file, attendance,
    an EHC plan and a parent; and Oak Academy, a school of another trust, with its SENCO."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    pupil = next(
        p
        for p in demo_school.demo_pupils
        if Target.objects.filter(pupil=p).exists() and Enrolment.objects.filter(pupil=p).exists()
    )
    nc = Scale.objects.get(code="nc-levels", school=None)
    Assessment.objects.create(pupil=pupil, scale=nc, value="2b", domain=Domain.COGNITION, subject="reading", date=today)
    note = EvidenceNote(
        pupil=pupil,
        date=today,
        learning_objective="Read a short text",
        activity="Read aloud",
        outcome="Read 40 words",
        areas=["cognition"],
        attachment_name="reading.png",
        attachment_type="image/png",
        attachment_size=len(PNG),
    )
    note.attachment.save("reading.png", ContentFile(PNG), save=False)
    note.save()
    monday = today - dt.timedelta(days=today.weekday())
    WeeklyRecord.objects.create(pupil=pupil, week_starting=monday, sessions_attended=9, sessions_possible=10)
    pupil_services.record_ehc_plan(
        pupil=pupil, by=None, issued_on=today - dt.timedelta(days=100), local_authority="Leeds"
    )
    parent = make_user("parentofleaver", email="parent@example.org", last_name="Parent")
    link_carer(pupil=pupil, user=parent, relationship="mother", by=demo_school.senco)
    oak = create_school(
        urn="100004", name="Oak Academy", la_number="803", estab_number="4002", trust_name="Oak Trust", today=today
    )
    demo_school.oak, demo_school.leaver = oak, pupil
    demo_school.oak_senco = make_user("oaksenco", school=oak, role=Role.SENCO)
    return demo_school


def _package(pupil) -> bytes:
    out = io.BytesIO()
    write_package(pupil, out, today=timezone.localdate())
    return out.getvalue()


def _record(package: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return json.loads(archive.read("transition.json"))


def _rezip(package: bytes, change) -> bytes:
    """The package with transition.json changed by `change(record)`; the files kept."""
    record = _record(package)
    change(record)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != "transition.json":
                target.writestr(info, source.read(info))
        target.writestr("transition.json", json.dumps(record))
    return out.getvalue()


def test_the_package_validates_against_the_published_schema(leaver):
    record = _record(_package(leaver.leaver))
    jsonschema_rs.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(record)
    assert record["schema_version"] == "1.0"
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema()["$defs"]["target"]["properties"]["area"]["enum"]) == set(Domain.values)


def test_the_package_holds_no_other_pupils_data(leaver):
    package = _package(leaver.leaver)
    text = package.decode("latin-1") + json.dumps(_record(package))
    others = [p for p in leaver.demo_pupils if p != leaver.leaver]
    for other in others:
        assert other.upn not in text and other.legal_surname not in text
    # the pupil's groups had other pupils: none of them travels, by name or by number
    assert all("pupils" not in p for p in _record(package)["provision"])


def test_round_trip_between_schools_of_different_trusts(leaver):
    source = leaver.leaver
    assert leaver.oak.trust != source.school.trust
    package = _package(source)
    plan = import_transition(source=io.BytesIO(package), file_name="leaver.zip", school=leaver.oak, by=leaver.oak_senco)
    assert plan.ok and plan.applied, plan.problems
    arrived = Pupil.objects.get(school=leaver.oak, upn=source.upn)
    for name in ["legal_surname", "legal_forename", "date_of_birth", "sex", "nc_year", "sen_status", "primary_need_id"]:
        assert getattr(arrived, name) == getattr(source, name), name
    assert arrived.enrolled_on is None  # the new school's own date, from its MIS
    history = ["status", "starts_on", "ends_on"]
    assert list(arrived.sen_history.order_by("starts_on").values_list(*history)) == list(
        source.sen_history.order_by("starts_on").values_list(*history)
    )
    needs = ["need_id", "rank", "starts_on", "ends_on"]
    assert list(arrived.need_history.order_by(*needs).values_list(*needs)) == list(
        source.need_history.order_by(*needs).values_list(*needs)
    )
    # Plans arrive as previous plans: every field equal but the state, which is archived.
    exported = source.plans.exclude(state=Plan.State.DRAFT).order_by("starts_on", "created_at", "pk")
    imported = arrived.plans.order_by("starts_on", "created_at", "pk")
    assert imported.count() == exported.count() >= 1
    for old, new in zip(exported, imported, strict=True):
        assert new.state == Plan.State.ARCHIVED
        assert {k: v for k, v in new.content().items() if k != "state"} == {
            k: v for k, v in old.content().items() if k != "state"
        }
        fields = ["position", "description", "area", "scale__code", "baseline_value", "target_value", "starts_on"]
        assert list(new.targets.values_list(*fields)) == list(old.targets.values_list(*fields))
        review_fields = ["target__position", "date", "value", "comment", "status", "gain"]
        assert list(
            Review.objects.filter(target__plan=new)
            .order_by("target__position", "date", "pk")
            .values_list(*review_fields)
        ) == list(
            Review.objects.filter(target__plan=old)
            .order_by("target__position", "date", "pk")
            .values_list(*review_fields)
        )
    assert set(Arrival.objects.get(pupil=arrived).plans.all()) == set(imported)
    # hand-checked: the one assessment, the one week, the EHC plan, the evidence file's bytes
    marks = ["date", "scale__code", "value", "domain", "subject"]
    assert list(arrived.assessments.order_by(*marks).values_list(*marks)) == list(
        source.assessments.order_by(*marks).values_list(*marks)
    )
    assert arrived.assessments.filter(scale__code="nc-levels", value="2b", subject="reading").count() == 1
    assert list(WeeklyRecord.objects.filter(pupil=arrived).values_list("sessions_attended", "sessions_possible")) == [
        (9, 10)
    ]
    assert arrived.ehc_plans.get().local_authority == "Leeds"
    note = EvidenceNote.objects.get(pupil=arrived)
    assert note.attachment.read() == PNG and note.attachment_name == "reading.png"
    # provision: a record of the past, this pupil's only, not a group at Oak
    enrolments = (
        Enrolment.objects.filter(pupil=source).select_related("group__intervention").order_by("starts_on", "pk")
    )
    past = PastProvision.objects.filter(pupil=arrived).order_by("starts_on", "pk")
    assert [p.intervention for p in past] == [e.group.intervention.name for e in enrolments]
    assert not Enrolment.objects.filter(pupil=arrived).exists()
    assert not leaver.oak.interventions.exists()
    # audited as an import, with its run
    event = AuditEvent.objects.get(pupil_id=arrived.pk, action=AuditEvent.Action.IMPORT)
    assert event.actor == leaver.oak_senco and "Alder Primary" in event.summary
    assert ImportRun.objects.get(school=leaver.oak).file_format == "TRANS"


def test_importing_the_same_package_again_is_refused_and_changes_nothing(leaver):
    package = _package(leaver.leaver)
    assert import_transition(
        source=io.BytesIO(package), file_name="a.zip", school=leaver.oak, by=leaver.oak_senco
    ).applied
    counts = (Pupil.objects.count(), Plan.objects.count(), Review.objects.count(), AuditEvent.objects.count())
    again = import_transition(source=io.BytesIO(package), file_name="a.zip", school=leaver.oak, by=leaver.oak_senco)
    assert not again.applied
    [problem] = again.problems
    assert problem.field == "pupil.upn" and "already on Oak Academy's register" in problem.message
    assert (Pupil.objects.count(), Plan.objects.count(), Review.objects.count(), AuditEvent.objects.count()) == counts


def test_a_dry_run_checks_and_writes_nothing(leaver):
    before = (Pupil.objects.count(), AuditEvent.objects.count())
    plan = import_transition(
        source=io.BytesIO(_package(leaver.leaver)), file_name="a.zip", school=leaver.oak, dry_run=True
    )
    assert plan.ok and not plan.applied and plan.counts["plans"] >= 1 and plan.counts["files"] == 1
    assert (Pupil.objects.count(), AuditEvent.objects.count()) == before


def _set(path: list, value):
    def change(record):
        node = record
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (
            _set(["plans", 0, "targets", 0, "scale"], "made-up-scale"),
            "plans[0].targets[0].scale",
            "no scale 'made-up-scale'",
        ),
        (_set(["assessments", 0, "value"], "9z"), "assessments[0].value", "'9z' is not on the"),
        (_set(["pupil", "sex"], "X"), "pupil.sex", "'F', 'M'"),
        (_set(["pupil", "upn"], "A801200122000"), "pupil.upn", "check letter"),
        (_set(["pupil", "date_of_birth"], "2016-02-30"), "pupil.date_of_birth", "not a date"),
        (_set(["need_history", 0, "code"], "ZZZ"), "pupil.primary_need", "'ZZZ' is not a SEN type of need"),
        (_set(["schema_version"], "2.0"), "schema_version", "does not match"),
        (_set(["attendance", 0, "sessions_attended"], 11), "attendance[0].sessions_attended", "more than"),
        (lambda r: r["attendance"].append(dict(r["attendance"][0])), "attendance[1].week_starting", "given twice"),
        (_set(["evidence", 0, "file", "path"], "../../etc/passwd"), "evidence[0].file.path", "does not match"),
    ],
)
def test_bad_records_are_refused_naming_the_file_record_and_field(leaver, change, where, words):
    package = _rezip(_package(leaver.leaver), change)
    before = (Pupil.objects.count(), AuditEvent.objects.count(), ImportRun.objects.count())
    plan = import_transition(source=io.BytesIO(package), file_name="bad.zip", school=leaver.oak, by=leaver.oak_senco)
    assert not plan.applied
    assert any(p.field == where and words in (p.message + p.accepted) for p in plan.problems), [
        str(p) for p in plan.problems
    ]
    assert all(p.file.startswith("bad.zip") for p in plan.problems)
    assert (Pupil.objects.count(), AuditEvent.objects.count(), ImportRun.objects.count()) == before


def test_not_a_zip_a_damaged_file_and_a_zip_bomb_are_refused(leaver):
    school = leaver.oak
    assert "not a zip file" in str(
        import_transition(source=io.BytesIO(b"hello"), file_name="x.zip", school=school).problems[0]
    )
    package = _package(leaver.leaver)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        path = next(n for n in archive.namelist() if n.startswith("evidence/"))
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info) + (b"x" if info.filename == path else b""))
    [problem] = import_transition(source=io.BytesIO(damaged.getvalue()), file_name="x.zip", school=school).problems
    assert problem.file == f"x.zip: {path}" and "SHA-256" in problem.message
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("transition.json", b" " * (3 * 1024 * 1024))
    [problem] = import_transition(source=io.BytesIO(bomb.getvalue()), file_name="x.zip", school=school).problems
    assert "times its size; the limit is 100" in problem.message
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "hi")
    assert (
        "no transition.json"
        in import_transition(source=io.BytesIO(empty.getvalue()), file_name="x.zip", school=school).problems[0].message
    )
    assert not Pupil.objects.filter(school=school).exists()


def test_the_commands_export_and_import_and_audit(leaver, tmp_path):
    pupil = leaver.leaver
    zipped, pdf = tmp_path / "t.zip", tmp_path / "t.pdf"
    call_command("render_document", "transition", "--pupil", pupil.upn, "--package", str(zipped), stdout=io.StringIO())
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, pupil_id=pupil.pk, summary="Transition file (package)"
    ).exists()
    out = io.StringIO()
    call_command("import_transition", str(zipped), "--school", leaver.oak.urn, "--dry-run", stdout=out)
    assert out.getvalue().startswith("Would import into Oak Academy:")
    assert not Pupil.objects.filter(school=leaver.oak).exists()
    call_command("import_transition", str(zipped), "--school", leaver.oak.urn, stdout=io.StringIO())
    arrived = Pupil.objects.get(school=leaver.oak)
    assert AuditEvent.objects.get(pupil_id=arrived.pk, action=AuditEvent.Action.IMPORT).via == "command"
    with pytest.raises(CommandError, match="was not imported: 1 problems"):
        call_command(
            "import_transition", str(zipped), "--school", leaver.oak.urn, stdout=io.StringIO(), stderr=io.StringIO()
        )
    with pytest.raises(CommandError, match="--package is for the transition file only"):
        call_command("render_document", "passport", "--pupil", pupil.upn, "--package", str(zipped))
    assert not pdf.exists()


def _upload(client, urn: str, content: bytes, name: str = "leaver.zip"):
    return client.post(f"/schools/{urn}/imports/new/", {"file": ContentFile(content, name=name)})


def test_the_upload_page_previews_then_imports_a_package(leaver, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    client = login(leaver.oak_senco)
    response = _upload(client, leaver.oak.urn, _package(leaver.leaver))
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "Check the pupil who is joining" in text
    assert f"UPN {leaver.leaver.upn}" in text and "Alder Primary (URN 100001), Test Trust" in text
    assert not Pupil.objects.filter(school=leaver.oak).exists()  # the preview is a dry run
    done = client.post(response["Location"] + "confirm/")
    arrived = Pupil.objects.get(school=leaver.oak)
    assert done.status_code == 302 and done["Location"] == f"/pupils/{arrived.pk}/"
    assert AuditEvent.objects.filter(pupil_id=arrived.pk, action=AuditEvent.Action.IMPORT, via="web").count() == 1


def test_the_upload_page_lists_a_packages_problems_and_imports_nothing(leaver, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    client = login(leaver.oak_senco)
    bad = _rezip(_package(leaver.leaver), _set(["plans", 0, "targets", 0, "scale"], "alder-own-scale"))
    page = client.get(_upload(client, leaver.oak.urn, bad)["Location"])
    text = page.content.decode()
    assert "The package cannot be imported" in text
    assert "leaver.zip: transition.json" in text and "plans[0].targets[0].scale" in text
    assert "Oak Academy has no scale &#x27;alder-own-scale&#x27;" in text
    assert not Pupil.objects.filter(school=leaver.oak).exists()


def test_only_the_senco_imports_a_package(leaver, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    office = make_user("oakoffice", school=leaver.oak, role=Role.ADMINISTRATOR)
    client = login(office)
    location = _upload(client, leaver.oak.urn, _package(leaver.leaver))["Location"]
    refused = client.get(location)
    assert refused.status_code == 403 and "only the SENCO can import it" in refused.content.decode()
    assert client.post(location + "confirm/").status_code == 403
    assert not Pupil.objects.filter(school=leaver.oak).exists()


def test_the_package_download_is_for_staff_who_see_the_sen_record_and_is_audited(leaver, login):
    pupil = leaver.leaver
    url = f"/pupils/{pupil.pk}/documents/transition.zip"
    assert login(leaver.administrator).get(url).status_code == 404  # the office sees the register only
    assert login(leaver.oak_senco).get(url).status_code == 404  # another school
    response = login(leaver.senco).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert _record(response.content)["pupil"]["upn"] == pupil.upn
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, pupil_id=pupil.pk)
    assert (event.summary, event.actor) == ("Transition file (package)", leaver.senco)


def test_the_arrived_pupils_previous_plans_are_history_and_past_provision_shows(leaver, login):
    from trellis.plans.access import may_edit_plan

    plan = import_transition(
        source=io.BytesIO(_package(leaver.leaver)), file_name="a.zip", school=leaver.oak, by=leaver.oak_senco
    )
    previous = plan.pupil.plans.first()
    assert previous.state == Plan.State.ARCHIVED and not may_edit_plan(leaver.oak_senco, previous)
    page = login(leaver.oak_senco).get(f"/pupils/{plan.pupil.pk}/").content.decode()
    assert "At Alder Primary, before joining" in page
    first = PastProvision.objects.filter(pupil=plan.pupil).first()
    assert first.intervention in page
