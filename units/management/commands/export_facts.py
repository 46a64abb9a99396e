"""python manage.py export_facts units|offerings|admin_roles [--as-of YYYY-MM-DD] [--output PATH]

The facts that held on the date (default today, Europe/Stockholm), as a CSV file in the import's own
format: `import_data KIND FILE --valid-from` the same date changes nothing. Exit 0 done; 2 wrong usage.
"""

import contextlib
import sys

from django.core.management.base import BaseCommand

from servicelevel.dates import command_day
from servicelevel.spreadsheet import csv_writer
from servicelevel.validity import today
from units.facts_export import KINDS, fact_rows


class Command(BaseCommand):
    help = "Skriv uppgifterna som gällde ett datum (enheter, utbud eller roller) i importens eget format."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--as-of", help="Datum (ÅÅÅÅ-MM-DD), standard i dag.")
        parser.add_argument("--output", help="Fil att skriva; standard är standard ut.")

    def handle(self, *args, kind, as_of, output, **options):
        day = command_day(as_of) if as_of else today()
        with contextlib.ExitStack() as stack:
            stream = (
                stack.enter_context(open(output, "w", encoding="utf-8", newline="")) if output else sys.stdout
            )
            writer = csv_writer(stream)
            for row in fact_rows(kind, day):
                writer.writerow(row)
