from django import template

from trellis.documents.pdf import pango_missing

register = template.Library()


@register.simple_tag
def pdf_unavailable() -> str:
    """Why PDFs cannot be made on this server ("" when they can): the download buttons say so."""
    return pango_missing()
