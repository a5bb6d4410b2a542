"""HTML to PDF with WeasyPrint, tagged (PDF/UA-1) so screen readers get headings, tables and alt text.

WeasyPrint needs the Pango library from the operating system. Where it cannot load it, Trellis
still runs: `pango_missing()` says why, the HTML versions work, and the PDF links say how to
install it.
"""

from __future__ import annotations

import functools

from django.contrib.staticfiles import finders

INSTALL_HINT = (
    "PDFs need the Pango library: install it with your operating system's packages "
    "(Debian and Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0), then restart Trellis. "
    "The web page version works without it."
)
STYLESHEET = "trellis/documents.css"


class PdfUnavailable(RuntimeError):
    pass


@functools.cache
def pango_missing() -> str:
    """Why PDFs cannot be made here ("" when they can): WeasyPrint fails to import without Pango."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"{INSTALL_HINT} ({error.__class__.__name__}: {str(error)[:200]})"
    return ""


def write_pdf(html: str, *, base_url: str = "") -> bytes:
    """A tagged PDF/UA-1 of the page; the language comes from <html lang="en-GB">."""
    if reason := pango_missing():
        raise PdfUnavailable(reason)
    import weasyprint

    css = weasyprint.CSS(filename=finders.find(STYLESHEET))
    return weasyprint.HTML(string=html, base_url=base_url or None).write_pdf(
        stylesheets=[css], pdf_variant="pdf/ua-1", uncompressed_pdf=False
    )
