from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "trellis.dataprotection"
    verbose_name = "Backups, retention and subject access"
