"""The disclosure rule on hand-worked tables: primary suppression at its edges, complementary
suppression in rows, columns and hierarchies, tables protected in levels, and the figures."""

import pytest

from trellis.lib.disclosure import (
    Figure,
    Relation,
    exposed,
    is_small,
    lone,
    newly_revealed,
    protect,
    protect_levels,
    suppressed_for,
    unshowable,
)


def table(rows: dict[str, list[int]], columns: list[str]):
    """A two-way table with row totals, column totals and a grand total, as cells and relations."""
    values, relations = {}, []
    for r, counts in rows.items():
        for c, n in zip(columns, counts, strict=True):
            values[(r, c)] = n
        values[(r, "total")] = sum(counts)
        relations.append(Relation((r, "total"), tuple((r, c) for c in columns)))
    for i, c in enumerate([*columns, "total"]):
        values[("all", c)] = sum(counts[i] if c != "total" else sum(counts) for counts in rows.values())
        relations.append(Relation(("all", c), tuple((r, c) for r in rows)))
    relations.append(Relation(("all", "total"), tuple(("all", c) for c in columns)))
    return values, relations


@pytest.mark.parametrize(("n", "small"), [(0, False), (1, True), (4, True), (5, False), (None, False)])
def test_primary_rule_hides_one_to_four_and_shows_zero_and_five(n, small):
    assert is_small(n) is small


def test_a_lone_small_count_is_withheld_and_so_is_its_share():
    assert lone(4, 120, hide_small=True).text == "withheld"
    assert lone(4, 120, hide_small=True).percent_text == "withheld"
    assert lone(5, 120, hide_small=True).text == "5"
    assert lone(5, 120, hide_small=True).percent_text == "4.2%"
    assert lone(0, 120, hide_small=True).text == "0"
    assert lone(4, 120, hide_small=False).text == "4"


def test_a_share_of_a_withheld_total_is_withheld_because_it_would_give_the_total_away():
    # 10 of a hidden 20 shown as 50% would give 20 away.
    assert Figure(10, 20, suppressed=False, base_suppressed=True).percent_text == "withheld"
    assert Figure(10, 20, suppressed=False, base_suppressed=True).text == "10"


def test_one_small_cell_in_a_row_takes_the_next_smallest_with_it():
    values = {"total": 20, "a": 3, "b": 7, "c": 10}
    hidden = protect(values, [Relation("total", ("a", "b", "c"))])
    assert hidden == {"a", "b"}  # 20 - 7 - 10 would give 3 away; with 7 hidden, a + b = 10 has two unknowns


def test_two_small_cells_in_a_row_need_nothing_more():
    assert protect({"total": 12, "a": 3, "b": 4, "c": 5}, [Relation("total", ("a", "b", "c"))]) == {"a", "b"}


def test_a_small_total_hides_itself_and_one_part():
    # 3 = 3 + 0: the total and the part are both small, so the relation has two unknowns already.
    assert protect({"total": 3, "a": 3, "b": 0}, [Relation("total", ("a", "b"))]) == {"total", "a"}


def test_when_the_other_parts_are_zero_the_total_is_withheld():
    # 9 = 4 + 5 + 0 has a non-zero part to hide; 4 = 4 + 0 + 0 has only zeros left: hide the total.
    assert protect({"t": 9, "a": 4, "b": 5, "c": 0}, [Relation("t", ("a", "b", "c"))]) == {"a", "b"}
    values = {"t": 14, "a": 4, "b": 0, "c": 10, "u": 14}
    # Here b is zero and c is shown elsewhere: only the total can go.
    assert protect(values, [Relation("t", ("a", "b", "c"))], published=["c"]) == {"a", "t"}


def test_two_way_table_hides_a_rectangle_so_no_row_or_column_gives_a_cell_away():
    # Hand-worked: the 2 in (r1, x) takes the 6 in its row and the 8 in its column; then column y
    # has one hidden cell (6) and takes the 7 below it, which completes the rectangle.
    values, relations = table({"r1": [2, 6, 9], "r2": [8, 7, 10]}, ["x", "y", "z"])
    hidden = protect(values, relations)
    assert hidden == {("r1", "x"), ("r1", "y"), ("r2", "x"), ("r2", "y")}
    assert exposed(relations, hidden) == set()


