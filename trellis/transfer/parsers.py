"""Reading pupil files: the Common Transfer File (CTF, XML) and MIS spreadsheets (CSV, XLSX).

Pure: no database. `read_pupils(source, ...)` yields normalised `PupilRecord`s one at a time (so a
60,000-pupil CTF streams in bounded memory) and collects every `Problem` (which blocks the import)
and warning (which does not) in a `ParseReport`, each naming the file, line or row, UPN, field,
what is wrong and what would be accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import TreeBuilder, XMLPullParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.utils import timezone

from trellis.lib.forms import clean_text
from trellis.lib.tables import unescape_cell
from trellis.pupils.models import parse_nc_year
from trellis.pupils.rules import RegisterRow, check_row

from . import limits
from .limits import LimitExceeded

# --------------------------------------------------------------------------------------------
# What a record holds

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
    "fsm",
    "pupil_premium",
    "eal",
    "looked_after",
    "enrolled_on",
]
EXTRA_FIELDS = ["class_name", "sen_status", "sen_starts_on", "primary_need", "secondary_need"]
FIELD_LABELS = {
    "upn": "UPN",
    "legal_surname": "Legal surname",
    "legal_forename": "Legal forename",
    "middle_names": "Middle names",
    "preferred_surname": "Preferred surname",
    "preferred_forename": "Preferred forename",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "nc_year": "NC year",
    "ethnicity": "Ethnicity",
    "fsm": "Free school meals",
    "pupil_premium": "Pupil premium",
    "eal": "EAL",
    "looked_after": "Looked after",
    "enrolled_on": "Admission date",
    "class_name": "Class",
    "sen_status": "SEN status",
    "sen_starts_on": "SEN start date",
    "primary_need": "Primary need",
    "secondary_need": "Secondary need",
}


def field_label(name: str) -> str:
    """A field as people say it ("Legal surname", "Primary need"), for the preview and problem list."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if name.startswith("need_rank_"):
        rank = name.removeprefix("need_rank_")
        return {"1": "Primary need", "2": "Secondary need"}.get(rank, f"Need {rank}")
    return {"class": "Class", "SENtypeRank": "SEN type rank", "SENtype": "SEN type"}.get(name, name)


REQUIRED_FIELDS = ["upn", "legal_surname", "legal_forename", "date_of_birth", "sex"]

# Spreadsheet headings, compared with case, spaces and punctuation removed. The register's own
# download headings (trellis.pupils.register.DOWNLOAD_HEADINGS) are among them, so a register
# download round-trips through Excel.
HEADING_SYNONYMS: dict[str, list[str]] = {
    "upn": ["UPN", "Unique Pupil Number", "Pupil UPN"],
    "legal_surname": ["Legal Surname", "Surname", "Last Name", "Family Name", "Legal Last Name"],
    "legal_forename": ["Legal Forename", "Forename", "First Name", "Legal First Name", "Given Name", "Forenames"],
    "middle_names": ["Middle Names", "Middle Name"],
    "preferred_surname": ["Preferred Surname", "Preferred Last Name"],
    "preferred_forename": ["Preferred Forename", "Preferred First Name", "Known As", "Chosen Name"],
    "date_of_birth": ["DOB", "Date of Birth", "Birth Date", "D.O.B."],
    "sex": ["Sex", "Gender"],
    "nc_year": ["Year", "NC Year", "Year Group", "NC Year Actual", "Curriculum Year", "Yr"],
    "class_name": ["Reg Group", "Registration Group", "Reg", "Class", "Form", "Tutor Group", "Class Name"],
    "sen_status": ["SEN Status", "SEN Provision", "SEN", "SEN Stage", "SEN Code"],
    "sen_starts_on": ["SEN Start Date", "SEN Status Start Date", "SEN Start", "SEN Provision Start Date"],
    "primary_need": [
        "Primary Need",
        "SEN Primary Need",
        "Primary SEN Need",
        "Need 1",
        "SEN Type 1",
        "Primary Need Type",
    ],
    "secondary_need": ["Secondary Need", "SEN Secondary Need", "Secondary SEN Need", "Need 2", "SEN Type 2"],
    "fsm": ["FSM", "Free School Meals", "FSM Eligible", "FSM Eligibility"],
    "pupil_premium": ["Pupil Premium", "PP", "PP Indicator", "Pupil Premium Indicator"],
    "eal": ["EAL", "English as an Additional Language"],
    "looked_after": ["Looked After", "In Care", "CLA", "LAC", "Child Looked After"],
    "ethnicity": ["Ethnicity", "Ethnic Code", "Ethnicity Code"],
    "enrolled_on": ["Admission Date", "Date of Admission", "Entry Date", "Enrolment Date", "Start Date"],
}
IGNORE = "ignore"

