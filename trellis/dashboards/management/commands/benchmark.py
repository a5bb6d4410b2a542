"""manage.py benchmark [--json] [--repeat N] [--school URN]: time the key pages on this database."""

from __future__ import annotations

import json
import platform

from django.core.management.base import BaseCommand, CommandError

from trellis.dashboards.benchmark import BenchmarkError, run


class Command(BaseCommand):
    help = (
        "Time the trust dashboard, a school dashboard with a two-way breakdown, a pupil page, the bulk "
        "review page and the register, server-side, against the current database (median, p95, queries), "
        "and each dashboard against the bare SQL of its figures. Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
        parser.add_argument("--repeat", type=int, default=20, help="requests per page after a warm-up (default 20)")
        parser.add_argument("--school", metavar="URN", help="the school to time (default: the largest)")

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat must be 1 or more")
        try:
            result = run(repeat=options["repeat"], urn=options["school"])
        except BenchmarkError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{result['pupils']:,} pupils, {result['targets']:,} targets, {result['reviews']:,} reviews on "
            f"{result['database']} ({platform.machine()}, {platform.python_version()})"
        )
        self.stdout.write(f"{'page':<18}{'median ms':>11}{'p95 ms':>9}{'queries':>9}{'x bare SQL':>12}")
        for name, timing in result["pages"].items():
            ratio = result["sql_ratio"].get(name)
            self.stdout.write(
                f"{name:<18}{timing['median_ms']:>11.1f}{timing['p95_ms']:>9.1f}{timing['queries']:>9}"
                f"{'' if ratio is None else f'{ratio:.2f}':>12}"
            )
