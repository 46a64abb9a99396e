"""python manage.py import_data KIND PATH [--dry-run] [--valid-from YYYY-MM-DD]  (spec/DATA_EXCHANGE.md)

--valid-from (units, offerings, admin_roles): the date the file's facts hold from, until each fact's next
recorded change; default today (Europe/Stockholm), or the beginning for a unit's first facts. A date in
the past is a correction: the summary says which stored dates it alters (--dry-run too) and they are
judged again. A date after today is refused.

Exit 0 done; 1 the file was rejected (every problem on stderr as FILE:LINE: COLUMN: message, nothing
written); 2 wrong usage. If another import of the same kind is running, one line on stderr says that this
one waits for it (then it goes on as usual).
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from servicelevel.dates import command_day
from servicelevel.importing import registry
from servicelevel.importing.run import ImportRejected, run_import
from servicelevel.validity import refuse_future, today


class Command(BaseCommand):
    help = "Importera en CSV- eller XLSX-fil av ett slag: " + ", ".join(registry.KINDS) + "."
    # The system checks run at deploy (`check --deploy`) and when the server starts; a nightly import
    # need not pay for them again (they import every view: about 0.3 s of each run).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=registry.KINDS)
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Validera och visa vad som skulle ändras.")
        parser.add_argument(
            "--valid-from",
            help="units, offerings, admin_roles: datumet (ÅÅÅÅ-MM-DD) filens uppgifter gäller från; "
            "standard i dag. Ett passerat datum är en rättelse.",
        )

    def handle(self, *args, kind, path, dry_run, valid_from, **options):
        day = self.valid_from(kind, valid_from) if valid_from else None
        try:
            report = run_import(kind, path, dry_run=dry_run, progress=self.stderr.write, valid_from=day)
        except ImportRejected as rejected:
            for line in rejected.lines():
                self.stderr.write(line)
            self.stderr.write(f"{kind}: filen avvisades, {rejected.total} fel; inget har skrivits.")
            sys.exit(1)
        except KeyError:
            raise CommandError(f"okänt slag {kind!r}", returncode=2) from None
        prefix = "(torrkörning, inget skrivet) " if dry_run else ""
        self.stdout.write(prefix + report.summary())

    def valid_from(self, kind: str, text: str):
        importer = registry.get(kind)
        if not importer.over_time:
            kept = ", ".join(k for k in registry.KINDS if registry.get(k).over_time)
            raise CommandError(
                f"--valid-from gäller bara uppgifter som sparas över tid ({kept}), inte {kind}", returncode=2
            )
        day = command_day(text, "--valid-from")
        try:
            return refuse_future(day)
        except ValidationError:
            raise CommandError(
                f"--valid-from {day.isoformat()} ligger efter i dag ({today().isoformat()}): en ändring "
                "registreras när den gäller",
                returncode=2,
            ) from None
