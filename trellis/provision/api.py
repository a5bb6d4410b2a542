"""/api/v1/interventions: the catalogue, its groups and their evaluation, with need to know and audit."""

from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema

from trellis.api.common import ERRORS, Id, Urn
from trellis.audit import services as audit
from trellis.lib.disclosure import is_small, suppressed_for
from trellis.pupils.access import schools_for_aggregates

from . import evaluation as ev
from . import reports
from .access import visible_enrolments, visible_groups
from .eef import PUBLISHED_MONTHS
from .models import Enrolment, Intervention

router = Router(tags=["provision"])


class InterventionOut(Schema):
    id: int
    school: str
    name: str
    area_of_need: str
    description: str
    evidence_base: str
    default_group_size: int
    sessions_per_week: int
    session_minutes: int
    duration_weeks: int
    delivering_role: str
    cost_per_session: Decimal | None
    hourly_rate: Decimal | None
    session_cost: Decimal | None
    eef_strand: str
    eef_months: int | None

    @staticmethod
    def resolve_school(obj: Intervention) -> str:
        return obj.school.urn

    @staticmethod
    def resolve_session_cost(obj: Intervention) -> Decimal | None:
        return obj.session_cost()

    @staticmethod
    def resolve_eef_months(obj: Intervention) -> int | None:
        return PUBLISHED_MONTHS.get(obj.eef_strand)


class GroupOut(Schema):
    id: int
    staff: str
    group_size: str
    frequency: str
    start: str
    end: str | None
    pupils: int | None  # null when the disclosure rule withholds it (a governor)
    rating: str
    decision: str


# Figures print as integers when whole (2, not 2.0), as `manage.py evaluate_provision --json` does.
Number = int | float | None


class EvaluatedPupilOut(Schema):
    upn: str
    name: str
    scale: str
    entry: str | None
    target: str | None
    exit: str | None
    steps: Number
    met: bool | None
    attendance: Number


class FundingOut(Schema):
    group: str = Field(description="The group's funding stream: notional, pupil_premium, element_3 or other")
    places: dict[str, Number] | None = Field(
        description="Each stream's share of the group's cost, over the places you may see (a place is paid by the "
        "pupil's own stream if set, else the group's). Null for those who see no names."
    )


class ScaleCostOut(Schema):
    scale: str
    step: str = Field(description="What one step is on this scale")
    measures: int = Field(description="Pupil-measures on the scale with exit data")
    steps: Number = Field(description="Steps gained, net (a pupil who went back counts against it)")
    cost: Number = Field(description="The cost of those pupils' places")
    cost_per_step: Number = Field(description="Null when no steps were gained")


class GroupEvaluationOut(Schema):
    id: int
    intervention: str
    staff: str
    start: str
    end: str | None
    met: int | None = Field(description="Null when the disclosure rule withholds it (for a governor)")
    total: int | None
    suppressed: bool = False
    mean_steps: Number
    cost_per_pupil: Number
    cost_per_pupil_met: Number
    cost: Number
    funding: FundingOut
    cost_per_step: Number = Field(description="On the one scale the group's results are on; null with several")
    by_scale: list[ScaleCostOut] | None = Field(description="Null for those who see no names")
    sessions_held: int
    sessions_planned: int
    rating: str | None
    decision: str | None
    poor_attendance: list[str] | None = Field(description="Null for those who see no names")
    pupils: list[EvaluatedPupilOut]


class NeedBreakdownOut(Schema):
    """A figure a governor may not see, or that would give one away, is null with "suppressed": true."""

    need: str
    n: int | None
    met: int | None
    mean_steps: float | None
    small_n: bool | None
    warning: str | None
    effect_size: float | None
    months: int | None
    eef_months: int | None
    suppressed: bool = False


class EvaluationOut(Schema):
    intervention: str
    eef_strand: str | None
    eef_months: int | None
    groups: list[GroupEvaluationOut]
    by_need: list[NeedBreakdownOut]


class InterventionDetailOut(InterventionOut):
    groups: list[GroupOut]

    @staticmethod
    def resolve_groups(obj: Intervention) -> list[dict]:
        return obj.groups_out


def _interventions(user):
    return Intervention.objects.filter(school__in=schools_for_aggregates(user)).select_related("school")


def _get(user, intervention_id: int) -> Intervention:
    found = _interventions(user).filter(pk=intervention_id).first()
    if found is None:
        raise Http404("No such intervention")
    return found


