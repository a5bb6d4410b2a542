"""External specialists in the loop (issue 14): a specialist's own list across schools and trusts,
advice with a report and recommendations, recommendations made strategies or targets in one step,
referrals and their waits, and the SENCO's to-do items for overdue reports and long waits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.models import Membership, Role
from trellis.audit.models import AuditEvent
from trellis.plans import services as plans
from trellis.plans.models import Plan, PlanVersion, Target
from trellis.pupils.models import ExternalShare
from trellis.schools.services import create_school
from trellis.specialists import services
from trellis.specialists.models import Advice, Recommendation, Referral

from conftest import make_pupil, make_user

PDF = b"%PDF-1.4\n" + b"0" * 64


def test_a_specialist_lands_on_the_pupils_shared_with_them(world, login):
    client = login(world.specialist)
    assert client.get("/").url == reverse("specialist-home")
    page = client.get(reverse("specialist-home")).content.decode()
    assert "Otherclass" in page
    assert "Expired" not in page  # the share ended yesterday
    assert "Inclass" not in page
