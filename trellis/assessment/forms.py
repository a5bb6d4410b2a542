"""Forms for school scales and the assessment grid."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import slugify

from trellis.lib.forms import Form, ThreePartDateField
from trellis.lib.models import LONG_TEXT, SHORT_TEXT
from trellis.pupils.areas import domain_choices

from .models import BoxallCluster, Scale


class ScaleForm(Form):
    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter the scale's name"})
    code = forms.SlugField(
        label="Short code",
        max_length=40,
        required=False,
        help_text="Used in files and the API; leave blank to make one from the name",
    )
    description = forms.CharField(
        label="Description", required=False, max_length=SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(
        label="Kind of scale",
        choices=Scale.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of scale"},
    )
    steps = forms.CharField(
        label="Steps, lowest first",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For ordered steps: one a line, as value or value: label",
    )
    min_value = forms.DecimalField(label="Lowest value", required=False, max_digits=8, decimal_places=2)
    max_value = forms.DecimalField(label="Highest value", required=False, max_digits=8, decimal_places=2)
    step = forms.DecimalField(
        label="Smallest difference",
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="For a numeric range, e.g. 1 or 0.5",
        error_messages={"min_value": "The smallest difference must be more than 0"},
    )
    unit = forms.CharField(label="Unit", required=False, max_length=20)
    higher_is_better = forms.BooleanField(label="A higher value is an improvement", required=False, initial=True)

    def __init__(self, data=None, *, school):
        super().__init__(data)
        self.school = school

    def clean(self):
        data = super().clean()
        data["code"] = data.get("code") or slugify(data.get("name", ""))[:40]
        if Scale.objects.for_school(self.school).filter(code__iexact=data["code"]).exists():
            self.add_error("code", "A scale with this short code already exists: choose another")
        if data.get("kind") == Scale.Kind.ORDERED:
            lines = [line for line in (data.get("steps") or "").splitlines() if line.strip()]
            values = [line.partition(":")[0].strip().casefold() for line in lines]
            if len(lines) < 2:
                self.add_error("steps", "Enter at least two steps, one a line")
            elif len(set(values)) != len(values):
                self.add_error("steps", "Each step needs a different value")
            elif long := [
                n
                for n, line in enumerate(lines, 1)
                if len(line.partition(":")[0].strip()) > 40 or len(line.partition(":")[2].strip()) > 100
            ]:
                self.add_error("steps", f"Step {long[0]} is too long: a value has at most 40 characters, a label 100")
            data["steps"] = lines
        elif data.get("kind") == Scale.Kind.NUMERIC:
            low, high = data.get("min_value"), data.get("max_value")
            if low is None or high is None:
                self.add_error("min_value", "Enter the lowest and highest values")
            elif low >= high:
                self.add_error("max_value", "The highest value must be more than the lowest")
            data["step"] = data.get("step") or 1
        return data


class GridChoiceForm(Form):
    """Which class, assessment point, scale and domain the grid is for (GET)."""

    group = forms.ModelChoiceField(label="Class or group", queryset=None)
    point = forms.ModelChoiceField(label="Assessment point", queryset=None)
    scale = forms.ModelChoiceField(label="Scale", queryset=None)
    domain = forms.ChoiceField(label="Domain", choices=domain_choices)
    subject = forms.CharField(label="Subject", required=False, max_length=60, help_text="e.g. reading")

    def __init__(self, data=None, *, school, groups, points):
        super().__init__(data)
        self.fields["group"].queryset = groups
        self.fields["point"].queryset = points
        self.fields["scale"].queryset = Scale.objects.for_school(school).order_by("name")


class GridDateForm(Form):
    date = ThreePartDateField(label="Date assessed")


def _score_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=136,
        decimal_places=0,
        help_text=help_text,
        error_messages={
            "invalid": f"Enter the {label.lower()} score as a whole number",
            "min_value": f"The {label.lower()} score must be 0 or more",
            "max_value": f"The {label.lower()} score must be 136 or less",
            "max_decimal_places": f"Enter the {label.lower()} score as a whole number",
        },
    )


class BoxallForm(Form):
    """A Boxall Profile: the date and a score per cluster (the sum of its item scores)."""

    date = ThreePartDateField(label="Date of the profile")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for cluster in BoxallCluster:
            self.fields[cluster.value] = _score_field(cluster.label, cluster.section)

    def clean(self):
        data = super().clean()
        if not any(data.get(c.value) is not None for c in BoxallCluster) and not self.errors:
            self.add_error(BoxallCluster.ORGANISATION.value, "Enter a score for at least one cluster")
        return data

    def scores(self) -> dict[str, object]:
        return {c.value: self.cleaned_data.get(c.value) for c in BoxallCluster}


class CompetentRangesForm(Form):
    """The school's competent range for each cluster: lowest and highest score, both or neither."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for cluster in BoxallCluster:
            self.fields[f"{cluster.value}-low"] = _score_field(f"{cluster.label} lowest")
            self.fields[f"{cluster.value}-high"] = _score_field(f"{cluster.label} highest")

    def clean(self):
        data = super().clean()
        for cluster in BoxallCluster:
            low, high = data.get(f"{cluster.value}-low"), data.get(f"{cluster.value}-high")
            if (low is None) != (high is None) and not self.errors:
                missing = "high" if high is None else "low"
                self.add_error(f"{cluster.value}-{missing}", f"Enter both ends of the {cluster.label.lower()} range")
            elif low is not None and high is not None and low > high:
                self.add_error(
                    f"{cluster.value}-high", f"The {cluster.label.lower()} highest score must not be below the lowest"
                )
        return data

    def ranges(self) -> dict[str, tuple | None]:
        data = self.cleaned_data
        return {
            c.value: (data[f"{c.value}-low"], data[f"{c.value}-high"])
            if data.get(f"{c.value}-low") is not None
            else None
            for c in BoxallCluster
        }
