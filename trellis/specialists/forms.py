"""Specialist advice, referral and recommendation forms, in the GOV.UK patterns."""

from __future__ import annotations

from django import forms

from trellis.assessment.models import Domain, Scale
from trellis.evidence.storage import ALLOWED_DESCRIPTION, max_upload_bytes
from trellis.lib.forms import Form, OnceForm, ThreePartDateField
from trellis.lib.models import LONG_TEXT, SHORT_TEXT

from .models import Service
from .services import SpecialistError, recommendation_lines


class AdviceForm(OnceForm):
    service = forms.ChoiceField(
        label="Your service",
        choices=[("", "Choose a service"), *Service.choices],
        error_messages={"required": "Choose your service"},
    )
    seen_on = ThreePartDateField(label="Date you saw the pupil")
    summary = forms.CharField(
        label="Summary of your advice",
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter a summary of your advice"},
    )
    recommendations = forms.CharField(
        label="Recommendations (optional)",
        required=False,
        max_length=20 * SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One recommendation a line. The SENCO can make each one a strategy or a target of the plan.",
    )
    report = forms.FileField(
        label="Your report (optional)",
        required=False,
        help_text=f"{ALLOWED_DESCRIPTION[0].upper()}{ALLOWED_DESCRIPTION[1:]}, smaller than "
        f"{max_upload_bytes() // (1024 * 1024)} MB",
    )

    def clean_recommendations(self) -> list[str]:
        try:
            return recommendation_lines(self.cleaned_data["recommendations"])
        except SpecialistError as error:
            raise forms.ValidationError(str(error)) from error


LATER = "Leave it blank until it has happened"


class ReferralForm(Form):
    service = forms.ChoiceField(
        label="Service",
        choices=[("", "Choose a service"), *Service.choices],
        error_messages={"required": "Choose the service"},
    )
    referred_on = ThreePartDateField(label="Date referred")
    accepted_on = ThreePartDateField(label="Date accepted", required=False, help_text=LATER)
    seen_on = ThreePartDateField(label="Date seen", required=False, help_text=LATER)
    report_received_on = ThreePartDateField(label="Date the report was received", required=False, help_text=LATER)
    notes = forms.CharField(
        label="Notes (optional)", required=False, max_length=SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class TargetFromRecommendationForm(Form):
    """What a target needs beyond the recommendation's words: its plan, area and measure."""

    def __init__(self, *args, plans, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.pk, f"{p.get_kind_display()}: {p.title or 'untitled'}") for p in plans]
        self.fields["scale"].queryset = Scale.objects.for_school(school).order_by("name")

    plan = forms.TypedChoiceField(label="Plan", coerce=int, error_messages={"required": "Choose the plan"})
    area = forms.ChoiceField(
        label="Area of need",
        choices=[("", "Choose an area"), *Domain.choices],
        error_messages={"required": "Choose the area of need"},
    )
    scale = forms.ModelChoiceField(
        label="Scale", queryset=Scale.objects.none(), error_messages={"required": "Choose the scale"}
    )
    baseline_value = forms.CharField(
        label="Baseline (now)", max_length=40, error_messages={"required": "Enter the baseline value"}
    )
    target_value = forms.CharField(label="Target value", max_length=40, required=False)
    success_criteria = forms.CharField(
        label="Success criteria (optional)",
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_date = ThreePartDateField(label="Date it should be met by", required=False, help_text="Optional")
