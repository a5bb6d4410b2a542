from django import template

from trellis.pupils.access import can_import

register = template.Library()


@register.filter
def can_import_at(user, school) -> bool:
    """{% if request.user|can_import_at:school %}: import and CTF export links."""
    return can_import(user, school)
