"""Uploads cannot exhaust the server: every importer refuses a file over a limit, naming the limit.

The limits are lowered for each test so the hostile files stay small; `bench/hostile_uploads.py`
measures peak memory on full-size ones.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile

import pytest
from django.urls import reverse
from fixtures_transfer import csv_bytes, ctf, ctf_pupil, upn
from openpyxl import Workbook

from trellis.evidence.services import parse_weekly_csv
from trellis.provision import importer
from trellis.pupils.models import Pupil
from trellis.transfer import limits
from trellis.transfer.parsers import ParseReport, _iterparse, _LineNumberingParser, read_pupils
from trellis.transfer.services import import_pupils

HEADINGS = ["UPN", "Legal Surname", "Legal Forename", "DOB", "Sex"]
SPLIT = "Split the file into smaller files and import each"


def rows(count: int, start: int = 1) -> list[list[str]]:
    return [[upn(n), "Smith", "Ann", "02/03/2016", "F"] for n in range(start, start + count)]


def parse(data: bytes, name: str = "pupils"):
    report = ParseReport(file=name)
    records = list(read_pupils(io.BytesIO(data), file_name=name, report=report))
    return records, report


def xlsx(table: list[list], *, dimension: bool = True) -> bytes:
    workbook = Workbook()
    for row in table:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if dimension:
        return buffer.getvalue()
    return rewrite(buffer.getvalue(), "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))


def rewrite(data: bytes, name: str, change) -> bytes:
    """The zip with one part changed (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = old.read(info)
            new.writestr(info.filename, change(content) if info.filename == name else content)
        if name not in old.namelist():
            new.writestr(name, change(b""))
    return out.getvalue()


def only_problem(report: ParseReport) -> str:
    assert len(report.problems) == 1, report.problems
    return str(report.problems[0])


# ---- CSV


def test_csv_at_the_row_limit_is_read_and_one_more_row_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    records, report = parse(csv_bytes([HEADINGS, *rows(3)]))
    assert len(records) == 3 and not report.problems
    records, report = parse(csv_bytes([HEADINGS, *rows(4)]))
    assert only_problem(report) == (f"pupils: The file has more than 3 rows; the limit is 3 rows. (accepted: {SPLIT})")


def test_csv_line_over_the_limit_is_refused_with_its_line_number(monkeypatch):
    monkeypatch.setattr(limits, "MAX_LINE_CHARACTERS", 100)
    long_surname = [[upn(2), "S" * 80, "Ann", "02/03/2016", "F"]]
    _, report = parse(csv_bytes([HEADINGS, *rows(1), *long_surname]))
    assert "Line 3 has more than 100 characters; the limit is 100 characters." in only_problem(report)


def test_csv_with_too_many_columns_is_refused_but_trailing_empty_cells_do_not_count(monkeypatch):
    monkeypatch.setattr(limits, "MAX_COLUMNS", 5)
    records, report = parse(csv_bytes([[*HEADINGS, "", ""], *[[*row, "", ""] for row in rows(2)]]))
    assert len(records) == 2 and not report.problems
    _, report = parse(csv_bytes([[*HEADINGS, "Notes"], *rows(1)]))
    assert "Row 1 has 6 columns; the limit is 5 columns." in only_problem(report)


def test_csv_cells_are_counted_across_the_file(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 15)  # heading and two rows of 5 fit; a third row does not
    assert not parse(csv_bytes([HEADINGS, *rows(2)]))[1].problems
    _, report = parse(csv_bytes([HEADINGS, *rows(3)]))
    assert "The file has more than 15 cells; the limit is 15 cells." in only_problem(report)


def test_csv_in_windows_1252_is_read_a_line_at_a_time(monkeypatch):
    data = csv_bytes([HEADINGS, [upn(1), "Zoë", "Chloé", "02/03/2016", "F"]], encoding="cp1252")
    source = io.BytesIO(data)
    report = ParseReport(file="pupils.csv")
    (record,) = read_pupils(source, file_name="pupils.csv", report=report)
    assert (record.fields["legal_surname"], record.fields["legal_forename"]) == ("Zoë", "Chloé")
    assert not source.closed  # the decoder is detached: the caller's file stays usable


def test_reading_stops_after_the_problem_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PROBLEMS", 4)
    bad = [[upn(n), "Smith", "Ann", "31/02/2016", "F"] for n in range(1, 11)]
    _, report = parse(csv_bytes([HEADINGS, *bad]))
    assert len(report.problems) == 5
    assert [p.line for p in report.problems[:4]] == [2, 3, 4, 5]
    assert report.problems[-1].message == "reading stopped after 4 problems"


# ---- XLSX


def test_xlsx_rows_over_the_limit_are_refused_from_the_dimension_or_by_counting(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    assert len(parse(xlsx([HEADINGS, *rows(3)]), "a.xlsx")[0]) == 3
    for data in (xlsx([HEADINGS, *rows(4)]), xlsx([HEADINGS, *rows(4)], dimension=False)):
        _, report = parse(data, "a.xlsx")
        assert "The file has more than 3 rows; the limit is 3 rows." in only_problem(report)


def test_xlsx_without_a_dimension_is_refused_before_openpyxl_reads_it(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    seen = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: seen.append(a))
    _, report = parse(xlsx([HEADINGS, *rows(5)], dimension=False), "a.xlsx")
    assert "more than 3 rows" in only_problem(report) and not seen


def test_xlsx_with_too_many_different_text_values_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 9)
    items = "".join(f"<si><t>{n}</t></si>" for n in range(10))
    table = f'<?xml version="1.0"?>\n<sst xmlns="x" count="12" uniqueCount="10">{items}</sst>'.encode()
    data = rewrite(xlsx([HEADINGS]), "xl/sharedStrings.xml", lambda _: table)
    _, report = parse(data, "a.xlsx")
    assert "The XLSX file has 10 different text values; the limit is 9 different text values." in only_problem(report)


def test_xlsx_shared_strings_are_counted_when_the_table_does_not_say(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 9)
    for count, refused in ((9, False), (10, True)):
        items = "".join(f"<si><t>{n}</t></si>" for n in range(count))
        table = f'<?xml version="1.0"?>\n<sst xmlns="x">{items}</sst>'.encode()
        _, report = parse(rewrite(xlsx([HEADINGS]), "xl/sharedStrings.xml", lambda _, t=table: t), "a.xlsx")
        message = "The XLSX file has more than 9 different text values; the limit is 9 different text values."
        assert (message in str(report.problems)) is refused


def test_xlsx_part_compressed_more_than_the_ratio_is_refused():
    bomb = rewrite(xlsx([HEADINGS]), "xl/sharedStrings.xml", lambda xml: xml + b" " * (3 * limits.MB))
    _, report = parse(bomb, "bomb.xlsx")
    assert re.search(
        r"part xl/sharedStrings.xml unzips to [\d,]+ times its size; the limit is 100", only_problem(report)
    )


def test_xlsx_over_the_unzipped_size_or_part_size_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED", 2 * limits.MB)
    monkeypatch.setattr(limits, "MAX_XLSX_PART", limits.MB)
    noise = random.Random(1).randbytes  # does not compress, so no ratio limit applies
    styles = rewrite(xlsx([HEADINGS]), "xl/styles.xml", lambda xml: xml + noise(limits.MB + 1))
    assert "part xl/styles.xml unzips to 1 MB; the limit is 1 MB." in only_problem(parse(styles, "a.xlsx")[1])
    big = rewrite(xlsx([HEADINGS]), "xl/worksheets/sheet2.xml", lambda _: noise(2 * limits.MB))
    assert "The XLSX file unzips to 2 MB; the limit is 2 MB." in only_problem(parse(big, "a.xlsx")[1])


def test_xlsx_with_too_many_parts_is_refused_before_its_directory_is_read(monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_MEMBERS", 20)
    data = xlsx([HEADINGS])
    for n in range(20):
        data = rewrite(data, f"xl/extra{n}.xml", lambda _: b"<x/>")
    assert "parts; the limit is 20 parts" in only_problem(parse(data, "a.xlsx")[1])


def test_xlsx_row_with_too_many_columns_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_COLUMNS", 5)
    _, report = parse(xlsx([[*HEADINGS, "Notes"], rows(1)[0]]), "a.xlsx")
    assert "Row 1 has 6 columns; the limit is 5 columns." in only_problem(report)


# ---- CTF


def test_ctf_elements_the_importer_does_not_read_are_dropped_as_they_end():
    unknown = "<SchoolHistory>" + "<Item><Code>1</Code><Text>x</Text></Item>" * 500 + "</SchoolHistory>"
    data = ctf(ctf_pupil(upn(1)), ctf_pupil(upn(2))).replace(b"<CTFpupilData>", unknown.encode() + b"<CTFpupilData>")
    parser = _LineNumberingParser()
    ended = [element.tag for element in _iterparse(io.BytesIO(data), parser)]
    assert ended.count("Item") == 500 and ended.count("Pupil") == 2
    assert len(parser.root) == 0  # nothing finished is left on the tree
    assert {element.tag for element in parser.lines} <= {
        "Header",
        "Pupil",
        "BasicDetails",
        "UPN",
        "Surname",
        "Forename",
        "DOB",
        "Sex",
        "NCyearActual",
        "DocumentName",
        "CTFversion",
        "DocumentQualifier",
        "SourceSchool",
        "LEA",
        "Estab",
        "SchoolName",
    }
    records, report = parse(data)
    assert [r.upn for r in records] == [upn(1), upn(2)] and not report.problems


def test_ctf_value_longer_than_the_token_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_XML_TOKEN", 1000)
    _, report = parse(ctf(ctf_pupil(upn(1), extra=f"<Note>{'x' * 600}</Note>")))
    assert not report.problems
    _, report = parse(ctf(ctf_pupil(upn(1), extra=f"<Note>{'x' * 200_000}</Note>")))
    assert "The file has a tag or value longer than 1,000 bytes; the limit is 1,000 bytes." in only_problem(report)


def test_ctf_nested_too_deeply_is_refused():
    nested = "<A>" * 70 + "</A>" * 70
    _, report = parse(ctf(ctf_pupil(upn(1)), nested))
    assert "has elements nested more than 64 deep; the limit is 64." in only_problem(report)


def test_ctf_pupil_with_too_many_elements_is_refused_naming_its_line(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PUPIL_ELEMENTS", 20)
    _, report = parse(ctf(ctf_pupil(upn(1)), ctf_pupil(upn(2), extra="<X/>" * 20)))
    assert "The <Pupil> that starts on line 24 has more than 20 elements; the limit is 20 elements." in only_problem(
        report
    )


def test_ctf_with_more_pupils_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    assert len(parse(ctf(*[ctf_pupil(upn(n)) for n in (1, 2)]))[0]) == 2
    _, report = parse(ctf(*[ctf_pupil(upn(n)) for n in (1, 2, 3)]))
    assert "The file has more than 2 pupils; the limit is 2." in only_problem(report)


# ---- the service, the upload page, the other importers


@pytest.mark.django_db
def test_a_file_over_a_limit_imports_nothing(world, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    before = Pupil.objects.count()
    data = csv_bytes([HEADINGS, *rows(3, start=901)])
    plan = import_pupils(school=world.school_a, source=io.BytesIO(data), file_name="p.csv", by=world.senco)
    assert not plan.applied and "the limit is 2 rows" in str(plan.problems[-1])
    assert Pupil.objects.count() == before


def test_the_upload_page_says_which_limit_a_file_is_over(world, login, monkeypatch, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    client = login(world.senco)
    file = SimpleUploadedFile("p.csv", csv_bytes([HEADINGS, *rows(3, start=901)]))
    response = client.post(reverse("import-upload", args=[world.school_a.urn]), {"file": file})
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert b"The file has more than 2 rows; the limit is 2 rows." in preview.content
    assert SPLIT.encode() in preview.content


@pytest.mark.django_db
def test_provision_map_over_the_row_limit_is_refused_as_csv_or_xlsx(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PROVISION_ROWS", 2)
    table = [["Intervention", "Pupil", "Scale", "Entry", "Start date"]] + [["Reading", "Ann", "nc", "1c", "1/9/26"]] * 3
    assert len(importer.read_table("map.csv", csv_bytes(table[:3]))) == 3
    for name, data in (("map.csv", csv_bytes(table)), ("map.xlsx", xlsx(table))):
        with pytest.raises(ValueError, match=r"The file has more than 2 rows; the limit is 2 rows\."):
            importer.read_table(name, data)


def test_weekly_csv_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    header = "UPN,week,positive,negative,attended,possible\n"
    weeks = [f"{upn(1)},2026-09-{day:02},1,0,10,10\n" for day in (7, 14, 21)]
    assert parse_weekly_csv(header + "".join(weeks[:2])).errors == []
    assert parse_weekly_csv(header + "".join(weeks)).errors == [
        f"The file has more than 2 rows; the limit is 2 rows. {SPLIT}."
    ]


# --- The limits' own arithmetic, at its edges ---------------------------------------------------


def test_sizes_are_named_in_whole_mb_or_else_in_bytes():
    assert limits.size_text(2 * limits.MB) == "2 MB"
    assert limits.size_text(limits.MB + 1) == "1,048,577 bytes"
    assert limits.size_text(1000) == "1,000 bytes"


def test_bytes_windows_1252_leaves_undefined_are_replaced_not_refused():
    # 0x81 is undefined even in Windows-1252: the line is still read, with U+FFFD in its place.
    assert list(limits.text_lines(io.BytesIO(b"caf\xe9 \x81\r\n"))) == ["caf\u00e9 \ufffd\r\n"]


@pytest.mark.parametrize(
    ("head", "rest", "limit", "found"),
    [
        (b"<si>" * 3, b"<si>" * 2, 10, 5),  # counted across blocks, none twice
        (b"<si>" * 3, b"<si>" * 2, 3, 5),  # exactly the limit in the first block: keep counting
        (b"<si>" * 3 + b"<s", b"i>" + b"<si>", 10, 5),  # a tag split between blocks counts once
        (b"x" * 40 + b"<si>", b"y" * 40, 10, 1),
        (b"<si>" * 5, b"<si>" * 5, 3, 5),  # past the limit: stop counting
    ],
)
def test_tags_are_counted_block_by_block(head, rest, limit, found):
    assert limits._count_tags(io.BytesIO(rest), head, limits.STRING_TAG, limit) == found


def test_xlsx_parts_counted_again_once_open_at_the_limit_and_one_over(monkeypatch):
    # The zip's end record is checked first; its directory is counted again once zipfile has read it.
    data = xlsx([HEADINGS])
    parts = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(limits, "MAX_XLSX_MEMBERS", parts)
    limits._check_parts(zipfile.ZipFile(io.BytesIO(data)), 10)
    monkeypatch.setattr(limits, "MAX_XLSX_MEMBERS", parts - 1)
    with pytest.raises(limits.LimitExceeded) as refused:
        limits._check_parts(zipfile.ZipFile(io.BytesIO(data)), 10)
    assert refused.value.message == f"The XLSX file has {parts} parts; the limit is {parts - 1} parts."
    assert refused.value.accepted == "an .xlsx workbook saved by Excel"


def test_xlsx_unzipped_size_and_part_size_at_the_limit_and_one_byte_over(monkeypatch):
    data = xlsx([HEADINGS])
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    total = sum(info.file_size for info in infos)
    largest = max((i for i in infos if not i.filename.startswith("xl/worksheets/")), key=lambda i: i.file_size)
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED", total)
    monkeypatch.setattr(limits, "MAX_XLSX_PART", largest.file_size)
    limits._check_parts(zipfile.ZipFile(io.BytesIO(data)), 10)  # exactly at both limits
    monkeypatch.setattr(limits, "MAX_XLSX_PART", largest.file_size - 1)
    with pytest.raises(limits.LimitExceeded, match=f"part {largest.filename} unzips to") as refused:
        limits._check_parts(zipfile.ZipFile(io.BytesIO(data)), 10)
    assert refused.value.accepted == SPLIT
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED", total - 1)
    with pytest.raises(limits.LimitExceeded, match="The XLSX file unzips to") as refused:
        limits._check_parts(zipfile.ZipFile(io.BytesIO(data)), 10)
    assert refused.value.accepted == SPLIT


def test_tags_are_counted_over_three_blocks():
    rest = b"<si>" * (2**18 + 2)  # one block of 1 MB and 8 bytes more
    assert limits._count_tags(io.BytesIO(rest), b"<si>" * 3, limits.STRING_TAG, 10**6) == 3 + 2**18 + 2


class _Directory:
    """A zip directory as `_check_parts` reads it: the parts' names and declared sizes."""

    def __init__(self, *parts: tuple[str, int, int]):
        self.parts = []
        for name, size, compressed in parts:
            info = zipfile.ZipInfo(name)
            info.file_size, info.compress_size = size, compressed
            self.parts.append(info)

    def infolist(self) -> list[zipfile.ZipInfo]:
        return self.parts


def test_xlsx_compression_ratio_applies_over_1_mb_and_above_100_times():
    # Exactly 1 MB from 1 byte (a ratio of 1,048,576) is not checked: only parts over 1 MB are.
    limits._check_parts(_Directory(("xl/styles.xml", limits.MB, 1)), 10)
    # 2,000,000 bytes from 20,000 is exactly 100 times: allowed; one byte more is refused.
    limits._check_parts(_Directory(("xl/styles.xml", 2_000_000, 20_000)), 10)
    with pytest.raises(limits.LimitExceeded) as refused:
        limits._check_parts(_Directory(("xl/styles.xml", 2_000_001, 20_000)), 10)
    assert refused.value.message == (
        "The XLSX file's part xl/styles.xml unzips to 100 times its size; the limit is 100. "
        "A workbook Excel saves is compressed far less."
    )
    assert refused.value.accepted == "an .xlsx workbook saved by Excel, or a CSV file"
    # A part that declares 0 bytes compressed is measured against 1 byte: 2 MB is 2,097,152 times it.
    with pytest.raises(limits.LimitExceeded, match="unzips to 2,097,152 times its size"):
        limits._check_parts(_Directory(("xl/styles.xml", 2 * limits.MB, 0)), 10)


class _Part(io.BytesIO):
    """A zip part that records how much each read asks for."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.asked: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(size)
        return super().read(size)


def test_tags_are_counted_reading_1_mb_at_a_time():
    # The memory budget: a part is never read whole, only a block of 1 MB (1,048,576 bytes) at a time.
    # After the head: 1 MB and 8 bytes of tags, so a full block, the last 8 bytes, then nothing.
    part = _Part(b"<si>" * (2**18 + 2))
    assert limits._count_tags(part, b"<si>" * 3, limits.STRING_TAG, 10**6) == 3 + 2**18 + 2
    assert part.asked == [limits.MB, limits.MB, limits.MB]


def test_xlsx_rows_are_measured_before_the_workbook_is_opened_at_the_limit_and_one_over():
    # With a heading, 3 rows is 4 in the sheet: allowed at a limit of 3; 4 rows (5 in the sheet) is
    # refused, whether the sheet's dimension says so (A1:E5) or its rows are counted.
    limits.check_xlsx(io.BytesIO(xlsx([HEADINGS, *rows(3)])), max_rows=3)
    limits.check_xlsx(io.BytesIO(xlsx([HEADINGS, *rows(3)], dimension=False)), max_rows=3)
    for data in (xlsx([HEADINGS, *rows(4)]), xlsx([HEADINGS, *rows(4)], dimension=False)):
        with pytest.raises(limits.LimitExceeded, match=r"^The file has more than 3 rows; the limit is 3 rows\.$"):
            limits.check_xlsx(io.BytesIO(data), max_rows=3)


def test_a_file_that_is_not_a_zip_is_left_to_openpyxl_from_its_start():
    # A CSV saved as .xlsx has no zip end record; one cut short inside its end record has too few
    # bytes to read: neither is refused here (openpyxl says what is wrong), and reading restarts at 0.
    # An end record whose 10-byte directory is not one (zipfile refuses it) is left the same way.
    broken = b"x" * 40 + limits.EOCD + struct.pack("<HHHHIIH", 0, 0, 1, 1, 10, 0, 0)
    for data in (csv_bytes([HEADINGS, *rows(3)]), b"x" * 40 + limits.EOCD + b"\x00" * 4, broken):
        source = io.BytesIO(data)
        assert limits.check_xlsx(source, max_rows=3) is None
        assert source.tell() == 0


def test_xlsx_declared_text_values_at_the_limit_are_still_counted(monkeypatch):
    # A table that declares 9 (the limit) is counted: 9 values are allowed, 10 are refused.
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 9)
    for count, refused in ((9, False), (10, True)):
        items = "".join(f"<si><t>{n}</t></si>" for n in range(count))
        table = f'<?xml version="1.0"?>\n<sst xmlns="x" uniqueCount="9">{items}</sst>'.encode()
        data = rewrite(xlsx([HEADINGS]), "xl/sharedStrings.xml", lambda _, t=table: t)
        if refused:
            with pytest.raises(limits.LimitExceeded, match="has more than 9 different text values"):
                limits.check_xlsx(io.BytesIO(data), max_rows=3)
        else:
            limits.check_xlsx(io.BytesIO(data), max_rows=3)


def _two_parts(name_length: int) -> bytes:
    """A zip of two empty parts whose names make its directory 2 x 46 bytes plus the names."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for letter in "ab":
            archive.writestr(letter * name_length, b"")
    return out.getvalue()


def test_xlsx_directory_is_measured_from_its_end_record_before_zipfile_reads_it(monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_MEMBERS", 2)  # so at most 2 parts and 2,048 bytes of directory
    at_limit, over_by_one = _two_parts(978), _two_parts(979)  # directories of 92 + 1,956 and 1,958 bytes
    few_names = _two_parts(1)  # a directory of 94 bytes
    opened, real_zipfile = [], zipfile.ZipFile
    monkeypatch.setattr(limits.zipfile, "ZipFile", lambda source: opened.append(source) or real_zipfile(source))
    limits.check_xlsx(io.BytesIO(at_limit), max_rows=3)
    assert len(opened) == 1
    with pytest.raises(limits.LimitExceeded) as refused:
        limits.check_xlsx(io.BytesIO(over_by_one), max_rows=3)
    # 2,049 bytes of directory is at least 44 parts of 46 bytes.
    assert refused.value.message == "The XLSX file has 44 parts; the limit is 2 parts."
    assert refused.value.accepted == "an .xlsx workbook saved by Excel"
    assert len(opened) == 1  # refused before zipfile read the directory
    monkeypatch.setattr(limits, "MAX_XLSX_MEMBERS", 1)  # 2 parts is one over, however short the directory
    with pytest.raises(limits.LimitExceeded, match="^The XLSX file has 2 parts; the limit is 1 parts"):
        limits.check_xlsx(io.BytesIO(few_names), max_rows=3)
    assert len(opened) == 1


def test_xlsx_is_read_from_its_start_after_it_is_measured():
    source = io.BytesIO(xlsx([HEADINGS, *rows(3)]))
    limits.check_xlsx(source, max_rows=3)
    assert source.tell() == 0


def test_csv_line_at_the_character_limit_is_read_and_one_more_is_refused(monkeypatch):
    # 10 characters with the line end ("123456789" and a newline) is at a limit of 10; 11 is over.
    monkeypatch.setattr(limits, "MAX_LINE_CHARACTERS", 10)
    assert list(limits.text_lines(io.BytesIO(b"123456789\n"))) == ["123456789\n"]
    with pytest.raises(limits.LimitExceeded) as refused:
        list(limits.text_lines(io.BytesIO(b"1234567890\n")))
    assert refused.value.message == "Line 1 has more than 10 characters; the limit is 10 characters."
    assert refused.value.accepted == "a CSV file of one row per line"


def test_a_utf8_byte_order_mark_is_not_read_as_part_of_the_first_heading():
    assert list(limits.text_lines(io.BytesIO("\ufeffUPN,Sex\n".encode()))) == ["UPN,Sex\n"]


def test_trailing_empty_spreadsheet_cells_do_not_count_towards_the_columns(monkeypatch):
    # An XLSX row reads its trailing empty cells as None: 5 values and 2 empty cells fit 5 columns.
    monkeypatch.setattr(limits, "MAX_COLUMNS", 5)
    assert list(limits.counted_rows([["a", "b", "c", "d", "e", None, None]], 10)) == [["a", "b", "c", "d", "e"]]


def test_a_limit_message_writes_large_numbers_with_commas():
    refused = limits.over("The file", 120_000, 100_000, "rows")
    assert refused.message == "The file has 120,000 rows; the limit is 100,000 rows."


def test_a_zip_declaring_more_parts_than_fit_in_a_signed_count_is_refused():
    # 40,000 parts (over 32,767) read as an unsigned count, as the zip format stores it.
    declared = b"x" * 40 + limits.EOCD + struct.pack("<HHHHIIH", 0, 0, 40_000, 40_000, 10, 0, 0)
    with pytest.raises(limits.LimitExceeded, match="^The XLSX file has 40,000 parts; the limit is 1,000 parts"):
        limits.check_xlsx(io.BytesIO(declared), max_rows=3)


def test_xlsx_dimension_of_one_cell_gives_the_last_row_and_one_without_a_row_number_has_its_rows_counted():
    # A sheet whose dimension names a single cell (ref="E4": no range, as a sheet of one cell has)
    # ends at row 4: with a heading, 3 rows, allowed at a limit of 3; ref="E5" is 5 rows, refused.
    # A dimension with no row number (ref="", ref="E") says nothing about the rows, so they are
    # counted as they stream: 2 rows (heading and one pupil) fit a limit of 3, 5 rows do not.
    def with_dimension(ref: bytes, pupils: int = 1) -> io.BytesIO:
        data = xlsx([HEADINGS, *rows(pupils)])
        sheet = "xl/worksheets/sheet1.xml"
        return io.BytesIO(
            rewrite(data, sheet, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', xml))
        )

    assert limits.check_xlsx(with_dimension(b"E4"), max_rows=3) is None
    with pytest.raises(limits.LimitExceeded, match=r"^The file has more than 3 rows; the limit is 3 rows\.$"):
        limits.check_xlsx(with_dimension(b"E5"), max_rows=3)
    assert limits.check_xlsx(with_dimension(b""), max_rows=3) is None

    for ref in (b"", b"E"):
        with pytest.raises(limits.LimitExceeded, match=r"^The file has more than 3 rows; the limit is 3 rows\.$"):
            limits.check_xlsx(with_dimension(ref, pupils=4), max_rows=3)


def test_xlsx_end_record_is_the_last_one_not_the_same_bytes_inside_a_part():
    # A part stored uncompressed (an image, say) may hold the end record's signature, here followed
    # by a claim of 65,535 parts. The zip's real end record is the last one in the file (1 part):
    # the file is not refused for the bytes inside its part.
    fake = limits.EOCD + struct.pack("<HHHHIIH", 0, 0, 65535, 65535, 10, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/image1.bin", b"x" * 100 + fake + b"x" * 100)
    data = out.getvalue()
    assert data.find(limits.EOCD) < data.rfind(limits.EOCD)
    assert limits.check_xlsx(io.BytesIO(data), max_rows=3) is None
