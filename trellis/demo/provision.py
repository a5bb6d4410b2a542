"""Demo stage: provision for one school: a costed catalogue, several groups a term with sessions and
attendance, entry and exit data, and a range of outcomes (some interventions work, some don't).

Everything is written in bulk: a handful of queries per school, a few more for big schools.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from trellis.accounts.models import Membership, Role
from trellis.assessment.models import Assessment
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.provision import evaluation, scales
from trellis.provision.models import (
    Attendance,
    EhcProvision,
    Enrolment,
    FundingStream,
    Intervention,
    InterventionGroup,
    Measure,
    QftStrategy,
    Session,
)
from trellis.pupils import bulk
from trellis.pupils.models import Pupil
from trellis.schools.models import AcademicYear, School, TeachingGroup

# name, area of need, EEF strand, scales, sessions a week, minutes, weeks, cost per session (or None: hourly),
# role, mean steps gained (how well it works here), +N target
CATALOGUE = [
    ("Comprehension group", "Cognition and learning", "comprehension", ["nc-levels"], 3, 15, 6, None, "HLTA", 1.3, 1),
    ("Numeracy catch-up", "Cognition and learning", "small-group", ["standardised"], 4, 20, 6, "9.50", "TA", 5.5, 4),
    ("Paired reading", "Cognition and learning", "one-to-one", ["standardised"], 5, 10, 8, None, "TA", 1.0, 4),
    (
        "Social skills group",
        "Social, emotional and mental health",
        "sel",
        ["leuven-wellbeing", "leuven-involvement"],
        3,
        15,
        6,
        "7.00",
        "TA",
        1.1,
        1,
    ),
    ("Talk Boost", "Speech, language and communication", "oral-language", ["edsm"], 3, 30, 10, "12.00", "TA", 1.0, 1),
    (
        "Precision teaching",
        "Specific learning difficulties",
        "individualised",
        ["standardised"],
        5,
        10,
        6,
        None,
        "TA",
        6.5,
        5,
    ),
    (
        "Lego therapy",
        "Social communication and interaction",
        "sel",
        ["leuven-involvement"],
        1,
        45,
        8,
        "15.00",
        "TA",
        0.2,
        1,
    ),
    ("Handwriting club", "Physical and medical", "ta-interventions", ["edsm"], 2, 20, 6, "6.00", "TA", 0.3, 1),
]
STRATEGIES = [
    "Visual timetable",
    "Word banks",
    "Seating near the front",
    "Writing frames",
    "Peer mentoring",
    "Feelings wall",
    "Worry box",
    "Now and next board",
    "Chunked instructions",
    "Coloured overlays",
]
HOURLY_RATE = Decimal("14.50")
# Catch-up work schools often pay for from the pupil premium: every other group of these is.
PUPIL_PREMIUM_INTERVENTIONS = {"Numeracy catch-up", "Paired reading"}
PUPILS_PER_GROUP = 10  # a term's groups: about one for every 10 pupils with SEN (at least 4), as schools scale up
DOMAINS = {
    "nc-levels": "cognition",
    "standardised": "cognition",
    "edsm": "slc",
    "leuven-wellbeing": "semh",
    "leuven-involvement": "semh",
}


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    """Seed the school's provision map for the current academic year up to `today`."""
    year = school.current_academic_year(today)
    pupils = list(Pupil.objects.filter(school=school, sen_status__in=["K", "E"]).on_roll(today).order_by("pk"))
    if year is None or not pupils:
        return
    interventions = Intervention.objects.bulk_create(_catalogue(school))
    all_half_terms = list(year.half_terms.all())
    planned = _groups(rng, school, interventions, all_half_terms, pupils=len(pupils), today=today)
    groups = InterventionGroup.objects.bulk_create([g for g, _ in planned])
    specs = [spec for _, spec in planned]
    enrolled = _enrolments(rng, groups, specs, pupils)
    enrolments = [enrolment for enrolment, _ in enrolled]
    Enrolment.objects.bulk_create(enrolments)
    sessions = [
        session
        for group, spec in zip(groups, specs, strict=True)
        for session in _sessions(group, spec, all_half_terms, today)
    ]
    Session.objects.bulk_create(sessions)
    measures, attendance = _results(rng, enrolled, sessions, scale_by_code=_scales(school), today=today)
    Measure.objects.bulk_create(measures)
    _earlier_assessments(rng, measures)
    bulk.insert_rows(Attendance, ["session_id", "enrolment_id", "present"], attendance)
    Enrolment.objects.bulk_update([e for e in enrolments if e.outcome_notes], ["outcome_notes"])
    _review(groups, measures, today)
    _strategies(rng, school, year)
    _ehc_provision(rng, enrolments)
    audit.record(
        actor=None,
        action=AuditEvent.Action.IMPORT,
        record_type="provision import",
        school=school,
        summary=f"Demo provision: {len(groups)} groups, {len(enrolments)} enrolments",
        via="demo",
    )


