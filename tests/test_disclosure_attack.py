"""The attacker: a governor fetches every table they can reach (every breakdown and every pair,
the downloads, the API, the provision evaluation, the school overview, identification and
destinations), writes down every relation a reader knows (a row is the sum of its statuses, a
table is the sum of a finer one, a share of a known total is a count) and solves them. No
withheld number comes back, by one-unknown substitution or by any longer elimination; no
number from 1 to 4 is published; and a SENCO sees every figure.

The solver here is written independently of trellis.lib.disclosure, so a fault in the rule's
own elimination does not hide itself.
"""

from __future__ import annotations

import csv
import io
import itertools
from fractions import Fraction

import pytest
from django.core.management import call_command
from lxml import html as lxml_html

from trellis.accounts.models import Membership, Role, User
from trellis.dashboards.progress import DIMENSIONS
from trellis.demo.logins import DEMO_PASSWORD
from trellis.plans.progress import Status
from trellis.provision.models import Intervention
from trellis.pupils.areas import BROAD_AREAS, UNCATEGORISED
from trellis.pupils.models import NeedType
from trellis.schools.models import School

STATUSES = [s.value for s in Status]
REVIEWED = ["achieved", "on_track", "at_risk", "off_track"]
MULTI = {key for key, d in DIMENSIONS.items() if d.current is not None}  # a pupil can be in two, or none
KEYS = list(DIMENSIONS)


class Attacker:
    """Published numbers, withheld ones and the linear relations between them."""

    def __init__(self) -> None:
        self.known: dict[object, Fraction] = {}
        self.withheld: set = set()
        self.equations: list[tuple[dict, Fraction]] = []  # sum(coef * var) == constant
        self.leaks: list[str] = []
        self.small: set = set()  # numbers from 1 to 4 published

    def see(self, var, value) -> None:
        if value is None:
            self.withheld.add(var)
            return
        value = Fraction(value)
        if 0 < value < 5 and value.denominator == 1:
            self.leaks.append(f"{var} published as {value}")
            self.small.add(var)
        if var in self.known and self.known[var] != value:
            self.leaks.append(f"{var} published as {self.known[var]} and as {value}")
        self.known[var] = value

    def share(self, count_var, total_var, percent) -> None:
        """A percentage beside its total is a count (and beside its count, a total)."""
        if percent is None:
            return
        if total_var in self.known:
            self.see(count_var, round(Fraction(str(percent)) * self.known[total_var] / 100))
        elif count_var in self.known and percent:
            self.see(total_var, round(self.known[count_var] * 100 / Fraction(str(percent))))
        else:  # count = percent x total / 100, taken as exact (a stronger attacker than a real one)
            self.equations.append(({count_var: Fraction(100), total_var: -Fraction(str(percent))}, Fraction(0)))

    def sums(self, total, parts) -> None:
        self.equations.append(({total: Fraction(1), **{p: Fraction(-1) for p in parts}}, Fraction(0)))

    def works_out(self, variables: set) -> set:
        """Those of `variables` that the other published numbers pin down, all of them unpublished."""
        other = Attacker()
        other.known = {v: x for v, x in self.known.items() if v not in variables}
        other.withheld, other.equations = set(variables), self.equations
        return other.recovered()

    def recovered(self) -> set:
        """Withheld numbers that come back: published elsewhere, or pinned down by the relations."""
        found = self.withheld & set(self.known)
        known = dict(self.known)
        rows = []
        for coefficients, constant in self.equations:
            row, rhs = {}, constant
            for var, c in coefficients.items():
                if var in known:
                    rhs -= c * known[var]
                else:
                    row[var] = row.get(var, 0) + c
            row = {v: c for v, c in row.items() if c}
            if row:
                rows.append((row, rhs))
        # One unknown at a time, as a person with a calculator would.
        changed = True
        while changed:
            changed = False
            for row, _ in rows:
                unknown = [v for v in row if v not in known]
                if len(unknown) == 1:
                    known[unknown[0]] = Fraction(0)  # its value does not matter here, only that it is found
                    found.add(unknown[0])
                    changed = True
        # Then everything at once: Gauss-Jordan over the unknowns (sparse rows; a column index says
        # which rows hold a variable, so each pivot is cleared from exactly those rows).
        reduced = [dict(row) for row, _ in rows]
        holding: dict[object, set[int]] = {}
        for index, row in enumerate(reduced):
            for var in row:
                holding.setdefault(var, set()).add(index)
        done: set[int] = set()
        for var in sorted(holding, key=repr):
            candidates = sorted(i for i in holding[var] if i not in done and reduced[i].get(var))
            if not candidates:
                continue
            p = candidates[0]
            done.add(p)
            pivot = {v: c / reduced[p][var] for v, c in reduced[p].items()}
            reduced[p] = pivot
            for i in list(holding[var]):
                if i == p or not reduced[i].get(var):
                    continue
                factor = reduced[i][var]
                for v, c in pivot.items():
                    value = reduced[i].get(v, 0) - factor * c
                    if value:
                        reduced[i][v] = value
                        holding.setdefault(v, set()).add(i)
                    else:
                        reduced[i].pop(v, None)
        for i in done:
            nonzero = [v for v, c in reduced[i].items() if c]
            if len(nonzero) == 1:
                found.add(nonzero[0])
        return found & self.withheld


