"""Recording evidence. Each function is one transaction that writes its audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.idempotency import services as idempotency
from trellis.identification.models import AreaOfNeed
from trellis.lib.upn import InvalidUPN, normalise_upn
from trellis.lib.versions import locked, require_version
from trellis.plans.models import Target
from trellis.pupils.models import Pupil
from trellis.transfer import limits

from .models import EvidenceNote, PupilVoiceEntry, WeeklyRecord, week_start
from .storage import ALLOWED_DESCRIPTION, max_upload_bytes, sniff


class EvidenceError(ValueError):
    """Evidence that cannot be saved; the message says why."""


def _user(by):
    return by if by is not None and by.is_authenticated else None


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of an allowed upload, judged by its first bytes; else EvidenceError."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise EvidenceError(f"The file must be smaller than {limit // (1024 * 1024)} MB.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise EvidenceError(f"The file must be {ALLOWED_DESCRIPTION}; “{upload.name}” is not.")
    return found


def _check_areas(areas: Sequence[str]) -> list[str]:
    if unknown := [a for a in areas if a not in AreaOfNeed.values]:
        raise EvidenceError(f"Unknown area(s) of need: {', '.join(unknown)}. Use {', '.join(AreaOfNeed.values)}.")
    return list(dict.fromkeys(areas))


def _own_targets(pupil: Pupil, targets: Sequence[int]) -> list[int]:
    """The target ids, sorted, if every one is the pupil's own; else EvidenceError."""
    target_ids = sorted({int(pk) for pk in targets})
    if target_ids:
        own = set(Target.objects.filter(pupil=pupil, pk__in=target_ids).values_list("pk", flat=True))
        if missing := [pk for pk in target_ids if pk not in own]:
            raise EvidenceError(f"Target {missing[0]} is not one of this pupil's targets.")
    return target_ids


NOTE_FIELDS = ["date", "learning_objective", "activity", "outcome", "areas", "shared_with_family"]


@transaction.atomic
def update_note(
    *, note: EvidenceNote, by, targets: Sequence[int] = (), via: str = "web", version: int | None = None, **fields
) -> EvidenceNote:
    """Change what a note says and which targets it is evidence for (its file stays as it is).
    EditConflict if the note changed since the `version` its form was opened at."""
    pupil = note.pupil
    note = locked(EvidenceNote, note.pk, what="evidence note", record_type="evidence note")
    note.pupil = pupil
    target_ids = _own_targets(note.pupil, targets)
    fields["areas"] = _check_areas(fields.get("areas", ()))
    before = audit.snapshot(note, NOTE_FIELDS) | {"targets": sorted(note.targets.values_list("pk", flat=True))}
    for name, value in fields.items():
        if name not in NOTE_FIELDS:
            raise EvidenceError(f"A note has no field '{name}'.")
        setattr(note, name, value)
    changes = audit.diff(before, audit.snapshot(note, NOTE_FIELDS) | {"targets": target_ids})
    if changes:
        require_version(note, version, what="evidence note", record_type="evidence note")
        note.version += 1
    note.save(update_fields=[*fields, "version"])
    note.targets.set(target_ids)
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="evidence note",
        pupil=note.pupil,
        record_id=note.pk,
        summary=note.learning_objective,
        changes=changes,
        via=via,
    )
    return note


@transaction.atomic
def create_note(
    *,
    pupil: Pupil,
    by,
    date: dt.date,
    learning_objective: str,
    activity: str,
    outcome: str,
    areas: Sequence[str] = (),
    targets: Sequence[int] = (),
    upload: UploadedFile | None = None,
    shared_with_family: bool = False,
    via: str = "web",
    once: str = "",
    request: str = "",
) -> EvidenceNote:
    """A quick evidence note, with an optional photo or PDF checked by content and size,
    linked to any of the pupil's own targets (ids). `once` and `request` as for
    trellis.plans.services.record_review: a repeat raises AlreadySaved and saves nothing."""
    taken = idempotency.claim(user=_user(by), key=once, kind="evidence note", request=request)
    target_ids = _own_targets(pupil, targets)
    note = EvidenceNote(
        pupil=pupil,
        date=date,
        learning_objective=learning_objective,
        activity=activity,
        outcome=outcome,
        areas=_check_areas(areas),
        recorded_by=_user(by),
        shared_with_family=shared_with_family,
    )
    if upload is not None:
        content_type, extension = check_upload(upload)
        note.attachment_name = (upload.name or f"evidence.{extension}")[:200]
        note.attachment_type = content_type
        note.attachment_size = upload.size
        note.attachment.save(f"upload.{extension}", upload, save=False)
    note.save()
    note.targets.set(target_ids)
    idempotency.settle(taken, note.pk)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="evidence note",
        pupil=pupil,
        record_id=note.pk,
        summary=learning_objective,
        via=via,
        changes={"attachment": [None, note.attachment_name or None], "targets": [None, target_ids]},
    )
    return note


