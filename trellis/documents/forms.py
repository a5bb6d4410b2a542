"""The SENCO's forms for the SEN information report."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import OnceForm, ThreePartDateField, VersionedForm
from trellis.lib.models import LONG_TEXT

from .models import InformationReport


class SectionForm(VersionedForm):
    text = forms.CharField(
        label="What the school does",
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={
            "required": "Write what the school does under this heading",
            "max_length": f"Keep this heading to {LONG_TEXT:,} characters or fewer",
        },
        help_text="Plain words for parents. Leave a blank line between paragraphs.",
    )


def _contact(name: str, field_class=forms.CharField, **kwargs) -> forms.Field:
    model_field = InformationReport._meta.get_field(name)
    label = model_field.verbose_name[:1].upper() + model_field.verbose_name[1:]
    if field_class is forms.URLField:
        kwargs["assume_scheme"] = "https"
    return field_class(label=label, required=False, max_length=model_field.max_length, **kwargs)


class ContactsForm(VersionedForm):
    senco_name = _contact("senco_name", help_text="Needed before publishing")
    senco_email = _contact("senco_email", forms.EmailField, help_text="Needed before publishing")
    senco_phone = _contact("senco_phone")
    sendiass_name = _contact("sendiass_name", help_text="Needed before publishing. For example: Barnet SENDIASS")
    sendiass_phone = _contact("sendiass_phone")
    sendiass_email = _contact("sendiass_email", forms.EmailField)
    sendiass_website = _contact(
        "sendiass_website", forms.URLField, help_text="Needed before publishing. Starts with https://"
    )
    local_offer_website = _contact(
        "local_offer_website",
        forms.URLField,
        help_text="Needed before publishing: the local authority's local offer page. Starts with https://",
    )


class TrainingForm(OnceForm):
    course = forms.CharField(
        label="Training", max_length=200, error_messages={"required": "Enter the name of the training"}
    )
    attended_by = forms.CharField(
        label="Who took it",
        max_length=200,
        help_text="A group of staff, not names. For example: All teaching assistants",
        error_messages={"required": "Enter who took the training"},
    )
    completed_on = ThreePartDateField(label="Date of the training")
