from django import template

from trellis.pupils.access import can_import
from trellis.transfer.services import describe_changes

register = template.Library()


@register.filter
def can_import_at(user, school) -> bool:
    """{% if request.user|can_import_at:school %}: import and CTF export links."""
    return can_import(user, school)


@register.filter
def change_lines(changes) -> list[tuple[str, str, str]]:
    """{% for label, old, new in c.changes|change_lines %}: a pupil's changes in plain words."""
    return describe_changes(changes)