def test_a_hidden_cell_on_a_bridge_between_two_rectangles_is_found_by_elimination():
    # Each row and column below has two or more hidden cells, yet (r2, c) is the sum of rows r1 and
    # r2 minus columns a and b: no single relation shows it, elimination does.
    values, relations = table(
        {"r1": [5, 6, 0, 0, 9], "r2": [7, 8, 9, 0, 9], "r3": [0, 0, 5, 6, 9], "r4": [0, 0, 7, 8, 9]},
        ["a", "b", "c", "d", "e"],
    )
    hidden = {("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b"), ("r2", "c")}
    hidden |= {("r3", "c"), ("r3", "d"), ("r4", "c"), ("r4", "d")}
    assert exposed(relations, hidden) == {("r2", "c")}
    assert exposed(relations, hidden - {("r2", "c")}) == set()
    assert exposed(relations, protect(values, relations, hidden=hidden)) == set()


def test_a_broad_area_and_its_needs_are_one_table():
    # Cognition 12 = MLD 3 + SpLD 9 + SLD 0: the 3 would be 12 - 9, so the 9 goes too.
    values = {"area": 12, "MLD": 3, "SpLD": 9, "SLD": 0}
    assert protect(values, [Relation("area", ("MLD", "SpLD", "SLD"))]) == {"MLD", "SpLD"}


def test_a_table_published_elsewhere_stays_as_it_was_and_the_finer_one_takes_the_cost():
    # The totals table (all: 9 = 4 + 5) is settled first; the finer table by sex then hides cells
    # of its own to protect the 4, never un-hiding or hiding a cell of the totals.
    values = {
        ("all", (), "a"): 4,
        ("all", (), "b"): 5,
        ("all", (), "t"): 9,
        ("sex", "F", "a"): 2,
        ("sex", "F", "b"): 3,
        ("sex", "F", "t"): 5,
        ("sex", "M", "a"): 2,
        ("sex", "M", "b"): 2,
        ("sex", "M", "t"): 4,
    }
    relations = [
        Relation(("all", (), "t"), (("all", (), "a"), ("all", (), "b"))),
        Relation(("sex", "F", "t"), (("sex", "F", "a"), ("sex", "F", "b"))),
        Relation(("sex", "M", "t"), (("sex", "M", "a"), ("sex", "M", "b"))),
        *[Relation(("all", (), c), (("sex", "F", c), ("sex", "M", c))) for c in "abt"],
    ]
    levels = {"all": [], "sex": ["all"]}
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__)
    alone = protect({k: v for k, v in values.items() if k[0] == "all"}, relations[:1])
    assert alone == {("all", (), "a"), ("all", (), "b")}
    assert {k for k in hidden if k[0] == "all"} == alone
    assert exposed(relations, hidden) == set()
    assert ("sex", "F", "t") in hidden  # 5 is not small, but it would give 2 and 3 away beside 4 and 2


def test_a_published_cell_that_gives_a_small_one_away_is_an_error_not_a_leak():
    with pytest.raises(ValueError, match="give it away"):
        protect({"t": 3, "a": 3}, [Relation("t", ("a",))], published=["t"])


def test_ties_are_broken_the_same_way_whatever_the_order_of_the_input():
    values = {"t": 15, "a": 3, "b": 6, "c": 6}
    relation = Relation("t", ("a", "b", "c"))
    backwards = dict(reversed(list(values.items())))
    assert protect(values, [relation]) == protect(backwards, [Relation("t", ("c", "b", "a"))]) == {"a", "b"}


def test_a_table_may_not_pin_a_combination_of_cells_its_totals_withheld():
    # The totals table withholds a, b and c (4 each, T = 12 shown). A finer table shows p = a + q
    # and r = b + q: no cell comes back alone, but p - r = a - b would, and another table
    # revealing b - c would then give all three away. So r goes too (the first cell named, b, is in
    # r = b + q; which cells are named depends on how the combination is written: here -2b - c).
    values = {"T": 12, "a": 4, "b": 4, "c": 4, "p": 10, "q": 6, "r": 10}
    relations = [Relation("T", ("a", "b", "c")), Relation("p", ("a", "q")), Relation("r", ("b", "q"))]
    earlier = {"T", "a", "b", "c"}
    assert newly_revealed(relations, {"a", "b", "c", "q"}, earlier) == {"b", "c"}
    assert newly_revealed(relations, {"a", "b", "c", "q", "p"}, earlier) == set()
    hidden = protect(values, relations, hidden=["a", "b", "c"], published=["T"])
    assert hidden == {"a", "b", "c", "q", "r"}
    assert newly_revealed(relations, hidden, earlier) == set()


