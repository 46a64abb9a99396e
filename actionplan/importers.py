"""Importer for the action plan's target shares."""

from servicelevel.importing.base import Column, Importer, RowProblem, WriteResult, length_of
from servicelevel.importing.fields import parse_decimal, parse_text
from servicelevel.importing.write import upsert
from servicelevel.models import Requirement, SchedulePeriod
from units.models import CareUnit, Vardomrade

from .models import Target


class TargetsImporter(Importer):
    kind = "targets"
    key = ("vardomrade", "period", "requirement_code")
    columns = (
        Column("vardomrade", parse_text, max_length=length_of(Vardomrade.name)),
        Column("period", parse_text, max_length=length_of(SchedulePeriod.code)),
        Column("requirement_code", parse_text, max_length=length_of(Requirement.code)),
        Column("target_share", parse_decimal),
    )

    def prepare(self):
        self.vardomraden = dict(Vardomrade.objects.values_list("name", "id"))
        self.periods = dict(SchedulePeriod.objects.values_list("code", "id"))
        self.trend_requirements = dict(
            Requirement.objects.filter(is_trend=True)
            .order_by("decision__in_force_from")
            .values_list("code", "id")
        )

    def clean(self, values):
        values["vardomrade_id"] = self.lookup(
            self.vardomraden, values["vardomrade"], "vardomrade", "vårdområdet"
        )
        values["period_id"] = self.lookup(self.periods, values["period"], "period", "perioden")
        if values["requirement_code"] not in self.trend_requirements:
            raise RowProblem(
                "requirement_code",
                f"{values['requirement_code']!r} är inget andelskrav (*-ANDEL) i regelverket",
            )
        values["requirement_id"] = self.trend_requirements[values["requirement_code"]]
        share = values["target_share"]
        if not 0 <= share <= 1:
            raise RowProblem("target_share", f"ska vara mellan 0 och 1, inte {share}")
        if share != share.quantize(share.__class__("0.0001")):
            raise RowProblem("target_share", f"högst fyra decimaler, inte {share}")
        return values

    def write(self, rows):
        fields = ("vardomrade_id", "period_id", "requirement_id", "target_share")
        records = [{f: r.values[f] for f in fields} for r in rows]
        existing = Target.objects.filter(vardomrade_id__in={r["vardomrade_id"] for r in records})
        result = upsert(Target, records, fields[:3], existing)
        changed_areas = {t.vardomrade_id for t in [*result.created, *result.updated]}
        touched = set(CareUnit.objects.filter(vardomrade_id__in=changed_areas).values_list("id", flat=True))
        return WriteResult(result.counts, unit_ids=touched)
