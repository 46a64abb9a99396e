"""Importer for the kind the rulebook owns: periods."""

from servicelevel.importing.base import Column, Importer, RowProblem, WriteResult, check, length_of
from servicelevel.importing.fields import parse_date, parse_text
from servicelevel.importing.write import upsert

from .models import SchedulePeriod
from .rules import end_before_start_message, overlap_message, overlapping_period

# The templates' example period: obviously fictive, and far enough ahead never to be the current one.
EXAMPLE_PERIOD = "EXEMPEL-T1"


class PeriodsImporter(Importer):
    kind = "periods"
    key = ("code",)
    description = (
        "En rad per tidbokningsschemaperiod. En period med en kod som redan finns uppdateras. Perioderna "
        "får inte överlappa varandra, varken i filen eller med dem som redan finns."
    )
    columns = (
        Column(
            "code",
            parse_text,
            max_length=length_of(SchedulePeriod.code),
            description="Periodens kod, t.ex. 2026-T3. Bokningsuppgifter och mål anger perioden med koden.",
            example=EXAMPLE_PERIOD,
        ),
        Column(
            "name",
            parse_text,
            required=False,
            default="",
            max_length=length_of(SchedulePeriod.name),
            description="Periodens namn som det visas i portalen.",
            example="Exempelperiod (fiktiv)",
        ),
        Column("start_date", parse_date, description="Periodens första dag.", example="2099-01-01"),
        Column(
            "end_date",
            parse_date,
            description="Periodens sista dag (räknas med). Får inte vara före start_date.",
            example="2099-04-30",
        ),
    )

    def prepare(self):
        # Ranges already known, by code; rows of this file replace the stored range of their code.
        self.ranges = {p.code: (p.start_date, p.end_date) for p in SchedulePeriod.objects.all()}
        self.in_file: set[str] = set()

    @check("start_date", "end_date")
    def period_range(self, values):
        # The same rules as SchedulePeriod.clean (servicelevel/rules.py), against the stored periods and
        # the rows before this one. An end before the start is no range: its overlaps mean nothing.
        start, end = values["start_date"], values["end_date"]
        if end < start:
            raise RowProblem("end_date", end_before_start_message(start, end))
        code = values.get("code")  # a code that did not parse: the range is still checked
        others = ((c, s, e) for c, (s, e) in self.ranges.items() if c != code)
        overlap = overlapping_period(start, end, others)
        if overlap:
            where = "tidigare i filen" if overlap[0] in self.in_file else "i portalen"
            raise RowProblem("start_date", overlap_message(*overlap, where=where))
        if code is not None:
            self.ranges[code] = (start, end)
            self.in_file.add(code)

    def write(self, rows):
        records = [dict(r.values) for r in rows]
        result = upsert(SchedulePeriod, records, ("code",), SchedulePeriod.objects.all())
        # Periods change which figures are current for every unit.
        changed = result.counts.created or result.counts.updated
        return WriteResult(result.counts, unit_ids=None if changed else set())
