"""Cohort analysis by need (issue 16): attendance, behaviour incidents, suspensions and permanent
exclusions each term of an academic year, by primary need, broad area of need or SEN status, with n.

- The pupils are grouped by their SEN status and primary need now. By need and by area they are the
  SEN register (SEN support and EHC plans); by SEN status every pupil, so the register can be set
  beside pupils without SEN (monitoring counts as no SEN, as in the census).
- n is the pupils on roll at some time in the term. Terms are each school's own (its half-terms in
  pairs); a week counts in the term its Monday falls in (or up to six days before the term starts,
  as a term may start mid-week), a suspension in the term of its first day.
- Behaviour incidents are the negative behaviour points of the weekly records.
- For readers who may not see names (governors) the pupil counts go through disclosure control
  (trellis.lib.disclosure.protect_levels) across the three tables, and every rate, total and mean
  of a withheld group is withheld with it.
Five queries, however many schools, pupils, weeks and terms.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from trellis.evidence.models import Exclusion, WeeklyRecord
from trellis.lib.disclosure import WITHHELD, Relation, protect_levels, unshowable
from trellis.pupils.access import aggregate_filter
from trellis.pupils.models import NeedType, Pupil, SenStatus
from trellis.schools.models import HalfTerm

TERMS = ["Autumn", "Spring", "Summer"]
REGISTER = [SenStatus.SEN_SUPPORT.value, SenStatus.EHC_PLAN.value]
SEN_ROWS = [("K", "SEN support"), ("E", "EHC plan"), ("N", "No SEN (including monitoring)")]
NO_NEED = "No primary need recorded"
ALL = "All"
BREAKDOWNS = {"need": "Primary need", "area": "Broad area of need", "sen": "SEN status"}
COUNTED = ["pupils", "suspended", "permanent"]  # counts of pupils: the disclosure rule applies to these
SLACK = dt.timedelta(days=6)


@dataclass
class Cell:
    """One group in one term."""

    pupils: int = 0
    attended: int = 0
    possible: int = 0
    incidents: int = 0
    suspensions: int = 0
    suspended_pupils: set = field(default_factory=set)
    suspended_sessions: int = 0
    permanent_pupils: set = field(default_factory=set)

    @property
    def suspended(self) -> int:
        return len(self.suspended_pupils)

    @property
    def permanent(self) -> int:
        return len(self.permanent_pupils)


@dataclass(frozen=True)
class Shown:
    """What a reader sees of one cell: text for each column."""

    label: str
    pupils: str
    attendance: str
    incidents: str
    incidents_per_pupil: str
    suspensions: str
    suspended: str
    suspended_sessions: str
    permanent: str

    def as_list(self) -> list[str]:
        return [
            self.pupils,
            self.attendance,
            self.incidents,
            self.incidents_per_pupil,
            self.suspensions,
            self.suspended,
            self.suspended_sessions,
            self.permanent,
        ]


COLUMNS = [
    "Pupils (n)",
    "Attendance",
    "Behaviour incidents",
    "Incidents per pupil",
    "Suspensions",
    "Pupils suspended",
    "Sessions lost to suspension",
    "Permanent exclusions",
]


@dataclass
class Cohort:
    year: str
    breakdown: str
    terms: list[str]
    tables: dict[str, list[Shown]]  # term -> rows, the "All" row last
    hide_small: bool
    withheld_table: bool = False


def _half_terms(ids: set[int], starts_on: dt.date, ends_on: dt.date) -> dict[int, list[tuple]]:
    """Each school's half-terms in the year as (first Monday counted, last day, term name)."""
    by_school: dict[int, list[tuple]] = defaultdict(list)
    halves = HalfTerm.objects.filter(academic_year__school_id__in=ids, starts_on__lte=ends_on, ends_on__gte=starts_on)
    for half in halves.select_related("academic_year").order_by("starts_on"):
        by_school[half.academic_year.school_id].append((half.starts_on - SLACK, half.ends_on, half.term_name))
    return by_school


def _term_of(by_school: dict[int, list[tuple]], school_id: int, day: dt.date) -> str | None:
    for starts, ends, name in by_school.get(school_id, []):
        if starts <= day <= ends:
            return name
    return None


