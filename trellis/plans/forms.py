"""Forms for plans, targets and reviews (GOV.UK patterns; values checked against their scale)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from trellis.assessment.models import Domain, Scale
from trellis.assessment.scales import ScaleError, parse_value
from trellis.lib.forms import Form, OnceForm, ThreePartDateField, VersionedForm
from trellis.lib.models import LONG_TEXT, SHORT_TEXT
from trellis.pupils.areas import domain_choices

from . import services
from .models import Breadth, EhcOutcome, Plan

MAX_OUTCOMES_TEXT = LONG_TEXT * 4  # every outcome of a plan together (each may have LONG_TEXT)


class PlanForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Type of plan",
        choices=Plan.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of plan"},
    )
    title = forms.CharField(label="Title", required=False, max_length=200)
    strengths = forms.CharField(
        max_length=LONG_TEXT, label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pupil_good_at = forms.CharField(
        max_length=LONG_TEXT, label="What I am good at", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pupil_find_hard = forms.CharField(
        max_length=LONG_TEXT, label="What I find hard", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pupil_what_helps = forms.CharField(
        max_length=LONG_TEXT, label="What helps me", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pupil_views_how = forms.CharField(
        label="How the pupil's views were gathered",
        required=False,
        max_length=200,
        help_text="For example, written with Sam by his TA using symbols",
    )
    parent_views = forms.CharField(
        max_length=LONG_TEXT,
        label="Parents' and carers' views",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    strategies = forms.CharField(
        max_length=LONG_TEXT, label="Strategies for all staff", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    provision = forms.CharField(
        max_length=LONG_TEXT,
        label="Provision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Interventions and support in place",
    )
    starts_on = ThreePartDateField(label="Start date", required=False)
    review_on = ThreePartDateField(label="Next review date", required=False)
    written_by = forms.CharField(
        label="Written by, with",
        required=False,
        max_length=300,
        help_text="For example, Ms Khan (SENCO) with Sam and his mum",
    )

    def __init__(self, data=None, *, plan: Plan | None = None):
        super().__init__(data)
        for area, label in domain_choices():
            self.fields[f"need_{area}"] = forms.CharField(
                max_length=LONG_TEXT, label=f"Needs: {label}", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        if plan is not None and plan.kind == Plan.Kind.EHC:
            self.fields["outcomes"] = forms.CharField(
                label="EHC plan outcomes",
                required=False,
                max_length=MAX_OUTCOMES_TEXT,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="One a line, as the plan words them",
            )
        if plan is None:
            del self.fields["version"]  # a new plan
        else:
            for name, value in self.values_of(plan).items():
                self.fields[name].initial = value
            self.fields["version"].initial = plan.version

    def values_of(self, record: Plan) -> dict:
        values = {}
        for name in self.fields:
            if name.startswith("need_"):
                values[name] = record.needs.get(name.removeprefix("need_"), "")
            elif name == "outcomes":
                values[name] = "\n".join(o.text for o in record.outcomes.all())
            elif name != "version":
                values[name] = getattr(record, name)
        return values

    def clean_outcomes(self) -> str:
        """The outcomes one a line, trimmed (PlanError from the service's check, as a field error)."""
        try:
            return "\n".join(services.checked_outcomes(self.cleaned_data["outcomes"].splitlines()))
        except services.PlanError as error:
            raise forms.ValidationError(str(error)) from error

    def outcome_texts(self) -> list[str] | None:
        """The EHC plan outcomes posted, in order; None for a plan without them (left as they are)."""
        if "outcomes" not in self.fields:
            return None
        return self.cleaned_data["outcomes"].splitlines()

    def plan_content(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("outcomes", None)
        data["needs"] = {area: data.pop(f"need_{area}") for area, _ in Domain.choices if data.get(f"need_{area}")}
        for area, _ in Domain.choices:
            data.pop(f"need_{area}", None)
        return data


class SmartWarningsMixin:
    """The SMART check of a target form: one method for the form's page and for its htmx check."""

    target = None  # the target being changed, if any

    def smart_warnings(self) -> list[str]:
        """Warnings for what was typed (checked so far as it is valid: a value not on the scale
        counts as missing); for a form not yet posted, the saved target's, or none for a new one."""
        if not self.is_bound:
            return services.target_smart_warnings(self.target) if self.target is not None else []
        self.is_valid()  # cleans once; cleaned_data keeps the fields that are valid
        data = self.cleaned_data
        return services.smart_warnings(
            description=data.get("description", ""),
            success_criteria=data.get("success_criteria", ""),
            target_value=data.get("target_value", ""),
            steps_to_gain=data.get("steps_to_gain"),
            target_date=data.get("target_date"),
            scale=data.get("scale"),
        )


class TargetForm(SmartWarningsMixin, VersionedForm):
    description = forms.CharField(
        max_length=SHORT_TEXT,
        label="Target",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the pupil will be able to do, how well, in which situation",
        error_messages={"required": "Enter the target"},
    )
    area = forms.ChoiceField(
        label="Area of need", choices=domain_choices(), error_messages={"required": "Select the area of need"}
    )
    outcome = forms.ModelChoiceField(label="EHC plan outcome", queryset=EhcOutcome.objects.none(), required=False)
    scale = forms.ModelChoiceField(
        label="Scale", queryset=Scale.objects.none(), error_messages={"required": "Select the scale"}
    )
    baseline_value = forms.CharField(
        label="Baseline value", max_length=40, error_messages={"required": "Enter the baseline value"}
    )
    target_value = forms.CharField(
        label="Target value", max_length=40, required=False, help_text="Or leave blank and give the steps to gain"
    )
    steps_to_gain = forms.DecimalField(
        label="Steps to gain", required=False, min_value=0, max_digits=7, decimal_places=2
    )
    success_criteria = forms.CharField(
        max_length=SHORT_TEXT, label="Success criteria", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    small_steps = forms.CharField(
        max_length=LONG_TEXT,
        label="Small steps",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, in order",
    )
    strategies = forms.CharField(
        max_length=LONG_TEXT, label="Strategies", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.CharField(label="Who is responsible", required=False, max_length=200)
    starts_on = ThreePartDateField(label="Start date")
    target_date = ThreePartDateField(
        label="Review date", required=False, help_text="When the target should be met, for example 27 3 2026"
    )

    def __init__(self, data=None, *, plan: Plan, target=None):
        super().__init__(data)
        self.target = target
        self.fields["scale"].queryset = Scale.objects.for_school(plan.pupil.school_id).order_by("name")
        self.fields["outcome"].queryset = plan.outcomes.all()
        if plan.kind != Plan.Kind.EHC:
            del self.fields["outcome"]
        self.fields["starts_on"].initial = timezone.localdate()
        if target is not None:
            for name, value in self.values_of(target).items():
                self.fields[name].initial = value
            self.fields["version"].initial = target.version
        else:
            del self.fields["version"]

    def values_of(self, record) -> dict:
        values = {name: getattr(record, name) for name in self.fields if name not in {"version", "small_steps"}}
        return values | {"small_steps": "\n".join(s.text for s in record.small_steps.all())}

    def clean(self):
        data = super().clean()
        scale = data.get("scale")
        if scale is None:
            return data
        for name in ("baseline_value", "target_value"):
            if data.get(name):
                try:
                    data[name] = parse_value(scale, data[name])
                except ScaleError as error:
                    self.add_error(name, str(error))
        return data


class ReviewForm(Form):
    """A review's value, comment and date (NewReviewForm records one, CorrectReviewForm corrects one)."""

    value = forms.CharField(label="Value", max_length=40, error_messages={"required": "Enter the value"})
    comment = forms.CharField(
        max_length=SHORT_TEXT, label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    date = ThreePartDateField(label="Review date")

    def __init__(self, data=None, *, target, initial=None):
        super().__init__(data, initial=initial)
        self.target = target
        self.fields["date"].initial = timezone.localdate()
        self.fields["value"].help_text = f"On the {target.scale.called}: {target.scale.describe_allowed()}"
        if target.scale.is_linear:  # horizontal progress is only a choice on scales where it is common
            del self.fields["breadth"], self.fields["evidence"]

    breadth = forms.ChoiceField(
        label="Progress across contexts (optional)",
        choices=[("", "Neither: only the value above"), *Breadth.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "On this scale progress is often horizontal. Consolidating: the same step more reliably, with "
            "less support. Generalised: the same step in a new place, with new people or activities."
        ),
    )
    evidence = forms.CharField(
        max_length=SHORT_TEXT,
        label="Evidence of progress across contexts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed with consolidating or generalised: what the pupil did, where and with whom.",
    )

    def clean(self):
        data = super().clean()
        if data.get("breadth") and not (data.get("evidence") or "").strip():
            label = Breadth(data["breadth"]).label.lower()
            self.add_error("evidence", f"Give the evidence for ‘{label}’: what the pupil did, where and with whom")
        return data

    def clean_value(self):
        try:
            return parse_value(self.target.scale, self.cleaned_data["value"])
        except ScaleError as error:
            raise forms.ValidationError(str(error)) from error


class NewReviewForm(OnceForm, ReviewForm):
    """Posted twice (a double click, a resent page), it records one review."""


class CorrectReviewForm(VersionedForm, ReviewForm):
    """Refused if the review changed since the form was opened (its version is in the form)."""

    def __init__(self, data=None, *, target, review):
        initial = {"value": review.value, "comment": review.comment, "date": review.date, "version": review.version}
        initial |= {"breadth": review.breadth, "evidence": review.evidence}
        super().__init__(data, target=target, initial=initial)
