"""Identification compared with national figures, and destinations of leavers.

Everything is computed from the pupils' current (denormalised) SEN status, sex, FSM and primary
need in a couple of grouped queries, so the cost does not grow with the number of schools shown.
Monitoring counts as no SEN, as it does in the census.

For a suppressed audience every count, and every share (a share of a known total is a count),
goes through trellis.lib.disclosure: each school's figures first, each on its own (so a school
withholds the same cells alone and beside others), then the figures for all the schools shown.
The school overview's tables are protected after the school's figures here, as they add up to them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db.models import Count

from trellis.lib.disclosure import Figure, Relation, protect_levels
from trellis.pupils.models import NeedType, Pupil, SenStatus
from trellis.schools.models import School

from .models import NationalFigure

K, E, N = SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN, SenStatus.NONE


@dataclass
class Profile:
    """Counts for one school, or for several added together."""

    label: str
    school_id: int | None = None  # None for several schools added together
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

    def cells(self) -> tuple[str, str]:
        """(the count's cell, its total's cell) in `profile_cells`."""
        measure, group, need = self.national
        if measure in ("sen_support", "ehc_plan"):
            return (K if measure == "sen_support" else E), "on_roll"
        if measure == "need":
            return f"need:{group}:{need}", group
        return f"{measure}:{group}", group

    def figure(self, profile: Profile, hidden: set | frozenset = frozenset()) -> Figure:
        count, base = self.cells()
        values = profile_cells(profile)
        return _figure(values.get(count, 0), values.get(base, 0), profile, count, base, hidden)


def _figure(count: int, total: int, profile: Profile, cell: str, base: str, hidden) -> Figure:
    tag = profile_tag(profile)
    return Figure(count, total, ("id", tag, cell) in hidden, ("id", tag, base) in hidden)


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


def school_profiles(schools: Iterable[School]) -> list[Profile]:
    """One Profile per school (in the order given), from two grouped queries."""
    schools = list(schools)
    profiles = {school.pk: Profile(label=school.name, school_id=school.pk) for school in schools}
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


def need_mix(profile: Profile, hidden: set | frozenset = frozenset()) -> list[tuple[NeedType, Figure, Figure]]:
    """Each need with its share of SEN support and of EHC plan pupils, needs with none left out."""
    rows = []
    for need in NeedType.objects.all():
        k, e = profile.needs[K][need.code], profile.needs[E][need.code]
        if k or e:
            rows.append(
                (
                    need,
                    _figure(k, profile.status[K], profile, f"need:{K}:{need.code}", K, hidden),
                    _figure(e, profile.status[E], profile, f"need:{E}:{need.code}", E, hidden),
                )
            )
    return rows


def profile_tag(profile: Profile) -> int | str:
    return "all" if profile.school_id is None else profile.school_id


def profile_cells(profile: Profile) -> dict[str, int]:
    """Every count behind a school's identification figures, with the complements a reader could
    work out (girls, pupils not eligible for FSM, pupils with SEN and no recorded need)."""
    cells = {"on_roll": profile.on_roll, **{status: profile.status[status] for status in (K, E, N)}}
    for status in (K, E, N):
        cells[f"boys:{status}"] = profile.boys[status]
        cells[f"girls:{status}"] = profile.status[status] - profile.boys[status]
        cells[f"fsm:{status}"] = profile.fsm[status]
        cells[f"no_fsm:{status}"] = profile.status[status] - profile.fsm[status]
    for status in (K, E):
        for need, n in profile.needs[status].items():
            cells[f"need:{status}:{need}"] = n
        cells[f"need:{status}:none recorded"] = profile.needs[status]["none recorded"]
    return cells


def _profile_relations(tag, cells: dict[str, int]) -> list[Relation]:
    def key(name: str) -> tuple:
        return ("id", tag, name)

    relations = [Relation(key("on_roll"), (key(K), key(E), key(N)))]
    for status in (K, E, N):
        relations.append(Relation(key(status), (key(f"boys:{status}"), key(f"girls:{status}"))))
        relations.append(Relation(key(status), (key(f"fsm:{status}"), key(f"no_fsm:{status}"))))
    for status in (K, E):
        needs = tuple(key(name) for name in cells if name.startswith(f"need:{status}:"))
        relations.append(Relation(key(status), needs))
    return relations


def withheld(
    profiles: list[Profile],
    total: Profile | None = None,
    extra: tuple[dict, list, list] | None = None,
    *,
    open_schools: Collection[int] = (),
):
    """The withheld cells of these schools' profiles and of their total (when shown), protected
    school by school and then the total. `extra`: (values, relations, levels) of tables protected
    after them (the school overview). `open_schools`: ids of schools whose figures this reader
    sees exactly (they may see names there): shown, and the total protected against them."""
    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    order: list = []
    for profile in [*profiles, *([total] if total is not None else [])]:
        tag = profile_tag(profile)
        cells = profile_cells(profile)
        values.update({("id", tag, name): n for name, n in cells.items()})
        relations += _profile_relations(tag, cells)
        order.append(("id", tag))
    if total is not None:
        names = {name for (_, _, name) in values}
        for name in sorted(names):
            parts = tuple(("id", p.school_id, name) for p in profiles if ("id", p.school_id, name) in values)
            values.setdefault(("id", "all", name), 0)
            relations.append(Relation(("id", "all", name), parts))
    if extra is not None:
        values.update(extra[0])
        relations += extra[1]
        order += extra[2]
    schools = [level for level in order if level[0] == "id" and level[1] != "all"]

    def context(level):
        if level == ("id", "all"):
            return schools
        return [("id", level[1])] if level[0] != "id" else []

    public = [key for key in values if key[0] == "id" and key[1] in open_schools]
    return protect_levels(values, relations, order=order, context=context, level_of=lambda key: key[:2], public=public)


def overview_withheld(
    profile: Profile, by_status: dict[str, int], by_area: dict[str, int], by_need: dict[str, int], area_of: dict
) -> set:
    """The school overview's tables (pupils by SEN status, by broad area, by need) after the school's
    identification figures, which they add up to: a broad area is the sum of its needs, each
    need holds its pupils with SEN support, with an EHC plan and any others."""
    tag = profile_tag(profile)

    def key(name: str) -> tuple:
        return ("ov", tag, name)

    def id_key(name: str) -> tuple:
        return ("id", tag, name)

    values = {key(f"status:{code}"): n for code, n in by_status.items()} | {key("total"): sum(by_status.values())}
    relations = [Relation(key("total"), tuple(key(f"status:{code}") for code in by_status))]
    relations.append(Relation(id_key("on_roll"), (key("total"),)))
    relations += [Relation(id_key(code), (key(f"status:{code}"),)) for code in (K, E) if code in by_status]
    monitoring = SenStatus.MONITORING
    relations.append(Relation(id_key(N), tuple(key(f"status:{code}") for code in (N, monitoring) if code in by_status)))
    for area, n in by_area.items():
        values[key(f"area:{area}")] = n
        needs = tuple(key(f"need:{code}") for code in by_need if area_of.get(code) == area)
        relations.append(Relation(key(f"area:{area}"), needs))
    ids = profile_cells(profile)
    for code, n in by_need.items():
        values[key(f"need:{code}")] = n
        k, e = ids.get(f"need:{K}:{code}", 0), ids.get(f"need:{E}:{code}", 0)
        values[key(f"other:{code}")] = n - k - e  # pupils with the need and no SEN status: never shown
        parts = tuple(id_key(f"need:{s}:{code}") for s in (K, E) if f"need:{s}:{code}" in ids) + (key(f"other:{code}"),)
        relations.append(Relation(key(f"need:{code}"), parts))
    return withheld([profile], extra=(values, relations, [("ov", tag)]))


DESTINATION_GROUPS = [(K, "SEN support"), (E, "EHC plan"), (N, "No SEN")]


def destinations(
    schools: Iterable[School], *, hide_small: bool, open_schools: Collection[int] = ()
) -> tuple[list, list]:
    """Leavers with a recorded destination: (by destination x SEN status, by destination x primary need).

    For a suppressed audience both tables are protected together, school by school and then for
    all the schools shown: a need's leavers add up across destinations, and each destination's
    leavers with SEN add up across needs (with those whose need is not recorded). `open_schools`:
    ids of schools whose leavers this reader sees exactly, whose figures are protected against."""
    leavers = Pupil.objects.filter(school__in=schools, destination__gt="").order_by()
    by_status: dict[tuple, Counter] = defaultdict(Counter)  # (tag, destination) -> status -> n
    for school, kind, status, n in leavers.values_list("school_id", "destination", "sen_status").annotate(
        n=Count("pk")
    ):
        for tag in (school, "all"):
            by_status[(tag, kind)][SenStatus.census_code(status)] += n
    by_need: dict[tuple, Counter] = defaultdict(Counter)  # (tag, need) -> destination -> n
    sen = leavers.filter(sen_status__in=[K, E], primary_need__isnull=False)
    for school, kind, need, n in sen.values_list("school_id", "destination", "primary_need_id").annotate(n=Count("pk")):
        for tag in (school, "all"):
            by_need[(tag, need)][kind] += n
    tags = sorted({tag for tag, _ in by_status if tag != "all"})
    hidden = _destinations_withheld(tags, by_status, by_need, set(open_schools)) if hide_small else set()
    kinds = [(kind, label) for kind, label in Pupil.Destination.choices if by_status.get(("all", kind))]
    totals = {status: sum(by_status[("all", kind)][status] for kind, _ in kinds) for status, _ in DESTINATION_GROUPS}
    top = "all" if len(tags) > 1 else (tags[0] if tags else "all")

    def shown(count: int, total: int, cell: tuple, base: tuple) -> Figure:
        return Figure(count, total, ("dest", top, *cell) in hidden, ("dest", top, *base) in hidden)

    status_rows = [
        (
            label,
            [
                shown(by_status[("all", kind)][s], totals[s], ("status", kind, s), ("status", s))
                for s, _ in DESTINATION_GROUPS
            ],
        )
        for kind, label in kinds
    ]
    need_rows = []
    for need in NeedType.objects.all():
        counts = by_need.get(("all", need.code))
        if counts:
            n = sum(counts.values())
            need_rows.append(
                (need, [shown(counts[kind], n, ("need", need.code, kind), ("need", need.code)) for kind, _ in kinds])
            )
    return status_rows, need_rows


def _destinations_withheld(tags: list, by_status: dict, by_need: dict, open_schools: set) -> set:
    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    kinds = [kind for kind, _ in Pupil.Destination.choices]
    needs = sorted({need for _, need in by_need})
    statuses = [status for status, _ in DESTINATION_GROUPS]
    for tag in [*tags, "all"]:

        def key(*cell, tag=tag) -> tuple:
            return ("dest", tag, *cell)

        for status in statuses:
            values[key("status", status)] = sum(by_status[(tag, kind)][status] for kind in kinds)
            relations.append(Relation(key("status", status), tuple(key("status", kind, status) for kind in kinds)))
        for kind in kinds:
            for status in statuses:
                values[key("status", kind, status)] = by_status[(tag, kind)][status]
            with_need = sum(by_need[(tag, need)][kind] for need in needs)
            values[key("sen", kind)] = by_status[(tag, kind)][K] + by_status[(tag, kind)][E]
            values[key("no_need", kind)] = values[key("sen", kind)] - with_need  # never shown
            relations.append(Relation(key("sen", kind), (key("status", kind, K), key("status", kind, E))))
            parts = (*(key("need", need, kind) for need in needs), key("no_need", kind))
            relations.append(Relation(key("sen", kind), parts))
        for need in needs:
            values[key("need", need)] = sum(by_need[(tag, need)].values())
            for kind in kinds:
                values[key("need", need, kind)] = by_need[(tag, need)][kind]
            relations.append(Relation(key("need", need), tuple(key("need", need, kind) for kind in kinds)))
    if len(tags) > 1:
        for cell in [key[2:] for key in values if key[1] == "all"]:
            relations.append(Relation(("dest", "all", *cell), tuple(("dest", tag, *cell) for tag in tags)))
    order = [("dest", tag) for tag in tags] + ([("dest", "all")] if len(tags) > 1 else [])

    def context(level):
        return order[:-1] if level == ("dest", "all") else []

    public = [key for key in values if key[1] in open_schools]
    return protect_levels(values, relations, order=order, context=context, level_of=lambda key: key[:2], public=public)
