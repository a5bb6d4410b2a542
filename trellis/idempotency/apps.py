from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "trellis.idempotency"
    verbose_name = "One-time keys"
