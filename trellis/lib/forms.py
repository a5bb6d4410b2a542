"""Form pieces in the GOV.UK Design System's patterns (three-part dates, clear messages)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import redirect


class ThreePartDateWidget(forms.MultiWidget):
    template_name = "includes/date_widget.html"

    def __init__(self, attrs=None):
        parts = [
            forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-2", "autocomplete": "off"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-2", "autocomplete": "off"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-4", "autocomplete": "off"}),
        ]
        super().__init__(parts, attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], ["Day", "Month", "Year"], strict=True):
            subwidget["part_label"] = label
        return context


class ThreePartDateField(forms.MultiValueField):
    """Day, month and year boxes; errors say which part is wrong ("Enter the review date")."""

    widget = ThreePartDateWidget

    def __init__(self, *, label: str, **kwargs):
        self.noun = label.lower()
        fields = [forms.CharField(), forms.CharField(), forms.CharField()]
        super().__init__(fields, label=label, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            if self.required:
                raise forms.ValidationError(f"Enter the {self.noun}")
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise forms.ValidationError(f"The {self.noun} must include a {' and '.join(missing)}")
        if not (day.isdecimal() and month.isdecimal() and year.isdecimal()) or len(year) != 4:
            raise forms.ValidationError(f"The {self.noun} must be a real date, for example 27 3 2026")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"The {self.noun} must be a real date") from None


def saved_form(request, form: forms.Form, save, *, errors, done: str, then: str, field: str | None = None):
    """Save a posted, valid form with `save(**cleaned_data)`, say `done` and redirect to `then`.
    None means show the form again: not posted, not valid, or `save` raised one of `errors`
    (its message goes on `field`, or at the top of the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save(**form.cleaned_data)
    except errors as error:
        form.add_error(field, str(error))
        return None
    messages.success(request, done)
    return redirect(then)
