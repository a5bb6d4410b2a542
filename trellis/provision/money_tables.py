"""The money page's tables as rows for a CSV or XLSX download: the same headings and figures the page
shows, amounts as plain numbers (pounds, to the penny) so a spreadsheet can add them up."""

from __future__ import annotations

from .spending import Spending

SPEND_TABLES = {  # table -> (Spending attribute, first heading)
    "stream": ("by_stream", "Funding stream"),
    "need": ("by_need", "Primary need"),
    "year": ("by_year", "Year group"),
    "school": ("by_school", "School"),
}
TABLES = [*SPEND_TABLES, "value", "compared"]


def _steps(value) -> str:
    return "; ".join(
        f"{c.scale}: {'£' + str(c.per_step) if c.per_step is not None else 'no steps gained'}"
        f" ({c.steps.normalize():f} steps over {c.measures} measures)"
        for c in value.by_scale
    )


def money_table(figures: Spending, table: str, *, several: bool) -> tuple[list[str], list[list]]:
    """(headings, rows) of one table on the money page; `table` is one of TABLES."""
    if table in SPEND_TABLES:
        attribute, heading = SPEND_TABLES[table]
        rows = [[r.label, r.amount, r.places, r.per_place, r.uncosted] for r in getattr(figures, attribute)]
        t = figures.total
        rows.append(["All", t.amount, t.places, t.per_place, t.uncosted])
        return [heading, "Spent (£)", "Places", "Per place (£)", "Places not costed"], rows
    if table == "value":
        school = ["School"] if several else []
        headings = [
            "Intervention",
            *school,
            "Groups",
            "Cost (£)",
            "Pupils",
            "Cost per pupil (£)",
            "Pupils judged",
            "Met every target",
            "Cost per pupil who met (£)",
            "Cost per step, by scale",
            "Note",
        ]
        rows = [
            [
                v.intervention,
                *([v.school] if several else []),
                v.groups,
                v.cost,
                v.pupils,
                v.per_pupil,
                v.pupils_judged,
                v.pupils_met,
                v.per_pupil_met,
                _steps(v),
                v.warning,
            ]
            for v in figures.values
        ]
        return headings, rows
    headings = [
        "Intervention",
        "School",
        "n (pupils judged)",
        "Met every target",
        "Cost per pupil (£)",
        "Cost per pupil who met (£)",
        "Cost per step, by scale",
        "Note",
    ]
    rows = [
        [name, v.school, v.pupils_judged, v.pupils_met, v.per_pupil, v.per_pupil_met, _steps(v), v.warning]
        for name, values in figures.compared
        for v in values
    ]
    return headings, rows
