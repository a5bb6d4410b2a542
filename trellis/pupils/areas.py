"""One list of areas of need: seed 000's six domains and the Code of Practice's four broad areas.

Plans, targets, evidence, concerns and assessments record one of the six domains; the register,
the census needs and the dashboards use the four broad areas (need types keep theirs as data, in
`NeedType.broad_area`). This mapping joins them (DOMAIN.md), so a domain is always shown with its
broad area and a broad area with the domains it covers.
"""

from __future__ import annotations

from trellis.assessment.models import Domain

COMMUNICATION = "Communication and interaction"
COGNITION = "Cognition and learning"
SEMH = "Social, emotional and mental health"
SENSORY = "Sensory and/or physical"
UNCATEGORISED = "Uncategorised"  # census needs OTH and NSA: no broad area

# The Code of Practice's four broad areas, in its order.
BROAD_AREAS = [COMMUNICATION, COGNITION, SEMH, SENSORY]

AREA_OF_DOMAIN: dict[str, str] = {
    Domain.COGNITION: COGNITION,
    Domain.SPLD: COGNITION,
    Domain.SLC: COMMUNICATION,
    Domain.SOCIAL: COMMUNICATION,
    Domain.SEMH: SEMH,
    Domain.PHYSICAL: SENSORY,
}


# A domain written out: its label, or its label without the bracket ("Physical and medical").
_DOMAIN_OF_TEXT = {
    text.casefold(): value for value, label in Domain.choices for text in (value, label, label.split(" (")[0])
}


def broad_area(domain: str) -> str:
    """The broad area a domain belongs to ("" for a value that is not a domain)."""
    return AREA_OF_DOMAIN.get(domain, "")


def domain_label(domain: str) -> str:
    """A domain as people read it, with its broad area: "Speech, language and communication
    (Communication and interaction)"; once when the two are the same words. Also takes a domain
    written out (an intervention's free-text area, "Physical and medical"); other text comes back
    as it is (a broad area, or a school's own words)."""
    domain = _DOMAIN_OF_TEXT.get(str(domain).strip().casefold(), domain)
    if domain not in Domain.values:
        return domain
    name, area = Domain(domain).label, broad_area(domain)
    return name if name == area else f"{name} ({area})"


def domain_choices() -> list[tuple[str, str]]:
    """The six domains for a form, each with its broad area."""
    return [(value, domain_label(value)) for value in Domain.values]


def domains_by_area() -> list[tuple[str, list[str]]]:
    """Each broad area with the domains it covers, for the key shown beside broad-area figures."""
    return [(area, [Domain(d).label for d, a in AREA_OF_DOMAIN.items() if a == area]) for area in BROAD_AREAS]
