"""Peak memory and time of each importer on hostile files (and on the largest file it accepts).

    .venv/bin/python bench/hostile_uploads.py [--only NAME ...]     (or `make bench-uploads`)

Generates each file into a temporary directory, then runs the importer's dry run in a fresh
process (`manage.py import_pupils --dry-run` or `manage.py import_provision --dry-run`) against
the configured database (DATABASE_URL; migrate it first) and prints the child's peak resident
memory (getrusage of that child, via wait4) and its wall time. A bench school (URN BENCHH) is
created and removed. Not a test: figures vary by machine, but every row must stay under 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from trellis.lib.upn import make_upn  # noqa: E402
from trellis.pupils.models import Pupil  # noqa: E402
from trellis.schools.models import School  # noqa: E402
from trellis.schools.services import create_school  # noqa: E402

URN = "BENCHH"
BUDGET_MB = 300
PUPIL_HEADINGS = ["UPN", "Legal Surname", "Legal Forename", "DOB", "Sex", "Year", "SEN Status", "Primary Need"]
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def write_xlsx(path: Path, sheet: Callable, strings: Callable) -> None:
    """A minimal workbook whose sheet and shared strings are streamed by the given writers."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            sheet(part)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            strings(part)


def _inline_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>' for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def _headings_and_one_shared_string(out) -> None:
    """A sheet of the pupil headings and one cell that refers to the first shared string."""
    out.write(f'{SHEET_HEAD}<dimension ref="A1:H2"/><sheetData>'.encode())
    out.write(_inline_row(1, PUPIL_HEADINGS).encode())
    out.write(b'<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>')


def shared_strings_bomb(path: Path) -> None:
    """A tiny workbook whose shared strings table holds 12 million entries."""
    count = 12_000_000

    def strings(out) -> None:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sst count="{count}" uniqueCount="{count}" '
            'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'.encode()
        )
        block = b"<si><t>x</t></si>" * 10_000
        for _ in range(count // 10_000):
            out.write(block)
        out.write(b"</sst>")

    write_xlsx(path, _headings_and_one_shared_string, strings)


def shared_strings_at_limit(path: Path) -> None:
    """The most different text values a workbook may hold (1,000,000), undeclared and compressed
    too little for the ratio limit: what openpyxl must keep in memory at most."""
    count = 1_000_000

    def strings(out) -> None:
        out.write(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<sst '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        for start in range(0, count, 10_000):
            out.write(
                "".join(f"<si><t>{n * 7919 % 9_999_991:07}</t></si>" for n in range(start, start + 10_000)).encode()
            )
        out.write(b"</sst>")

    write_xlsx(path, _headings_and_one_shared_string, strings)


def provision_rows(path: Path) -> None:
    """A provision map of 2 million rows that compresses to a few hundred KB (shared strings, no
    cell references: what the issue's 592 KB file held)."""
    headings = ["Intervention", "Pupil", "Scale", "Entry", "Start date"]
    values = ["Reading", "Ann Smith", "nc-levels", "1c", "2026-09-15"]

    def sheet(out) -> None:
        out.write(f'{SHEET_HEAD}<dimension ref="A1:E2000001"/><sheetData>'.encode())
        out.write(_inline_row(1, headings).encode())
        row = "<row>" + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(len(values))) + "</row>"
        block = (row * 1000).encode()
        for _ in range(2000):
            out.write(block)
        out.write(b"</sheetData></worksheet>")

    def strings(out) -> None:
        items = "".join(f"<si><t>{value}</t></si>" for value in values)
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sst count="{len(values)}" uniqueCount="{len(values)}" '
            f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'.encode()
        )

    write_xlsx(path, sheet, strings)


