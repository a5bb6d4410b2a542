"""manage.py create_api_token USERNAME [--name NAME] [--scope read|read-write] [--days N]:
prints a new bearer token once."""

from django.core.management.base import BaseCommand, CommandError

from trellis.accounts import services
from trellis.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'Power BI'")
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.READ,
            help="read (the default) or read-write",
        )
        parser.add_argument("--days", type=int, default=None, help="days until it stops working (default 90)")

    def handle(self, *args, username: str, name: str, scope: str, days: int | None, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        try:
            _, key = services.issue_api_token(user=user, by=None, name=name, scope=scope, days=days, via="command")
        except services.AccountError as error:
            raise CommandError(f"{error}.") from None
        self.stdout.write(key)