SEN_CODES = {"N": "N", "K": "K", "E": "E", "M": "M"}
SEN_WORDS = {
    "nosen": "N",
    "none": "N",
    "sensupport": "K",
    "support": "K",
    "ehcplan": "E",
    "ehcp": "E",
    "ehc": "E",
    "statement": "E",
    "monitoring": "M",
    "monitor": "M",
}
# Legacy codes (DOMAIN.md): S (statement) becomes E; A (School Action) and P (School Action Plus) become K.
LEGACY_SEN_CODES = {"S": "E", "A": "K", "P": "K"}
SEN_ACCEPTED = "N, K or E (census codes), M (monitoring), or the legacy S, A, P"
DATE_ACCEPTED = "a real date as YYYY-MM-DD or DD/MM/YYYY, for example 2016-03-27 or 27/03/2016"
TRUE_WORDS = {"y", "yes", "true", "t", "1", "x"}
FALSE_WORDS = {"", "n", "no", "false", "f", "0"}


def normalise_heading(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


HEADING_INDEX = {normalise_heading(h): name for name, headings in HEADING_SYNONYMS.items() for h in headings}
FIELD_INDEX = {normalise_heading(name): name for name in [*PUPIL_FIELDS, *EXTRA_FIELDS]} | {
    normalise_heading(label): name for name, label in FIELD_LABELS.items()
}


@dataclass(frozen=True)
class Problem:
    """Something wrong in the file, with where it is and what would be accepted."""

    file: str
    line: int | None
    upn: str
    field: str
    message: str
    accepted: str = ""

    def __str__(self) -> str:
        where = f"{self.file}" + (f", line {self.line}" if self.line else "")
        who = f", UPN {self.upn}" if self.upn else ""
        what = f", {self.field}" if self.field else ""
        accepted = f" (accepted: {self.accepted})" if self.accepted else ""
        return f"{where}{who}{what}: {self.message}{accepted}"


# A reader's record is a register row: the register's rules (trellis.pupils.rules) judge it.
PupilRecord = RegisterRow


@dataclass
class ParseReport:
    """What reading the file found, filled in while records are yielded."""

    file: str
    format: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)  # their heading -> field
    unrecognised: list[str] = field(default_factory=list)
    records: int = 0
    header: dict[str, str] = field(default_factory=dict)  # CTF header values
    is_partial: bool = False
    today: dt.date = field(default_factory=timezone.localdate)
    warning_count: int = 0  # all of them; `warnings` keeps the first MAX_WARNINGS

    def problem(self, line, upn, field_name, message, accepted="") -> None:
        self.problems.append(Problem(self.file, line, upn, field_label(field_name), message, accepted))
        if len(self.problems) == limits.MAX_PROBLEMS:
            raise _TooManyProblems

    def warn(self, line, upn, field_name, message, accepted="") -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(Problem(self.file, line, upn, field_label(field_name), message, accepted))

    def refuse(self, error: LimitExceeded) -> None:
        """A limit was exceeded: one problem that says which (reading has stopped)."""
        self.problems.append(Problem(self.file, None, "", "", error.message, error.accepted))

    def stop_listing(self) -> None:
        self.problems.append(
            Problem(
                self.file,
                None,
                "",
                "",
                f"reading stopped after {limits.MAX_PROBLEMS:,} problems",
                "fix these and check the file again",
            )
        )


MAX_WARNINGS = 10_000  # warnings kept to list (each pupil may have one or two)


