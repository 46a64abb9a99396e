"""python manage.py create_api_token USERNAME [--scope read|write] [--days N] [--name NAME]

Prints the new token once on standard out (nothing else there): it is not kept and cannot be shown again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import tokens
from api.models import ApiToken


class Command(BaseCommand):
    help = "Skapa en API-nyckel för en användare och skriv ut den en gång."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS, help=f"1–{tokens.MAX_DAYS}")
        parser.add_argument("--name", default="Skapad med create_api_token")

    def handle(self, *args, username, scope, days, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Det finns ingen aktiv användare ”{username}”.")
        try:
            token, secret = tokens.create(user=user, name=name, scope=scope, days=days)
        except tokens.TokenRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(secret)
        self.stderr.write(
            f"Nyckeln ”{token.name}” ({token.get_scope_display()}) gäller till {token.expires_at:%Y-%m-%d}."
        )
