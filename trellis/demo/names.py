"""Names and ethnicity for synthetic people: British, with the diversity of English schools.

Each heritage group has a DfE ethnicity code, a share of pupils nationally (roughly, from the
school census), how likely its pupils are to have English as an additional language, and name
pools. Kept as data so it can be corrected without touching the generators.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Heritage:
    ethnicity: str  # DfE code
    weight: float  # share of pupils, before the school's own mix is applied
    eal: float  # probability of English as an additional language
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    surnames: tuple[str, ...]


_BRITISH_GIRLS = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Lily",
    "Freya",
    "Florence",
    "Ivy",
    "Poppy",
    "Evie",
    "Ella",
    "Grace",
    "Sophie",
    "Millie",
    "Rosie",
    "Daisy",
    "Sienna",
    "Emily",
    "Evelyn",
    "Matilda",
    "Harriet",
    "Phoebe",
    "Ruby",
    "Willow",
    "Elsie",
    "Lucy",
    "Jessica",
    "Holly",
    "Megan",
    "Charlotte",
)
_BRITISH_BOYS = (
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Noah",
    "Leo",
    "Arthur",
    "Freddie",
    "Alfie",
    "Charlie",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Henry",
    "Archie",
    "Theo",
    "Isaac",
    "Joshua",
    "Finley",
    "Alexander",
    "Samuel",
    "Daniel",
    "Benjamin",
    "Lewis",
    "Callum",
    "Reuben",
    "Toby",
    "Max",
    "Ethan",
)
_BRITISH_SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Hughes",
    "Edwards",
    "Turner",
    "Harris",
    "Lewis",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "Bennett",
    "Carter",
    "Fletcher",
    "Marshall",
    "Pearson",
    "Shaw",
    "Holmes",
    "Barker",
    "Lloyd",
    "Dixon",
    "Atkinson",
    "Price",
    "Hargreaves",
    "Sutcliffe",
    "Whitworth",
    "Ashworth",
    "Pritchard",
    "Griffiths",
    "Owen",
)

# Each: ethnicity code, share of pupils (%), probability of EAL, girls' names, boys' names, surnames.
HERITAGES: tuple[Heritage, ...] = (
    Heritage("WBRI", 64.0, 0.01, _BRITISH_GIRLS, _BRITISH_BOYS, _BRITISH_SURNAMES),
    Heritage(
        "WIRI",
        0.8,
        0.02,
        ("Niamh", "Aoife", "Siobhan", "Ciara", "Orla", "Erin"),
        ("Sean", "Cian", "Oisin", "Conor", "Declan", "Ronan"),
        ("O'Brien", "Murphy", "Kelly", "Byrne", "Ryan", "Walsh", "O'Connor", "Doyle", "McCarthy"),
    ),
    Heritage(
        "WIRT",
        0.3,
        0.05,
        ("Bridget", "Mary", "Shannon", "Kathleen"),
        ("Patrick", "John", "Michael", "Martin"),
        ("Ward", "McDonagh", "Joyce", "Maughan", "Connors"),
    ),
    Heritage(
        "WOTH",
        7.5,
        0.70,
        ("Zofia", "Maja", "Julia", "Elena", "Sofia", "Ana", "Gabriela", "Emilia", "Ieva"),
        ("Jakub", "Antoni", "Andrei", "Matteo", "Lukas", "Mateusz", "Filip", "Tiago", "Luca"),
        (
            "Nowak",
            "Kowalski",
            "Wiśniewska",
            "Popescu",
            "Ionescu",
            "Kazlauskas",
            "Rossi",
            "Silva",
            "Santos",
            "Kowalczyk",
            "Horváth",
            "Petrov",
            "Nagy",
        ),
    ),
    Heritage(
        "WROM",
        0.4,
        0.40,
        ("Esmeralda", "Roza", "Denisa"),
        ("Milan", "Tomas", "Radek"),
        ("Balog", "Lakatos", "Kaleja", "Dudi"),
    ),
    Heritage(
        "MWBC",
        1.7,
        0.02,
        _BRITISH_GIRLS + ("Aaliyah", "Nia"),
        _BRITISH_BOYS + ("Malachi", "Jayden"),
        _BRITISH_SURNAMES + ("Campbell", "Francis", "Grant"),
    ),
    Heritage(
        "MWBA",
        1.0,
        0.05,
        _BRITISH_GIRLS + ("Amara", "Zara"),
        _BRITISH_BOYS + ("Kofi", "Tobi"),
        _BRITISH_SURNAMES + ("Mensah", "Osei"),
    ),
    Heritage(
        "MWAS",
        1.5,
        0.05,
        _BRITISH_GIRLS + ("Maya", "Leila", "Anya"),
        _BRITISH_BOYS + ("Zayn", "Kiran"),
        _BRITISH_SURNAMES + ("Khan", "Patel", "Begum"),
    ),
    Heritage(
        "MOTH",
        2.3,
        0.15,
        _BRITISH_GIRLS + ("Layla", "Noor"),
        _BRITISH_BOYS + ("Elijah", "Luca"),
        _BRITISH_SURNAMES + ("Silva", "Chen", "Hassan"),
    ),
    Heritage(
        "AIND",
        3.5,
        0.55,
        ("Priya", "Anaya", "Riya", "Aanya", "Ishani", "Simran", "Jaspreet", "Kavya"),
        ("Aarav", "Arjun", "Dev", "Harpreet", "Rohan", "Vihaan", "Arman", "Nikhil"),
        ("Patel", "Sharma", "Singh", "Kaur", "Gill", "Sandhu", "Mistry", "Shah", "Parmar", "Chauhan"),
    ),
    Heritage(
        "APKN",
        4.6,
        0.65,
        ("Aisha", "Maryam", "Zainab", "Fatima", "Hafsa", "Amna", "Khadija", "Inaya"),
        ("Muhammad", "Ayaan", "Zayn", "Ibrahim", "Hamza", "Yusuf", "Musa", "Ahmed"),
        ("Khan", "Hussain", "Ahmed", "Akhtar", "Iqbal", "Mahmood", "Butt", "Rashid", "Ali", "Raza"),
    ),
    Heritage(
        "ABAN",
        1.9,
        0.70,
        ("Nusrat", "Sumaiya", "Raisa", "Tasnim", "Ruqayyah", "Sadia"),
        ("Rayan", "Arham", "Tahmid", "Sami", "Ayan", "Rahim"),
        ("Rahman", "Begum", "Uddin", "Miah", "Islam", "Chowdhury", "Hoque", "Ali"),
    ),
    Heritage(
        "AOTH",
        2.2,
        0.70,
        ("Ayesha", "Tharushi", "Mariam", "Nilufar"),
        ("Farhan", "Kasun", "Omar", "Bilal"),
        ("Perera", "Fernando", "Ahmadi", "Rezaei", "Karimi", "Gurung"),
    ),
    Heritage(
        "BCRB",
        1.0,
        0.03,
        ("Shanice", "Keisha", "Tia", "Aaliyah", "Nia", "Jada"),
        ("Malachi", "Tyrese", "Jayden", "Kai", "Jerome", "Isaiah"),
        ("Campbell", "Brown", "Thomas", "Francis", "Grant", "Henry", "Clarke", "Richards", "Stewart"),
    ),
    Heritage(
        "BAFR",
        4.2,
        0.50,
        ("Blessing", "Precious", "Amara", "Adaeze", "Hodan", "Ifeoma", "Favour", "Abena"),
        ("Tobi", "Chidi", "Kwame", "David", "Samuel", "Abdullahi", "Emmanuel", "Daniel"),
        ("Okafor", "Adeyemi", "Mensah", "Osei", "Mohamed", "Abdi", "Nwosu", "Ogunleye", "Boateng", "Hassan"),
    ),
    Heritage("BOTH", 0.6, 0.20, ("Naomi", "Esther"), ("Joel", "Caleb"), ("Williams", "Johnson", "Mohamed")),
    Heritage(
        "CHNE",
        0.8,
        0.60,
        ("Jasmine", "Mei", "Chloe", "Yuxuan", "Zihan"),
        ("Ethan", "Lucas", "Ryan", "Haoran"),
        ("Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Lam", "Cheung"),
    ),
    Heritage(
        "OOTH",
        2.0,
        0.75,
        ("Layla", "Noor", "Sara", "Dilan", "Maria", "Angel"),
        ("Omar", "Yusuf", "Karim", "Ahmad", "Mateo", "Rafael"),
        ("Ali", "Hassan", "Al-Sayed", "Mansour", "Yilmaz", "Demir", "Reyes", "Santos", "Kurdi"),
    ),
)
REFUSED, NOT_OBTAINED = "REFU", "NOBT"

# Short forms some pupils prefer; they appear as a preferred forename.
PREFERRED = {
    "Alexander": "Alex",
    "Samuel": "Sam",
    "Benjamin": "Ben",
    "Daniel": "Dan",
    "Joshua": "Josh",
    "Thomas": "Tom",
    "William": "Will",
    "Charlotte": "Lottie",
    "Jessica": "Jess",
    "Matilda": "Tilly",
    "Elizabeth": "Beth",
    "Muhammad": "Mo",
    "Gabriela": "Gabi",
    "Harriet": "Hattie",
    "Florence": "Flo",
}

ADULT_WOMEN = (
    "Sarah",
    "Emma",
    "Claire",
    "Rachel",
    "Helen",
    "Nicola",
    "Joanne",
    "Laura",
    "Kate",
    "Louise",
    "Hannah",
    "Priya",
    "Nadia",
    "Kemi",
    "Aisha",
    "Fiona",
    "Gemma",
    "Rebecca",
    "Zoe",
    "Anita",
    "Shabnam",
    "Julie",
    "Bethan",
    "Siobhan",
    "Marta",
    "Grace",
    "Yasmin",
    "Lisa",
    "Alison",
    "Catherine",
)
ADULT_MEN = (
    "David",
    "Mark",
    "James",
    "Paul",
    "Richard",
    "Andrew",
    "Chris",
    "Matthew",
    "Stephen",
    "Tom",
    "Imran",
    "Mohammed",
    "Kwame",
    "Rajesh",
    "Gareth",
    "Neil",
    "Simon",
    "Darren",
    "Jonathan",
    "Adam",
    "Tariq",
    "Piotr",
    "Michael",
    "Dominic",
    "Rob",
)
ADULT_SURNAMES = _BRITISH_SURNAMES + (
    "Patel",
    "Khan",
    "Begum",
    "Okafor",
    "Campbell",
    "Murphy",
    "Nowak",
    "Shah",
    "Hussain",
    "Mensah",
    "Chen",
    "Singh",
    "Ahmed",
    "Kelly",
    "Francis",
)


@dataclass(frozen=True)
class PersonName:
    forename: str
    surname: str
    middle: str = ""
    preferred_forename: str = ""
    ethnicity: str = ""
    eal: bool = False


def pick_heritage(rng: random.Random, white_british_share: float) -> Heritage:
    """A heritage group; `white_british_share` (0 to 1) sets how diverse the school's area is."""
    others = HERITAGES[1:]
    if rng.random() < white_british_share:
        return HERITAGES[0]
    return rng.choices(others, weights=[h.weight for h in others])[0]