class _TooManyProblems(Exception):
    """Raised by ParseReport.problem at MAX_PROBLEMS: reading stops there."""


# --------------------------------------------------------------------------------------------
# Values


def parse_date(value: Any) -> dt.date:
    """ISO (YYYY-MM-DD, with or without a time) or DD/MM/YYYY (also - or .); ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?", text):
        year, month, day = m.groups()
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: [0-9:]+)?", text):
        day, month, year = m.groups()
    else:
        raise ValueError(text)
    return dt.date(int(year), int(month), int(day))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(text)


def parse_sex(value: Any) -> str:
    text = str(value).strip().upper()
    mapped = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F"}.get(text)
    if mapped is None:
        raise ValueError(text)
    return mapped


def parse_year(value: Any) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    text = re.sub(r"^(YEAR|YR|Y)\s*(?=\d)", "", text)
    return parse_nc_year(text)


class _Values:
    """Turns raw text into field values, reporting problems against one record."""

    def __init__(self, report: ParseReport, line: int, upn: str, need_types: Mapping[str, str] | None):
        self.report, self.line, self.upn, self.need_types = report, line, upn, need_types

    def problem(self, field_name: str, message: str, accepted: str = "") -> None:
        self.report.problem(self.line, self.upn, field_name, message, accepted)

    def text(self, field_name: str, value: Any, max_length: int = 100) -> str | None:
        text = "" if value is None else clean_text(str(value)).strip()
        if len(text) > max_length:
            self.problem(field_name, f"'{text[:40]}…' is longer than {max_length} characters", "a shorter name")
            return None
        return text

    def date(self, field_name: str, value: Any, *, earliest: dt.date | None = None) -> dt.date | None:
        try:
            date = parse_date(value)
        except ValueError:
            self.problem(field_name, f"'{value}' is not a date", DATE_ACCEPTED)
            return None
        if earliest and not earliest <= date <= self.report.today + dt.timedelta(days=366):
            self.problem(field_name, f"{date:%d/%m/%Y} is not a possible date here", f"a date after {earliest:%Y}")
            return None
        return date

    def convert(self, field_name: str, value: Any, parse: Callable[[Any], Any], accepted: str) -> Any:
        try:
            return parse(value)
        except (ValueError, TypeError):
            self.problem(field_name, f"'{value}' is not recognised", accepted)
            return None

    def need(self, value: Any) -> str:
        """A need's census code, from the code or its name; whether it is one is the register's rule."""
        text = str(value).strip()
        code = text.upper()
        if self.need_types is None or code in self.need_types:
            return code
        by_name = {name.lower(): c for c, name in self.need_types.items()}
        return by_name.get(text.lower(), code)

    def sen_status(self, value: Any) -> str | None:
        text = str(value).strip()
        code = text.upper()
        if code in SEN_CODES:
            return SEN_CODES[code]
        if code in LEGACY_SEN_CODES:
            new = LEGACY_SEN_CODES[code]
            self.report.warn(
                self.line,
                self.upn,
                "sen_status",
                f"legacy SEN code {code} recorded as {new}",
                "S becomes E (EHC plan); A and P become K (SEN support)",
            )
            return new
        if word := SEN_WORDS.get(normalise_heading(text)):
            return word
        self.problem("sen_status", f"'{text}' is not a SEN status", SEN_ACCEPTED)
        return None


EARLIEST_DOB = dt.date(1990, 1, 1)
EARLIEST_SEN = dt.date(1980, 1, 1)


def _finish(record: PupilRecord, raw: dict[str, Any], values: _Values) -> None:
    """Validate and convert the raw strings of one record into `record` (problems go to the report)."""
    for name in REQUIRED_FIELDS[1:]:
        if name not in raw or raw[name] is None or str(raw[name]).strip() == "":
            values.problem(name, "is missing", "a value is required for every pupil")
    for name, value in raw.items():
        if value is None:
            continue
        blank = str(value).strip() == ""
        if name in {"legal_surname", "legal_forename", "middle_names", "preferred_surname", "preferred_forename"}:
            if (text := values.text(name, value)) is not None and (text or name not in REQUIRED_FIELDS):
                record.fields[name] = text
        elif name == "date_of_birth" and not blank:
            if (date := values.date(name, value, earliest=EARLIEST_DOB)) is not None:
                record.fields[name] = date
        elif name == "enrolled_on":
            if blank:
                record.fields[name] = None
            elif (date := values.date(name, value, earliest=EARLIEST_DOB)) is not None:
                record.fields[name] = date
        elif name == "sex" and not blank:
            if (sex := values.convert(name, value, parse_sex, "M, F, Male or Female")) is not None:
                record.fields[name] = sex
        elif name == "nc_year":
            try:
                record.fields[name] = parse_year(value)
            except (ValueError, TypeError):
                values.problem(name, f"'{value}' is not a National Curriculum year", "R, N1, N2, X or 1 to 14")
        elif name in {"fsm", "pupil_premium", "eal", "looked_after"}:
            if (flag := values.convert(name, value, parse_bool, "Yes/No, Y/N, True/False or 1/0")) is not None:
                record.fields[name] = flag
        elif name == "ethnicity":
            text = str(value).strip().upper()
            if len(text) > 4:
                values.report.warn(
                    values.line,
                    values.upn,
                    name,
                    f"'{value}' is not an ethnicity code; ignored",
                    "a DfE ethnicity code of up to 4 letters, e.g. WBRI",
                )
            else:
                record.fields[name] = text
        elif name == "class_name":
            text = values.text(name, value, max_length=60)
            record.class_name = text or None
        elif name == "sen_status" and not blank:
            record.sen_status = values.sen_status(value)
        elif name == "sen_starts_on" and not blank:
            record.sen_starts_on = values.date(name, value, earliest=EARLIEST_SEN)
    if "primary_need" in raw or "secondary_need" in raw:
        given = [raw.get(name) for name in ("primary_need", "secondary_need")]
        record.needs = [values.need(value) for value in given if value is not None and str(value).strip()]


# --------------------------------------------------------------------------------------------
# Format detection and the readers


def detect_format(head: bytes) -> str:
    """'ctf', 'xlsx', 'xls' (refused) or 'csv', from the first bytes of the file."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"<"):
        return "ctf"
    return "csv"


