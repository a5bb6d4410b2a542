"""Form pieces in the GOV.UK Design System's patterns (three-part dates, clear messages)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.shortcuts import redirect
from django.utils.dateformat import format as format_date

from trellis.idempotency.services import AlreadySaved

from .versions import EditConflict

# NUL breaks PostgreSQL text; the bidirectional overrides and isolates (U+202A-202E, U+2066-2069)
# make a name or comment display as something other than what it is ("Trojan Source").
UNSAFE_CHARACTERS = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    """`value` without NUL and bidirectional override characters; every text input goes through it."""
    return UNSAFE_CHARACTERS.sub("", value)


def _cleaned(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


class CleanTextMixin:
    """Takes unsafe characters out of everything posted (or in the query string) before the
    fields see it, so no form can forget. Every form in Trellis uses it (via Form or ModelForm)."""

    def full_clean(self) -> None:
        if self.is_bound and hasattr(self.data, "lists"):
            data = self.data.copy()
            for key, values in self.data.lists():
                data.setlist(key, [_cleaned(value) for value in values])
            self.data = data
        elif self.is_bound:
            self.data = {key: _cleaned(value) for key, value in self.data.items()}
        super().full_clean()


class Form(CleanTextMixin, forms.Form):
    pass


class ModelForm(CleanTextMixin, forms.ModelForm):
    pass


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


def new_token() -> str:
    """A one-time form token (trellis.idempotency): unguessable, so one person's cannot be replayed by another."""
    return secrets.token_urlsafe(24)


class OnceForm(Form):
    """A form that creates a record, with a one-time token: posting it twice (a double click, a
    resent page) saves once (trellis.idempotency). A re-shown form keeps its token."""

    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255, initial=new_token)


class VersionedForm(Form):
    """An edit form carrying the version of the record it was opened at (trellis.lib.versions).
    When the record changed since, `conflict` keeps the person's values in the form, says who
    changed it and when, and lists both versions of each field that differs (includes/conflict.html)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        error_messages=dict.fromkeys(
            ["invalid", "min_value"], "The form's version number is not valid: open the form again"
        ),
    )
    differences: tuple[tuple[str, str, str], ...] = ()  # (label, current, yours) after a conflict

    def values_of(self, record: models.Model) -> dict[str, Any]:
        """The record's values in this form's terms (forms whose fields are not its attributes override)."""
        return {name: getattr(record, name) for name in self.fields if hasattr(record, name)}

    def conflict(self, error: EditConflict) -> None:
        if error.record is None:
            self.add_error(None, f"{error} Your changes are not saved; they are below if you need them.")
            return
        self.add_error(
            None, f"{error} Your changes are not saved yet: check them against the current version, then save again."
        )
        current = self.values_of(error.record)
        rows = []
        for name, field in self.fields.items():
            mine = self.cleaned_data.get(name)
            if not field.widget.is_hidden and name in current and _comparable(current[name]) != _comparable(mine):
                rows.append((self[name].label, _shown(field, current[name]), _shown(field, mine)))
        self.differences = tuple(rows)
        # Saving again now means "mine, having seen theirs": it goes on from the current version.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(error.version)


def _comparable(value: Any) -> Any:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return "\n".join(line.rstrip() for line in value.strip().splitlines())
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return sorted(str(_comparable(item)) for item in value)
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _shown(field: forms.Field, value: Any) -> str:
    """A value as a person reads it: dates in words, choices by their labels, blank as "(blank)"."""
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, dt.date):
        return format_date(value, "j F Y")
    if isinstance(value, models.Model):
        return str(value)
    choices = {str(key): label for key, label in getattr(field, "choices", ()) if not isinstance(label, list | tuple)}
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(choices.get(str(item), item)) for item in value)
    return str(choices.get(str(value), value))


def saved_form(request, form: forms.Form, save, *, errors, done: str, then: str, field: str | None = None):
    """Save a posted, valid form with `save(**cleaned_data)`, say `done` and redirect to `then`.
    None means show the form again: not posted, not valid, `save` raised one of `errors` (its
    message goes on `field`, or at the top of the form), or the record changed since the form
    was opened (VersionedForm.conflict). A form already saved once goes to `then` as well."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save(**form.cleaned_data)
    except AlreadySaved as saved:
        messages.info(request, str(saved))
        return redirect(then)
    except EditConflict as conflict:
        form.conflict(conflict)
        return None
    except errors as error:
        form.add_error(field, str(error))
        return None
    messages.success(request, done)
    return redirect(then)
