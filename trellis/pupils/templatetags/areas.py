"""Areas of need in templates: a domain with its broad area, and the key from broad areas to domains."""

from __future__ import annotations

from django import template

from trellis.pupils.areas import UNCATEGORISED, domain_label, domains_by_area

register = template.Library()


@register.filter
def area_of_need(domain: str) -> str:
    """{{ target.area|area_of_need }}: "Speech, language and communication (Communication and interaction)"."""
    return domain_label(domain)


@register.inclusion_tag("includes/areas_key.html")
def areas_key() -> dict:
    """{% areas_key %}: which of the six domains each broad area covers, beside broad-area figures."""
    return {"areas": domains_by_area(), "uncategorised": UNCATEGORISED}
