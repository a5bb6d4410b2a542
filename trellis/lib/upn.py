"""Unique pupil numbers (UPN): 13 characters, a check letter then LA (3), establishment (4),
year of allocation (2) and serial (3); a temporary UPN ends in a letter.

The check letter: characters 2 to 13 are weighted 2 to 13 (a final letter counts by its place
in the check alphabet, A = 0), the sum is taken modulo 23 and mapped to CHECK_ALPHABET.
"""

from __future__ import annotations

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
DIGITS = "0123456789"  # str.isdigit() also accepts '²' and other digits int() refuses


def _all_digits(text: str) -> bool:
    return all(char in DIGITS for char in text)


class InvalidUPN(ValueError):
    """A UPN that cannot be right; the message says why, in words a data manager can act on."""


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it."""
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char in DIGITS else CHECK_ALPHABET.index(char))
    return CHECK_ALPHABET[total % 23]


def normalise_upn(value: str) -> str:
    """Return the UPN in capitals without spaces, or raise InvalidUPN saying what is wrong."""
    upn = "".join(str(value).split()).upper()
    if len(upn) != 13:
        raise InvalidUPN(f"UPN '{value}' has {len(upn)} characters; a UPN has 13 (a letter then 12 more).")
    if upn[0] not in CHECK_ALPHABET:
        raise InvalidUPN(f"UPN '{upn}' must start with a check letter (A–Z, not I, O or S).")
    if not _all_digits(upn[1:12]):
        raise InvalidUPN(f"UPN '{upn}': characters 2 to 12 must be digits.")
    if not (upn[12] in DIGITS or upn[12] in CHECK_ALPHABET):
        raise InvalidUPN(f"UPN '{upn}': the last character must be a digit or, for a temporary UPN, a letter.")
    expected = check_letter(upn[1:])
    if upn[0] != expected:
        raise InvalidUPN(
            f"UPN '{upn}' has check letter {upn[0]} but its digits need {expected}: check for a typing error."
        )
    return upn


def make_upn(la: str, estab: str, year: int, serial: int) -> str:
    """A permanent UPN with its check letter (used by the demo data and tests)."""
    body = f"{int(la):03d}{int(estab):04d}{year % 100:02d}{serial:03d}"
    return check_letter(body) + body
