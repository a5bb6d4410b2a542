from urllib.parse import parse_qsl

from django import template

from trellis.transfer.forms import DestinationForm
from trellis.transfer.services import describe_changes

register = template.Library()


@register.filter
def change_lines(changes, need_names=None) -> list[tuple[str, str, str]]:
    """{% for label, old, new in c.changes|change_lines:need_names %}: a pupil's changes in plain
    words, needs by name (need_names: code -> name, loaded once for the page)."""
    return describe_changes(changes, need_names)


DESTINATION_FIELDS = {"next_la", "next_estab"}


@register.filter
def query_pairs(query: str) -> list[tuple[str, str]]:
    """{% for name, value in query|query_pairs %}: a query string's values (but the next school's
    numbers) as hidden inputs, so the CTF form keeps the register's filters."""
    return [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k not in DESTINATION_FIELDS]


@register.simple_tag
def destination_form() -> DestinationForm:
    """{% destination_form as ctf_form %}: an empty next-school form for a CTF download link."""
    return DestinationForm()
