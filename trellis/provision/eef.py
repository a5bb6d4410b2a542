"""The EEF Teaching and Learning Toolkit, as data: strands with their published average impact,
and the table that turns an effect size into months of progress (DOMAIN.md; EEF updates these)."""

from __future__ import annotations

from decimal import Decimal

SOURCE = "Education Endowment Foundation, Teaching and Learning Toolkit (average impact of each strand)"

# (code, name, published average impact in months)
STRANDS: list[tuple[str, str, int]] = [
    ("one-to-one", "One to one tuition", 5),
    ("small-group", "Small group tuition", 4),
    ("ta-interventions", "Teaching assistant interventions", 4),
    ("metacognition", "Metacognition and self-regulation", 7),
    ("sel", "Social and emotional learning", 4),
    ("individualised", "Individualised instruction", 4),
    ("comprehension", "Reading comprehension strategies", 6),
    ("phonics", "Phonics", 5),
    ("oral-language", "Oral language interventions", 6),
    ("behaviour", "Behaviour interventions", 4),
    ("parental-engagement", "Parental engagement", 4),
]
STRAND_CHOICES = [(code, name) for code, name, _ in STRANDS]
PUBLISHED_MONTHS = {code: months for code, _, months in STRANDS}

# Upper bound of each band's effect size -> months (0.96 and above is 12).
_BANDS = [
    (Decimal("0.01"), 0),
    (Decimal("0.09"), 1),
    (Decimal("0.18"), 2),
    (Decimal("0.26"), 3),
    (Decimal("0.35"), 4),
    (Decimal("0.44"), 5),
    (Decimal("0.52"), 6),
    (Decimal("0.61"), 7),
    (Decimal("0.69"), 8),
    (Decimal("0.78"), 9),
    (Decimal("0.87"), 10),
    (Decimal("0.95"), 11),
]


def months_of_progress(effect_size: float | Decimal | None) -> int | None:
    """EEF months for an effect size (0.02-0.09 = 1 ... 0.96+ = 12); negative sizes give negative months."""
    if effect_size is None:
        return None
    size = Decimal(str(round(float(effect_size), 2)))
    sign = -1 if size < 0 else 1
    size = abs(size)
    for upper, months in _BANDS:
        if size <= upper:
            return sign * months
    return sign * 12
