"""Random query strings on every page, as a SENCO and as a governor: a clear 4xx, never a 500.

Every URL pattern comes from the resolver, so a new page is fuzzed without editing this file; its
path parameters are real ids from the demo seed. The JSON API has its own schema fuzzer
(`/api/v1` is left to it) and the Django admin is Django's.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trellis.accounts.models import User
from trellis.deadlines.models import AnnualReview, EhcAssessmentRequest
from trellis.documents.models import Draft, Release
from trellis.evidence.models import EvidenceNote, Exclusion
from trellis.families.models import Carer
from trellis.identification.models import Concern
from trellis.meetings.models import Action, Meeting
from trellis.plans.models import Review, SmallStep, Target
from trellis.provision.models import Intervention, InterventionGroup
from trellis.pupils.models import ExternalShare
from trellis.schools.models import School, TeachingGroup
from trellis.specialists.models import Advice, Recommendation, Referral
from trellis.transfer.models import ImportRun

# accounts/oidc/: Microsoft/Google sign-in, tested end to end in test_signin_oidc.py (its provider id sits in
# an included prefix this enumeration does not fill in); accounts/social/: allauth's unnamed old redirects.
SKIPPED = ("api/", "django-admin/", "sign-out/", "accounts/oidc/", "accounts/social/")

# Every parameter name a page reads, and values that once answered 500.
KEYS = [
    "region",
    "year",
    "school",
    "group_by",
    "need",
    "sex",
    "sen",
    "periods",
    "from",
    "to",
    "download",
    "table",
    "page",
    "show",
    "group",
    "on",
    "status",
    "area",
    "q",
    "pupil_premium",
    "class",
    "term",
    "intervention",
    "target",
    "remap",
    "point",
    "scale",
    "domain",
    "subject",
]
NASTY = [
    "99999999999999999999",
    "99999999999999999999999",
    "--1",
    "-1",
    "0",
    "1",
    "-0",
    "1e9",
    "1.5",
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-09-01",
    "csv",
    "xlsx",
    "pdf",
    "all",
    "need",
    "sex,need",
    "school",
    "trust",
    "K",
    "E",
    "N",
    "R",
    "N1",
    "Y4",
    "autumn",
    "%",
    "'",
    "<b>",
    "9" * 400,
    "‮",
    "١٢",
    "²",
]

query_strings = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(KEYS), st.text(max_size=6)),
        st.one_of(st.sampled_from(NASTY), st.text(max_size=12), st.integers().map(str)),
    ),
    max_size=4,
).map(urlencode)


def _patterns(patterns, prefix="", prefix_names=()):
    """(pattern, the names of its arguments), those of the includes it sits in (`keys/<int:pk>/`) first."""
    for pattern in patterns:
        names = (*prefix_names, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), names)
        elif isinstance(pattern, URLPattern) and not (prefix + str(pattern.pattern)).startswith(SKIPPED):
            yield pattern, names


@pytest.fixture
def urls(db) -> list[str]:
    call_command("seed_demo", "--schools", "2", "--pupils-per-school", "40", verbosity=0)
    _a_released_document()
    return page_urls()


def _a_released_document() -> None:
    """The demo makes no drafts: a draft and a released version for the pupil the pages use."""
    school = School.objects.get(memberships__user__username="senco")
    pupil = Target.objects.filter(pupil__school=school, reviews__isnull=False, small_steps__isnull=False).first().pupil
    draft = Draft.objects.create(pupil=pupil, kind="parent-report")
    pdf = b"%PDF-1.7\n"  # served as stored; a real PDF needs Pango, which this test does not
    Release.objects.create(
        draft=draft,
        pupil=pupil,
        kind="parent-report",
        title="Report",
        number=1,
        html="<p>Report</p>",
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        released_by_name="senco",
    )
    Draft.objects.create(pupil=pupil, kind="passport")


def page_urls() -> list[str]:
    """One real URL for every page pattern, in the demo SENCO's school."""
    school = School.objects.get(memberships__user__username="senco")
    target = Target.objects.filter(pupil__school=school, reviews__isnull=False, small_steps__isnull=False).first()
    note = EvidenceNote.objects.filter(pupil__school=school).first()
    share = ExternalShare.objects.filter(pupil__school=school).first()
    concern = Concern.objects.filter(pupil__school=school).first()
    values = {
        "urn": school.urn,
        "pupil_id": target.pupil_id,
        "plan_id": target.plan_id,
        "target_id": target.pk,
        "review_id": Review.objects.filter(target=target).first().pk,
        "step_id": SmallStep.objects.filter(target=target).first().pk,
        "concern_id": concern.pk,
        "group_id": (group := InterventionGroup.objects.filter(intervention__school=school).first()).pk,
        "enrolment_id": group.enrolments.values_list("pk", flat=True).first() or 1,
        "intervention_id": Intervention.objects.filter(school=school).first().pk,
        "class_id": TeachingGroup.objects.filter(school=school).first().pk,
        "share_id": share.pk if share else 1,
        "note_id": note.pk,
        "exclusion_id": Exclusion.objects.filter(pupil_id=target.pupil_id).values_list("pk", flat=True).first() or 1,
        "pk": ImportRun.objects.filter(school=school).values_list("pk", flat=True).first() or 1,
        "token": "0" * 32,
        "meeting_id": Meeting.objects.filter(school=school).values_list("pk", flat=True).first() or 1,
        "action_id": Action.objects.filter(discussion__meeting__school=school).values_list("pk", flat=True).first()
        or 1,
        "request_id": EhcAssessmentRequest.objects.filter(pupil__school=school).first().pk,
        "annual_review_id": AnnualReview.objects.filter(pupil__school=school).values_list("pk", flat=True).first() or 1,
        "key": "0" * 32,
        "uidb36": "1",  # a password reset link's user (allauth)
        "carer_id": Carer.objects.filter(pupil__school=school).values_list("pk", flat=True).first() or 1,
        "advice_id": Advice.objects.filter(pupil__school=school).values_list("pk", flat=True).first() or 1,
        "recommendation_id": Recommendation.objects.filter(advice__pupil__school=school)
        .values_list("pk", flat=True)
        .first()
        or 1,
        "referral_id": Referral.objects.filter(pupil__school=school).values_list("pk", flat=True).first() or 1,
        "heading": "complaints",  # a heading of the SEN information report
        "year": "2026-27",  # an earlier year's SEN information report (a 404 when none: still no error)
        "training_id": 1,
        "draft_id": Draft.objects.get(pupil=target.pupil, kind="passport").pk,
        "release_id": Release.objects.get(pupil=target.pupil).pk,
        "kind": "parent-report",  # a document; the school's documents take a school's kind (below)
    }
    found = []
    for pattern, names in _patterns(get_resolver().url_patterns):
        missing = [name for name in names if name not in values and name != "download"]
        assert not missing, f"{pattern.name}: give this test a real value for {missing}"
        kinds = re.findall(r"\(\?P<download>([^)]*)\)", pattern.pattern.regex.pattern)
        for kind in kinds[0].split("|") if kinds else [None]:
            kwargs = {name: values[name] for name in names if name != "download"}
            if pattern.name.startswith("school-document"):
                kwargs["kind"] = "governors-report"
            found.append(reverse(pattern.name, kwargs=kwargs | ({"download": kind} if kind else {})))
    return found


