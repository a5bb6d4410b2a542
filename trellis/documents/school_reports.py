"""The governors' SEND report and the provision map, for one school.

The governors' report is for an audience that may not see names, whoever prints it: every count
goes through the one disclosure rule (trellis.lib.disclosure), with the row and column totals as
its relations, so no withheld number can be worked out from the others. The tables of pupils by
need and by year add up to the identification page's figures, so they are protected after them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from trellis.dashboards.comparison import profile_tag, school_profiles, withheld
from trellis.dashboards.overview import Choices, periods_for
from trellis.dashboards.progress import PUPIL_ORDER, REVIEWED, per_pupil, pupils_by_status, trend_from_tally
from trellis.lib.charts import bar_chart
from trellis.lib.disclosure import NOTE, WITHHELD, Relation, protect, unshowable
from trellis.plans.models import Target
from trellis.plans.progress import GLOSSARY, PUPIL_STATUS, current_window
from trellis.provision import evaluation as ev
from trellis.provision import reports
from trellis.provision.access import visible_enrolments, visible_groups
from trellis.provision.models import Enrolment
from trellis.pupils.areas import BROAD_AREAS, UNCATEGORISED
from trellis.pupils.models import EhcPlan, Pupil, SenStatus, nc_year_label
from trellis.schools.models import School

SEN = [SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN]
NO_NEED = "none recorded"  # the identification figures' name for pupils with SEN and no recorded need
ALL = "All"


@dataclass
class Table:
    """Counts as a reader may see them: rows of (label, [text per column]), totals last."""

    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


def _counts_table(
    counts: dict[tuple[str, str], int], rows: list[str], columns: list[str]
) -> tuple[dict, list[Relation]]:
    """A two-way table's cells (row, column) with its row and column totals, and their relations."""
    values = {(r, c): counts.get((r, c), 0) for r in rows for c in columns}
    for r in rows:
        values[(r, ALL)] = sum(values[(r, c)] for c in columns)
    for c in [*columns, ALL]:
        values[(ALL, c)] = sum(values[(r, c)] for r in rows)
    relations = [Relation((r, ALL), tuple((r, c) for c in columns)) for r in [*rows, ALL]]
    relations += [Relation((ALL, c), tuple((r, c) for r in rows)) for c in [*columns, ALL]]
    return values, relations


def _as_table(caption: str, values: dict, hidden: set, rows: list[str], columns: list[str]) -> Table:
    text = {key: WITHHELD if key in hidden else f"{value:,}" for key, value in values.items()}
    return Table(caption, [*columns, ALL], [(r, [text[(r, c)] for c in [*columns, ALL]]) for r in [*rows, ALL]])


def _row(counts: dict[str, int], columns: list[str]) -> tuple[list[str], dict[str, int | None]]:
    """One row of counts and its total, protected: the texts, and the counts shown (None withheld)."""
    values = {c: counts.get(c, 0) for c in columns} | {ALL: sum(counts.get(c, 0) for c in columns)}
    hidden = protect(values, [Relation(ALL, tuple(columns))])
    return [WITHHELD if c in hidden else f"{values[c]:,}" for c in [*columns, ALL]], {
        c: None if c in hidden else values[c] for c in values
    }


def _year(year: int | None) -> str:
    return "Year not recorded" if year is None else f"Year {nc_year_label(year)}"


def _percent(part: int | None, whole: int | None) -> str:
    if part is None or whole is None:
        return WITHHELD
    return "–" if not whole else f"{100 * part / whole:.0f}%"


def sen_pupils(school, today: dt.date):
    return Pupil.objects.filter(school=school, sen_status__in=SEN).on_roll(today)


def needs_and_years(school, today: dt.date) -> tuple[Table, Table]:
    """Pupils with SEN on roll by broad area of need, and by year group, each by SEN status, small
    numbers withheld. Both add up to the identification page's figures (each need's pupils by
    status; all pupils with SEN support, with an EHC plan), which the overview adds up to as well,
    so they are protected after those figures (trellis.dashboards.comparison.withheld), as the
    overview is: no withheld number there comes back from a total here. The governors' report and
    the published SEN information report show the same cells."""
    pupils = sen_pupils(school, today)
    labels = {s: SenStatus(s).label for s in SEN}
    columns = [labels[s] for s in SEN]
    rows = pupils.order_by().values_list("primary_need__broad_area", "primary_need_id", "nc_year", "sen_status")
    by_area = Counter((area or UNCATEGORISED, labels[status]) for area, _, _, status in rows)
    by_year = Counter((_year(year), labels[status]) for _, _, year, status in rows)
    needs_in: dict[str, set[str]] = {}
    for area, need, _, _ in rows:
        needs_in.setdefault(area or UNCATEGORISED, set()).add(need or NO_NEED)
    areas = [*BROAD_AREAS, UNCATEGORISED]
    years = [_year(y) for y in sorted({y for _, _, y, _ in rows}, key=lambda y: (y is None, y))]
    [profile] = school_profiles(School.objects.filter(pk=school.pk))
    tag = profile_tag(profile)
    known = {f"need:{s}:{n}" for s in SEN for n in profile.needs[s]} | {f"need:{s}:{NO_NEED}" for s in SEN}

    def need_cell(status: str, need: str) -> tuple:
        return ("id", tag, f"need:{status}:{need}")

    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    for level, (counts, names) in {"area": (by_area, areas), "year": (by_year, years)}.items():
        cells, own = _counts_table(counts, names, columns)
        key = lambda cell, level=level: ("report", tag, level, *cell)  # noqa: E731
        values |= {key(cell): n for cell, n in cells.items()}
        relations += [Relation(key(r.total), tuple(key(p) for p in r.parts)) for r in own]
        for status in SEN:  # each column's total is the identification page's count
            relations.append(Relation(key((ALL, labels[status])), (("id", tag, status),)))
    for area in areas:  # a broad area's pupils are its needs' pupils
        for status in SEN:
            parts = tuple(need_cell(status, n) for n in sorted(needs_in.get(area, ())) if f"need:{status}:{n}" in known)
            relations.append(Relation(("report", tag, "area", area, labels[status]), parts))
    levels = [("report", tag)]
    hidden = withheld([profile], extra=(values, relations, levels))
    if unshowable(levels[0]) in hidden:  # nothing can be shown without giving a withheld number away
        hidden |= set(values)

    def table(level: str, caption: str, names: list[str]) -> Table:
        cells = {k[3:]: n for k, n in values.items() if k[2] == level}
        return _as_table(caption, cells, {k[3:] for k in hidden if k[:3] == ("report", tag, level)}, names, columns)

    return (
        table("area", "Pupils with SEN by broad area of need and SEN status", areas),
        table("year", "Pupils with SEN by year group and SEN status", years),
    )


