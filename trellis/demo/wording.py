"""Generated text about a pupil: templates say {they}, {them} and {their}, filled to match the pupil."""

from __future__ import annotations

PRONOUNS = {
    "M": {"they": "he", "them": "him", "their": "his"},
    "F": {"they": "she", "them": "her", "their": "her"},
}
NEUTRAL = {"they": "they", "them": "them", "their": "their"}


def about(sex: str, template: str) -> str:
    """`template` with its pronouns matching a pupil of `sex` ('M' or 'F'; 'they' for anything else)."""
    return template.format_map(PRONOUNS.get(sex, NEUTRAL))
