"""Every route that shows a pupil's data, how to open it and whose data it shows; and the routes
that show none. Shared by the audit test (tests/test_audit_reads.py: each read is audited) and the
need-to-know test (tests/test_access.py: each read follows need to know)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.webauthn.internal.auth import WebAuthn
from allauth.socialaccount.models import SocialApp
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import add_review, make_target
from fixtures_transfer import ctf, ctf_pupil, upn
from passkey_authenticator import SoftPasskey

from trellis.accounts.models import Membership, Role, User
from trellis.assessment.models import Domain
from trellis.assessment.scales import find_scale
from trellis.audit.models import AuditEvent
from trellis.deadlines import services as deadlines
from trellis.deadlines.models import AnnualReview, EhcAssessmentRequest
from trellis.documents import editing as information
from trellis.documents import services as documents
from trellis.documents.information_report import WRITTEN
from trellis.documents.models import Draft, Release, Sending
from trellis.documents.registry import get_kind
from trellis.evidence import exclusions
from trellis.evidence import services as evidence
from trellis.families import services as families
from trellis.families.models import Carer
from trellis.identification import services as identification
from trellis.jobs.models import Job
from trellis.jobs.services import error_row
from trellis.meetings import services as meetings
from trellis.plans import services as plans
from trellis.provision import services as provision
from trellis.provision.models import Intervention, InterventionGroup
from trellis.pupils.models import EhcPlan, ExternalShare, Pupil
from trellis.schools.models import AssessmentPoint
from trellis.specialists import services as specialists
from trellis.transfer import services as transfer
from trellis.transfer.uploads import save_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SURNAMES = ["Inclass", "Otherclass", "Private", "Expired", "Birchpupil", "Cedarpupil"]


def seed(world, settings, tmp_path) -> SimpleNamespace:
    """`in_class` with a record in every part of the app, each reachable by an id."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    today = timezone.localdate()
    s = SimpleNamespace(world=world, pupil=world.in_class, urn=world.school_a.urn)
    # A stuck target (three equal values), so the dashboards name the pupil among those to discuss.
    s.target = make_target(world.in_class, baseline="2c")
    s.plan = s.target.plan
    add_review(s.target, "2c", date=s.target.starts_on + dt.timedelta(days=10), by=world.teacher)
    s.review = add_review(s.target, "2c", date=s.target.starts_on + dt.timedelta(days=30), by=world.teacher)
    s.concern = identification.raise_concern(
        pupil=world.in_class, by=world.teacher, area=Domain.COGNITION, what_seen="Reverses letters"
    )
    identification.request_views(concern=s.concern, by=world.senco, staff=[world.teacher])
    s.note = evidence.create_note(
        pupil=world.in_class,
        by=world.senco,
        date=today,
        learning_objective="Count to 20",
        activity="Bears",
        outcome="Counted to 14",
        upload=SimpleUploadedFile("bears.png", PNG, content_type="image/png"),
    )
    s.exclusion = exclusions.record_exclusion(
        pupil=world.in_class, by=world.senco, kind="suspension", starts_on=today, sessions=2, reason="Bullying"
    )
    s.intervention = Intervention.objects.create(school=world.school_a, name="Numeracy", cost_per_session=Decimal(12))
    s.group = InterventionGroup.objects.create(
        intervention=s.intervention, staff=world.ta, starts_on=today - dt.timedelta(days=30)
    )
    provision.enrol(
        group=s.group,
        pupil=world.in_class,
        by=world.senco,
        measures=[provision.MeasureInput(find_scale("nc-levels"), "2c", Decimal(1))],
    )
    year = world.school_a.current_academic_year()
    s.point = AssessmentPoint.objects.filter(academic_year=year).first()
    s.scale = find_scale("nc-levels", world.school_a)
    data = ctf(ctf_pupil(upn(901), surname="Newpupil", sen=[("2023-09-04", "K")]))
    s.upload = save_upload(SimpleUploadedFile("pupils.xml", data), user=world.senco, school=world.school_a)
    s.run = transfer.import_pupils(
        school=world.school_a, source=io.BytesIO(data), file_name="pupils.xml", by=world.senco
    ).run
    s.job = Job.objects.create(
        kind="import_pupils",
        started_by=world.senco,
        started_by_name="senco",
        school=world.school_a,
        state=Job.State.FAILED,
        errors=[error_row("is not a date", upn=world.in_class.upn)],
    )
    s.meeting = meetings.schedule_meeting(
        school=world.school_a,
        by=world.senco,
        kind="pupil",
        held_on=today,
        pupils=[world.in_class],
        staff=[world.teacher],
    )
    s.action = meetings.add_action(
        discussion=s.meeting.pupils.get(), by=world.senco, text="Share the word mat", owner=world.senco, due_on=today
    )
    # Statutory deadlines: an EHC plan with an earlier review, a request, and the SENCO's calendar link.
    plan = EhcPlan.objects.create(
        pupil=world.in_class, issued_on=today - dt.timedelta(days=300), next_annual_review_due=today
    )
    s.annual_review = AnnualReview.objects.create(plan=plan, pupil=world.in_class, due_on=today - dt.timedelta(days=1))
    s.ehc_request = EhcAssessmentRequest.objects.create(pupil=world.in_class, requested_on=today)
    s.calendar_key = deadlines.new_calendar_link(user=world.senco)
    # `parent` is the mother of `in_class`; `invitation_token` is a one-time link for another carer.
    world.parent = User.objects.create_user("parent", password="a-long-test-password", first_name="Jo")
    Carer.objects.create(user=world.parent, pupil=world.in_class, relationship="mother")
    # Documents: an open draft, a released version shared with the mother, and a batch's zip.
    s.draft = Draft.objects.create(pupil=world.in_class, kind="passport", created_by=world.senco)
    kind = get_kind("parent-report", "pupil")
    html = documents.render_html(kind, world.in_class, world.senco, today=today, pdf=True)
    pdf = b"%PDF-1.7\n"  # the routes serve the stored bytes as they are; making a real PDF needs Pango
    s.release = Release.objects.create(
        draft=Draft.objects.create(pupil=world.in_class, kind=kind.slug),
        pupil=world.in_class,
        kind=kind.slug,
        title=kind.title,
        number=1,
        html=html,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        released_by_name="senco",
    )
    Sending.objects.create(
        release=s.release,
        recipient="carer",
        recipient_name="Jo",
        carer=Carer.objects.get(user=world.parent),
        method="family_page",
        sent_by_name="senco",
    )
    zipped = default_storage.save("document-batches/seed.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    s.batch = Job.objects.create(
        kind="document_batch",
        started_by=world.senco,
        started_by_name="senco",
        school=world.school_a,
        state=Job.State.SUCCEEDED,
        args={"document": "passport", "group": None, "group_name": ""},
        result={"file": zipped, "pupils": [world.in_class.pk]},
    )
    _, s.invitation_token = families.invite(
        pupil=world.in_class, email="dad@example.org", relationship="father", by=world.senco
    )
    # Specialists: `visiting` is a specialist `in_class` is shared with; their advice (with a report and a
    # recommendation) and a referral.
    world.visiting = User.objects.create_user("visiting", password="a-long-test-password")
    Membership.objects.create(user=world.visiting, school=world.school_a, role=Role.SPECIALIST)
    ExternalShare.objects.create(
        pupil=world.in_class, specialist=world.visiting, expires_on=today + dt.timedelta(days=9)
    )
    s.advice = specialists.add_advice(
        pupil=world.in_class,
        by=world.visiting,
        service="ep",
        seen_on=today,
        summary="Working memory below average",
        recommendations=["Chunk instructions into two steps"],
        report=SimpleUploadedFile("report.pdf", b"%PDF-1.4 report"),
    )
    s.recommendation = s.advice.recommendations.get()
    s.referral = specialists.add_referral(
        pupil=world.in_class, by=world.senco, service="ep", referred_on=today - dt.timedelta(days=40)
    )
    # School A lets pupils from Year 4 have their own sign-in; `pupil_user` is `in_class`'s own.
    families.set_pupil_sign_in(school=world.school_a, by=world.senco, enabled=True, from_year=4)
    world.in_class.school.refresh_from_db()
    world.pupil_user = families.give_pupil_sign_in(
        pupil=world.in_class, by=world.senco, username="sam", password="a-long-test-password"
    ).user
    # A published SEN information report (the public page and PDF), and this year's draft.
    report = information.start_report(school=world.school_a, by=world.senco, today=today)
    for heading in WRITTEN:
        information.save_section(report=report, key=heading.key, by=world.senco, text=f"About {heading.title}.")
    information.save_contacts(
        report=report,
        by=world.senco,
        senco_name="Ms Ash",
        senco_email="senco@alder.example",
        sendiass_name="Northshire SENDIASS",
        sendiass_website="https://sendiass.example",
        local_offer_website="https://localoffer.example",
    )
    information.publish(report=report, by=world.senco, today=today)
    return s


