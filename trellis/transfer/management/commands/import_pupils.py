"""manage.py import_pupils FILE --school URN [--dry-run] [--map "Their Heading=field" ...]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.schools.models import School
from trellis.transfer.services import ImportPlan, import_pupils


def parse_mapping(values: list[str]) -> dict[str, str]:
    mapping = {}
    for value in values:
        heading, sep, target = value.rpartition("=")
        if not sep or not heading.strip() or not target.strip():
            raise CommandError(f'--map "{value}" should look like "Their Heading=field"')
        mapping[heading.strip()] = target.strip()
    return mapping


def describe(plan: ImportPlan, *, limit: int = 50) -> list[str]:
    """The preview or summary as lines of text (the command prints them)."""
    lines = [f"{plan.file_name} ({plan.format or 'unknown format'}, SHA-256 {plan.sha256})", plan.summary_line()]
    if plan.classes_created:
        lines.append(f"New classes: {', '.join(plan.classes_created)}")
    for change in plan.details[:limit]:
        what = "; ".join(
            f"{name}: {old if old is not None else '–'} → {new}" for name, (old, new) in change.changes.items()
        )
        lines.append(f"  line {change.line} {change.upn} {change.action}: {what}")
    if plan.created + plan.updated > limit:
        lines.append(f"  ... and {plan.created + plan.updated - min(limit, len(plan.details))} more changed pupils")
    if plan.missing_count:
        kind = "a partial file" if plan.partial else "the file"
        lines.append(f"{plan.missing_count} pupils on roll are not in {kind}; they are kept:")
        lines += [f"  {upn} {name}" for upn, name, _ in plan.missing[:limit]]
    if plan.warnings:
        lines.append(f"{plan.warning_count} warnings:")
        lines += [f"  {warning}" for warning in plan.warnings[:limit]]
        if plan.warning_count > limit:
            lines.append(f"  ... and {plan.warning_count - limit} more warnings")
    return lines


class Command(BaseCommand):
    help = "Import pupils from a CTF (XML), CSV or XLSX file into a school. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", required=True, help="the school's URN")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADING=FIELD",
            help='map a spreadsheet heading to a field, e.g. "Forename (Legal)=legal_forename"',
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        school = School.objects.filter(urn=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has URN {options['school']}.")
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        mapping = parse_mapping(options["map"])
        with path.open("rb") as source:
            plan = import_pupils(
                school=school,
                source=source,
                file_name=path.name,
                by=None,
                dry_run=options["dry_run"],
                mapping=mapping,
                via="command",
            )
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(plan.problems)} problem(s) found: nothing was imported.")
        for line in describe(plan):
            self.stdout.write(line)
        if plan.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported into {school.name} (import {plan.run.pk})."))
        else:
            self.stdout.write("Dry run: nothing was written.")
