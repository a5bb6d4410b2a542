"""/api/v1/pupils: the register as JSON, with the same need-to-know and audit as the pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent

from .access import get_pupil_for_user
from .models import Pupil, PupilNeed, SenStatus

router = Router(tags=["pupils"])


class NeedOut(Schema):
    code: str
    rank: int


class PupilOut(Schema):
    id: int
    upn: str
    surname: str = Field(alias="legal_surname")
    forename: str = Field(alias="legal_forename")
    school: str = Field(alias="school.urn")
    sen_status: str
    needs: list[NeedOut]

    @staticmethod
    def resolve_sen_status(pupil: Pupil) -> str:
        return SenStatus.api_code(pupil.sen_status)

    @staticmethod
    def resolve_needs(pupil: Pupil) -> list[dict]:
        return [{"code": n.need_id, "rank": n.rank} for n in pupil.current_needs]


class SenStatusOut(Schema):
    status: str
    starts_on: dt.date
    ends_on: dt.date | None


class NeedHistoryOut(Schema):
    code: str
    rank: int
    starts_on: dt.date
    ends_on: dt.date | None


class EhcPlanOut(Schema):
    local_authority: str
    issued_on: dt.date
    last_annual_review_on: dt.date | None
    next_annual_review_due: dt.date


class PupilDetailOut(PupilOut):
    preferred_surname: str
    preferred_forename: str
    date_of_birth: dt.date
    sex: str
    nc_year: str = Field(alias="nc_year_label")
    pupil_premium: bool
    sen_history: list[SenStatusOut]
    need_history: list[NeedHistoryOut]
    ehc_plan: EhcPlanOut | None

    @staticmethod
    def resolve_sen_history(pupil: Pupil) -> list[dict]:
        return [
            {"status": SenStatus.api_code(e.status), "starts_on": e.starts_on, "ends_on": e.ends_on}
            for e in pupil.sen_history.all()
        ]

    @staticmethod
    def resolve_need_history(pupil: Pupil) -> list[dict]:
        return [
            {"code": n.need_id, "rank": n.rank, "starts_on": n.starts_on, "ends_on": n.ends_on}
            for n in pupil.need_history.all()
        ]

    @staticmethod
    def resolve_ehc_plan(pupil: Pupil):
        return pupil.ehc_plans.filter(ceased_on__isnull=True).first()


class PupilPage(LimitOffsetPagination):
    """{"items": [...], "count": N}; ?limit= (default 100, at most 500) and ?offset=."""

    class Input(LimitOffsetPagination.Input):
        limit: int = 100


@router.get("", response=list[PupilOut], summary="Pupils you may see")
@paginate(PupilPage, max_limit=500)
def list_pupils(request, school: str | None = None, status: str | None = None, need: str | None = None):
    """Filter by `school` (URN), `status` (N, K, E or monitoring) and `need` (a census code, any rank)."""
    pupils = (
        Pupil.objects.visible_to(request.auth, register=True)
        .select_related("school")
        .order_by("school__urn", "legal_surname", "pk")
    )
    if school:
        pupils = pupils.filter(school__urn=school)
    if status:
        pupils = pupils.filter(sen_status=SenStatus.MONITORING if status.lower() == "monitoring" else status.upper())
    if need:
        current = PupilNeed.objects.filter(ends_on__isnull=True, need_id=need.upper())
        pupils = pupils.filter(pk__in=current.values("pupil_id"))
    audit.record(
        actor=request.auth, action=AuditEvent.Action.VIEW, record_type="pupil list", via="api",
        changes={"filters": [None, {"school": school, "status": status, "need": need}]},
    )  # fmt: skip
    pupils = pupils.prefetch_related(
        Prefetch("need_history", queryset=PupilNeed.objects.filter(ends_on__isnull=True), to_attr="current_needs")
    )
    return pupils


@router.get("/{pupil_id}", response=PupilDetailOut, summary="One pupil's SEN record")
def get_pupil(request, pupil_id: int):
    pupil = get_pupil_for_user(request.auth, pupil_id, register=True)
    audit.record_view(actor=request.auth, pupil=pupil, via="api")
    pupil.current_needs = [n for n in pupil.need_history.all() if n.ends_on is None]
    return pupil
