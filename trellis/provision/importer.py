"""Importing a provision map from a spreadsheet (CSV or XLSX), for schools moving from Excel.

One row per pupil and measure; rows with the same intervention, staff and dates form one group.
A group's identity is explicit: rows join an existing group only when their Group column holds that
group's number, and the preview says how many pupils that adds to how many. Without it a file's
group is new, unless the school has a group of that name, staff and dates with exactly the file's
pupils (the same map imported again), so one school's group never absorbs another map's pupils.
`parse` checks every row and returns the rows it understood and a list of problems (file, row,
field, what is wrong, what would be accepted); `apply` writes them in one transaction. Nothing is
written unless there are no problems at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.lib.forms import clean_text
from trellis.lib.tables import unescape_cell
from trellis.transfer import limits

from . import scales
from .models import Intervention, InterventionGroup
from .services import MeasureInput, enrol

COLUMNS = {
    "intervention": "Intervention",
    "area_of_need": "Area of need",
    "group_size": "Group size",
    "frequency": "Frequency/duration",
    "staff": "Staff",
    "pupil": "Pupil",
    "scale": "Scale",
    "entry": "Entry",
    "target": "Target",
    "target_description": "Target description",
    "exit": "Exit",
    "outcomes": "Outcomes",
    "start": "Start date",
    "end": "End date",
    "group": "Group",
}
REQUIRED = ["intervention", "pupil", "scale", "entry", "start"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]
DATE_HINT = "a date such as 15/09/2026 or 2026-09-15"


def _key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(heading).lower())


HEADING_KEYS = {_key(label): name for name, label in COLUMNS.items()}
# Columns the map's XLSX download adds; ignored on import so a download can be edited and re-imported.
EXPORT_ONLY = ["Name", "Steps gained", "Target met", "Sessions attended"]
IGNORED_KEYS = {_key(label) for label in EXPORT_ONLY}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    field: str
    message: str
    accepted: str = ""

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}" + (f" (accepted: {self.accepted})" if self.accepted else "")


@dataclass
class Row:
    number: int
    intervention: str
    area_of_need: str
    group_size: str
    frequency: str
    staff: str
    pupil: object
    scale: object
    entry: str
    target_steps: Decimal | None
    target_value: str
    target_description: str
    exit: str
    outcomes: str
    start: dt.date
    end: dt.date | None
    group: object = None  # the existing group the Group column names

    @property
    def group_key(self) -> tuple:
        if self.group is not None:
            return ("group", self.group.pk)
        return (self.intervention.casefold(), self.staff.casefold(), self.start, self.end)


@dataclass
class GroupPlan:
    """What importing one group of rows will do: add to `existing`, or make a new group."""

    rows: list[Row]
    existing: object = None
    pupils_before: int = 0  # pupils the existing group holds now
    adding: int = 0  # pupils of the file not yet in it
    lookalike: object = None  # a group of the same name, staff and dates, left alone

    @property
    def pupils(self) -> int:
        return len({r.pupil.pk for r in self.rows})

    def __str__(self) -> str:
        name, n = self.rows[0].intervention, self.pupils
        if self.existing is not None:
            return (
                f"{name}: adds {self.adding} pupil{'s' * (self.adding != 1)} to the existing group "
                f"{self.existing.intervention.name} from {self.existing.starts_on:%d/%m/%Y} "
                f"(group {self.existing.pk}) of {self.pupils_before}"
            )
        text = f"{name}: a new group of {n} pupil{'s' * (n != 1)}"
        if self.lookalike is not None:
            text += (
                f" (group {self.lookalike.pk} has the same name, staff and dates but other pupils, and is left "
                f"alone; to add to it, put {self.lookalike.pk} in a Group column)"
            )
        return text


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    plans: list[GroupPlan] = field(default_factory=list)

    @property
    def groups(self) -> int:
        return len({r.group_key for r in self.rows})

    @property
    def pupils(self) -> int:
        return len({id(r.pupil) for r in self.rows})


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The cells of a CSV or XLSX file as text (XLSX dates as ISO dates). ValueError if unreadable
    or over a limit of `trellis.transfer.limits` (the message names the limit)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        source = io.BytesIO(data)
        limits.check_xlsx(source, max_rows=limits.MAX_PROVISION_ROWS)
        try:
            workbook = load_workbook(source, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ValueError(f"{filename} is not a readable XLSX workbook ({error.__class__.__name__})") from error
        try:
            sheet = workbook.worksheets[0]
            rows = limits.counted_rows(sheet.iter_rows(values_only=True), limits.MAX_PROVISION_ROWS)
            return [[_cell_text(v) for v in values] for values in rows]
        finally:
            workbook.close()
    if name.endswith(".csv"):
        lines = limits.text_lines(io.BytesIO(data))
        try:
            rows = limits.counted_rows(csv.reader(lines), limits.MAX_PROVISION_ROWS)
            return [[clean_text(unescape_cell(cell)) for cell in row] for row in rows]
        except csv.Error as error:
            raise ValueError(f"{filename} cannot be read as CSV ({error})") from error
    raise ValueError(f"{filename}: upload a .csv or .xlsx file")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(unescape_cell(value))).strip()


def parse_date(text: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            continue
    raise ValueError(text)


FREQUENCY = re.compile(r"(daily|\d+)\s*x\s*(\d+)\s*min", re.IGNORECASE)
WEEKS = re.compile(r"(\d+)\s*weeks?", re.IGNORECASE)


def parse_frequency(text: str) -> tuple[int | None, int | None, int | None]:
    """'3 x 15 mins x 6 weeks' -> (3, 15, 6); 'Daily x 10 mins' -> (5, 10, None); unknown parts None."""
    sessions = minutes = weeks = None
    if match := FREQUENCY.search(text):
        sessions = 5 if match.group(1).lower() == "daily" else int(match.group(1))
        minutes = int(match.group(2))
    if match := WEEKS.search(text):
        weeks = int(match.group(1))
    return sessions, minutes, weeks


class SchoolLookup:
    """Pupils (by UPN, or a full name unique in the school) and scales of one school, read once."""

    def __init__(self, school):
        from trellis.pupils.models import Pupil

        self.school = school
        self.by_upn = {}
        self.by_name: dict[str, list] = defaultdict(list)
        for pupil in Pupil.objects.filter(school=school):
            self.by_upn[pupil.upn] = pupil
            names = {f"{pupil.legal_forename} {pupil.legal_surname}", pupil.full_name}
            for name in names:
                self.by_name[" ".join(name.casefold().split())].append(pupil)
        self._scales: dict[str, object] = {}
        self._groups: dict[str, object] = {}

    def pupil(self, text: str):
        """(pupil, None) or (None, problem message, accepted)."""
        compact = "".join(text.split()).upper()
        if compact in self.by_upn:
            return self.by_upn[compact], None, ""
        matches = {p.pk: p for p in self.by_name.get(" ".join(text.casefold().split()), [])}
        if len(matches) == 1:
            return next(iter(matches.values())), None, ""
        if len(matches) > 1:
            return None, f"{len(matches)} pupils at {self.school} are called {text!r}", "the pupil's UPN"
        return (
            None,
            f"No pupil at {self.school} has the UPN or name {text!r}",
            "a UPN, or a full name unique in the school",
        )

    def group(self, text: str):
        """The school's intervention group with that number, or None."""
        from .models import InterventionGroup

        if not text.strip().isdigit():
            return None
        if text not in self._groups:
            self._groups[text] = (
                InterventionGroup.objects.select_related("intervention")
                .filter(intervention__school=self.school, pk=int(text))
                .first()
            )
        return self._groups[text]

    def scale(self, text: str):
        if text.casefold() not in self._scales:
            try:
                self._scales[text.casefold()] = scales.find_scale(text, self.school)
            except scales.ScaleError:
                self._scales[text.casefold()] = None
        return self._scales[text.casefold()]


