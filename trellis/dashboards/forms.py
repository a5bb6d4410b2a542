"""A benchmark a school enters for its own comparisons: a percentage with its source and year."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from trellis.lib.forms import Form
from trellis.pupils.models import Pupil

from .models import NationalFigure

MEASURES = [
    (NationalFigure.Measure.ON_TRACK.value, "Targets achieved or on track (% of targets)"),
    (NationalFigure.Measure.PLANNED_PROGRESS.value, "Planned progress achieved (% of the progress planned)"),
    (NationalFigure.Measure.DESTINATION.value, "Leavers going to a destination (% of leavers)"),
]
GROUPS = [(g.value, g.label) for g in NationalFigure.Group if g != NationalFigure.Group.NO_SEN] + [
    (NationalFigure.Group.NO_SEN.value, "No SEN (destinations only)")
]


class BenchmarkForm(Form):
    measure = forms.ChoiceField(
        label="What the figure measures",
        choices=MEASURES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the figure measures"},
    )
    group = forms.ChoiceField(
        label="Pupils it is about",
        choices=GROUPS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the pupils the figure is about"},
    )
    destination = forms.ChoiceField(
        label="Destination",
        required=False,
        choices=[("", "Not a destination figure"), *Pupil.Destination.choices],
        help_text="Only for a share of leavers",
    )
    percent = forms.DecimalField(
        label="Figure (%)",
        min_value=Decimal(0),
        max_value=Decimal("999.9"),
        max_digits=4,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-width-4"}),
        error_messages={"required": "Enter the figure as a percentage, for example 62.5"},
    )
    year = forms.CharField(
        label="Academic year",
        max_length=7,
        help_text="The year the figure is for, for example 2024/25",
        widget=forms.TextInput(attrs={"class": "input-width-4"}),
        error_messages={"required": "Enter the academic year, for example 2024/25"},
    )
    source = forms.CharField(
        label="Source",
        max_length=200,
        help_text="Who published it, for example a local authority's report or a research study",
        error_messages={"required": "Enter where the figure comes from"},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_year(self) -> str:
        year = self.cleaned_data["year"].strip()
        match = re.fullmatch(r"(\d{4})/(\d{2})", year)
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise forms.ValidationError("Enter the academic year as two years in a row, for example 2024/25")
        return year

    def clean(self):
        data = super().clean()
        measure, group, destination = data.get("measure"), data.get("group"), data.get("destination", "")
        percent = data.get("percent")
        is_destination = measure == NationalFigure.Measure.DESTINATION
        if is_destination and not destination:
            self.add_error("destination", "Select the destination the leavers went to")
        if not is_destination and destination:
            self.add_error(
                "destination", "Only a share of leavers has a destination: choose 'Not a destination figure'"
            )
        if not is_destination and group == NationalFigure.Group.NO_SEN:
            self.add_error(
                "group", "Progress towards targets is for pupils with SEN: choose all, SEN support or EHC plan"
            )
        if percent is not None and measure != NationalFigure.Measure.PLANNED_PROGRESS and percent > 100:
            self.add_error("percent", "A share of pupils or targets is at most 100%")
        if measure and group and not self.errors:
            taken = NationalFigure.objects.filter(
                school=self.school,
                measure=measure,
                group=group,
                need=None,
                destination=destination if is_destination else "",
                year=data.get("year"),
            )
            if taken.exists():
                raise forms.ValidationError("The school already has this figure for that year: remove it first")
        return data