def _groups(breakdown: str, needs: dict[str, NeedType]) -> list[str]:
    if breakdown == "sen":
        return [label for _, label in SEN_ROWS]
    if breakdown == "area":
        return [*dict.fromkeys(n.broad_area for n in needs.values()), NO_NEED]
    return [*[n.name for n in needs.values()], NO_NEED]


def _keys(status: str, need: str | None, needs: dict[str, NeedType]) -> dict[str, str | None]:
    """The row a pupil is in for each breakdown (None: not in that table)."""
    sen = dict(SEN_ROWS).get(status if status in ("K", "E") else "N")
    on_register = status in REGISTER
    found = needs.get(need) if need else None
    return {
        "sen": sen,
        "need": (found.name if found else NO_NEED) if on_register else None,
        "area": (found.broad_area if found else NO_NEED) if on_register else None,
    }


def cohort(user, schools: list, *, year: str, starts_on: dt.date, ends_on: dt.date, hide_small: bool, breakdown: str):
    """The three tables' cells for every term, then the one `breakdown` shown (see the module)."""
    ids = {s.pk for s in schools}
    needs = {n.code: n for n in NeedType.objects.order_by("order", "name")}
    population = (
        Pupil.objects.filter(aggregate_filter(user, ids), school_id__in=ids)
        .exclude(left_on__lt=starts_on)
        .exclude(enrolled_on__gt=ends_on)
    )
    pupils = list(population.values_list("pk", "school_id", "sen_status", "primary_need_id", "enrolled_on", "left_on"))
    by_school = _half_terms(ids, starts_on, ends_on)

    def find(school_id: int, day: dt.date) -> str | None:
        return _term_of(by_school, school_id, day)

    half_terms_by_school = defaultdict(list)
    cells: dict[tuple[str, str, str], Cell] = defaultdict(Cell)  # (breakdown, term, group)
    keys_of: dict[int, dict] = {}
    school_of: dict[int, int] = {}
    for pk, school_id, status, need, enrolled_on, left_on in pupils:
        keys_of[pk] = _keys(status, need, needs)
        school_of[pk] = school_id
        half_terms_by_school[school_id].append((pk, enrolled_on, left_on))
    term_spans = _term_spans(by_school)
    for school_id, rows in half_terms_by_school.items():
        for term, (first, last) in term_spans.get(school_id, {}).items():
            for pk, enrolled_on, left_on in rows:
                if (enrolled_on is None or enrolled_on <= last) and (left_on is None or left_on > first):
                    _add(cells, keys_of[pk], term, lambda c: setattr(c, "pupils", c.pupils + 1))
    weeks = (
        WeeklyRecord.objects.filter(pupil__in=population.values("pk"), week_starting__gte=starts_on - SLACK)
        .filter(week_starting__lte=ends_on)
        .values("pupil_id", "week_starting", "sessions_attended", "sessions_possible", "behaviour_negative")
    )
    for row in weeks:
        pk = row["pupil_id"]
        if term := find(school_of[pk], row["week_starting"]):
            _add(cells, keys_of[pk], term, lambda c, r=row: _add_week(c, r))
    for pk, kind, day, sessions in Exclusion.objects.filter(
        pupil__in=population.values("pk"), starts_on__gte=starts_on, starts_on__lte=ends_on
    ).values_list("pupil_id", "kind", "starts_on", "sessions"):
        if term := find(school_of[pk], day):
            _add(cells, keys_of[pk], term, lambda c, k=kind, s=sessions, p=pk: _add_exclusion(c, k, s, p))
    terms = [t for t in TERMS if any(t in spans for spans in term_spans.values())]
    withheld = _withheld(cells, terms, needs) if hide_small else set()
    groups = _groups(breakdown, needs)
    tables = {}
    for term in terms:
        rows = [
            _shown(group, cells.get((breakdown, term, group), Cell()), (breakdown, term, group), withheld)
            for group in groups
            if (breakdown, term, group) in cells or breakdown != "need"
        ]
        rows.append(_shown(ALL, cells.get((breakdown, term, ALL), Cell()), (breakdown, term, ALL), withheld))
        tables[term] = rows
    return Cohort(year, breakdown, terms, tables, hide_small, unshowable(breakdown) in withheld)