class _Problems:
    """The problems found so far in one file, each with its row and column heading."""

    def __init__(self, filename: str, found: list[Problem]):
        self.filename, self.found = filename, found

    def add(self, row: int, column: str, message: str, accepted: str = "") -> None:
        self.found.append(Problem(self.filename, row, COLUMNS.get(column, column), message, accepted))

    def __len__(self) -> int:
        return len(self.found)


def parse(table: list[list[str]], *, filename: str, lookup: SchoolLookup) -> Parsed:
    """Check every row; return what was understood and every problem found. The steps: read the
    headings (and stop there if they are wrong), then for each row that is not blank, read its
    cells, check them, and keep the row unless it repeats a pupil and scale in its group."""
    result = Parsed()
    problems = _Problems(filename, result.problems)
    columns = _columns(table, problems)
    if problems:
        return result
    seen: dict[tuple, int] = {}  # (group, pupil, scale) -> the row that first had them
    for number, cells in enumerate(table[1:], start=2):
        cell = {name: (cells[i].strip() if i < len(cells) and cells[i] else "") for name, i in columns.items()}
        if not any(cell.values()):
            continue
        row = _row(number, cell, lookup, problems)
        if row is not None and not _repeated(row, seen, problems):
            result.rows.append(row)
    if not problems:
        result.plans = plan_groups(result.rows, lookup.school)
    return result