def read_pupils(
    source: IO[bytes],
    *,
    file_name: str,
    report: ParseReport,
    need_types: Mapping[str, str] | None = None,
    mapping: Mapping[str, str] | None = None,
) -> Iterator[PupilRecord]:
    """Yield every valid-looking pupil record; problems and warnings accumulate in `report`.

    `mapping` is {their heading: field or 'ignore'} for spreadsheet headings not recognised.
    Duplicate UPNs are reported here, across the whole file.
    """
    head = source.read(8)
    source.seek(0)
    report.format = detect_format(head)
    if report.format == "xls":
        report.problem(None, "", "", "this is an old Excel (.xls) file", "save it as XLSX or CSV, or export a CTF")
        return
    if report.format == "ctf":
        reader = _read_ctf(source, report, need_types)
    else:
        reader = _read_sheet(source, report, need_types, mapping or {})
    seen: dict[str, int] = {}
    try:
        for record in reader:
            if record.upn in seen:
                report.problem(
                    record.line,
                    record.upn,
                    "upn",
                    f"the same UPN is also on line {seen[record.upn]}",
                    "each pupil once in a file",
                )
                continue
            seen[record.upn] = record.line
            report.records += 1
            yield record
    except LimitExceeded as error:
        report.refuse(error)
    except _TooManyProblems:
        report.stop_listing()


def _record(report, line, raw, need_types, more: Callable | None = None) -> PupilRecord | None:
    """The record of one pupil from its raw values (`more` adds what else the format holds, such as
    a CTF's SEN history), or None if anything about it is wrong: the format's own problems, then
    the register's rules."""
    before = len(report.problems)
    upn = "".join(str(raw.get("upn") or "").split()).upper()  # as kept, if the rules find it good
    values = _Values(report, line, upn, need_types)
    record = PupilRecord(line=line, upn=upn)
    _finish(record, raw, values)
    if more is not None:
        more(record, values)
    for problem in check_row(record, need_codes=need_types):
        report.problem(line, record.upn, problem.field, problem.message, problem.accepted)
    return None if len(report.problems) > before else record


