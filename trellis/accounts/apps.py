from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trellis.accounts"

    def ready(self) -> None:
        from . import idle, signin_audit  # noqa: F401  (connect their signals)