def _columns(table: list[list[str]], problems: _Problems) -> dict[str, int]:
    """Each known column's index, from the first row; unknown, repeated or missing headings are problems."""
    every = ", ".join(COLUMNS.values())
    if not table or not any(c.strip() for c in table[0]):
        problems.add(1, "", "The file is empty: the first row should hold the column headings", every)
        return {}
    columns: dict[str, int] = {}
    for index, heading in enumerate(table[0]):
        if not heading.strip() or _key(heading) in IGNORED_KEYS:
            continue
        name = HEADING_KEYS.get(_key(heading))
        if name is None:
            problems.add(1, heading, f"Unknown column {heading!r}", every)
        elif name in columns:
            problems.add(1, heading, f"Column {heading!r} appears twice")
        else:
            columns[name] = index
    for name in REQUIRED:
        if name not in columns:
            problems.add(1, name, f"The {COLUMNS[name]} column is missing", every)
    return columns


def _row(number: int, cell: dict[str, str], lookup: SchoolLookup, problems: _Problems) -> Row | None:
    """One row's cells checked, in the order of the columns; None if any of them is a problem."""
    before = len(problems)
    for name in REQUIRED:
        if not cell[name]:
            problems.add(number, name, f"Enter the {COLUMNS[name].lower()}")
    pupil = _pupil(number, cell["pupil"], lookup, problems)
    scale = _scale(number, cell["scale"], lookup, problems)
    values = _values_on_scale(number, cell, scale, problems)
    target_steps, target_value = _target(number, cell.get("target", ""), scale, problems)
    dates = _dates(number, cell, problems)
    group = _existing_group(number, cell, lookup, problems)
    if len(problems) > before:
        return None
    return Row(
        number=number,
        intervention=cell["intervention"],
        area_of_need=cell.get("area_of_need", ""),
        group_size=cell.get("group_size", ""),
        frequency=cell.get("frequency", ""),
        staff=cell.get("staff", ""),
        pupil=pupil,
        scale=scale,
        entry=values["entry"],
        target_steps=target_steps,
        target_value=target_value,
        target_description=cell.get("target_description", ""),
        exit=values.get("exit", ""),
        outcomes=cell.get("outcomes", ""),
        start=dates["start"],
        end=dates.get("end"),
        group=group,
    )


def _pupil(number: int, text: str, lookup: SchoolLookup, problems: _Problems):
    if not text:
        return None
    pupil, message, accepted = lookup.pupil(text)
    if message:
        problems.add(number, "pupil", message, accepted)
    return pupil


def _scale(number: int, text: str, lookup: SchoolLookup, problems: _Problems):
    if not text:
        return None
    scale = lookup.scale(text)
    if scale is None:
        accepted = "a scale's code or name, e.g. nc-levels, leuven-wellbeing, standardised"
        problems.add(number, "scale", f"There is no scale called {text!r}", accepted)
    return scale


def _values_on_scale(number: int, cell: dict[str, str], scale, problems: _Problems) -> dict[str, str]:
    """The entry and exit values as stored (checked only once the scale is known)."""
    values = {}
    for name in ("entry", "exit"):  # Exit is an optional column
        if scale is None or not cell.get(name):
            continue
        try:
            values[name] = scales.parse_value(scale, cell[name])
        except scales.ScaleError:
            problems.add(number, name, f"{cell[name]!r} is not on the {scale.called}", scale.describe_allowed())
    return values


