from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "trellis.transfer"
    verbose_name = "Imports and exports"
