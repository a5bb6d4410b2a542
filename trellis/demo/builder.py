"""Build the demo trust: core data for every school in bulk, then each feature's own demo stage.

Each stage is a module here (trellis.demo.plans, .identification, .evidence, .provision, .deadlines), so that the
domain apps hold only the domain. A feature adds demo data by appending a dotted path to SCHOOL_STAGES,
naming a function

    def seed_school(*, school: School, rng: random.Random, today: datetime.date) -> None

It is called once per school, in school order, after the core data of every school exists (in the
same transaction, so a failing stage leaves the database empty), with its own random generator
derived from the seed, the school's URN and the stage's path (so adding a stage does not change
what the others make, though moving a stage changes its own). Stages should write in bulk, without
per-row audit events.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.module_loading import import_string

from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.plans import rollup
from trellis.plans import tally as review_tally
from trellis.pupils.bulk import write_new_pupils
from trellis.pupils.models import ExternalShare, NeedType
from trellis.schools.models import School

from . import data, logins, organisation, parents, pupils, sen, sharing, staff

SCHOOL_STAGES: list[str] = [
    "trellis.demo.plans.seed_school",
    "trellis.demo.identification.seed_school",
    "trellis.demo.evidence.seed_school",
    "trellis.demo.provision.seed_school",
    "trellis.demo.meetings.seed_school",
    "trellis.demo.deadlines.seed_school",
    "trellis.demo.specialists.seed_school",
    "trellis.demo.boxall.seed_school",
    "trellis.demo.exclusions.seed_school",
]


@dataclass
class DemoSummary:
    schools: list[School] = field(default_factory=list)
    on_roll: int = 0
    leavers: int = 0
    users: int = 0
    teacher_class: str = ""
    # Seconds spent in each stage, summed over the schools (manage.py seed_demo -v 2 prints them).
    seconds: Counter = field(default_factory=Counter)
    built_in: float = 0.0  # seconds from the start to just before the commit


def school_rng(seed: int, urn: str, stage: str = "core") -> random.Random:
    """A generator for one school and stage, the same for the same seed whatever else is seeded."""
    return random.Random(f"{seed}:{urn}:{stage}")


@transaction.atomic
def build_demo(*, schools: int = 6, pupils_per_school: int | None = None, seed: int = 1, today: dt.date) -> DemoSummary:
    """Seed a whole demo trust (into an empty database: the command checks) and run SCHOOL_STAGES."""
    began = time.monotonic()
    specs = organisation.school_specs(schools, pupils_per_school)
    created = organisation.create_schools(specs, today=today)
    password = make_password(logins.DEMO_PASSWORD)
    usernames = staff.Usernames(reserved=set(logins.DEMO_USERNAMES))
    summary = DemoSummary(schools=created)
    for index, (school, spec) in enumerate(zip(created, specs, strict=True)):
        started = time.monotonic()
        rng = school_rng(seed, school.urn)
        school_summary = _seed_school_core(
            rng, school=school, spec=spec, today=today, usernames=usernames, password=password, first=index == 0
        )
        summary.on_roll += school_summary.on_roll
        summary.leavers += school_summary.leavers
        summary.users += school_summary.users
        summary.teacher_class = summary.teacher_class or school_summary.teacher_class
        summary.seconds["core: schools, staff, pupils, SEN history"] += time.monotonic() - started
    logins.create_trust_lead(created[0].trust, password)
    logins.create_superuser(password)
    summary.users += 2
    for school in created:
        for path in SCHOOL_STAGES:
            started = time.monotonic()
            import_string(path)(school=school, rng=school_rng(seed, school.urn, path), today=today)
            summary.seconds[path] += time.monotonic() - started
    started = time.monotonic()
    parents.seed_families(schools=created, password=password, today=today, seed=seed)
    summary.seconds["trellis.demo.parents.seed_families"] += time.monotonic() - started
    started = time.monotonic()
    review_tally.rebuild()  # the reviews went in in bulk, so count them once at the end
    rollup.rebuild()  # as were the targets and their summaries
    summary.seconds["review tallies and progress rollups"] += time.monotonic() - started
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, so the dashboards' joins start from the right table
    summary.seconds["ANALYZE"] += time.monotonic() - started
    summary.built_in = time.monotonic() - began
    return summary


def _seed_school_core(
    rng: random.Random,
    *,
    school: School,
    spec: data.SchoolSpec,
    today: dt.date,
    usernames: staff.Usernames,
    password: str,
    first: bool,
) -> DemoSummary:
    year = school.current_academic_year(today)
    drafts = pupils.draft_pupils(
        rng,
        school=school,
        on_roll=spec.pupils,
        white_british_share=spec.white_british_share,
        today=today,
        academic_start=year.starts_on.year,
    )
    groups = organisation.create_groups(rng, school=school, year=year, drafts=drafts)
    people = staff.draft_staff(
        rng, school=school, groups=groups, on_roll=spec.pupils, usernames=usernames, password=password
    )
    teacher_class = logins.assign_demo_logins(people, groups) if first else ""
    staff.save_staff(people, school)
    senco = people.senco
    write_pupils(school, drafts, groups=organisation.group_periods(groups, year), senco=senco)
    sen.insert_plans(drafts, local_authority=data.LA_NAMES.get(school.la_number, ""))
    specialists = [person.user for person in people.with_role("specialist")]
    ExternalShare.objects.bulk_create(
        sharing.draft_shares(rng, specialists=specialists, drafts=drafts, senco=senco, today=today)
    )
    on_roll = sum(1 for draft in drafts if draft.pupil.left_on is None)
    audit.record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        record_type="demo data",
        school=school,
        summary=f"Seeded with synthetic demo data by manage.py seed_demo: {on_roll} pupils on roll, "
        f"{len(drafts) - on_roll} leavers, {len(people.people)} staff.",
        via="command",
    )
    return DemoSummary(
        on_roll=on_roll, leavers=len(drafts) - on_roll, users=len(people.people), teacher_class=teacher_class
    )


def write_pupils(school: School, drafts: list[pupils.Draft], *, groups: dict, senco) -> None:
    """The school's pupils with their SEN histories and groups, through the register's bulk writer
    (which checks each against the register's rules); each draft's pupil gets its new id."""
    need_codes = set(NeedType.objects.values_list("code", flat=True))
    rows = []
    for draft in drafts:
        statuses, needs = sen.periods(draft, senco=senco)
        rows.append(draft.as_new_pupil(statuses=statuses, needs=needs, groups=groups.get(id(draft), [])))
    ids = write_new_pupils(school=school, pupils=rows, need_codes=need_codes, audit_each=False)
    for draft in drafts:
        draft.pupil.pk = ids[draft.pupil.upn]
        draft.pupil._state.adding = False
        draft.pupil._state.db = connection.alias
