"""Count the progress rollups (and the review tallies) afresh from the targets and reviews."""

from django.core.management.base import BaseCommand, CommandError

from trellis.plans import rollup, tally
from trellis.schools.models import School


class Command(BaseCommand):
    help = "Rebuild the trust dashboard's progress rollups and review tallies, for one school or all."

    def add_arguments(self, parser):
        parser.add_argument("--school", metavar="URN", help="Only this school (by URN)")

    def handle(self, *args, school=None, **options):
        ids = None
        if school:
            found = School.objects.filter(urn=school).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No school with URN {school}")
            ids = [found]
        pupils = rollup.rebuild(ids)
        reviews = tally.rebuild(ids)
        where = f"school {school}" if school else "every school"
        self.stdout.write(
            f"Rollups rebuilt for {where}: {pupils} pupils with current targets, {reviews} review tallies."
        )