def _published_year(s) -> str:
    return information.year_slug(information.latest_publication(s.world.school_a).content["year"])


@dataclass(frozen=True)
class Shows:
    """How to open a route that shows pupil data, as whom, and whose data it shows: `pupil` (an
    event for `in_class`), or `list` (one event for a list or download, naming no single pupil)."""

    url: Callable[[SimpleNamespace], str]
    shows: str = "pupil"
    user: str = "senco"


def _url(name: str, *args: Callable[[SimpleNamespace], object], query: str = ""):
    return lambda s: reverse(name, args=[arg(s) for arg in args]) + query


def pupil(s):
    return s.pupil.pk


def past_retention(s) -> int:
    """The pupil, born long enough ago for their SEN file to be past retention."""
    Pupil.objects.filter(pk=s.pupil.pk).update(date_of_birth=dt.date(1990, 1, 1))
    return s.pupil.pk


def urn(s):
    return s.urn


def plan(s):
    return s.plan.pk


def target(s):
    return s.target.pk


def concern(s):
    return s.concern.pk


def group(s):
    return s.group.pk


def enrolment(s):
    return s.group.enrolments.get().pk


def meeting(s):
    return s.meeting.pk


def grid_query(s) -> str:
    return f"?group={s.world.class_4b.pk}&point={s.point.pk}&scale={s.scale.pk}&domain=cognition"


