"""Forms for provision pages, in the GOV.UK patterns (three-part dates, clear messages)."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import Form, ModelForm, ThreePartDateField, VersionedForm
from trellis.lib.models import LONG_TEXT, SHORT_TEXT

from .models import Enrolment, FundingStream, Intervention, InterventionGroup, Measure


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


class GroupFields(Form):
    """What a group is: who delivers it, when, how often, and which funding stream pays for it."""

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
    funding = forms.ChoiceField(
        label="Funding stream",
        choices=FundingStream.choices,
        initial=FundingStream.NOTIONAL,
        required=False,
        help_text="Which budget pays for the group (left out: the notional SEN budget). A pupil's place can be "
        "paid from another (element 3, say).",
    )

    def __init__(self, *args, school, **kwargs):
        from trellis.accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            User.objects.filter(memberships__school=school).distinct().order_by("last_name", "first_name")
        )

    def clean_funding(self) -> str:
        return self.cleaned_data["funding"] or FundingStream.NOTIONAL

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return data


class GroupForm(GroupFields):
    intervention = forms.ModelChoiceField(
        queryset=Intervention.objects.none(),
        empty_label="Choose an intervention",
        error_messages={"required": "Choose the intervention"},
    )
    field_order = ["intervention"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, school=school, **kwargs)
        self.fields["intervention"].queryset = Intervention.objects.filter(school=school)


class GroupEditForm(VersionedForm, GroupFields):
    """Change a group; its sessions a week and their length override the catalogue's."""

    sessions_per_week = forms.IntegerField(
        label="Sessions a week (optional)",
        required=False,
        min_value=1,
        max_value=10,
        help_text="Blank: the catalogue's",
    )
    session_minutes = forms.IntegerField(
        label="Session length in minutes (optional)",
        required=False,
        min_value=1,
        max_value=480,
        help_text="Blank: the catalogue's",
    )

    @staticmethod
    def initial_for(group: InterventionGroup) -> dict:
        names = [*GroupFields.base_fields, "sessions_per_week", "session_minutes", "version"]
        return {name: getattr(group, name) for name in names}


def _target_text(measure) -> str:
    return measure.target_text


class EnrolmentEditForm(VersionedForm):
    """A pupil's place in a group: dates (a leaving date when they leave), funding, and entry,
    target and exit on each scale they are measured on (fields `<scale code>-entry` and so on)."""

    starts_on = ThreePartDateField(label="Joining date", error_messages={"required": "Enter the joining date"})
    ends_on = ThreePartDateField(
        label="Leaving date (optional)", required=False, help_text="Blank: with the group to its end"
    )
    funding = forms.ChoiceField(label="Funding stream for this pupil's place", required=False)
    target_description = forms.CharField(
        max_length=SHORT_TEXT, label="Target in words (optional)", required=False, widget=forms.Textarea
    )
    outcome_notes = forms.CharField(
        max_length=SHORT_TEXT, label="Outcome notes (optional)", required=False, widget=forms.Textarea
    )

    def __init__(self, *args, enrolment, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment, self.measures = enrolment, measures
        group_stream = enrolment.group.get_funding_display()
        self.fields["funding"].choices = [("", f"As the group: {group_stream}"), *FundingStream.choices]
        for measure in measures:
            scale = measure.scale
            self.fields[f"{scale.code}-entry"] = forms.CharField(
                label=f"Entry on the {scale.name}",
                max_length=40,
                error_messages={"required": f"Enter the entry on the {scale.name}"},
            )
            self.fields[f"{scale.code}-target"] = forms.CharField(
                label=f"Target on the {scale.name} (optional)",
                max_length=40,
                required=False,
                help_text="+N to gain N steps, or a value on the scale to reach",
            )
            self.fields[f"{scale.code}-exit"] = forms.CharField(
                label=f"Exit on the {scale.name} (optional)", max_length=40, required=False
            )

    @staticmethod
    def initial_for(enrolment: Enrolment, measures) -> dict:
        initial = {name: getattr(enrolment, name) for name in ENROLMENT_FORM_FIELDS}
        for measure in measures:
            code = measure.scale.code
            initial |= {f"{code}-entry": measure.entry, f"{code}-target": _target_text(measure)}
            initial[f"{code}-exit"] = measure.exit
        return initial

    def values_of(self, record):
        measures = Measure.objects.filter(enrolment=record).select_related("scale")
        values = {name: getattr(record, name) for name in ENROLMENT_FORM_FIELDS}
        for m in measures:
            values |= {f"{m.scale.code}-entry": m.entry, f"{m.scale.code}-target": m.target_text}
            values[f"{m.scale.code}-exit"] = m.exit
        return values

    def clean(self):
        from . import scales
        from .services import MeasureInput

        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The leaving date must be on or after the joining date")
        inputs = []
        for measure in self.measures:
            scale = scales.find_scale(measure.scale.code, measure.scale.school_id)
            code, allowed = scale.code, scale.describe_allowed()
            values = {}
            for part in ("entry", "exit"):
                raw = (data.get(f"{code}-{part}") or "").strip()
                try:
                    values[part] = scales.parse_value(scale, raw) if raw else ""
                except scales.ScaleError:
                    self.add_error(f"{code}-{part}", f"The {part} must be on the {scale.called}: {allowed}")
            target_steps, target_value = parse_target(self, f"{code}-target", data.get(f"{code}-target", ""), scale)
            inputs.append(
                MeasureInput(scale, values.get("entry", ""), target_steps, target_value, values.get("exit", ""))
            )
        data["measures"] = inputs
        return data


ENROLMENT_FORM_FIELDS = ["starts_on", "ends_on", "funding", "target_description", "outcome_notes", "version"]


def parse_target(form, field: str, raw: str, scale):
    """(target_steps, target_value) from "+N" or a value on the scale; an error on `field` otherwise."""
    from decimal import Decimal, InvalidOperation

    from . import scales

    target = (raw or "").strip()
    if target.startswith("+"):
        try:
            steps = Decimal(target[1:])
        except InvalidOperation:
            steps = None
        if steps is None or not steps.is_finite() or steps <= 0 or steps >= 10000:
            form.add_error(field, "Enter the target as +N, for example +1, or a value on the scale")
            return None, ""
        return steps, ""
    if target:
        try:
            return None, scales.parse_value(scale, target)
        except scales.ScaleError:
            form.add_error(field, f"Enter the target as +N or one of {scale.describe_allowed()}")
    return None, ""


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
