"""Evaluation arithmetic: steps and targets on each kind of scale, attendance, costs, small n, EEF bands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trellis.assessment.scales import find_scale
from trellis.provision import evaluation as ev
from trellis.provision import reports, services
from trellis.provision.eef import months_of_progress
from trellis.provision.models import Intervention, InterventionGroup
from trellis.provision.scales import standard_deviation, steps


def outcome(code: str, entry: str, exit: str, *, target_steps=None, target_value=""):
    scale = find_scale(code)
    return ev.measure_outcome(
        steps_fn=steps,
        scale=scale,
        entry=entry,
        exit=exit,
        target_steps=None if target_steps is None else Decimal(target_steps),
        target_value=target_value,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "entry", "exit", "target", "expected"),
    [
        ("nc-levels", "2c", "2b", {"target_steps": 1}, (1, True)),
        ("nc-levels", "2b", "2b", {"target_steps": 1}, (0, False)),
        ("nc-levels", "2a", "3c", {"target_steps": 1}, (1, True)),  # crossing a level counts one sub-level
        ("nc-levels", "3c", "3a", {"target_value": "3b"}, (2, True)),
        ("nc-levels", "3c", "3c", {"target_value": "3b"}, (0, False)),
        ("nc-levels", "3c", "3b", {"target_value": "3b"}, (1, True)),  # reaching the target value meets it
        ("standardised", "82", "90", {"target_value": "90"}, (8, True)),
        ("sdq-total", "20", "15", {"target_value": "15"}, (5, True)),  # lower is better: down to 15 meets 15
        ("sdq-total", "20", "16", {"target_value": "15"}, (4, False)),
        ("leuven-wellbeing", "4", "4", {}, (0, None)),  # no target: steps only
        ("leuven-involvement", "2", "4", {"target_steps": 2}, (2, True)),
        ("standardised", "82", "91", {"target_steps": 5}, (9, True)),
        ("standardised", "82", "85", {"target_value": "90"}, (3, False)),
        ("sdq-total", "20", "14", {"target_steps": 4}, (6, True)),  # lower is better: a fall of 6 is +6
        ("sdq-total", "14", "17", {"target_value": "15"}, (-3, False)),
        ("edsm", "emerging", "secure", {"target_steps": 1}, (2, True)),
    ],
)
def test_steps_and_target_met_on_each_kind_of_scale(code, entry, exit, target, expected):
    gained, met = outcome(code, entry, exit, **target)
    assert (gained, met) == (Decimal(expected[0]), expected[1])


@pytest.mark.django_db
def test_no_exit_data_yet_means_unknown_not_failed():
    assert outcome("nc-levels", "2c", "", target_steps=1) == (None, None)


def row(pupil_id, *, steps, met, attended=10, held=10, need="", sd=None, scale="nc-levels"):
    return ev.MeasureRow(
        pupil_id=pupil_id,
        upn=f"U{pupil_id}",
        name=f"Pupil {pupil_id}",
        scale_code=scale,
        scale_name=scale,
        entry="",
        target="+1",
        exit="",
        steps=None if steps is None else Decimal(steps),
        met=met,
        attendance=ev.Attendance(attended, held),
        primary_need=need,
        sd=sd,
    )


def test_attendance_under_80_percent_is_flagged_and_80_is_not():
    assert ev.Attendance(7, 10).poor
    assert not ev.Attendance(8, 10).poor
    assert not ev.Attendance(0, 0).poor  # no sessions logged: nothing to judge
    summary = ev.summarise_group([row(1, steps=1, met=True, attended=3, held=12), row(2, steps=1, met=True)], cost=None)
    assert summary.poor_attendance == ["Pupil 1"]


def test_cost_per_pupil_and_per_pupil_who_met_count_pupils_not_measures():
    rows = [
        row(1, steps=1, met=True, scale="a"),
        row(1, steps=0, met=False, scale="b"),  # one pupil, two scales
        row(2, steps=2, met=True),
        row(3, steps=1, met=True),
        row(4, steps=0, met=False),
    ]
    summary = ev.summarise_group(rows, cost=Decimal("360"))
    assert (summary.met, summary.total, summary.pupils, summary.pupils_met) == (3, 5, 4, 2)
    assert summary.cost_per_pupil == Decimal("90.00")
    assert summary.cost_per_pupil_met == Decimal("180.00")
    assert summary.mean_steps == Decimal("0.80")


def test_cost_per_pupil_who_met_is_unknown_when_nobody_met():
    summary = ev.summarise_group([row(1, steps=0, met=False)], cost=Decimal(100))
    assert summary.cost_per_pupil == Decimal(100)
    assert summary.cost_per_pupil_met is None


def test_group_cost_uses_sessions_held_else_planned():
    assert ev.group_cost(session_cost=Decimal(12), sessions_held=15, sessions_planned=18) == Decimal(180)
    assert ev.group_cost(session_cost=Decimal(12), sessions_held=0, sessions_planned=18) == Decimal(216)
    assert ev.group_cost(session_cost=None, sessions_held=15, sessions_planned=18) is None


def test_session_cost_from_hourly_rate_when_no_cost_per_session():
    intervention = Intervention(name="x", session_minutes=20, hourly_rate=Decimal("15.00"))
    assert intervention.session_cost() == Decimal("5.00")
    assert intervention.session_cost(30) == Decimal("7.50")
    intervention.cost_per_session = Decimal("9.00")
    assert intervention.session_cost() == Decimal("9.00")


def test_breakdown_by_primary_need_shows_n_and_warns_when_small():
    rows = [row(i, steps=1, met=True, need="SLCN") for i in range(6)] + [row(9, steps=0, met=False, need="ASD")]
    [everyone, asd, slcn] = ev.school_breakdown([("Talk boost", "oral-language", rows)])
    assert (everyone.need, everyone.n, everyone.met, everyone.small_n) == ("All", 7, 6, False)
    assert (asd.need, asd.n, asd.small_n) == ("ASD", 1, True)
    assert asd.warning == "Only 1 – too few to draw conclusions"
    assert (slcn.n, slcn.small_n, slcn.warning) == (6, False, "")


def test_effect_size_and_eef_months_only_for_standardised_scores():
    rows = [row(i, steps=s, met=True, sd=Decimal(15), scale="standardised") for i, s in enumerate([6, 6, 9])]
    [everyone, *_] = ev.school_breakdown([("Reading catch-up", "small-group", rows)])
    assert everyone.effect_size == Decimal("0.47")  # mean gain 7 / SD 15
    assert everyone.months == 6
    assert everyone.eef_months == 4
    [levels, *_] = ev.school_breakdown([("Numeracy", "small-group", [row(1, steps=1, met=True)])])
    assert (levels.effect_size, levels.months, levels.eef_months) == (None, None, None)


@pytest.mark.parametrize(
    ("size", "months"),
    [
        (0.0, 0),
        (0.02, 1),
        (0.09, 1),
        (0.1, 2),
        (0.18, 2),
        (0.19, 3),
        (0.44, 5),
        (0.45, 6),
        (0.95, 11),
        (0.96, 12),
        (1.4, 12),
        (-0.2, -3),
        (None, None),
    ],
)
def test_eef_months_of_progress_bands(size, months):
    assert months_of_progress(size) == months


@pytest.mark.django_db
def test_standard_deviation_only_for_the_standardised_scale():
    assert standard_deviation(find_scale("standardised")) == 15
    assert standard_deviation(find_scale("nc-levels")) is None


@pytest.mark.django_db
def test_counterfactual_compares_rate_during_with_the_pupils_own_rate_before():
    scale = find_scale("nc-levels")
    result = ev.counterfactual(
        steps_fn=steps,
        scale=scale,
        entry="2c",
        exit="2a",
        starts_on=dt.date(2026, 9, 7),
        ends_on=dt.date(2026, 10, 19),
        earlier=[(dt.date(2025, 9, 7), "1a"), (dt.date(2026, 3, 1), "1a"), (dt.date(2026, 11, 1), "3c")],
    )
    assert result.before == Decimal("0.08")  # one sub-level in a year
    assert result.during == Decimal("1.45")  # two sub-levels in six weeks
    assert result.verdict == "Faster than before"
    none = ev.counterfactual(
        steps_fn=steps,
        scale=scale,
        entry="2c",
        exit="2b",
        starts_on=dt.date(2026, 9, 7),
        ends_on=dt.date(2026, 10, 19),
        earlier=[],
    )
    assert none.verdict == "No earlier assessments to compare with"


def test_worked_for_others_not_for_this_pupil_needs_most_others_to_have_met():
    comprehension = [row(1, steps=0, met=False)] + [row(i, steps=1, met=True) for i in range(2, 7)]
    numeracy = [row(1, steps=0, met=False), row(2, steps=0, met=False), row(3, steps=1, met=True)]
    found = ev.worked_for_others(1, {"Comprehension": comprehension, "Numeracy": numeracy})
    assert [(f.intervention, f.others_met, f.others) for f in found] == [("Comprehension", 5, 5)]
    assert ev.worked_for_others(2, {"Comprehension": comprehension}) == []


@pytest.mark.django_db
def test_group_evaluation_counts_attendance_of_sessions_held_while_enrolled(world):
    intervention = Intervention.objects.create(school=world.school_a, name="Numeracy", cost_per_session=Decimal(10))
    group = InterventionGroup.objects.create(
        intervention=intervention, starts_on=dt.date(2026, 9, 7), ends_on=dt.date(2026, 10, 16)
    )
    scale = find_scale("nc-levels")
    early = services.enrol(
        group=group,
        pupil=world.in_class,
        by=world.senco,
        measures=[services.MeasureInput(scale, "3c", Decimal(1), "", "3b")],
    )
    late = services.enrol(
        group=group,
        pupil=world.other_class,
        by=world.senco,
        starts_on=dt.date(2026, 9, 14),
        measures=[services.MeasureInput(scale, "3c", Decimal(1), "", "3c")],
    )
    for day, present in [(8, {early.pk}), (9, {early.pk}), (15, {late.pk}), (16, {early.pk, late.pk}), (17, set())]:
        services.log_session(group=group, date=dt.date(2026, 9, day), present=present, by=world.ta)
    [item] = reports.evaluate_groups(InterventionGroup.objects.all())
    by_pupil = {r.pupil_id: r for r in item.rows}
    assert (by_pupil[world.in_class.pk].attendance.attended, by_pupil[world.in_class.pk].attendance.held) == (3, 5)
    assert (by_pupil[world.other_class.pk].attendance.attended, by_pupil[world.other_class.pk].attendance.held) == (
        2,
        3,
    )
    assert item.summary.poor_attendance == [world.in_class.full_name, world.other_class.full_name]
    assert item.summary.cost == Decimal(50)  # five sessions held at £10
    assert item.summary.cost_per_pupil == Decimal(25)
    assert item.summary.cost_per_pupil_met == Decimal(50)
    assert (item.summary.met, item.summary.total) == (1, 2)


def test_breakdown_without_targets_counts_measures_with_exit_data_and_reports_no_met_figure():
    rows = [row(i, steps=s, met=None, scale="leuven-wellbeing") for i, s in enumerate([2, 0, 1])]
    [everyone, *_] = ev.school_breakdown([("Social skills", "sel", rows)])
    assert (everyone.n, everyone.met, everyone.mean_steps) == (3, None, Decimal("1.00"))


def test_a_governor_sees_no_n_met_or_mean_that_a_total_would_give_away():
    """Hand-worked: all 7 (6 met), ASD 1 (1 met), SLCN 6 (5 met). 'Not met' is 1 overall and 1 for
    SLCN, so 'met' goes with it (7 - 6 would say 1); ASD's 1 goes, and SLCN's 6 with it (7 - 6
    would say 1 again). The 7 stays: it gives nothing away."""
    from trellis.provision.evaluation import Breakdown, shown

    rows = [
        Breakdown("Reading", "All", 7, 6, Decimal("1.5"), False, effect_size=Decimal("0.3")),
        Breakdown("Reading", "ASD", 1, 1, Decimal("2"), True, effect_size=Decimal("0.5")),
        Breakdown("Reading", "SLCN", 6, 5, Decimal("1.4"), False),
    ]
    everyone, asd, slcn = shown(rows, suppressed=True)
    assert (everyone.n_withheld, everyone.met_withheld) == (False, True)
    assert (asd.n_withheld, asd.warning) == (True, "")  # "Only 1 - too few" would say how few
    assert (slcn.n_withheld, slcn.met_withheld) == (True, True)
    assert [s.n_withheld or s.met_withheld for s in shown(rows, suppressed=False)] == [False, False, False]
    assert shown(rows, suppressed=False)[1].warning == "Only 1 – too few to draw conclusions"


def test_seed_001_numeracy_group_breakdown_in_full():
    # Seed 001's numeracy group: 3c,3c,3b,3c,3c,3c -> 3b,3b,3b,3c,3a,3a, target plus one sub-level:
    # steps 1,1,0,0,2,2, so 4 of 6 met, mean 6/6 = 1.00 step; 6 is not too few.
    rows = [row(i, steps=s, met=s >= 1) for i, s in enumerate([1, 1, 0, 0, 2, 2])]
    [everyone, no_need] = ev.school_breakdown([("Numeracy", "small-group", rows)])
    assert everyone == ev.Breakdown(
        intervention="Numeracy",
        need="All",
        n=6,
        met=4,
        mean_steps=Decimal("1.00"),
        small_n=False,
        scales=["nc-levels"],
        per_scale=[ev.ScaleSteps("nc-levels", 6, Decimal("1.00"))],
    )
    assert (no_need.need, no_need.n, no_need.met) == ("No primary need recorded", 6, 4)


@pytest.mark.parametrize(("n", "small"), [(4, True), (5, False)])
def test_five_measures_are_enough_to_conclude_from_and_four_are_not(n, small):
    [everyone, _] = ev.school_breakdown([("Numeracy", "small-group", [row(i, steps=1, met=True) for i in range(n)])])
    assert (everyone.n, everyone.small_n) == (n, small)


def test_a_breakdown_before_any_exit_data_has_no_mean():
    [everyone, _] = ev.school_breakdown([("Numeracy", "small-group", [row(1, steps=None, met=None)])])
    assert (everyone.n, everyone.met, everyone.mean_steps, everyone.effect_size) == (0, None, None, None)


def test_a_small_group_is_withheld_from_a_suppressed_audience_too():
    # Reading: 4 measures in group 1 (3 met) and 3 in group 2 (all met): every count is small.
    rows = [row(i, steps=1, met=i != 0, need="SLCN") for i in range(7)]
    breakdown = ev.school_breakdown([("Reading", "comprehension", rows)])
    group_1 = ev.summarise_group(rows[:4], cost=None)
    group_2 = ev.summarise_group(rows[4:], cost=None)
    hidden = ev.withheld(breakdown, [("Reading", 1, group_1), ("Reading", 2, group_2)])
    for group_id in (1, 2):
        assert ev.group_key("Reading", group_id, "total") in hidden
    assert ev.group_key("Reading", 1, "total") == ("group", "Reading", 1, "total")


def test_two_groups_of_six_withhold_their_not_met_and_the_met_beside_it():
    # 12 measures, 10 met, in two groups of 6 (5 met each). Each "not met" (2 overall, 1 a group) is
    # small; n = met + not met is shown, so each met goes with it. Pupils (6, 5 met) are not small.
    rows = [row(i, steps=1, met=i not in (0, 6), need="SLCN") for i in range(12)]
    breakdown = ev.school_breakdown([("Reading", "comprehension", rows)])
    groups = [("Reading", 1, ev.summarise_group(rows[:6], cost=None))]
    groups.append(("Reading", 2, ev.summarise_group(rows[6:], cost=None)))
    assert ev.withheld(breakdown, groups) == {
        *(("need", "Reading", need, column) for need in ("All", "SLCN") for column in ("met", "not_met")),
        *(("group", "Reading", group, column) for group in (1, 2) for column in ("met", "not_met")),
    }


def test_worked_for_others_compares_others_on_the_same_scale_when_there_are_any():
    mine = row(1, steps=0, met=False, scale="nc-levels")
    same = [row(2, steps=1, met=True), row(3, steps=0, met=False), row(4, steps=0, met=False)]
    other_scale = [row(i, steps=3, met=True, scale="standardised") for i in (5, 6, 7)]
    # On nc-levels 1 of 3 others met: not "worked for others", though all on the other scale did.
    assert ev.worked_for_others(1, {"Reading": [mine, *same, *other_scale]}) == []
    # Nobody else on nc-levels: the others on any scale stand in (3 of 3 met).
    found = ev.worked_for_others(1, {"Reading": [mine, *other_scale]})
    assert found == [ev.NotForThisPupil("Reading", "nc-levels", 3, 3)]


def test_without_targets_a_small_n_is_withheld_with_the_n_that_would_give_it_away():
    # No targets, so n counts measures with exit data: all 7, ASD 2, SLCN 5. ASD's 2 is small, and
    # 7 - 5 would give it back, so SLCN's 5 goes too; the 7 stays.
    rows = [row(i, steps=1, met=None, need="ASD" if i < 2 else "SLCN") for i in range(7)]
    everyone, asd, slcn = ev.shown(ev.school_breakdown([("Talk", "oral-language", rows)]), suppressed=True)
    assert [(s.row.need, s.row.n, s.n_withheld) for s in (everyone, asd, slcn)] == [
        ("All", 7, False),
        ("ASD", 2, True),
        ("SLCN", 5, True),
    ]


@pytest.mark.django_db
def test_counterfactual_before_the_start_only_and_no_rate_during_without_exit_data():
    scale = find_scale("nc-levels")
    start = dt.date(2026, 9, 7)
    result = ev.counterfactual(
        steps_fn=steps,
        scale=scale,
        entry="2c",
        exit="",
        starts_on=start,
        ends_on=dt.date(2026, 10, 19),
        earlier=[(start, "1a")],  # assessed on the start day: that is the entry, not a rate before
    )
    assert (result.during, result.before, result.verdict) == (None, None, "No earlier assessments to compare with")


def test_need_rows_carry_the_intervention_and_its_eef_strand():
    rows = [row(i, steps=6, met=True, sd=Decimal(15), scale="standardised", need="SLCN") for i in range(5)]
    [everyone, slcn] = ev.school_breakdown([("Reading catch-up", "small-group", rows)])
    # Effect size 6 / 15 = 0.40: 5 months (EEF's 0.36 to 0.44); small group tuition's average is 4.
    assert (slcn.intervention, slcn.need, slcn.effect_size, slcn.months, slcn.eef_months) == (
        "Reading catch-up",
        "SLCN",
        Decimal("0.40"),
        5,
        4,
    )
    assert (everyone.months, everyone.eef_months) == (5, 4)


def test_planned_steps_are_the_target_steps_else_entry_to_target_value():
    # A made-up scale whose step is worth len(scale) x the letters between two values: "SS" from b to
    # e is 2 x 3 = 6 steps. +2 asked is 2 whatever the target value; without an entry or a target
    # value nothing is planned.
    def fake_steps(scale, entry, exit):
        return Decimal(len(scale) * (ord(exit) - ord(entry)))

    def planned(entry, target_steps, target_value):
        return ev.planned_steps(
            steps_fn=fake_steps, scale="SS", entry=entry, target_steps=target_steps, target_value=target_value
        )

    assert planned("b", Decimal(2), "e") == Decimal(2)
    assert planned("b", None, "e") == Decimal(6)
    assert planned("", None, "e") is None
    assert planned("b", None, "") is None


def planned_row(pupil_id, *, steps, planned, met=True, scale="nc-levels"):
    measure = row(pupil_id, steps=steps, met=met, scale=scale)
    measure.planned = None if planned is None else Decimal(planned)
    return measure


def test_share_of_planned_progress_is_the_mean_share_as_a_whole_percentage_rounded_half_up():
    # 1 of 2 planned steps (50%) and 3 of 4 (75%): the mean share is 62.5%, shown as 63% (half up,
    # not to the even 62). A measure with nothing planned (0 or none) or no exit data does not count.
    rows = [
        planned_row(1, steps=1, planned=2),
        planned_row(2, steps=3, planned=4),
        planned_row(3, steps=2, planned=0),
        planned_row(4, steps=2, planned=None),
        planned_row(5, steps=None, planned=2, met=None),
    ]
    assert ev.share_of_planned(rows) == Decimal(63)
    assert ev.summarise_group(rows, cost=None).planned_share == Decimal(63)
    assert ev.school_breakdown([("Reading", "comprehension", rows)])[0].planned_share == Decimal(63)
    assert ev.share_of_planned(rows[2:]) is None


def test_a_group_counts_pupils_judged_and_averages_steps_within_each_scale():
    # Pupil 1: two measures judged (met, missed); pupil 2: none judged yet; pupil 3: one missed. So 2
    # pupils judged, none of whom met every target. Steps: nc-levels 1 and 0 (mean 0.50), standardised 6.
    rows = [
        row(1, steps=1, met=True),
        row(1, steps=0, met=False),
        row(2, steps=None, met=None),
        row(3, steps=6, met=False, scale="standardised"),
    ]
    summary = ev.summarise_group(rows, cost=None)
    assert (summary.pupils, summary.pupils_judged, summary.pupils_met) == (3, 2, 0)
    assert summary.per_scale == [
        ev.ScaleSteps("nc-levels", 2, Decimal("0.50")),
        ev.ScaleSteps("standardised", 1, Decimal("6.00")),
    ]


def test_a_group_before_any_exit_data_has_no_mean():
    summary = ev.summarise_group([row(1, steps=None, met=None)], cost=None)
    assert (summary.mean_steps, summary.per_scale, summary.planned_share) == (None, [], None)


def _groups_withheld(sizes_and_met: list[tuple[int, int]]) -> set[tuple]:
    """Reading's groups of the given (measures, met), one pupil a measure, then what is withheld."""
    groups, rows, pupil = [], [], 0
    for group_id, (size, met) in enumerate(sizes_and_met, start=1):
        members = [row(pupil + k, steps=1, met=k < met) for k in range(size)]
        pupil += size
        groups.append(("Reading", group_id, ev.summarise_group(members, cost=None)))
        rows += members
    return ev.withheld(ev.school_breakdown([("Reading", "comprehension", rows)]), groups)