PAGES_WITH_PUPIL_DATA: dict[str, Shows] = {
    "pupil": Shows(_url("pupil", pupil)),
    "pupil-sen-status": Shows(_url("pupil-sen-status", pupil)),
    "pupil-needs": Shows(_url("pupil-needs", pupil)),
    "pupil-ehc-plan": Shows(_url("pupil-ehc-plan", pupil)),
    "pupil-share": Shows(_url("pupil-share", pupil)),
    "pupil-confidential": Shows(_url("pupil-confidential", pupil)),
    "register": Shows(_url("register", urn), "list"),
    "retention": Shows(_url("retention"), "list"),
    "retention-delete": Shows(_url("retention-delete", past_retention)),
    "register-download": Shows(lambda s: reverse("register-download", args=[s.urn, "csv"]), "list"),
    "pupil-plans": Shows(_url("pupil-plans", pupil)),
    "plan-new": Shows(_url("plan-new", pupil)),
    "pupil-progress": Shows(_url("pupil-progress", pupil)),
    "plan": Shows(_url("plan", plan)),
    "plan-edit": Shows(_url("plan-edit", plan)),
    "target-new": Shows(_url("target-new", plan)),
    "target": Shows(_url("target", target)),
    "target-edit": Shows(_url("target-edit", target)),
    "review-correct": Shows(lambda s: reverse("review-correct", args=[s.review.pk])),
    "review-entry": Shows(_url("review-entry", urn), "list"),
    "target-overview": Shows(_url("target-overview", urn), "list"),
    "plans-past-review": Shows(_url("plans-past-review", urn), "list"),
    "smart-list": Shows(_url("smart-list", urn), "list"),
    "assessment-grid": Shows(lambda s: reverse("assessment-grid", args=[s.urn]) + grid_query(s), "list"),
    "dashboard-school": Shows(_url("dashboard-school", urn), "list"),  # pupils to discuss
    "dashboard-trust": Shows(_url("dashboard-trust"), "list"),  # names them too when it covers one school
    "import-preview": Shows(lambda s: reverse("import-preview", args=[s.urn, s.upload.token]), "list"),
    "import-run": Shows(lambda s: reverse("import-run", args=[s.urn, s.run.pk]), "list"),
    "job": Shows(lambda s: reverse("job", args=[s.job.pk]), "list"),  # an import's problems name UPNs
    "register-ctf": Shows(_url("register-ctf", urn), "list"),
    "pupil-ctf": Shows(_url("pupil-ctf", pupil)),
    "concerns": Shows(_url("concerns", urn), "list"),
    "early-identification": Shows(_url("early-identification", urn), "list"),
    "concern-new": Shows(_url("concern-new", pupil)),
    "concern": Shows(_url("concern", concern)),
    "concern-evidence": Shows(_url("concern-evidence", concern)),
    "concern-request-views": Shows(_url("concern-request-views", concern)),
    "concern-answer-view": Shows(_url("concern-answer-view", concern), user="teacher"),
    "concern-decide": Shows(_url("concern-decide", concern)),
    "concern-correct": Shows(_url("concern-correct", concern)),
    "pupil-evidence": Shows(_url("pupil-evidence", pupil)),
    "evidence-note-new": Shows(_url("evidence-note-new", pupil)),
    "evidence-note-file": Shows(lambda s: reverse("evidence-note-file", args=[s.pupil.pk, s.note.pk])),
    "evidence-note-change": Shows(lambda s: reverse("evidence-note-change", args=[s.pupil.pk, s.note.pk])),
    "evidence-voice-new": Shows(_url("evidence-voice-new", pupil)),
    "evidence-week-new": Shows(_url("evidence-week-new", pupil)),
    "evidence-exclusion-new": Shows(_url("evidence-exclusion-new", pupil)),
    "evidence-exclusion-change": Shows(
        lambda s: reverse("evidence-exclusion-change", args=[s.pupil.pk, s.exclusion.pk])
    ),
    "pupil-boxall": Shows(_url("pupil-boxall", pupil)),
    "boxall-new": Shows(_url("boxall-new", pupil)),
    "pupil-voice": Shows(_url("pupil-voice", pupil)),  # the start page; a POST locks the session to the pupil
    "provision-map": Shows(_url("provision-map", urn)),  # one event per pupil shown
    "provision-group": Shows(_url("provision-group", group)),  # one event per pupil shown
    "pupil-provision": Shows(_url("pupil-provision", pupil)),
    "provision-enrol": Shows(_url("provision-enrol", group), "list"),
    "provision-enrolment-change": Shows(
        lambda s: reverse("provision-enrolment-change", args=[s.group.pk, enrolment(s)])
    ),
    "pupil-provision-ehc": Shows(_url("pupil-provision-ehc", pupil)),
    "meeting": Shows(_url("meeting", meeting)),  # one event per pupil shown
    "meeting-new": Shows(_url("meeting-new", urn), "list"),  # the pupils to choose from
    "meeting-prepare": Shows(_url("meeting-prepare", meeting, pupil)),
    "meeting-record": Shows(_url("meeting-record", meeting, pupil)),
    "meeting-action-new": Shows(_url("meeting-action-new", meeting, pupil)),
    "meeting-decision-new": Shows(_url("meeting-decision-new", meeting, pupil)),
    "meeting-parents": Shows(_url("meeting-parents", meeting, pupil)),
    "my-actions": Shows(_url("my-actions")),  # one event per pupil named in one's own actions
    "deadlines": Shows(_url("deadlines", urn), "list"),
    "deadlines-trust": Shows(_url("deadlines-trust"), "list"),  # names overdue pupils to those who may see them
    "pupil-deadlines": Shows(_url("pupil-deadlines", pupil)),
    "ehc-request-new": Shows(_url("ehc-request-new", pupil)),
    "ehc-request": Shows(lambda s: reverse("ehc-request", args=[s.ehc_request.pk])),
    "annual-review": Shows(_url("annual-review", pupil)),
    "annual-review-earlier": Shows(lambda s: reverse("annual-review-earlier", args=[s.pupil.pk, s.annual_review.pk])),
    "support-review-new": Shows(_url("support-review-new", pupil)),
    "calendar-feed": Shows(lambda s: reverse("calendar-feed", args=[s.calendar_key]), "list"),  # initials only
    "pupil-document": Shows(lambda s: reverse("pupil-document", args=[s.pupil.pk, "parent-report"])),
    "pupil-document-pdf": Shows(lambda s: reverse("pupil-document-pdf", args=[s.pupil.pk, "passport"])),
    "pupil-transition-package": Shows(_url("pupil-transition-package", pupil)),
    # The provision map for printing, a school's page like the map itself (only the pupils each reader may
    # see, each audited); the governors' report (the other school document) names no one.
    "school-document": Shows(lambda s: reverse("school-document", args=[s.urn, "provision-map"]), "list"),
    "school-document-pdf": Shows(lambda s: reverse("school-document-pdf", args=[s.urn, "provision-map"]), "list"),
    "document-versions": Shows(lambda s: reverse("document-versions", args=[s.pupil.pk, "parent-report"])),
    "document-draft": Shows(lambda s: reverse("document-draft", args=[s.pupil.pk, s.draft.pk])),
    "document-draft-preview": Shows(lambda s: reverse("document-draft-preview", args=[s.pupil.pk, s.draft.pk])),
    "document-released": Shows(lambda s: reverse("document-released", args=[s.pupil.pk, s.release.pk])),
    "document-released-pdf": Shows(lambda s: reverse("document-released-pdf", args=[s.pupil.pk, s.release.pk])),
    # The zip of a batch, to the person who asked for it only: an export event for each pupil in it.
    "document-batch-download": Shows(lambda s: reverse("document-batch-download", args=[s.batch.pk])),
    "pupil-family": Shows(_url("pupil-family", pupil)),
    # The family pages, as the pupil's parent (staff get 404 there: they have their own pages).
    "family-home": Shows(_url("family-home"), "list", user="parent"),  # names their own children
    "family-child": Shows(_url("family-child", pupil), user="parent"),
    "family-targets": Shows(_url("family-targets", pupil), user="parent"),
    "family-shared": Shows(_url("family-shared", pupil), user="parent"),
    "family-report": Shows(_url("family-report", pupil), user="parent"),
    "family-views": Shows(_url("family-views", pupil), user="parent"),
    "family-agree": Shows(_url("family-agree", pupil), user="parent"),
    "family-consent": Shows(_url("family-consent", pupil), user="parent"),
    "specialist-home": Shows(_url("specialist-home"), "list", user="visiting"),  # the pupils shared with them
    "pupil-specialists": Shows(_url("pupil-specialists", pupil)),
    "advice-new": Shows(_url("advice-new", pupil), user="visiting"),
    "advice-report": Shows(lambda s: reverse("advice-report", args=[s.pupil.pk, s.advice.pk])),
    "recommendation-target": Shows(lambda s: reverse("recommendation-target", args=[s.pupil.pk, s.recommendation.pk])),
    "referral-new": Shows(_url("referral-new", pupil)),
    "referral-change": Shows(lambda s: reverse("referral-change", args=[s.pupil.pk, s.referral.pk])),
    "referral-waits": Shows(_url("referral-waits", urn), "list"),
    # A pupil's own page (their passport and targets), as the pupil; the SENCO makes their sign-in.
    "pupil-own": Shows(_url("pupil-own"), user="pupil_user"),
    "pupil-sign-in": Shows(_url("pupil-sign-in", pupil)),
    "family-document": Shows(
        lambda s: reverse("family-document", args=[s.pupil.pk, s.release.pk]), user="parent"
    ),  # a released document shared with them
}

