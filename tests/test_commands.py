"""Management commands for a real school starting without demo data."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trellis.schools.models import School


def test_add_school_creates_the_school_its_trust_and_academic_year(db):
    out = StringIO()
    call_command(
        "add_school",
        "--urn",
        "123456",
        "--name",
        "Hill Top",
        "--la",
        "202",
        "--estab",
        "3001",
        "--phase",
        "secondary",
        "--trust",
        "Hills Trust",
        "--region",
        "East",
        stdout=out,
    )
    school = School.objects.get(urn="123456")
    assert (school.name, school.la_number, school.estab_number, school.phase) == (
        "Hill Top",
        "202",
        "3001",
        "secondary",
    )
    assert school.trust.name == "Hills Trust" and school.region.name == "East"
    year = school.academic_years.get()
    assert year.half_terms.count() == 6
    assert year.assessment_points.filter(is_baseline=True).count() == 1
    assert "Added Hill Top" in out.getvalue()


def test_a_school_without_a_trust_works(db):
    call_command("add_school", "--urn", "123457", "--name", "Lone School", stdout=StringIO())
    assert School.objects.get(urn="123457").trust is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--urn", "12345", "--name", "X"], "--urn must be 6 digits"),
        (["--urn", "123456", "--name", "X", "--la", "12"], "--la must be 3 digits"),
        (["--urn", "123456", "--name", "X", "--region", "East"], "--region needs --trust"),
    ],
)
def test_add_school_explains_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_school", *args)
    assert not School.objects.exists()


def test_add_school_refuses_a_duplicate_urn(db):
    call_command("add_school", "--urn", "123456", "--name", "One", stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("add_school", "--urn", "123456", "--name", "Two")


def test_create_api_token_for_an_unknown_user_fails_clearly(db):
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("create_api_token", "nobody")