def _coords(dims, labels) -> tuple:
    return tuple(sorted(zip(dims, labels, strict=True)))


def read_dashboard(attacker: Attacker, data: dict, tag: str = "") -> None:
    """One /api/v1/dashboard answer: the totals, the breakdown, the table by school, pupils, trend."""
    dims = data["group_by"]

    def row(coords, item):
        var = lambda column: ("targets", tag, coords, column)  # noqa: E731
        attacker.see(var("total"), item["total"])
        for status in STATUSES:
            attacker.see(var(status), item[status])
            attacker.share(var(status), var("total"), item["percent"][status])
        attacker.sums(var("total"), [var(s) for s in STATUSES])
        if item["total"] is None and item["mean_steps_gained"] is not None:
            attacker.leaks.append(f"a mean for the withheld group {coords}")

    row((), data["targets"])
    for item in data["groups"]:
        row(_coords(dims, [item[d] for d in dims]), item)
    for item in data["schools_breakdown"]:
        row(_coords(["region", "school"], [item["region"], item["school"]]), item)
    pupils = data["pupils"]
    attacker.see(("pupils", tag, "total"), pupils["total"])
    for status in STATUSES:
        attacker.see(("pupils", tag, status), pupils[status])
        attacker.share(("pupils", tag, status), ("pupils", tag, "total"), pupils["percent"][status])
    attacker.sums(("pupils", tag, "total"), [("pupils", tag, s) for s in STATUSES])
    for point in data["trend"]:
        var = lambda column, point=point: ("trend", tag, point["from"], point["to"], column)  # noqa: E731
        reviews = point["reviews"]
        attacker.see(var("total"), reviews["total"])
        for status in REVIEWED:
            attacker.see(var(status), reviews[status])
            attacker.share(var(status), var("total"), reviews["percent"][status])
        attacker.sums(var("total"), [var(s) for s in REVIEWED])
    for key, n in data["at_a_glance"].items():
        attacker.see(("glance", tag, key), n)


def add_margins(attacker: Attacker, levels: dict[tuple, set]) -> None:
    """A table is the sum of a finer one over a dimension that gives each target one value, and a
    table by need adds up to the table by broad area (by school: by region), as everyone knows
    which area each need is in."""
    decides = {
        "need": ("area", {n.name: n.broad_area for n in NeedType.objects.all()} | {"Not recorded": "Not recorded"}),
        "school": ("region", {s.name: s.region.name if s.region_id else "No region" for s in School.objects.all()}),
    }
    for level, rows in levels.items():
        for dim, (implied, value_of) in decides.items():
            if dim not in level or implied in level:
                continue
            children: dict[tuple, list] = {}
            for coords in rows:
                labels = dict(coords)
                parent = {**{d: v for d, v in labels.items() if d != dim}, implied: value_of[labels[dim]]}
                children.setdefault(tuple(sorted(parent.items())), []).append(coords)
            for coords, parts in children.items():
                for column in [*STATUSES, "total"]:
                    attacker.sums(("targets", "", coords, column), [("targets", "", c, column) for c in parts])
    for level, rows in levels.items():
        for dim in level:
            if dim in MULTI:
                continue
            parent = tuple(d for d in level if d != dim)
            children: dict[tuple, list] = {}
            for coords in rows:
                children.setdefault(tuple(p for p in coords if p[0] != dim), []).append(coords)
            for coords, parts in children.items():
                for column in [*STATUSES, "total"]:
                    attacker.sums(("targets", "", coords, column), [("targets", "", c, column) for c in parts])
            assert parent in levels or not parent