# Pages that show no pupil's data (the reason, where it is not obvious, after each).
PAGES_WITHOUT_PUPIL_DATA: dict[str, Callable[[SimpleNamespace], str]] = {
    "login": _url("login"),
    "health": _url("health"),  # database and worker status for a load balancer
    "account": _url("account"),  # one's own account
    "password-change": _url("password-change"),
    "api-tokens": _url("api-tokens"),  # one's own tokens
    "sign-in-lockouts": _url("sign-in-lockouts"),  # usernames and addresses locked out of signing in
    "home": _url("home"),
    "school": _url("school", urn),  # counts only
    "competent-ranges": _url("competent-ranges", urn),  # the school's Boxall competent ranges
    "office-access": _url("office-access", urn),  # staff
    "scales": _url("scales", urn),
    "scale-new": _url("scale-new", urn),
    "dashboard": _url("dashboard"),  # a redirect
    "dash-identification": _url("dash-identification"),  # counts only
    "dash-identification-download": lambda s: reverse("dash-identification-download", args=["csv"]),
    "dash-destinations": _url("dash-destinations"),  # counts only
    "dash-destinations-download": lambda s: reverse("dash-destinations-download", args=["csv"]),
    "dash-benchmarks": _url("dash-benchmarks", urn),  # recorded figures, no pupil
    "dash-cohort": _url("dash-cohort"),  # attendance, behaviour and suspensions by need: counts only
    "import-history": _url("import-history", urn),  # files, dates and who imported
    "import-upload": _url("import-upload", urn),
    "weekly-import": _url("weekly-import", urn),
    "provision-evaluation": _url("provision-evaluation", urn),  # aggregates by intervention and need
    "provision-money": _url("provision-money", urn),  # spending and value for money: aggregates, no names
    "provision-money-trust": _url("provision-money-trust"),  # the same across the reader's schools
    "provision-import": _url("provision-import", urn),
    "provision-catalogue": _url("provision-catalogue", urn),
    "provision-intervention-new": _url("provision-intervention-new", urn),
    "provision-intervention-edit": lambda s: reverse("provision-intervention-edit", args=[s.urn, s.intervention.pk]),
    "provision-group-new": _url("provision-group-new", urn),
    "provision-group-change": _url("provision-group-change", group),  # the group's staff and dates, no pupils
    "meetings": _url("meetings", urn),  # dates, counts and staff
    "meeting-reasons": _url("meeting-reasons", urn),
    "document-batch": _url("document-batch", urn),  # the documents and the school's classes to choose from
    "calendar-link": _url("calendar-link"),  # one's own calendar link
    "school-pupil-sign-in": _url("school-pupil-sign-in", urn),  # a school setting and a count
    "pupil-voice-leave": _url("pupil-voice-leave"),  # asks for one's own password (home when not locked)
    # The SEN information report: headings, contacts, training and aggregates (withheld when small).
    "information-report-draft": _url("information-report-draft", urn),
    "information-report-section": lambda s: reverse("information-report-section", args=[s.urn, "complaints"]),
    "information-report-contacts": _url("information-report-contacts", urn),
    "information-report": _url("information-report", urn),  # public, no sign-in: the published report
    "information-report-pdf": _url("information-report-pdf", urn),
    # The same published report at its year's own address (earlier years stay public there).
    "information-report-year": lambda s: reverse("information-report-year", args=[s.urn, _published_year(s)]),
    "information-report-year-pdf": lambda s: reverse("information-report-year-pdf", args=[s.urn, _published_year(s)]),
    # The child's first name and school, to whoever holds the one-time link (never the surname).
    "family-sign-up": lambda s: reverse("family-sign-up", args=[s.invitation_token]),
}