def _scales(school: School) -> dict:
    return {s.code: s for s in scales.scales_by_id(school).values()}


def _catalogue(school: School) -> list[Intervention]:
    return [
        Intervention(
            school=school,
            name=name,
            area_of_need=area,
            eef_strand=strand,
            sessions_per_week=per_week,
            session_minutes=minutes,
            duration_weeks=weeks,
            default_group_size=6,
            delivering_role=role,
            cost_per_session=Decimal(cost) if cost else None,
            hourly_rate=None if cost else HOURLY_RATE,
            description=f"{name}: {per_week} sessions a week of {minutes} minutes for {weeks} weeks.",
        )
        for name, area, strand, _, per_week, minutes, weeks, cost, role, _, _ in CATALOGUE
    ]


def _groups(rng, school: School, interventions, half_terms, *, pupils: int, today: dt.date) -> list[tuple]:
    """Unsaved groups starting the week after each term begins (half terms 1, 3, 5) up to today,
    about one for every PUPILS_PER_GROUP pupils with SEN: (group, catalogue entry)."""
    deliverers = list(
        Membership.objects.filter(school=school, role__in=[Role.TA, Role.TEACHER])
        .order_by("role", "user_id")
        .values_list("user_id", flat=True)
    )
    planned = []
    for half_term in (h for h in half_terms if h.starts_on <= today and h.number % 2 == 1):
        order = rng.sample(range(len(CATALOGUE)), k=len(CATALOGUE))
        for n in range(max(4, math.ceil(pupils / PUPILS_PER_GROUP))):
            index = order[n % len(order)]
            spec, intervention = CATALOGUE[index], interventions[index]
            starts_on = half_term.starts_on + dt.timedelta(days=7 - half_term.starts_on.weekday())
            group = InterventionGroup(
                intervention=intervention,
                staff_id=rng.choice(deliverers) if deliverers else None,
                staff_label=spec[8],
                group_size=f"1:{rng.choice([3, 4, 6])}",
                frequency=f"{spec[4]} x {spec[5]} mins x {spec[6]} weeks",
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(weeks=spec[6], days=-3),
                sessions_per_week=spec[4],
                session_minutes=spec[5],
                funding=_funding(spec[0], n),
            )
            planned.append((group, spec))
    return planned


def _funding(name: str, n: int) -> str:
    """Mostly the notional SEN budget; every other catch-up group from the pupil premium. (Decided
    without the random generator, so the rest of the demo stays as it was.)"""
    if name in PUPIL_PREMIUM_INTERVENTIONS and n % 2 == 0:
        return FundingStream.PUPIL_PREMIUM
    return FundingStream.NOTIONAL


def _enrolments(rng, groups, specs, pupils) -> list[tuple[Enrolment, tuple]]:
    """Each saved group filled to its size: (unsaved enrolment, catalogue entry)."""
    enrolled = []
    for group, spec in zip(groups, specs, strict=True):
        size = int(group.group_size.split(":")[1])
        for pupil in rng.sample(pupils, k=min(size, len(pupils))):
            enrolment = Enrolment(
                group=group,
                pupil=pupil,
                starts_on=group.starts_on,
                ends_on=group.ends_on,
                target_description=_target_text(spec),
                # An EHC pupil's place is paid from their high-needs top-up.
                funding=FundingStream.ELEMENT_3 if pupil.sen_status == "E" else "",
            )
            enrolled.append((enrolment, spec))
    return enrolled


def _sessions(group: InterventionGroup, spec, half_terms, today: dt.date) -> list[Session]:
    """The group's sessions so far: the first weekdays of each term week, as many as it meets a week."""
    sessions, day = [], group.starts_on
    while day <= min(group.ends_on, today):
        in_term = any(h.starts_on <= day <= h.ends_on for h in half_terms)
        if in_term and day.weekday() < min(spec[4], 5):
            sessions.append(Session(group=group, date=day))
        day += dt.timedelta(days=1)
    return sessions


def _results(rng, enrolled, sessions, *, scale_by_code, today: dt.date) -> tuple[list[Measure], list[tuple]]:
    """Attendance at each session and entry/exit measures; finished enrolments with poor attendance
    get a note. Returns the measures and the attendance rows."""
    sessions_by_group: dict[int, list[Session]] = {}
    for session in sessions:
        sessions_by_group.setdefault(session.group_id, []).append(session)
    measures, attendance = [], []
    for enrolment, spec in enrolled:
        keen = rng.random() > 0.15  # about one pupil in seven attends poorly
        held = sessions_by_group.get(enrolment.group_id, [])
        came = 0
        for session in held:
            present = rng.random() < (0.93 if keen else 0.6)
            came += present
            attendance.append((session.pk, enrolment.pk, present))
        finished = enrolment.group.ends_on <= today
        rate = came / len(held) if held else 1
        measures += [_measure(rng, enrolment, scale_by_code[code], spec, finished, rate) for code in spec[3]]
        if finished:
            enrolment.outcome_notes = "Attendance poor." if held and rate < 0.8 else ""
    return measures, attendance


