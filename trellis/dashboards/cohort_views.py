"""The cohort analysis page (school and trust): tables by need, area or SEN status each term, with
downloads. Aggregates only; for governors through disclosure control (dashboards/cohort.py). The
figures come from a replica when there is one (trellis/lib/replica.py)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trellis.lib import replica
from trellis.lib.disclosure import NOTE
from trellis.lib.query import BadQuery, query_value
from trellis.lib.tables import csv_response, xlsx_response
from trellis.provision.spending import ACADEMIC_YEAR, academic_year, year_name
from trellis.pupils.access import schools_for_aggregates

from .cohort import BREAKDOWNS, COLUMNS, cohort
from .views import _scope

YEAR = forms.RegexField(regex=ACADEMIC_YEAR, required=False, error_messages={"invalid": "Enter the year like 2026/27"})
BREAKDOWN = forms.ChoiceField(choices=list(BREAKDOWNS.items()), required=False)


def cohort_page(request: HttpRequest) -> HttpResponse:
    schools, hide_small = _scope(request)
    year = query_value(request, "year", YEAR) or year_name(timezone.localdate())
    breakdown = query_value(request, "by", BREAKDOWN) or "need"
    try:
        starts_on, ends_on = academic_year(year)
    except ValueError as error:
        raise BadQuery([f"'year': {error}"]) from None
    schools = list(schools)
    with replica.aggregate_reads(request):  # the figures, from a replica when there is one (not just after a save)
        found = cohort(
            request.user,
            schools,
            year=year,
            starts_on=starts_on,
            ends_on=ends_on,
            hide_small=hide_small,
            breakdown=breakdown,
        )
    if kind := request.GET.get("download"):
        if kind not in ("csv", "xlsx") or found.withheld_table:
            raise Http404("No such download")
        headings = ["Term", BREAKDOWNS[breakdown], *COLUMNS]
        rows = [[term, row.label, *row.as_list()] for term in found.terms for row in found.tables[term]]
        name = f"cohort-by-{breakdown}-{year.replace('/', '-')}"
        return (csv_response if kind == "csv" else xlsx_response)(name, headings, rows)
    query = request.GET.copy()
    query.pop("download", None)
    query["year"], query["by"] = year, breakdown
    context = {
        "cohort": found,
        "heading": BREAKDOWNS[breakdown],
        "breakdowns": BREAKDOWNS.items(),
        "columns": COLUMNS,
        "withheld_note": NOTE,
        "hide_small": hide_small,
        "query": query.urlencode(),
        "selected": request.GET.get("school", ""),
        "schools": schools_for_aggregates(request.user).order_by("name"),
    }
    if not schools:
        raise Http404("No such page")
    return render(request, "dashboards/cohort.html", context)