# Demo trusts to attack: the figures differ with the seed, and so does which rule a leak needs.
# Seed 5 gave the trust's totals away to a governor who sees one school exactly (seeds 1 to 12 tried).
SEEDS = [3, 5, 8]


@pytest.fixture(name="demo")
def demo_fixture(db, request):
    """A small demo trust: seed 3 unless a test asks for others (`parametrize("demo", SEEDS, indirect=True)`)."""
    seed = str(getattr(request, "param", 3))
    call_command("seed_demo", "--schools", "2", "--pupils-per-school", "60", "--seed", seed, stdout=io.StringIO())
    return School.objects.order_by("urn")


def sign_in(client, username: str):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def walk_dashboards(client, query: str, dimension_sets) -> tuple[Attacker, list[dict]]:
    attacker, answers, levels = Attacker(), [], {(): {()}}
    for dims in dimension_sets:
        response = client.get(f"/api/v1/dashboard?{query}group_by={','.join(dims)}")
        assert response.status_code == 200, response.content
        data = response.json()
        answers.append(data)
        read_dashboard(attacker, data)
        level = tuple(sorted(dims))
        levels.setdefault(level, set()).update(_coords(dims, [g[d] for d in dims]) for g in data["groups"])
        if data["schools_breakdown"]:
            rows = levels.setdefault(("region", "school"), set())
            rows.update(_coords(["region", "school"], [g["region"], g["school"]]) for g in data["schools_breakdown"])
    add_margins(attacker, {tuple(sorted(k)): v for k, v in levels.items()})
    return attacker, answers


ONE = [(key,) for key in KEYS]
TWO = list(itertools.combinations(KEYS, 2))


@pytest.mark.parametrize("demo", SEEDS, indirect=True)
def test_governor_cannot_recover_a_withheld_cell_from_any_breakdown(demo, client):
    school = demo.first()
    attacker, answers = walk_dashboards(sign_in(client, "governor"), f"school={school.urn}&", ONE)
    assert attacker.withheld, "the demo school has small groups: something must be withheld"
    assert attacker.recovered() == set()
    assert attacker.leaks == []


# Seeds 6 and 9 gave the need x SEN status table to a protection that failed cell by cell; withheld
# whole, its rows still gave cells away through the need and SEN status tables.
@pytest.mark.parametrize("demo", [6, 9], indirect=True)
def test_a_table_withheld_whole_gives_nothing_away_beside_its_totals(demo, client):
    school = demo.first()
    dims = [("need",), ("sen",), ("area",), ("need", "sen")]
    attacker, _ = walk_dashboards(sign_in(client, "governor"), f"school={school.urn}&", dims)
    assert attacker.withheld
    assert attacker.recovered() == set()
    assert attacker.leaks == []


@pytest.mark.fuzz
def test_governor_cannot_recover_a_withheld_cell_from_every_pair_of_breakdowns(demo, client):
    school = demo.first()
    attacker, _ = walk_dashboards(sign_in(client, "governor"), f"school={school.urn}&", ONE + TWO)
    assert attacker.recovered() == set()
    assert attacker.leaks == []