# ---- spreadsheets


def map_headings(headings: list[Any], mapping: Mapping[str, str], report: ParseReport) -> dict[int, str]:
    """Column index -> field, from the usual headings plus the user's mapping."""
    columns: dict[int, str] = {}
    user = {normalise_heading(k): v for k, v in mapping.items()}
    for index, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key:
            continue
        target = user.get(key)
        if target is not None:
            if normalise_heading(target) == IGNORE:
                continue
            name = FIELD_INDEX.get(normalise_heading(target)) or HEADING_INDEX.get(normalise_heading(target))
            if name is None:
                report.problem(1, "", str(heading), f"cannot map to '{target}'", ", ".join(PUPIL_FIELDS + EXTRA_FIELDS))
                continue
        else:
            name = HEADING_INDEX.get(key)
        if name is None:
            report.unrecognised.append(str(heading))
            continue
        if name in columns.values():
            report.problem(1, "", str(heading), f"a second column for {FIELD_LABELS[name]}", "one column per field")
            continue
        columns[index] = name
        report.headings[str(heading)] = name
    for name in REQUIRED_FIELDS:
        if name not in columns.values():
            report.problem(
                1,
                "",
                name,
                "no column has this heading",
                " or ".join(f"'{h}'" for h in HEADING_SYNONYMS[name][:3]) + " (or map one with --map)",
            )
    if report.unrecognised:
        report.warn(
            1,
            "",
            "",
            f"columns not recognised and ignored: {', '.join(report.unrecognised)}",
            'map them to a field (--map "Their Heading=field") or leave them out',
        )
    return columns


def _sheet_rows(source: IO[bytes], report: ParseReport) -> Iterator[list[Any]]:
    """The rows of the first worksheet, or of the CSV, one at a time (LimitExceeded past a limit)."""
    max_rows = limits.MAX_ROWS
    if report.format == "xlsx":
        for row in xlsx_rows(source, report, max_rows=max_rows):
            yield [unescape_cell(cell) for cell in row]  # our own downloads read back as they were
        return
    lines = limits.text_lines(source)
    first = next(lines, "")
    delimiter = max([",", ";", "\t"], key=first.count)
    try:
        for row in limits.counted_rows(csv.reader(itertools.chain([first], lines), delimiter=delimiter), max_rows):
            yield [unescape_cell(cell) for cell in row]  # our own downloads read back as they were
    except csv.Error as error:
        report.problem(None, "", "", f"the CSV cannot be read ({error})", "a CSV file saved by Excel or your MIS")


def xlsx_rows(source: IO[bytes], report: ParseReport, *, max_rows: int) -> Iterator[list[Any]]:
    """The rows of an XLSX's first worksheet, after `limits.check_xlsx`; problems go to `report`."""
    from openpyxl import load_workbook

    limits.check_xlsx(source, max_rows=max_rows)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # a broken zip or workbook fails in many ways
        report.problem(
            None,
            "",
            "",
            f"this XLSX file cannot be read ({type(error).__name__})",
            "an .xlsx workbook saved by Excel, or a CSV file",
        )
        return
    try:
        sheet = workbook.worksheets[0]
        if sheet.max_row and sheet.max_row - (sheet.min_row or 1) > max_rows:
            raise limits.too_many_rows(max_rows)
        yield from limits.counted_rows(sheet.iter_rows(values_only=True), max_rows)
    except LimitExceeded:
        raise
    except Exception as error:
        report.problem(None, "", "", f"this XLSX file is damaged ({type(error).__name__})", "a workbook Excel opens")
    finally:
        workbook.close()


def sheet_headings(source: IO[bytes], *, file_name: str, mapping: Mapping[str, str] | None = None) -> ParseReport:
    """Just the heading row of a spreadsheet: what is recognised, what is not (for the mapping step)."""
    report = ParseReport(file=file_name)
    report.format = detect_format(source.read(8))
    source.seek(0)
    if report.format in {"csv", "xlsx"}:
        try:
            for row in _sheet_rows(source, report):
                if any(cell is not None and str(cell).strip() for cell in row):
                    map_headings(row, mapping or {}, report)
                    break
        except LimitExceeded as error:
            report.refuse(error)
        except _TooManyProblems:
            report.stop_listing()
    source.seek(0)
    return report


