from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "trellis.jobs"
    verbose_name = "Background jobs"