@pytest.mark.fuzz
@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.SENCO])
@pytest.mark.parametrize("demo", SEEDS, indirect=True)
def test_a_governor_of_two_schools_cannot_subtract_one_school_from_both(demo, client, role):
    """A governor of both schools; or governor of one and SENCO of the other, who sees that
    school's figures exactly on its own page and so can subtract them from the trust's."""
    governor = User.objects.get(username="governor")
    first, second = demo
    Membership.objects.get_or_create(user=governor, school=second, role=role)
    client = sign_in(client, "governor")
    attacker, _ = walk_dashboards(
        client, "", [("need",), ("sex",), ("school",), ("region",), ("need", "school"), ("sex", "school")]
    )
    for school in (first, second):  # each school's own page, with its own totals
        for dims in [("need",), ("sex",)]:
            data = client.get(f"/api/v1/dashboard?school={school.urn}&group_by={','.join(dims)}").json()
            read_dashboard(attacker, data, tag=school.urn)
            attacker.sums(("targets", school.urn, (), "total"), [("targets", school.urn, (), s) for s in STATUSES])
            for column in [*STATUSES, "total"]:
                # The school's page is the school's row of the table by school.
                attacker.sums(
                    ("targets", school.urn, (), column), [("targets", "", (("school", school.name),), column)]
                )
                coords = [_coords(dims, [g[d] for d in dims]) for g in data["groups"]]
                by_school = [("targets", "", tuple(sorted((*c, ("school", school.name)))), column) for c in coords]
                for c, var in zip(coords, by_school, strict=True):
                    attacker.sums(("targets", school.urn, c, column), [var])
    if role == Role.SENCO:  # the SENCO's own school is published exactly, small numbers and all
        exact = lambda var: second.urn in repr(var) or second.name in repr(var)  # noqa: E731
        attacker.leaks = [leak for leak in attacker.leaks if second.urn not in leak and second.name not in leak]
        # and so is a number they work out from it and the figures published anyway (a trust's total
        # of a status that is 0 in the other school): withholding it would protect nothing.
        known = {
            f"{v} published as {attacker.known[v]}"
            for v in attacker.works_out(attacker.small - set(filter(exact, attacker.small)))
        }
        attacker.leaks = [leak for leak in attacker.leaks if leak not in known]
    assert attacker.recovered() == set()
    assert attacker.leaks == []


def test_downloads_show_what_the_api_shows(demo, client):
    school = demo.first()
    client = sign_in(client, "governor")
    for dims in [("need",), ("year",), ("need", "sex")]:
        group_by = "&".join(f"group_by={d}" for d in dims)
        data = client.get(f"/api/v1/dashboard?school={school.urn}&{group_by}").json()
        text = client.get(f"/dashboards/schools/{school.urn}/?{group_by}&download=csv").content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))[1:]
        expected = [
            [*(g.get(d, "") for d in dims), g["total"], *(g[s] for s in STATUSES)]
            for g in [*data["groups"], data["targets"]]
        ]
        shown = [[*r[: len(dims)], *r[len(dims) : len(dims) + 6]] for r in rows]
        as_text = [[str(v) if v is not None else "withheld" for v in row] for row in expected]
        as_text[-1][: len(dims)] = ["All", *[""] * (len(dims) - 1)]
        assert [[*r[: len(dims)], *(c.replace(",", "") for c in r[len(dims) :])] for r in shown] == as_text
        for r in rows:  # no share and no mean of a withheld group
            if r[len(dims)] == "withheld":
                assert set(r[len(dims) + 6 :]) <= {"withheld", ""}


def test_filters_are_refused_to_a_governor_with_the_reason(demo, client):
    school = demo.first()
    response = sign_in(client, "governor").get(f"/api/v1/dashboard?school={school.urn}&group_by=need&sex=F")
    assert response.status_code == 400
    assert "subtraction" in response.json()["detail"]
    page = client.get(f"/dashboards/schools/{school.urn}/?group_by=need&sex=F")
    assert page.status_code == 400 and "Break the figures down by the same thing instead" in page.content.decode()


def test_senco_sees_every_figure_exactly(demo, client):
    school = demo.first()
    client = sign_in(client, "senco")
    for dims in ONE:
        data = client.get(f"/api/v1/dashboard?school={school.urn}&group_by={dims[0]}").json()
        assert data["small_numbers_suppressed"] is False
        for item in [data["targets"], *data["groups"]]:
            assert None not in [item["total"], *(item[s] for s in STATUSES)]
            assert item["total"] == sum(item[s] for s in STATUSES)


