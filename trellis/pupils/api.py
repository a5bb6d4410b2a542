"""/api/v1/pupils: the register as JSON, with the same need-to-know and audit as the pages."""

import datetime as dt
from typing import Literal

from django.db.models import Prefetch
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from trellis.api.common import ERRORS, Id, NeedCode, Urn
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


MAX_LIMIT = 500
MAX_OFFSET = 1_000_000  # far past any trust's pupils; bounded so that OFFSET stays a small integer


class PupilPage(LimitOffsetPagination):
    """{"items": [...], "count": N}; ?limit= (default 100, 1 to 500) and ?offset= (0 to 1,000,000)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description="How many pupils (1 to 500)")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many to skip (0 to 1,000,000)")


@router.get("", response={200: list[PupilOut], **ERRORS}, summary="Pupils you may see")
@paginate(PupilPage, max_limit=MAX_LIMIT)
def list_pupils(
    request,
    school: Urn | None = None,
    status: Literal["N", "K", "E", "monitoring"] | None = None,
    need: NeedCode | None = None,
):
    """Filter by `school` (URN), `status` (N, K, E or monitoring) and `need` (a census code, any rank)."""
    pupils = (
        Pupil.objects.visible_to(request.auth, register=True, family=True)
        .select_related("school")
        .order_by("school__urn", "legal_surname", "pk")
    )
    if school:
        pupils = pupils.filter(school__urn=school)
    if status:
        pupils = pupils.filter(sen_status=SenStatus.MONITORING if status == "monitoring" else status)
    if need:
        current = PupilNeed.objects.filter(ends_on__isnull=True, need_id=need.upper())
        pupils = pupils.filter(pk__in=current.values("pupil_id"))
    audit.record(
        actor=request.auth,
        action=AuditEvent.Action.VIEW,
        record_type="pupil list",
        via="api",
        changes={"filters": [None, {"school": school, "status": status, "need": need}]},
    )
    pupils = pupils.prefetch_related(
        Prefetch("need_history", queryset=PupilNeed.objects.filter(ends_on__isnull=True), to_attr="current_needs")
    )
    return pupils


@router.get("/{pupil_id}", response={200: PupilDetailOut, **ERRORS}, summary="One pupil's SEN record")
def get_pupil(request, pupil_id: Id):
    """The register entry, for a parent or carer only of their own child (as the list)."""
    pupil = get_pupil_for_user(request.auth, pupil_id, register=True, family=True)
    audit.record_view(actor=request.auth, pupil=pupil, via="api")
    pupil.current_needs = [n for n in pupil.need_history.all() if n.ends_on is None]
    return pupil