def _trust(a: dict[str, int], b: dict[str, int]):
    """Schools A and B (each: on + off = total) and the trust (T), the sum of the two, cell by cell."""
    t = {c: a[c] + b[c] for c in a}
    values = {(s, c): n for s, row in (("A", a), ("B", b), ("T", t)) for c, n in row.items()}
    relations = [Relation((s, "total"), ((s, "on"), (s, "off"))) for s in "ABT"]
    relations += [Relation(("T", c), (("A", c), ("B", c))) for c in a]
    levels = {"A": [], "B": [], "T": ["A", "B"]}
    return values, relations, levels


def test_a_small_total_worked_out_from_a_school_the_reader_sees_exactly_is_shown_not_withheld():
    # The reader sees school A exactly (off: 2) and B's 0 is published: the trust's 2 is 2 + 0 to
    # them. Withholding it would protect nothing (and used to withhold the whole trust row, every
    # cell of which they could work out the same way).
    values, relations, levels = _trust({"on": 10, "off": 2, "total": 12}, {"on": 7, "off": 0, "total": 7})
    public = [k for k in values if k[0] == "A"]
    assert protect_levels(values, relations, order=list(levels), context=levels.__getitem__, public=public) == set()
    # To a reader who sees neither school exactly, A's 2 and the trust's 2 are withheld, with partners.
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__)
    assert {("A", "off"), ("T", "off")} <= hidden and exposed(relations, hidden) == set()


def test_a_total_is_protected_against_a_school_the_reader_sees_exactly():
    # B's 3 is withheld (with its 10). The trust's off (2 + 3 = 5) less A's exact 2 would give it
    # back, so the trust's off and on go too; its total (25) stays: 25 - 12 - 13 gives nothing.
    values, relations, levels = _trust({"on": 10, "off": 2, "total": 12}, {"on": 10, "off": 3, "total": 13})
    public = [k for k in values if k[0] == "A"]
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__, public=public)
    assert hidden == {("B", "on"), ("B", "off"), ("T", "on"), ("T", "off")}
    assert exposed(relations, hidden) == set()


def test_a_total_of_fewer_than_5_withholds_the_share_but_not_a_count_of_0():
    assert (lone(0, 3, hide_small=True).text, lone(0, 3, hide_small=True).percent_text) == ("0", "withheld")
    assert lone(0, 3, hide_small=False).percent_text == "0.0%"
    assert lone(2, 5, hide_small=True).percent_text == "withheld"  # the count gives the share away
    assert lone(5, 5, hide_small=True).percent_text == "100.0%"


def test_a_level_that_a_published_cell_gives_away_is_not_shown_at_all():
    # The totals level shows t = 13 and z = 10 (nothing small). The finer level's only cell x = 3
    # is t - z: withholding x cannot protect it (t and z are fixed), so the finer level is withheld
    # whole and marked unshowable; the totals level keeps what it showed.
    # A level with no cells at all (a breakdown nobody falls in) is settled too, giving nothing.
    values = {("top", "t"): 13, ("top", "z"): 10, ("fine", "x"): 3}
    relations = [Relation(("top", "t"), (("fine", "x"), ("top", "z")))]
    levels = {"top": [], "empty": ["top"], "fine": ["top", "empty"]}
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__)
    assert hidden == {("fine", "x"), unshowable("fine")}


def test_a_cell_the_reader_works_out_from_what_they_see_exactly_is_shown():
    # t = 3 is public (the reader sees it elsewhere) and x = t: x tells them nothing new, so it is
    # shown; u = 2, which nothing gives away, is withheld.
    values = {("top", "t"): 3, ("top", "u"): 2, ("fine", "x"): 3}
    relations = [Relation(("top", "t"), (("fine", "x"),))]
    levels = {"top": [], "fine": ["top"]}
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__, public=[("top", "t")])
    assert hidden == {("top", "u")}


def test_a_level_withheld_whole_keeps_its_rows_when_its_zeros_give_nothing_away():
    # x = 3 is pinned by t = x + y + z with y = 0 and z = 10 fixed by the totals level: the finer
    # level (x alone) is withheld whole; its one cell, hidden, still equals t - y - z, so it is
    # unshowable; but a level of zeros only that shares no relation with a small cell stays showable.
    values = {("top", "t"): 13, ("top", "y"): 0, ("top", "z"): 10, ("fine", "x"): 3, ("zero", "w"): 0}
    relations = [Relation(("top", "t"), (("fine", "x"), ("top", "y"), ("top", "z")))]
    levels = {"top": [], "fine": ["top"], "zero": ["top"]}
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__)
    assert hidden == {("fine", "x"), unshowable("fine")}
    assert unshowable("fine") == ("unshowable", "fine")


