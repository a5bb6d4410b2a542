from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "trellis.identification"
    verbose_name = "Identification of need"
