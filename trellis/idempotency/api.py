"""The API's side of create-once: the `Idempotency-Key` header, documented in the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from ninja import Header

IDEMPOTENCY_HELP = (
    "Optional. A key of your choosing (a UUID, say), up to 255 characters, new for each record you mean to "
    "create. Sent again by the same user within 24 hours, with the same request, it creates nothing new and "
    "answers as the first time (with the header Idempotent-Replayed: true): so a request whose answer was lost "
    "can safely be sent again. The same key with a different request is a 422."
)

IdempotencyKey = Annotated[
    str | None,
    Header(None, alias="Idempotency-Key", max_length=255, min_length=1, description=IDEMPOTENCY_HELP),
]


def mark_replayed(response: HttpResponse) -> None:
    response["Idempotent-Replayed"] = "true"
