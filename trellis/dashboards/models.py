"""Figures that dashboards compare schools with, kept as data with their year and source: national
(published) figures, and benchmarks a school enters for its own comparisons."""

from __future__ import annotations

from django.db import models

from trellis.pupils.models import Pupil


class NationalFigure(models.Model):
    """One published percentage, e.g. "SEN support, share of all pupils, 2025/26: 14.8%", or one a
    school entered with its source (a local authority's figure, a research study's)."""

    class Measure(models.TextChoices):
        SEN_SUPPORT = "sen_support", "Pupils on SEN support (K)"
        EHC_PLAN = "ehc_plan", "Pupils with an EHC plan (E)"
        BOYS = "boys", "Share who are boys"
        FSM = "fsm", "Share eligible for free school meals"
        NEED = "need", "Share whose primary need is this"
        # Issue 16, benchmarks: leavers' destinations and progress towards targets.
        DESTINATION = "destination", "Share of leavers going to this destination"
        ON_TRACK = "on_track", "Targets achieved or on track"
        PLANNED_PROGRESS = "planned", "Planned progress achieved"

    class Group(models.TextChoices):
        ALL = "all", "All pupils"
        SEN_SUPPORT = "K", "SEN support"
        EHC_PLAN = "E", "EHC plan"
        NO_SEN = "N", "No SEN"

    measure = models.CharField(max_length=16, choices=Measure.choices)
    group = models.CharField(max_length=3, choices=Group.choices, help_text="The pupils the percentage is of")
    need = models.ForeignKey("pupils.NeedType", null=True, blank=True, on_delete=models.CASCADE)
    destination = models.CharField(
        max_length=16, choices=Pupil.Destination.choices, blank=True, help_text="For a share of leavers"
    )
    percent = models.DecimalField(max_digits=5, decimal_places=1)
    year = models.CharField(max_length=7, help_text="Academic year of the figure, e.g. 2025/26")
    source = models.CharField(max_length=200)
    # Empty for a published figure; a school's own benchmark is shown beside that school only.
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="benchmarks"
    )

    class Meta:
        ordering = ["measure", "group", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "group", "need", "destination", "year", "school"], name="one_national_figure"
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.get_measure_display()} ({self.get_group_display()}"
        if self.destination:
            what += f", {self.get_destination_display()}"
        return f"{what}, {self.year}): {self.percent}%"

    @property
    def scope(self) -> str:
        return "Entered by the school" if self.school_id else "National"
