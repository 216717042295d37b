from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from caseload.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="API", help="what the token is for")

    def handle(self, *args, username, name, **options):
        User = get_user_model()  # noqa: N806
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}") from None
        token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
        self.stderr.write(f"Token {token.prefix}… for {username}: copy it now, it will not be shown again.")
