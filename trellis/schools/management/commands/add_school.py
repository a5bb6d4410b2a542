"""manage.py add_school --urn URN --name NAME [--la N --estab N --phase P --trust NAME --region NAME]"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trellis.schools.models import School
from trellis.schools.services import create_school


class Command(BaseCommand):
    help = "Add a real school (with its current academic year), starting without demo data."

    def add_arguments(self, parser):
        parser.add_argument("--urn", required=True, help="the school's 6-digit URN")
        parser.add_argument("--name", required=True)
        parser.add_argument("--la", default="", help="3-digit local authority number")
        parser.add_argument("--estab", default="", help="4-digit establishment number")
        parser.add_argument("--phase", default=School.Phase.PRIMARY, choices=School.Phase.values)
        parser.add_argument("--trust", help="trust name (created if new)")
        parser.add_argument("--region", help="region within the trust (created if new)")

    def handle(self, *args, **options):
        checks = [
            ("urn", r"\d{6}", "--urn must be 6 digits"),
            ("la", r"(\d{3})?", "--la must be 3 digits"),
            ("estab", r"(\d{4})?", "--estab must be 4 digits"),
        ]
        for key, pattern, message in checks:
            if not re.fullmatch(pattern, options[key]):
                raise CommandError(f"{message} (got {options[key]!r}).")
        if School.objects.filter(urn=options["urn"]).exists():
            raise CommandError(f"A school with URN {options['urn']} already exists.")
        if options["region"] and not options["trust"]:
            raise CommandError("--region needs --trust: regions belong to a trust.")
        school = create_school(
            urn=options["urn"],
            name=options["name"],
            la_number=options["la"],
            estab_number=options["estab"],
            phase=options["phase"],
            trust_name=options["trust"],
            region_name=options["region"],
            today=timezone.localdate(),
        )
        year = school.academic_years.get()
        self.stdout.write(f"Added {school.name} (URN {school.urn}) with academic year {year.name}.")
