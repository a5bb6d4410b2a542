"""Plain words for parents: no codes or acronyms on the family pages."""

from __future__ import annotations

from trellis.plans.models import Plan

PLAIN_KIND = {
    Plan.Kind.SEN_SUPPORT: "Support plan",
    Plan.Kind.ILP: "Learning plan",
    Plan.Kind.PASSPORT: "Pupil passport",
    Plan.Kind.EHC: "Education, health and care plan goals",
}


def plain_kind(kind: str) -> str:
    return PLAIN_KIND.get(kind, "Plan")
