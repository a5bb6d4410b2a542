"""The sections of an EHC plan, in the order the plan sets them out (SEND Code of Practice 2015,
paragraph 9.62). Kept as data so that a wrong title is corrected here, not in the documents *(check)*.
"""

SECTIONS = {
    "A": "The views, interests and aspirations of the child and their parents",
    "B": "Special educational needs",
    "C": "Health needs related to special educational needs",
    "D": "Social care needs related to special educational needs",
    "E": "Outcomes",
    "F": "Special educational provision",
    "G": "Health provision",
    "H1": "Social care provision under section 2 of the Chronically Sick and Disabled Persons Act 1970",
    "H2": "Other social care provision",
    "I": "Placement",
    "J": "Personal budget",
    "K": "Advice and information",
}

# The sections Trellis keeps nothing for: the pack says to bring them from the plan itself.
NOT_KEPT = ["C", "D", "G", "H1", "H2", "I", "J"]
