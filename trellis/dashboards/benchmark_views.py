"""The figures a school's dashboards are compared with: the published ones, and the school's own
benchmarks, which its SENCO enters and removes here (each with its source and year)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.pupils.access import get_school_for_user

from .access import may_enter_benchmark
from .forms import BenchmarkForm
from .models import NationalFigure


def benchmark_figures(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=False)
    can_enter = may_enter_benchmark(request.user, school)
    form = BenchmarkForm(request.POST or None, school=school) if can_enter else None
    if request.method == "POST":
        if form is None:
            raise Http404("No such page")
        if form.is_valid():
            figure = _add(request, school, form.cleaned_data)
            messages.success(request, f"Saved: {figure}.")
            return redirect("dash-benchmarks", urn=school.urn)
    figures = NationalFigure.objects.filter(Q(school__isnull=True) | Q(school=school)).select_related("need")
    figures = sorted(figures, key=lambda f: (f.school_id is None, f.measure, f.group, f.destination, f.year))
    context = {
        "school": school,
        "own": [f for f in figures if f.school_id],
        "published": [f for f in figures if not f.school_id],
        "form": form,
    }
    return render(request, "dashboards/benchmarks.html", context)


def _add(request: HttpRequest, school, data: dict) -> NationalFigure:
    figure = NationalFigure.objects.create(
        school=school,
        measure=data["measure"],
        group=data["group"],
        destination=data["destination"] if data["measure"] == NationalFigure.Measure.DESTINATION else "",
        percent=data["percent"],
        year=data["year"],
        source=data["source"],
    )
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.CREATE,
        record_type="benchmark",
        school=school,
        record_id=figure.pk,
        summary=str(figure),
        changes={"source": [None, figure.source]},
    )
    return figure


@require_POST
def remove_benchmark(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    school = get_school_for_user(request.user, urn, pupils=False)
    if not may_enter_benchmark(request.user, school):
        raise Http404("No such page")
    figure = get_object_or_404(NationalFigure, pk=pk, school=school)
    summary = str(figure)
    figure.delete()
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.DELETE,
        record_type="benchmark",
        school=school,
        record_id=pk,
        summary=summary,
    )
    messages.success(request, f"Removed: {summary}.")
    return redirect("dash-benchmarks", urn=school.urn)
