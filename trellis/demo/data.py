"""The numbers the demo trust is drawn from: schools, SEN rates and need mixes (see DOMAIN.md).

National figures (January 2025/2026 census): SEN support about 14-15% and EHC plans about 5-6%
of all pupils, EHC plans mostly in special schools; SLCN the most common need on SEN support,
ASD on EHC plans; boys 61% of SEN support and 71% of EHC plan pupils; free school meals 22% of
pupils without SEN, 39% on SEN support, 44% with an EHC plan. Kept as data, not logic.
"""

from __future__ import annotations

from dataclasses import dataclass

from trellis.schools.models import School

PRIMARY, SECONDARY, SPECIAL = School.Phase.PRIMARY, School.Phase.SECONDARY, School.Phase.SPECIAL

TRUST_NAME = "Oakfield Learning Trust"
# Region name -> local authorities (DfE LA number, name) its schools are in.
REGIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "North": (("383", "Leeds"), ("380", "Bradford"), ("352", "Manchester"), ("373", "Sheffield")),
    "Midlands": (("330", "Birmingham"), ("856", "Leicester"), ("892", "Nottingham")),
}
LA_NAMES = {number: name for las in REGIONS.values() for number, name in las}
# The DfE numbers establishments by phase: primary 2xxx, secondary 4xxx, special 7xxx.
ESTAB_BASE = {PRIMARY: 2000, SECONDARY: 4000, SPECIAL: 7000}


@dataclass(frozen=True)
class SchoolSpec:
    name: str
    phase: str
    pupils: int
    region: str
    white_british_share: float  # how diverse the school's area is


# The default trust: six schools, about 2,500 pupils. The first is where the demo logins work.
DEFAULT_SCHOOLS = (
    SchoolSpec("Oakfield Primary Academy", PRIMARY, 420, "North", 0.62),
    SchoolSpec("Riverside Primary School", PRIMARY, 315, "North", 0.45),
    SchoolSpec("Kingsmead Academy", SECONDARY, 750, "North", 0.58),
    SchoolSpec("Brookfield School", SPECIAL, 120, "Midlands", 0.55),
    SchoolSpec("Hollybank Primary Academy", PRIMARY, 210, "Midlands", 0.80),
    SchoolSpec("Castle Hill Academy", SECONDARY, 690, "Midlands", 0.40),
)
EXTRA_PLACES = (
    "Ashgrove",
    "Beechwood",
    "Cherry Tree",
    "Elmhurst",
    "Fairfield",
    "Greenbank",
    "Hawthorn",
    "Ivy Lane",
    "Juniper",
    "Larchfield",
    "Meadowside",
    "Northfield",
    "Orchard",
    "Parkside",
    "Queensway",
    "Rosehill",
    "Southmead",
    "Thornbury",
    "Underwood",
    "Valley Road",
    "Westfield",
    "Willowbrook",
    "Yewtree",
    "Bramley",
    "Copperfield",
    "Dovecote",
    "Eastbrook",
    "Foxhill",
    "Glenfield",
    "Heathfield",
    "Kingfisher",
    "Lakeside",
    "Millbrook",
    "Newlands",
    "Oldfield",
    "Pinewood",
)
PLACE_PREFIXES = ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "Great ", "Little ")
PHASE_CYCLE = (PRIMARY, PRIMARY, SECONDARY, PRIMARY, SPECIAL, SECONDARY)
PHASE_SUFFIX = {PRIMARY: "Primary Academy", SECONDARY: "Academy", SPECIAL: "School"}
DEFAULT_SIZE = {PRIMARY: 315, SECONDARY: 750, SPECIAL: 120}

# NC years taught, class size and how many TAs a class has, by phase.
NC_YEARS = {PRIMARY: list(range(0, 7)), SECONDARY: list(range(7, 12)), SPECIAL: list(range(1, 15))}
CLASS_SIZE = {PRIMARY: 30, SECONDARY: 30, SPECIAL: 9}
CLASS_NAMES = {
    PRIMARY: ("Chestnut", "Rowan", "Willow", "Hazel", "Maple", "Birch", "Cedar", "Aspen", "Alder", "Elder"),
    SECONDARY: ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M"),
    SPECIAL: ("Kingfisher", "Heron", "Otter", "Badger", "Wren", "Robin", "Puffin", "Swift", "Falcon", "Owl"),
}
BOYS_SHARE = {PRIMARY: 0.51, SECONDARY: 0.51, SPECIAL: 0.72}


