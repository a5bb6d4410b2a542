"""Retention: a pupil's SEN file is kept until the pupil's 31st birthday (TRELLIS_RETENTION_YEARS),
then listed for the SENCO, who approves its deletion.

Deletion removes every record that leads to the pupil (records.py) and their files, and scrubs the
pupil's audit rows down to who, when and what kind of record (the summary and old and new values
go). One new audit row says what was deleted, when and by whom.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.models import Pupil

from .records import file_fields, records_of

RECORD_TYPE = "SEN file (retention)"


def years() -> int:
    return int(settings.TRELLIS_RETENTION_YEARS)


def _add_years(day: dt.date, count: int) -> dt.date:
    """The same day `count` years on; 29 February becomes 1 March in a year without it (in England
    a person born on 29 February reaches an age on 1 March), so nothing goes a day early."""
    try:
        return day.replace(year=day.year + count)
    except ValueError:
        return dt.date(day.year + count, 3, 1)


def kept_until(date_of_birth: dt.date) -> dt.date:
    """The first day the file is past retention: the pupil's birthday TRELLIS_RETENTION_YEARS on."""
    return _add_years(date_of_birth, years())


def latest_birth_due(today: dt.date) -> dt.date:
    """The latest date of birth whose file is past retention on `today`."""
    try:
        return today.replace(year=today.year - years())
    except ValueError:  # today is 29 February and that year had none: born 28 Feb is due, 1 Mar is not
        return dt.date(today.year - years(), 2, 28)


def due(today: dt.date) -> models.QuerySet[Pupil]:
    """Pupils whose SEN file is past retention on `today`, oldest first."""
    return (
        Pupil.objects.filter(date_of_birth__lte=latest_birth_due(today))
        .select_related("school")
        .order_by("date_of_birth", "pk")
    )


@dataclass(frozen=True)
class Deleted:
    pupil_id: int
    records: dict[str, int]
    files: int
    audit_rows_scrubbed: int


@transaction.atomic
def delete_sen_file(pupil: Pupil, *, by, today: dt.date, via: str = "web") -> Deleted:
    """Delete a pupil's SEN file that is past retention on `today`; raises ValueError if it is not."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if kept_until(pupil.date_of_birth) > today:
        raise ValueError(
            f"This pupil's file is kept until {kept_until(pupil.date_of_birth):%-d %B %Y}: nothing was deleted."
        )
    pupil_id, school_id = pupil.pk, pupil.school_id
    found = list(records_of([pupil_id]))
    files = [
        (field.storage, name)
        for model, rows in found
        for field in file_fields(model)
        for name in rows.exclude(**{field.name: ""}).values_list(field.name, flat=True)
        if name
    ]
    counts = Counter()
    for model, rows in found:
        if count := rows.count():
            counts[str(model._meta.verbose_name_plural)] = count
    for _model, rows in reversed(found):  # the furthest records first, the pupil last
        rows.delete()
    # The trail is append-only for everyone else; retention is the one thing allowed to scrub it.
    scrubbed = models.QuerySet.update(AuditEvent.objects.filter(pupil_id=pupil_id), summary="", changes={})
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    audit.record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        record_type=RECORD_TYPE,
        pupil_id=pupil_id,
        school=school_id,
        record_id=pupil_id,
        summary=f"Deleted past retention: {kinds}; {len(files)} files",
        via=via,
    )
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return Deleted(pupil_id, dict(counts), len(files), scrubbed)
