from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "trellis.families"
    verbose_name = "Parents and carers"
