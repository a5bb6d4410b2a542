"""A page's query string checked by Django form fields: a value the page cannot use is a 400 page
(trellis.lib.middleware.BadQueryMiddleware) that names the parameter and what is wrong, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest

from trellis.lib.forms import clean_text

# Ids and numbers in a URL fit a 64-bit column on SQLite and PostgreSQL.
MAX_ID = 2**63 - 1


class BadQuery(BadRequest):
    """The query string cannot be used; `problems` are "name: message" lines for the 400 page."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def problems_of(form: forms.Form) -> list[str]:
    """Each error of a query-string form, named by its parameter as it appears in the URL."""
    return [
        f"'{name}': {message}" if name != forms.forms.NON_FIELD_ERRORS else message
        for name, messages in form.errors.items()
        for message in messages
    ]


def check_query(form: forms.Form) -> dict[str, Any]:
    """The cleaned values of a bound query-string form, or BadQuery naming every problem."""
    if not form.is_valid():
        raise BadQuery(problems_of(form))
    return form.cleaned_data


def audited_query(request: HttpRequest) -> dict[str, str]:
    """The query string for an audit event's `changes`, without NUL and bidirectional controls
    (PostgreSQL cannot store NUL in JSON; the audit trail must read as what was asked)."""
    return {clean_text(key): clean_text(value) for key, value in request.GET.items() if value and key != "page"}


def query_value(request: HttpRequest, name: str, field: forms.Field) -> Any:
    """One parameter of the query string cleaned by `field` (a page with a single choice needs no form)."""
    try:
        return field.clean(request.GET.get(name, ""))
    except ValidationError as error:
        raise BadQuery([f"'{name}': {message}" for message in error.messages]) from None


class IdField(forms.IntegerField):
    """A record's id in a URL: a positive whole number that fits the database."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class NcYearField(forms.IntegerField):
    """A national curriculum year in a URL: -2 to 14, or its label (N1, N2, R)."""

    LABELS = {"N1": -2, "N2": -1, "R": 0}

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(min_value=-2, max_value=14, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip().upper() in self.LABELS:
            return self.LABELS[value.strip().upper()]
        return super().to_python(value)


class TermField(forms.CharField):
    """A term in a URL, as 'autumn' or '2026/27 autumn' (checked against the calendar by the page)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(max_length=20, **kwargs)
