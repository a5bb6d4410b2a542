"""manage.py import_transition FILE.zip --school URN [--dry-run]: a pupil arrives with their SEN record."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.schools.models import School
from trellis.transfer.package_import import import_transition


class Command(BaseCommand):
    help = (
        "Import a transition package (a zip made by render_document transition --package) into a school: "
        "all or nothing, audited as an import by the system."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the transition package (.zip)")
        parser.add_argument("--school", required=True, metavar="URN", help="the school the pupil is joining")
        parser.add_argument("--dry-run", action="store_true", help="check the package and say what would happen")

    def handle(self, *args, file, school, dry_run, **options):
        chosen = School.objects.filter(urn=school.strip()).first()
        if chosen is None:
            raise CommandError(f"No school with URN {school!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        with path.open("rb") as source:
            plan = import_transition(source=source, file_name=path.name, school=chosen, dry_run=dry_run, via="command")
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{path.name} was not imported: {len(plan.problems)} problems (listed above).")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"{verb} into {chosen.name}: {plan.summary_line()}")
