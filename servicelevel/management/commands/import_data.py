"""python manage.py import_data KIND PATH [--dry-run]  (spec/DATA_EXCHANGE.md)

Exit 0 done; 1 the file was rejected (every problem on stderr as FILE:LINE: COLUMN: message, nothing
written); 2 wrong usage. If another import of the same kind is running, one line on stderr says that this
one waits for it (then it goes on as usual).
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from servicelevel.importing import registry
from servicelevel.importing.run import ImportRejected, run_import


class Command(BaseCommand):
    help = "Importera en CSV- eller XLSX-fil av ett slag: " + ", ".join(registry.KINDS) + "."
    # The system checks run at deploy (`check --deploy`) and when the server starts; a nightly import
    # need not pay for them again (they import every view: about 0.3 s of each run).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=registry.KINDS)
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Validera och visa vad som skulle ändras.")

    def handle(self, *args, kind, path, dry_run, **options):
        try:
            report = run_import(kind, path, dry_run=dry_run, progress=self.stderr.write)
        except ImportRejected as rejected:
            for line in rejected.lines():
                self.stderr.write(line)
            self.stderr.write(f"{kind}: filen avvisades, {rejected.total} fel; inget har skrivits.")
            sys.exit(1)
        except KeyError:
            raise CommandError(f"okänt slag {kind!r}", returncode=2) from None
        prefix = "(torrkörning, inget skrivet) " if dry_run else ""
        self.stdout.write(prefix + report.summary())