@dataclass(frozen=True)
class SenRates:
    monitoring: float
    sen_support: float
    ehc_plan: float


# Shares of pupils by current status (the rest are N). Mainstream EHC rates are below the
# national 6% because that figure includes special schools, where almost everyone has a plan.
SEN_RATES = {
    PRIMARY: SenRates(monitoring=0.04, sen_support=0.150, ehc_plan=0.035),
    SECONDARY: SenRates(monitoring=0.03, sen_support=0.140, ehc_plan=0.030),
    SPECIAL: SenRates(monitoring=0.0, sen_support=0.04, ehc_plan=0.95),
}
BOYS_SHARE_OF = {"K": 0.61, "E": 0.71, "M": 0.58}
PAST_SEN_SHARE = 0.02  # pupils now N who were once on the register
FSM_RATE = {"N": 0.222, "M": 0.26, "K": 0.393, "E": 0.438}

# Primary need weights by phase and status: primaries have more SLCN, secondaries more SEMH and
# SpLD; NSA is used for SEN support only.
NEED_MIX: dict[tuple[str, str], dict[str, float]] = {
    (PRIMARY, "K"): {
        "SLCN": 34,
        "SEMH": 16,
        "MLD": 12,
        "ASD": 10,
        "SPLD": 8,
        "NSA": 6,
        "OTH": 4,
        "PD": 2,
        "HI": 2,
        "VI": 1,
        "SLD": 1,
        "DS": 0.5,
        "MSI": 0.2,
    },
    (SECONDARY, "K"): {
        "SEMH": 26,
        "SPLD": 20,
        "MLD": 15,
        "SLCN": 12,
        "ASD": 12,
        "OTH": 5,
        "NSA": 4,
        "HI": 2,
        "PD": 2,
        "VI": 1,
        "SLD": 0.5,
        "MSI": 0.2,
    },
    (PRIMARY, "E"): {
        "ASD": 34,
        "SLCN": 24,
        "SEMH": 12,
        "MLD": 6,
        "SLD": 6,
        "PD": 5,
        "DS": 4,
        "HI": 2,
        "SPLD": 2,
        "VI": 1,
        "PMLD": 1,
        "OTH": 2,
        "MSI": 0.3,
    },
    (SECONDARY, "E"): {
        "ASD": 36,
        "SEMH": 20,
        "SLCN": 12,
        "MLD": 8,
        "SPLD": 6,
        "SLD": 5,
        "PD": 4,
        "HI": 2,
        "DS": 2,
        "VI": 1,
        "OTH": 3,
        "MSI": 0.3,
    },
    (SPECIAL, "E"): {
        "ASD": 36,
        "SLD": 20,
        "SEMH": 11,
        "MLD": 10,
        "PMLD": 8,
        "SLCN": 5,
        "DS": 4,
        "PD": 3,
        "HI": 1,
        "VI": 1,
        "MSI": 0.5,
        "OTH": 0.5,
    },
    (SPECIAL, "K"): {"ASD": 40, "MLD": 25, "SEMH": 20, "SLCN": 15},
}
SECOND_NEED_SHARE = 0.45
# Needs that often come with a second one of these.
SECOND_NEED_MIX = {"SLCN": 20, "SEMH": 20, "ASD": 12, "SPLD": 12, "MLD": 10, "PD": 6, "HI": 4, "VI": 3, "OTH": 6}
# Earlier primary needs that assessment often replaces.
EARLIER_NEEDS = {"ASD": "SLCN", "SPLD": "NSA", "MLD": "SLCN", "SEMH": "OTH", "SLD": "MLD", "DS": "SLD"}
MEDICAL_NEEDS = {"PD", "HI", "VI", "MSI", "PMLD", "DS"}

# Where leavers go, by phase and whether they had SEN (value: weight).
DESTINATIONS = {
    PRIMARY: {"mainstream": 93, "special": 3, "home": 2, "unknown": 2},
    SECONDARY: {"sixth_form": 38, "college": 42, "apprenticeship": 8, "employment": 3, "neet": 5, "unknown": 4},
    SPECIAL: {"college": 45, "internship": 20, "sixth_form": 10, "special": 15, "neet": 5, "employment": 5},
}
MID_YEAR_DESTINATIONS = {"mainstream": 70, "special": 10, "alternative": 8, "home": 12}
LEAVER_SHARE = 0.04  # last year's leavers, as a share of the roll
