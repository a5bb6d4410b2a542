"""Importing pupils: one audited, all-or-nothing service.

`import_pupils` streams the file through the parser in chunks and plans each chunk against the
database (reads only). Unless it is a dry run, each chunk's planned writes are staged as
`StagedRow`s in a short transaction of their own; once the whole file has been read without a
problem, ONE short transaction makes them live with a few set-based INSERT ... SELECT and UPDATE
statements, so that the import is all or nothing while SQLite's single write lock is held for a
second or two, not for the minutes a large file takes to read. If any record anywhere is
invalid, nothing is made live and the staged rows go.
The plan (created / updated / unchanged, status and need changes per pupil, warnings, pupils
missing from the file) is the preview, the dry run and the summary alike. The CTF export is in
`trellis.transfer.export`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import OperationalError, connections, transaction
from django.db.models import BigIntegerField, CharField, DateTimeField, F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Lower
from django.utils import timezone

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.busy import BUSY_MESSAGE, is_busy
from trellis.pupils.bulk import PUPIL_COLUMNS, insert_rows
from trellis.pupils.models import (
    GroupMembership,
    NeedType,
    Pupil,
    PupilNeed,
    SenStatus,
    SenStatusEntry,
    nc_year_label,
)
from trellis.pupils.rules import ehc_plan_has_a_need
from trellis.schools.models import School, TeachingGroup
from trellis.schools.services import academic_year_start, create_academic_year

from .models import ImportRun, StagedRow
from .parsers import ParseReport, Problem, PupilRecord, field_label, read_pupils

CHUNK_SIZE = 2000
DETAIL_LIMIT = 500  # pupils whose changes are listed in the preview and summary
LIST_LIMIT = 200  # missing pupils and warnings kept in the summary


@dataclass
class PupilChange:
    line: int
    upn: str
    name: str
    action: str  # created | updated
    changes: dict[str, list[Any]]
    confidential: bool = False


@dataclass
class ImportPlan:
    """What an import would do (dry run, preview) or did (applied)."""

    file_name: str
    sha256: str = ""
    format: str = ""
    dry_run: bool = True
    applied: bool = False
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    status_changes: int = 0
    need_changes: int = 0
    class_changes: int = 0
    classes_created: list[str] = field(default_factory=list)
    details: list[PupilChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # the first ones (see warning_count)
    warning_count: int = 0
    missing: list[tuple[str, str, bool]] = field(default_factory=list)  # (upn, name, confidential)
    missing_count: int = 0
    partial: bool = False
    unrecognised: list[str] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    need_names: dict[str, str] = field(default_factory=dict)  # code -> name, to show needs by name
    run: ImportRun | None = None
    live_seconds: float = 0.0  # how long the live step held the write transaction
    live_cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def more_details(self) -> int:
        return self.created + self.updated - len(self.details)

    def summary_line(self) -> str:
        return (
            f"{self.records} pupils in the file: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.status_changes} SEN status changes, {self.need_changes} need "
            f"changes, {self.class_changes} class changes; {self.missing_count} on roll but not in the file (kept)."
        )

    def as_summary(self) -> dict[str, Any]:
        return {
            "status_changes": self.status_changes,
            "need_changes": self.need_changes,
            "class_changes": self.class_changes,
            "classes_created": self.classes_created,
            "partial_file": self.partial,
            "source": {k: self.header.get(k, "") for k in ("SchoolName", "LEA", "Estab", "CTFversion", "DateTime")},
            "missing": [[upn, "(confidential)" if secret else name] for upn, name, secret in self.missing],
            "warnings": [str(w) for w in self.warnings[:LIST_LIMIT]],
            "changes": [[c.line, c.upn, c.action, c.changes] for c in self.details[:DETAIL_LIMIT]],
        }


class _Changed(Exception):
    """The records the plan was made against changed before the import went live."""


STAGE_MAX_AGE = dt.timedelta(days=1)  # staged chunks of an import that never finished


def file_checksum(source: IO[bytes]) -> str:
    digest = hashlib.sha256()
    source.seek(0)
    for block in iter(lambda: source.read(1 << 20), b""):
        digest.update(block)
    source.seek(0)
    return digest.hexdigest()


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def import_pupils(*, progress: Callable[[int], None] | None = None, **options: Any) -> ImportPlan:
    """Plan, and unless `dry_run` apply, an import of pupils into `school`. All or nothing.

    Takes the options of `import_steps`; `progress` is called with the number of pupils read so
    far after each chunk. Returns the plan; `plan.problems` lists every invalid record (then nothing
    was written) and `plan.run` is the ImportRun when it was applied.
    """
    steps = import_steps(**options)
    while True:
        try:
            done = next(steps)
        except StopIteration as finished:
            return finished.value
        if progress:
            progress(done)


def import_steps(
    *,
    school: School,
    source: IO[bytes],
    file_name: str,
    by,
    dry_run: bool = False,
    mapping: Mapping[str, str] | None = None,
    via: str = "web",
) -> Generator[int, None, ImportPlan]:
    """The import as a generator: yields the pupils read so far after each chunk and returns the
    plan, so that a page can show progress. No transaction is held while the file is read."""
    plan = ImportPlan(file_name=file_name, sha256=file_checksum(source), dry_run=dry_run)
    report = ParseReport(file=file_name)
    need_types = plan.need_names = dict(NeedType.objects.values_list("code", "name"))
    importer = _Importer(school=school, by=by, plan=plan, report=report, via=via)
    try:
        records = read_pupils(source, file_name=file_name, report=report, need_types=need_types, mapping=mapping)
        done = 0
        while chunk := list(itertools.islice(records, CHUNK_SIZE)):
            ops = importer.chunk(chunk)
            if not dry_run and not report.problems:
                importer.stage(ops)
            done += len(chunk)
            yield done
        plan.format, plan.records, plan.header = report.format, report.records, report.header
        plan.partial, plan.unrecognised = report.is_partial, report.unrecognised
        plan.problems, plan.warnings, plan.warning_count = report.problems, report.warnings, report.warning_count
        importer.find_missing()
        if not plan.problems and not dry_run:
            importer.go_live()
    except _Changed:
        plan.problems.append(
            Problem(
                file_name,
                None,
                "",
                "",
                "pupil records changed while the file was being checked (another import, or an edit)",
                "check the file again",
            )
        )
    except OperationalError as error:
        if not is_busy(error):
            raise
        plan.problems.append(Problem(file_name, None, "", "", BUSY_MESSAGE, "import the file again in a minute"))
    finally:
        if not plan.applied:
            importer.discard()
    return plan


class _Importer:
    """The work of import_pupils: plan each chunk against what exists, stage it, then make it live."""

    def __init__(self, *, school: School, by, plan: ImportPlan, report: ParseReport, via: str):
        self.school, self.by, self.plan, self.report, self.via = school, _actor(by), plan, report, via
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.seen: set[str] = set()
        self.run: ImportRun | None = None
        self.year = school.current_academic_year(self.today)
        self.groups: dict[str, TeachingGroup | None] = {}
        if self.year:
            self.groups = {g.name.casefold(): g for g in TeachingGroup.objects.filter(academic_year=self.year)}
        self.actor_name = self.by.get_username() if self.by else "system"
        self.defaults = {f.attname: f.get_default() for f in PUPIL_COLUMNS} | {"school_id": school.pk}
        self.token = secrets.token_hex(16)
        self.staged = 0
        self.changed_columns: set[str] = set()  # columns some staged update sets

    # ---- staging and the live step

    def stage(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
        """Keep one chunk's planned writes, (kind, data) each, in a short transaction of its own."""
        with transaction.atomic():
            if self.staged == 0:  # tidy what imports that never finished left behind
                StagedRow.objects.filter(created_at__lt=timezone.now() - STAGE_MAX_AGE).delete()
            insert_rows(
                StagedRow,
                ["token", "kind", "data", "created_at"],
                [(self.token, kind, data, self.now) for kind, data in rows],
            )
        self.staged += len(rows)

    def discard(self) -> None:
        """Drop this import's staged rows; if the database is busy, a later import tidies them."""
        if self.staged:
            try:
                with transaction.atomic():
                    StagedRow.objects.filter(token=self.token).delete()
            except OperationalError as error:
                if not is_busy(error):
                    raise
            self.staged = 0

    def go_live(self) -> None:
        """Copy every staged row into the live tables, with the run record and its audit, in ONE
        transaction of a few set-based statements: all or nothing, and short."""
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            self.start_run()
            _Live(self).apply()
            self.finish_run()
        self.plan.applied = True
        self.plan.live_seconds = time.perf_counter() - started
        self.plan.live_cpu_seconds = time.process_time() - cpu  # SQLite's work included: it runs in-process
        self.discard()  # after the commit: the lock is not held for it, and leftovers are tidied later

    # ---- the run record

    def start_run(self) -> None:
        self.run = ImportRun.objects.create(
            school=self.school,
            by=self.by,
            by_name=self.actor_name,
            via=self.via,
            file_name=self.plan.file_name[:255],
            sha256=self.plan.sha256,
        )

    def finish_run(self) -> None:
        plan, run = self.plan, self.run
        assert run is not None
        run.file_format, run.records, run.created = plan.format, plan.records, plan.created
        run.updated, run.unchanged, run.missing = plan.updated, plan.unchanged, plan.missing_count
        run.warnings, run.summary = plan.warning_count, plan.as_summary()
        run.save()
        audit.record(
            actor=self.by,
            action=AuditEvent.Action.IMPORT,
            record_type="pupil import",
            school=self.school,
            record_id=run.pk,
            summary=f"Imported {plan.file_name}: {plan.summary_line()}"[:300],
            changes={
                "file": [None, plan.file_name],
                "sha256": [None, plan.sha256],
                "created": [None, plan.created],
                "updated": [None, plan.updated],
                "unchanged": [None, plan.unchanged],
                "status_changes": [None, plan.status_changes],
                "need_changes": [None, plan.need_changes],
            },
            via=self.via,
        )
        plan.run = run

    def find_missing(self) -> None:
        """Pupils on roll whom the file does not mention: listed, never removed."""
        rows = Pupil.objects.filter(school=self.school).on_roll(self.today).order_by("legal_surname", "legal_forename")
        fields = (
            "upn",
            "legal_forename",
            "legal_surname",
            "preferred_forename",
            "preferred_surname",
            "is_confidential",
        )
        for upn, forename, surname, pref_fore, pref_sur, confidential in rows.values_list(*fields).iterator(5000):
            if upn in self.seen:
                continue
            self.plan.missing_count += 1
            if len(self.plan.missing) < LIST_LIMIT:
                self.plan.missing.append((upn, f"{pref_fore or forename} {pref_sur or surname}", confidential))

    # ---- one chunk: read what exists, decide the changes, write them as rows to stage

    def chunk(self, records: list[PupilRecord]) -> list[tuple[str, dict[str, Any]]]:
        """Plan one chunk (reads only): the plan's counts and details, and the writes it needs."""
        self.seen.update(r.upn for r in records)
        existing = self.read_existing(records)
        changes = _Changes()
        for record in records:
            self.decide(record, existing, changes)
        self.changed_columns.update(changes.changed_columns())
        return changes.rows()

    def read_existing(self, records: list[PupilRecord]) -> _Existing:
        """The chunk's pupils as they are: their columns this file can change or show, current
        status, needs by rank and registration class."""
        # Only the columns this chunk can change or show: reading all of them costs more than the rest.
        wanted = set(BASE_COLUMNS).union(*(r.fields for r in records))
        rows = Pupil.objects.filter(school=self.school, upn__in=[r.upn for r in records]).values("pk", *sorted(wanted))
        found = _Existing(pupils={row["upn"]: _PupilRow(row) for row in rows})
        ids = [p.pk for p in found.pupils.values()]
        found.statuses = {e.pupil_id: e for e in SenStatusEntry.objects.filter(pupil_id__in=ids, ends_on__isnull=True)}
        for need in PupilNeed.objects.filter(pupil_id__in=ids, ends_on__isnull=True):
            found.needs[need.pupil_id][need.rank] = need
        if self.year:
            for m in GroupMembership.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=self.today),
                pupil_id__in=ids,
                group__academic_year=self.year,
                group__kind=TeachingGroup.Kind.REGISTRATION,
            ).select_related("group"):
                found.classes[m.pupil_id] = m
        return found

    def decide(self, record: PupilRecord, existing: _Existing, changes: _Changes) -> None:
        """What this record changes, into `changes` and the plan's counts and details."""
        pupil = existing.pupils.get(record.upn)
        created = pupil is None
        if created:
            pupil = _PupilRow(self.defaults | record.fields)
            diff = {k: [None, _plain(v)] for k, v in record.fields.items() if v is not None}
        else:
            diff = self._decide_fields(record, pupil, changes)
        status = None if created else existing.statuses.get(pupil.pk)
        diff |= self._decide_status(record, pupil, status, created, changes)
        diff |= self._decide_needs(record, pupil, {} if created else existing.needs.get(pupil.pk, {}), created, changes)
        self._check_ehc_plan(record, pupil, existing, created)
        diff |= self._decide_class(record, pupil, None if created else existing.classes.get(pupil.pk), created, changes)
        self._count(record, pupil, created, diff, changes)

    def _decide_fields(self, record: PupilRecord, pupil: _PupilRow, changes: _Changes) -> dict[str, list[Any]]:
        diff: dict[str, list[Any]] = {}
        for name, value in record.fields.items():
            old = getattr(pupil, name)
            if old != value:
                diff |= audit.diff({name: old}, {name: value})
                setattr(pupil, name, value)
                changes.changed_fields.add(name)
        return diff

    def _decide_status(self, record, pupil, current: SenStatusEntry | None, created: bool, changes) -> dict:
        """A new history entry only when the status changes (monitoring reports as N)."""
        status, today = record.sen_status, self.today
        same = status == pupil.sen_status or (status == SenStatus.NONE and pupil.sen_status == SenStatus.MONITORING)
        if not status or (not created and same):
            return {}
        starts_on = record.sen_starts_on or today
        if current and starts_on < current.starts_on:
            self.report.warn(
                record.line,
                record.upn,
                "sen_starts_on",
                f"the file's SEN start date {starts_on:%d/%m/%Y} is before the current status began "
                f"({current.starts_on:%d/%m/%Y}); the change is recorded from {max(today, current.starts_on):%d/%m/%Y}",
            )
            starts_on = max(today, current.starts_on)
        if current:
            current.ends_on = starts_on
            changes.closed_statuses.append(current)
        changes.new_statuses.append((pupil, status, starts_on))
        diff = {
            "sen_status": [None if created else pupil.sen_status, status],
            "sen_starts_on": [None, starts_on.isoformat()],
        }
        if not created:
            changes.changed_fields.add("sen_status")
        pupil.sen_status = status
        self.plan.status_changes += 1
        return diff

    def _decide_needs(self, record, pupil, held: dict[int, PupilNeed], created: bool, changes) -> dict:
        """Ranked needs: changed ranks end and start again."""
        if record.needs is None:
            return {}
        wanted = dict(enumerate(record.needs, start=1))
        diff: dict[str, list[Any]] = {}
        for rank in sorted(set(held) | set(wanted)):
            old, code = held.get(rank), wanted.get(rank)
            if old and old.need_id == code:
                continue
            starts_on = record.sen_starts_on or self.today
            if old and starts_on < old.starts_on:
                starts_on = max(self.today, old.starts_on)
            if old:
                old.ends_on = starts_on
                changes.closed_needs.append(old)
            if code:
                changes.new_needs.append((pupil, code, rank, starts_on))
            diff[f"need_rank_{rank}"] = [old.need_id if old else None, code]
        if diff:
            pupil.primary_need_id = wanted.get(1)
            if not created:
                changes.changed_fields.add("primary_need")
            self.plan.need_changes += 1
        return diff

    def _check_ehc_plan(self, record, pupil, existing: _Existing, created: bool) -> None:
        """The register's EHC plan rule on the pupil as the file leaves them, when the file says
        nothing about needs (the readers check it when it does)."""
        if record.needs is not None or not (created or record.sen_status):
            return  # a pupil the file leaves as they were is not refused for what they were
        needs = [] if created else [n.need_id for n in sorted(existing.needs.get(pupil.pk, {}).values(), key=_rank)]
        for problem in ehc_plan_has_a_need(pupil.sen_status, needs):
            self.report.problem(record.line, record.upn, problem.field, problem.message, problem.accepted)

    def _decide_class(self, record, pupil, member: GroupMembership | None, created: bool, changes) -> dict:
        """Registration class: created or linked; a move ends the old membership yesterday."""
        if not record.class_name:
            return {}
        if member is not None and member.group.name.casefold() == record.class_name.casefold():
            return {}
        self._plan_group(record.class_name)
        if member:
            member.ends_on = self.today - dt.timedelta(days=1)
            changes.closed_members.append(member)
        changes.new_members.append((pupil, record.class_name, None if created else self.today))
        self.plan.class_changes += 1
        return {"class": [member.group.name if member else None, record.class_name]}

    def _count(self, record, pupil: _PupilRow, created: bool, diff: dict, changes: _Changes) -> None:
        """The plan's counts and details, and the pupil's audit event."""
        plan = self.plan
        if created:
            plan.created += 1
            changes.new_pupils.append(pupil)
        elif diff:
            plan.updated += 1
            changes.changed_pupils.append(pupil)
        else:
            plan.unchanged += 1
            return
        if len(plan.details) < DETAIL_LIMIT:
            action = "created" if created else "updated"
            plan.details.append(
                PupilChange(record.line, record.upn, pupil.full_name, action, diff, pupil.is_confidential)
            )
        changes.events.append((pupil, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, diff))

    def _plan_group(self, name: str) -> None:
        key = name.casefold()
        if key not in self.groups:
            self.plan.classes_created.append(name)
            self.groups[key] = None  # created when the import goes live