@pytest.mark.django_db
def test_suppressed_for_anyone_who_may_not_see_names_in_every_school(world):
    a, b = world.school_a, world.school_b
    assert suppressed_for(world.governor, [a]) is True
    assert suppressed_for(world.senco, [a]) is False
    assert suppressed_for(world.senco, [a.pk, b.pk]) is True  # not their school B
    assert suppressed_for(world.trustlead, [a, b]) is False
    assert suppressed_for(world.teacher, [a]) is False
    assert suppressed_for(world.specialist, [a]) is True
    assert suppressed_for(world.governor, []) is False  # no school: no figures to protect


def test_a_level_withheld_whole_keeps_what_earlier_levels_withheld():
    # As above, with a third level settled before the finer one: its 2 stays withheld when the
    # finer level falls back to withholding itself whole.
    values = {("top", "t"): 13, ("top", "z"): 10, ("side", "u"): 2, ("fine", "x"): 3}
    relations = [Relation(("top", "t"), (("fine", "x"), ("top", "z")))]
    levels = {"top": [], "side": [], "fine": ["top"]}
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__)
    assert hidden == {("side", "u"), ("fine", "x"), unshowable("fine")}


def test_a_level_is_not_shown_when_withheld_whole_it_still_pins_a_combination_of_settled_cells():
    # The totals level withholds a, b and c (4 each; T = 12 shown). The finer level's p = a + q and
    # r = b + q are seen exactly elsewhere (public), so only q can be withheld, and then p - r gives
    # a - b: no cell comes back alone, but a combination of withheld ones does, so the finer level
    # is not shown at all (its p and r are public anyway; q is withheld).
    values = {
        ("top", "T"): 12,
        ("top", "a"): 4,
        ("top", "b"): 4,
        ("top", "c"): 4,
        ("fine", "p"): 10,
        ("fine", "q"): 6,
        ("fine", "r"): 10,
    }
    relations = [
        Relation(("top", "T"), (("top", "a"), ("top", "b"), ("top", "c"))),
        Relation(("fine", "p"), (("top", "a"), ("fine", "q"))),
        Relation(("fine", "r"), (("top", "b"), ("fine", "q"))),
    ]
    levels = {"top": [], "fine": ["top"]}
    public = [("fine", "p"), ("fine", "r")]
    hidden = protect_levels(values, relations, order=list(levels), context=levels.__getitem__, public=public)
    assert hidden == {("top", "a"), ("top", "b"), ("top", "c"), ("fine", "q"), unshowable("fine")}


def test_a_context_level_not_yet_settled_is_ignored():
    # The totals-and-sex tables above, each naming the other as context: "all" comes first, so it
    # is protected alone (the sex table is not settled yet), exactly as with a one-way context.
    values = {
        ("all", "a"): 4,
        ("all", "b"): 5,
        ("all", "t"): 9,
        ("F", "a"): 2,
        ("F", "b"): 3,
        ("F", "t"): 5,
        ("M", "a"): 2,
        ("M", "b"): 2,
        ("M", "t"): 4,
    }
    relations = [Relation((s, "t"), ((s, "a"), (s, "b"))) for s in ("all", "F", "M")]
    relations += [Relation(("all", c), (("F", c), ("M", c))) for c in "abt"]
    level_of = {"all": "all", "F": "sex", "M": "sex"}

    def hidden(levels):
        return protect_levels(
            values, relations, order=["all", "sex"], context=levels.__getitem__, level_of=lambda k: level_of[k[0]]
        )

    one_way = hidden({"all": [], "sex": ["all"]})
    assert hidden({"all": ["sex"], "sex": ["all"]}) == one_way
    assert {k for k in one_way if k[0] == "all"} == {("all", "a"), ("all", "b")}


def test_two_hidden_cells_are_pinned_by_their_sum_and_their_difference():
    # a = b + c with a shown gives b + c; c = b + d with d shown gives c - b. Adding the two gives
    # 2c, so c = (a + d) / 2 and b = (a - d) / 2: both are worked out, though no relation has
    # one hidden cell alone (the elimination must divide by the 2 exactly).
    relations = [Relation("a", ("b", "c")), Relation("c", ("b", "d"))]
    assert exposed(relations, {"b", "c"}) == {"b", "c"}


def test_a_relation_that_repeats_what_another_gives_does_not_stop_the_search():
    # T = A + B with B shown gives A; A's one need a1 = A gives A again (nothing new); B's one need
    # b1 = B is then given by B alone. Both hidden cells are worked out.
    relations = [Relation("T", ("A", "B")), Relation("A", ("a1",)), Relation("B", ("b1",))]
    assert exposed(relations, {"A", "b1"}) == {"A", "b1"}


