"""UPN check letters against worked examples from outside this code (DfE's UPN guide and the CIN
census validation rule 1510), each sum worked by hand: weights 2 to 13 on characters 2 to 13,
the sum modulo 23, then A B C D E F G H J K L M N P Q R T U V W X Y Z for 0 to 22."""

import pytest

from trellis.lib.upn import InvalidUPN, check_letter, make_upn, normalise_upn


def test_valid_upn_is_normalised():
    assert normalise_upn(" b801 2000 05001 ") == "B801200005001"


@pytest.mark.parametrize(
    ("upn", "worked"),
    [
        # DfE's example (LA 801, establishment 2000, 2005, serial 001):
        # 8x2 + 1x4 + 2x5 + 5x10 + 1x13 = 16 + 4 + 10 + 50 + 13 = 93 = 4 x 23 + 1 -> B.
        ("B801200005001", 93),
        # CIN rule 1510's valid examples. 9x2 + 5x3 + 1x8 + 7x9 + 8x10 + 3x11 + 1x13 = 230 = 10 x 23 -> A
        # (remainder 0, the first letter).
        ("A950000178301", 230),
        # 2x2 + 4x3 + 3x4 + 2x5 + 7x6 + 8x7 + 5x8 + 4x9 + 4x10 + 1x11 + 5x12 + 4x13 = 375 = 16 x 23 + 7 -> H.
        ("H243278544154", 375),
        # 2x2 + 7x4 + 1x9 + 6x10 + 4x12 + 9x13 = 266 = 11 x 23 + 13 -> P (I and O skipped: not N, not Q).
        ("P207000016049", 266),
        # 8x2 + 1x4 + 2x5 + 5x10 + 1x12 + 7x13 = 183 = 7 x 23 + 22 -> Z (the last letter).
        ("Z801200005017", 183),
    ],
)
def test_check_letter_matches_hand_worked_examples(upn, worked):
    assert check_letter(upn[1:]) == upn[0]
    assert normalise_upn(upn) == upn
    assert "ABCDEFGHJKLMNPQRTUVWXYZ"[worked % 23] == upn[0]  # the sum in the comment is the one checked


@pytest.mark.parametrize(
    ("upn", "expected"),
    [
        # A temporary UPN's final letter counts by its place in the 23-letter alphabet (DfE's guide):
        # T is 16 (19 in A-Z). 8x2 + 1x4 + 2x5 + 5x10 = 80; 80 + 16x13 = 288 = 12 x 23 + 12 -> N.
        # Counting T as 19 would give 80 + 247 = 327 = 14 x 23 + 5 -> F.
        ("N80120000500T", "N"),
        ("n80120000500t", "N"),
        # A is 0 in either alphabet: 80 = 3 x 23 + 11 -> M.
        ("M80120000500A", "M"),
    ],
)
def test_temporary_upn_final_letter_counts_by_the_23_letter_alphabet(upn, expected):
    assert normalise_upn(upn) == upn.upper()
    assert check_letter(upn[1:].upper()) == expected


def test_temporary_upn_checked_with_a_to_z_is_refused():
    with pytest.raises(InvalidUPN, match="check letter F but its digits need N"):
        normalise_upn("F80120000500T")


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("A801200005001", "check letter A but its digits need B"),
        ("B80120000500", "has 12 characters"),
        ("B8012000050011", "has 14 characters"),
        ("I801200005001", "must start with a check letter"),
        ("1801200005001", "must start with a check letter"),
        ("B8012000X5001", "must be digits"),
        ("BX01200005001", "must be digits"),
        ("B80120000500!", "last character"),
        ("B80120000500I", "last character"),  # I, O and S are not in the check alphabet
        ("B80120000500O", "last character"),
        ("B80120000500S", "last character"),
        ("E\u00b201200121900", "must be digits"),
        ("B80120000500\u00b2", "last character"),
    ],
)
def test_bad_upn_says_what_is_wrong(upn, message):
    with pytest.raises(InvalidUPN, match=message):
        normalise_upn(upn)


def test_bad_upn_message_quotes_what_was_typed():
    with pytest.raises(InvalidUPN) as raised:
        normalise_upn("B80120000500")
    assert str(raised.value) == "UPN 'B80120000500' has 12 characters; a UPN has 13 (a letter then 12 more)."


@pytest.mark.parametrize(
    ("parts", "upn"),
    [
        (("801", "2000", 2005, 1), "B801200005001"),  # DfE's example, from a four-digit year
        (("950", "1", 78, 301), "A950000178301"),  # a short establishment number is padded
        (("243", "2785", 2044, 154), "H243278544154"),
        (("801", "2000", 2005, 17), "Z801200005017"),
    ],
)
def test_made_upns_match_the_worked_examples(parts, upn):
    assert make_upn(*parts) == upn
