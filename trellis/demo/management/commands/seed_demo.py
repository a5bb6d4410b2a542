"""manage.py seed_demo [--schools N] [--pupils-per-school M] [--seed S] [--today YYYY-MM-DD] [--if-empty]"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize
from django.utils import timezone

from trellis.demo import logins
from trellis.demo.builder import build_demo
from trellis.schools.models import School

MAX_SCHOOLS = 500


def iso_date(value: str) -> dt.date:
    """A --today value: a real date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a date written YYYY-MM-DD, such as 2026-11-18 (got {value!r})"
        ) from None


class Command(BaseCommand):
    help = (
        "Fill an empty database with a realistic, synthetic demo trust (the same data for the same seed and day). "
        "Refuses to run if any school exists, so demo data is never mixed with real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=6, help="number of schools (default 6)")
        parser.add_argument(
            "--pupils-per-school",
            type=int,
            help="pupils on roll a school on average, each sized for its phase (default: typical sizes)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--today",
            type=iso_date,
            help="the day the demo is seeded as, YYYY-MM-DD: this academic year, its plans and reviews are built "
            "around it (default: today)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (successfully) if the database already has schools"
        )

    def handle(self, *args, **options):
        schools, per_school = options["schools"], options["pupils_per_school"]
        if not 1 <= schools <= MAX_SCHOOLS:
            raise CommandError(f"--schools must be from 1 to {MAX_SCHOOLS} (got {schools}).")
        if per_school is not None and not 1 <= per_school <= 5000:
            raise CommandError(f"--pupils-per-school must be from 1 to 5000 (got {per_school}).")
        if existing := School.objects.count():
            if options["if_empty"]:
                self.stdout.write(f"The database already has {existing} school(s): leaving it as it is.")
                return
            raise CommandError(
                f"The database already has {existing} school(s). seed_demo only fills an empty database, so that "
                "synthetic pupils are never mixed with real ones. Use a new database (for example "
                "DATABASE_URL=sqlite:////tmp/demo.sqlite3), or --if-empty to skip seeding."
            )
        today = options["today"] or timezone.localdate()
        started = time.monotonic()
        summary = build_demo(schools=schools, pupils_per_school=per_school, seed=options["seed"], today=today)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Seeded {len(summary.schools)} school{pluralize(len(summary.schools))} with {summary.on_roll:,} pupils on roll, {summary.leavers:,} "
            f"leavers and {summary.users:,} staff in {seconds:.1f} s (seed {options['seed']}, as of {today:%-d %B %Y})."
        )
        if options["verbosity"] >= 2:
            # Where the time went, for measuring the seed at scale; the commit is the deferred
            # foreign key checks and the final flush.
            summary.seconds["commit"] = seconds - summary.built_in
            for stage, spent in summary.seconds.most_common():
                self.stdout.write(f"  {spent:7.1f} s  {stage}")
        first = summary.schools[0]
        self.stdout.write(f"\nSign in at {logins.SIGN_IN_URL} with password '{logins.DEMO_PASSWORD}' as:")
        for username in logins.DEMO_USERNAMES:
            what = logins.WHAT_THEY_SEE[username].format(class_name=summary.teacher_class)
            self.stdout.write(f"  {username:<11} {what}")
        self.stdout.write(f"(at {first.name}; every other generated staff account has the same password.)")
