"""How long documents take to make as PDFs, on the current database (seed the demo trust first).

    .venv/bin/python bench/documents.py [--repeat 11] [--school URN]     (or `make bench-documents`)

Times a one-pupil parent report (the median of --repeat runs after a warm-up, on the pupil of the
school with the most current targets) and the parent reports of a class of 30 one after another,
then the other kinds once, and the median of the two staff documents about one pupil (the EHC plan
annual review pack for the EHC pupil with the most targets, the evidence for an EHC needs assessment
request for the pupil with the most provision). Limits (issue 13): each one-pupil document in 1 s
or less, a class of 30 in 30 s or less; the script exits with status 1 when any is over. Not a
test: figures vary by machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from trellis.documents import services  # noqa: E402
from trellis.documents.registry import get_kind  # noqa: E402
from trellis.pupils.models import GroupMembership, Pupil  # noqa: E402
from trellis.schools.models import School, TeachingGroup  # noqa: E402

ONE_PUPIL_LIMIT, CLASS_LIMIT, CLASS_SIZE = 1.0, 30.0, 30


def _timed(kind, subject, today) -> float:
    start = time.perf_counter()
    services.render_pdf(kind, subject, None, today=today)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--school", metavar="URN", help="default: the school with the most pupils")
    args = parser.parse_args()
    today = timezone.localdate()
    schools = School.objects.annotate(n=Count("pupils")).order_by("-n")
    school = schools.filter(urn=args.school).first() if args.school else schools.first()
    if school is None:
        print("No school: seed the demo trust first (manage.py seed_demo).")
        return 2
    current = Q(targets__closed_on__isnull=True, targets__plan__state="active")
    pupil = Pupil.objects.filter(school=school).annotate(t=Count("targets", filter=current)).order_by("-t").first()
    report = get_kind("parent-report")
    _timed(report, pupil, today)  # warm-up: templates, fonts
    one = statistics.median(_timed(report, pupil, today) for _ in range(args.repeat))

    group = (
        TeachingGroup.objects.filter(school=school)
        .annotate(n=Count("memberships"))
        .filter(n__gte=CLASS_SIZE)
        .order_by("-n")
        .first()
    )
    members = GroupMembership.objects.filter(group=group).values("pupil_id") if group else Pupil.objects.none()
    pupils = list(Pupil.objects.filter(pk__in=members).select_related("school")[:CLASS_SIZE])
    pupils += list(
        Pupil.objects.filter(school=school).exclude(pk__in=[p.pk for p in pupils])[: CLASS_SIZE - len(pupils)]
    )
    start = time.perf_counter()
    for member in pupils:
        services.render_pdf(report, member, None, today=today)
    whole_class = time.perf_counter() - start

    print(f"{school.name}: {pupil.forename}'s parent report ({pupil.t} targets)")
    print(f"  one pupil, median of {args.repeat}: {one:.3f} s (limit {ONE_PUPIL_LIMIT:.0f} s)")
    print(
        f"  class of {len(pupils)} ({group.name if group else 'no class of 30: pupils of the school'}): {whole_class:.1f} s (limit {CLASS_LIMIT:.0f} s)"
    )
    for slug, subject in [("passport", pupil), ("governors-report", school), ("provision-map", school)]:
        print(f"  {slug}, once: {_timed(get_kind(slug), subject, today):.3f} s")

    staff_documents = []
    ehc = Pupil.objects.filter(school=school, sen_status="E").annotate(t=Count("targets")).order_by("-t").first()
    tried = Pupil.objects.filter(school=school).annotate(e=Count("provision_enrolments")).order_by("-e").first()
    for slug, subject in [("annual-review", ehc), ("ehc-request", tried)]:
        if subject is None:
            print(f"  {slug}: no pupil to make it for")
            continue
        kind = get_kind(slug)
        _timed(kind, subject, today)
        median = statistics.median(_timed(kind, subject, today) for _ in range(args.repeat))
        staff_documents.append(median)
        print(
            f"  {slug} for {subject.forename}, median of {args.repeat}: {median:.3f} s (limit {ONE_PUPIL_LIMIT:.0f} s)"
        )
    within = (
        one <= ONE_PUPIL_LIMIT and whole_class <= CLASS_LIMIT and all(t <= ONE_PUPIL_LIMIT for t in staff_documents)
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