def _target(number: int, text: str, scale, problems: _Problems) -> tuple[Decimal | None, str]:
    """(steps to gain, "") for "+N"; (None, a value on the scale) otherwise; (None, "") if blank or wrong."""
    if text.startswith("+"):
        try:
            steps = Decimal(text[1:].strip())
            if steps < 0 or not steps.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.add(
                number, "target", f"{text!r} is not a number of steps", "+N (steps to gain) or a value on the scale"
            )
            return None, ""
        return steps, ""
    if text and scale is not None:
        try:
            return None, scales.parse_value(scale, text)
        except scales.ScaleError:
            problems.add(
                number,
                "target",
                f"{text!r} is neither +N nor a value on the {scale.called}",
                f"+N (steps to gain) or one of {scale.describe_allowed()}",
            )
    return None, ""


def _dates(number: int, cell: dict[str, str], problems: _Problems) -> dict[str, dt.date]:
    """The start and end dates; an end before the start is a problem."""
    dates = {}
    for name in ("start", "end"):
        if cell.get(name):
            try:
                dates[name] = parse_date(cell[name])
            except ValueError:
                problems.add(number, name, f"{cell[name]!r} is not a date", DATE_HINT)
    if "start" in dates and "end" in dates and dates["end"] < dates["start"]:
        problems.add(number, "end", "The end date is before the start date", "an end date on or after the start date")
    return dates


def _existing_group(number: int, cell: dict[str, str], lookup: SchoolLookup, problems: _Problems):
    """The school's group the Group column names by number (None if blank); it must run the row's intervention."""
    text = cell.get("group", "")
    if not text:
        return None
    group = lookup.group(text)
    if group is None:
        problems.add(number, "group", f"{lookup.school} has no group numbered {text!r}", "a group's number, or blank")
    elif group.intervention.name.casefold() != cell["intervention"].casefold():
        problems.add(
            number,
            "group",
            f"Group {group.pk} runs {group.intervention.name}, not {cell['intervention']!r}",
            "the number of a group running that intervention, or blank for a new group",
        )
        return None
    return group


def _repeated(row: Row, seen: dict[tuple, int], problems: _Problems) -> bool:
    """A second row for the same pupil and scale in one group is a problem (which would it mean?)."""
    key = (row.group_key, row.pupil.pk, row.scale.pk)
    if key in seen:
        problems.add(
            row.number,
            "scale",
            f"{row.pupil} already has a {row.scale.name} row for this group (row {seen[key]})",
            "one row per pupil and scale in a group",
        )
        return True
    seen[key] = row.number
    return False


def plan_groups(rows: list[Row], school) -> list[GroupPlan]:
    """For each group of rows: the existing group it adds to (named in the Group column, or the same
    map imported again), with how many pupils it adds to how many, or a new group."""
    by_group: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        by_group[row.group_key].append(row)
    plans = []
    for group_rows in by_group.values():
        plan = GroupPlan(rows=group_rows)
        wanted = {r.pupil.pk for r in group_rows}
        if group_rows[0].group is not None:
            plan.existing = group_rows[0].group
        else:
            for candidate in _lookalikes(school, group_rows[0]):
                if set(candidate.enrolments.values_list("pupil_id", flat=True)) == wanted:
                    plan.existing = candidate
                    break
                plan.lookalike = plan.lookalike or candidate
            if plan.existing is not None:
                plan.lookalike = None
        if plan.existing is not None:
            there = set(plan.existing.enrolments.values_list("pupil_id", flat=True))
            plan.pupils_before, plan.adding = len(there), len(wanted - there)
        plans.append(plan)
    return plans


def _lookalikes(school, first: Row) -> list[InterventionGroup]:
    """The school's groups of the row's intervention, staff and dates."""
    staff = _staff_user(school, first.staff)
    same_staff = Q(staff_label__iexact=first.staff) | (Q(staff=staff) if staff else Q(pk__in=[]))
    return list(
        InterventionGroup.objects.select_related("intervention").filter(
            same_staff,
            intervention__school=school,
            intervention__name__iexact=first.intervention,
            starts_on=first.start,
            ends_on=first.end,
        )
    )