def _read_sheet(source, report, need_types, mapping) -> Iterator[PupilRecord]:
    rows = _sheet_rows(source, report)
    columns: dict[int, str] | None = None
    for number, row in enumerate(rows, start=1):
        if columns is None:
            if not any(cell is not None and str(cell).strip() for cell in row):
                continue
            columns = map_headings(row, mapping, report)
            if any(p.line == 1 and p.field in {FIELD_LABELS[n] for n in REQUIRED_FIELDS} for p in report.problems):
                return
            continue
        if not any(cell is not None and str(cell).strip() for cell in row):
            continue
        raw = {name: (row[index] if index < len(row) else None) for index, name in columns.items()}
        if record := _record(report, number, raw, need_types):
            yield record
    if columns is None and not report.problems:
        report.problem(None, "", "", "the file is empty", "a heading row and one row per pupil")


# ---- the Common Transfer File


KEPT_ELEMENTS = {"Pupil", "Header"}  # read whole, then dropped; every other element is dropped at its end


class _LineNumberingParser(DefusedXMLParser):
    """defusedxml's parser (no DTDs, no entities) that keeps only what the importer reads.

    It hooks the pure-Python XMLParser's element handlers, which defusedxml builds on: each
    <Pupil> and the <Header> are built whole (with the line where each of their elements starts,
    so a problem can name it), within limits of elements and bytes; every other element is
    emptied and detached from its parent at its end, so memory stays flat whatever the file holds.
    """

    def __init__(self) -> None:
        super().__init__(target=TreeBuilder())
        self.lines: dict[Any, int] = {}
        self.root = None
        self.stack: list[Any] = []
        self.kept = 0  # depth inside a kept element (0: outside)
        self.kept_root = None
        self.kept_elements = 0
        self.kept_from = 0  # byte where the kept element starts

    def _start(self, tag, attr_list):
        if len(self._names) > 1000:  # the name cache would grow with every different tag
            self._names.clear()
        # Attributes are dropped (the CTF keeps its data in elements) and namespaces too.
        element = self.target.start(_local(self._fixname(tag)), {})
        if self.root is None:
            self.root = element
        if len(self.stack) >= limits.MAX_XML_DEPTH:
            raise LimitExceeded(
                f"Line {self.parser.CurrentLineNumber:,} has elements nested more than {limits.MAX_XML_DEPTH} "
                f"deep; the limit is {limits.MAX_XML_DEPTH}.",
                CTF_ACCEPTED,
            )
        self.stack.append(element)
        if self.kept or element.tag in KEPT_ELEMENTS:
            self.lines[element] = self.parser.CurrentLineNumber
            if not self.kept:
                self.kept_root, self.kept_elements, self.kept_from = element, 0, self.parser.CurrentByteIndex
            self.kept += 1
            self.kept_elements += 1
            self._check_kept()
        return element

    def _check_kept(self) -> None:
        too_many = self.kept_elements > limits.MAX_PUPIL_ELEMENTS
        if too_many or self.parser.CurrentByteIndex - self.kept_from > limits.MAX_PUPIL_BYTES:
            limit = f"{limits.MAX_PUPIL_ELEMENTS:,} elements" if too_many else limits.size_text(limits.MAX_PUPIL_BYTES)
            raise LimitExceeded(
                f"The <{self.kept_root.tag}> that starts on line {self.lines.get(self.kept_root, 0):,} has more "
                f"than {limit}; the limit is {limit}.",
                CTF_ACCEPTED,
            )

    def _end(self, tag):
        element = self.target.end(_local(self._fixname(tag)))
        self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if self.kept:
            self._check_kept()
            self.kept -= 1
            if self.kept == 0 and parent is not None:
                del parent[-1]  # the importer reads it from its event, then clears it
        else:
            element.clear()
            if parent is not None:
                del parent[-1]  # an element that ends is its parent's last child
        return element


