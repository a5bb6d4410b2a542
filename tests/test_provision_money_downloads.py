"""The money page's tables as CSV and XLSX downloads: the same figures as the page (worked by hand in
tests/test_provision_money.py), amounts as plain numbers, and the page's own access rule."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from test_provision_money import costed, trust  # noqa: F401 - fixtures

SCHOOL_URL = "/schools/{urn}/provision/money/"


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_spending_by_stream_downloads_as_on_the_page(costed, login):  # noqa: F811
    client = login(costed.senco)
    url = SCHOOL_URL.format(urn=costed.school_a.urn)
    response = client.get(url, {"year": "2026/27", "download": "csv", "table": "stream"})
    assert 'filename="money-stream-100001-2026-27.csv"' in response["Content-Disposition"]
    assert _csv(response) == [
        ["Funding stream", "Spent (£)", "Places", "Per place (£)", "Places not costed"],
        ["Notional SEN budget", "120.00", "2", "60.00", "1"],
        ["Pupil premium", "10.00", "1", "10.00", "0"],
        ["High-needs top-up (element 3)", "60.00", "1", "60.00", "0"],
        ["All", "190.00", "4", "47.50", "1"],
    ]
    page = client.get(url, {"year": "2026/27"}).content.decode()
    assert "download=csv&amp;table=stream" in page and "download=xlsx&amp;table=value" in page


def test_value_for_money_downloads_as_xlsx_with_numbers(costed, login):  # noqa: F811
    response = login(costed.senco).get(
        SCHOOL_URL.format(urn=costed.school_a.urn), {"year": "2026/27", "download": "xlsx", "table": "value"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:9] == [
        "Intervention",
        "Groups",
        "Cost (£)",
        "Pupils",
        "Cost per pupil (£)",
        "Pupils judged",
        "Met every target",
        "Cost per pupil who met (£)",
        "Cost per step, by scale",
    ]
    numeracy = next(row for row in rows if row[0] == "Numeracy")
    # £180 for 3 pupils, 2 of 3 met: £90 each; 2 sub-levels over 3 measures: £90 a sub-level.
    assert numeracy == [
        "Numeracy",
        1,
        180,
        3,
        60,
        3,
        2,
        90,
        "NC levels: £90.00 (2 steps over 3 measures)",
        "Only 3 pupils judged – too few to compare",
    ]


def test_the_trust_downloads_the_comparison_across_schools(trust, login):  # noqa: F811
    response = login(trust.trustlead).get(
        "/provision/money/", {"year": "2026/27", "download": "csv", "table": "compared"}
    )
    assert _csv(response)[1:] == [
        ["Numeracy", "Alder Primary", "3", "2", "60.00", "90.00", "NC levels: £90.00 (2 steps over 3 measures)",
         "Only 3 pupils judged – too few to compare"],
        ["Numeracy", "Birch Primary", "5", "4", "9.60", "12.00", "NC levels: £12.00 (4 steps over 5 measures)", ""],
    ]  # fmt: skip


@pytest.mark.parametrize(("kind", "table"), [("pdf", "stream"), ("csv", "pupils"), ("csv", "")])
def test_an_unknown_download_is_not_found(costed, login, kind, table):  # noqa: F811
    response = login(costed.senco).get(SCHOOL_URL.format(urn=costed.school_a.urn), {"download": kind, "table": table})
    assert response.status_code == 404


def test_those_who_may_not_see_the_page_may_not_download_it(costed, login):  # noqa: F811
    for user in (costed.governor, costed.teacher):
        response = login(user).get(SCHOOL_URL.format(urn=costed.school_a.urn), {"download": "csv", "table": "need"})
        assert response.status_code == 404