@transaction.atomic
def add_voice(
    *, pupil: Pupil, by, date: dt.date, statement: str, rating: int, recorded: str, comment: str = "", via: str = "web"
) -> PupilVoiceEntry:
    entry = PupilVoiceEntry.objects.create(
        pupil=pupil,
        date=date,
        statement=statement,
        rating=rating,
        recorded=recorded,
        comment=comment,
        recorded_by=_user(by),
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="pupil voice",
        pupil=pupil,
        record_id=entry.pk,
        summary=f"{statement}: {entry.get_rating_display()}",
        via=via,
    )
    return entry


@dataclass(frozen=True)
class VoiceAnswer:
    """The pupil's answer about one of their targets on the voice page."""

    target: Target
    rating: int
    words: str = ""  # what the pupil said, typed by the adult with them


@transaction.atomic
def record_voice_answers(
    *,
    pupil: Pupil,
    by,
    date: dt.date,
    answers: Sequence[VoiceAnswer],
    via: str = "web",
    once: str = "",
    request: str = "",
) -> list[PupilVoiceEntry]:
    """Save the pupil's own rating of each of their current targets, one entry a target, each
    audited. `once` as for create_note: the same page posted twice saves once (AlreadySaved)."""
    if not answers:
        raise EvidenceError("Choose an answer for at least one target.")
    taken = idempotency.claim(user=_user(by), key=once, kind="pupil voice", request=request)
    current = set(Target.objects.current().filter(pupil=pupil).values_list("pk", flat=True))
    if stray := [a.target.pk for a in answers if a.target.pk not in current]:
        raise EvidenceError(f"Target {stray[0]} is not one of this pupil's current targets.")
    if wrong := [a.rating for a in answers if a.rating not in PupilVoiceEntry.Rating.values]:
        raise EvidenceError(f"{wrong[0]} is not an answer on the scale (1 not yet, 2 getting there, 3 I can).")
    entries = []
    for answer in answers:
        entry = PupilVoiceEntry.objects.create(
            pupil=pupil,
            target=answer.target,
            date=date,
            statement=answer.target.description[:200],
            rating=answer.rating,
            recorded=PupilVoiceEntry.Recorded.WITH_PUPIL,
            comment=answer.words,
            recorded_by=_user(by),
        )
        audit.record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            record_type="pupil voice",
            pupil=pupil,
            record_id=entry.pk,
            summary=f"Target {answer.target.pk}: {entry.get_rating_display()}",
            changes={
                "target": [None, answer.target.pk],
                "rating": [None, answer.rating],
                "words": [None, answer.words],
            },
            via=via,
        )
        entries.append(entry)
    idempotency.settle(taken, entries[0].pk)
    return entries


WEEKLY_FIELDS = ["behaviour_positive", "behaviour_negative", "sessions_attended", "sessions_possible"]


@transaction.atomic
def record_week(*, pupil: Pupil, by, week_starting: dt.date, via: str = "web", **values: int) -> WeeklyRecord:
    """Record (or correct) one week's behaviour points and attendance; the date moves to its Monday."""
    if values["sessions_attended"] > values["sessions_possible"]:
        raise EvidenceError("Sessions attended cannot be more than sessions possible.")
    monday = week_start(week_starting)
    record = WeeklyRecord.objects.filter(pupil=pupil, week_starting=monday).first()
    before = audit.snapshot(record, WEEKLY_FIELDS) if record else {}
    record = record or WeeklyRecord(pupil=pupil, week_starting=monday)
    for name in WEEKLY_FIELDS:
        setattr(record, name, values[name])
    record.source = WeeklyRecord.Source.MANUAL
    record.recorded_by = _user(by)
    created = record.pk is None
    record.save()
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        record_type="weekly record",
        pupil=pupil,
        record_id=record.pk,
        summary=f"Week of {monday:%d/%m/%Y}",
        changes=audit.diff(before, audit.snapshot(record, WEEKLY_FIELDS)),
        via=via,
    )
    return record


# ---- Weekly CSV import: a pure parser, then one audited, all-or-nothing apply. ----

HEADINGS = {
    "upn": "upn",
    "week": "week_starting",
    "week_starting": "week_starting",
    "week starting": "week_starting",
    "behaviour_positive": "behaviour_positive",
    "positive": "behaviour_positive",
    "behaviour_negative": "behaviour_negative",
    "negative": "behaviour_negative",
    "sessions_attended": "sessions_attended",
    "attended": "sessions_attended",
    "sessions_possible": "sessions_possible",
    "possible": "sessions_possible",
}
REQUIRED = ["upn", "week_starting", *WEEKLY_FIELDS]


@dataclass
class WeeklyRow:
    line: int
    upn: str
    week_starting: dt.date
    values: dict[str, int]


