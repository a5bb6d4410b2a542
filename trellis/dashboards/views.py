"""Aggregate pages (no names): identification compared with national figures, and destinations.
Their figures come from a replica when there is one (trellis/lib/replica.py); who may see which
schools is decided first, on the primary."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trellis.lib import replica
from trellis.lib.charts import bar_chart
from trellis.lib.disclosure import NOTE, Figure, suppressed_for
from trellis.lib.tables import csv_response, xlsx_response
from trellis.pupils.access import get_school_for_user, schools_for_aggregates

from .benchmarks import destinations_compared, recorded_text
from .comparison import (
    DESTINATION_GROUPS,
    MEASURES,
    E,
    K,
    destinations,
    national_figures,
    need_mix,
    profile_tag,
    school_profiles,
    total_of,
    withheld,
)


def _scope(request: HttpRequest):
    """The schools shown: all the user's aggregate schools, or one with ?school=URN (404 if not theirs)."""
    schools = schools_for_aggregates(request.user)
    if not schools.exists():
        raise Http404("No such page")
    if urn := request.GET.get("school"):
        school = get_school_for_user(request.user, urn, pupils=False)
        schools = schools.filter(pk=school.pk)
    return schools, suppressed_for(request.user, schools.values_list("pk", flat=True))


def _open_schools(request: HttpRequest, schools) -> list[int]:
    """Schools among these whose figures this reader sees exactly (on their own page): a suppressed
    table over several schools is protected against them."""
    return [school.pk for school in schools if not suppressed_for(request.user, [school])]


def identification(request: HttpRequest, download: str | None = None) -> HttpResponse:
    """% SEN support, % EHC plan, boys, FSM and need mix for each school and in all, beside England."""
    schools, hide_small = _scope(request)
    schools = list(schools.order_by("name"))
    open_schools = _open_schools(request, schools) if hide_small else []
    with replica.aggregate_reads(request):  # the figures, from a replica when there is one (not just after a save)
        profiles = school_profiles(schools)
        national = national_figures()
    several = len(profiles) > 1
    total = total_of(profiles, "All these schools") if several else profiles[0]
    hidden = withheld(profiles, total if several else None, open_schools=open_schools) if hide_small else set()
    shown = [*profiles, total] if several else profiles
    rows = [(p, _on_roll(p, hidden), [m.figure(p, hidden) for m in MEASURES]) for p in shown]
    england = [national.get(m.national) for m in MEASURES]
    if download:
        headings = ["School", "Pupils on roll", *[m.label for m in MEASURES]]
        table = [[p.label, on_roll.text, *[f.percent_text for f in figures]] for p, on_roll, figures in rows]
        table.append(["England (national)", "", *[f"{n.percent}% ({n.year})" if n else "" for n in england]])
        name = f"identification-{timezone.localdate():%Y-%m-%d}"
        return (csv_response if download == "csv" else xlsx_response)(name, headings, table)
    sen_support = national.get(MEASURES[0].national)
    chart = bar_chart(
        "Pupils on SEN support, % of pupils on roll",
        [(p.label, figures[0].percent, figures[0].percent_text) for p, _, figures in rows],
        reference=float(sen_support.percent) if sen_support else None,
        reference_label=f"England {sen_support.percent}%" if sen_support else "",
    )
    context = {
        "measures": MEASURES,
        "rows": rows,
        "england": england,
        "chart": chart,
        "need_rows": [
            (need, k, e, national.get(("need", E, need.code)) or national.get(("need", K, need.code)))
            for need, k, e in need_mix(total, hidden)
        ],
        "hide_small": hide_small,
        "withheld_note": NOTE,
        "query": request.GET.urlencode(),
        "selected": request.GET.get("school", ""),
        "schools": schools_for_aggregates(request.user).order_by("name"),
    }
    return render(request, "dashboards/identification.html", context)


def _on_roll(profile, hidden) -> Figure:
    cell = ("id", profile_tag(profile), "on_roll")
    return Figure(profile.on_roll, profile.on_roll, cell in hidden, cell in hidden)


def leaver_destinations(request: HttpRequest, download: str | None = None) -> HttpResponse:
    """Where leavers went, by SEN status and by primary need, and beside national figures."""
    schools, hide_small = _scope(request)
    schools = list(schools)
    open_schools = _open_schools(request, schools) if hide_small else []
    with replica.aggregate_reads(request):  # the figures, from a replica when there is one (not just after a save)
        status_rows, need_rows = destinations(schools, hide_small=hide_small, open_schools=open_schools)
        # A school's own destination benchmarks are shown when that one school is.
        compared = destinations_compared(status_rows, schools[0] if len(schools) == 1 else None)
    if download:
        headings = ["Destination"]
        for _, label in DESTINATION_GROUPS:
            headings += [f"{label}: these leavers", f"{label}: compared with"]
        table = [
            [label, *[text for _, here, figure in cells for text in (here.percent_text, recorded_text(figure))]]
            for label, cells in compared
        ]
        name = f"destinations-compared-{timezone.localdate():%Y-%m-%d}"
        return (csv_response if download == "csv" else xlsx_response)(name, headings, table)
    context = {
        "compared": [(label, [(g, here, recorded_text(f)) for g, here, f in cells]) for label, cells in compared],
        "query": request.GET.urlencode(),
        "status_rows": status_rows,
        "need_rows": need_rows,
        "kinds": [label for label, _ in status_rows],
        "hide_small": hide_small,
        "withheld_note": NOTE,
        "selected": request.GET.get("school", ""),
        "schools": schools_for_aggregates(request.user).order_by("name"),
    }
    return render(request, "dashboards/destinations.html", context)
