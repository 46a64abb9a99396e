"""python manage.py export_rulebook [--decision NUMBER] [--version VERSION] [--output PATH]

Writes a stored version (default: the one in force today) as a rulebook file `load_rulebook` accepts;
loaded as a new version (another `version`), it gives the same results."""

from django.core.management.base import BaseCommand, CommandError

from compliance.services import today
from servicelevel.models import Decision
from servicelevel.rulebook_file import dump
from servicelevel.rulebooks import file_of

from ._common import output as open_output


class Command(BaseCommand):
    help = "Skriv en lagrad version av ett beslut som regelboksfil."

    def add_arguments(self, parser):
        # The spec's `--version VERSION` replaces Django's own --version (the program's version).
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("--decision", help="Ärendenummer; standard: beslutet i kraft i dag.")
        parser.add_argument(
            "--version", dest="decision_version", help="Version; standard: den senast gällande."
        )
        parser.add_argument("--output", help="Fil att skriva till; standard är standard ut.")

    def handle(self, *args, decision: str | None, decision_version: str | None, output, **options):
        stored = self._find(decision, decision_version)
        with open_output(output, command=self) as stream:
            stream.write(dump(file_of(stored)))

    def _find(self, number, version) -> Decision:
        if not number and not version:
            found = Decision.in_force(today())
            if found is None:
                raise CommandError("inget beslut är inläst", returncode=2)
            return found
        versions = Decision.of_region()
        if number:
            versions = versions.filter(number=number)
        if version:
            versions = versions.filter(version=version)
        found = versions.order_by("-in_force_from", "-id").first()
        if found is None:
            wanted = " ".join(part for part in (number, version and f"version {version}") if part)
            raise CommandError(f"ingen lagrad version: {wanted}", returncode=2)
        return found
