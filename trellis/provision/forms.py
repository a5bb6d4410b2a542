"""Forms for provision pages, in the GOV.UK patterns (three-part dates, clear messages)."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import Form, ModelForm, ThreePartDateField
from trellis.lib.models import LONG_TEXT, SHORT_TEXT

from .models import Intervention, InterventionGroup


class UploadForm(Form):
    file = forms.FileField(
        label="Provision map (CSV or XLSX)",
        help_text="Columns: Intervention, Area of need, Group size, Frequency/duration, Staff, Pupil, Scale, Entry, "
        "Target, Exit, Outcomes, Start date, End date. One row per pupil and measure.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The provision map must be a CSV or XLSX file")
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The provision map must be smaller than 5 MB")
        return upload


class SessionForm(Form):
    date = ThreePartDateField(label="Session date", error_messages={"required": "Enter the session date"})
    present = forms.MultipleChoiceField(
        label="Who came",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pupils not ticked are recorded as absent.",
    )
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=300)

    def __init__(self, *args, enrolments, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["present"].choices = [(str(e.pk), e.pupil.full_name) for e in enrolments]

    def clean_date(self):
        from .services import session_date_problem

        date = self.cleaned_data["date"]
        if self.group is not None and (problem := session_date_problem(self.group, date)):
            raise forms.ValidationError(problem)
        return date


class ReviewForm(Form):
    rating = forms.ChoiceField(
        label="How effective was it?",
        choices=InterventionGroup.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how effective the intervention was"},
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=InterventionGroup.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    notes = forms.CharField(max_length=LONG_TEXT, label="Notes (optional)", required=False, widget=forms.Textarea)


class StrategyForm(Form):
    text = forms.CharField(
        label="Strategy",
        max_length=200,
        help_text="For example: visual timetable, word banks, seating near the front",
        error_messages={"required": "Enter the strategy"},
    )


class InterventionForm(ModelForm):
    class Meta:
        model = Intervention
        fields = [
            "name",
            "area_of_need",
            "description",
            "evidence_base",
            "default_group_size",
            "sessions_per_week",
            "session_minutes",
            "duration_weeks",
            "delivering_role",
            "cost_per_session",
            "hourly_rate",
            "eef_strand",
        ]
        labels = {
            "session_minutes": "Session length (minutes)",
            "cost_per_session": "Cost per session (£)",
            "hourly_rate": "Staff hourly rate (£)",
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Intervention.objects.filter(school=self.school, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"The catalogue already has an intervention called {name}")
        return name


class GroupForm(Form):
    intervention = forms.ModelChoiceField(
        queryset=Intervention.objects.none(),
        empty_label="Choose an intervention",
        error_messages={"required": "Choose the intervention"},
    )
    staff = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Not a Trellis user", label="Member of staff delivering it"
    )
    staff_label = forms.CharField(
        label="Staff as the map shows it (optional)", required=False, max_length=60, help_text="For example, HLTA"
    )
    group_size = forms.CharField(label="Group size", required=False, max_length=10, help_text="For example, 1:6")
    frequency = forms.CharField(
        label="Frequency and duration", required=False, max_length=80, help_text="For example, 3 x 15 mins x 6 weeks"
    )
    schedule = forms.CharField(
        label="When (optional)", required=False, max_length=120, help_text="For example, Mon, Wed, Fri 9:00 (early am)"
    )
    starts_on = ThreePartDateField(label="Start date", error_messages={"required": "Enter the start date"})
    ends_on = ThreePartDateField(label="End date", required=False)

    def __init__(self, *args, school, **kwargs):
        from trellis.accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = Intervention.objects.filter(school=school)
        self.fields["staff"].queryset = (
            User.objects.filter(memberships__school=school).distinct().order_by("last_name", "first_name")
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return data


class EnrolForm(Form):
    pupil = forms.ModelChoiceField(
        queryset=None, empty_label="Choose a pupil", error_messages={"required": "Choose the pupil"}
    )
    scale = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose a scale",
        label="Scale the progress is measured on",
        error_messages={"required": "Choose the scale"},
    )
    entry = forms.CharField(label="Entry data", max_length=40, error_messages={"required": "Enter the entry data"})
    target = forms.CharField(
        label="Target",
        max_length=40,
        required=False,
        help_text="+N to gain N steps (+1 sub-level), or a value on the scale to reach",
    )
    target_description = forms.CharField(
        max_length=SHORT_TEXT,
        label="Target in words (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="For example, to use the 24-hour clock",
    )

    def __init__(self, *args, pupils, scales_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["scale"].queryset = scales_queryset

    def clean(self):
        from decimal import Decimal, InvalidOperation

        from . import scales

        data = super().clean()
        scale = data.get("scale")
        if scale is None:
            return data
        scale = scales.find_scale(scale.code, scale.school_id)
        if data.get("entry"):
            try:
                data["entry"] = scales.parse_value(scale, data["entry"])
            except scales.ScaleError:
                self.add_error("entry", f"Entry data must be on the {scale.called}: {scale.describe_allowed()}")
        target = data.get("target", "").strip()
        data["target_steps"], data["target_value"] = None, ""
        if target.startswith("+"):
            try:
                data["target_steps"] = Decimal(target[1:])
            except InvalidOperation:
                self.add_error("target", "Enter the target as +N, for example +1, or a value on the scale")
        elif target:
            try:
                data["target_value"] = scales.parse_value(scale, target)
            except scales.ScaleError:
                self.add_error("target", f"Enter the target as +N or one of {scale.describe_allowed()}")
        data["scale"] = scale
        return data


class EhcProvisionForm(Form):
    description = forms.CharField(
        label="Provision the plan specifies", max_length=200, error_messages={"required": "Enter the provision"}
    )
    hours_per_week = forms.DecimalField(
        label="Hours a week",
        min_value=0,
        max_digits=5,
        decimal_places=2,
        error_messages={"required": "Enter the hours a week"},
    )
    intervention = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="None in the catalogue", label="Intervention that delivers it"
    )
    starts_on = ThreePartDateField(label="Start date", error_messages={"required": "Enter the start date"})
    ends_on = ThreePartDateField(label="End date", required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = Intervention.objects.filter(school=school)