def ctf_unknown_elements(path: Path, size: int = 100 * 1024 * 1024) -> None:
    """A 100 MB CTF that is almost all elements the importer does not read (never cleared before)."""
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n<Header><DocumentName>Common Transfer File'
            "</DocumentName><DocumentQualifier>full</DocumentQualifier></Header>\n<SchoolHistory>\n"
        )
        item = "<Item><Code>12345</Code><Text>Something the importer never reads</Text></Item>\n" * 1000
        while out.tell() < size:
            out.write(item)
        out.write("</SchoolHistory>\n<CTFpupilData>\n")
        for n in range(10):
            out.write(
                f"<Pupil><UPN>{make_upn('999', '9999', 26, n)}</UPN><Surname>Smith</Surname><Forename>Ann"
                "</Forename><DOB>2016-03-02</DOB><Sex>F</Sex></Pupil>\n"
            )
        out.write("</CTFpupilData>\n</CTfile>\n")


def big_csv(path: Path, pupils: int = 100_000, size: int = 150 * 1024 * 1024) -> None:
    """A 150 MB CSV: the most pupils a file may hold, each with a long column the importer ignores."""
    notes = "n" * (size // pupils - 80)
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join([*PUPIL_HEADINGS, "Notes"]) + "\n")
        for n in range(pupils):
            upn = make_upn("999", str(n // 1000 % 10000), 26, n % 1000)
            out.write(
                f"{upn},Surname{n},Pupil,02/03/2016,{'MF'[n % 2]},4,{'NNK'[n % 3]},{'MLD' if n % 3 == 2 else ''},{notes}\n"
            )


def big_xlsx(path: Path, pupils: int = 100_000) -> None:
    """The most pupils a file may hold, as Excel would save them (openpyxl, shared strings)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(PUPIL_HEADINGS)
    for n in range(pupils):
        upn = make_upn("999", str(n // 1000 % 10000), 26, n % 1000)
        sheet.append([upn, f"Surname{n}", "Pupil", dt.date(2016, 3, 2), "MF"[n % 2], 4, "NNK"[n % 3], None])
    workbook.save(path)


FILES = {
    "shared-strings-bomb.xlsx": (shared_strings_bomb, "import_pupils"),
    "shared-strings-1m.xlsx": (shared_strings_at_limit, "import_pupils"),
    "provision-2m-rows.xlsx": (provision_rows, "import_provision"),
    "ctf-unknown-100mb.xml": (ctf_unknown_elements, "import_pupils"),
    "pupils-150mb.csv": (big_csv, "import_pupils"),
    "pupils-100k.xlsx": (big_xlsx, "import_pupils"),
}


def run(command: str, path: Path) -> tuple[float, float, int, str]:
    """Seconds, peak MB, exit status and what one dry run in a fresh process said."""
    args = [sys.executable, str(ROOT / "manage.py"), command, str(path), "--school", URN, "--dry-run"]
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
    output = child.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    lines = [line for line in output.splitlines() if line.strip()]
    code = os.waitstatus_to_exitcode(status)
    said = (lines[0] if code else lines[-1]) if lines else ""  # the first problem, or the summary
    return seconds, usage.ru_maxrss / 1024, code, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(FILES), help="just these files")
    args = parser.parse_args()
    if School.objects.filter(urn=URN).exists():
        sys.exit(f"A school with URN {URN} exists: remove it first.")
    school = create_school(
        urn=URN, name="Bench Hostile", la_number="999", estab_number="9998", today=timezone.localdate()
    )
    worst = 0.0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, (generate, command) in FILES.items():
                if args.only and name not in args.only:
                    continue
                path = Path(tmp) / name
                generate(path)
                seconds, peak, status, last = run(command, path)
                worst = max(worst, peak)
                size = path.stat().st_size
                shown = f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.0f} MB"
                print(f"{name:<26} {shown:>8}  {command:<16} {seconds:6.1f} s  peak {peak:5.0f} MB  exit {status}")
                print(f"    {last[:200]}")
                path.unlink()
    finally:
        Pupil.objects.filter(school=school).delete()
        school.delete()
    print(f"Largest peak: {worst:.0f} MB ({'within' if worst < BUDGET_MB else 'OVER'} the {BUDGET_MB} MB budget)")
    if worst >= BUDGET_MB:
        sys.exit(1)


if __name__ == "__main__":
    main()
