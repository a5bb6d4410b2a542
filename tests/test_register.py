"""The SEN register page: filters, counts, downloads and its htmx fragment."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from trellis.pupils import services
from trellis.pupils.register import DOWNLOAD_HEADINGS

from conftest import make_pupil


def register(client, world, **params):
    return client.get(reverse("register", args=[world.school_a.urn]), params)


def names_in(response) -> set[str]:
    return {pupil.legal_surname for pupil in response.context["page"].object_list}


def test_register_shows_every_sen_pupil_by_default(world, login):
    response = register(login(world.senco), world)
    assert names_in(response) == {"Inclass", "Otherclass", "Private", "Expired"}
    assert response.context["total"] == 4


def test_register_is_in_the_order_of_the_names_it_shows(world, login):
    """Sorted by the preferred name where there is one, as the page shows it, not the legal name."""
    for legal, preferred in [("Zephyr", "Aaronson"), ("Abbot", ""), ("Aardvark", "Young")]:
        pupil = make_pupil(world.school_a, surname=legal, preferred_surname=preferred)
        services.set_sen_status(pupil=pupil, status="K", starts_on=pupil.date_of_birth, by=world.senco)
    page = register(login(world.senco), world, status="K").context["page"].object_list
    shown = [pupil.surname for pupil in page]
    assert shown[:3] == ["Aaronson", "Abbot", "Expired"]
    assert shown == sorted(shown) and shown[-1] == "Young"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "E"}, {"Otherclass"}),
        ({"status": "K"}, {"Inclass", "Private", "Expired"}),
        ({"need": "SPLD"}, {"Inclass"}),  # a secondary need counts
        ({"area": "Communication and interaction"}, {"Inclass", "Otherclass"}),
        ({"q": "othercl"}, {"Otherclass"}),
    ],
)
def test_register_filters(world, login, params, expected):
    assert names_in(register(login(world.senco), world, **params)) == expected


def test_register_filters_by_class_sex_and_pupil_premium(world, login):
    services.update_pupil(pupil=world.in_class, by=world.senco, sex="F", pupil_premium=True)
    client = login(world.senco)
    assert names_in(register(client, world, sex="F")) == {"Inclass"}
    assert names_in(register(client, world, pupil_premium="yes")) == {"Inclass"}
    assert names_in(register(client, world, group=str(world.class_4c.pk))) == {"Otherclass", "Expired"}


def test_register_counts_each_status(world, login):
    counts = register(login(world.senco), world).context["counts"]
    assert counts["SEN support"] == 3
    assert counts["EHC plan"] == 1


def test_pupils_who_have_left_are_not_on_the_register(world, login):
    services.update_pupil(pupil=world.in_class, by=world.senco, left_on=world.in_class.date_of_birth.replace(year=2025))
    assert "Inclass" not in names_in(register(login(world.senco), world))


def test_htmx_request_gets_only_the_results_fragment(world, login):
    client = login(world.senco)
    response = client.get(reverse("register", args=[world.school_a.urn]), {"status": "E"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Otherclass" in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_csv_download_uses_importer_headings_and_respects_filters(world, login):
    response = login(world.senco).get(reverse("register-download", args=[world.school_a.urn, "csv"]), {"status": "E"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == DOWNLOAD_HEADINGS
    assert [row[1] for row in rows[1:]] == ["Otherclass"]
    assert rows[1][DOWNLOAD_HEADINGS.index("Primary Need")] == "ASD"


def test_xlsx_download_holds_the_same_rows(world, login):
    response = login(world.senco).get(reverse("register-download", args=[world.school_a.urn, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == DOWNLOAD_HEADINGS
    assert {row[1] for row in rows[1:]} == {"Inclass", "Otherclass", "Private", "Expired"}


def test_teacher_download_contains_only_their_pupils(world, login):
    response = login(world.teacher).get(reverse("register-download", args=[world.school_a.urn, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:]} == {"Inclass"}


def test_register_queries_do_not_grow_with_pupils(world, login, django_assert_max_num_queries):
    client = login(world.senco)
    register(client, world)  # warm the session and caches
    with django_assert_max_num_queries(20) as small:
        register(client, world)
    for n in range(30):
        pupil = make_pupil(world.school_a, surname=f"Extra{n}", group=world.class_4b)
        services.set_sen_status(pupil=pupil, status="K", starts_on=pupil.date_of_birth, by=world.senco)
        services.set_needs(pupil=pupil, codes=["SEMH"], starts_on=pupil.date_of_birth, by=world.senco)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = register(client, world)
    assert response.context["total"] == 34
