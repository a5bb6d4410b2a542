"""The API keeps to its own OpenAPI schema, as a client that no one here wrote sees it.

Schemathesis reads /api/v1/openapi.json from the app and sends every operation requests built
from the schema alone (edge values, missing and wrong-typed fields, then random ones), signed in
as the SENCO against a seeded school, and checks each answer against the schema. The seed and
the number of examples are fixed, so every run sends the same requests (about 25 s of CPU).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from fixtures_progress import add_review, make_target
from hypothesis import HealthCheck, settings

from trellis.assessment.scales import find_scale
from trellis.evidence import services as evidence
from trellis.provision import services as provision
from trellis.provision.models import Intervention, InterventionGroup
from trellis.wsgi import application

SEED = 20260901
MAX_EXAMPLES = 50
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",  # a request the schema forbids is refused with a 4xx
    "positive_data_acceptance",  # a request the schema allows is answered 2xx (or 401/403/404/409)
    "ignored_auth",  # no token, no data: 401
    "unsupported_method",  # 405 for a method an operation does not have
]
# Schemathesis' own default for "valid data was accepted".
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


@pytest.fixture
def api_schema(world):
    """School A with targets, reviews, notes and an intervention group, so that small ids hit real rows."""
    today = timezone.localdate()
    for pupil in (world.in_class, world.other_class, world.confidential):
        target = make_target(pupil)
        add_review(target, "2b", date=today - dt.timedelta(days=10), by=world.senco)
        make_target(pupil, scale="edsm", baseline="emerging", target_value="secure")
        evidence.create_note(
            pupil=pupil,
            by=world.senco,
            date=today,
            learning_objective="Take turns",
            activity="Board game",
            outcome="Waited 4 times",
            areas=["semh"],
            targets=[target.pk],
        )
    scale = find_scale("nc-levels")
    intervention = Intervention.objects.create(
        school=world.school_a, name="Numeracy", cost_per_session=Decimal(12), eef_strand="small-group"
    )
    group = InterventionGroup.objects.create(
        intervention=intervention, staff=world.ta, starts_on=today - dt.timedelta(days=30)
    )
    for pupil in (world.in_class, world.other_class):
        provision.enrol(
            group=group,
            pupil=pupil,
            by=world.senco,
            measures=[provision.MeasureInput(scale, "2c", Decimal(1), "", "2b")],
        )
    out = StringIO()
    call_command("create_api_token", "senco", "--name", "fuzz", "--scope", "read-write", stdout=out)
    token = out.getvalue().strip()
    # Django's test client stops each request from closing the test's connection; the WSGI app must too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            # Valid and invalid requests, the same ones every run, with no example database on disk.
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "checks": {name: {"enabled": True} for name in CHECKS},
            "operations": [
                # Rules that depend on stored records or on today, which no static schema can state:
                # a review's value must be on its target's scale, its date between the target's start
                # and today, its target open; a note's targets must be the pupil's own; an
                # Idempotency-Key may not come back with another request; a trend's `from` must be on
                # or before `to` and at most 6 years back. Each refusal is documented (422 or 400) and
                # tested by hand (tests/test_api_errors.py, test_plans.py, test_idempotency.py).
                {
                    "include-method": method,
                    "include-path": path,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, status]}},
                }
                for method, path, status in [
                    ("POST", "/api/v1/targets/{target_id}/reviews", "422"),
                    ("POST", "/api/v1/pupils/{pupil_id}/evidence", "422"),
                    ("GET", "/api/v1/dashboard", "400"),
                ]
            ],
        }
    )
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id(request):
    """Schemathesis 4.32 renames each operation's report through `_nodeid`, which pytest 9 no longer keeps."""
    request.node._nodeid = request.node.nodeid


@pytest.mark.fuzz
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_the_schema(case):
    case.call_and_validate()