@pytest.mark.fuzz
@pytest.mark.parametrize("username", ["senco", "governor"])
def test_random_query_strings_never_cause_a_server_error(client, urls, username):
    client.force_login(User.objects.get(username=username))
    client.raise_request_exception = True  # a 500 fails with its traceback

    @settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(query=query_strings)
    def every_page(query):
        for url in urls:
            response = client.get(f"{url}?{query}")
            assert response.status_code < 500, f"{url}?{query}"

    every_page()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/dashboards/trust/", "region=99999999999999999999"),
        ("/dashboards/schools/{urn}/", "year=99999999999999999999999"),
        ("/dashboards/schools/{urn}/", "year=--1"),
    ],
)
def test_the_queries_that_answered_500_now_say_what_is_wrong(world, login, path, query):
    response = login(world.trustlead).get(path.format(urn=world.school_a.urn) + "?" + query)
    assert response.status_code == 400
    assert query.split("=")[0] in response.content.decode()


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("register", "status=everyone", "&#x27;status&#x27;: Select a valid choice. everyone is not one of"),
        ("register", "year=99999999999999999999", "&#x27;year&#x27;: Select a valid choice."),
        ("provision-map", "class=99999999999999999999", "&#x27;class&#x27;: Ensure this value is less than"),
        ("provision-map", "year=Y15", "&#x27;year&#x27;: Enter a whole number."),
        ("provision-map", "term=%00", "&#x27;term&#x27;: Null characters are not allowed."),
        ("review-entry", "group=99999", "&#x27;group&#x27;: choose a class or group of this school this year"),
    ],
)
def test_a_page_says_which_parameter_is_wrong_in_its_own_layout(world, login, name, query, message):
    response = login(world.senco).get(reverse(name, args=[world.school_a.urn]) + "?" + query)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'aria-label="Main"' in page  # the site's layout and navigation, not a bare error
    assert f'href="{reverse(name, args=[world.school_a.urn])}"' in page  # and a way back without the choices