CTF_ACCEPTED = "a Common Transfer File as your MIS exports it"


def _iterparse(source: IO[bytes], parser: _LineNumberingParser) -> Iterator[Any]:
    """Like ElementTree.iterparse (end events), with our parser, fed 64 KB at a time.

    No tag or value may be longer than MAX_XML_TOKEN: expat would hold it whole.
    """
    pull = XMLPullParser(events=("end",), _parser=parser)
    since = 0  # bytes since the last '>'
    while block := source.read(1 << 16):
        first = block.find(b">")
        longest = since + (len(block) if first < 0 else first)
        if longest > limits.MAX_XML_TOKEN:
            size = limits.size_text(limits.MAX_XML_TOKEN)
            raise LimitExceeded(f"The file has a tag or value longer than {size}; the limit is {size}.", CTF_ACCEPTED)
        since = longest if first < 0 else len(block) - block.rfind(b">") - 1
        pull.feed(block)
        for _, element in pull.read_events():
            yield element
    pull.close()
    for _, element in pull.read_events():
        yield element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[0] == "{" else tag


def _children(element) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for child in element:
        found.setdefault(child.tag, child)
    return found


def _text(element) -> str | None:
    return None if element is None else (element.text or "").strip()


PUPIL_ELEMENTS = {
    "UPN": "upn",
    "Surname": "legal_surname",
    "Forename": "legal_forename",
    "DOB": "date_of_birth",
    "Sex": "sex",
    "Gender": "sex",
}
BASIC_ELEMENTS = {
    "PreferredSurname": "preferred_surname",
    "PreferredForename": "preferred_forename",
    "MiddleNames": "middle_names",
    "NCyearActual": "nc_year",
    "Ethnicity": "ethnicity",
}


def _ctf_pupil(element, line: int, lines: dict, report: ParseReport, need_types) -> PupilRecord | None:
    """Read what we know from one <Pupil>; anything else is ignored."""
    kids = _children(element)
    raw = _ctf_details(kids) | _ctf_care(kids) | _ctf_fsm(kids, report.today)
    if (history := kids.get("SENhistory")) is None:
        return _record(report, line, raw, need_types)
    return _record(report, line, raw, need_types, more=lambda record, values: _ctf_sen(history, record, values, lines))


def _ctf_details(kids: dict[str, Any]) -> dict[str, Any]:
    """The pupil's own elements and their BasicDetails, as raw text by field."""
    raw: dict[str, Any] = {}
    for tag, name in PUPIL_ELEMENTS.items():
        if tag in kids and name not in raw:
            raw[name] = _text(kids[tag])
    if (basic := kids.get("BasicDetails")) is not None:
        for tag, child in _children(basic).items():
            if tag in BASIC_ELEMENTS:
                raw[BASIC_ELEMENTS[tag]] = _text(child)
    return raw


def _ctf_care(kids: dict[str, Any]) -> dict[str, Any]:
    if (cared := kids.get("LookedAfter")) is not None and (in_care := _children(cared).get("InCare")) is not None:
        return {"looked_after": _text(in_care)}
    return {}


