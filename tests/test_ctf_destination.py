"""The next school a CTF is for: chosen on the export form (LA and establishment numbers) for a known
move, otherwise 'not known' as the CTF specification writes it (LA MMM, establishment MMMM)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.pupils.models import Pupil
from trellis.transfer.export import UNKNOWN_DESTINATION, Destination, export_ctf
from trellis.transfer.forms import DestinationForm


def dest_school(xml: bytes) -> tuple[str, str]:
    found = re.search(rb"<DestSchool><LEA>([^<]*)</LEA><Estab>([^<]*)</Estab></DestSchool>", xml)
    assert found, xml[:600]
    return found.group(1).decode(), found.group(2).decode()


def test_a_ctf_for_a_known_move_names_the_next_school(world):
    out = io.BytesIO()
    pupils = Pupil.objects.filter(pk=world.in_class.pk)
    export_ctf(school=world.school_a, pupils=pupils, by=world.senco, out=out, destination=Destination("802", "4001"))
    assert dest_school(out.getvalue()) == ("802", "4001")
    event = AuditEvent.objects.get(action="export", record_type="CTF", pupil_id=None)
    assert event.changes == {"destination": [None, "8024001"]}


def test_a_ctf_with_no_next_school_says_not_known_as_the_specification_asks(world):
    out = io.BytesIO()
    export_ctf(school=world.school_a, pupils=Pupil.objects.filter(pk=world.in_class.pk), by=world.senco, out=out)
    assert dest_school(out.getvalue()) == ("MMM", "MMMM")
    assert "not known" in AuditEvent.objects.get(action="export", record_type="CTF", pupil_id=None).summary


@pytest.mark.parametrize(
    ("la", "estab", "expected"),
    [
        ("", "", UNKNOWN_DESTINATION),
        ("801", "2001", Destination("801", "2001")),
        (" 801 ", " 0001 ", Destination("801", "0001")),  # spaces around are dropped; leading zeros kept
    ],
)
def test_the_form_takes_both_numbers_or_neither(la, estab, expected):
    form = DestinationForm({"next_la": la, "next_estab": estab})
    assert form.is_valid(), form.errors
    assert form.destination() == expected


@pytest.mark.parametrize(
    ("la", "estab", "field", "message"),
    [
        ("80", "2001", "next_la", "Enter the local authority number as 3 digits, for example 801"),
        ("8011", "2001", "next_la", "Enter the local authority number as 3 digits, for example 801"),
        ("8O1", "2001", "next_la", "Enter the local authority number as 3 digits, for example 801"),
        ("MMM", "MMMM", "next_la", "Enter the local authority number as 3 digits, for example 801"),
        ("801", "200", "next_estab", "Enter the establishment number as 4 digits, for example 2001"),
        ("801", "20011", "next_estab", "Enter the establishment number as 4 digits, for example 2001"),
        (
            "801",
            "",
            "next_estab",
            "Enter the establishment number too, or leave both blank if the next school is not known",
        ),
        (
            "",
            "2001",
            "next_la",
            "Enter the local authority number too, or leave both blank if the next school is not known",
        ),
    ],
)
def test_the_form_says_which_number_is_wrong_and_what_it_takes(la, estab, field, message):
    form = DestinationForm({"next_la": la, "next_estab": estab})
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_the_pupil_page_offers_the_next_school_form(world, login):
    page = login(world.senco).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert f'action="{reverse("pupil-ctf", args=[world.in_class.pk])}"' in page
    assert 'name="next_la"' in page and 'name="next_estab"' in page


def test_downloading_from_the_pupil_page_with_a_next_school(world, login):
    url = reverse("pupil-ctf", args=[world.in_class.pk])
    response = login(world.senco).get(url, {"next_la": "802", "next_estab": "4001"})
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert dest_school(response.content) == ("802", "4001")
    assert dest_school(login(world.senco).get(url).content) == ("MMM", "MMMM")  # the plain link still works


def test_a_wrong_number_shows_the_form_again_with_the_message_and_exports_nothing(world, login):
    before = AuditEvent.objects.filter(action="export").count()
    url = reverse("pupil-ctf", args=[world.in_class.pk])
    response = login(world.senco).get(url, {"next_la": "80", "next_estab": "4001"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "There is a problem" in page and "Enter the local authority number as 3 digits, for example 801" in page
    assert 'value="80"' in page and 'value="4001"' in page  # what they typed, to correct
    assert AuditEvent.objects.filter(action="export").count() == before


def test_the_register_download_keeps_its_filters_and_takes_a_next_school(world, login):
    url = reverse("register-ctf", args=[world.school_a.urn])
    client = login(world.senco)
    response = client.get(url, {"status": "E", "next_la": "802", "next_estab": "4001"})
    assert response.status_code == 200
    assert dest_school(response.content) == ("802", "4001")
    assert f"<UPN>{world.other_class.upn}</UPN>".encode() in response.content  # the one pupil with an EHC plan
    assert f"<UPN>{world.in_class.upn}</UPN>".encode() not in response.content
    wrong = client.get(url, {"status": "E", "next_la": "802", "next_estab": "x"})
    assert wrong.status_code == 400
    assert '<input type="hidden" name="status" value="E">' in wrong.content.decode()


def test_the_export_command_takes_the_next_school_and_refuses_a_wrong_number(world, tmp_path):
    path = tmp_path / "out.xml"
    school = world.school_a.urn
    call_command("export_ctf", "--school", school, "--next-la", "802", "--next-estab", "4001", "--out", str(path))
    assert dest_school(path.read_bytes()) == ("802", "4001")
    with pytest.raises(CommandError, match="Enter the establishment number too"):
        call_command("export_ctf", "--school", school, "--next-la", "802", "--out", str(tmp_path / "no.xml"))
    assert not (tmp_path / "no.xml").exists()
