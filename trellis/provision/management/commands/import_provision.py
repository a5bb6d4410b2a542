"""manage.py import_provision FILE --school URN [--dry-run]: a provision map from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.provision import importer
from trellis.schools.models import School


class Command(BaseCommand):
    help = "Import a provision map (CSV or XLSX). All or nothing: any problem and nothing is written."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--school", required=True, help="The school's URN")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing")

    def handle(self, *args, file: str, school: str, dry_run: bool, **options):
        found = School.objects.filter(urn=school).first()
        if found is None:
            raise CommandError(f"No school has the URN {school}")
        path = Path(file)
        try:
            table = importer.read_table(path.name, path.read_bytes())
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        parsed = importer.parse(table, filename=path.name, lookup=importer.SchoolLookup(found))
        if parsed.problems:
            for problem in parsed.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(parsed.problems)} problem(s) found; nothing was imported.")
        summary = f"{len(parsed.rows)} rows: {parsed.pupils} pupils in {parsed.groups} groups"
        for plan in parsed.plans:
            self.stdout.write(str(plan))
        if dry_run:
            self.stdout.write(f"Dry run: {summary}. Nothing was written.")
            return
        done = importer.apply(school=found, parsed=parsed, by=None, via="import")
        self.stdout.write(
            f"Imported {summary}: {done.interventions} new interventions, {done.groups} new groups, "
            f"{done.enrolments} enrolments, {done.measures} measures."
        )
