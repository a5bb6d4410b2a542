"""Every record that belongs to a pupil, found from the models' own relations, so a model added
later (anything with a foreign-key path to Pupil) is exported and deleted without changing this."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import models

from trellis.pupils.models import Pupil


def pupil_paths() -> dict[type[models.Model], str]:
    """Each model that belongs to a pupil and the shortest lookup from it to the pupil's id
    ("pupil", "target__pupil", ...), nearest first. Link tables of many-to-many fields are included."""
    paths: dict[type[models.Model], str] = {}
    frontier: list[tuple[type[models.Model], str]] = [(Pupil, "")]
    every = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    while frontier:
        target, to_pupil = frontier.pop(0)
        for model in every:
            if model is Pupil or model in paths:
                continue
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model is target:
                    paths[model] = f"{field.name}__{to_pupil}" if to_pupil else field.name
                    frontier.append((model, paths[model]))
                    break
    return paths


def records_of(pupil_ids: list[int]) -> Iterator[tuple[type[models.Model], models.QuerySet]]:
    """(model, rows) for every model holding rows about these pupils, the pupils themselves first."""
    yield Pupil, Pupil._base_manager.filter(pk__in=pupil_ids).order_by("pk")
    for model, path in pupil_paths().items():
        yield model, model._base_manager.filter(**{f"{path}__in": pupil_ids}).order_by("pk")


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
