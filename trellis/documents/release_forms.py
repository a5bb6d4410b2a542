"""Pupils' documents: the draft's wording (plain text per section), the send log's form and the batch form."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import Form
from trellis.lib.models import LONG_TEXT

from .registry import Kind
from .release_models import Sending


class WordingForm(Form):
    """One text box per section the SENCO may change; empty keeps the document's own words."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, kind: Kind, pupil, **kwargs):
        super().__init__(*args, **kwargs)
        sections = kind.editable_sections(pupil)
        for key, label in sections:
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="Plain text: leave a blank line between paragraphs. Leave empty to keep the usual words.",
            )
        self.sections = [key for key, _ in sections]
        self.labelled = sections

    def wording(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in self.sections}


class SendForm(Form):
    recipient = forms.ChoiceField(
        label="Who did it go to?", choices=Sending.Recipient.choices, widget=forms.RadioSelect
    )
    carer = forms.ChoiceField(label="Which parent or carer", required=False)
    recipient_name = forms.CharField(
        label="Name (of the person, the local authority's team, or the school)", required=False, max_length=200
    )
    method = forms.ChoiceField(label="How", choices=Sending.Method.choices, widget=forms.RadioSelect)
    email = forms.EmailField(label="Email address (when emailing)", required=False)

    def __init__(self, *args, carers, **kwargs):
        super().__init__(*args, **kwargs)
        self.carers = {str(c.pk): c for c in carers}
        self.fields["carer"].choices = [("", "Not a parent or carer")] + [
            (str(c.pk), f"{c.user.get_full_name() or c.user.get_username()} ({c.get_relationship_display()})")
            for c in carers
        ]

    def clean(self):
        data = super().clean()
        if data.get("recipient") == Sending.Recipient.CARER and not data.get("carer"):
            self.add_error("carer", "Choose which parent or carer it went to")
        data["carer"] = self.carers.get(data.get("carer") or "")
        return data


class BatchForm(Form):
    kind = forms.ChoiceField(label="Which document")
    group = forms.ChoiceField(label="For which pupils", required=False)

    def __init__(self, *args, kinds, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.slug, k.title) for k in kinds]
        self.groups = {str(g.pk): g for g in groups}
        self.fields["group"].choices = [("", "Every pupil on the register I may see")] + [
            (str(g.pk), f"Class {g.name}") for g in groups
        ]
