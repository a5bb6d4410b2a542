"""Time a 60,000-pupil CTF import on the configured database (DATABASE_URL, SQLite by default).

    .venv/bin/python bench/import_ctf.py [--pupils 60000] [--keep]

Generates a CTF into a temporary file, then times a dry run, the real import and a re-import
(everything unchanged), printing pupils per second, the process's peak memory and how long the
live step held the write transaction (the lock other saves wait for on SQLite). The bench
school (URN BENCH1) is removed afterwards unless --keep is given. Not a test: figures vary by machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")

import django

django.setup()

from xml.sax.saxutils import escape  # noqa: E402

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from trellis.lib.upn import make_upn  # noqa: E402
from trellis.pupils.models import Pupil  # noqa: E402
from trellis.schools.models import School  # noqa: E402
from trellis.schools.services import create_school  # noqa: E402
from trellis.transfer.services import import_pupils  # noqa: E402

NEEDS = ["SLCN", "ASD", "SPLD", "MLD", "SEMH", "HI", "VI", "PD", "OTH"]


def write_ctf(path: Path, count: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n<Header>\n<DocumentName>Common Transfer File</DocumentName>\n'
            "<CTFversion>25.0</CTFversion>\n<DateTime>2026-11-23T09:00:00</DateTime>\n"
            "<DocumentQualifier>full</DocumentQualifier>\n<SourceSchool>\n<LEA>999</LEA>\n<Estab>9999</Estab>\n"
            "<SchoolName>Bench Source</SchoolName>\n</SourceSchool>\n</Header>\n<CTFpupilData>\n"
        )
        for n in range(count):
            upn = make_upn("999", str(n // 1000 % 10000), 20 + n // 1_000_000, n % 1000)
            year = rng.randint(1, 11)
            dob = dt.date(2020 - year, rng.randint(1, 12), rng.randint(1, 28))
            status = rng.choice("NNNNNNKKE")
            out.write(
                f"<Pupil>\n<UPN>{upn}</UPN>\n<UniqueLearnerNumber>{1000000000 + n}</UniqueLearnerNumber>\n"
                f"<Surname>{escape('Surname' + str(n))}</Surname>\n<Forename>Pupil</Forename>\n"
                f"<DOB>{dob.isoformat()}</DOB>\n<Sex>{rng.choice('MF')}</Sex>\n<BasicDetails>\n"
                f"<NCyearActual>{year}</NCyearActual>\n<Ethnicity>WBRI</Ethnicity>\n<EnrolStatus>C</EnrolStatus>\n"
                f"</BasicDetails>\n<Address>\n<BS7666Address>\n<Street>High Street</Street>\n<Town>Town</Town>\n"
                f"</BS7666Address>\n</Address>\n"
            )
            if status != "N":
                needs = rng.sample(NEEDS, rng.randint(1, 2))
                out.write(
                    "<SENhistory>\n<SEN>\n<StartDate>2024-09-01</StartDate>\n"
                    f"<SENprovision>{status}</SENprovision>\n</SEN>\n<SENneeds>\n"
                )
                for rank, code in enumerate(needs, 1):
                    out.write(f"<SENneed>\n<SENtype>{code}</SENtype>\n<SENtypeRank>{rank}</SENtypeRank>\n</SENneed>\n")
                out.write("</SENneeds>\n</SENhistory>\n")
            out.write("</Pupil>\n")
        out.write("</CTFpupilData>\n</CTfile>\n")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def timed(label: str, school: School, path: Path, count: int, *, dry_run: bool) -> None:
    before = peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as source:
        plan = import_pupils(school=school, source=source, file_name=path.name, by=None, dry_run=dry_run, via="command")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not plan.problems, plan.problems[:5]
    print(
        f"{label:<26} {seconds:6.1f} s {count / seconds:7,.0f} pupils/s "
        f"(this process's CPU {cpu:5.1f} s, {count / cpu:7,.0f} pupils/CPU-s)  "
        f"(created {plan.created}, updated {plan.updated}, unchanged {plan.unchanged})  "
        f"peak RSS {peak_mb():.0f} MB (was {before:.0f} MB)"
        + (
            f"  live step (write transaction) {plan.live_seconds:.2f} s, CPU {plan.live_cpu_seconds:.2f} s"
            if plan.applied
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=60_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench school and its pupils")
    args = parser.parse_args()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    if School.objects.filter(urn="BENCH1").exists():
        sys.exit("A school with URN BENCH1 exists: remove it first (or it was kept with --keep).")
    school = create_school(
        urn="BENCH1", name="Bench School", la_number="999", estab_number="9999", today=timezone.localdate()
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xml"
        start = time.perf_counter()
        write_ctf(path, args.pupils)
        size = path.stat().st_size / 1e6
        print(f"Generated {args.pupils:,} pupils, {size:.1f} MB, in {time.perf_counter() - start:.1f} s")
        try:
            timed("dry run (all new)", school, path, args.pupils, dry_run=True)
            timed("import (all new)", school, path, args.pupils, dry_run=False)
            timed("re-import (all unchanged)", school, path, args.pupils, dry_run=False)
        finally:
            if not args.keep:
                Pupil.objects.filter(school=school).delete()
                school.delete()


if __name__ == "__main__":
    main()
