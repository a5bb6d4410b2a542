"""manage.py create_api_token USERNAME [--name NAME]: prints a new bearer token once."""

from django.core.management.base import BaseCommand, CommandError

from trellis.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'Power BI'")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        _, key = ApiToken.issue(user, name=name)
        self.stdout.write(key)
