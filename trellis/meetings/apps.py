from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "trellis.meetings"
    verbose_name = "Pupil progress meetings"
