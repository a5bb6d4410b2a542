"""What the parent report and the pupil passport say, built from the pupil's record.

The reader has already been let through need to know (trellis.pupils.access); a reader of None is
the system (the `render_document` command), which sees everything its operator's database holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.safestring import SafeString

from trellis.plans.charts import target_chart
from trellis.plans.models import Plan, Target
from trellis.plans.progress import Status, current_window
from trellis.plans.services import with_progress
from trellis.provision.access import visible_enrolments
from trellis.provision.models import Enrolment
from trellis.pupils.access import scope_for
from trellis.pupils.areas import domain_label

from .plain import DEFAULT_HOME_IDEA, HOME_IDEAS, plain, progress_words, sentence


@dataclass
class TargetPart:
    description: str
    area: str
    status: str
    words: str
    moved: str
    chart: SafeString
    home: str


def _active_plans(pupil) -> list[Plan]:
    return list(pupil.plans.filter(state=Plan.State.ACTIVE).order_by("-starts_on", "-created_at"))


def _moved(target, name: str) -> str:
    progress = target.progress
    if progress.gain is None or progress.planned is None or progress.latest_date is None:
        return ""
    gain, planned = f"{progress.gain:g}", f"{progress.planned:g}"
    steps = "step" if planned == "1" else "steps"
    return f"At the last check, on {progress.latest_date:%-d %B %Y}, {name} had moved on {gain} of {planned} {steps}."


def _targets(pupil, window, name: str) -> list[TargetPart]:
    targets = with_progress(Target.objects.current().filter(pupil=pupil), window=window, school=pupil.school)
    parts = []
    for n, target in enumerate(targets, start=1):
        status = target.progress.status
        parts.append(
            TargetPart(
                description=sentence(target.description),
                area=domain_label(target.area),
                status=status.label,
                words=progress_words(Status(status), name),
                moved=_moved(target, name),
                chart=target_chart(
                    target, f"Chart of {name}'s progress on target {n} since it started.", f"target-chart-{n}"
                ),
                home=HOME_IDEAS.get(target.area, DEFAULT_HOME_IDEA),
            )
        )
    return parts


def _enrolments(pupil, reader, today: dt.date) -> list[Enrolment]:
    # The system, and the child's own parent or carer (who reads the intervention names on the
    # family pages too), see every group the child is in; staff the enrolments they may see.
    whole = reader is None or pupil.pk in scope_for(reader).children
    enrolments = Enrolment.objects.filter(pupil=pupil) if whole else visible_enrolments(reader)
    current = enrolments.filter(pupil=pupil, starts_on__lte=today).exclude(ends_on__lt=today)
    return list(current.select_related("group__intervention"))


def parent_report(pupil, reader, today: dt.date) -> dict:
    name = pupil.forename
    plans = _active_plans(pupil)
    school_does = [sentence(line) for plan in plans for line in (plan.strategies, plan.provision) if line.strip()]
    for enrolment in _enrolments(pupil, reader, today):
        group = enrolment.group
        often = f", {plain(group.frequency)}" if group.frequency else ""
        school_does.append(sentence(f"{name} goes to {group.intervention.name}{often}"))
    reviews = [plan.review_on for plan in plans if plan.review_on and plan.review_on >= today]
    ehc = pupil.ehc_plans.filter(ceased_on__isnull=True).first()
    window = current_window(pupil.school, today)
    return {
        "name": name,
        "targets": _targets(pupil, window, name),
        "school_does": list(dict.fromkeys(school_does)),
        "next_review": min(reviews) if reviews else None,
        "ehc_review": ehc.next_annual_review_due if ehc else None,
        "term": window.name,
    }


def passport(pupil, reader, today: dt.date) -> dict:
    """In the pupil's own words: the newest active passport, else the newest active plan that has them."""
    plans = _active_plans(pupil)
    chosen = next((p for p in plans if p.kind == Plan.Kind.PASSPORT), None) or next(
        (p for p in plans if p.pupil_good_at or p.pupil_find_hard or p.pupil_what_helps), None
    )
    return {
        "name": pupil.forename,
        "plan": chosen,
        "good_at": sentence(chosen.pupil_good_at) if chosen and chosen.pupil_good_at else "",
        "find_hard": sentence(chosen.pupil_find_hard) if chosen and chosen.pupil_find_hard else "",
        "what_helps": sentence(chosen.pupil_what_helps) if chosen and chosen.pupil_what_helps else "",
        # No field of its own yet: the plan's strategies for all staff say how to speak to and help the pupil.
        "spoken_to": sentence(chosen.strategies) if chosen and chosen.strategies else "",
    }
