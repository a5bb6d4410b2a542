"""The register's one bulk writer: many rows at once, without the ORM's per-object cost.

`insert_rows` is the one raw inserter (COPY on PostgreSQL, one executemany'd INSERT elsewhere),
with values prepared by their model fields so every database gets what Django itself would send.
The import stages its planned writes with it; the demo stages write their big tables with it.

`write_new_pupils` writes whole new pupils (their register row, SEN status periods, ranked needs
and group memberships, and an audit event each unless the caller audits the batch) after checking
every row against the register's rules (`trellis.pupils.rules`), the same rules the importers
apply. An import does not write live rows through it: its plan is staged first and made live in
one short set-based step (`trellis.transfer.services`), so that the import is all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.db import connections, models
from django.utils import timezone

from trellis.audit.models import AuditEvent

from .models import GroupMembership, Pupil, PupilNeed, SenStatus, SenStatusEntry
from .rules import RegisterRow, RowProblem, RowRefused, check_row

BATCH = 1000
PUPIL_COLUMNS = [f for f in Pupil._meta.concrete_fields if not f.primary_key]


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """INSERT rows of values for `fields` (names or attnames, e.g. 'pupil' or 'pupil_id') of `model`."""
    conn = connections[model.objects.db]  # the connection itself, not the thread-local proxy
    meta, quote = model._meta, conn.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    adapters = [_adapter(column, conn) for column in columns]
    table, names = quote(meta.db_table), ", ".join(quote(column.column) for column in columns)
    # SQLite runs executemany in-process, fast; PostgreSQL is fed with COPY, not a statement a row.
    copy = f"COPY {table} ({names}) FROM STDIN" if conn.vendor == "postgresql" else ""
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    adapted = [(i, adapt) for i, adapt in enumerate(adapters) if adapt is not None]
    batch: list[list[Any]] = []
    with conn.cursor() as cursor:
        for row in rows:
            row = list(row)
            for i, adapt in adapted:
                row[i] = adapt(row[i])
            batch.append(row)
            if len(batch) == BATCH:
                _write(cursor, batch, copy, insert)
                batch = []
        if batch:
            _write(cursor, batch, copy, insert)


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """bulk_create for the demo's big tables (plans, targets, notes), without building an INSERT
    statement of every value: on PostgreSQL each object gets its id from the table's sequence, in
    order (the ids bulk_create's INSERT would give them), and the rows go in through insert_rows's
    COPY; elsewhere it is bulk_create. Like bulk_create, no save() or signals; each object has its id."""
    conn = connections[model.objects.db]
    if conn.vendor != "postgresql" or any(obj.pk is not None for obj in objects):
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    if not objects:
        return
    meta = model._meta
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id FROM generate_series(1, %s) ORDER BY id",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
    columns = meta.concrete_fields
    # pre_save as bulk_create calls it (auto_now and the like); insert_rows prepares the values,
    # but a file field's value is its FieldFile, stored as its name.
    files = [i for i, f in enumerate(columns) if isinstance(f, models.FileField)]

    def values(obj: models.Model) -> list[Any]:
        row = [f.pre_save(obj, True) for f in columns]
        for i in files:
            row[i] = columns[i].get_db_prep_save(row[i], conn)
        return row

    insert_rows(model, [f.attname for f in columns], (values(obj) for obj in objects))
    for obj in objects:
        obj._state.adding, obj._state.db = False, conn.alias


def _write(cursor, batch: list[list[Any]], copy: str, insert: str) -> None:
    if copy:
        with cursor.cursor.copy(copy) as stream:  # the psycopg cursor under Django's wrapper
            for row in batch:
                stream.write_row(row)
    else:
        cursor.executemany(insert, batch)


def _adapter(column: models.Field, conn):
    """How a column's values are prepared, or None to send them as they are (the hot path)."""
    kind = column.get_internal_type()
    if kind in {"DateField", "DateTimeField"}:
        cache: dict[Any, Any] = {}  # dates repeat: prepare each once

        def date(value):
            if value not in cache:
                cache[value] = column.get_db_prep_save(value, conn)
            return cache[value]

        return date
    if kind == "JSONField":
        return lambda value: column.get_db_prep_save(value, conn)
    if column.choices:
        return _plain
    return None


def _plain(value):
    """Choices members as their stored value (psycopg would write an Enum's name)."""
    return value.value if isinstance(value, Enum) else value


# --------------------------------------------------------------------------------------------
# Whole new pupils


@dataclass
class StatusPeriod:
    status: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    source: str = SenStatusEntry.Source.IMPORT
    reason: str = ""
    recorded_by_id: int | None = None
    recorded_at: dt.datetime | None = None  # None: when written


@dataclass
class NeedPeriod:
    code: str
    rank: int
    starts_on: dt.date
    ends_on: dt.date | None = None
    recorded_by_id: int | None = None
    recorded_at: dt.datetime | None = None


@dataclass
class GroupPeriod:
    group_id: int
    starts_on: dt.date | None
    ends_on: dt.date | None = None


@dataclass
class NewPupil:
    """A pupil to create: `row` holds the pupil's values (row.sen_status and row.needs are what is
    current now); the periods are their history, oldest first."""

    row: RegisterRow
    statuses: list[StatusPeriod] = field(default_factory=list)
    needs: list[NeedPeriod] = field(default_factory=list)
    groups: list[GroupPeriod] = field(default_factory=list)


def history_problems(pupil: NewPupil) -> list[RowProblem]:
    """The register's rules for a history: at most one open status period and it is the pupil's
    status; one open need per rank, and those are the pupil's needs in rank order."""
    row, problems = pupil.row, []
    open_statuses = [p.status for p in pupil.statuses if p.ends_on is None]
    if len(open_statuses) > 1 or open_statuses and open_statuses[0] != (row.sen_status or SenStatus.NONE):
        problems.append(RowProblem("sen_status", "the current status period does not match the pupil's status"))
    current = sorted((p.rank, p.code) for p in pupil.needs if p.ends_on is None)
    if [code for _, code in current] != (row.needs or []) or len({r for r, _ in current}) != len(current):
        problems.append(RowProblem("primary_need", "the current needs do not match the pupil's ranked needs"))
    return problems


def write_new_pupils(
    *,
    school,
    pupils: Sequence[NewPupil],
    need_codes: Collection[str] | None,
    by=None,
    via: str = "command",
    audit_each: bool = True,
) -> dict[str, int]:
    """Create `pupils` in `school` with their histories and memberships; returns {upn: id}.

    Every row is checked first (RowRefused names the first bad one, and nothing is written);
    call inside a transaction. With `audit_each` False the caller audits the batch itself.
    """
    for pupil in pupils:
        if problems := check_row(pupil.row, need_codes=need_codes) or history_problems(pupil):
            raise RowRefused(pupil.row.upn, problems)
    now = timezone.now()
    by_id = by.pk if by is not None and by.is_authenticated else None
    defaults = {f.attname: f.get_default() for f in PUPIL_COLUMNS} | {"school_id": school.pk}
    columns = [f.attname for f in PUPIL_COLUMNS]
    values = [defaults | _pupil_values(p.row) for p in pupils]
    insert_rows(Pupil, columns, ([v[name] for name in columns] for v in values))
    ids = _ids(school, [p.row.upn for p in pupils])
    insert_rows(
        SenStatusEntry,
        ["pupil_id", "status", "starts_on", "ends_on", "source", "reason", "recorded_by_id", "recorded_at"],
        (
            (ids[p.row.upn], s.status, s.starts_on, s.ends_on, s.source, s.reason, s.recorded_by_id or by_id)
            + (s.recorded_at or now,)
            for p in pupils
            for s in p.statuses
        ),
    )
    insert_rows(
        PupilNeed,
        ["pupil_id", "need_id", "rank", "starts_on", "ends_on", "recorded_by_id", "recorded_at"],
        (
            (ids[p.row.upn], n.code, n.rank, n.starts_on, n.ends_on, n.recorded_by_id or by_id, n.recorded_at or now)
            for p in pupils
            for n in p.needs
        ),
    )
    insert_rows(
        GroupMembership,
        ["pupil_id", "group_id", "starts_on", "ends_on"],
        ((ids[p.row.upn], g.group_id, g.starts_on, g.ends_on) for p in pupils for g in p.groups),
    )
    if audit_each:
        _audit_created(school, pupils, values, ids, by=by, via=via, now=now)
    return ids


def _pupil_values(row: RegisterRow) -> dict[str, Any]:
    return row.fields | {
        "sen_status": row.sen_status or SenStatus.NONE,
        "primary_need_id": row.needs[0] if row.needs else None,
    }


def _ids(school, upns: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(upns), 900):  # SQLite's older builds take 999 parameters at most
        rows = Pupil.objects.filter(school=school, upn__in=upns[start : start + 900]).values_list("upn", "pk")
        ids.update(rows)
    return ids


def _audit_created(school, pupils, values, ids, *, by, via: str, now: dt.datetime) -> None:
    actor_id = by.pk if by is not None and by.is_authenticated else None
    name = by.get_username() if actor_id else "system"
    insert_rows(
        AuditEvent,
        ["at", "actor_id", "actor_name", "school_id", "pupil_id", "action", "record_type", "record_id"]
        + ["summary", "changes", "via"],
        (
            (now, actor_id, name, school.pk, ids[p.row.upn], AuditEvent.Action.CREATE, "pupil", str(ids[p.row.upn]))
            + (
                "",
                {k: [None, _json(v)] for k, v in value.items() if v not in (None, "", False) and k != "school_id"},
                via,
            )
            for p, value in zip(pupils, values, strict=True)
        ),
    )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