def _with_two_factor(name: str):
    """A two-factor page that exists only once the SENCO has an authenticator app and recovery codes."""

    def url(s) -> str:
        if not Authenticator.objects.filter(user=s.world.senco).exists():
            TOTP.activate(s.world.senco, generate_totp_secret())
            RecoveryCodes.activate(s.world.senco)
        return reverse(name)

    return url


def _with_passkey(name: str, *, by_pk: bool = False):
    """A passkey page: the SENCO's passkey, made once (a software key's answer, as a browser posts it)."""

    def url(s) -> str:
        passkey = Authenticator.objects.filter(user=s.world.senco, type=Authenticator.Type.WEBAUTHN).first()
        if passkey is None:
            options = {"publicKey": {"user": {"id": "MQ"}, "rp": {"id": "testserver"}, "challenge": "AAAA"}}
            passkey = WebAuthn.add(s.world.senco, "Passkey", SoftPasskey().create(options)).instance
        return reverse(name, args=[passkey.pk]) if by_pk else reverse(name)

    return url


def _oidc(name: str):
    """A Microsoft/Google sign-in route of a service added in the admin."""

    def url(s) -> str:
        app, _ = SocialApp.objects.get_or_create(
            provider="openid_connect",
            provider_id="oakfield",
            defaults={"name": "Oakfield", "client_id": "c", "secret": "s", "settings": {"server_url": "http://x"}},
        )
        return reverse(name, kwargs={"provider_id": app.provider_id})

    return url


