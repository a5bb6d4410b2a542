"""PDF tests need WeasyPrint with the operating system's Pango, pikepdf and pdftoppm (poppler-utils).
Without them they are skipped and the run says so; CI sets TRELLIS_REQUIRE_PDF=1, so that a
missing one fails instead."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.fixtures_documents import demo_school  # noqa: F401 - a fixture for the tests here
from tests.fixtures_ehc_documents import ehc_request, ehc_review  # noqa: F401 - fixtures for the tests here
from trellis.documents.pdf import pango_missing


def _skip_reason() -> str | None:
    if reason := pango_missing():
        return reason
    try:
        import pikepdf  # noqa: F401
        import textstat  # noqa: F401
    except ImportError:
        return "pikepdf or textstat is not installed (requirements-dev.txt)"
    if shutil.which("pdftoppm") is None:
        return "pdftoppm is not installed (apt-get install poppler-utils)"
    return None


SKIP_REASON = _skip_reason()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    if os.environ.get("TRELLIS_REQUIRE_PDF"):
        raise pytest.UsageError(f"TRELLIS_REQUIRE_PDF is set but {SKIP_REASON}")
    skip = pytest.mark.skip(reason=f"PDF tests skipped: {SKIP_REASON}")
    for item in items:
        if "pdf" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if SKIP_REASON:
        terminalreporter.write_line(f"PDF tests were skipped: {SKIP_REASON}", yellow=True, bold=True)
