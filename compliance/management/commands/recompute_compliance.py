"""python manage.py recompute_compliance [--as-of YYYY-MM-DD] [--unit HSA_ID]"""

from django.core.management.base import BaseCommand

from compliance.services import recompute

from ._common import parse_as_of, unit_ids_for


class Command(BaseCommand):
    help = "Beräkna och spara resultaten för alla aktiva enheter (eller en) per ett datum."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Datum (ÅÅÅÅ-MM-DD), standard i dag.")
        parser.add_argument("--unit", help="HSA-id för en enhet.")

    def handle(self, *args, as_of, unit, **options):
        day = parse_as_of(as_of)
        result = recompute(as_of=day, unit_ids=unit_ids_for(unit))
        self.stdout.write(
            f"recompute_compliance: {len(result.units)} enheter per {day} "
            f"(beslut {result.context.decision.number})"
        )
