"""Importer for the kind the rulebook owns: periods."""

from servicelevel.importing.base import Column, Importer, RowProblem, WriteResult, check, length_of
from servicelevel.importing.fields import parse_date, parse_text
from servicelevel.importing.write import upsert

from .models import SchedulePeriod
from .rules import end_before_start_message, overlap_message, overlapping_period


class PeriodsImporter(Importer):
    kind = "periods"
    key = ("code",)
    columns = (
        Column("code", parse_text, max_length=length_of(SchedulePeriod.code)),
        Column("name", parse_text, required=False, default="", max_length=length_of(SchedulePeriod.name)),
        Column("start_date", parse_date),
        Column("end_date", parse_date),
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
