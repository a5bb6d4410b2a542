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
from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord
from trellis.families.models import Carer, Invitation
from trellis.families.services import link_carer
from trellis.identification.models import Concern, ConcernEvidence
from trellis.lib.upn import make_upn
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
    an EHC plan, "I can" statements, a decided concern and two parents (one has a parent's account
    at Oak too: a sibling there); and Oak Academy, a school of another trust, with its SENCO."""
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
    father = make_user("fatherofleaver", email="dad@example.org", last_name="Parent")
    link_carer(pupil=pupil, user=father, relationship="father", by=demo_school.senco)
    PupilVoiceEntry.objects.filter(pupil=pupil).delete()  # the demo's own: the hand count below is these
    PupilVoiceEntry.objects.create(
        pupil=pupil, date=today - dt.timedelta(days=30), statement="I can read my name", rating=3, recorded="by"
    )
    PupilVoiceEntry.objects.create(
        pupil=pupil, date=today, statement="I can ask for help", rating=1, comment="With a card, sometimes"
    )
    Concern.objects.filter(pupil=pupil).delete()
    concern = Concern.objects.create(
        pupil=pupil,
        source=Concern.Source.PARENT,
        area=Domain.SLC,
        what_seen="Does not follow two-part instructions",
        contexts="Maths, PE",
        noticed_since=today - dt.timedelta(days=400),
        raised_on=today - dt.timedelta(days=380),
        raised_by=demo_school.senco,
        decision=Concern.Decision.SEN_SUPPORT,
        decision_reasons="Screening and observation agree",
        decided_on=today - dt.timedelta(days=350),
    )
    ConcernEvidence.objects.create(
        concern=concern, kind="screening", date=today - dt.timedelta(days=360), summary="Language screen", result="78"
    )
    oak = create_school(
        urn="100004", name="Oak Academy", la_number="803", estab_number="4002", trust_name="Oak Trust", today=today
    )
    # A sibling at Oak, for parents' accounts there.
    sibling = Pupil.objects.create(
        school=oak,
        upn=make_upn("803", "4002", 24, 1),
        legal_surname="Parent",
        legal_forename="Kit",
        date_of_birth=dt.date(2014, 1, 1),
    )
    link_carer(pupil=sibling, user=parent, relationship="mother", by=None)
    demo_school.oak_sibling = sibling
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
    assert record["schema_version"] == "1.1"
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
    source, today = leaver.leaver, timezone.localdate()
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
    # the pupil's voice and the concern with its evidence and decision, as the first school had them
    voice = ["date", "statement", "rating", "recorded", "comment"]
    assert list(PupilVoiceEntry.objects.filter(pupil=arrived).order_by("date").values_list(*voice)) == [
        (today - dt.timedelta(days=30), "I can read my name", 3, "by", ""),
        (today, "I can ask for help", 1, "with", "With a card, sometimes"),
    ]
    concern = Concern.objects.get(pupil=arrived)
    assert (concern.source, concern.area, concern.what_seen, concern.contexts) == (
        "parent",
        "slc",
        "Does not follow two-part instructions",
        "Maths, PE",
    )
    assert (concern.noticed_since, concern.raised_on, concern.decided_on) == (
        today - dt.timedelta(days=400),
        today - dt.timedelta(days=380),
        today - dt.timedelta(days=350),
    )
    assert concern.decision == "sen_support" and concern.decision_reasons == "Screening and observation agree"
    assert concern.raised_by is None and concern.raiser == (
        leaver.senco.get_full_name() or leaver.senco.username
    )  # a name: no account travels
    assert list(concern.evidence.values_list("kind", "summary", "result")) == [("screening", "Language screen", "78")]
    # both parents have a parent's account in this Trellis: linked, as they were (see below for the others)
    assert [(c.user.username, c.relationship) for c in Carer.objects.filter(pupil=arrived)] == [
        ("parentofleaver", "mother"),
        ("fatherofleaver", "father"),
    ]
    assert Arrival.objects.get(pupil=arrived).carers == []
    assert (plan.counts["voice"], plan.counts["concerns"], plan.counts["carers_linked"]) == (2, 1, 2)
    # audited as an import, with its run
    event = AuditEvent.objects.get(pupil_id=arrived.pk, action=AuditEvent.Action.IMPORT)
    assert event.actor == leaver.oak_senco and "Alder Primary" in event.summary
    assert ImportRun.objects.get(school=leaver.oak).file_format == "TRANS"


def test_a_version_1_0_package_without_voice_or_concerns_is_still_read(leaver):
    def as_1_0(record):
        record["schema_version"] = "1.0"
        del record["pupil_voice"], record["concerns"]

    package = _rezip(_package(leaver.leaver), as_1_0)
    plan = import_transition(source=io.BytesIO(package), file_name="old.zip", school=leaver.oak, by=leaver.oak_senco)
    assert plan.applied, [str(p) for p in plan.problems]
    arrived = Pupil.objects.get(school=leaver.oak, upn=leaver.leaver.upn)
    assert not PupilVoiceEntry.objects.filter(pupil=arrived).exists() and not arrived.concerns.exists()
    assert (plan.counts["voice"], plan.counts["concerns"]) == (0, 0)


def _father_email(email: str):
    """The package as another Trellis would make it, where the father's email is `email`."""
    return lambda record: record["contacts"]["carers"][1].update(email=email)


