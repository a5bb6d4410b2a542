from django.apps import AppConfig


class SpecialistsConfig(AppConfig):
    name = "trellis.specialists"
    verbose_name = "Specialists"
