"""Importer for the action plan's target shares."""

from servicelevel.importers import EXAMPLE_PERIOD
from servicelevel.importing.base import Column, Importer, RowProblem, WriteResult, check, length_of
from servicelevel.importing.fields import parse_decimal, parse_text
from servicelevel.importing.write import upsert
from servicelevel.models import Requirement, SchedulePeriod
from units.importers import EXAMPLE_AREA
from units.models import CareUnit, Vardomrade

from .models import Target
from .rules import share_problem, trend_requirement_problem


class TargetsImporter(Importer):
    kind = "targets"
    key = ("vardomrade", "period", "requirement_code")
    description = (
        "Handlingsplanens målandelar per vårdområde, period och andelskrav. Ett mål som redan finns för "
        "samma vårdområde, period och krav uppdateras."
    )
    columns = (
        Column(
            "vardomrade",
            parse_text,
            max_length=length_of(Vardomrade.name),
            description="Vårdområdet, med namn; det ska redan finnas i portalen.",
            example=EXAMPLE_AREA,
        ),
        Column(
            "period",
            parse_text,
            max_length=length_of(SchedulePeriod.code),
            description="Periodens kod; perioden ska redan finnas i portalen.",
            example=EXAMPLE_PERIOD,
        ),
        Column(
            "requirement_code",
            parse_text,
            max_length=length_of(Requirement.code),
            description="Ett andelskrav (trendkrav) i regelverket, t.ex. Skånes TB2-OMBOKA-ANDEL.",
            example="TB2-OMBOKA-ANDEL",
        ),
        Column(
            "target_share",
            parse_decimal,
            description="Målandelen mellan 0 och 1 med högst fyra decimaler, t.ex. 0,25 för 25 %.",
            example="0,25",
        ),
    )

    def prepare(self):
        self.vardomraden = dict(Vardomrade.objects.values_list("name", "id"))
        self.periods = dict(SchedulePeriod.objects.values_list("code", "id"))
        # code → (id, is_trend); the newest decision's requirement wins (ordered by in_force_from)
        self.requirements = {
            code: (pk, is_trend)
            for code, pk, is_trend in Requirement.objects.order_by("decision__in_force_from").values_list(
                "code", "id", "is_trend"
            )
        }

    @check("vardomrade")
    def area(self, values):
        values["vardomrade_id"] = self.lookup(
            self.vardomraden, values["vardomrade"], "vardomrade", "vårdområdet"
        )

    @check("period")
    def schedule_period(self, values):
        values["period_id"] = self.lookup(self.periods, values["period"], "period", "perioden")

    # The rules of Target.clean (actionplan/rules.py).
    @check("requirement_code")
    def trend_requirement(self, values):
        code = values["requirement_code"]
        requirement_id, is_trend = self.requirements.get(code, (None, False))
        if problem := trend_requirement_problem(code, is_trend):
            raise RowProblem("requirement_code", problem)
        values["requirement_id"] = requirement_id

    @check("target_share")
    def share(self, values):
        if problem := share_problem(values["target_share"]):
            raise RowProblem("target_share", problem)

    def write(self, rows):
        fields = ("vardomrade_id", "period_id", "requirement_id", "target_share")
        records = [{f: r.values[f] for f in fields} for r in rows]
        existing = Target.objects.filter(vardomrade_id__in={r["vardomrade_id"] for r in records})
        result = upsert(Target, records, fields[:3], existing)
        changed_areas = {t.vardomrade_id for t in [*result.created, *result.updated]}
        touched = set(CareUnit.objects.filter(vardomrade_id__in=changed_areas).values_list("id", flat=True))
        return WriteResult(result.counts, unit_ids=touched)