def test_only_one_parents_account_is_linked_never_staff_nor_one_of_two(leaver):
    """Linking gives the account the pupil's family pages: only a parent's account is linked, never
    a staff account that is a parent too (DAD in capitals: the same address), nor one of two
    accounts with the email; those wait for the SENCO to invite."""
    dual = make_user("dadatoak", email="DAD@oak.example", school=leaver.oak, role=Role.TEACHER)
    link_carer(pupil=leaver.oak_sibling, user=dual, relationship="father", by=None)
    link_carer(
        pupil=leaver.oak_sibling,
        user=make_user("parentagain", email="parent@example.org"),
        relationship="carer",
        by=None,
    )
    package = _rezip(_package(leaver.leaver), _father_email("dad@oak.example"))
    plan = import_transition(source=io.BytesIO(package), file_name="a.zip", school=leaver.oak, by=leaver.oak_senco)
    arrived = Pupil.objects.get(school=leaver.oak, upn=leaver.leaver.upn)
    assert not Carer.objects.filter(pupil=arrived).exists()
    assert [c["email"] for c in Arrival.objects.get(pupil=arrived).carers] == ["parent@example.org", "dad@oak.example"]
    assert (plan.counts["carers_linked"], plan.counts["carers_to_invite"]) == (0, 2)


def test_the_senco_invites_the_carers_the_package_named_from_the_family_page(leaver, login):
    package = _rezip(_package(leaver.leaver), _father_email("dad@example.org.uk"))  # no account here
    import_transition(source=io.BytesIO(package), file_name="a.zip", school=leaver.oak, by=leaver.oak_senco)
    arrived = Pupil.objects.get(school=leaver.oak, upn=leaver.leaver.upn)
    client = login(leaver.oak_senco)
    page = client.get(f"/pupils/{arrived.pk}/family/").content.decode()
    assert "Named by the previous school" in page
    assert "Fatherofleaver Parent (Father), dad@example.org.uk, from Alder Primary" in page
    assert "parent@example.org" not in page.split("Named by the previous school")[1]  # linked already
    invited = client.post(
        f"/pupils/{arrived.pk}/family/",
        {"invite": "1", "invite-email": "dad@example.org.uk", "invite-relationship": "father"},
    ).content.decode()
    assert "Send this link to them" in invited
    assert Invitation.objects.get(pupil=arrived).email == "dad@example.org.uk"
    assert "Named by the previous school" not in invited  # invited: no longer waiting


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
        (_set(["pupil_voice", 0, "rating"], 4), "pupil_voice[0].rating", "is not one of"),
        (_set(["concerns", 0, "decided_on"], None), "concerns[0].decided_on", "a decision needs its date"),
        (_set(["concerns", 0, "raised_on"], "2026-13-01"), "concerns[0].raised_on", "not a date"),
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
    assert not Pupil.objects.filter(school=school, upn=leaver.leaver.upn).exists()


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
    assert not Pupil.objects.filter(school=leaver.oak, upn=leaver.leaver.upn).exists()
    call_command("import_transition", str(zipped), "--school", leaver.oak.urn, stdout=io.StringIO())
    arrived = Pupil.objects.get(school=leaver.oak, upn=leaver.leaver.upn)
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
    assert "Concerns raised</dt><dd>1</dd>" in text and "2 linked to their parent's account here; 0 to invite" in text
    assert not Pupil.objects.filter(school=leaver.oak, upn=leaver.leaver.upn).exists()  # the preview is a dry run
    done = client.post(response["Location"] + "confirm/")
    arrived = Pupil.objects.get(school=leaver.oak, upn=leaver.leaver.upn)
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
    assert not Pupil.objects.filter(school=leaver.oak, upn=leaver.leaver.upn).exists()


def test_only_the_senco_imports_a_package(leaver, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    office = make_user("oakoffice", school=leaver.oak, role=Role.ADMINISTRATOR)
    client = login(office)
    location = _upload(client, leaver.oak.urn, _package(leaver.leaver))["Location"]
    refused = client.get(location)
    assert refused.status_code == 403 and "only the SENCO can import it" in refused.content.decode()
    assert client.post(location + "confirm/").status_code == 403
    assert not Pupil.objects.filter(school=leaver.oak, upn=leaver.leaver.upn).exists()


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