def _target_text(spec) -> str:
    return {
        "nc-levels": "Plus one sub-level. To use expression in reading.",
        "standardised": f"Gain {spec[10]} standardised points.",
        "leuven-wellbeing": "To work on independence, organisation and working with others.",
        "leuven-involvement": "To stay involved in group work.",
        "edsm": "To move on one step on the developmental scale.",
    }[spec[3][0]]


def _measure(rng, enrolment, scale, spec, finished: bool, attended: float) -> Measure:
    """Entry somewhere low on the scale; exit drawn around the intervention's typical gain, less for poor attenders."""
    mean_gain = spec[9] * (1 if attended >= 0.8 else 0.4)
    if scale.is_ordered:
        values = [s.value for s in scale.ordered_steps]
        start = rng.randrange(0, max(1, len(values) // 2))
        gain = max(-1, round(rng.gauss(mean_gain, 0.8)))
        entry, exit = values[start], values[min(len(values) - 1, max(0, start + gain))]
        target = Decimal(spec[10])
    else:
        start = rng.randint(72, 92)
        gain = round(rng.gauss(mean_gain, 4))
        entry, exit = str(start), str(max(40, min(140, start + gain)))
        target = Decimal(spec[10])
    return Measure(enrolment=enrolment, scale=scale, entry=entry, target_steps=target, exit=exit if finished else "")


def _review(groups, measures, today: dt.date) -> None:
    """Finished groups get the teacher's rating and a decision that follows from how many met their target."""
    by_group: dict[int, list[bool]] = {}
    for m in measures:
        if m.exit:
            _, met = evaluation.measure_outcome(
                steps_fn=scales.steps,
                scale=m.scale,
                entry=m.entry,
                exit=m.exit,
                target_steps=m.target_steps,
                target_value="",
            )
            by_group.setdefault(m.enrolment.group_id, []).append(bool(met))
    reviewed = []
    for group in groups:
        results = by_group.get(group.pk)
        if not results or group.ends_on > today:
            continue
        share = sum(results) / len(results)
        if share >= 0.7:
            group.rating, group.decision = InterventionGroup.Rating.OK, InterventionGroup.Decision.CONTINUE
        elif share >= 0.4:
            group.rating, group.decision = InterventionGroup.Rating.OK, InterventionGroup.Decision.ADAPT
        else:
            group.rating, group.decision = (
                InterventionGroup.Rating.TRY_DIFFERENT,
                InterventionGroup.Decision.DISCONTINUE,
            )
        reviewed.append(group)
    InterventionGroup.objects.bulk_update(reviewed, ["rating", "decision"])


def _strategies(rng, school: School, year: AcademicYear) -> None:
    classes = TeachingGroup.objects.filter(school=school, academic_year=year, kind=TeachingGroup.Kind.REGISTRATION)
    QftStrategy.objects.bulk_create(
        QftStrategy(group=group, text=text) for group in classes for text in rng.sample(STRATEGIES, k=3)
    )


def _ehc_provision(rng, enrolments) -> None:
    """EHC pupils: the plan specifies weekly hours of one of their interventions (some not fully delivered)."""
    seen, rows = set(), []
    for enrolment in enrolments:
        pupil = enrolment.pupil
        if pupil.sen_status == "E" and pupil.pk not in seen:
            seen.add(pupil.pk)
            group = enrolment.group
            weekly = Decimal(group.sessions_per_week * group.session_minutes) / 60
            rows.append(
                EhcProvision(
                    pupil=pupil,
                    description=f"{group.intervention.name}, {weekly.quantize(Decimal('0.1'))} hours a week",
                    hours_per_week=(weekly * Decimal(rng.choice(["1", "1", "1.5"]))).quantize(Decimal("0.01")),
                    intervention=group.intervention,
                    starts_on=group.starts_on,
                    ends_on=group.ends_on,
                )
            )
    EhcProvision.objects.bulk_create(rows)


def _earlier_assessments(rng, measures) -> None:
    """An assessment on the same scale half a year before each pupil's first intervention on it, mostly
    showing slow progress, so the history can compare the rate during with the pupil's own rate before."""
    first: dict[tuple[int, int], Measure] = {}
    for m in sorted(measures, key=lambda m: m.enrolment.starts_on):
        first.setdefault((m.enrolment.pupil_id, m.scale.pk), m)
    rows = []
    for m in first.values():
        scale = m.scale
        if scale.is_ordered:
            values = [s.value for s in scale.ordered_steps]
            value = values[max(0, values.index(m.entry) - rng.choice([0, 0, 1]))]
        else:
            value = str(int(m.entry) + rng.randint(-3, 3))
        rows.append(
            Assessment(
                pupil_id=m.enrolment.pupil_id,
                scale=scale,
                value=value,
                domain=DOMAINS[scale.code],
                date=m.enrolment.starts_on - dt.timedelta(days=182),
            )
        )
    Assessment.objects.bulk_create(rows)
