from django import template

from trellis.transfer.services import describe_changes

register = template.Library()


@register.filter
def change_lines(changes) -> list[tuple[str, str, str]]:
    """{% for label, old, new in c.changes|change_lines %}: a pupil's changes in plain words."""
    return describe_changes(changes)
