"""Upload, heading-mapping and CTF destination forms."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import Form

from .export import UNKNOWN_DESTINATION, Destination
from .parsers import EXTRA_FIELDS, FIELD_LABELS, IGNORE, PUPIL_FIELDS

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadForm(Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=(
            "A Common Transfer File (CTF, .xml) or a spreadsheet (.csv or .xlsx) exported from your MIS, "
            "or a transition package (.zip) from the pupil's previous school."
        ),
        error_messages={"required": "Select a file to import"},
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 200 MB")
        if uploaded.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return uploaded


FIELD_CHOICES = [(IGNORE, "Ignore this column"), *[(name, FIELD_LABELS[name]) for name in PUPIL_FIELDS + EXTRA_FIELDS]]


class MappingForm(Form):
    """One choice per heading Trellis did not recognise."""

    def __init__(self, data=None, *, headings: list[str], initial_mapping: dict[str, str]):
        super().__init__(data)
        self.headings = headings
        for index, heading in enumerate(headings):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=f"Column “{heading}”", choices=FIELD_CHOICES, initial=initial_mapping.get(heading, IGNORE)
            )

    def mapping(self) -> dict[str, str]:
        return {heading: self.cleaned_data[f"col_{i}"] for i, heading in enumerate(self.headings)}


class DestinationForm(Form):
    """The next school a CTF is for, when it is known: its LA and establishment numbers (the two
    halves of its DfE number, e.g. 801 and 2001). Both blank: not known."""

    next_la = forms.CharField(
        label="Local authority number",
        required=False,
        max_length=3,
        help_text="3 digits, for example 801",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-4", "autocomplete": "off"}),
        error_messages={"max_length": "Enter the local authority number as 3 digits, for example 801"},
    )
    next_estab = forms.CharField(
        label="Establishment number",
        required=False,
        max_length=4,
        help_text="4 digits, for example 2001",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-4", "autocomplete": "off"}),
        error_messages={"max_length": "Enter the establishment number as 4 digits, for example 2001"},
    )

    def clean(self):
        data = super().clean()
        la, estab = data.get("next_la"), data.get("next_estab")
        if la is None or estab is None:  # already refused as too long
            return data
        if not la and not estab:
            return data
        for name, value, digits, what, example in (
            ("next_la", la, 3, "local authority number", "801"),
            ("next_estab", estab, 4, "establishment number", "2001"),
        ):
            if not value:
                self.add_error(name, f"Enter the {what} too, or leave both blank if the next school is not known")
            elif len(value) != digits or not all(c in "0123456789" for c in value):
                self.add_error(name, f"Enter the {what} as {digits} digits, for example {example}")
        return data

    def destination(self) -> Destination:
        """The chosen school, or the specification's 'not known' (call after is_valid)."""
        la, estab = self.cleaned_data.get("next_la"), self.cleaned_data.get("next_estab")
        return Destination(la, estab) if la and estab else UNKNOWN_DESTINATION