def _rank(need: PupilNeed) -> int:
    return need.rank


@dataclass
class _Existing:
    """A chunk's pupils as the database has them (by UPN), with their current rows by pupil id."""

    pupils: dict[str, _PupilRow]
    statuses: dict[int, SenStatusEntry] = field(default_factory=dict)
    needs: dict[int, dict[int, PupilNeed]] = field(default_factory=lambda: defaultdict(dict))
    classes: dict[int, GroupMembership] = field(default_factory=dict)


@dataclass
class _Changes:
    """What a chunk changes; `rows()` writes it as the rows to stage, (kind, data) each."""

    new_pupils: list[_PupilRow] = field(default_factory=list)
    changed_pupils: list[_PupilRow] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    new_statuses: list[tuple[_PupilRow, str, dt.date]] = field(default_factory=list)
    closed_statuses: list[SenStatusEntry] = field(default_factory=list)
    new_needs: list[tuple[_PupilRow, str, int, dt.date]] = field(default_factory=list)
    closed_needs: list[PupilNeed] = field(default_factory=list)
    new_members: list[tuple[_PupilRow, str, dt.date | None]] = field(default_factory=list)
    closed_members: list[GroupMembership] = field(default_factory=list)
    events: list[tuple[_PupilRow, str, dict]] = field(default_factory=list)

    def changed_columns(self) -> list[str]:
        return sorted(Pupil._meta.get_field(name).attname for name in self.changed_fields)

    def rows(self) -> list[tuple[str, dict[str, Any]]]:
        attnames = self.changed_columns()
        rows: list[tuple[str, dict[str, Any]]] = []
        rows += [("pupil", {f.attname: getattr(p, f.attname) for f in PUPIL_COLUMNS}) for p in self.new_pupils]
        if attnames:
            rows += [("update", {"pk": p.pk} | {n: getattr(p, n) for n in attnames}) for p in self.changed_pupils]
        rows += [("end_status", {"pk": e.pk, "ends_on": e.ends_on}) for e in self.closed_statuses]
        rows += [("end_need", {"pk": n.pk, "ends_on": n.ends_on}) for n in self.closed_needs]
        rows += [("end_member", {"pk": m.pk, "ends_on": m.ends_on}) for m in self.closed_members]
        rows += [("status", {"upn": p.upn, "status": status, "starts_on": on}) for p, status, on in self.new_statuses]
        rows += [
            ("need", {"upn": p.upn, "need": code, "rank": rank, "starts_on": on})
            for p, code, rank, on in self.new_needs
        ]
        rows += [
            ("member", {"upn": p.upn, "group": name.casefold(), "nc_year": p.nc_year, "starts_on": on})
            for p, name, on in self.new_members
        ]
        rows += [("event", {"upn": p.upn, "action": action, "changes": diff}) for p, action, diff in self.events]
        return rows


