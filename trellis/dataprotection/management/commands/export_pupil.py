"""manage.py export_pupil --upn UPN --out FILE: a subject access export (zip) for one pupil."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.dataprotection.subject_access import write_export
from trellis.lib.upn import InvalidUPN, normalise_upn
from trellis.pupils.models import Pupil


class Command(BaseCommand):
    help = "Write everything Trellis holds about one pupil (every school's record for the UPN) to a zip. Audited."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--upn", required=True, help="the pupil's unique pupil number")
        parser.add_argument("--out", required=True, help="the zip file to write (it must not exist)")

    def handle(self, *, upn: str, out: str, **options) -> None:
        try:
            upn = normalise_upn(upn)
        except InvalidUPN as error:
            raise CommandError(f"--upn: {error}") from error
        pupils = list(Pupil.objects.filter(upn=upn).select_related("school").order_by("pk"))
        if not pupils:
            raise CommandError(f"No pupil has the UPN {upn}.")
        target = Path(out)
        if target.exists():
            raise CommandError(f"{target} already exists: choose a new file name.")
        with open(target, "xb") as handle:
            counts = write_export(pupils, handle, by=None, via="command")
        target.chmod(0o600)
        rows = sum(v for k, v in counts.items() if k not in ("files", "audit events"))
        self.stdout.write(
            f"Wrote {rows} records, {counts['files']} files and {counts['audit events']} audit events to {target}."
        )
