"""Demo stage: evidence for one school: notes, pupil voice and weekly behaviour and attendance for
the pupils on the SEN register (monitoring, SEN support, EHC plan), for the academic year so far;
most notes of pupils with targets are linked to one, and about half the targets of earlier
years' plans have a note of their own from while they were worked on.

Runs after the plans stage. Bulk inserts only, so a 60,000-pupil trust seeds in about a minute
of this module's time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord, week_start
from trellis.identification.models import AreaOfNeed
from trellis.plans.models import Target
from trellis.pupils import bulk
from trellis.pupils.models import Pupil, SenStatus
from trellis.schools.models import AcademicYear, School

from .dates import random_day, seeded_at, term_day
from .staff import senco_id, staff_by_pupil
from .wording import about

NOTES = {
    AreaOfNeed.COGNITION: [
        ("Count objects to 20", "Counting bears in a small group", "Counted to 15 with one-to-one correspondence"),
        ("Add two single-digit numbers", "Number line game", "Used the number line independently for 4 of 5"),
    ],
    AreaOfNeed.SLC: [
        ("Follow a two-step instruction", "Barrier game with a partner", "Followed 3 of 4 two-step instructions"),
        ("Use 'because' in a sentence", "Colourful semantics", "Built two sentences with 'because' using the cards"),
    ],
    AreaOfNeed.SOCIAL: [
        ("Take turns in a game", "Board game with two peers", "Waited for {their} turn 5 times with one reminder"),
        ("Manage a change of routine", "Visual timetable with a change card", "Accepted the change calmly"),
    ],
    AreaOfNeed.SPLD: [
        ("Spell CVC words", "Phonics with magnetic letters", "Spelled 8 of 10 words; b/d confusion twice"),
        ("Read a decodable book", "Guided reading", "Read with 95% accuracy; self-corrected twice"),
    ],
    AreaOfNeed.SEMH: [
        ("Name my feelings", "Zones of regulation check-in", "Chose the yellow zone and asked for a break card"),
        ("Stay in the lesson for 30 minutes", "Maths lesson with a movement break", "Stayed for the whole lesson"),
    ],
    AreaOfNeed.PHYSICAL: [
        ("Form letters correctly", "Handwriting with a pencil grip", "Formed 6 of 8 letters correctly"),
        ("Use scissors safely", "Cutting along a curved line", "Cut out the shape with light support"),
    ],
}
VOICE = [
    "I can ask for help when I am stuck",
    "I can use my word mat",
    "I can tell an adult how I feel",
    "I can take turns in a game",
    "I can read my timetable",
    "I can count to 20",
    "I can write my name",
    "I can calm down using my break card",
]
REGISTER = [SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN]
LINKED_SHARE = 0.6  # of the notes of a pupil with current targets, those linked to one
EARLIER_NOTE_SHARE = 0.5  # of earlier years' targets, those with a note
WEEK_FIELDS = [
    "pupil_id",
    "week_starting",
    "sessions_possible",
    "sessions_attended",
    "behaviour_positive",
    "behaviour_negative",
    "source",
    "recorded_at",
]


class Drawn:
    """The rows drawn for one school, saved together at the end."""

    def __init__(self) -> None:
        self.notes: list[EvidenceNote] = []
        self.links: list[tuple[int, int]] = []  # (index in notes, target id)
        self.voice: list[PupilVoiceEntry] = []
        self.weeks: list[tuple] = []

    def note(self, target_id: int | None, **fields) -> None:
        if target_id is not None:
            self.links.append((len(self.notes), target_id))
        self.notes.append(EvidenceNote(**fields))

    def save(self) -> None:
        bulk.insert_objects(EvidenceNote, self.notes)
        bulk.insert_rows(
            EvidenceNote.targets.through,
            ["evidencenote_id", "target_id"],
            [(self.notes[index].pk, target_id) for index, target_id in self.links],
        )
        bulk.insert_objects(PupilVoiceEntry, self.voice)
        bulk.insert_rows(WeeklyRecord, WEEK_FIELDS, self.weeks)


def seed_school(*, school: School, rng: random.Random, today: dt.date) -> None:
    """Notes, pupil voice and weekly behaviour/attendance for the school's register pupils."""
    year = school.current_academic_year(today)
    pupils = list(
        Pupil.objects.filter(school=school, sen_status__in=REGISTER)
        .on_roll(today)
        .order_by("pk")
        .values_list("pk", "sex")
    )
    if not pupils or year is None:
        return
    staff_of = staff_by_pupil(school, today)
    senco = senco_id(school)
    school_weeks = _school_weeks(year, today)
    now = seeded_at(today)
    current, earlier = _targets(school)
    drawn = Drawn()
    for pk, sex in pupils:
        recorders = staff_of.get(pk) or [senco]
        _year_notes(rng, drawn, pk, sex, year, today, current.get(pk), recorders)
        _voice(rng, drawn, pk, year, today, recorders)
        _weeks(rng, drawn, pk, school_weeks, now)
    for target_id, pk, sex, area, starts_on, closed_on in earlier:
        if rng.random() < EARLIER_NOTE_SHARE:
            objective, activity, outcome = (about(sex, text) for text in rng.choice(NOTES[area]))
            drawn.note(
                target_id,
                pupil_id=pk,
                date=term_day(random_day(rng, starts_on, closed_on), forward=True),
                learning_objective=objective,
                activity=activity,
                outcome=outcome,
                areas=[area],
                recorded_by_id=rng.choice(staff_of.get(pk) or [senco]),
            )
    drawn.save()


