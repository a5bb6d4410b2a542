"""/api/v1: a pupil's plans and targets, and recording a review. Same need-to-know and audit as pages.

Mounted at the API's root with full paths (/pupils/{id}/plans, /targets/{id}/reviews) so that
it sits beside the pupils router without owning /pupils.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from trellis.api.common import ERRORS, ApiError, CleanText, Date, Id, text
from trellis.assessment.scales import ScaleValueError
from trellis.audit import services as audit
from trellis.idempotency.api import IdempotencyKey, mark_replayed
from trellis.idempotency.services import AlreadySaved, KeyReused, fingerprint
from trellis.pupils.access import get_pupil_for_user

from . import access, services
from .models import Review, Target
from .progress import current_window

router = Router(tags=["plans"])


class OutcomeOut(Schema):
    id: int
    text: str
    area: str


class PlanOut(Schema):
    id: int
    kind: str
    state: str
    title: str
    strengths: str
    needs: dict[str, str]
    pupil_good_at: str
    pupil_find_hard: str
    pupil_what_helps: str
    parent_views: str
    strategies: str
    provision: str
    starts_on: dt.date | None
    review_on: dt.date | None
    written_by: str
    outcomes: list[OutcomeOut]
    target_ids: list[int]


class ReviewOut(Schema):
    date: dt.date
    value: str
    comment: str
    by: str


class TargetOut(Schema):
    id: int
    plan_id: int
    description: str
    area: str
    scale: str
    baseline: str
    target: str
    target_date: dt.date | None
    status: str
    stuck: bool
    reviews: list[ReviewOut]


class ReviewIn(Schema):
    date: Date = Field(description="Today or earlier, and on or after the target's start date")
    value: CleanText = text(40, description="A value on the target's scale")
    comment: CleanText = Field("", max_length=2000)


class ReviewCreatedOut(Schema):
    review: ReviewOut
    status: str
    stuck: bool


def _review_out(review) -> dict:
    return {"date": review.date, "value": review.value, "comment": review.comment, "by": review.reviewed_by_name}


def _target_out(target: Target) -> dict:
    return {
        "id": target.pk,
        "plan_id": target.plan_id,
        "description": target.description,
        "area": target.area,
        "scale": target.scale.code,
        "baseline": target.baseline_value,
        "target": target.goal_value(),
        "target_date": target.target_date,
        "status": target.progress.status.value,
        "stuck": target.progress.stuck,
        "reviews": [_review_out(r) for r in target.review_list],
    }


@router.get("/pupils/{pupil_id}/plans", response={200: list[PlanOut], **ERRORS}, summary="A pupil's plans")
def pupil_plans(request, pupil_id: Id):
    pupil = get_pupil_for_user(request.auth, pupil_id)
    audit.record_view(actor=request.auth, pupil=pupil, what="plans", via="api")
    plans = pupil.plans.prefetch_related("outcomes", "targets")
    return [
        {
            **{name: getattr(plan, name) for name in PlanOut.model_fields if hasattr(plan, name)},
            "needs": {str(k): str(v) for k, v in plan.needs.items()},
            "outcomes": [{"id": o.pk, "text": o.text, "area": o.area} for o in plan.outcomes.all()],
            "target_ids": [t.pk for t in plan.targets.all()],
        }
        for plan in plans
    ]


@router.get(
    "/pupils/{pupil_id}/targets", response={200: list[TargetOut], **ERRORS}, summary="A pupil's targets with status"
)
def pupil_targets(request, pupil_id: Id, include_closed: bool = False):
    """Targets of the pupil's active plans (all plans with `include_closed`), each with its
    status by the on-track rule (trellis.plans.progress) and its reviews, oldest first."""
    pupil = get_pupil_for_user(request.auth, pupil_id)
    audit.record_view(actor=request.auth, pupil=pupil, what="targets", via="api")
    targets = Target.objects.filter(pupil=pupil)
    if not include_closed:
        targets = targets.current()
    window = current_window(pupil.school, timezone.localdate())
    return [_target_out(t) for t in services.with_progress(targets, window=window, school=pupil.school_id)]


@router.post(
    "/targets/{target_id}/reviews",
    response={201: ReviewCreatedOut, **ERRORS},
    summary="Record a review of a target",
)
def create_review(
    request, response: HttpResponse, target_id: Id, payload: ReviewIn, idempotency_key: IdempotencyKey = None
):
    """`value` must be on the target's scale (a 422 names the allowed values in `allowed`), and `date`
    today or earlier and on or after the target's start date (a 422 says which). A target that is
    closed, or in an archived plan, takes no new reviews (422). With an `Idempotency-Key`, sending
    the same request again records one review (a 409 if that review has since been removed)."""
    target_pupil = Target.objects.filter(pk=target_id).values_list("pupil_id", flat=True).first()
    if target_pupil is None:
        raise Http404("No such target")
    pupil = get_pupil_for_user(request.auth, target_pupil)
    target = get_object_or_404(Target.objects.select_related("scale"), pk=target_id)
    target.pupil = pupil
    if not access.may_review(request.auth, target):
        raise Http404("No such target")
    try:
        review = services.record_review(
            target=target,
            by=request.auth,
            date=payload.date,
            value=payload.value,
            comment=payload.comment,
            via="api",
            once=idempotency_key or "",
            request=fingerprint(request.path, payload.dict()),
        )
    except ScaleValueError as error:
        raise ApiError(422, str(error), field="value", allowed=error.allowed) from error
    except (services.PlanError, KeyReused) as error:
        raise ApiError(422, str(error)) from error
    except AlreadySaved as saved:
        review = Review.objects.filter(pk=saved.record_id, target=target).first()
        if review is None:
            raise ApiError(409, "The review recorded with this Idempotency-Key has since been removed.") from None
        mark_replayed(response)
    window = current_window(pupil.school, timezone.localdate())
    progress = services.with_progress(Target.objects.filter(pk=target.pk), window=window, school=pupil.school_id)[0]
    return Status(
        201, {"review": _review_out(review), "status": progress.progress.status.value, "stuck": progress.progress.stuck}
    )
