"""manage.py render_document KIND (--pupil UPN | --school URN) [--out FILE.pdf]: one command for every document."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trellis.documents import services
from trellis.documents.pdf import PdfUnavailable
from trellis.documents.registry import KINDS, PUPIL, SCHOOL, UnknownKind, get_kind
from trellis.pupils.models import Pupil
from trellis.schools.models import School


class Command(BaseCommand):
    help = "Write a document as a PDF (or, with --html, as a web page). Audited as an export by the system."

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"one of {', '.join(KINDS)}")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--pupil", metavar="UPN")
        who.add_argument("--school", metavar="URN")
        parser.add_argument("--out", metavar="FILE.pdf", help="default: KIND-UPN.pdf or KIND-URN.pdf here")
        parser.add_argument("--html", action="store_true", help="write the web page instead of the PDF")

    def handle(self, *args, kind, pupil, school, out, html, **options):
        try:
            chosen = get_kind(kind, PUPIL if pupil else SCHOOL)
        except UnknownKind as error:
            raise CommandError(str(error)) from None
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