def _year_notes(rng, drawn: Drawn, pk: int, sex: str, year: AcademicYear, today: dt.date, targets, recorders) -> None:
    """One to four notes from the year so far, most linked to one of the pupil's current targets."""
    days_so_far = max(1, (today - year.starts_on).days)
    for _ in range(rng.randint(1, 4)):
        area, target_id = rng.choice(AreaOfNeed.values), None
        if targets and rng.random() < LINKED_SHARE:
            target_id, area = rng.choice(targets)
        objective, activity, outcome = (about(sex, text) for text in rng.choice(NOTES[area]))
        drawn.note(
            target_id,
            pupil_id=pk,
            date=year.starts_on + dt.timedelta(days=rng.randrange(days_so_far)),
            learning_objective=objective,
            activity=activity,
            outcome=outcome,
            areas=[area],
            recorded_by_id=rng.choice(recorders),
        )


def _voice(rng, drawn: Drawn, pk: int, year: AcademicYear, today: dt.date, recorders) -> None:
    """One to three "I can" statements the pupil rated."""
    days_so_far = max(1, (today - year.starts_on).days)
    for statement in rng.sample(VOICE, rng.randint(1, 3)):
        drawn.voice.append(
            PupilVoiceEntry(
                pupil_id=pk,
                date=year.starts_on + dt.timedelta(days=rng.randrange(days_so_far)),
                statement=statement,
                rating=rng.choices([1, 2, 3], weights=[2, 4, 3])[0],
                recorded=rng.choice(["with", "with", "by"]),
                recorded_by_id=rng.choice(recorders),
            )
        )


def _weeks(rng, drawn: Drawn, pk: int, school_weeks: list[tuple[dt.date, int]], now: dt.datetime) -> None:
    """Weekly attendance and behaviour points around the pupil's usual rates."""
    attendance = rng.choice([0.97, 0.95, 0.92, 0.88, 0.8])  # a pupil's usual rate
    trouble = rng.choice([0, 0, 1, 2, 4])  # usual negative points a week
    for monday, possible in school_weeks:
        attended = sum(rng.random() < attendance for _ in range(possible))
        positive, negative = rng.randint(0, 8), max(0, trouble + rng.randint(-2, 2))
        drawn.weeks.append((pk, monday, possible, attended, positive, negative, WeeklyRecord.Source.IMPORT, now))


def _targets(school) -> tuple[dict[int, list[tuple[int, str]]], list[tuple]]:
    """Pupil -> (id, area) of their open targets; and the closed targets of archived plans as
    (id, pupil, pupil's sex, area, starts on, closed on)."""
    current, earlier = defaultdict(list), []
    rows = Target.objects.filter(pupil__school=school).order_by("pk")
    for pk, pupil_id, sex, area, starts_on, closed_on, state in rows.values_list(
        "pk", "pupil_id", "pupil__sex", "area", "starts_on", "closed_on", "plan__state"
    ):
        if closed_on is None and state == "active":
            current[pupil_id].append((pk, area))
        elif closed_on is not None and state == "archived":
            earlier.append((pk, pupil_id, sex, area, starts_on, closed_on))
    return current, earlier


def _school_weeks(year, today: dt.date) -> list[tuple[dt.date, int]]:
    """(Monday, sessions possible) for each complete week of the year so far that falls in a half term
    (or, when the year has no half terms, every week); two sessions a weekday in term."""
    half_terms = list(year.half_terms.all())
    weeks = []
    monday = week_start(year.starts_on)
    while monday + dt.timedelta(days=4) < today and monday <= year.ends_on:
        days = [monday + dt.timedelta(days=d) for d in range(5)]
        if half_terms:
            days = [d for d in days if any(h.starts_on <= d <= h.ends_on for h in half_terms)]
        days = [d for d in days if year.starts_on <= d]
        if days:
            weeks.append((monday, 2 * len(days)))
        monday += dt.timedelta(weeks=1)
    return weeks
