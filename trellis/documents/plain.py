"""Plain English for parents and pupils: no codes or abbreviations, every line a sentence."""

from __future__ import annotations

import re

from trellis.plans.progress import Status

# Staff shorthand that the demo and real plans use, written out.
_WORDS = [
    (re.compile(r"\bHLTA\b"), "senior teaching assistant"),
    (re.compile(r"\bTAs\b"), "teaching assistants"),
    (re.compile(r"\bTA\b"), "teaching assistant"),
    (re.compile(r"\bSENCO\b", re.IGNORECASE), "special needs leader"),
    (re.compile(r"\bSALT\b"), "speech and language therapist"),
    (re.compile(r"\bEHC plan\b", re.IGNORECASE), "education, health and care plan"),
    (re.compile(r"\bEHCP\b"), "education, health and care plan"),
    (re.compile(r"\b1:1\b"), "one-to-one"),
    (re.compile(r"\bmins?\b"), "minutes"),
    (re.compile(r"\b(\d+) x (\d+) minutes\b"), r"\1 sessions of \2 minutes"),
    (re.compile(r"\b(\d+) x\b"), r"\1 times"),
]


def plain(text: str) -> str:
    """Staff shorthand written out ("3 x 10 mins a week (TA)" -> "3 sessions of 10 minutes a week
    (teaching assistant)")."""
    for pattern, words in _WORDS:
        text = pattern.sub(words, text)
    return text.strip()


def sentence(text: str) -> str:
    """Plain words ending with a full stop, so a list reads as sentences."""
    text = plain(text)
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def progress_words(status: Status, name: str) -> str:
    """A target's status for a parent, in a sentence (the label stays beside it, as staff see it)."""
    return {
        Status.ACHIEVED: f"{name} has met this target. Well done!",
        Status.ON_TRACK: f"{name} is making the progress we hoped for.",
        Status.AT_RISK: f"{name} is moving on, but a bit more slowly than we hoped.",
        Status.OFF_TRACK: f"{name} has not moved on yet. We are changing how we help.",
        Status.NOT_REVIEWED: "We have not checked this target yet this half term.",
    }[status]


# One idea for home for each area of need (Domain values), in the words of a short leaflet.
HOME_IDEAS = {
    "cognition": "Play short games that use counting, sorting or memory. Keep it fun and stop before your child is tired.",
    "spld": "Read together for ten minutes a day. Take turns to read, and talk about the pictures.",
    "slc": "Talk about your day together. Give your child time to answer, and use new words in play.",
    "social": "Play a game that needs turns, such as snap. Say whose turn it is, and praise good waiting.",
    "semh": "Keep a calm bedtime routine. Talk about feelings, and name them when you see them.",
    "physical": "Play ball games in the park or garden. Throw, catch and kick a soft ball together.",
}
DEFAULT_HOME_IDEA = "Ask your child what they did at school today, and praise what went well."