def read_evaluation(attacker: Attacker, data: dict, truth: dict) -> None:
    name = data["intervention"]
    if "All" not in truth:
        assert data["by_need"] == [] and all(g["total"] in (0, None) for g in data["groups"])
        return
    needs = [b for b in data["by_need"] if b["need"] != "All"]
    for b in data["by_need"]:
        var = lambda column, b=b: ("ev", name, b["need"], column)  # noqa: E731
        attacker.see(var("n"), b["n"])
        if truth[b["need"]]["met"] is not None:
            attacker.see(var("met"), b["met"])
            attacker.sums(var("n"), [var("met"), var("not_met")])
        if b["n"] is None and any(b[k] is not None for k in ("mean_steps", "effect_size", "months", "warning")):
            attacker.leaks.append(f"a mean, effect size or note for the withheld {name} {b['need']}")
    for column in ("n", "met"):
        if sum(truth[b["need"]][column] or 0 for b in needs) == (truth["All"][column] or 0):
            attacker.sums(("ev", name, "All", column), [("ev", name, b["need"], column) for b in needs])
    for g in data["groups"]:
        attacker.see(("group", g["id"], "total"), g["total"])
        attacker.see(("group", g["id"], "met"), g["met"])
        attacker.sums(("group", g["id"], "total"), [("group", g["id"], "met"), ("group", g["id"], "not_met")])
    if sum(truth["groups"]) == (truth["All"]["n"] or 0) and truth["All"]["met"] is not None:
        attacker.sums(("ev", name, "All", "n"), [("group", g["id"], "total") for g in data["groups"]])
        attacker.sums(("ev", name, "All", "met"), [("group", g["id"], "met") for g in data["groups"]])


@pytest.mark.parametrize("demo", SEEDS, indirect=True)
def test_governor_cannot_recover_a_withheld_provision_result(demo, client):
    school = demo.first()
    governor = Attacker()
    senco_client = sign_in(client, "senco")
    truths = {}
    for intervention in Intervention.objects.filter(school=school):
        data = senco_client.get(f"/api/v1/interventions/{intervention.pk}/evaluation").json()
        truths[intervention.pk] = {b["need"]: b for b in data["by_need"]} | {
            "groups": [g["total"] for g in data["groups"]]
        }
    client.logout()
    client = sign_in(client, "governor")
    for intervention in Intervention.objects.filter(school=school):
        data = client.get(f"/api/v1/interventions/{intervention.pk}/evaluation").json()
        read_evaluation(governor, data, truths[intervention.pk])
        detail = client.get(f"/api/v1/interventions/{intervention.pk}").json()
        for g in detail["groups"]:
            governor.see(("pupils", g["id"]), g["pupils"])
    page = client.get(f"/schools/{school.urn}/provision/evaluation/")
    for shown in page.context["breakdown"]:
        b = shown.row
        assert shown.n_withheld == (("ev", b.intervention, b.need, "n") in governor.withheld)
    assert "Only 1 " not in page.content.decode() and "Only 2 " not in page.content.decode()
    assert governor.withheld
    assert governor.recovered() == set()
    assert governor.leaks == []


def _percent(text: str):
    return None if text == "withheld" else (None if text == "–" else text.rstrip("%"))


@pytest.mark.parametrize("demo", SEEDS, indirect=True)
def test_governor_cannot_recover_a_withheld_count_on_the_overview_identification_or_destinations(demo, client):
    school = demo.first()
    client = sign_in(client, "governor")
    attacker = Attacker()
    overview = client.get(f"/schools/{school.urn}/").context
    total = ("ov", "total")
    attacker.see(total, None if overview["total_shown"].suppressed else overview["total"])
    statuses = []
    for label, f in overview["status_rows"]:
        attacker.see(("ov", label), f.shown)
        attacker.share(("ov", label), total, _percent(f.percent_text))
        statuses.append(("ov", label))
    attacker.sums(total, statuses)
    needs = {need.code: ("ov", need.code) for need, _ in overview["need_rows"]}
    for need, f in overview["need_rows"]:
        attacker.see(needs[need.code], f.shown)
    for area, f in overview["area_rows"]:
        attacker.see(("ov", area), f.shown)
        attacker.sums(("ov", area), [needs[n.code] for n, _ in overview["need_rows"] if n.broad_area == area])
    identification = client.get("/dashboards/identification/").context
    [(profile, on_roll, figures)] = identification["rows"]
    attacker.see(("id", "on_roll"), on_roll.shown)
    attacker.sums(("id", "on_roll"), [("id", "K"), ("id", "E"), ("id", "N")])
    attacker.sums(total, [("id", "on_roll")])
    attacker.sums(("id", "K"), [("ov", "SEN support")])
    attacker.sums(("id", "E"), [("ov", "EHC plan")])
    attacker.sums(("id", "N"), [("ov", "No SEN"), ("ov", "Monitoring")])
    for measure, f in zip(identification["measures"], figures, strict=True):
        count, base = measure.cells()
        attacker.share(("id", count), ("id", base), _percent(f.percent_text))
    for need, k, e, _ in identification["need_rows"]:
        attacker.share(("id", f"need:K:{need.code}"), ("id", "K"), _percent(k.percent_text))
        attacker.share(("id", f"need:E:{need.code}"), ("id", "E"), _percent(e.percent_text))
        if need.code in needs:  # the overview's need: SEN support, EHC plan and any others
            parts = [("id", f"need:K:{need.code}"), ("id", f"need:E:{need.code}"), ("other", need.code)]
            attacker.sums(needs[need.code], parts)
    destinations = client.get("/dashboards/destinations/").context
    for label, figures in destinations["status_rows"]:
        for status, f in zip("KEN", figures, strict=True):
            attacker.see(("dest", label, status), f.shown)
    for need, figures in destinations["need_rows"]:
        for kind, f in zip(destinations["kinds"], figures, strict=True):
            attacker.see(("dest", need.code, kind), f.shown)
    read_governors_report(attacker, client.get(f"/schools/{school.urn}/documents/governors-report/"))
    assert attacker.withheld
    assert attacker.recovered() == set()
    assert attacker.leaks == []


