"""What the documents look like: page one of each, turned into a picture (pdftoppm, 30 dpi, grey),
compared with the picture kept in tests/data/documents. Tolerance: a mean difference of at most
TOLERANCE grey levels (of 255) a pixel, which covers font hinting and antialiasing; a missing chart
moves or blanks a large part of the page and is well over it. After a deliberate change of look,
refresh the pictures with TRELLIS_UPDATE_PICTURES=1 and look at them before committing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.safestring import mark_safe
from PIL import Image, ImageChops, ImageStat

from trellis.documents import services
from trellis.documents.registry import get_kind
from trellis.lib.charts import bar_chart

pytestmark = pytest.mark.pdf

PICTURES = Path(__file__).resolve().parents[1] / "data" / "documents"
DPI = 30
TOLERANCE = 2.0


def _picture(pdf: bytes, tmp_path: Path) -> Image.Image:
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - our own file names
        [
            shutil.which("pdftoppm"),
            "-r",
            str(DPI),
            "-gray",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    return Image.open(tmp_path / "page.png").convert("L")


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference a pixel in grey levels; 255 when the page sizes differ."""
    if a.size != b.size:
        return 255.0
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def _subject(slug: str, demo_school):
    if get_kind(slug).subject != "pupil":
        return demo_school.school_a
    return demo_school.demo_pupils[0 if slug == "annual-review" else 1]  # pupil 0 has an EHC plan


def _render(slug: str, demo_school, tmp_path: Path) -> Image.Image:
    pdf = services.render_pdf(get_kind(slug), _subject(slug, demo_school), None, today=timezone.localdate())
    return _picture(pdf, tmp_path)


@pytest.mark.parametrize(
    "slug",
    ["parent-report", "passport", "governors-report", "provision-map", "annual-review", "ehc-request", "transition"],
)
def test_page_one_looks_as_it_did(slug, demo_school, tmp_path):
    picture = _render(slug, demo_school, tmp_path)
    kept = PICTURES / f"{slug}.png"
    if os.environ.get("TRELLIS_UPDATE_PICTURES"):
        picture.save(kept)
    difference = _difference(picture, Image.open(kept).convert("L"))
    assert difference <= TOLERANCE, (
        f"{slug} page 1 differs by {difference:.2f} grey levels a pixel (tolerance {TOLERANCE})"
    )


def test_a_parent_report_without_its_charts_fails_the_comparison(demo_school, tmp_path, monkeypatch):
    monkeypatch.setattr("trellis.documents.pupil_reports.target_chart", lambda *args, **kwargs: mark_safe(""))
    picture = _render("parent-report", demo_school, tmp_path)
    difference = _difference(picture, Image.open(PICTURES / "parent-report.png").convert("L"))
    assert difference > TOLERANCE


def test_a_governors_report_without_its_chart_fails_the_comparison(demo_school, tmp_path, monkeypatch):
    monkeypatch.setattr("trellis.documents.school_reports.bar_chart", lambda title, rows: bar_chart(title, []))
    picture = _render("governors-report", demo_school, tmp_path)
    difference = _difference(picture, Image.open(PICTURES / "governors-report.png").convert("L"))
    assert difference > TOLERANCE
