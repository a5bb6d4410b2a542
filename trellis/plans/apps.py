from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "trellis.plans"
    verbose_name = "Plans, targets and reviews"
