"""Upload and heading-mapping forms."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import Form

from .parsers import EXTRA_FIELDS, FIELD_LABELS, IGNORE, PUPIL_FIELDS

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadForm(Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="A Common Transfer File (CTF, .xml) or a spreadsheet (.csv or .xlsx) exported from your MIS.",
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
