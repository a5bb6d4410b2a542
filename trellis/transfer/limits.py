"""What an uploaded file may hold, in one place, and the checks that refuse more before parsing.

Every importer (pupils from CTF, CSV or XLSX; the provision map; weekly behaviour and attendance)
reads within a fixed memory budget: an XLSX is measured from its zip directory and part headers
before openpyxl opens it, a CSV is read a line at a time, a CTF's finished elements are dropped.
A file over a limit is refused with a message that names the limit, and nothing is written.
`bench/hostile_uploads.py` measures the peak memory of each importer on hostile files.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 200 * MB  # the upload page's limit on the file itself
MAX_ROWS = 100_000  # pupils (or rows) in one file: thirty times the largest school
MAX_PROVISION_ROWS = 20_000  # rows of a provision map: one per pupil and measure
MAX_COLUMNS = 200  # cells in one spreadsheet row
MAX_CELLS = 5_000_000  # cells in one spreadsheet, counted as read
MAX_LINE_CHARACTERS = 1_000_000  # one CSV line
MAX_PROBLEMS = 1_000  # problems listed before reading stops
# XLSX (a zip of XML parts), checked before the workbook is opened.
MAX_XLSX_MEMBERS = 1_000
MAX_XLSX_UNCOMPRESSED = 512 * MB  # all parts together, as the zip directory declares them
MAX_XLSX_PART = 32 * MB  # any part openpyxl reads whole (shared strings, styles, workbook), uncompressed
MAX_XLSX_RATIO = 100  # uncompressed size / compressed size of any part over 1 MB
MAX_SHARED_STRINGS = 1_000_000  # different text values in a workbook
# CTF (XML), checked while it streams.
MAX_XML_TOKEN = 1 * MB  # bytes between two '>': one tag, or one value with its tag
MAX_XML_DEPTH = 64
MAX_PUPIL_ELEMENTS = 5_000  # elements inside one <Pupil> (or the <Header>)
MAX_PUPIL_BYTES = 2 * MB  # bytes of one <Pupil> (or the <Header>)

SPLIT = "Split the file into smaller files and import each"


class LimitExceeded(ValueError):
    """The file is over one of the limits above; the message says which and what to do."""

    def __init__(self, message: str, accepted: str = SPLIT):
        super().__init__(message)
        self.message, self.accepted = message, accepted


def size_text(size: int) -> str:
    """'1 MB', or the bytes when it is not a whole number of MB."""
    return f"{size // MB:,} MB" if size % MB == 0 else f"{size:,} bytes"


def over(what: str, found: int | str, limit: int, unit: str, accepted: str = SPLIT) -> LimitExceeded:
    """'The file has 120,000 rows; the limit is 100,000 rows.' as an exception to raise."""
    amount = f"{found:,}" if isinstance(found, int) else found
    return LimitExceeded(f"{what} has {amount} {unit}; the limit is {limit:,} {unit}.", accepted)


# --------------------------------------------------------------------------------------------
# Text files (CSV), a line at a time


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 are read as Windows-1252 (Excel's 'CSV' in England)."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("trellis-cp1252", _cp1252_fallback)


def text_lines(source: IO[bytes]) -> Iterator[str]:
    """The lines of an uploaded text file, decoded (UTF-8 with or without BOM, else Windows-1252),
    read one at a time so the file is never held whole; LimitExceeded past the line limit.

    The source is left open (and detached from the decoder) when reading ends.
    """
    text = io.TextIOWrapper(source, encoding="utf-8-sig", errors="trellis-cp1252", newline="")
    try:
        number = 0
        while line := text.readline(MAX_LINE_CHARACTERS + 1):
            number += 1
            if len(line) > MAX_LINE_CHARACTERS:
                raise over(
                    f"Line {number:,}",
                    f"more than {MAX_LINE_CHARACTERS:,}",
                    MAX_LINE_CHARACTERS,
                    "characters",
                    "a CSV file of one row per line",
                )
            yield line
    finally:
        text.detach()


def counted_rows(rows: Iterable[Sequence[Any]], max_rows: int) -> Iterator[list[Any]]:
    """Rows as lists, refusing past the row, column and cell limits (a heading row is allowed)."""
    cells = 0
    for number, row in enumerate(rows, start=1):
        if number > max_rows + 1:
            raise too_many_rows(max_rows)
        if len(row) > MAX_COLUMNS:
            row = list(row)
            while row and (row[-1] is None or row[-1] == ""):  # trailing empty cells do not count
                row.pop()
            if len(row) > MAX_COLUMNS:
                raise over(f"Row {number:,}", len(row), MAX_COLUMNS, "columns")
        cells += len(row)
        if cells > MAX_CELLS:
            raise over("The file", f"more than {MAX_CELLS:,}", MAX_CELLS, "cells")
        yield list(row)


def too_many_rows(limit: int) -> LimitExceeded:
    return over("The file", f"more than {limit:,}", limit, "rows")


# --------------------------------------------------------------------------------------------
# XLSX: measured from the zip before openpyxl reads it

EOCD = b"PK\x05\x06"
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*(\d*)(?::[A-Z]+(\d+))?\"")
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
STRING_TAG = re.compile(rb"<(?:\w+:)?si[\s>/]")
UNIQUE_COUNT = re.compile(rb"\suniqueCount=\"(\d+)\"")
COUNT = re.compile(rb"\scount=\"(\d+)\"")


def check_xlsx(source: IO[bytes], *, max_rows: int) -> None:
    """Refuse an XLSX whose parts would take more than the budget to read (LimitExceeded).

    Measures the zip directory (members, declared sizes, compression ratios: zipfile refuses a
    part longer than it declares), the shared strings' count, and the rows of every worksheet:
    from its dimension, or counted as it streams when it has none (openpyxl would otherwise keep a
    node per row to find the size). A file that is not a zip is left to openpyxl to report.
    """
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(max(0, size - (1 << 16) - 22))
    tail = source.read()
    source.seek(0)
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) < at + 22:
        return
    entries, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries > MAX_XLSX_MEMBERS or directory_size > MAX_XLSX_MEMBERS * 1024:  # before zipfile reads them all
        raise over(
            "The XLSX file",
            max(entries, directory_size // 46),
            MAX_XLSX_MEMBERS,
            "parts",
            "an .xlsx workbook saved by Excel",
        )
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        source.seek(0)
        return
    try:
        _check_parts(archive, max_rows)
    finally:
        source.seek(0)


def _check_parts(archive: zipfile.ZipFile, max_rows: int) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_XLSX_MEMBERS:
        raise over("The XLSX file", len(infos), MAX_XLSX_MEMBERS, "parts", "an .xlsx workbook saved by Excel")
    total = sum(info.file_size for info in infos)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise LimitExceeded(
            f"The XLSX file unzips to {total // MB:,} MB; the limit is {MAX_XLSX_UNCOMPRESSED // MB:,} MB.", SPLIT
        )
    for info in infos:
        if info.file_size > MB and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise LimitExceeded(
                f"The XLSX file's part {info.filename} unzips to {ratio:,} times its size; the limit is "
                f"{MAX_XLSX_RATIO}. A workbook Excel saves is compressed far less.",
                "an .xlsx workbook saved by Excel, or a CSV file",
            )
        worksheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        if not worksheet and info.file_size > MAX_XLSX_PART:
            raise LimitExceeded(
                f"The XLSX file's part {info.filename} unzips to {info.file_size // MB:,} MB; the limit is "
                f"{MAX_XLSX_PART // MB} MB.",
                SPLIT,
            )
        if info.filename.endswith("sharedStrings.xml"):
            # openpyxl keeps every string (and an emptied node for each): count them, whatever
            # the table declares.
            with archive.open(info) as part:
                head = part.read(1 << 16)
                declared = UNIQUE_COUNT.search(head) or COUNT.search(head)
                found: int | str = int(declared.group(1)) if declared else 0
                if (
                    found <= MAX_SHARED_STRINGS
                    and _count_tags(part, head, STRING_TAG, MAX_SHARED_STRINGS) > MAX_SHARED_STRINGS
                ):
                    found = f"more than {MAX_SHARED_STRINGS:,}"
            if isinstance(found, str) or found > MAX_SHARED_STRINGS:
                raise over("The XLSX file", found, MAX_SHARED_STRINGS, "different text values")
        elif worksheet:
            rows = _sheet_rows(archive, info, max_rows)
            if rows is not None and rows > max_rows + 1:
                raise too_many_rows(max_rows)


def _sheet_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int) -> int | None:
    """The last row a worksheet's dimension gives; without a dimension, or with one that names no
    row (`ref=""`, `ref="A"`), its rows counted as they stream (stopping once past the limit)."""
    with archive.open(info) as part:
        head = part.read(1 << 16)
        if (match := DIMENSION.search(head)) and (last := match.group(2) or match.group(1)):
            return int(last)
        # No row number before the rows: count them (bounded time; memory is one block).
        return _count_tags(part, head, ROW_TAG, max_rows + 1)


def _count_tags(part: IO[bytes], head: bytes, tag: re.Pattern, limit: int) -> int:
    """Occurrences of `tag` in the rest of a zip part that starts with `head`, read a block at a
    time; stops counting once past `limit`."""
    found, carry, block = 0, b"", head
    while block:
        data = carry + block
        found += len(tag.findall(data))
        if found > limit:
            return found
        carry = data[-16:]
        block = part.read(1 << 20)
        if block:  # the carry's tags are counted again with the next block (none after the last)
            found -= len(tag.findall(carry))
    return found
