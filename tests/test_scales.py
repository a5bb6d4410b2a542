"""Scales as data: shipped codes, parsing values, counting steps, a SENCO's own scale, the grid."""

from decimal import Decimal

import pytest

from trellis.assessment.models import Assessment, Scale
from trellis.assessment.scales import ScaleError, ScaleValueError, add_steps, find_scale, parse_value, steps_between
from trellis.audit.models import AuditEvent

SHIPPED = [
    "edsm",
    "nc-levels",
    "pks",
    "engagement",
    "p-scales",
    "leuven-wellbeing",
    "leuven-involvement",
    "boxall",
    "sdq-total",
    "standardised",
    "reading-age",
    "percent",
    "count",
    "effectiveness",
]


@pytest.mark.django_db
def test_every_scale_the_issue_lists_is_shipped_with_its_code():
    codes = set(Scale.objects.filter(school__isnull=True).values_list("code", flat=True))
    assert set(SHIPPED) <= codes


@pytest.mark.django_db
def test_ordered_scales_hold_their_values_in_order():
    values = lambda code: [s.value for s in find_scale(code).ordered_steps]  # noqa: E731
    assert values("nc-levels")[:4] == ["1c", "1b", "1a", "2c"] and values("nc-levels")[-1] == "5a"
    assert values("pks") == ["KS1-1", "KS1-2", "KS1-3", "KS1-4", "PK1", "PK2", "PK3", "PK4", "PK5", "PK6"]
    assert values("p-scales")[:3] == ["P1i", "P1ii", "P2i"] and values("p-scales")[-1] == "P8"
    assert values("leuven-involvement") == ["1", "2", "3", "4", "5"]
    assert all(s.descriptor for s in find_scale("leuven-wellbeing").ordered_steps)
    assert values("edsm") == ["emerging", "developing", "secure", "mastery"]


@pytest.mark.django_db
def test_a_scale_is_found_by_code_or_name_in_any_case():
    assert find_scale("NC-LEVELS").code == "nc-levels"
    assert find_scale("developmental scale").code == "edsm"
    with pytest.raises(ScaleError, match="no scale called 'nonsense'"):
        find_scale("nonsense")


@pytest.mark.django_db
def test_values_are_read_in_any_case_and_stored_as_the_scale_writes_them():
    assert parse_value(find_scale("nc-levels"), " 2C ") == "2c"
    assert parse_value(find_scale("pks"), "pk3") == "PK3"
    assert parse_value(find_scale("edsm"), "Secure") == "secure"
    assert parse_value(find_scale("effectiveness"), "No change") == "no-change"
    assert parse_value(find_scale("standardised"), "085") == "85"
    assert parse_value(find_scale("percent"), "93.5") == "93.5"
    assert parse_value("Pre-key stage standards", "ks1-2") == "KS1-2"  # a scale by name, as imports give it


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("nc-levels", "6a", "use 1c, 1b, 1a, 2c"),
        ("edsm", "", "An empty value"),
        ("standardised", "200", "a number from 40 to 160"),
        ("reading-age", "ninety", "a number from 0 to 240 months"),
        ("percent", "50.05", "in steps of 0.1"),
        ("sdq-total", "NaN", "a number from 0 to 40"),
    ],
)
def test_a_value_not_on_the_scale_is_refused_naming_the_allowed_values(code, value, message):
    with pytest.raises(ScaleValueError, match=message):
        parse_value(find_scale(code), value)


@pytest.mark.django_db
@pytest.mark.django_db
def test_the_message_names_a_scale_once():
    with pytest.raises(ScaleValueError) as raised:
        parse_value(find_scale("edsm"), "top")
    assert "is not on the Developmental scale: use" in str(raised.value)
    with pytest.raises(ScaleValueError) as raised:
        parse_value(find_scale("nc-levels"), "6a")
    assert "is not on the NC levels scale: use" in str(raised.value)


@pytest.mark.django_db
def test_shipped_scale_descriptions_speak_to_teachers_not_to_our_sources():
    assert not Scale.objects.filter(description__icontains="seed 0").exists()


@pytest.mark.django_db
def test_steps_count_places_on_ordered_scales_and_units_on_numeric_ones():
    assert steps_between(find_scale("nc-levels"), "2c", "2a") == 2
    assert steps_between(find_scale("nc-levels"), "2a", "3c") == 1
    assert steps_between(find_scale("nc-levels"), "3c", "2b") == -2
    assert steps_between(find_scale("pks"), "KS1-4", "PK1") == 1
    assert steps_between(find_scale("standardised"), "85", "92") == 7
    assert steps_between(find_scale("reading-age"), "84", "90") == 6


@pytest.mark.django_db
def test_steps_follow_the_direction_of_improvement():
    sdq = find_scale("sdq-total")
    assert steps_between(sdq, "20", "14") == 6  # fewer difficulties is progress
    assert steps_between(sdq, "14", "20") == -6
    assert [str(band) for band in sdq.bands_in_order] == [  # the teacher-report bands (DOMAIN.md)
        "Close to average (0–11)",
        "Slightly raised (12–15)",
        "High (16–18)",
        "Very high (19–40)",
    ]
    assert add_steps(sdq, "20", 4) == "16"
    assert add_steps(find_scale("nc-levels"), "5b", 3) is None
    assert add_steps(find_scale("nc-levels"), "2c", Decimal(1)) == "2b"


def test_senco_adds_a_school_scale_used_only_by_their_school(world, login):
    client = login(world.senco)
    response = client.post(
        f"/schools/{world.school_a.urn}/scales/new/",
        {
            "name": "Phonics phases",
            "kind": "ordered",
            "steps": "ph1: Phase 1\nph2: Phase 2\nph3: Phase 3",
            "higher_is_better": "on",
        },
    )
    assert response.status_code == 302
    scale = find_scale("phonics-phases", world.school_a)
    assert [s.value for s in scale.ordered_steps] == ["ph1", "ph2", "ph3"]
    assert steps_between(scale, "ph1", "ph3") == 2
    with pytest.raises(ScaleError):
        find_scale("phonics-phases", world.school_b)
    assert AuditEvent.objects.filter(record_type="scale", action="create").exists()


def test_teacher_cannot_add_a_school_scale(world, login):
    assert login(world.teacher).get(f"/schools/{world.school_a.urn}/scales/new/").status_code == 404


def test_assessment_grid_saves_a_class_at_an_assessment_point(world, login):
    client = login(world.teacher)
    point = world.school_a.academic_years.get().assessment_points.get(is_baseline=True)
    scale = find_scale("nc-levels")
    url = (
        f"/schools/{world.school_a.urn}/assessments/?group={world.class_4b.pk}&point={point.pk}"
        f"&scale={scale.pk}&domain=cognition&subject=reading"
    )
    page = client.get(url)
    assert page.status_code == 200
    assert f'name="value-{world.in_class.pk}"' in page.content.decode()
    assert f'name="value-{world.other_class.pk}"' not in page.content.decode()  # 4C is not this class
    date = {"date_0": point.date.day, "date_1": point.date.month, "date_2": point.date.year}
    bad = client.post(url, {f"value-{world.in_class.pk}": "9z", **date})
    assert "is not on the NC levels scale" in bad.content.decode()
    assert not Assessment.objects.exists()
    assert client.post(url, {f"value-{world.in_class.pk}": "2B", **date}).status_code == 302
    saved = Assessment.objects.get()
    assert (saved.pupil, saved.value, saved.assessment_point, saved.is_baseline) == (world.in_class, "2b", point, True)
    assert AuditEvent.objects.filter(record_type="assessment", pupil_id=world.in_class.pk).exists()
