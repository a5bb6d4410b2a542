"""Synthetic pupils of one school: on roll in every NC year the school teaches, plus leavers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from trellis.lib.upn import make_upn
from trellis.pupils.bulk import PUPIL_COLUMNS, NewPupil
from trellis.pupils.models import Pupil, SenStatus
from trellis.pupils.rules import RegisterRow
from trellis.schools.models import School

from . import data, names
from .dates import born_between, random_day, school_day
from .sen import SenHistory, draft_history

LOOKED_AFTER_RATE = 0.006
CONFIDENTIAL_RATE = 0.01
IN_YEAR_ADMISSION_RATE = 0.12
MID_YEAR_LEAVER_SHARE = 0.3
DERIVED = {"school_id", "sen_status", "primary_need_id"}  # the writer sets these from the row


@dataclass
class Draft:
    pupil: Pupil  # unsaved until the school's pupils are written in bulk
    history: SenHistory
    attainment: float  # orders pupils into sets; lower for many pupils with SEN

    def as_new_pupil(self, *, statuses: list, needs: list, groups: list) -> NewPupil:
        """The pupil as a row for the register's bulk writer, with their history and groups."""
        pupil = self.pupil
        fields = {f.attname: getattr(pupil, f.attname) for f in PUPIL_COLUMNS if f.attname not in DERIVED}
        current = sorted((rank, code) for code, rank, _, ends in self.history.needs if ends is None)
        row = RegisterRow(0, pupil.upn, fields, sen_status=pupil.sen_status, needs=[code for _, code in current])
        return NewPupil(row, statuses, needs, groups)


class UpnAllocator:
    """Permanent UPNs from the school's LA and establishment numbers, serials counted per year."""

    def __init__(self, school: School):
        self.school = school
        self.next_serial: dict[int, int] = {}

    def allocate(self, year: int) -> str:
        while self.next_serial.get(year, 1) > 999:  # a full year: allocated a year later
            year += 1
        serial = self.next_serial.get(year, 1)
        self.next_serial[year] = serial + 1
        return make_upn(self.school.la_number, self.school.estab_number, year, serial)


def _status(rng: random.Random, phase: str, sex: str) -> str:
    """Current SEN status, with boys over-represented as nationally (except in special schools)."""
    rates = data.SEN_RATES[phase]
    boys = data.BOYS_SHARE[phase]
    roll = rng.random()
    for status, rate in (
        (SenStatus.EHC_PLAN, rates.ehc_plan),
        (SenStatus.SEN_SUPPORT, rates.sen_support),
        (SenStatus.MONITORING, rates.monitoring),
    ):
        if phase != data.SPECIAL:
            share = data.BOYS_SHARE_OF[status]
            rate *= share / boys if sex == "M" else (1 - share) / (1 - boys)
        if roll < rate:
            return status
        roll -= rate
    return SenStatus.NONE


def draft_pupil(
    rng: random.Random,
    *,
    school: School,
    nc_year: int,
    academic_start: int,
    upns: UpnAllocator,
    white_british_share: float,
    today: dt.date,
    left_on: dt.date | None = None,
) -> Draft:
    """One pupil in `nc_year` of the academic year starting in September `academic_start`."""
    phase = school.phase
    sex = "M" if rng.random() < data.BOYS_SHARE[phase] else "F"
    name = names.pupil_name(rng, sex=sex, white_british_share=white_british_share)
    born = random_day(rng, *born_between(academic_start, nc_year))
    first_year = data.NC_YEARS[phase][0]
    entry_year = rng.randint(first_year, nc_year) if phase == data.SPECIAL else first_year
    joined = dt.date(academic_start - (nc_year - entry_year), 9, 3)
    last_day = min(left_on - dt.timedelta(days=1) if left_on else today, today)
    if rng.random() < IN_YEAR_ADMISSION_RATE:
        joined = school_day(random_day(rng, joined, last_day - dt.timedelta(days=7)))
    joined = min(joined, last_day)
    status = _status(rng, phase, sex)
    history = draft_history(rng, final=status, phase=phase, first_day=joined, last_day=last_day, born=born)
    looked_after = rng.random() < LOOKED_AFTER_RATE * (4 if history.primary_need == "SEMH" else 1)
    fsm = rng.random() < data.FSM_RATE[history.status]
    medical = rng.random() < (0.6 if history.primary_need in data.MEDICAL_NEEDS else 0.05)
    pupil = Pupil(
        school=school,
        upn=upns.allocate(academic_start - nc_year if phase == data.PRIMARY else joined.year),
        legal_surname=name.surname,
        legal_forename=name.forename,
        middle_names=name.middle,
        preferred_forename=name.preferred_forename,
        date_of_birth=born,
        sex=sex,
        nc_year=nc_year,
        ethnicity=name.ethnicity,
        eal=name.eal,
        fsm=fsm,
        pupil_premium=fsm or looked_after or rng.random() < 0.02,
        looked_after=looked_after,
        has_medical_notes=medical,
        enrolled_on=joined,
        left_on=left_on,
        is_confidential=rng.random() < CONFIDENTIAL_RATE,
        sen_status=history.status,
        primary_need_id=history.primary_need,
    )
    attainment = rng.gauss(0, 1) - {"K": 0.8, "E": 1.2}.get(history.status, 0)
    return Draft(pupil=pupil, history=history, attainment=attainment)


def draft_pupils(
    rng: random.Random, *, school: School, on_roll: int, white_british_share: float, today: dt.date, academic_start: int
) -> list[Draft]:
    """`on_roll` pupils spread over the school's NC years, then about 4% as many leavers."""
    upns = UpnAllocator(school)
    years = data.NC_YEARS[school.phase]
    common = {"school": school, "upns": upns, "white_british_share": white_british_share, "today": today}
    drafts = []
    for index in range(on_roll):
        nc_year = years[index * len(years) // on_roll]
        drafts.append(draft_pupil(rng, nc_year=nc_year, academic_start=academic_start, **common))
    for _ in range(round(on_roll * data.LEAVER_SHARE)):
        drafts.append(_draft_leaver(rng, years=years, academic_start=academic_start, common=common))
    return drafts


def _draft_leaver(rng: random.Random, *, years: list[int], academic_start: int, common: dict) -> Draft:
    """Last summer's top year, or a pupil who moved school during last year or this one."""
    today = common["today"]
    if rng.random() < MID_YEAR_LEAVER_SHARE:
        left_on = school_day(random_day(rng, dt.date(academic_start - 1, 10, 1), today - dt.timedelta(days=3)))
        start = left_on.year if left_on.month >= 9 else left_on.year - 1
        draft = draft_pupil(rng, nc_year=rng.choice(years), academic_start=start, left_on=left_on, **common)
        kinds = data.MID_YEAR_DESTINATIONS
    else:
        left_on = school_day(dt.date(academic_start, 7, 21))
        draft = draft_pupil(rng, nc_year=years[-1], academic_start=academic_start - 1, left_on=left_on, **common)
        kinds = data.DESTINATIONS[common["school"].phase]
    pupil = draft.pupil
    pupil.destination = rng.choices(list(kinds), weights=list(kinds.values()))[0]
    starts = left_on + dt.timedelta(days=rng.randint(1, 45))
    pupil.destination_on = starts if starts <= today and pupil.destination != Pupil.Destination.UNKNOWN else None
    return draft
