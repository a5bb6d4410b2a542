"""Every kind of document: what it is about, who reads it, how its content is built, its template.

Drafts and release, and batch generation, need only a kind's `build`, `audience` and `sections`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import annual_review, ehc_request, information_report, pupil_reports, school_reports, transition
from .access import may_open_governors_report, may_see_information_report_draft

PUPIL, SCHOOL = "pupil", "school"
COVER = ("cover", "Covering note at the top (leave empty for none)")


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str
    subject: str  # PUPIL or SCHOOL
    audience: str  # who the document is written for: "parents", "pupil", "governors", "staff"
    template: str
    build: Callable  # (subject, reader, today) -> context
    pupils_shown: Callable | None = None  # (school, reader) -> the pupils a school document names
    refusal: Callable | None = None  # (subject) -> why it cannot be made for this subject ("" when it can)
    # (reader, school) -> may open it, beyond seeing the school at all (documents/access.py); None:
    # need to know is enough (the provision map shows each reader only their pupils).
    may_open: Callable | None = None
    # The sections whose words the SENCO may change in a draft: (key, label). Every pupil document
    # also takes a covering note (COVER) at the top, e.g. the local authority's own introduction.
    sections: tuple[tuple[str, str], ...] = ()
    # (pupil) -> sections that depend on the pupil's record, e.g. a commentary for each EHC outcome.
    pupil_sections: Callable | None = None

    def refused(self, subject) -> str:
        """Why this document cannot be made for `subject` ("" when it can), in words to show as they are."""
        return self.refusal(subject) if self.refusal else ""

    def editable_sections(self, pupil) -> tuple[tuple[str, str], ...]:
        """The sections of `pupil`'s draft whose words the SENCO may change: (key, label)."""
        if self.subject != PUPIL:
            return ()
        return (COVER, *self.sections, *(self.pupil_sections(pupil) if self.pupil_sections else ()))

    @property
    def for_families(self) -> bool:
        """Written for the family or the pupil: may be shared on the family pages."""
        return self.audience in ("parents", "pupil")

    @property
    def suppressed(self) -> bool:
        """Written for an audience that may not see names: aggregates only, small numbers withheld."""
        return self.audience in ("governors", "public")


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in [
        Kind(
            "parent-report",
            "Report for parents and carers",
            PUPIL,
            "parents",
            "documents/parent_report.html",
            pupil_reports.parent_report,
            sections=(
                ("opening", "The opening paragraph"),
                ("school_does", "What school is doing to help"),
                ("closing", "The closing words"),
            ),
        ),
        Kind(
            "passport",
            "Pupil passport",
            PUPIL,
            "pupil",
            "documents/passport.html",
            pupil_reports.passport,
            sections=(
                ("good_at", "What I am good at"),
                ("find_hard", "What I find hard"),
                ("what_helps", "What helps me"),
                ("spoken_to", "How I like to be spoken to"),
            ),
        ),
        Kind(
            "annual-review",
            "EHC plan annual review pack",
            PUPIL,
            "staff",
            "documents/annual_review.html",
            annual_review.annual_review,
            refusal=annual_review.refusal,
            sections=annual_review.SECTIONS,
            pupil_sections=annual_review.outcome_sections,
        ),
        Kind(
            "ehc-request",
            "Evidence for a request for an EHC needs assessment",
            PUPIL,
            "staff",
            "documents/ehc_request.html",
            ehc_request.ehc_request,
            sections=ehc_request.SECTIONS,
        ),
        Kind(
            "transition",
            "Transition file",
            PUPIL,
            "staff",
            "documents/transition.html",
            transition.transition,
            sections=transition.SECTIONS,
        ),
        Kind(
            "governors-report",
            "Governors' SEND report",
            SCHOOL,
            "governors",
            "documents/governors_report.html",
            school_reports.governors_report,
            may_open=may_open_governors_report,
        ),
        Kind(
            "sen-information-report",
            "SEN information report",
            SCHOOL,
            "public",
            "documents/sen_information_report.html",
            information_report.draft,
            may_open=may_see_information_report_draft,
        ),
        Kind(
            "provision-map",
            "Provision map and evaluation",
            SCHOOL,
            "staff",
            "documents/provision_map.html",
            school_reports.provision_map,
            school_reports.provision_map_pupils,
        ),
    ]
}


class UnknownKind(ValueError):
    pass


def get_kind(slug: str, subject: str | None = None) -> Kind:
    """The kind, about `subject`; otherwise UnknownKind with what to do instead."""
    kind = KINDS.get(slug)
    if kind is None:
        raise UnknownKind(f"Unknown document {slug!r}: choose one of {', '.join(KINDS)}.")
    if subject is not None and kind.subject != subject:
        raise UnknownKind(
            f"{kind.title} ({slug}) is about a {kind.subject}: give --{'pupil UPN' if kind.subject == PUPIL else 'school URN'}."
        )
    return kind
