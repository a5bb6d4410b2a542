"""The 500 page. Django's own renders it without the request (no navigation); this one draws the
site's header for the signed-in person when it can, and falls back to the bare page when drawing
it fails too (the database may be what went wrong)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    template = loader.get_template(template_name)
    try:
        return HttpResponseServerError(template.render({}, request))
    except Exception:  # anything: the page must still be sent
        logger.warning("The 500 page could not be drawn with the request; sending it bare", exc_info=True)
        return HttpResponseServerError(template.render({}))
