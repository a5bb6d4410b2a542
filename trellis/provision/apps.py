from django.apps import AppConfig


class ProvisionConfig(AppConfig):
    name = "trellis.provision"
    verbose_name = "Provision mapping"