class _Data(Func):
    """One key of a staged row's data as a plain SQL value of the column's type: JSON_EXTRACT on
    SQLite (JSON null is NULL, true is 1), ->> and a cast on PostgreSQL. (Django's key transform
    gives 'null' and 'true' as text on SQLite.)"""

    def __init__(self, key: str, output_field):
        self.key = key
        super().__init__(F("data"), output_field=output_field)

    def as_sql(self, compiler, connection, **extra_context):
        data, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"(({data} ->> %s))::{self.output_field.cast_db_type(connection)}", (*params, self.key)
        return f"JSON_EXTRACT({data}, %s)", (*params, f'$."{self.key}"')


class _Live:
    """The live step: staged rows into the live tables, a statement per kind of row (the rows
    never pass through Python). Raises _Changed if what the plan was made against has changed."""

    def __init__(self, importer: _Importer):
        self.importer, self.school, self.token = importer, importer.school, importer.token
        by = importer.by
        self.by_id = by.pk if by else None

    def staged(self, kind: str) -> QuerySet[StagedRow]:
        return StagedRow.objects.filter(token=self.token, kind=kind)

    @staticmethod
    def value(key: str, column) -> _Data:
        """A key of the staged row's data, as the live column's type."""
        return _Data(key, column.target_field if column.is_relation else column)

    def pupil_id(self) -> Subquery:
        """The live pupil the staged row names by UPN (new pupils are inserted first)."""
        return Subquery(Pupil.objects.filter(school_id=self.school.pk, upn=OuterRef("upn")).values("pk")[:1])

    def insert(self, model, kind: str, columns: dict[str, Any], **annotations: Any) -> None:
        """INSERT INTO model (columns) SELECT ... FROM the staged rows of this kind."""
        rows = self.staged(kind).annotate(**annotations) if annotations else self.staged(kind)
        rows = rows.annotate(**{f"c_{name}": expression for name, expression in columns.items()})
        sql, params = rows.values_list(*[f"c_{name}" for name in columns]).query.sql_with_params()
        quote = connections[model.objects.db].ops.quote_name
        names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
        with connections[model.objects.db].cursor() as cursor:
            cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)

    def apply(self) -> None:
        """The whole live step, in the order the register's constraints need."""
        self.insert_pupils()
        self.update_pupils()
        # End the current rows before starting new ones (one current row per pupil and rank).
        for model, kind in ((SenStatusEntry, "end_status"), (PupilNeed, "end_need"), (GroupMembership, "end_member")):
            self.end_rows(model, kind)
        self.create_groups()
        self.insert_statuses()
        self.insert_needs()
        self.insert_members()
        self.insert_events()

    # Values every history row and event of this import shares.

    def recorded(self) -> dict[str, Value]:
        return {
            "recorded_by": Value(self.by_id, output_field=SenStatusEntry._meta.get_field("id")),
            "recorded_at": Value(self.importer.now, output_field=DateTimeField()),
        }

    def reason(self) -> Value:
        return Value(f"Imported from {self.importer.plan.file_name}"[:300], output_field=CharField())

    UPN = {"upn": _Data("upn", CharField())}
    STARTS_ON = SenStatusEntry._meta.get_field("starts_on")

    def insert_pupils(self) -> None:
        """New pupils; _Changed if someone added one of them meanwhile."""
        school = self.school
        new_upns = self.staged("pupil").annotate(u=_Data("upn", CharField())).values("u")
        if Pupil.objects.filter(school=school, upn__in=new_upns).exists():
            raise _Changed
        columns = {f.name: self.value(f.attname, f) for f in PUPIL_COLUMNS if f.attname != "school_id"}
        self.insert(Pupil, "pupil", {"school": Value(school.pk, output_field=Pupil._meta.get_field("id"))} | columns)

    def insert_statuses(self) -> None:
        columns = {
            "pupil": self.pupil_id(),
            "status": self.value("status", SenStatusEntry._meta.get_field("status")),
            "starts_on": self.value("starts_on", self.STARTS_ON),
            "source": Value(SenStatusEntry.Source.IMPORT),
            "reason": self.reason(),
            **self.recorded(),
        }
        self.insert(SenStatusEntry, "status", columns, **self.UPN)

    def insert_needs(self) -> None:
        columns = {
            "pupil": self.pupil_id(),
            "need": self.value("need", PupilNeed._meta.get_field("need")),
            "rank": self.value("rank", PupilNeed._meta.get_field("rank")),
            "starts_on": self.value("starts_on", self.STARTS_ON),
            **self.recorded(),
        }
        self.insert(PupilNeed, "need", columns, **self.UPN)

    def insert_members(self) -> None:
        """Memberships of registration classes, found by name (created just before if new)."""
        group = TeachingGroup.objects.filter(academic_year=self.importer.year, kind=TeachingGroup.Kind.REGISTRATION)
        group = group.annotate(key=Lower("name")).filter(key=OuterRef("group_key")).values("pk")[:1]
        columns = {
            "pupil": self.pupil_id(),
            "group": Subquery(group),
            "starts_on": self.value("starts_on", self.STARTS_ON),
        }
        self.insert(GroupMembership, "member", columns, group_key=_Data("group", CharField()), **self.UPN)

    def insert_events(self) -> None:
        """Each created or changed pupil's audit event, with its changes."""
        importer = self.importer
        columns = {
            "at": Value(importer.now, output_field=DateTimeField()),
            "actor": self.recorded()["recorded_by"],
            "actor_name": Value(importer.actor_name),
            "school": Value(self.school.pk, output_field=Pupil._meta.get_field("id")),
            "pupil_id": self.pupil_id(),
            "action": _Data("action", CharField()),
            "record_type": Value("pupil"),
            "record_id": Value(str(importer.run.pk)),
            "summary": self.reason(),
            "changes": KeyTransform("changes", "data"),
            "via": Value(importer.via),
        }
        self.insert(AuditEvent, "event", columns, **self.UPN)

    def update_pupils(self) -> None:
        """Changed pupils: one UPDATE per changed column, each value read from the staged row."""
        rows = self.staged("update").annotate(pupil=_Data("pk", BigIntegerField()))
        for column in PUPIL_COLUMNS:
            if column.attname not in self.importer.changed_columns:
                continue
            changed = rows.filter(data__has_key=column.attname)
            value = changed.filter(pupil=OuterRef("pk")).values(v=self.value(column.attname, column))[:1]
            Pupil.objects.filter(pk__in=changed.values("pupil")).update(**{column.attname: Subquery(value)})

    def end_rows(self, model, kind: str) -> None:
        """End the current rows the plan ends; _Changed if any of them is no longer current."""
        rows = self.staged(kind).annotate(row=_Data("pk", BigIntegerField()))
        count = rows.count()
        if not count:
            return
        current = Q(ends_on__isnull=True)
        if model is GroupMembership:  # a membership with an end date ahead is current too
            current |= Q(ends_on__gte=self.importer.today)
        targets = model.objects.filter(current, pk__in=rows.values("row"))
        if targets.count() != count:
            raise _Changed
        ends_on = rows.filter(row=OuterRef("pk")).values(v=self.value("ends_on", model._meta.get_field("ends_on")))[:1]
        targets.update(ends_on=Subquery(ends_on))

    def create_groups(self) -> None:
        """The classes the file names that the school does not have yet (a handful at most)."""
        importer = self.importer
        wanted = dict(
            self.staged("member")
            .annotate(key=_Data("group", CharField()), year=_Data("nc_year", CharField()))
            .values_list("key", "year")
            .distinct()
        )
        if not wanted:
            return
        if importer.year is None:
            importer.year = create_academic_year(school=self.school, start_year=academic_year_start(importer.today))
        existing = TeachingGroup.objects.filter(academic_year=importer.year, kind=TeachingGroup.Kind.REGISTRATION)
        have = {name.casefold() for name in existing.values_list("name", flat=True)}
        names = {name.casefold(): name for name in importer.plan.classes_created}
        for key, year in sorted(wanted.items(), key=lambda item: item[0]):
            if key not in have:
                TeachingGroup.objects.create(
                    school=self.school,
                    academic_year=importer.year,
                    name=names.get(key, key),
                    nc_year=None if year is None else int(year),
                    kind=TeachingGroup.Kind.REGISTRATION,
                )