def test_a_table_that_can_only_pin_a_combination_of_withheld_cells_is_refused_naming_the_first():
    # The table above with p and r shown elsewhere: only q is left to withhold, and p - r still
    # gives a combination of a, b and c (written, as above, over b and c), so protect refuses,
    # naming b, the first of those.
    values = {"T": 12, "a": 4, "b": 4, "c": 4, "p": 10, "q": 6, "r": 10}
    relations = [Relation("T", ("a", "b", "c")), Relation("p", ("a", "q")), Relation("r", ("b", "q"))]
    with pytest.raises(ValueError, match=r"^Cannot keep 'b' withheld: this table would give it away with others$"):
        protect(values, relations, hidden=["a", "b", "c"], published=["T", "p", "r"])


def test_a_refusal_names_the_first_cell_by_its_repr_whatever_kind_of_key_the_cells_have():
    # x = 3 is t - u and ("y",) = 4 is ("T",) - ("U",), every other cell published: both are given
    # away. The keys are a string and a tuple, which Python cannot sort against each other; by their
    # repr, "'x'" comes before "('y',)" (a quote before a bracket), so x is the one named.
    values = {"t": 5, "x": 3, "u": 2, ("T",): 6, ("y",): 4, ("U",): 2}
    relations = [Relation("t", ("x", "u")), Relation(("T",), (("y",), ("U",)))]
    with pytest.raises(ValueError, match=r"^Cannot withhold 'x': the cells published beside it give it away$"):
        protect(values, relations, published=["t", "u", ("T",), ("U",)])


def test_a_two_way_table_withholds_the_same_cells_whatever_order_its_relations_come_in():
    # r1: 8 5 8 (21), r2: 7 8 4 (19): the 4 at (r2, z) is small. Taken in their sorted order the
    # relations give both rows whole (2 x 3 cells, every margin shown); taken as they come, the
    # answer would depend on how the page listed its rows and columns.
    values, relations = table({"r1": [8, 5, 8], "r2": [7, 8, 4]}, ["x", "y", "z"])
    both_rows = {(r, c) for r in ("r1", "r2") for c in "xyz"}
    assert protect(values, relations) == protect(values, relations[::-1]) == both_rows
    assert exposed(relations, both_rows) == set()


def test_the_one_cell_pass_repeats_until_no_relation_has_a_lone_withheld_cell():
    # r1: 7 2 6 (15), r2: 7 12 8 (27). The 2 takes the 12 below it (column y), then its row takes
    # the 6 and row r2 takes its 7; a second pass gives column x the 7 above and column z the 8
    # below. Both rows are withheld whole and no total is needed; stopping after one pass would
    # leave columns x and z to the general search, which withholds seven cells, two column totals.
    values, relations = table({"r1": [7, 2, 6], "r2": [7, 12, 8]}, ["x", "y", "z"])
    assert protect(values, relations) == {(r, c) for r in ("r1", "r2") for c in "xyz"}


def test_a_refusal_to_keep_cells_withheld_names_the_first_by_repr_not_by_value():
    # The refused table above with b and c named 10 and 9 (numbered rows): p - r still gives a
    # combination of the two, and of 10 and 9 the first by repr is 10 ("1" before "9").
    values = {"T": 12, "a": 4, 10: 4, 9: 4, "p": 10, "q": 6, "r": 10}
    relations = [Relation("T", ("a", 10, 9)), Relation("p", ("a", "q")), Relation("r", (10, "q"))]
    assert newly_revealed(relations, {"a", 10, 9, "q"}, {"T", "a", 10, 9}) == {10, 9}
    with pytest.raises(ValueError, match=r"^Cannot keep 10 withheld: this table would give it away with others$"):
        protect(values, relations, hidden=["a", 10, 9], published=["T", "p", "r"])


def test_a_relation_given_twice_pins_nothing_more():
    # c = a + b and a = b, all three withheld, give c = 2b: two equations, three unknowns, so no cell
    # is worked out. The same total given again (c = b + a, from another table) adds nothing (the
    # elimination meets a coefficient of 2 here: it must multiply by it, not divide).
    relations = [Relation("c", ("a", "b")), Relation("a", ("b",)), Relation("c", ("b", "a"))]
    assert exposed(relations, {"a", "b", "c"}) == set()
    assert exposed(relations[:2], {"a", "b"}) == {"a", "b"}  # with c shown: a = b and a + b = c
