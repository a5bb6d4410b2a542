"""Money for provision: spending by funding stream, need and year group, and value for money, for
one school or every school the reader oversees. Aggregates only, for those who plan the budget: the
figures come from a replica when there is one (trellis/lib/replica.py)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trellis.lib import replica
from trellis.lib.disclosure import suppressed_for
from trellis.lib.query import BadQuery, query_value
from trellis.lib.tables import csv_response, xlsx_response
from trellis.pupils.access import get_school_for_user, schools_for_aggregates, whole_schools

from .evaluation import SMALL_N_BELOW
from .money_tables import TABLES, money_table
from .spending import ACADEMIC_YEAR, spending, year_name

YEAR = forms.RegexField(regex=ACADEMIC_YEAR, required=False, error_messages={"invalid": "Enter the year like 2026/27"})


def _sees_money(user, school) -> bool:
    """The whole school's figures, with names: the SENCO, leaders, the trust. Governors see spending
    in the governors' report, through disclosure control, not here."""
    return whole_schools(user, {school.pk}) and not suppressed_for(user, [school])


def _page(request: HttpRequest, schools: list, *, title: str, school=None) -> HttpResponse:
    year = query_value(request, "year", YEAR) or year_name(timezone.localdate())
    try:
        with replica.aggregate_reads(request):  # from a replica when there is one (not just after a save)
            figures = spending(schools, year=year)
    except ValueError as error:  # 2026/99: the right shape, not a year
        raise BadQuery([f"'year': {error}"]) from None
    if kind := request.GET.get("download"):
        table = request.GET.get("table", "stream")
        if kind not in ("csv", "xlsx") or table not in TABLES:
            raise Http404("No such download")
        headings, rows = money_table(figures, table, several=len(schools) > 1)
        name = f"money-{table}-{(school.urn if school else 'schools')}-{year.replace('/', '-')}"
        return (csv_response if kind == "csv" else xlsx_response)(name, headings, rows)
    query = request.GET.copy()
    query.pop("download", None)
    query.pop("table", None)
    query["year"] = year
    context = {
        "query": query.urlencode(),
        "title": title,
        "school": school,
        "several": len(schools) > 1,
        "figures": figures,
        "year": year,
        "small_n_below": SMALL_N_BELOW,
    }
    return render(request, "provision/money.html", context)


def school_money(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=False)
    if not _sees_money(request.user, school):
        raise Http404("No such page")
    return _page(request, [school], title=f"Money for provision: {school.name}", school=school)


def trust_money(request: HttpRequest) -> HttpResponse:
    """Every school whose whole figures the reader sees, side by side, with each intervention compared."""
    schools = [s for s in schools_for_aggregates(request.user).order_by("name") if _sees_money(request.user, s)]
    if not schools:
        raise Http404("No such page")
    return _page(request, schools, title="Money for provision across the schools")
