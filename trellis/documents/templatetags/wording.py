"""A draft's wording for a section whose key is only known per pupil (an EHC outcome's commentary)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def section(wording: dict | None, key: str) -> str:
    return (wording or {}).get(key, "") if key else ""
