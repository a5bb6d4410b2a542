"""The headings of a school's SEN information report, as data: what the SEND Regulations 2014
require it to contain (Schedule 1, with the SENCO's details from regulation 51 and Schedule 1
paragraph 4). DOMAIN.md lists them; paragraph numbers are *(check)* against legislation.gov.uk.

`filled` says what Trellis fills in from its records beside the SENCO's words: "needs" (pupils by
broad area of need, small numbers withheld), "provision" (interventions and how well they
worked, aggregates only), "training" (the staff training the SENCO records), "senco",
"support_services" and "local_offer" (contact fields the SENCO fills in). "" is words only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    key: str
    title: str
    asks: str  # what the regulations ask, as guidance for the SENCO
    source: str
    filled: str = ""


HEADINGS: list[Heading] = [
    Heading(
        "kinds",
        "The kinds of special educational needs we provide for",
        "The kinds of SEN for which provision is made at the school.",
        "Schedule 1, paragraph 1",
        "needs",
    ),
    Heading(
        "identification",
        "How we identify and assess pupils with SEN",
        "The school's policies for identifying children with SEN and assessing their needs.",
        "Schedule 1, paragraph 2",
    ),
    Heading(
        "parents_pupils",
        "How we consult parents and pupils and involve them in their education",
        "Arrangements for consulting parents of children with SEN, and young people with SEN, about their "
        "education and involving them in it.",
        "Schedule 1, paragraphs 7 and 8",
    ),
    Heading(
        "progress",
        "How we assess and review progress towards outcomes",
        "Arrangements for assessing and reviewing pupils' progress towards outcomes, including the "
        "opportunities for working with parents and young people as part of this.",
        "Schedule 1, paragraph 3(b)",
    ),
    Heading(
        "transitions",
        "Support when pupils move between phases and prepare for adulthood",
        "Arrangements for supporting pupils in moving between phases of education and in preparing for adulthood.",
        "Schedule 1, paragraph 12",
    ),
    Heading(
        "teaching",
        "Our approach to teaching pupils with SEN",
        "The approach to teaching children and young people with SEN.",
        "Schedule 1, paragraph 3(c)",
    ),
    Heading(
        "adaptations",
        "How we adapt the curriculum and the learning environment",
        "How adaptations are made to the curriculum and the learning environment.",
        "Schedule 1, paragraph 3(d)",
    ),
    Heading(
        "additional_support",
        "Extra support for learning, equipment and facilities",
        "Additional support for learning that is available, and how equipment and facilities to support "
        "pupils with SEN are secured.",
        "Schedule 1, paragraphs 3(e) and 6 (check)",
    ),
    Heading(
        "expertise",
        "Staff expertise and training",
        "The expertise and training of staff to support children and young people with SEN, including how "
        "specialist expertise is secured.",
        "Schedule 1, paragraph 5",
        "training",
    ),
    Heading(
        "effectiveness",
        "How we evaluate the effectiveness of our provision",
        "Evaluating the effectiveness of the provision made for children and young people with SEN.",
        "Schedule 1, paragraph 3(a)",
        "provision",
    ),
    Heading(
        "activities",
        "Taking part in activities with other pupils",
        "How children and young people with SEN are enabled to engage in activities available with children "
        "and young people who do not have SEN.",
        "Schedule 1, paragraph 3(f)",
    ),
    Heading(
        "wellbeing",
        "Support for emotional and social development",
        "Support for improving emotional and social development, including pastoral support and measures to "
        "prevent bullying.",
        "Schedule 1, paragraph 3(g)",
    ),
    Heading(
        "other_bodies",
        "Working with health, social care, the local authority and voluntary bodies",
        "How the school involves other bodies, including health and social care bodies, local authority "
        "support services and voluntary organisations, in meeting pupils' needs and supporting their families.",
        "Schedule 1, paragraph 10",
    ),
    Heading(
        "complaints",
        "Complaints",
        "Arrangements for handling complaints from parents of children with SEN about the provision made "
        "at the school.",
        "Schedule 1, paragraph 9",
    ),
    Heading(
        "senco",
        "Our SENCO",
        "The name and contact details of the SEN co-ordinator.",
        "Schedule 1, paragraph 4; regulation 51",
        "senco",
    ),
    Heading(
        "support_services",
        "Support services for parents",
        "The contact details of support services for parents of pupils with SEN, including the local SEND "
        "information, advice and support service (SENDIASS).",
        "Schedule 1, paragraph 11",
        "support_services",
    ),
    Heading(
        "local_offer",
        "The local authority's local offer",
        "Where the local authority's local offer is published.",
        "Schedule 1, paragraph 13",
        "local_offer",
    ),
]
BY_KEY = {heading.key: heading for heading in HEADINGS}
