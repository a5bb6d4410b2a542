"""Forms for scheduling and recording meetings: they check what a person typed; the rules are
the services'."""

from __future__ import annotations

from django import forms

from trellis.assessment.models import Scale
from trellis.identification.models import AreaOfNeed
from trellis.lib.forms import Form, ThreePartDateField
from trellis.pupils.models import SenStatus

from .models import Decision, Meeting

YES_NO = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ScheduleForm(Form):
    kind = forms.ChoiceField(label="Who is the meeting for?", choices=Meeting.Kind.choices, widget=forms.RadioSelect)
    teaching_group = forms.ModelChoiceField(
        label="Class", queryset=None, required=False, help_text="For a meeting about a class"
    )
    pupils = forms.ModelMultipleChoiceField(
        label="Pupils",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a meeting about a group of pupils or one pupil",
    )
    held_on = ThreePartDateField(label="Date of the meeting")
    starts_at = forms.TimeField(label="Time", required=False, help_text="For example, 15:30")
    place = forms.CharField(label="Place", max_length=120, required=False)
    staff = forms.ModelMultipleChoiceField(
        label="Staff attending", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    invite = forms.BooleanField(label="Email the invitation to the staff attending now", required=False)

    def __init__(self, *args, groups, pupils, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teaching_group"].queryset = groups
        self.fields["pupils"].queryset = pupils
        self.fields["pupils"].label_from_instance = lambda p: f"{p.full_name} (Year {p.nc_year_label})"
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class DiscussionForm(Form):
    parent_attended = forms.ChoiceField(label="Did a parent or carer come?", choices=YES_NO, required=False)
    parent_names = forms.CharField(label="Who came for the family", max_length=200, required=False)
    pupil_attended = forms.ChoiceField(label="Did the pupil come?", choices=YES_NO, required=False)
    discussion = forms.CharField(
        label="What was discussed",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Progress in each area of need, the evidence, what worked best, the new targets",
    )
    reasons = forms.ModelMultipleChoiceField(
        label="Reasons for less than expected progress",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason_notes = forms.CharField(
        label="More about the reasons, and what will be done",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].queryset = reasons

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["parent_attended"] = _yes_no(data["parent_attended"])
        data["pupil_attended"] = _yes_no(data["pupil_attended"])
        return data

    @staticmethod
    def initial_for(discussion) -> dict:
        shown = {True: "yes", False: "no", None: ""}
        return {
            "parent_attended": shown[discussion.parent_attended],
            "parent_names": discussion.parent_names,
            "pupil_attended": shown[discussion.pupil_attended],
            "discussion": discussion.discussion,
            "reasons": list(discussion.reasons.all()),
            "reason_notes": discussion.reason_notes,
        }


class ActionForm(Form):
    text = forms.CharField(label="What will be done", max_length=300)
    owner = forms.ModelChoiceField(label="Owner: a member of staff", queryset=None, required=False)
    owner_parent = forms.CharField(
        label="Or owner: a parent or carer",
        max_length=120,
        required=False,
        help_text="Their name as the family would write it, for example Mrs Khan (mum)",
    )
    due_on = ThreePartDateField(label="Due date")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def clean(self):
        data = super().clean()
        if data.get("owner") is None and not data.get("owner_parent"):
            self.add_error("owner", "Choose who owns the action: a member of staff or a parent")
        elif data.get("owner") is not None and data.get("owner_parent"):
            self.add_error("owner_parent", "Give one owner: a member of staff or a parent, not both")
        return data


class ReasonForm(Form):
    text = forms.CharField(label="A reason to add to your school's list", max_length=120)


class DecisionForm(Form):
    """One form for every kind of decision; each kind uses the fields its fieldset groups."""

    kind = forms.ChoiceField(label="What was decided", choices=(), widget=forms.RadioSelect)
    summary = forms.CharField(
        label="In words a parent will read",
        max_length=300,
        required=False,
        help_text="Required for a referral or an EHC needs assessment request (the reasons)",
    )
    enrolment = forms.ModelChoiceField(label="Intervention", queryset=None, required=False)
    extend_to = ThreePartDateField(label="Extend until", required=False)
    adapted = forms.CharField(label="How it is adapted", max_length=2000, required=False)
    target = forms.ModelChoiceField(label="Target to change", queryset=None, required=False)
    plan = forms.ModelChoiceField(label="Plan for the new target", queryset=None, required=False)
    description = forms.CharField(label="Target", max_length=2000, required=False)
    area = forms.ChoiceField(
        label="Area of need",
        choices=[("", "Choose"), *AreaOfNeed.choices],
        required=False,
        help_text="For a new target, a referral or an EHC needs assessment request",
    )
    scale = forms.ModelChoiceField(label="Scale", queryset=None, required=False)
    baseline_value = forms.CharField(label="Baseline (now)", max_length=40, required=False)
    target_value = forms.CharField(label="Value to reach", max_length=40, required=False)
    target_date = ThreePartDateField(label="Target review date", required=False)
    status = forms.ChoiceField(
        label="New SEN status",
        choices=[("", "Choose"), *[(c, label) for c, label in SenStatus.choices if c != SenStatus.EHC_PLAN]],
        required=False,
    )

    def __init__(self, *args, kinds, enrolments, targets, plans, school, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Decision.Kind.choices)
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]
        self.fields["enrolment"].queryset = enrolments
        self.fields["enrolment"].label_from_instance = lambda e: str(e.group)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda t: t.description[:80]
        self.fields["plan"].queryset = plans
        self.fields["scale"].queryset = Scale.objects.for_school(school)
