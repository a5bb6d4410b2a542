"""manage.py import_weekly FILE --school URN [--dry-run]: weekly behaviour points and attendance.

CSV columns (headings, any case): UPN, week (the week's Monday, or any day of it), positive,
negative, attended, possible. All rows are saved or none: any error lists every problem by row.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.evidence.services import import_weekly
from trellis.evidence.storage import max_upload_bytes
from trellis.schools.models import School


class Command(BaseCommand):
    help = "Import weekly behaviour points and attendance from a CSV (all rows or none)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", required=True, help="The school's URN")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing")

    def handle(self, *args, file: Path, school: str, dry_run: bool, **options) -> None:
        found = School.objects.filter(urn=school).first()
        if found is None:
            raise CommandError(f"No school with URN {school}.")
        try:
            if file.stat().st_size > max_upload_bytes():  # read whole: the upload page's limit applies
                raise CommandError(f"{file} is larger than {max_upload_bytes() // (1024 * 1024)} MB.")
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        result = import_weekly(school=found, text=text, dry_run=dry_run)
        if not result.ok:
            raise CommandError(
                "Nothing was imported. Fix these and run again:\n" + "\n".join(f"  {e}" for e in result.errors)
            )
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"{verb} {result.created} new week(s) and {result.updated} corrected week(s).")
