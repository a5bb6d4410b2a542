"""manage.py retention_review [--today YYYY-MM-DD]: list the SEN files past retention (the monthly
job does the same on the worker); SENCOs approve each deletion on the "Records past retention" page."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from trellis.dataprotection import retention
from trellis.demo.management.commands.seed_demo import iso_date


class Command(BaseCommand):
    help = "List pupils whose SEN file is past retention (TRELLIS_RETENTION_YEARS after birth)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", type=iso_date, help="the day to review as, YYYY-MM-DD (default: today)")

    def handle(self, *, today=None, **options) -> None:
        today = today or timezone.localdate()
        pupils = list(retention.due(today))
        self.stdout.write(
            f"{len(pupils)} SEN file{'' if len(pupils) == 1 else 's'} past retention on {today:%-d %B %Y}."
        )
        for pupil in pupils:
            self.stdout.write(
                f"{pupil.school.urn}  {pupil.upn}  {pupil.full_name}  born {pupil.date_of_birth:%Y-%m-%d}  "
                f"kept until {retention.kept_until(pupil.date_of_birth):%Y-%m-%d}"
            )
