import pytest

from trellis.lib.upn import InvalidUPN, check_letter, make_upn, normalise_upn


def test_valid_upn_is_normalised():
    assert normalise_upn(" b801 2000 05001 ") == "B801200005001"


def test_check_letter_matches_published_example():
    # The example UPN in the DfE guidance's format: check letter B for 801200005001.
    assert check_letter("801200005001") == "B"


def test_temporary_upn_with_final_letter_validates():
    body = "80120000500A"
    assert normalise_upn(check_letter(body) + body).endswith("A")


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("A801200005001", "check letter A but its digits need B"),
        ("B80120000500", "has 12 characters"),
        ("I801200005001", "must start with a check letter"),
        ("B8012000X5001", "must be digits"),
        ("B80120000500!", "last character"),
        ("E\u00b201200121900", "must be digits"),
        ("B80120000500\u00b2", "last character"),
    ],
)
def test_bad_upn_says_what_is_wrong(upn, message):
    with pytest.raises(InvalidUPN, match=message):
        normalise_upn(upn)


def test_made_upns_validate():
    for serial in range(1, 200):
        normalise_upn(make_upn("801", "2000", 24, serial))
