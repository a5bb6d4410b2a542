"""Every text input has a length limit and loses NUL and bidirectional override characters."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from fixtures_progress import targets_fixture  # noqa: F401
from fixtures_transfer import upn

import trellis
from trellis.assessment.forms import ScaleForm
from trellis.assessment.models import Scale
from trellis.evidence.models import EvidenceNote
from trellis.identification.models import Concern
from trellis.lib.forms import CleanTextMixin, clean_text
from trellis.lib.models import LONG_TEXT, SHORT_TEXT
from trellis.plans.models import Review
from trellis.pupils.models import Pupil
from trellis.transfer.services import import_pupils

TODAY = timezone.localdate()
TWO_MB = "x" * (2 * 1024 * 1024)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def dated(name: str, day: dt.date) -> dict[str, int]:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Ann\x00", "Ann"),
        ("\u202eAnn", "Ann"),  # RIGHT-TO-LEFT OVERRIDE, the "Trojan Source" character
        (f"a{BIDI}b", "ab"),
        ("\u2029\u200f\u2065\u206a", "\u2029\u200f\u2065\u206a"),  # neighbours of the ranges are kept
        ("Zoë Nguyễn, محمد, 李", "Zoë Nguyễn, محمد, 李"),
    ],
)
def test_clean_text_takes_out_only_nul_and_the_bidirectional_controls(text, cleaned):
    assert clean_text(text) == cleaned


def _import_all_form_modules() -> None:
    for module in pkgutil.walk_packages(trellis.__path__, "trellis."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "register", "views", "manage_views"}:
            importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def trellis_forms() -> list[type[forms.BaseForm]]:
    _import_all_form_modules()
    found = {*_subclasses(forms.Form), *_subclasses(forms.ModelForm)}
    return sorted((f for f in found if f.__module__.startswith("trellis.")), key=lambda f: f.__qualname__)


def test_every_form_cleans_text_and_limits_every_text_field():
    found = trellis_forms()
    assert len(found) > 25  # the walk found the app's forms
    problems = [
        f"{form.__module__}.{form.__qualname__} does not clean text"
        for form in found
        if not issubclass(form, CleanTextMixin)
    ]
    for form in found:
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and not field.max_length:
                problems.append(f"{form.__qualname__}.{name} has no max_length")
    assert problems == []


def test_every_model_text_field_has_a_limit_that_model_validation_enforces():
    problems = []
    for model in apps.get_models():
        if not model.__module__.startswith("trellis."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and not field.max_length:
                problems.append(f"{model.__name__}.{field.name}")
            elif isinstance(field, models.TextField):
                with pytest.raises(ValidationError):
                    field.run_validators("x" * (field.max_length + 1))
    assert problems == []


def test_a_2_mb_review_comment_is_refused_with_a_message_and_nothing_is_stored(world, login, targets):
    target = targets["in_class"][1]
    client = login(world.teacher)
    post = {"value": "secure", **dated("date", TODAY)}
    response = client.post(reverse("target", args=[target.pk]), {**post, "comment": TWO_MB})
    assert response.status_code == 200
    assert f"at most {SHORT_TEXT} characters" in response.content.decode()
    assert not Review.objects.filter(target=target).exists()

    response = client.post(reverse("target", args=[target.pk]), {**post, "comment": "y" * SHORT_TEXT})
    assert response.status_code == 302  # the limit itself is fine
    assert len(Review.objects.get(target=target).comment) == SHORT_TEXT


def test_a_2_mb_evidence_note_is_refused_with_a_message_and_nothing_is_stored(world, login):
    post = {**dated("date", TODAY), "learning_objective": "Write a sentence", "activity": "Diary"}
    client = login(world.teacher)
    response = client.post(reverse("evidence-note-new", args=[world.in_class.pk]), {**post, "outcome": TWO_MB})
    assert response.status_code == 200
    assert f"at most {LONG_TEXT} characters" in response.content.decode()
    assert not EvidenceNote.objects.exists()

    response = client.post(
        reverse("evidence-note-new", args=[world.in_class.pk]), {**post, "outcome": "z" * (LONG_TEXT + 1)}
    )
    assert response.status_code == 200 and not EvidenceNote.objects.exists()


def test_nul_and_bidirectional_overrides_never_reach_the_database(world, login):
    response = login(world.teacher).post(
        reverse("concern-new", args=[world.in_class.pk]),
        {"area": "spld", "what_seen": "Reverses\x00 b and d \u202eevil\u202c", "contexts": "\u2066Phonics\u2069"},
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.what_seen, concern.contexts) == ("Reverses b and d evil", "Phonics")


def test_a_query_string_loses_them_too(world, login):
    """A search for a name with a NUL in it is a search for the name (PostgreSQL refuses NUL)."""
    response = login(world.senco).get(reverse("register", args=[world.school_a.urn]), {"q": "Incl\x00ass"})
    assert response.status_code == 200
    assert [p.legal_surname for p in response.context["page"].object_list] == ["Inclass"]


def test_the_importer_strips_them_from_names(world):
    data = (
        f"UPN,Legal Surname,Legal Forename,DOB,Gender\r\n{upn(901)},\u202eSmith\u202c,An\x00n,2017-01-01,F\r\n"
    ).encode()
    plan = import_pupils(school=world.school_a, source=io.BytesIO(data), file_name="mis.csv", by=world.senco)
    assert plan.applied and not plan.problems
    pupil = Pupil.objects.get(upn=upn(901))
    assert (pupil.legal_surname, pupil.legal_forename) == ("Smith", "Ann")


# ---- a scale's step


def scale_form(world, step: str) -> ScaleForm:
    data = {"name": "Our spelling check", "kind": "numeric", "min_value": "0", "max_value": "10", "step": step}
    return ScaleForm(data, school=world.school_a)


@pytest.mark.parametrize("step", ["0", "-1", "-0.01", "0.001"])
def test_a_scale_step_that_is_not_positive_is_refused(world, step):
    form = scale_form(world, step)
    assert not form.is_valid()
    assert form.errors["step"]
    message = form.errors["step"][0]
    assert "more than 0" in message or "decimal places" in message


@pytest.mark.parametrize("step", ["0.01", "0.5", "1"])
def test_a_positive_scale_step_is_accepted(world, step):
    form = scale_form(world, step)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["step"] == Decimal(step)


def test_the_model_and_the_database_refuse_a_step_of_zero(world):
    scale = Scale(school=world.school_a, code="spell", name="Spelling age", kind="numeric", step=Decimal("0"))
    with pytest.raises(ValidationError) as error:
        scale.full_clean()
    assert "step" in error.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        Scale.objects.create(school=world.school_a, code="spell", name="Spelling age", kind="numeric", step=-1)
