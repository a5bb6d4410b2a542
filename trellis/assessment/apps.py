from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "trellis.assessment"
    verbose_name = "Scales and assessments"
