"""Forms for identification of need, in the GOV.UK patterns (trellis/templates/includes/field.html)."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import Form, OnceForm, ThreePartDateField, VersionedForm
from trellis.lib.models import LONG_TEXT
from trellis.pupils.areas import domain_choices

from .models import Concern, ConcernEvidence


class ConcernFields(Form):
    """What a concern says: raised with ConcernForm, corrected with CorrectConcernForm."""

    area = forms.ChoiceField(
        label="Area of need",
        choices=domain_choices(),
        widget=forms.RadioSelect,
        error_messages={"required": "Select the area of need"},
    )
    what_seen = forms.CharField(
        max_length=LONG_TEXT,
        label="What have you noticed?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Describe what you see or hear, with examples",
        error_messages={"required": "Enter what you have noticed"},
    )
    contexts = forms.CharField(
        label="In which lessons or situations?",
        required=False,
        max_length=300,
        help_text="For example, phonics and independent writing; the playground at lunchtime",
    )
    noticed_since = ThreePartDateField(label="Date you first noticed it", required=False)


class ConcernForm(OnceForm, ConcernFields):
    """Posted twice (a double click, a resent page), it records one concern."""


class SourceFields(Form):
    """The SENCO can also record a concern raised by a parent or arising from a baseline test."""

    source = forms.ChoiceField(label="Who or what raised the concern", choices=Concern.Source.choices)
    raised_by_name = forms.CharField(
        label="Name of the person who raised it",
        required=False,
        max_length=150,
        help_text="For a parent or carer, their name; leave blank if you raised it",
    )


SOURCE_FIRST = ["source", "raised_by_name", "area", "what_seen", "contexts", "noticed_since"]


class SencoConcernForm(SourceFields, ConcernForm):
    field_order = SOURCE_FIRST


class CorrectConcernForm(VersionedForm, ConcernFields):
    """Refused if the concern changed since the form was opened (its version is in the form)."""

    def __init__(self, data=None, *, concern):
        initial = {name: getattr(concern, name) for name in self.base_fields} | {"version": concern.version}
        super().__init__(data, initial=initial)


class SencoCorrectConcernForm(SourceFields, CorrectConcernForm):
    field_order = SOURCE_FIRST


class EvidenceForm(Form):
    kind = forms.ChoiceField(
        label="Kind of evidence",
        choices=ConcernEvidence.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of evidence"},
    )
    date = ThreePartDateField(label="Date of the evidence")
    summary = forms.CharField(
        max_length=LONG_TEXT,
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter a summary"},
    )
    result = forms.CharField(
        label="Result or score",
        required=False,
        max_length=200,
        help_text="For a screening or test: the score or outcome, e.g. standardised score 78",
    )


class RequestViewsForm(Form):
    staff = forms.MultipleChoiceField(
        label="Ask these staff for their views",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one member of staff"},
    )
    question = forms.CharField(
        label="What would you like to know?",
        required=False,
        max_length=300,
        help_text="For example, how do they manage written tasks in your lessons?",
    )

    def __init__(self, data=None, *, choices: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["staff"].choices = choices


class AnswerViewForm(Form):
    response = forms.CharField(
        max_length=LONG_TEXT,
        label="Your view",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you see in your lessons, what helps, what you have tried",
        error_messages={"required": "Enter your view"},
    )


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Concern.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision"},
    )
    reasons = forms.CharField(
        max_length=LONG_TEXT,
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reasons for the decision"},
    )
    decided_on = ThreePartDateField(label="Date of the decision")
