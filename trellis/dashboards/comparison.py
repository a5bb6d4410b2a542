"""Identification compared with national figures, and destinations of leavers.

Everything is computed from the pupils' current (denormalised) SEN status, sex, FSM and primary
need in a couple of grouped queries, so the cost does not grow with the number of schools shown.
Monitoring counts as no SEN, as it does in the census.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from trellis.lib.stats import Figure, suppress
from trellis.pupils.models import NeedType, Pupil, SenStatus
from trellis.schools.models import School

from .models import NationalFigure

K, E, N = SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN, SenStatus.NONE


@dataclass
class Profile:
    """Counts for one school, or for several added together."""

    label: str
    on_roll: int = 0
    status: Counter = field(default_factory=Counter)  # census status -> pupils
    boys: Counter = field(default_factory=Counter)  # census status -> boys
    fsm: Counter = field(default_factory=Counter)  # census status -> pupils eligible for FSM
    needs: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # status -> need -> n

    def add(self, other: Profile) -> None:
        self.on_roll += other.on_roll
        self.status.update(other.status)
        self.boys.update(other.boys)
        self.fsm.update(other.fsm)
        for status, needs in other.needs.items():
            self.needs[status].update(needs)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    national: tuple[str, str, str | None]  # (measure, group, need) in NationalFigure

    def figure(self, profile: Profile, *, hide_small: bool) -> Figure:
        measure, group, need = self.national
        if measure in ("sen_support", "ehc_plan"):
            status = K if measure == "sen_support" else E
            return suppress(profile.status[status], profile.on_roll, hide_small=hide_small)
        if measure == "need":
            return suppress(profile.needs[group][need], profile.status[group], hide_small=hide_small)
        counts = profile.boys if measure == "boys" else profile.fsm
        return suppress(counts[group], profile.status[group], hide_small=hide_small)


MEASURES = [
    Measure("sen_support", "SEN support (% of pupils)", ("sen_support", "all", None)),
    Measure("ehc_plan", "EHC plan (% of pupils)", ("ehc_plan", "all", None)),
    Measure("boys_k", "Boys (% of SEN support)", ("boys", K, None)),
    Measure("boys_e", "Boys (% of EHC plans)", ("boys", E, None)),
    Measure("fsm_k", "Free school meals (% of SEN support)", ("fsm", K, None)),
    Measure("fsm_e", "Free school meals (% of EHC plans)", ("fsm", E, None)),
    Measure("fsm_n", "Free school meals (% of no SEN)", ("fsm", N, None)),
    Measure("asd_e", "Autism as primary need (% of EHC plans)", ("need", E, "ASD")),
    Measure("slcn_k", "Speech, language and communication as primary need (% of SEN support)", ("need", K, "SLCN")),
]


def school_profiles(schools: QuerySet[School]) -> list[Profile]:
    """One Profile per school (in name order), from two grouped queries."""
    schools = list(schools.order_by("name"))
    profiles = {school.pk: Profile(label=school.name) for school in schools}
    on_roll = Pupil.objects.filter(school__in=profiles).on_roll().order_by()
    rows = on_roll.values_list("school_id", "sen_status", "sex", "fsm").annotate(n=Count("pk"))
    for school_id, status, sex, fsm, n in rows:
        profile, status = profiles[school_id], SenStatus.census_code(status)
        profile.on_roll += n
        profile.status[status] += n
        profile.boys[status] += n if sex == Pupil.Sex.MALE else 0
        profile.fsm[status] += n if fsm else 0
    needs = on_roll.filter(sen_status__in=[K, E]).values_list("school_id", "sen_status", "primary_need_id")
    for school_id, status, need, n in needs.annotate(n=Count("pk")):
        profiles[school_id].needs[status][need or "none recorded"] += n
    return [profiles[school.pk] for school in schools]


def total_of(profiles: list[Profile], label: str) -> Profile:
    total = Profile(label=label)
    for profile in profiles:
        total.add(profile)
    return total


def national_figures() -> dict[tuple[str, str, str | None], NationalFigure]:
    """The latest national figure for each measure."""
    latest: dict[tuple[str, str, str | None], NationalFigure] = {}
    for figure in NationalFigure.objects.order_by("year"):
        latest[(figure.measure, figure.group, figure.need_id)] = figure
    return latest


def need_mix(profile: Profile, *, hide_small: bool) -> list[tuple[NeedType, Figure, Figure]]:
    """Each need with its share of SEN support and of EHC plan pupils, needs with none left out."""
    rows = []
    for need in NeedType.objects.all():
        k, e = profile.needs[K][need.code], profile.needs[E][need.code]
        if k or e:
            rows.append(
                (
                    need,
                    suppress(k, profile.status[K], hide_small=hide_small),
                    suppress(e, profile.status[E], hide_small=hide_small),
                )
            )
    return rows


DESTINATION_GROUPS = [(K, "SEN support"), (E, "EHC plan"), (N, "No SEN")]


def destinations(schools: QuerySet[School], *, hide_small: bool) -> tuple[list, list]:
    """Leavers with a recorded destination: (by destination x SEN status, by destination x primary need)."""
    leavers = Pupil.objects.filter(school__in=schools, destination__gt="").order_by()
    by_status: dict[str, Counter] = defaultdict(Counter)
    for kind, status, n in leavers.values_list("destination", "sen_status").annotate(n=Count("pk")):
        by_status[kind][SenStatus.census_code(status)] += n
    totals = Counter({status: sum(c[status] for c in by_status.values()) for status, _ in DESTINATION_GROUPS})
    status_rows = [
        (
            label,
            [
                suppress(by_status[kind][status], totals[status], hide_small=hide_small)
                for status, _ in DESTINATION_GROUPS
            ],
        )
        for kind, label in Pupil.Destination.choices
        if by_status.get(kind)
    ]
    by_need: dict[str, Counter] = defaultdict(Counter)
    sen = leavers.filter(sen_status__in=[K, E], primary_need__isnull=False)
    for kind, need, n in sen.values_list("destination", "primary_need_id").annotate(n=Count("pk")):
        by_need[need][kind] += n
    kinds = [(kind, label) for kind, label in Pupil.Destination.choices if by_status.get(kind)]
    need_rows = [
        (
            need,
            [
                suppress(by_need[need.code][kind], sum(by_need[need.code].values()), hide_small=hide_small)
                for kind, _ in kinds
            ],
        )
        for need in NeedType.objects.all()
        if by_need.get(need.code)
    ]
    return status_rows, need_rows
