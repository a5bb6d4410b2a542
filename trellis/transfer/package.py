"""The transition package for the next school: one pupil's SEN record as JSON, with its evidence files.

`transition_record` collects what the next school needs (needs, plans with their targets and
reviews, provision with its impact, assessments, attendance, the pupil's "I can" statements,
concerns raised with their evidence and decision, the medical flag, key contacts, evidence) as plain JSON values, in the shape `docs/transition-schema.json` describes. The
transition PDF is rendered from the same record, so the two never disagree. `write_package`
zips it: `transition.json` and `evidence/NNN.ext`, each file's SHA-256 in the JSON.

Only this pupil's data goes in: a group's other pupils, their names and their numbers never do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone

from trellis.accounts.models import Role
from trellis.assessment.models import Assessment
from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord
from trellis.families.models import Carer
from trellis.identification.models import Concern
from trellis.plans.models import Plan
from trellis.provision.models import Attendance, Enrolment
from trellis.pupils.models import Pupil

SCHEMA_VERSION = "1.1"  # 1.1: pupil_voice and concerns
RECORD_NAME = "transition.json"
PUPIL_FIELDS = [
    "upn",
    "legal_surname",
    "legal_forename",
    "middle_names",
    "preferred_surname",
    "preferred_forename",
    "date_of_birth",
    "sex",
    "nc_year",
    "ethnicity",
    "eal",
    "fsm",
    "pupil_premium",
    "looked_after",
    "has_medical_notes",
    "enrolled_on",
]
PLAN_FIELDS = [
    "kind",
    "state",
    "title",
    "strengths",
    "needs",
    "pupil_good_at",
    "pupil_find_hard",
    "pupil_what_helps",
    "pupil_views_how",
    "parent_views",
    "strategies",
    "provision",
    "starts_on",
    "review_on",
    "written_by",
]
TARGET_FIELDS = [
    "position",
    "description",
    "area",
    "baseline_value",
    "target_value",
    "steps_to_gain",
    "success_criteria",
    "strategies",
    "responsible",
    "starts_on",
    "target_date",
    "closed_on",
]


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value


def _values(instance, names: list[str]) -> dict[str, Any]:
    return {name: _json(getattr(instance, name)) for name in names}


def _person(user) -> dict[str, str]:
    return {"name": user.get_full_name() or user.get_username(), "email": user.email or ""}


def _plans(pupil: Pupil) -> list[dict]:
    plans = (
        pupil.plans.exclude(state=Plan.State.DRAFT)
        .order_by("starts_on", "created_at", "pk")
        .prefetch_related("outcomes", "targets__scale", "targets__small_steps", "targets__reviews", "targets__outcome")
    )
    result = []
    for plan in plans:
        targets = []
        for target in plan.targets.all():
            targets.append(
                _values(target, TARGET_FIELDS)
                | {
                    "scale": target.scale.code,
                    "outcome_position": target.outcome.position if target.outcome else None,
                    "small_steps": [_values(s, ["position", "text", "achieved_on"]) for s in target.small_steps.all()],
                    "reviews": [
                        _values(r, ["date", "value", "comment", "reviewed_by_name"]) for r in target.reviews.all()
                    ],
                }
            )
        result.append(
            _values(plan, PLAN_FIELDS)
            | {
                "outcomes": [_values(o, ["position", "text", "area"]) for o in plan.outcomes.all()],
                "targets": targets,
            }
        )
    return result


def _provision(pupil: Pupil) -> list[dict]:
    """Each intervention the pupil took part in, with its impact for this pupil. The group's other
    pupils are left out: only the sessions this pupil was marked for are counted."""
    enrolments = (
        Enrolment.objects.filter(pupil=pupil)
        .select_related("group__intervention", "group__staff")
        .prefetch_related("measures__scale")
        .order_by("starts_on", "pk")
    )
    attended: dict[int, list[int]] = {}
    for enrolment_id, present in Attendance.objects.filter(enrolment__pupil=pupil).values_list(
        "enrolment_id", "present"
    ):
        attended.setdefault(enrolment_id, []).append(present)
    result = []
    for enrolment in enrolments:
        group, intervention = enrolment.group, enrolment.group.intervention
        marks = attended.get(enrolment.pk, [])
        result.append(
            {
                "intervention": intervention.name,
                "area_of_need": intervention.area_of_need,
                "description": intervention.description,
                "frequency": group.frequency,
                "group_size": group.group_size,
                "staff": group.staff_name,
                "starts_on": _json(enrolment.starts_on),
                "ends_on": _json(enrolment.ends_on or group.ends_on),
                "target_description": enrolment.target_description,
                "outcome_notes": enrolment.outcome_notes,
                "rating": group.rating,
                "decision": group.decision,
                "sessions_marked": len(marks),
                "sessions_attended": sum(marks),
                "measures": [
                    {
                        "scale": m.scale.code,
                        "entry": m.entry,
                        "target_steps": _json(m.target_steps),
                        "target_value": m.target_value,
                        "exit": m.exit,
                    }
                    for m in enrolment.measures.all()
                ],
            }
        )
    return result


def _contacts(pupil: Pupil, today: dt.date) -> dict:
    """The SENCO, and the carers the family pages link (a restricted link, a court order, is left out)."""
    sencos = pupil.school.memberships.filter(role=Role.SENCO).select_related("user").order_by("pk")
    carers = Carer.objects.filter(pupil=pupil).select_related("user", "pupil").order_by("created_at", "pk")
    return {
        "senco": [_person(m.user) for m in sencos],
        "carers": [
            _person(c.user) | {"relationship": c.relationship} for c in carers if c.is_active(today) and c.user_id
        ],
    }


def _concerns(pupil: Pupil) -> list[dict]:
    """Each concern with who raised it (a name: the accounts stay behind), its evidence and decision."""
    concerns = Concern.objects.filter(pupil=pupil).select_related("raised_by").prefetch_related("evidence")
    return [
        _values(c, ["source", "area", "what_seen", "contexts", "noticed_since", "raised_on"])
        | {"raised_by_name": (c.raised_by_name or (_person(c.raised_by)["name"] if c.raised_by else ""))[:150]}
        | _values(c, ["decision", "decision_reasons", "decided_on"])
        | {"evidence": [_values(e, ["kind", "date", "summary", "result"]) for e in c.evidence.all()]}
        for c in concerns.order_by("raised_on", "pk")
    ]


def _evidence(pupil: Pupil) -> tuple[list[dict], dict[str, EvidenceNote]]:
    """The notes, and the note of each file path in the package."""
    notes, files = [], {}
    for n, note in enumerate(EvidenceNote.objects.filter(pupil=pupil).order_by("date", "pk"), start=1):
        entry = _values(note, ["date", "learning_objective", "activity", "outcome", "areas"]) | {"file": None}
        if note.attachment:
            extension = note.attachment.name.rsplit(".", 1)[-1].lower()
            path = f"evidence/{n:03d}.{extension}"
            entry["file"] = {
                "path": path,
                "name": note.attachment_name or path.rsplit("/", 1)[-1],
                "content_type": note.attachment_type,
                "size": note.attachment_size or 0,
                "sha256": "",  # filled in when the package is written
            }
            files[path] = note
        notes.append(entry)
    return notes, files


def transition_record(pupil: Pupil, *, today: dt.date, now: dt.datetime | None = None) -> dict:
    """Everything the package says about the pupil, as JSON values (without the files' checksums)."""
    return _record_and_files(pupil, today=today, now=now)[0]


def _record_and_files(pupil: Pupil, *, today: dt.date, now: dt.datetime | None) -> tuple[dict, dict[str, Any]]:
    school = pupil.school
    evidence, files = _evidence(pupil)
    record = {
        "schema_version": SCHEMA_VERSION,
        "exported_at": (now or timezone.now()).isoformat(timespec="seconds"),
        "source_school": {
            "urn": school.urn,
            "name": school.name,
            "la_number": school.la_number,
            "estab_number": school.estab_number,
            "trust": school.trust.name if school.trust_id else "",
        },
        "pupil": _values(pupil, PUPIL_FIELDS) | {"sen_status": pupil.sen_status},
        "sen_status_history": [
            _values(s, ["status", "starts_on", "ends_on", "reason"]) for s in pupil.sen_history.order_by("starts_on")
        ],
        "need_history": [
            {"code": n.need_id} | _values(n, ["rank", "starts_on", "ends_on"])
            for n in pupil.need_history.order_by("starts_on", "rank", "pk")
        ],
        "ehc_plans": [
            _values(e, ["local_authority", "issued_on", "last_annual_review_on", "next_annual_review_due", "ceased_on"])
            for e in pupil.ehc_plans.order_by("issued_on", "pk")
        ],
        "plans": _plans(pupil),
        "assessments": [
            {"scale": a.scale.code} | _values(a, ["value", "domain", "subject", "date"])
            for a in Assessment.objects.filter(pupil=pupil).select_related("scale").order_by("date", "pk")
        ],
        "provision": _provision(pupil),
        "attendance": [
            _values(w, ["week_starting", "sessions_attended", "sessions_possible"])
            for w in WeeklyRecord.objects.filter(pupil=pupil).order_by("week_starting")
        ],
        "pupil_voice": [
            _values(v, ["date", "statement", "rating", "recorded", "comment"])
            for v in PupilVoiceEntry.objects.filter(pupil=pupil).order_by("date", "pk")
        ],
        "concerns": _concerns(pupil),
        "contacts": _contacts(pupil, today),
        "evidence": evidence,
    }
    return record, files


def write_package(pupil: Pupil, out: IO[bytes], *, today: dt.date, now: dt.datetime | None = None) -> dict:
    """Write the zip to `out`; returns the record it holds."""
    record, files = _record_and_files(pupil, today=today, now=now)
    by_path = {entry["file"]["path"]: entry["file"] for entry in record["evidence"] if entry["file"]}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, note in files.items():
            with note.attachment.open("rb") as source:
                content = source.read()
            by_path[path]["sha256"] = hashlib.sha256(content).hexdigest()
            by_path[path]["size"] = len(content)
            archive.writestr(path, content)
        archive.writestr(RECORD_NAME, json.dumps(record, indent=1, ensure_ascii=False))
    return record
