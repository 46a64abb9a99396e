"""python manage.py recompute_compliance [--as-of YYYY-MM-DD] [--unit HSA_ID] [--force]

Exit 0 done; 1 refused: the date has passed and its results are already stored (--force rewrites them);
2 wrong usage.
"""

import sys

from django.core.management.base import BaseCommand

from compliance.services import PastResultsExist, recompute

from ._common import parse_as_of, unit_ids_for


class Command(BaseCommand):
    help = (
        "Beräkna och spara resultaten för alla aktiva enheter (eller en) per ett datum. Ett passerat datum "
        "vars resultat redan är sparade räknas bara om med --force: utbud och roller sparas inte per datum, "
        "så de gamla resultaten skulle ersättas med en bedömning av dagens uppgifter."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Datum (ÅÅÅÅ-MM-DD), standard i dag.")
        parser.add_argument("--unit", help="HSA-id för en enhet.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Skriv över redan sparade resultat för ett passerat datum (med dagens uppgifter).",
        )

    def handle(self, *args, as_of, unit, force, **options):
        day = parse_as_of(as_of)
        unit_ids = unit_ids_for(unit)
        try:
            result = recompute(
                as_of=day,
                unit_ids=unit_ids,
                force=force,
                on_wait=lambda: self.stderr.write("Väntar på en pågående omräkning …"),
            )
        except PastResultsExist as refused:
            self.stderr.write(
                f"recompute_compliance: {refused} Inget har ändrats; ange --force för att ändå göra det."
            )
            sys.exit(1)
        self.stdout.write(
            f"recompute_compliance: {len(result.units)} enheter per {day} "
            f"(beslut {result.context.decision.number})"
        )