@dataclass
class WeeklyParse:
    rows: list[WeeklyRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "Row 3, UPN: ..." one per problem


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def parse_weekly_csv(text: str) -> WeeklyParse:
    """Rows and errors from a CSV with columns UPN, week, positive, negative, attended, possible.

    Headings are matched case-insensitively (e.g. `week` or `week_starting`); a week's date moves to
    its Monday. Row numbers count the heading as row 1, as a spreadsheet shows them."""
    result = WeeklyParse()
    reader = limits.counted_rows(csv.reader(io.StringIO(text.lstrip("\ufeff"))), limits.MAX_ROWS)
    try:
        _parse_weekly_rows(reader, result)
    except limits.LimitExceeded as error:
        result.errors.append(f"{error.message} {error.accepted}.")
    except csv.Error as error:
        result.errors.append(f"The file cannot be read as CSV ({error}).")
    return result


def _parse_weekly_rows(reader: Iterator[list[str]], result: WeeklyParse) -> None:
    header = next(reader, None)
    if not header:
        result.errors.append("The file is empty.")
        return
    columns = {HEADINGS.get(name.strip().lower()): i for i, name in enumerate(header)}
    columns.pop(None, None)
    if missing := [name for name in REQUIRED if name not in columns]:
        result.errors.append(f"Missing column(s): {', '.join(missing)}. Found: {', '.join(header)}.")
        return
    seen: dict[tuple[str, dt.date], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        errors: list[str] = []
        try:
            upn = normalise_upn(cells[columns["upn"]])
        except InvalidUPN as error:
            errors.append(f"Row {line}, UPN: {error}")
            upn = ""
        try:
            week = week_start(_parse_date(cells[columns["week_starting"]]))
        except ValueError as error:
            errors.append(f"Row {line}, week: {error}")
            week = None
        values: dict[str, int] = {}
        for name in WEEKLY_FIELDS:
            raw = cells[columns[name]].strip()
            if not raw.isdecimal():
                errors.append(f"Row {line}, {name}: “{raw}” is not a whole number of 0 or more")
            elif int(raw) > 1000:
                errors.append(f"Row {line}, {name}: {raw} is more than 1000")
            else:
                values[name] = int(raw)
        if len(values) == len(WEEKLY_FIELDS) and values["sessions_attended"] > values["sessions_possible"]:
            errors.append(f"Row {line}, sessions_attended: more sessions attended than possible")
        if upn and week:
            if (upn, week) in seen:
                errors.append(f"Row {line}: the same pupil and week as row {seen[upn, week]}")
            seen[upn, week] = line
        if errors:
            result.errors += errors
            if len(result.errors) >= limits.MAX_PROBLEMS:
                result.errors.append(
                    f"Reading stopped after {limits.MAX_PROBLEMS:,} problems: fix these and try again."
                )
                return
        else:
            result.rows.append(WeeklyRow(line=line, upn=upn, week_starting=week, values=values))


@dataclass
class WeeklyImport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_weekly(*, school, text: str, by=None, dry_run: bool = False, via: str = "command") -> WeeklyImport:
    """Check every row, then save all of them or none. Unknown UPNs are errors (never a silent skip)."""
    parsed = parse_weekly_csv(text)
    outcome = WeeklyImport(errors=list(parsed.errors))
    pupils = {p.upn: p for p in Pupil.objects.filter(school=school, upn__in={row.upn for row in parsed.rows})}
    for row in parsed.rows:
        if row.upn not in pupils:
            outcome.errors.append(f"Row {row.line}, UPN: no pupil with UPN {row.upn} at {school.name}")
    if outcome.errors:
        return outcome
    if not parsed.rows:
        outcome.errors.append("The file has no rows to import.")
        return outcome
    with transaction.atomic():
        existing = {
            (r.pupil_id, r.week_starting): r
            for r in WeeklyRecord.objects.filter(
                pupil__in=pupils.values(), week_starting__in={row.week_starting for row in parsed.rows}
            )
        }
        new, changed, per_pupil = [], [], {}
        for row in parsed.rows:
            pupil = pupils[row.upn]
            record = existing.get((pupil.pk, row.week_starting))
            if record is None:
                new.append(
                    WeeklyRecord(
                        pupil=pupil,
                        week_starting=row.week_starting,
                        source="import",
                        recorded_by=_user(by),
                        **row.values,
                    )
                )
            elif any(getattr(record, k) != v for k, v in row.values.items()):
                for name, value in row.values.items():
                    setattr(record, name, value)
                record.source = WeeklyRecord.Source.IMPORT
                changed.append(record)
            else:
                continue
            per_pupil.setdefault(pupil.pk, [pupil, []])[1].append(row.week_starting.isoformat())
        WeeklyRecord.objects.bulk_create(new, batch_size=1000)
        WeeklyRecord.objects.bulk_update(changed, [*WEEKLY_FIELDS, "source"], batch_size=1000)
        outcome.created, outcome.updated = len(new), len(changed)
        audit.record_many(
            {
                "actor": by,
                "action": AuditEvent.Action.IMPORT,
                "record_type": "weekly record",
                "pupil": pupil,
                "summary": f"Imported {len(weeks)} week(s)",
                "changes": {"weeks": [None, weeks]},
                "via": via,
            }
            for pupil, weeks in per_pupil.values()
        )
        if dry_run:
            transaction.set_rollback(True)
    return outcome
