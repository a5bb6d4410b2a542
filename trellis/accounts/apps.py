from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trellis.accounts"

    def ready(self) -> None:
        from . import idle  # noqa: F401  (connects the sign-in signal)