# Signing in (django-allauth, /accounts/): one's own account, sign-in services, never a pupil.
PAGES_WITHOUT_PUPIL_DATA |= {
    "account_login": _url("account_login"),
    "account_logout": _url("account_logout"),
    "account_inactive": _url("account_inactive"),
    "account_signup": _url("account_signup"),  # closed
    "account_reauthenticate": _url("account_reauthenticate"),
    "account_request_reauthentication_code": _url("account_request_reauthentication_code"),
    "account_confirm_reauthentication_code": _url("account_confirm_reauthentication_code"),
    "account_email": _url("account_email"),  # redirected to one's account: the school sets emails
    "email-is-the-schools": _url("email-is-the-schools"),
    "account_email_verification_sent": _url("account_email_verification_sent"),
    "account_confirm_email": lambda s: reverse("account_confirm_email", args=["0" * 32]),
    "account_change_password": _url("account_change_password"),  # redirected to the audited page
    "allauth-password": _url("allauth-password"),
    "account_set_password": _url("account_set_password"),
    "allauth-password-set": _url("allauth-password-set"),
    "account_reset_password": _url("account_reset_password"),
    "account_reset_password_done": _url("account_reset_password_done"),
    "account_reset_password_from_key": lambda s: reverse("account_reset_password_from_key", args=["1", "0" * 32]),
    "account_reset_password_from_key_done": _url("account_reset_password_from_key_done"),
    "account_confirm_login_code": _url("account_confirm_login_code"),
    "mfa_index": _url("mfa_index"),
    "mfa_authenticate": _url("mfa_authenticate"),
    "mfa_reauthenticate": _url("mfa_reauthenticate"),
    "mfa_activate_totp": _url("mfa_activate_totp"),
    "mfa_deactivate_totp": _with_two_factor("mfa_deactivate_totp"),
    "mfa_view_recovery_codes": _with_two_factor("mfa_view_recovery_codes"),
    "mfa_generate_recovery_codes": _with_two_factor("mfa_generate_recovery_codes"),
    "mfa_download_recovery_codes": _with_two_factor("mfa_download_recovery_codes"),
    "mfa_list_webauthn": _with_passkey("mfa_list_webauthn"),
    "mfa_add_webauthn": _url("mfa_add_webauthn"),
    "mfa_reauthenticate_webauthn": _with_passkey("mfa_reauthenticate_webauthn"),
    "mfa_edit_webauthn": _with_passkey("mfa_edit_webauthn", by_pk=True),
    "mfa_remove_webauthn": _with_passkey("mfa_remove_webauthn", by_pk=True),
    "socialaccount_login_cancelled": _url("socialaccount_login_cancelled"),
    "socialaccount_login_error": _url("socialaccount_login_error"),
    "socialaccount_signup": _url("socialaccount_signup"),  # closed
    "socialaccount_connections": _url("socialaccount_connections"),
    "openid_connect_login": _oidc("openid_connect_login"),
    "openid_connect_callback": _oidc("openid_connect_callback"),
    "oidc-callback-verified": _oidc("oidc-callback-verified"),
}
# A sign-in service's error page, and its callback opened without a code (a failed sign-in), answer 401.
PAGE_STATUS = dict.fromkeys(("socialaccount_login_error", "openid_connect_callback", "oidc-callback-verified"), (401,))

