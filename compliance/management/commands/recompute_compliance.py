"""python manage.py recompute_compliance [--as-of YYYY-MM-DD] [--unit HSA_ID]

Any date: a past date is judged on the facts that held then (units/history.py), so recomputing it gives
the results stored for it unless a correction since says otherwise. Exit 0 done; 2 wrong usage.
"""

from django.core.management.base import BaseCommand

from compliance.services import recompute

from ._common import parse_as_of, unit_ids_for


class Command(BaseCommand):
    help = (
        "Beräkna och spara resultaten för alla enheter som var aktiva (eller en) per ett datum, bedömda på "
        "uppgifterna som gällde då."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Datum (ÅÅÅÅ-MM-DD), standard i dag.")
        parser.add_argument("--unit", help="HSA-id för en enhet.")

    def handle(self, *args, as_of, unit, **options):
        day = parse_as_of(as_of)
        unit_ids = unit_ids_for(unit)
        result = recompute(
            as_of=day,
            unit_ids=unit_ids,
            on_wait=lambda: self.stderr.write("Väntar på en pågående omräkning …"),
        )
        self.stdout.write(
            f"recompute_compliance: {len(result.units)} enheter per {day} "
            f"(beslut {result.context.decision.number})"
        )
