"""Tables as downloads: the same headings and rows as CSV (Excel-friendly) or XLSX.

Every download goes through here, so every cell is escaped against spreadsheet formula injection
(OWASP "CSV injection"): text that a spreadsheet would run as a formula gets a leading `'`, and
`unescape_cell` takes it off again when the importers read a download back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Text starting with one of = + - @ tab or carriage return (after any quotes already there) is run
# as a formula by Excel, LibreOffice or Sheets. Quotes count so that escaping can be undone exactly:
# a name that really is "'=x" goes out as "''=x" and comes back as "'=x".
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'('*[=+\-@\t\r])")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # "-3" or "-0.25" written as text is a number, not a formula


def escape_cell(value):
    """`value` safe to put in a spreadsheet cell: text that would be a formula gets a leading `'`.
    Numbers (and text that is just a number, like "-2") are left alone so they stay numbers."""
    if isinstance(value, str) and _FORMULA.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_cell(value):
    """The value `escape_cell` was given: one leading `'` comes off when a formula character follows."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value


def _cell(value):
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else escape_cell(value)


def csv_response(filename: str, headings: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # a BOM, so Excel opens UTF-8 names correctly
    writer = csv.writer(response)
    writer.writerow([_cell(heading) for heading in headings])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


def xlsx_response(
    filename: str, headings: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1"
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_cell(heading) for heading in headings])
    for row in rows:
        sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