def _table(page, caption: str) -> list[list[str]]:
    [table] = page.xpath(f"//table[caption[starts-with(normalize-space(), '{caption}')]]")
    return [[" ".join(c.text_content().split()) for c in row.xpath("th|td")] for row in table.xpath(".//tr")]


def _count(text: str):
    return None if text == "withheld" else int(text.replace(",", ""))


def read_governors_report(attacker: Attacker, response) -> None:
    """The governors' report (its web page): pupils by broad area and by year, each by SEN status,
    add up to the identification page's figures (SEN support and EHC plan pupils, each need's
    pupils by status) and so to the overview's; the progress and annual review rows add up too."""
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content.decode())
    columns = {"SEN support": "K", "EHC plan": "E"}
    needs_of = {area: [] for area in [*BROAD_AREAS, UNCATEGORISED]}
    for need in NeedType.objects.all():
        needs_of[need.broad_area or UNCATEGORISED].append(need.code)
    for code in "KE":  # every pupil with SEN has one recorded need or none
        parts = [("id", f"need:{code}:{n.code}") for n in NeedType.objects.all()] + [("id", f"need:{code}:none")]
        attacker.sums(("id", code), parts)
    for caption, tag in (("Pupils with SEN by broad area", "gr-area"), ("Pupils with SEN by year group", "gr-year")):
        head, *rows = _table(page, caption)
        assert head[1:] == ["SEN support", "EHC plan", "All"]
        for label, *cells in rows:
            for column, text in zip(head[1:], cells, strict=True):
                attacker.see((tag, label, column), _count(text))
            attacker.sums((tag, label, "All"), [(tag, label, c) for c in columns])
        labels = [label for label, *_ in rows if label != "All"]
        for column in [*columns, "All"]:
            attacker.sums((tag, "All", column), [(tag, label, column) for label in labels])
        for column, code in columns.items():
            attacker.sums((tag, "All", column), [("id", code)])
            if tag == "gr-area":
                for area in labels:
                    parts = [("id", f"need:{code}:{n}") for n in needs_of[area]]
                    parts += [("id", f"need:{code}:none")] if area == UNCATEGORISED else []
                    attacker.sums((tag, area, column), parts)
    head, row = _table(page, "Pupils with SEN by the status of their targets")
    for name, text in zip(head, row, strict=True):
        attacker.see(("gr-progress", name), _count(text))
    attacker.sums(("gr-progress", "All"), [("gr-progress", name) for name in head[:-1]])
    head, row = _table(page, "Annual reviews of EHC plans")
    for name, text in zip(head, row, strict=True):
        attacker.see(("gr-reviews", name), _count(text))
    attacker.sums(("gr-reviews", head[-1]), [("gr-reviews", name) for name in head[:-1]])


