"""manage.py render_document KIND (--pupil UPN | --school URN) [--out FILE.pdf]: one command for every document.

`render_document transition --pupil UPN --package FILE.zip` writes the transition package (the
pupil's record as JSON, docs/transition-schema.json, with the evidence files) for the next
school's `import_transition`; with --out as well, the PDF too."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trellis.documents import services
from trellis.documents.pdf import PdfUnavailable
from trellis.documents.registry import KINDS, PUPIL, SCHOOL, UnknownKind, get_kind
from trellis.pupils.models import Pupil
from trellis.schools.models import School
from trellis.transfer.package import write_package


class Command(BaseCommand):
    help = "Write a document as a PDF (or, with --html, as a web page). Audited as an export by the system."

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"one of {', '.join(KINDS)}")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--pupil", metavar="UPN")
        who.add_argument("--school", metavar="URN")
        parser.add_argument("--out", metavar="FILE.pdf", help="default: KIND-UPN.pdf or KIND-URN.pdf here")
        parser.add_argument("--html", action="store_true", help="write the web page instead of the PDF")
        parser.add_argument(
            "--package",
            metavar="FILE.zip",
            help="transition only: write the transition package (with --out: the PDF too)",
        )

    def handle(self, *args, kind, pupil, school, out, html, package, **options):
        try:
            chosen = get_kind(kind, PUPIL if pupil else SCHOOL)
        except UnknownKind as error:
            raise CommandError(str(error)) from None
        if package and chosen.slug != "transition":
            raise CommandError("--package is for the transition file only: render_document transition --pupil UPN.")
        if pupil:
            subject = Pupil.objects.select_related("school").filter(upn=pupil.strip().upper()).first()
            if subject is None:
                raise CommandError(f"No pupil with UPN {pupil!r}.")
        else:
            subject = School.objects.filter(urn=school.strip()).first()
            if subject is None:
                raise CommandError(f"No school with URN {school!r}.")
        if reason := chosen.refused(subject):
            raise CommandError(reason)
        today = timezone.localdate()
        if package:
            with Path(package).open("wb") as zipped:
                write_package(subject, zipped, today=today)
            services.record_export(chosen, subject, None, fmt="package", via="command")
            self.stdout.write(f"Wrote the transition package for {subject.upn} to {package}.")
            if not out:
                return
        code = subject.upn if pupil else subject.urn
        path = Path(out or f"{chosen.slug}-{code}.{'html' if html else 'pdf'}")
        try:
            if html:
                content = services.render_html(chosen, subject, None, today=today).encode()
            else:
                content = services.render_pdf(chosen, subject, None, today=today)
        except PdfUnavailable as error:
            raise CommandError(str(error)) from None
        path.write_bytes(content)
        services.record_export(chosen, subject, None, fmt="HTML" if html else "PDF", via="command")
        self.stdout.write(f"Wrote the {chosen.slug} document ({chosen.title}) to {path} ({len(content):,} bytes).")
