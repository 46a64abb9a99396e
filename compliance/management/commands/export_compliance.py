"""python manage.py export_compliance [--as-of YYYY-MM-DD] [--format json|csv] [--output PATH]

Evaluates on the fly from the facts as they are, so it never returns stale results."""

import json

from django.core.management.base import BaseCommand

from compliance.exports import compliance_document, compliance_rows, write_csv
from compliance.services import evaluate

from ._common import output as open_output
from ._common import parse_as_of


class Command(BaseCommand):
    help = "Exportera resultaten per enhet och krav som JSON eller CSV."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Datum (ÅÅÅÅ-MM-DD), standard i dag.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", help="Fil att skriva till; standard är standard ut.")

    def handle(self, *args, as_of, format, output: str | None, **options):
        evaluation = evaluate(parse_as_of(as_of))
        with open_output(output, command=self) as stream:
            if format == "json":
                json.dump(compliance_document(evaluation), stream, ensure_ascii=False, indent=2)
                stream.write("\n")
            else:
                write_csv(compliance_rows(evaluation), stream)
