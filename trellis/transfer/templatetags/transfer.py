from django import template

from trellis.transfer.services import describe_changes

register = template.Library()


@register.filter
def change_lines(changes, need_names=None) -> list[tuple[str, str, str]]:
    """{% for label, old, new in c.changes|change_lines:need_names %}: a pupil's changes in plain
    words, needs by name (need_names: code -> name, loaded once for the page)."""
    return describe_changes(changes, need_names)
