"""Response headers every page, download and API answer carries (CSP itself comes from django-csp)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from trellis.lib.query import BadQuery

# Nothing in Trellis uses these browser features; an injected script or frame cannot either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """`Cache-Control: no-store` (pages and downloads carry special category data, which must not
    be kept by a shared computer's browser or a proxy) and `Permissions-Policy`.

    It sits below WhiteNoise, so static files (no pupil data) stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class BadQueryMiddleware:
    """A query string a page cannot use (`trellis.lib.query.BadQuery`) answers 400 in the site's
    layout, listing what is wrong, with DEBUG on or off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadQuery):
            return render(request, "400.html", {"problems": exception.problems}, status=400)
        return None