def pupil_name(rng: random.Random, *, sex: str, white_british_share: float) -> PersonName:
    heritage = pick_heritage(rng, white_british_share)
    forenames = heritage.girls if sex == "F" else heritage.boys
    forename = rng.choice(forenames)
    middle = rng.choice(forenames) if rng.random() < 0.45 else ""
    if middle == forename:
        middle = ""
    preferred = PREFERRED.get(forename, "") if rng.random() < 0.4 else ""
    roll = rng.random()
    ethnicity = REFUSED if roll < 0.01 else NOT_OBTAINED if roll < 0.015 else heritage.ethnicity
    return PersonName(
        forename=forename,
        surname=rng.choice(heritage.surnames),
        middle=middle,
        preferred_forename=preferred,
        ethnicity=ethnicity,
        eal=rng.random() < heritage.eal,
    )


def adult_name(rng: random.Random) -> tuple[str, str]:
    forenames = ADULT_WOMEN if rng.random() < 0.75 else ADULT_MEN  # school staff are mostly women
    return rng.choice(forenames), rng.choice(ADULT_SURNAMES)


def username_stem(forename: str, surname: str) -> str:
    """'Zoë', "O'Brien" -> 'zoe.obrien' (ASCII letters only)."""

    def ascii_letters(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "".join(char for char in plain.lower() if char.isalnum())

    return f"{ascii_letters(forename)}.{ascii_letters(surname)}"
