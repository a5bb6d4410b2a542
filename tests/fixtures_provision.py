"""Provision fixtures: seed 001's class of pupils (UPNs as in tests/data/seed001_provision_map.csv)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trellis.pupils.models import GroupMembership, Pupil

SEED001_FILE = Path(__file__).parent / "data" / "seed001_provision_map.csv"
SEED001_PUPILS = {
    "Amy Ashton": "R801200125101",
    "Joe Baker": "F801200125102",
    "Dan Clarke": "V801200125103",
    "Fred Davies": "J801200125104",
    "Bob Evans": "Y801200125105",
    "Max Foster": "M801200125106",
    "Carl Green": "B801200125107",
    "Jane Hughes": "Q801200125108",
    "Sara Iqbal": "E801200125109",
    "Jack Jones": "Q801200125110",
    "Tim King": "E801200125111",
}


@pytest.fixture(name="seed001_pupils")
def seed001_pupils_fixture(world) -> dict[str, Pupil]:
    """Seed 001's eleven pupils, at school A in class 4B (taught by `teacher`, supported by `ta`)."""
    pupils = {}
    for full_name, upn in SEED001_PUPILS.items():
        forename, surname = full_name.split()
        pupil = Pupil.objects.create(
            school=world.school_a,
            upn=upn,
            legal_forename=forename,
            legal_surname=surname,
            date_of_birth=dt.date(2018, 3, 1),
            sex="F" if forename in {"Amy", "Jane", "Sara"} else "M",
            nc_year=3,
        )
        GroupMembership.objects.create(pupil=pupil, group=world.class_4b)
        pupils[forename] = pupil
    return pupils