def needs_table(school, today: dt.date) -> Table:
    return needs_and_years(school, today)[0]


def provision_results(school, today: dt.date) -> list[dict[str, str]]:
    """Each intervention of the last twelve months with the pupils measured, the share who met
    their target, the effect size and the cost; withheld for small groups (the one rule)."""
    evaluations = reports.evaluate_groups(
        reports.groups_in_term(school, None).filter(starts_on__gte=today - dt.timedelta(days=365))
    )
    costs: dict[str, Decimal] = {}
    for item in evaluations:
        name = item.group.intervention.name
        costs[name] = costs.get(name, Decimal(0)) + (item.summary.cost or Decimal(0))
    return [
        {
            "name": s.row.intervention,
            "n": WITHHELD if s.n_withheld else f"{s.row.n:,}",
            "met": "–"
            if s.row.met is None
            else _percent(None if s.met_withheld else s.row.met, None if s.n_withheld else s.row.n),
            "effect": WITHHELD if s.n_withheld else ("–" if s.row.effect_size is None else f"{s.row.effect_size}"),
            "cost": f"£{costs.get(s.row.intervention, Decimal(0)):,.0f}",
        }
        for s in ev.shown(reports.school_breakdown(evaluations), suppressed=True)
        if s.row.need == "All"
    ]


def governors_report(school, reader, today: dt.date) -> dict:
    pupils = sen_pupils(school, today)
    need_table, year_table = needs_and_years(school, today)

    window = current_window(school, today)
    targets = Target.objects.current().filter(pupil__school=school, pupil__in=pupils)
    by_status = pupils_by_status(per_pupil(targets, window))
    status_names = [s.label for s in PUPIL_ORDER]
    progress_texts, shown = _row({s.label: by_status[s] for s in PUPIL_ORDER}, status_names)
    progress_chart = bar_chart(
        "Pupils with SEN by the status of their targets this half term",
        [(name, shown[name], progress_texts[n]) for n, name in enumerate(status_names)],
    )

    trend = []
    reviewed = [s.label for s in REVIEWED]
    for point in trend_from_tally([school.pk], periods_for(school, Choices(dimensions=[]), today))[-6:]:
        texts, counts = _row({s.label: point.counts[s] for s in REVIEWED}, reviewed)
        trend.append((point.period.label, [_percent(counts[r], counts[ALL]) for r in reviewed], texts[-1]))

    provision = provision_results(school, today)

    ehc = EhcPlan.objects.filter(pupil__in=pupils, ceased_on__isnull=True)
    on_time = ehc.filter(next_annual_review_due__gte=today).count()
    overdue = ehc.count() - on_time
    deadline_texts, _ = _row({"On time": on_time, "Overdue": overdue}, ["On time", "Overdue"])
    return {
        "school": school,
        "note": NOTE,
        "need_table": need_table,
        "year_table": year_table,
        "progress_names": status_names,
        "progress_texts": progress_texts,
        "progress_chart": progress_chart,
        "glossary": [(name, GLOSSARY[name]) for name in status_names],
        "pupil_status": PUPIL_STATUS,
        "reviewed": reviewed,
        "trend": trend,
        "provision": provision,
        "deadlines": deadline_texts,
        "term": window.name,
    }


def provision_map(school, reader, today: dt.date) -> dict:
    """What the provision map page shows for the whole school, as the reader may see it."""
    groups = reports.groups_in_term(school, None)
    enrolments = Enrolment.objects.all() if reader is None else visible_enrolments(reader)
    if reader is not None:
        groups = groups.filter(pk__in=visible_groups(reader, school).values("pk"))
    enrolments = enrolments.filter(group__intervention__school=school)
    evaluations = [item for item in reports.evaluate_groups(groups, enrolments) if item.rows or item.enrolments]
    return {"school": school, "evaluations": evaluations}


def provision_map_pupils(school, reader) -> list:
    """The pupils the provision map names for this reader: each has the export in their audit trail."""
    enrolments = Enrolment.objects.all() if reader is None else visible_enrolments(reader)
    enrolments = enrolments.filter(group__intervention__school=school).select_related("pupil")
    return list({e.pupil_id: e.pupil for e in enrolments}.values())
