"""manage.py deadlines --school URN [--json] [--today YYYY-MM-DD]: a school's statutory deadlines."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.models import Pupil
from trellis.schools.models import School

from ...schedule import deadlines


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD (got {value!r})") from None


class Command(BaseCommand):
    help = (
        "Print a school's statutory deadlines (EHC assessments, annual reviews, phase transfers, SEN support reviews)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's URN")
        parser.add_argument("--json", action="store_true", help='Print {"deadlines": [...]} as JSON')
        parser.add_argument("--today", help="The day to work them out on (default: today)")

    def handle(self, *args, school: str, json: bool, today: str | None, **options):
        found = School.objects.filter(urn=school.strip()).first()
        if found is None:
            raise CommandError(f"No school has the URN {school!r}")
        day = _day(today) if today else timezone.localdate()
        rows = deadlines(Pupil.objects.filter(school=found), today=day)
        audit.record(
            actor=None,
            action=AuditEvent.Action.VIEW,
            record_type="deadline list",
            school=found,
            summary="manage.py deadlines",
            via="command",
        )
        if json:
            self.stdout.write(_json({"deadlines": [d.as_json() for d in rows]}))
            return
        for d in rows:
            self.stdout.write(
                f"{d.due:%Y-%m-%d}  {d.status:<9} {d.pupil.upn}  {d.pupil.full_name}: {d.kind_label}, {d.rule.label}"
            )


def _json(value) -> str:
    return json.dumps(value, indent=2)