# Who opens them when the SENCO may not (the rest as the SENCO).
OPENED_BY = {"sign-in-lockouts": "superuser"}

# Writes only: a GET is refused (405); each write is audited by its service (tests of each app).
POST_ONLY = {
    "logout",
    "pupil-subject-access",
    "pupil-share-end",
    "plan-state",
    "target-smart-check",
    "target-roll-over",
    "target-review-row",
    "target-step",
    "provision-strategy",
    "import-confirm",
    "api-token-revoke",
    "meeting-invite",
    "meeting-action-done",
    "weekly-email",
    "pupil-family-restrict",
    "recommendation-strategy",
    "information-report-start",
    "information-report-training",
    "information-report-training-remove",
    "information-report-publish",
    "document-release",
    "dash-benchmark-remove",
}
POST_ONLY_URLS = {
    "weekly-email": _url("weekly-email"),
    "logout": _url("logout"),
    "pupil-subject-access": _url("pupil-subject-access", pupil),
    "pupil-share-end": lambda s: reverse("pupil-share-end", args=[s.pupil.pk, 1]),
    "plan-state": _url("plan-state", plan),
    "target-smart-check": _url("target-smart-check", plan),
    "target-roll-over": _url("target-roll-over", target),
    "target-review-row": _url("target-review-row", target),
    "target-step": lambda s: reverse("target-step", args=[s.target.pk, 1]),
    "provision-strategy": lambda s: reverse("provision-strategy", args=[s.urn, s.world.class_4b.pk]),
    "import-confirm": lambda s: reverse("import-confirm", args=[s.urn, s.upload.token]),
    "api-token-revoke": lambda s: reverse("api-token-revoke", args=[1]),
    "meeting-invite": _url("meeting-invite", meeting),
    "meeting-action-done": lambda s: reverse("meeting-action-done", args=[s.action.pk]),
    "pupil-family-restrict": lambda s: reverse("pupil-family-restrict", args=[s.pupil.pk, 1]),
    "recommendation-strategy": lambda s: reverse("recommendation-strategy", args=[s.pupil.pk, s.recommendation.pk]),
    "information-report-start": _url("information-report-start", urn),
    "information-report-training": _url("information-report-training", urn),
    "information-report-training-remove": lambda s: reverse("information-report-training-remove", args=[s.urn, 1]),
    "information-report-publish": _url("information-report-publish", urn),
    "document-release": lambda s: reverse("document-release", args=[s.pupil.pk, s.draft.pk]),
    "dash-benchmark-remove": lambda s: reverse("dash-benchmark-remove", args=[s.urn, 1]),
}

