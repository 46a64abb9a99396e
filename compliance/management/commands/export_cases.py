"""python manage.py export_cases [--as-of YYYY-MM-DD] [--unit HSA_ID] [--month YYYY-MM] [--output PATH]"""

from django.core.management.base import BaseCommand

from compliance.exports import case_rows, write_csv

from ._common import output as open_output
from ._common import parse_as_of, parse_month, unit_ids_for


class Command(BaseCommand):
    help = "Exportera ärenden med svarsfrist och utfall per ett datum (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Datum (ÅÅÅÅ-MM-DD), standard i dag.")
        parser.add_argument("--unit", help="HSA-id för en enhet.")
        parser.add_argument("--month", help="Bara ärenden inkomna denna månad (ÅÅÅÅ-MM, lokal tid).")
        parser.add_argument("--output", help="Fil att skriva till; standard är standard ut.")

    def handle(self, *args, as_of, unit, month, output: str | None, **options):
        rows = case_rows(as_of=parse_as_of(as_of), unit_ids=unit_ids_for(unit), month=parse_month(month))
        with open_output(output, command=self) as stream:
            write_csv(rows, stream)
