"""The pupil page: a short contents list whose every link lands on a section the reader can see."""

import re

import pytest
from django.urls import reverse


def contents_links(page: str) -> list[str]:
    nav = page.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="#([a-z-]+)"', nav)


@pytest.mark.parametrize(
    ("role", "pupil", "expected"),
    [
        ("senco", "other_class", {"ehc-plan", "privacy", "plans-heading", "provision-title", "audit-trail"}),
        ("teacher", "in_class", {"plans-heading", "provision-title"}),
        ("administrator", "in_class", {"sen-status", "needs", "about", "classes"}),
        ("specialist", "other_class", {"ehc-plan", "plans-heading"}),
    ],
)
def test_every_contents_link_lands_on_a_section_of_the_page(world, login, role, pupil, expected):
    page = login(getattr(world, role)).get(reverse("pupil", args=[getattr(world, pupil).pk])).content.decode()
    links = contents_links(page)
    assert expected <= set(links)
    for anchor in links:
        assert f'id="{anchor}"' in page, f"{role}: the contents link #{anchor} leads nowhere"


def test_the_office_contents_leave_out_what_the_office_may_not_see(world, login):
    page = login(world.administrator).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert not {"plans-heading", "provision-title", "audit-trail"} & set(contents_links(page))


def test_the_record_comes_before_the_ctf_download(world, login):
    page = login(world.senco).get(reverse("pupil", args=[world.in_class.pk])).content.decode()
    assert page.index('id="plans-heading"') < page.index("Download a CTF")