API_WITH_PUPIL_DATA: dict[tuple[str, str], Shows] = {
    ("GET", "/api/v1/pupils"): Shows(lambda s: "/api/v1/pupils", "list"),
    ("GET", "/api/v1/pupils/{pupil_id}"): Shows(lambda s: f"/api/v1/pupils/{s.pupil.pk}"),
    ("GET", "/api/v1/pupils/{pupil_id}/plans"): Shows(lambda s: f"/api/v1/pupils/{s.pupil.pk}/plans"),
    ("GET", "/api/v1/pupils/{pupil_id}/targets"): Shows(lambda s: f"/api/v1/pupils/{s.pupil.pk}/targets"),
    ("GET", "/api/v1/pupils/{pupil_id}/evidence"): Shows(lambda s: f"/api/v1/pupils/{s.pupil.pk}/evidence"),
    ("GET", "/api/v1/interventions/{intervention_id}/evaluation"): Shows(
        lambda s: f"/api/v1/interventions/{s.intervention.pk}/evaluation"
    ),
    ("GET", "/api/v1/deadlines"): Shows(lambda s: f"/api/v1/deadlines?school={s.urn}", "list"),
}
API_WITHOUT_PUPIL_DATA = {
    ("GET", "/api/v1/interventions"),  # the catalogue
    ("GET", "/api/v1/interventions/{intervention_id}"),  # groups with counts of pupils
    ("GET", "/api/v1/dashboard"),  # counts only
}
# Writes: each answers with the record just written, audited as a change by its service.
API_WRITES = {
    ("POST", "/api/v1/targets/{target_id}/reviews"),
    ("POST", "/api/v1/pupils/{pupil_id}/evidence"),
}


ADMIN_WITH_PUPIL_DATA: dict[str, Callable[[SimpleNamespace], object]] = {
    "plans.plan": lambda s: s.plan,
    "plans.planversion": lambda s: plans.update_plan(plan=s.plan, by=s.world.senco, title="Reading plan"),
    "plans.review": lambda s: s.review,
    "audit.auditevent": lambda s: AuditEvent.objects.filter(pupil_id=s.pupil.pk).first(),
}
ADMIN_WITHOUT_PUPIL_DATA = {
    "accounts.user",
    "accounts.apitoken",
    "auth.group",
    "assessment.scale",
    "dashboards.nationalfigure",
    "provision.intervention",
    "pupils.needtype",
    "schools.school",
    "schools.academicyear",
    "schools.teachinggroup",
    "schools.trust",
    "schools.region",
    "django_tasks_database.dbtaskresult",  # the job queue: a Job's id as the task's argument, tracebacks
    # Signing in (django-allauth): email addresses, two-factor authenticators, sign-in services.
    "account.emailaddress",
    "mfa.authenticator",
    "socialaccount.socialaccount",
    "socialaccount.socialapp",
    "socialaccount.socialtoken",  # never filled: SOCIALACCOUNT_STORE_TOKENS is off
}
