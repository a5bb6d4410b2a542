"""National figures that dashboards compare schools with, kept as data with their year and source."""

from __future__ import annotations

from django.db import models


class NationalFigure(models.Model):
    """One published national percentage, e.g. "SEN support, share of all pupils, 2025/26: 14.8%"."""

    class Measure(models.TextChoices):
        SEN_SUPPORT = "sen_support", "Pupils on SEN support (K)"
        EHC_PLAN = "ehc_plan", "Pupils with an EHC plan (E)"
        BOYS = "boys", "Share who are boys"
        FSM = "fsm", "Share eligible for free school meals"
        NEED = "need", "Share whose primary need is this"

    class Group(models.TextChoices):
        ALL = "all", "All pupils"
        SEN_SUPPORT = "K", "SEN support"
        EHC_PLAN = "E", "EHC plan"
        NO_SEN = "N", "No SEN"

    measure = models.CharField(max_length=16, choices=Measure.choices)
    group = models.CharField(max_length=3, choices=Group.choices, help_text="The pupils the percentage is of")
    need = models.ForeignKey("pupils.NeedType", null=True, blank=True, on_delete=models.CASCADE)
    percent = models.DecimalField(max_digits=5, decimal_places=1)
    year = models.CharField(max_length=7, help_text="Academic year of the census, e.g. 2025/26")
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["measure", "group", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "group", "need", "year"], name="one_national_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} ({self.get_group_display()}, {self.year}): {self.percent}%"