def _term_spans(by_school: dict[int, list[tuple]]) -> dict[int, dict[str, tuple[dt.date, dt.date]]]:
    """Each school's terms, first to last day, from its half-terms."""
    spans: dict[int, dict[str, tuple[dt.date, dt.date]]] = defaultdict(dict)
    for school_id, ranges in by_school.items():
        for first, last, name in ranges:
            old = spans[school_id].get(name)
            first = first + SLACK
            spans[school_id][name] = (min(first, old[0]), max(last, old[1])) if old else (first, last)
    return spans


def _add(cells, keys: dict, term: str, change) -> None:
    for breakdown, group in keys.items():
        if group is not None:
            change(cells[(breakdown, term, group)])
            change(cells[(breakdown, term, ALL)])


def _add_week(cell: Cell, row: dict) -> None:
    cell.attended += row["sessions_attended"]
    cell.possible += row["sessions_possible"]
    cell.incidents += row["behaviour_negative"]


def _add_exclusion(cell: Cell, kind: str, sessions: int | None, pk: int) -> None:
    if kind == Exclusion.Kind.PERMANENT:
        cell.permanent_pupils.add(pk)
    else:
        cell.suspensions += 1
        cell.suspended_pupils.add(pk)
        cell.suspended_sessions += sessions or 0


def _withheld(cells, terms: list[str], needs: dict[str, NeedType]) -> set:
    """The cells to withhold, protected table by table (SEN status, then area, then need)."""
    values, relations = {}, []
    areas = defaultdict(list)
    for need in needs.values():
        areas[need.broad_area].append(need.name)
    areas[NO_NEED].append(NO_NEED)
    for term in terms:
        for measure in COUNTED:

            def key(breakdown, group, t=term, m=measure):
                return (breakdown, t, m, group)

            for breakdown in BREAKDOWNS:
                groups = _groups(breakdown, needs)
                for group in [*groups, ALL]:
                    values[key(breakdown, group)] = getattr(cells.get((breakdown, term, group), Cell()), measure)
                relations.append(Relation(key(breakdown, ALL), tuple(key(breakdown, g) for g in groups)))
            register = (key("sen", "SEN support"), key("sen", "EHC plan"))
            relations.append(Relation(key("area", ALL), register))
            relations.append(Relation(key("need", ALL), register))
            relations.append(Relation(key("need", ALL), (key("area", ALL),)))
            for area, names in areas.items():
                relations.append(Relation(key("area", area), tuple(key("need", n) for n in names)))
    order = list(BREAKDOWNS)[::-1]  # sen, area, need

    def context(level):
        return order[: order.index(level)]

    return protect_levels(values, relations, order=order, context=context)


def _shown(label: str, cell: Cell, where: tuple[str, str, str], withheld: set) -> Shown:
    breakdown, term, group = where

    def hidden(measure: str) -> bool:
        return (breakdown, term, measure, group) in withheld

    n_hidden = hidden("pupils")
    rate = WITHHELD if n_hidden else (f"{100 * cell.attended / cell.possible:.1f}%" if cell.possible else "–")
    per_pupil = WITHHELD if n_hidden else (f"{cell.incidents / cell.pupils:.1f}" if cell.pupils else "–")
    return Shown(
        label=label,
        pupils=WITHHELD if n_hidden else f"{cell.pupils:,}",
        attendance=rate,
        incidents=WITHHELD if n_hidden else f"{cell.incidents:,}",
        incidents_per_pupil=per_pupil,
        suspensions=WITHHELD if n_hidden or hidden("suspended") else f"{cell.suspensions:,}",
        suspended=WITHHELD if hidden("suspended") else f"{cell.suspended:,}",
        suspended_sessions=WITHHELD if n_hidden or hidden("suspended") else f"{cell.suspended_sessions:,}",
        permanent=WITHHELD if hidden("permanent") else f"{cell.permanent:,}",
    )