BASE_COLUMNS = [
    "upn",
    "legal_surname",
    "legal_forename",
    "preferred_surname",
    "preferred_forename",
    "nc_year",
    "is_confidential",
    "sen_status",
    "primary_need_id",
]


class _PupilRow:
    """A pupil as plain attributes: model instances cost too much at 60,000 a file."""

    def __init__(self, values: dict[str, Any]):
        self.pk = None
        self.__dict__.update(values)

    @property
    def full_name(self) -> str:
        return f"{self.preferred_forename or self.legal_forename} {self.preferred_surname or self.legal_surname}"


DATE_FIELDS = {"date_of_birth", "enrolled_on", "sen_starts_on"}


def change_value(name: str, value: Any, need_names: Mapping[str, str] | None = None) -> str:
    """One side of a change as people read it: 1 May 2017, Reception, SEN support, Yes,
    Specific learning difficulty (SPLD); '–' for none."""
    if value is None or value == "":
        return "–"
    if name.startswith("need_rank_") and need_names and value in need_names:
        return f"{need_names[value]} ({value})"
    if name in DATE_FIELDS:
        try:
            date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{date.day} {date:%B %Y}"
    if name == "nc_year":
        year = int(value)
        return "Reception" if year == 0 else nc_year_label(year) if year < 0 else f"Year {year}"
    if name == "sen_status" and value in SenStatus.values:
        return SenStatus(value).label
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def describe_changes(
    changes: Mapping[str, list[Any]], need_names: Mapping[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """A pupil's {field: [old, new]} as (label, old, new) lines for the preview and the import
    record; `need_names` (code -> name, one query for the page) names the needs."""
    return [
        (field_label(name), change_value(name, old, need_names), change_value(name, new, need_names))
        for name, (old, new) in changes.items()
    ]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