def test_a_group_total_that_the_others_would_give_away_is_withheld_with_them():
    # Groups of 1 and 5, nobody met: Reading shows 6, 0 met, 6 not met (nothing small). Group 1's 1
    # (total, not met and pupils) is withheld; 6 - 5 would give it back, so group 2's 5 (total and
    # not met) goes too. Group 2's 5 pupils stay: no published sum has them.
    g1, g2 = (lambda column, group=group: ev.group_key("Reading", group, column) for group in (1, 2))
    assert _groups_withheld([(1, 0), (5, 0)]) == {g1("total"), g1("not_met"), g1("pupils"), g2("total"), g2("not_met")}


def test_a_group_met_that_the_others_would_give_away_is_withheld_with_them():
    # Groups of 5 (0 met) and 6 (5 met): Reading shows 11, 5 met, 6 not met. Group 2's 1 not met
    # takes its 5 met with it (6 = 5 + 1); Reading's 5 met = 0 + group 2's met would give that back,
    # so group 1's 0 met goes, and with it its 5 not met (5 = 0 + 5). The totals stay shown.
    expected = {ev.group_key("Reading", g, c) for g in (1, 2) for c in ("met", "not_met")}
    assert _groups_withheld([(5, 0), (6, 5)]) == expected


def test_a_group_not_met_that_the_others_would_give_away_is_withheld_with_them():
    # Groups of 5 (all met) and 6 (1 met): Reading shows 11, 6 met, 5 not met. Group 2's 1 met (and
    # its 1 pupil who met) is withheld, with its 5 not met; Reading's 5 not met = group 1's 0 + that 5
    # would give it back, so group 1's 0 goes, and its 5 met with it (6 = 1 + 5 gives nothing then).
    expected = {ev.group_key("Reading", g, c) for g in (1, 2) for c in ("met", "not_met")}
    assert _groups_withheld([(5, 5), (6, 1)]) == expected | {ev.group_key("Reading", 2, "pupils_met")}


def test_a_need_without_targets_is_not_summed_into_the_intervention_it_does_not_add_up_to():
    # Talk: ASD 5 measures judged (4 met), SLCN 2 with exit data but no targets. "All" is 5 (4 met,
    # 1 not met): its n counts the judged measures, so 5 is not ASD's 5 + SLCN's 2 and a reader can
    # use no such sum. The 1 not met takes "met" with it (All and ASD); SLCN's 2 is withheld; ASD's
    # 5 stays shown (nothing gives SLCN's 2 away through it), and SLCN, with no met figure, is no crash.
    rows = [row(i, steps=1, met=i != 0, need="ASD") for i in range(5)]
    rows += [row(i, steps=1, met=None, need="SLCN") for i in (5, 6)]
    shown = ev.shown(ev.school_breakdown([("Talk", "oral-language", rows)]), suppressed=True)
    assert [(s.row.need, s.row.n, s.n_withheld, s.met_withheld) for s in shown] == [
        ("All", 5, False, True),
        ("ASD", 5, False, True),
        ("SLCN", 2, True, False),
    ]


def test_progress_exactly_as_planned_is_100_percent():
    assert ev.share_of_planned([planned_row(1, steps=2, planned=2), planned_row(2, steps=3, planned=3)]) == 100
