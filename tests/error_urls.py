"""Trellis's own URLs plus one page that fails, to see the 500 page (tests/test_serving.py)."""

from django.urls import path

from trellis.urls import handler500, urlpatterns


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [path("fail/", fail), *urlpatterns]
__all__ = ["handler500", "urlpatterns"]
