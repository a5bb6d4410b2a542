"""A small demo school for the documents tests: 24 pupils with SEN in class 4B, with plans,
targets, reviews and a provision map from the demo builders."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from trellis.demo import plans as plans_demo
from trellis.demo import provision as provision_demo
from trellis.lib.upn import make_upn
from trellis.plans import tally
from trellis.pupils import services as pupil_services
from trellis.pupils.models import GroupMembership, Pupil

FORENAMES = ["Alex", "Sam", "Ruby", "Omar", "Maya", "Leo", "Isla", "Noah", "Zara", "Finn", "Amira", "Jack"]


@pytest.fixture
def demo_school(world):
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)  # not replace(year=...): 29 February has no year before
    pupils = []
    for n in range(24):
        pupil = Pupil.objects.create(
            school=world.school_a,
            upn=make_upn("801", "2001", 22, n),
            legal_surname=f"Demo{n}",
            legal_forename=FORENAMES[n % len(FORENAMES)],
            date_of_birth=today.replace(year=today.year - 9, day=1),
            sex="F" if n % 2 else "M",
            nc_year=4 if n % 3 else 5,
        )
        GroupMembership.objects.create(pupil=pupil, group=world.class_4b)
        pupil_services.set_sen_status(pupil=pupil, status="E" if n % 6 == 0 else "K", starts_on=start, by=None)
        pupil_services.set_needs(
            pupil=pupil, codes=[["SLCN"], ["SPLD"], ["SEMH"], ["ASD"]][n % 4], starts_on=start, by=None
        )
        pupils.append(pupil)
    plans_demo.seed_school(school=world.school_a, rng=random.Random(5), today=today)
    provision_demo.seed_school(school=world.school_a, rng=random.Random(5), today=today)
    tally.rebuild()  # the demo writes reviews in bulk, as seed_demo does
    world.demo_pupils = pupils
    return world