@dataclass
class Applied:
    interventions: int = 0
    groups: int = 0
    enrolments: int = 0
    measures: int = 0


@transaction.atomic
def apply(*, school, parsed: Parsed, by, via: str = "web") -> Applied:
    """Write the parsed rows: catalogue entries, groups, enrolments and measures. All or nothing.
    For each group of rows: find or add its intervention, find or add the group, enrol its pupils."""
    if parsed.problems:
        raise ValueError("There are problems in the file; nothing was imported")
    done = Applied()
    plans = parsed.plans or plan_groups(parsed.rows, school)
    for plan in plans:
        group = plan.existing
        if group is None:
            group = _group(school, _intervention(school, plan.rows[0], done), plan.rows[0], done)
        _enrol_pupils(group, plan.rows, done, by=by, via=via)
    audit.record(
        actor=by,
        action=AuditEvent.Action.IMPORT,
        record_type="provision import",
        school=school,
        summary=f"{done.enrolments} enrolments in {len(plans)} groups ({done.groups} new)",
        via=via,
    )
    return done


def _intervention(school, first: Row, done: Applied) -> Intervention:
    """The school's intervention of that name, or a new catalogue entry from the row's frequency."""
    intervention = Intervention.objects.filter(school=school, name__iexact=first.intervention).first()
    if intervention is not None:
        return intervention
    sessions, minutes, weeks = parse_frequency(first.frequency)
    done.interventions += 1
    return Intervention.objects.create(
        school=school,
        name=first.intervention,
        area_of_need=first.area_of_need,
        default_group_size=_ratio_pupils(first.group_size) or 6,
        sessions_per_week=sessions or 3,
        session_minutes=minutes or 15,
        duration_weeks=weeks or 6,
    )


def _group(school, intervention: Intervention, first: Row, done: Applied) -> InterventionGroup:
    """A new group for the rows (the staff column kept as text unless it names one person)."""
    staff = _staff_user(school, first.staff)
    sessions, minutes, _ = parse_frequency(first.frequency)
    done.groups += 1
    return InterventionGroup.objects.create(
        intervention=intervention,
        staff=staff,
        staff_label=first.staff,
        starts_on=first.start,
        ends_on=first.end,
        group_size=first.group_size,
        frequency=first.frequency,
        sessions_per_week=sessions,
        session_minutes=minutes,
    )


def _enrol_pupils(group: InterventionGroup, rows: list[Row], done: Applied, *, by, via: str) -> None:
    """One enrolment for each pupil, with a measure for each of their rows."""
    by_pupil: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_pupil[row.pupil.pk].append(row)
    for pupil_rows in by_pupil.values():
        enrol(
            group=group,
            pupil=pupil_rows[0].pupil,
            by=by,
            via=via,
            measures=[MeasureInput(r.scale, r.entry, r.target_steps, r.target_value, r.exit) for r in pupil_rows],
            target_description=_joined(r.target_description for r in pupil_rows),
            outcome_notes=_joined(r.outcomes for r in pupil_rows),
        )
        done.enrolments += 1
        done.measures += len(pupil_rows)


def _joined(texts) -> str:
    return "\n".join(dict.fromkeys(t for t in texts if t))


def _ratio_pupils(text: str) -> int | None:
    match = re.fullmatch(r"\s*\d+\s*:\s*(\d+)\s*", text or "")
    return int(match.group(1)) if match else None


# Words a map uses for a role, not a person: never matched to a login (a user called "ta" is not "TA").
ROLE_WORDS = {"ta", "tas", "hlta", "lsa", "teacher", "class teacher", "senco", "tutor", "slt", "sta", "ela", "elsa"}


def _staff_user(school, text: str):
    """The member of staff the Staff column names: only when it is exactly one person's full name or
    username, and not a role word such as TA or HLTA. Otherwise None, and the text is kept as a label."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    from trellis.accounts.models import User

    text = " ".join(text.split())
    if not text or text.casefold() in ROLE_WORDS:
        return None
    users = User.objects.filter(memberships__school=school).annotate(full=Concat("first_name", Value(" "), "last_name"))
    matches = {u.pk: u for u in users.filter(Q(username__iexact=text) | Q(full__iexact=text))}
    return next(iter(matches.values())) if len(matches) == 1 else None
