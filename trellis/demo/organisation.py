"""The demo trust's shape: which schools, where, and their classes and teaching sets."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from trellis.pupils.bulk import GroupPeriod
from trellis.pupils.models import nc_year_label
from trellis.schools.models import AcademicYear, School, TeachingGroup
from trellis.schools.services import create_school

from . import data
from .pupils import Draft

FIRST_URN = 140_001
SET_SUBJECTS = ("Maths", "English")  # secondary pupils are taught in sets for these


def school_specs(count: int, pupils_per_school: int | None) -> list[data.SchoolSpec]:
    """The default six schools first, then generated ones. With `pupils_per_school`, the trust has
    that many pupils a school on average, each school sized for its phase."""
    specs = list(data.DEFAULT_SCHOOLS[:count])
    places = data.EXTRA_PLACES
    regions = list(data.REGIONS)
    for index in range(len(specs), count):
        extra = index - len(data.DEFAULT_SCHOOLS)
        prefix = data.PLACE_PREFIXES[(extra // len(places)) % len(data.PLACE_PREFIXES)]
        repeat = extra // (len(places) * len(data.PLACE_PREFIXES))
        phase = data.PHASE_CYCLE[index % len(data.PHASE_CYCLE)]
        name = f"{prefix}{places[extra % len(places)]} {data.PHASE_SUFFIX[phase]}" + (
            f" {repeat + 1}" if repeat else ""
        )
        share = 0.35 + 0.55 * ((index * 37) % 100) / 100  # areas from diverse to not very diverse
        specs.append(data.SchoolSpec(name, phase, data.DEFAULT_SIZE[phase], regions[index * 2 // count], share))
    if pupils_per_school is not None:
        sizes = _scaled_sizes([s.pupils for s in specs], pupils_per_school * len(specs))
        specs = [
            data.SchoolSpec(s.name, s.phase, n, s.region, s.white_british_share)
            for s, n in zip(specs, sizes, strict=True)
        ]
    return specs


def _scaled_sizes(typical: list[int], total: int) -> list[int]:
    """Sizes in proportion to each phase's typical size, adding up to `total`: a special school
    stays a fraction of a secondary's size, as in life (a trust of 1,200-pupil special schools
    would be nothing like the national SEN figures)."""
    whole = sum(typical)
    sizes = [max(1, round(size * total / whole)) for size in typical]
    sizes[sizes.index(max(sizes))] += total - sum(sizes)  # rounding, on the largest school
    return sizes


def create_schools(specs: list[data.SchoolSpec], *, today: dt.date) -> list[School]:
    """The trust's schools with their current academic year, through the ordinary service."""
    estab_used: dict[tuple[str, str], int] = defaultdict(int)
    region_index: dict[str, int] = defaultdict(int)
    schools = []
    for index, spec in enumerate(specs):
        las = data.REGIONS[spec.region]
        la_number = las[region_index[spec.region] % len(las)][0]
        region_index[spec.region] += 1
        estab_used[(la_number, spec.phase)] += 1
        estab = data.ESTAB_BASE[spec.phase] + 100 + (estab_used[(la_number, spec.phase)] * 7) % 1900
        schools.append(
            create_school(
                urn=str(FIRST_URN + index),
                name=spec.name,
                la_number=la_number,
                estab_number=f"{estab:04d}",
                phase=spec.phase,
                trust_name=data.TRUST_NAME,
                region_name=spec.region,
                today=today,
            )
        )
    return schools


@dataclass
class Groups:
    """A school's groups this year: classes by NC year, sets by (subject, NC year), best set first."""

    classes: dict[int, list[TeachingGroup]] = field(default_factory=dict)
    sets: dict[tuple[str, int], list[TeachingGroup]] = field(default_factory=dict)
    placed: list[tuple[TeachingGroup, Draft]] = field(default_factory=list)  # pupils in groups

    def all(self) -> list[TeachingGroup]:
        return [g for groups in self.classes.values() for g in groups] + [
            g for groups in self.sets.values() for g in groups
        ]


def _class_name(phase: str, nc_year: int, index: int) -> str:
    names = data.CLASS_NAMES[phase]
    name = names[index % len(names)] + (f" {index // len(names) + 1}" if index >= len(names) else "")
    if phase == data.SECONDARY:
        return f"{nc_year}{name}"
    return f"{'Reception' if nc_year == 0 else f'Year {nc_year_label(nc_year)}'} {name}"


def create_groups(rng: random.Random, *, school: School, year: AcademicYear, drafts: list[Draft]) -> Groups:
    """Classes of the usual size for the phase (sets for Maths and English in secondaries), with
    this year's pupils in them; pupils who left this year keep a membership that ended then."""
    phase = school.phase
    by_year: dict[int, list[Draft]] = defaultdict(list)
    for draft in drafts:
        left = draft.pupil.left_on
        if left is None or left >= year.starts_on:
            by_year[draft.pupil.nc_year].append(draft)
    groups = Groups()
    for nc_year in sorted(by_year):
        pupils = by_year[nc_year]
        count = max(1, math.ceil(len(pupils) / data.CLASS_SIZE[phase]))
        classes = [
            TeachingGroup(school=school, academic_year=year, name=_class_name(phase, nc_year, index), nc_year=nc_year)
            for index in range(count)
        ]
        groups.classes[nc_year] = classes
        shuffled = pupils[:]
        rng.shuffle(shuffled)
        groups.placed += [(classes[index % count], draft) for index, draft in enumerate(shuffled)]
        if phase != data.SECONDARY:
            continue
        for subject in SET_SUBJECTS:
            ranked = sorted(pupils, key=lambda d: d.attainment + rng.gauss(0, 0.5), reverse=True)
            sets = [
                TeachingGroup(
                    school=school,
                    academic_year=year,
                    name=f"Year {nc_year} {subject} set {n + 1}",
                    kind=TeachingGroup.Kind.TEACHING,
                    nc_year=nc_year,
                )
                for n in range(count)
            ]
            groups.sets[(subject, nc_year)] = sets
            groups.placed += [(sets[index * count // len(ranked)], draft) for index, draft in enumerate(ranked)]
    TeachingGroup.objects.bulk_create(groups.all())
    return groups


def group_periods(groups: Groups, year: AcademicYear) -> dict[int, list[GroupPeriod]]:
    """Each pupil's group memberships (by id() of their draft): from the start of the year (or when
    they joined) until they left. Written with the pupils, once they have ids."""
    periods: dict[int, list[GroupPeriod]] = defaultdict(list)
    for group, draft in groups.placed:
        pupil = draft.pupil
        periods[id(draft)].append(GroupPeriod(group.pk, max(year.starts_on, pupil.enrolled_on), pupil.left_on))
    return periods
