"""manage.py evaluate_provision --school URN [--term T] [--json]: each group's evaluation."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from trellis.provision import reports
from trellis.schools.models import School


class Command(BaseCommand):
    help = (
        "Evaluate a school's intervention groups: targets met, steps gained, attendance, cost, "
        "funding stream and cost per step."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's URN")
        parser.add_argument("--term", help="autumn, spring or summer (this year), or e.g. '2026/27 spring'")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args, school: str, term: str | None, json: bool, **options):
        found = School.objects.filter(urn=school).first()
        if found is None:
            raise CommandError(f"No school has the URN {school}")
        try:
            groups = reports.groups_in_term(found, term)
        except ValueError as error:
            raise CommandError(str(error)) from error
        evaluations = reports.evaluate_groups(groups)
        if json:
            self.stdout.write(_dumps({"groups": [reports.group_json(item) for item in evaluations]}))
            return
        for item in evaluations:
            data = reports.group_json(item)
            self.stdout.write(
                f"{data['intervention']} ({data['staff'] or 'no staff'}, {data['start']} to {data['end'] or 'open'}): "
                f"met every target {data['pupils_met']} of {data['pupils_judged']} pupils, mean steps {_text(data['mean_steps'])}, "
                f"cost per pupil {_text(data['cost_per_pupil'])}, cost per step {_per_step(data)}, "
                f"funding {data['funding']['group']}"
            )
            for pupil in data["pupils"]:
                attendance = "–" if pupil["attendance"] is None else f"{pupil['attendance']:.0%}"
                met = {True: "met", False: "not met", None: "–"}[pupil["met"]]
                self.stdout.write(
                    f"  {pupil['name']:<24} {pupil['scale']:<20} {pupil['entry'] or '–':>6} -> {pupil['exit'] or '–':<6}"
                    f" steps {_text(pupil['steps']):>5}  {met:<8} attendance {attendance}"
                )


def _per_step(data) -> str:
    """One figure for a group on one scale; one per scale otherwise (their steps do not add up)."""
    if data["cost_per_step"] is not None or len(data["by_scale"]) < 2:
        return _text(data["cost_per_step"])
    return "; ".join(f"{s['scale']} {_text(s['cost_per_step'])}" for s in data["by_scale"])


def _text(value) -> str:
    return "–" if value is None else str(value)


def _dumps(data) -> str:
    return json.dumps(data, indent=2)