@pytest.mark.parametrize("demo", SEEDS, indirect=True)
def test_a_reader_who_sees_one_school_exactly_cannot_subtract_it_on_identification_or_destinations(demo, client):
    """A governor of one school and SENCO of the other: the figures for both schools together, less
    the SENCO's own school's exact figures, give nothing withheld of the governor's school back."""
    first, second = demo
    governor = User.objects.get(username="governor")
    Membership.objects.get_or_create(user=governor, school=second, role=Role.SENCO)
    client = sign_in(client, "governor")
    attacker, tags, names = Attacker(), {None: "all", first.pk: first.urn, second.pk: second.urn}, set()
    for query in ["", f"?school={first.urn}", f"?school={second.urn}"]:
        page = client.get(f"/dashboards/identification/{query}").context
        for profile, on_roll, figures in page["rows"]:
            tag = tags[profile.school_id]
            attacker.see(("id", tag, "on_roll"), on_roll.shown)
            for measure, f in zip(page["measures"], figures, strict=True):
                count, base = measure.cells()
                attacker.share(("id", tag, count), ("id", tag, base), _percent(f.percent_text))
                names.update([count, base])
        tag = {"": "all", f"?school={first.urn}": first.urn}.get(query, second.urn)
        for need, k, e, _ in page["need_rows"]:
            for status, f in (("K", k), ("E", e)):
                attacker.share(("id", tag, f"need:{status}:{need.code}"), ("id", tag, status), _percent(f.percent_text))
                names.add(f"need:{status}:{need.code}")
        destinations = client.get(f"/dashboards/destinations/{query}").context
        for label, figures in destinations["status_rows"]:
            for status, f in zip("KEN", figures, strict=True):
                attacker.see(("dest", tag, label, status), f.shown)
                names.add((label, status))
        for need, figures in destinations["need_rows"]:
            for kind, f in zip(destinations["kinds"], figures, strict=True):
                attacker.see(("dest", tag, need.code, kind), f.shown)
                names.add((need.code, kind))
    for tag in tags.values():
        attacker.sums(("id", tag, "on_roll"), [("id", tag, "K"), ("id", tag, "E"), ("id", tag, "N")])
    for name in names:  # every figure for both schools is the sum of the two schools' figures
        prefix = ("id",) if isinstance(name, str) else ("dest",)
        rest = (name,) if isinstance(name, str) else name
        attacker.sums((*prefix, "all", *rest), [(*prefix, first.urn, *rest), (*prefix, second.urn, *rest)])
    exact = lambda var: var[1] == second.urn  # noqa: E731
    attacker.leaks = [leak for leak in attacker.leaks if second.urn not in leak]
    known = {
        f"{v} published as {attacker.known[v]}" for v in attacker.works_out({v for v in attacker.small if not exact(v)})
    }
    attacker.leaks = [leak for leak in attacker.leaks if leak not in known]
    assert attacker.withheld
    assert attacker.recovered() == set()
    assert attacker.leaks == []


def test_the_attack_recovers_cells_when_only_single_cells_are_hidden(db, client):
    """The attacker is not toothless: on the SENCO's exact figures with only 1-4 hidden (the old
    rule), it gives hidden cells back."""
    # A demo trust whose first school has rows with a single small cell (seed 3's has none since the
    # demo's statuses became realistic).
    call_command("seed_demo", "--schools", "2", "--pupils-per-school", "60", "--seed", "5", stdout=io.StringIO())
    school = School.objects.order_by("urn").first()
    client = sign_in(client, "senco")
    attacker = Attacker()
    for dims in [("need",), ("sex",)]:
        data = client.get(f"/api/v1/dashboard?school={school.urn}&group_by={dims[0]}").json()
        for item in [data["targets"], *data["groups"]]:
            for key in ["total", *STATUSES]:
                if item[key] is not None and 0 < item[key] < 5:
                    item[key] = None
                    item["percent"][key if key != "total" else "achieved"] = None
            item["percent"] = dict.fromkeys(item["percent"])
        data["pupils"] = {**dict.fromkeys(["total", *STATUSES]), "percent": dict.fromkeys(STATUSES)}
        data["trend"], data["at_a_glance"] = [], {}
        read_dashboard(attacker, data)
    attacker.leaks.clear()
    assert attacker.recovered()


def test_trends_by_assessment_point_are_refused_to_a_governor(demo, client):
    # Half terms and the spans between assessment points overlap: one minus the other is the reviews
    # of a few days. Half terms are whole whatever 'from' and 'to' say, so they cannot be cut either.
    school = demo.first()
    url = f"/api/v1/dashboard?school={school.urn}&periods=assessment_points"
    response = sign_in(client, "governor").get(url)
    assert response.status_code == 400 and "half term" in response.json()["detail"]
    client.logout()
    assert sign_in(client, "senco").get(url).status_code == 200
