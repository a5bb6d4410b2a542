"""/api/v1/pupils/{id}/evidence: list and create evidence notes, with the same need to know and audit
as the pages. Mounted at "" with full paths, beside trellis.pupils.api (mounted at /pupils)."""

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from trellis.api.common import ERRORS, ApiError, CleanText, Date, Id, TargetIds, text
from trellis.audit import services as audit
from trellis.idempotency.api import IdempotencyKey, mark_replayed
from trellis.idempotency.services import AlreadySaved, KeyReused, fingerprint
from trellis.identification.models import AreaOfNeed
from trellis.pupils.access import get_pupil_for_user

from . import services
from .access import may_record_evidence
from .models import EvidenceNote

router = Router(tags=["evidence"])


# Each text must say something (a non-space character); lengths are the model's or, for the
# unbounded text fields, the size of a long note.
class NoteIn(Schema):
    date: Date
    learning_objective: CleanText = text(300)
    activity: CleanText = text(5000)
    outcome: CleanText = text(5000)
    areas: list[AreaOfNeed] = Field([], max_length=len(AreaOfNeed), description="Areas of need")
    targets: TargetIds = Field([], description="Ids of this pupil's own targets that the note is evidence for")


class NoteOut(Schema):
    id: int
    date: dt.date
    learning_objective: str
    activity: str
    outcome: str
    areas: list[str]
    has_file: bool
    recorded_by: str | None
    targets: list[int]

    @staticmethod
    def resolve_targets(note: EvidenceNote) -> list[int]:
        return sorted(target.pk for target in note.targets.all())

    @staticmethod
    def resolve_has_file(note: EvidenceNote) -> bool:
        return bool(note.attachment)

    @staticmethod
    def resolve_recorded_by(note: EvidenceNote) -> str | None:
        return note.recorded_by.get_username() if note.recorded_by else None


@router.get("/pupils/{pupil_id}/evidence", response={200: list[NoteOut], **ERRORS}, summary="A pupil's evidence notes")
def list_notes(request, pupil_id: Id):
    pupil = get_pupil_for_user(request.auth, pupil_id)
    audit.record_view(actor=request.auth, pupil=pupil, what="evidence", via="api")
    return list(pupil.evidence_notes.select_related("recorded_by").prefetch_related("targets"))


@router.post("/pupils/{pupil_id}/evidence", response={201: NoteOut, **ERRORS}, summary="Add an evidence note")
def create_note(request, response: HttpResponse, pupil_id: Id, payload: NoteIn, idempotency_key: IdempotencyKey = None):
    """Teaching staff and leaders of the pupil's school; files are added on the page only. Each of
    `targets` must be one of this pupil's targets (a 422 names the first that is not). With an
    `Idempotency-Key`, sending the same request again adds one note (a 409 if it has since been removed)."""
    pupil = get_pupil_for_user(request.auth, pupil_id)
    if not may_record_evidence(request.auth, pupil):
        raise ApiError(403, "You can see this pupil but not add evidence.")
    fields = payload.dict() | {"areas": [area.value for area in payload.areas]}
    try:
        note = services.create_note(
            pupil=pupil,
            by=request.auth,
            via="api",
            once=idempotency_key or "",
            request=fingerprint(request.path, payload.dict()),
            **fields,
        )
    except (services.EvidenceError, KeyReused) as error:
        raise ApiError(422, str(error)) from error
    except AlreadySaved as saved:
        note = pupil.evidence_notes.filter(pk=saved.record_id).first()
        if note is None:
            raise ApiError(409, "The note added with this Idempotency-Key has since been removed.") from None
        mark_replayed(response)
    return Status(201, note)