@router.get("", response={200: list[InterventionOut], **ERRORS}, summary="Interventions in your schools' catalogues")
def list_interventions(request, school: Urn | None = None):
    interventions = _interventions(request.auth).order_by("school__urn", "name")
    if school:
        interventions = interventions.filter(school__urn=school)
    return interventions


@router.get(
    "/{intervention_id}", response={200: InterventionDetailOut, **ERRORS}, summary="One intervention and its groups"
)
def get_intervention(request, intervention_id: Id):
    intervention = _get(request.auth, intervention_id)
    names = not suppressed_for(request.auth, [intervention.school])
    groups = intervention.groups.select_related("staff")
    if names:
        groups = groups.filter(pk__in=visible_groups(request.auth).values("pk"))
    enrolments = visible_enrolments(request.auth) if names else Enrolment.objects.all()
    counts: dict[int, int] = {}
    for group_id in enrolments.filter(group__in=groups).values_list("group_id", flat=True):
        counts[group_id] = counts.get(group_id, 0) + 1
    intervention.groups_out = [
        {
            "id": g.pk,
            "staff": g.staff_name,
            "group_size": g.group_size,
            "frequency": g.frequency,
            "start": g.starts_on.isoformat(),
            "end": g.ends_on.isoformat() if g.ends_on else None,
            # No relation ties one group's pupils to anything published, so the primary rule is enough.
            "pupils": None if not names and is_small(counts.get(g.pk, 0)) else counts.get(g.pk, 0),
            "rating": g.rating,
            "decision": g.decision,
        }
        for g in groups
    ]
    return intervention


@router.get(
    "/{intervention_id}/evaluation",
    response={200: EvaluationOut, **ERRORS},
    summary="Each group's evaluation and the breakdown by primary need",
)
def intervention_evaluation(request, intervention_id: Id) -> dict[str, Any]:
    """Staff see the pupils they may see (each read audited); governors see suppressed aggregates only."""
    user = request.auth
    intervention = _get(user, intervention_id)
    names = not suppressed_for(user, [intervention.school])
    groups = intervention.groups.all()
    if names:
        groups = groups.filter(pk__in=visible_groups(user).values("pk"))
        evaluations = reports.evaluate_groups(groups, visible_enrolments(user))
    else:
        evaluations = reports.evaluate_groups(groups)
    if names:
        for item in evaluations:
            for enrolment in item.enrolments:
                audit.record_view(actor=user, pupil=enrolment.pupil, what="provision evaluation", via="api")
    breakdown = reports.school_breakdown(evaluations)
    data_groups = [reports.group_json(item, names=names) for item in evaluations]
    hidden: set = set()
    if not names:
        summaries = [(item.group.intervention.name, item.group.pk, item.summary) for item in evaluations]
        hidden = ev.withheld(breakdown, summaries)
        for item, data in zip(evaluations, data_groups, strict=True):
            _withhold_group(data, intervention.name, item.group.pk, hidden)
    return {
        "intervention": intervention.name,
        "eef_strand": intervention.eef_strand or None,
        "eef_months": PUBLISHED_MONTHS.get(intervention.eef_strand),
        "groups": data_groups,
        "by_need": [_need_row(b, hidden) for b in breakdown],
    }


def _withhold_group(data: dict[str, Any], name: str, group_id: int, hidden: set) -> None:
    """A group's counts as a governor may see them, with whatever would give a withheld one away."""
    gone = {
        column for column in ("total", "met", "pupils", "pupils_met") if ev.group_key(name, group_id, column) in hidden
    }
    if "total" in gone:
        data.update(total=None, met=None, mean_steps=None, cost_per_step=None)
    if "met" in gone:
        data.update(met=None)
    if "pupils" in gone:  # cost / cost per pupil would give the number away
        data.update(cost_per_pupil=None, cost_per_pupil_met=None, mean_steps=None, cost_per_step=None)
    if "pupils_met" in gone:
        data.update(cost_per_pupil_met=None)
    data["suppressed"] = bool(gone)


def _need_row(b: ev.Breakdown, hidden: set) -> dict[str, Any]:
    n_gone = ev.need_key(b, "n") in hidden
    met_gone = n_gone or ev.need_key(b, "met") in hidden
    return {
        "need": b.need,
        "n": None if n_gone else b.n,
        "met": None if met_gone else b.met,
        "mean_steps": None if n_gone or b.mean_steps is None else float(b.mean_steps),
        "small_n": None if n_gone else b.small_n,
        "warning": None if n_gone else (b.warning or None),
        "effect_size": None if n_gone or b.effect_size is None else float(b.effect_size),
        "months": None if n_gone else b.months,
        "eef_months": b.eef_months,
        "suppressed": n_gone or met_gone,
    }
