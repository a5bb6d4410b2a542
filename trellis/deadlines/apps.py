from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "trellis.deadlines"
    verbose_name = "Statutory deadlines"
