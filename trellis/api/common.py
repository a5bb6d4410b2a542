"""What every API operation shares: one error shape, the error statuses each operation declares,
and typed ids and URNs, so that the OpenAPI schema says what the API accepts and answers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import BeforeValidator, Field, Strict

from trellis.lib.forms import clean_text

# What a pattern means, for the message when a value does not match it (pydantic would quote the regex).
_PATTERN_HINTS: dict[str, str] = {}


def matching(pattern: str, description: str, message: str | None = None, **kwargs: Any) -> Any:
    """A pydantic Field constrained to `pattern`, described in the schema, with its own error message."""
    _PATTERN_HINTS[pattern] = message or f"Should be {description[0].lower()}{description[1:]}"
    return Field(pattern=pattern, description=description, **kwargs)


NOT_BLANK = r"\S"

# Text posted to the API loses NUL and bidirectional override characters, as a form's text does.
CleanText = Annotated[str, BeforeValidator(lambda value: clean_text(value) if isinstance(value, str) else value)]


def text(max_length: int, **kwargs: Any) -> Any:
    """A text that must say something: at least one character other than spaces, at most `max_length`."""
    description = kwargs.pop("description", f"Not blank, at most {max_length:,} characters")
    return matching(NOT_BLANK, description, "Should not be blank", min_length=1, max_length=max_length, **kwargs)


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD, as the schema says: pydantic alone would also take 0 as 1 January 1970."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Should be a date like 2026-09-01")
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]

# Primary keys are BigAutoField: 1 up to the largest 64-bit integer on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id (1 to 2**63 - 1)")]
NeedCode = Annotated[str, matching(r"^[A-Za-z]{2,8}$", "A census type of need, e.g. SLCN")]
TargetIds = Annotated[list[Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]], Field(max_length=100)]
Urn = Annotated[str, matching(r"^[0-9]{6}$", "A school's unique reference number (6 digits)")]


class FieldError(Schema):
    field: str = Field(description="Where: the parameter or body field, e.g. `limit` or `targets.0`")
    message: str


class ErrorOut(Schema):
    """Every error the API answers: a message for a person, and each field at fault."""

    detail: str = Field(description="What is wrong, in a sentence")
    errors: list[FieldError] = Field(description="Each parameter or field at fault; empty when none is")
    allowed: str | None = Field(None, description="For a value not on a target's scale: the values it takes")


# Declared on every operation, so that a client knows every status the API may answer.
ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)

ERROR_DESCRIPTIONS = {
    400: "The request cannot be read (a body that is not JSON), or its parameters do not go together",
    401: "No valid bearer token or signed-in session",
    403: "You may see this record but not change it",
    404: "No such record, or not one you may see (the two look the same)",
    409: "The request conflicts with the record as it is now",
    422: "A parameter or field is missing, of the wrong type or out of range (listed in `errors`), "
    "or breaks a rule of the record (the message says which)",
}


class ApiError(HttpError):
    """An error answered in the one shape, optionally naming the values a field takes."""

    def __init__(self, status_code: int, message: str, *, field: str | None = None, allowed: str | None = None):
        super().__init__(status_code, message)
        self.field = field
        self.allowed = allowed


def error_body(detail: str, errors: list[dict[str, str]] | None = None, allowed: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "errors": errors or []}
    if allowed is not None:
        body["allowed"] = allowed
    return body


# The names our operations give a whole body or a group of query parameters, which ninja puts in `loc`.
_WRAPPERS = {"payload", "query"}


def _field(loc: list[Any] | tuple[Any, ...]) -> str:
    """("body", "payload", "targets", 0) -> "targets.0"; ("query", "limit") -> "limit"."""
    parts = [str(part) for part in loc[1:]]
    if len(parts) > 1 and parts[0] in _WRAPPERS:
        parts = parts[1:]
    return ".".join(parts) or str(loc[0])


def _message(error: dict[str, Any]) -> str:
    hint = _PATTERN_HINTS.get(str(error.get("ctx", {}).get("pattern")))
    if error.get("type") == "string_pattern_mismatch" and hint:
        return hint
    return str(error.get("msg", "Invalid value"))


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"field": _field(error.get("loc", ())), "message": _message(error)} for error in errors]


def install_error_handlers(api: NinjaAPI) -> None:
    """ninja answers its own validation errors with a list in `detail`; ours always carry a string."""

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = validation_errors(exc.errors)
        first = errors[0] if errors else {"field": "request", "message": "Invalid request"}
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        detail = f"{first['field']}: {first['message']}{more}"
        return api.create_response(request, error_body(detail, errors), status=422)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        field = getattr(exc, "field", None)
        errors = [{"field": field, "message": str(exc)}] if field else []
        return api.create_response(
            request, error_body(str(exc), errors, getattr(exc, "allowed", None)), status=exc.status_code
        )

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same words whether the record is missing or hidden, so a 404 reveals nothing.
        return api.create_response(request, error_body("Not found"), status=404)

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)


def describe_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Give each declared error status its meaning in the OpenAPI schema (ninja writes the bare phrase)."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if int(status) in ERROR_DESCRIPTIONS:
                    response["description"] = ERROR_DESCRIPTIONS[int(status)]
    return schema
