"""manage.py export_ctf --school URN [--upn UPN ...] [--next-la LA --next-estab ESTAB] --out FILE"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.lib.upn import InvalidUPN, normalise_upn
from trellis.pupils.models import Pupil
from trellis.schools.models import School
from trellis.transfer.export import export_ctf
from trellis.transfer.forms import DestinationForm


class Command(BaseCommand):
    help = "Write a Common Transfer File (CTF) of a school's pupils (all on roll, or those given by --upn)."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="the school's URN")
        parser.add_argument("--upn", nargs="+", default=[], help="only these pupils")
        parser.add_argument("--out", required=True, type=Path, help="the file to write")
        parser.add_argument("--next-la", default="", help="the next school's LA number (3 digits), if known")
        parser.add_argument("--next-estab", default="", help="the next school's establishment number (4 digits)")

    def handle(self, *args, **options):
        form = DestinationForm({"next_la": options["next_la"], "next_estab": options["next_estab"]})
        if not form.is_valid():
            raise CommandError("; ".join(message for messages in form.errors.values() for message in messages))
        school = School.objects.filter(urn=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has URN {options['school']}.")
        pupils = Pupil.objects.filter(school=school)
        if options["upn"]:
            try:
                upns = [normalise_upn(upn) for upn in options["upn"]]
            except InvalidUPN as error:
                raise CommandError(str(error)) from None
            found = set(pupils.filter(upn__in=upns).values_list("upn", flat=True))
            if missing := [upn for upn in upns if upn not in found]:
                raise CommandError(f"Not pupils of {school.name}: {', '.join(missing)}")
            pupils = pupils.filter(upn__in=upns)
        else:
            pupils = pupils.on_roll()
        with options["out"].open("wb") as out:
            count = export_ctf(
                school=school, pupils=pupils, by=None, out=out, via="command", destination=form.destination()
            )
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} pupil(s) to {options['out']}."))