def _ctf_fsm(kids: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Free school meals now: any FSM instance without an end date, or ending today or later."""
    if (fsm := kids.get("FSMhistory")) is None:
        return {}
    current = False
    for instance in fsm.iter():
        if instance.tag == "FSMinstance":
            end = _text(_children(instance).get("FSMendDate")) or ""
            current = current or not end or end[:10] >= today.isoformat()  # ISO text compares as dates
    return {"fsm": current}


def _ctf_sen(history, record: PupilRecord, values: _Values, lines: dict) -> None:
    """The latest SEN status and the ranked needs of a <SENhistory>, into `record`; problems are
    reported at the line of the element they are in."""
    latest: tuple[dt.date, str] | None = None
    needs: list[tuple[int, str]] = []
    for child in history.iter():
        if child.tag == "SEN":
            values.line = lines.get(child, record.line)
            latest = _ctf_latest(_children(child), values, latest)
        elif child.tag == "SENneed":
            values.line = lines.get(child, record.line)
            if need := _ctf_need(_children(child), values):
                needs.append(need)
    if latest:
        record.sen_status = latest[1]
        record.sen_starts_on = None if latest[0] == dt.date.min else latest[0]
    ranks = [rank for rank, _ in needs]
    if len(set(ranks)) != len(ranks):
        values.report.problem(
            record.line, record.upn, "SENtypeRank", "two needs have the same rank", "ranks 1, 2, ... once each"
        )
    record.needs = [code for _, code in sorted(needs)]


def _ctf_latest(parts: dict, values: _Values, latest: tuple[dt.date, str] | None) -> tuple[dt.date, str] | None:
    """One <SEN> period: the latest so far (by start date; an undated one counts as oldest)."""
    provision = _text(parts.get("SENprovision"))
    start_text = _text(parts.get("StartDate"))
    if not provision:
        values.problem("sen_status", "SENprovision is missing", SEN_ACCEPTED)
        return latest
    code = values.sen_status(provision)
    start = values.date("sen_starts_on", start_text, earliest=EARLIEST_SEN) if start_text else None
    if code and (latest is None or (start or dt.date.min) >= latest[0]):
        return (start or dt.date.min, code)
    return latest


def _ctf_need(parts: dict, values: _Values) -> tuple[int, str] | None:
    """One <SENneed>: (rank, code), or None if its rank is not a rank."""
    code = values.need(_text(parts.get("SENtype")) or "")
    rank_text = _text(parts.get("SENtypeRank")) or ""
    if not rank_text.isdecimal() or int(rank_text) < 1:
        values.problem("SENtypeRank", f"'{rank_text}' is not a rank", "1 (primary), 2 (secondary)...")
        return None
    return int(rank_text), code


def _ctf_header(element, report: ParseReport) -> None:
    """The header's values (the first of each name), and whether the file is a partial one."""
    for part in element.iter():
        if len(part) == 0 and part.tag not in report.header:
            report.header[part.tag] = (part.text or "").strip()
    report.is_partial = report.header.get("DocumentQualifier", "").lower() == "partial"


def _forget(element, lines: dict) -> None:
    """Drop a kept element once read: its line numbers and children (the parser has already
    detached it from the file's tree)."""
    for part in element.iter():
        lines.pop(part, None)
    element.clear()


def _read_ctf(source: IO[bytes], report: ParseReport, need_types) -> Iterator[PupilRecord]:
    parser = _LineNumberingParser()
    lines = parser.lines
    pupils = 0
    try:
        for element in _iterparse(source, parser):
            if parser.root is not None and parser.root.tag != "CTfile":
                report.problem(
                    1,
                    "",
                    "",
                    f"the file is XML but its root is <{parser.root.tag}>",
                    "a Common Transfer File (<CTfile>)",
                )
                return
            tag = element.tag
            if tag == "Pupil":
                pupils += 1
                if pupils > limits.MAX_ROWS:
                    raise LimitExceeded(
                        f"The file has more than {limits.MAX_ROWS:,} pupils; the limit is {limits.MAX_ROWS:,}.",
                        limits.SPLIT,
                    )
                record = _ctf_pupil(element, lines.get(element, 0), lines, report, need_types)
                _forget(element, lines)
                if record is not None:
                    yield record
            elif tag == "Header":
                _ctf_header(element, report)
                _forget(element, lines)
    except LimitExceeded:
        raise
    except ParseError as error:
        line, column = getattr(error, "position", (None, 0))
        report.problem(
            line,
            "",
            "",
            f"the XML is malformed ({str(error).split(':')[0]}, column {column})",
            "a complete, well-formed CTF as your MIS exports it",
        )
    except DefusedXmlException as error:
        report.problem(
            parser.parser.CurrentLineNumber,
            "",
            "",
            f"the XML uses a feature that is not allowed ({type(error).__name__})",
            "a CTF without a DTD or entity declarations",
        )
    except (ValueError, UnicodeError, LookupError) as error:
        report.problem(None, "", "", f"the XML cannot be read ({error})", "a CTF encoded as UTF-8")
    else:
        if parser.root is None:
            report.problem(None, "", "", "the file is empty", "a Common Transfer File")
